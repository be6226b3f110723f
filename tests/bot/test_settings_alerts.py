"""The alert settings: SMTP, on-call address, escalation delay, dashboard URL."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.settings import Settings, SettingsError


def test_defaults_have_no_email_and_fifteen_minutes() -> None:
    settings = Settings.from_env({})
    assert not settings.smtp_enabled and settings.alert_oncall_email is None
    assert settings.alert_escalate_after == timedelta(minutes=15)
    assert settings.dashboard_url == "http://127.0.0.1:8000"


def test_reads_smtp_and_alert_settings() -> None:
    settings = Settings.from_env({
        "SMTP_HOST": "mail.example.org", "SMTP_PORT": "465", "SMTP_USER": "bot",
        "SMTP_PASSWORD": "pw", "SMTP_FROM": "alerts@example.org", "SMTP_SECURITY": "SSL",
        "ALERT_ONCALL_EMAIL": "oncall@example.org", "ALERT_ESCALATE_MINUTES": "5",
        "DASHBOARD_URL": "https://coach.example.org/",
    })
    assert settings.smtp_enabled and settings.smtp_port == 465
    assert settings.smtp_security == "ssl" and settings.alert_escalate_minutes == 5
    assert settings.dashboard_url == "https://coach.example.org"
    assert "pw" not in repr(settings)


@pytest.mark.parametrize(("name", "value"), [
    ("SMTP_PORT", "0"), ("SMTP_PORT", "smtp"), ("SMTP_FROM", "not-an-address"),
    ("SMTP_SECURITY", "tls1"), ("ALERT_ONCALL_EMAIL", "a@b"), ("ALERT_ESCALATE_MINUTES", "0"),
    ("ALERT_ESCALATE_MINUTES", "-3"), ("DASHBOARD_URL", "coach.example.org"),
])
def test_malformed_values_name_the_variable(name: str, value: str) -> None:
    with pytest.raises(SettingsError, match=name):
        Settings.from_env({name: value})
