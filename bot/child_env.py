"""The environment each child process gets: only the variables it needs.

``bot.services`` and ``bot.run`` start Rasa, the action server, the dashboard and the
gateway. Passing ``os.environ`` on would hand every secret to every child (the Telegram
bot token to Rasa and the action server, the dashboard's session key to Rasa, ...). Here
each role gets the process basics (``PATH``, locale, temp dir, Python and TensorFlow
knobs), the project's non-secret settings, and only the secrets named for it. Secrets
travel in the environment (readable only by the same user), never as arguments (which
``ps`` shows to everyone).
"""

from __future__ import annotations

from collections.abc import Mapping

BASICS = (
    "PATH", "HOME", "USER", "LOGNAME", "LANG", "LANGUAGE", "TZ", "TMPDIR", "TEMP", "TMP",
    "PYTHONPATH", "PYTHONHASHSEED", "PYTHONWARNINGS", "PYTHONUNBUFFERED", "VIRTUAL_ENV",
    "SSL_CERT_FILE", "SSL_CERT_DIR", "REQUESTS_CA_BUNDLE", "CUDA_VISIBLE_DEVICES",
)
BASIC_PREFIXES = ("LC_", "TF_", "OMP_", "MKL_", "OPENBLAS_", "SQLALCHEMY_", "SANIC_")
SETTINGS = (  # bot/settings.py, none of them secret
    "DATABASE_URL", "RASA_URL", "ACTION_SERVER_URL", "DEFAULT_COUNTRY", "DEFAULT_TIMEZONE",
    "DEFAULT_CHECKIN_TIME", "EPISODE_IDLE_MINUTES", "LOG_LEVEL", "RASA_TELEMETRY_ENABLED",
    "ACTION_SERVER_SANIC_WORKERS",
)
ROLE_SECRETS: dict[str, tuple[str, ...]] = {
    # Rasa: its API token (read by bot.rasa.serve and the REST channel) and the token it
    # sends to the action server (endpoints.yml).
    "rasa": ("RASA_TOKEN", "ACTION_SERVER_TOKEN"),
    "actions": ("ACTION_SERVER_TOKEN",),
    "dashboard": (),
    "gateway": ("RASA_TOKEN", "TELEGRAM_BOT_TOKEN", "TELEGRAM_WEBHOOK_SECRET"),
}
ROLE_PREFIXES: dict[str, tuple[str, ...]] = {
    "rasa": ("RASA_", "REDIS_"),
    "actions": (),
    "dashboard": ("DASHBOARD_",),
    "gateway": ("TELEGRAM_",),
}
SECRET_WORDS = ("TOKEN", "SECRET", "PASSWORD", "KEY")


def child_env(role: str, env: Mapping[str, str]) -> dict[str, str]:
    """The part of ``env`` a child in ``role`` (rasa, actions, dashboard, gateway) needs.

    Variables matched only by a prefix are passed on unless their name looks secret
    (``TOKEN``, ``SECRET``, ``PASSWORD``, ``KEY``); secrets pass only when named for the
    role in :data:`ROLE_SECRETS`.
    """
    secrets = ROLE_SECRETS[role]
    prefixes = BASIC_PREFIXES + ROLE_PREFIXES[role]
    chosen: dict[str, str] = {}
    for name, value in env.items():
        named = name in secrets or name in BASICS or name in SETTINGS
        prefixed = name.startswith(prefixes) and not any(w in name for w in SECRET_WORDS)
        if named or prefixed:
            chosen[name] = value
    if role == "dashboard" and "DASHBOARD_SECRET_KEY" in env:
        chosen["DASHBOARD_SECRET_KEY"] = env["DASHBOARD_SECRET_KEY"]
    return chosen
