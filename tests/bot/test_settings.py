"""Settings: defaults, parsing and clear errors for malformed values."""

from __future__ import annotations

import dataclasses
from datetime import time, timedelta

import pytest

from bot import settings as settings_module
from bot.settings import PROJECT_ROOT, Settings, SettingsError


def test_defaults() -> None:
    settings = Settings.from_env({})
    assert settings == Settings()
    assert settings.database_url == f"sqlite:///{PROJECT_ROOT / 'var' / 'flare.db'}"
    assert settings.rasa_url == "http://127.0.0.1:5005"
    assert settings.rasa_token is None
    assert settings.action_server_url == "http://127.0.0.1:5055/webhook"
    assert settings.telegram_bot_token is None
    assert settings.telegram_api_base_url == "https://api.telegram.org/bot"
    assert settings.telegram_webhook_url is None
    assert settings.telegram_webhook_secret is None
    assert (settings.default_country, settings.default_timezone) == ("US", "UTC")
    assert settings.default_checkin_time == "20:00"
    assert settings.checkin_time == time(20, 0)
    assert settings.episode_idle == timedelta(minutes=120)
    assert settings.log_level == "INFO"


def test_reads_every_variable() -> None:
    env = {
        "DATABASE_URL": "postgresql+psycopg2://flare:pw@db.internal:5432/flare",
        "RASA_URL": "http://rasa:5005",
        "RASA_TOKEN": "tok",
        "ACTION_SERVER_URL": "http://actions:5055/webhook",
        "TELEGRAM_BOT_TOKEN": "123456:ABC-def_ghi",
        "TELEGRAM_API_BASE_URL": "http://127.0.0.1:8081/bot",
        "TELEGRAM_WEBHOOK_URL": "https://flare.example.org/telegram",
        "TELEGRAM_WEBHOOK_SECRET": "s3cret_-x" + "y" * 32,
        "DEFAULT_COUNTRY": "gb",
        "DEFAULT_TIMEZONE": "Europe/London",
        "DEFAULT_CHECKIN_TIME": "07:45",
        "EPISODE_IDLE_MINUTES": "45",
        "LOG_LEVEL": "debug",
    }
    settings = Settings.from_env(env)
    assert settings.database_url == "postgresql+psycopg2://flare:pw@db.internal:5432/flare"
    assert settings.rasa_url == "http://rasa:5005"
    assert settings.rasa_token == "tok"
    assert settings.action_server_url == "http://actions:5055/webhook"
    assert settings.telegram_bot_token == "123456:ABC-def_ghi"
    assert settings.telegram_api_base_url == "http://127.0.0.1:8081/bot"
    assert settings.telegram_webhook_url == "https://flare.example.org/telegram"
    assert settings.telegram_webhook_secret == "s3cret_-x" + "y" * 32
    assert settings.default_country == "GB"
    assert settings.default_timezone == "Europe/London"
    assert settings.checkin_time == time(7, 45)
    assert settings.episode_idle == timedelta(minutes=45)
    assert settings.log_level == "DEBUG"


def test_empty_values_count_as_unset() -> None:
    assert Settings.from_env({"DATABASE_URL": "", "TELEGRAM_BOT_TOKEN": "  "}) == Settings()


def test_relative_sqlite_path_is_under_the_project_root() -> None:
    settings = Settings.from_env({"DATABASE_URL": "sqlite:///data/other.db"})
    assert settings.database_url == f"sqlite:///{PROJECT_ROOT / 'data' / 'other.db'}"


def test_absolute_sqlite_path_is_kept() -> None:
    settings = Settings.from_env({"DATABASE_URL": "sqlite:////srv/flare/flare.db"})
    assert settings.database_url == "sqlite:////srv/flare/flare.db"


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("DATABASE_URL", "not a url"),
        ("DATABASE_URL", "mysql://u@h/db"),
        ("RASA_URL", "127.0.0.1:5005"),
        ("RASA_URL", "ftp://rasa"),
        ("ACTION_SERVER_URL", "localhost/webhook"),
        ("TELEGRAM_API_BASE_URL", "api.telegram.org"),
        ("TELEGRAM_WEBHOOK_URL", "http://flare.example.org/hook"),
        ("TELEGRAM_BOT_TOKEN", "not-a-token"),
        ("TELEGRAM_WEBHOOK_SECRET", "has spaces!"),
        ("TELEGRAM_WEBHOOK_SECRET", "x" * 257),
        ("DEFAULT_COUNTRY", "USA"),
        ("DEFAULT_COUNTRY", "1A"),
        ("DEFAULT_TIMEZONE", "Mars/Olympus"),
        ("DEFAULT_CHECKIN_TIME", "8pm"),
        ("DEFAULT_CHECKIN_TIME", "24:00"),
        ("DEFAULT_CHECKIN_TIME", "7:30"),
        ("EPISODE_IDLE_MINUTES", "two hours"),
        ("EPISODE_IDLE_MINUTES", "0"),
        ("EPISODE_IDLE_MINUTES", "100000"),
        ("LOG_LEVEL", "LOUD"),
    ],
)
def test_malformed_values_name_the_variable(name: str, value: str) -> None:
    with pytest.raises(SettingsError, match=name):
        Settings.from_env({name: value})


def test_secret_values_are_not_echoed() -> None:
    with pytest.raises(SettingsError) as error:
        Settings.from_env({"TELEGRAM_BOT_TOKEN": "secret value"})
    assert "secret value" not in str(error.value)
    settings = Settings.from_env(
        {"TELEGRAM_BOT_TOKEN": "1:abc", "RASA_TOKEN": "rasa-tok", "TELEGRAM_WEBHOOK_SECRET": "w"}
    )
    assert "abc" not in repr(settings)
    assert "rasa-tok" not in repr(settings)


@pytest.mark.parametrize(("name", "value"), [
    ("DATABASE_URL", "postgresql//flare:db-pass-77@db/flare"),
    ("RATE_LIMIT_REDIS_URL", "http://:redis-pass-77@cache:6379/0"),
])
def test_a_malformed_url_is_not_echoed_with_its_password(name: str, value: str) -> None:
    with pytest.raises(SettingsError, match=name) as error:
        Settings.from_env({name: value})
    assert "pass-77" not in str(error.value)


def test_settings_are_frozen() -> None:
    with pytest.raises(dataclasses.FrozenInstanceError):
        Settings().log_level = "DEBUG"  # type: ignore[misc]


def test_env_var_names_are_constants() -> None:
    assert settings_module.DATABASE_URL == "DATABASE_URL"
    assert settings_module.EPISODE_IDLE_MINUTES == "EPISODE_IDLE_MINUTES"
    names = {f.name.upper() for f in dataclasses.fields(Settings)}
    assert all(getattr(settings_module, name) == name for name in names)


def test_benchmark_knobs() -> None:
    settings = Settings.from_env({"TELEGRAM_SEND_LOG": "1", "SCHEDULER_SHIFT_DAYS": "5"})
    assert settings.telegram_send_log is True and settings.scheduler_shift_days == 5
    assert Settings().telegram_send_log is False and Settings().scheduler_shift_days == 0
    with pytest.raises(SettingsError, match="SCHEDULER_SHIFT_DAYS"):
        Settings.from_env({"SCHEDULER_SHIFT_DAYS": "7"})
