"""content/aftercare.yml and content/coach_alerts.yml: valid, and linted like the rest."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from bot.content import CONTENT_DIR, ContentError, fits_phone_screen
from bot.content.alerts import load_alert_content
from tests.bot.test_content_lint import BANNED, MEDICATION

FILES = ("aftercare.yml", "coach_alerts.yml")
PHONE_NUMBER = re.compile(r"\d{3}")


def _messages() -> list[tuple[str, str]]:
    content = load_alert_content()
    found = list(content.patient_messages())
    for reason in ("new", "high", "escalation"):
        for kind in ("crisis", "red_flag"):
            text = content.alert_text(reason, kind, "high", "https://x.example/safety#flag-1", 15)
            found.append((f"coach_alerts.yml telegram {reason}", text))
    found.extend((f"coach_alerts.yml link {k}", v) for k, v in content.link.items())
    return found


def test_every_message_is_clean_and_fits_a_phone_screen() -> None:
    problems = [
        f"{where}: {text!r}"
        for where, text in _messages()
        if BANNED.search(text) or MEDICATION.search(text) or not fits_phone_screen(text)
    ]
    assert problems == []


def test_no_phone_numbers_outside_crisis_lines() -> None:
    for name in FILES:
        assert not PHONE_NUMBER.search((CONTENT_DIR / name).read_text(encoding="utf-8")), name


def test_check_backs_point_to_sos_and_use_the_patients_emergency_number() -> None:
    content = load_alert_content()
    crisis_gb = content.checkback_text("crisis", "GB")
    assert "/sos" in crisis_gb and "999" in crisis_gb
    assert "911" in content.checkback_text("red_flag", "US")
    assert "get checked" in content.checkback_text("red_flag", "GB")
    assert "/sos" in content.evening_gentle and "0 to 10" not in content.evening_gentle


def test_alerts_never_carry_more_than_kind_level_and_link() -> None:
    content = load_alert_content()
    text = content.alert_text("new", "crisis", None, "LINK", 0)
    assert "LINK" in text and "not recorded" in text


@pytest.mark.parametrize(("name", "old", "new", "problem"), [
    ("coach_alerts.yml", "Please look now: {link}", "Please look now: {patient}",
     "unknown placeholders"),
    ("aftercare.yml", "evening_gentle:", "evening_gentle_x:", "missing text 'evening_gentle'"),
])
def test_broken_files_are_rejected(tmp_path: Path, name: str, old: str, new: str,
                                   problem: str) -> None:
    for file in FILES:
        shutil.copy(CONTENT_DIR / file, tmp_path / file)
    path = tmp_path / name
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    with pytest.raises(ContentError, match=re.escape(problem)):
        load_alert_content(tmp_path)
