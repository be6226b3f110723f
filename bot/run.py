"""``make run``: start the action server and Rasa, then the gateway in front of them.

With ``TELEGRAM_BOT_TOKEN`` set the gateway talks to Telegram; without it, a chat opens in
this terminal. Everything stops when the gateway ends (Ctrl-C or /quit in the chat).
"""

from __future__ import annotations

import subprocess
import sys

from bot.child_env import child_env
from bot.logs import configure_logging
from bot.services import StackError, running_stack
from bot.settings import PROJECT_ROOT, Settings, SettingsError


def start_dashboard(env: dict[str, str]) -> subprocess.Popen[bytes]:
    """Start the coach dashboard next to the bot (it prints its address)."""
    log = PROJECT_ROOT / "var" / "log" / "dashboard.log"
    log.parent.mkdir(parents=True, exist_ok=True)
    process = subprocess.Popen(
        [sys.executable, "-m", "bot.dashboard", "serve"],
        env=child_env("dashboard", env),  # no Telegram or Rasa token
        stdout=log.open("ab"),
        stderr=subprocess.STDOUT,
    )
    host = env.get("DASHBOARD_HOST", "127.0.0.1")
    port = env.get("DASHBOARD_PORT", "8000")
    print(
        f"Coach dashboard at http://{host}:{port}/ "
        "(add a coach with: .venv/bin/python -m bot.dashboard add-coach NAME)"
    )
    return process


def main() -> int:
    """Run the whole assistant locally; return the exit status."""
    try:
        settings = Settings.from_env()
    except SettingsError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    configure_logging(settings.log_level, "%(levelname)s %(name)s: %(message)s")
    print("Starting the action server and Rasa (loading the model takes a little while)...")
    try:
        with running_stack(database_url=settings.database_url, token=settings.rasa_token) as stack:
            print(f"Rasa is up at {stack.rasa_url}; logs are in var/log/.")
            dashboard = start_dashboard(stack.env)
            try:
                return subprocess.call([sys.executable, "-m", "bot"], env=stack.env)
            finally:
                dashboard.terminate()
                dashboard.wait(timeout=10)
    except StackError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
