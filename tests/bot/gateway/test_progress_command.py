"""/progress and /settings weekly through the real client and the fake Bot API server."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

from sqlalchemy import select

from bot.gateway import texts
from bot.progress import WeeklySummaries, wording
from bot.scheduler import FakeClock, Scheduler
from bot.store.messages import Message
from bot.store.models import ChannelIdentity, Patient
from tests.bot.progress.progress_support import EXPECTED_LINES, seed_fortnight
from tests.fake_telegram.harness import GatewayHarness


def _patient(h: GatewayHarness, user: int) -> Patient:
    assert h.db is not None
    with h.db.sessions() as session:
        return session.execute(
            select(Patient).join(ChannelIdentity).where(ChannelIdentity.external_id == str(user))
        ).scalar_one()


async def _command(h: GatewayHarness, user: int, text: str) -> str:
    before = len(h.telegram.texts_to(user))
    await h.say(user, text)
    return (await h.telegram.wait_texts(user, before + 1))[before]


async def test_progress_sends_the_chart_with_the_weeks_numbers(harness: GatewayHarness) -> None:
    user = await harness.consent()
    patient = _patient(harness, user)
    assert harness.db is not None
    with harness.db.sessions.begin() as session:
        seed_fortnight(session, patient.id, datetime.now(timezone.utc), patient.timezone)
    texts_before = len(harness.telegram.texts_to(user))

    await harness.say(user, "/progress")
    await harness.telegram.wait_for(lambda: harness.telegram.sent_to(user, "sendPhoto"))

    (photo,) = harness.telegram.sent_to(user, "sendPhoto")
    assert photo["photo"]["data"].startswith(b"\x89PNG")
    caption = photo["caption"]
    assert caption.splitlines()[0] == wording.PROGRESS_HEADER
    assert caption.splitlines()[1:5] == EXPECTED_LINES
    assert harness.gateway is not None
    await harness.gateway.idle()  # the log row is written once Telegram has answered
    assert len(harness.telegram.texts_to(user)) == texts_before  # the summary is the caption
    with harness.db.sessions() as session:
        logged = session.execute(
            select(Message).where(Message.patient_id == patient.id, Message.kind == "image")
        ).scalar_one()
    assert logged.text == caption and logged.status == "sent"


async def test_progress_with_nothing_logged_says_so_kindly(harness: GatewayHarness) -> None:
    user = await harness.consent()
    answer = await _command(harness, user, "/progress")
    assert answer == wording.EMPTY_PROGRESS and "/checkin" in answer
    assert harness.telegram.sent_to(user, "sendPhoto") == []


async def test_settings_weekly_off_stops_the_sunday_summary(harness: GatewayHarness) -> None:
    user = await harness.consent()
    assert await _command(harness, user, "/settings weekly off") == texts.WEEKLY_OFF
    patient = _patient(harness, user)
    assert patient.weekly_summary is False
    assert "Sunday summary: off" in await _command(harness, user, "/settings")

    assert harness.db is not None and harness.gateway is not None
    zone = ZoneInfo(patient.timezone)
    today = datetime.now(zone).date()
    sunday = today + timedelta(days=(6 - today.weekday()) % 7 or 7)
    hour, minute = map(int, patient.checkin_time.split(":"))
    due = datetime(sunday.year, sunday.month, sunday.day, hour, minute, tzinfo=zone)
    clock = FakeClock(due + timedelta(minutes=5))

    async def no_checkin(patient_id: str) -> None:
        """Only the Sunday summary matters here."""

    scheduler = Scheduler(
        harness.db, clock, no_checkin, harness.gateway.send_text,
        send_weekly=WeeklySummaries(harness.db, harness.gateway.send_text),
    )
    before = len(harness.telegram.texts_to(user))
    assert (await scheduler.tick())["weekly_summary:sent"] == 0
    assert len(harness.telegram.texts_to(user)) == before

    assert await _command(harness, user, "/settings weekly on") == texts.WEEKLY_ON
    clock.advance(timedelta(minutes=10))
    assert (await scheduler.tick())["weekly_summary:sent"] == 1
    assert harness.telegram.texts_to(user)[-1] == wording.EMPTY_WEEKLY
    assert (await scheduler.tick())["weekly_summary:sent"] == 0  # once per Sunday


def test_parse_setting_weekly_switch() -> None:
    from bot.gateway.commands import parse_setting

    assert parse_setting("weekly", "OFF") == ("weekly_summary", False)
    assert parse_setting("Weekly", "on") == ("weekly_summary", True)
    assert parse_setting("weekly", "sometimes") is None


async def test_the_production_sunday_summary_sends_its_chart(harness: GatewayHarness) -> None:
    from bot.gateway.app import weekly_summaries

    user = await harness.consent()
    patient = _patient(harness, user)
    assert harness.db is not None and harness.gateway is not None
    now = datetime.now(timezone.utc)
    with harness.db.sessions.begin() as session:
        seed_fortnight(session, patient.id, now, patient.timezone)
    texts_before = len(harness.telegram.texts_to(user))

    await weekly_summaries(harness.db, harness.gateway)(patient.id, now)

    (photo,) = harness.telegram.sent_to(user, "sendPhoto")
    assert photo["photo"]["data"].startswith(b"\x89PNG")
    assert photo["caption"].splitlines()[0] == wording.WEEKLY_HEADER
    assert len(harness.telegram.texts_to(user)) == texts_before
    with harness.db.sessions() as session:
        logged = session.execute(
            select(Message).where(Message.patient_id == patient.id, Message.kind == "image")
        ).scalar_one()
    assert logged.text == photo["caption"] and logged.status == "sent"
