"""Crisis on the real stack -> the coach's Telegram alert; the next morning, the check-back."""

from __future__ import annotations

import asyncio
import itertools
from datetime import datetime, time, timedelta, timezone

import pytest

from bot.content.alerts import get_alert_content
from bot.scheduler.aftercare import Aftercare
from bot.scheduler.alerts import AlertDispatcher
from bot.scheduler.clock import FakeClock, SystemClock
from bot.store import coach_contacts
from bot.store.accounts import add_coach, assign
from tests.fake_telegram.harness import GatewayHarness
from tests.system.system_support import new_patient, safety_flags, say

pytestmark = pytest.mark.slow

CRISIS = "I want to kill myself"
_coaches = itertools.count(1)
_coach_users = itertools.count(960_001)


async def test_crisis_alerts_the_linked_coach_and_gets_a_check_back_next_morning(
    system: GatewayHarness,
) -> None:
    h = system
    assert h.db is not None and h.runner is not None and h.gateway is not None
    now = datetime.now(timezone.utc)
    coach_user = next(_coach_users)
    with h.db.sessions.begin() as session:
        coach = add_coach(session, f"sys-coach-{next(_coaches)}", "system test pw 123", now,
                          rounds=4)
        code = coach_contacts.new_link_code(session, coach.id, now)
        coach_id = coach.id
    await h.say(coach_user, f"/coach {code}")
    await h.telegram.wait_texts(coach_user, 1)
    user, pid = await new_patient(h)
    with h.db.sessions.begin() as session:
        assign(session, session.get(type(coach), coach_id), pid, now)

    dispatcher = AlertDispatcher(h.db, SystemClock(), send_telegram=h.runner.channel.send_text,
                                 dashboard_url="https://coach.example.org", tick_seconds=1)
    stop = asyncio.Event()
    task = asyncio.create_task(dispatcher.run_forever(stop))
    try:
        replies = await say(h, user, CRISIS)
        assert replies  # the crisis path answered the patient
        (flag,) = [f for f in safety_flags(h, pid) if f.kind == "crisis"]
        texts = await h.telegram.wait_texts(coach_user, 2, timeout=30)
    finally:
        stop.set()
        await task
    alert = texts[1]
    assert f"#flag-{flag.id}" in alert and CRISIS not in alert and pid not in alert

    # The next day at 10:00 local (the patient's zone is the default, UTC): one check-back.
    next_morning = datetime.combine(flag.created_at.date() + timedelta(days=1), time(10, 5),
                                    tzinfo=timezone.utc)
    aftercare = Aftercare(h.db, FakeClock(next_morning), h.gateway.send_text)
    before = len(h.telegram.texts_to(user))
    assert (await aftercare.tick())["aftercare:sent"] == 1
    assert await aftercare.tick() == {}
    (back,) = h.telegram.texts_to(user)[before:]
    assert back == get_alert_content().checkback_text("crisis", "US")
