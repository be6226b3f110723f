"""Progress numbers, wording and chart, against a real database (SQLite and PostgreSQL)."""

from __future__ import annotations

import io
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from matplotlib import image
from sqlalchemy.orm import Session

from bot.progress import (
    WeeklySummaries,
    helped_most,
    progress_chart,
    progress_data,
    progress_text,
    week_summary,
    weekly_text,
    wording,
)
from bot.store.db import Database
from tests.bot.progress.progress_support import (
    EXPECTED_LINES,
    add_flare,
    add_patient,
    seed_fortnight,
)

# Sunday 9 June 2024, 20:00 in London.
NOW = datetime(2024, 6, 9, 19, 0, tzinfo=timezone.utc)
UNSAFE = ("cure", "medication", "dose", "in your head", "just relax", "imaginary", "failed")


def test_summary_numbers_come_from_the_seeded_log(db_session: Session) -> None:
    patient = add_patient(db_session, "p1", NOW)
    seed_fortnight(db_session, "p1", NOW)

    summary = week_summary(db_session, patient, NOW)

    assert (summary.flares, summary.flares_before) == (4, 2)
    assert (summary.pain_average, summary.pain_average_before) == (5.0, 7.0)
    assert summary.recovery_minutes == pytest.approx((30 + 90 + 20) / 3)
    assert summary.helped_most is not None
    assert (summary.helped_most.tool, summary.helped_most.average_drop) == ("grounding", 4.0)
    assert summary.harder_week
    text = progress_text(summary)
    assert text.splitlines()[1:5] == EXPECTED_LINES
    assert wording.HARDER_WEEK in text  # a harder week is named, and not called a failure


def test_another_patients_log_does_not_leak_in(db_session: Session) -> None:
    patient = add_patient(db_session, "p1", NOW)
    add_patient(db_session, "other", NOW)
    seed_fortnight(db_session, "other", NOW)
    summary = week_summary(db_session, patient, NOW)
    assert not summary.has_any_data
    assert progress_text(summary) == wording.EMPTY_PROGRESS


def test_empty_case_says_so_kindly_and_suggests_the_checkin(db_session: Session) -> None:
    add_patient(db_session, "p1", NOW)
    data = progress_data(db_session, "p1", NOW)
    assert not data.summary.has_any_data
    assert data.pain_points == [] and sum(n for _, n in data.flare_weeks) == 0
    assert "/checkin" in progress_text(data.summary)
    assert weekly_text(data.summary) == wording.EMPTY_WEEKLY
    assert "/checkin" in wording.EMPTY_WEEKLY


def test_a_calmer_week_gets_the_steady_closing(db_session: Session) -> None:
    patient = add_patient(db_session, "p1", NOW)
    add_flare(db_session, "p1", NOW - timedelta(days=2), 25, (6, 6), ["breathing"])
    add_flare(db_session, "p1", NOW - timedelta(days=9), 40, (7, 5), ["pacing"])
    add_flare(db_session, "p1", NOW - timedelta(days=11), 40, (7, 5), ["pacing"])
    summary = week_summary(db_session, patient, NOW)
    assert (summary.flares, summary.flares_before) == (1, 2)
    assert summary.helped_most is None  # breathing did not lower the score: no claim made
    text = weekly_text(summary)
    assert wording.STEADY_WEEK in text and wording.HARDER_WEEK not in text
    assert "What seemed to help most" not in text
    assert "Pain at check-ins: no check-ins with a pain score this week" in text
    assert text.endswith(wording.WEEKLY_OFF_HINT)


def test_helped_most_counts_closed_flares_with_both_scores(db_session: Session) -> None:
    add_patient(db_session, "p1", NOW)
    episodes = [
        add_flare(db_session, "p1", NOW, 10, (8, 5), ["breathing", "pacing"]),
        add_flare(db_session, "p1", NOW, 10, (6, 3), ["pacing"]),
        add_flare(db_session, "p1", NOW, 10, (9, 9), ["reframe"]),
        add_flare(db_session, "p1", NOW, None, (9, 0), ["grounding"]),  # still open
        add_flare(db_session, "p1", NOW, 10, (9, None), ["just_listen"]),  # no end score
    ]
    best = helped_most(episodes)
    # breathing and pacing both average 3 points; pacing was used in more flares.
    assert best is not None and (best.tool, best.average_drop, best.flares) == ("pacing", 3, 2)
    assert helped_most(episodes[2:]) is None


def test_progress_chart_is_one_png_with_both_panels(db_session: Session) -> None:
    add_patient(db_session, "p1", NOW)
    seed_fortnight(db_session, "p1", NOW)
    data = progress_data(db_session, "p1", NOW)
    assert [value for _, value in data.pain_points] == [9, 7, 7, 6, 5, 4]
    assert sum(count for _, count in data.flare_weeks) == 7
    png = progress_chart(data)
    assert png.startswith(b"\x89PNG\r\n\x1a\n")
    pixels = image.imread(io.BytesIO(png), format="png")
    assert pixels.shape[0] == 600 and pixels.shape[1] == 700  # two 700x300 panels


@pytest.mark.parametrize("flares", [(0, 0), (1, 3), (3, 1), (12, 12)])
def test_wording_stays_short_and_safe(db_session: Session, flares: tuple[int, int]) -> None:
    patient = add_patient(db_session, "p1", NOW)
    seed_fortnight(db_session, "p1", NOW)
    base = week_summary(db_session, patient, NOW)
    summary = type(base)(**{**base.__dict__, "flares": flares[0], "flares_before": flares[1]})
    for text in (progress_text(summary), weekly_text(summary)):
        assert len(text) <= wording.CAPTION_LIMIT
        lowered = text.lower()
        assert not [word for word in UNSAFE if word in lowered], text


def test_numbers_and_durations_in_words() -> None:
    assert [wording.number(v) for v in (5.0, 5.25, 4.96)] == ["5", "5.2", "5"]
    assert wording.duration(46.6) == "about 47 minutes"
    assert wording.duration(60) == "about 1 hour"
    assert wording.duration(135) == "about 2 hours 15 minutes"
    assert wording.duration(0.2) == "about 1 minute"
    assert wording.tool_label("new_tool") == "new tool"


async def test_weekly_sender_sends_photo_with_caption_or_text(tmp_path: Path) -> None:
    database = Database.from_url(f"sqlite:///{tmp_path / 'weekly.db'}")
    database.migrate()
    with database.sessions.begin() as session:
        add_patient(session, "full", NOW)
        seed_fortnight(session, "full", NOW)
        add_patient(session, "empty", NOW)
    texts: list[tuple[str, str]] = []
    photos: list[tuple[str, bytes, str]] = []

    async def send_text(patient_id: str, text: str) -> None:
        texts.append((patient_id, text))

    async def send_photo(patient_id: str, png: bytes, caption: str) -> None:
        photos.append((patient_id, png, caption))

    try:
        await WeeklySummaries(database, send_text, send_photo)("full", NOW)
        await WeeklySummaries(database, send_text, send_photo)("empty", NOW)
        await WeeklySummaries(database, send_text)("full", NOW)
    finally:
        database.dispose()
    ((who, png, caption),) = photos
    assert who == "full" and png.startswith(b"\x89PNG")
    assert caption.splitlines()[0] == wording.WEEKLY_HEADER
    assert caption.splitlines()[1:5] == EXPECTED_LINES
    assert texts == [("empty", wording.EMPTY_WEEKLY), ("full", caption)]
