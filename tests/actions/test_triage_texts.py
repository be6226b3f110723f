"""The triage wording and the same-day care entries (actions/triage_texts.py)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from actions.triage_texts import REQUIRED, load_triage_texts, texts
from bot.content import CONTENT_DIR, ContentError, fits_phone_screen, get_content


def test_every_message_is_there_and_fits_a_phone_screen() -> None:
    loaded = texts()
    for key in REQUIRED:
        assert loaded.messages[key]
        assert fits_phone_screen(loaded.messages[key])


def test_no_phone_numbers_outside_crisis_lines() -> None:
    for key, text in texts().messages.items():
        assert not re.search(r"\d{3}", text), key


def test_every_country_has_same_day_care_with_a_source_and_a_check_date() -> None:
    loaded = texts()
    assert set(loaded.urgent) == set(get_content().crisis)
    for care in [*loaded.urgent.values(), loaded.default_urgent]:
        assert care.say and care.source and care.checked


@pytest.mark.parametrize(
    ("country", "expected"),
    [
        ("GB", "NHS 111"),
        ("AU", "1800 022 222"),
        ("NZ", "0800 611 116"),
        ("CA", "811"),
        ("DE", "116 117"),
        ("US", "urgent care centre"),
        ("UK", "NHS 111"),
        ("BR", "same-day"),
    ],
)
def test_same_day_care_per_country(country: str, expected: str) -> None:
    assert expected in texts().urgent_for(country).say


def test_a_country_without_same_day_care_is_an_error(tmp_path: Path) -> None:
    for name in ("triage.yml", "crisis_lines.yml"):
        (tmp_path / name).write_text((CONTENT_DIR / name).read_text(encoding="utf-8"))
    data = yaml.safe_load((tmp_path / "crisis_lines.yml").read_text(encoding="utf-8"))
    del data["countries"]["GB"]["urgent"]
    (tmp_path / "crisis_lines.yml").write_text(yaml.safe_dump(data), encoding="utf-8")
    with pytest.raises(ContentError, match="GB"):
        load_triage_texts(tmp_path)
