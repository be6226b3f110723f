"""A coach links Telegram with /coach CODE and gets alerts there (real client, fake Bot API)."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from sqlalchemy import func, select

from bot.content.alerts import get_alert_content
from bot.scheduler.alerts import AlertDispatcher
from bot.scheduler.clock import SystemClock
from bot.store import coach_contacts
from bot.store.coaches import Coach, CoachPatient
from bot.store.messages import Message
from bot.store.models import ChannelIdentity, Patient, SafetyFlag
from tests.fake_telegram.fake_rasa import FakeRasa
from tests.fake_telegram.harness import GatewayHarness

COACH_USER = 8001
WORDS = "I want to end it all tonight"


def _coach(h: GatewayHarness, username: str = "ann") -> int:
    assert h.db is not None
    now = datetime.now(timezone.utc)
    with h.db.sessions.begin() as session:
        coach = Coach(username=username, password_hash="x", is_admin=False, created_at=now,
                      password_changed_at=now, disabled=False)
        session.add(coach)
        session.flush()
        return int(coach.id)


def _code(h: GatewayHarness, coach_id: int, ttl: timedelta = coach_contacts.LINK_CODE_TTL) -> str:
    assert h.db is not None
    with h.db.sessions.begin() as session:
        return coach_contacts.new_link_code(session, coach_id, datetime.now(timezone.utc), ttl)


def _count(h: GatewayHarness, *columns: object) -> int:
    assert h.db is not None
    with h.db.sessions() as session:
        return int(session.execute(select(func.count()).select_from(*columns)).scalar_one())


async def _answer(h: GatewayHarness, user: int, text: str) -> str:
    before = len(h.telegram.texts_to(user))
    await h.say(user, text)
    return (await h.telegram.wait_texts(user, before + 1))[before]


async def test_coach_links_telegram_and_is_never_a_patient(
    harness: GatewayHarness, fake_rasa: FakeRasa
) -> None:
    coach_id = _coach(harness)
    links = get_alert_content().link
    assert await _answer(harness, COACH_USER, "/coach WRONG123") == links["bad_code"]
    code = _code(harness, coach_id)
    linked = await _answer(harness, COACH_USER, f"/coach {code.lower()}")
    assert linked == links["linked"].format(username="ann")
    assert await _answer(harness, COACH_USER, f"/coach {code}") == links["bad_code"]  # spent
    assert await _answer(harness, COACH_USER, "hello, I'm scared") == links["coach_chat"]
    assert await _answer(harness, COACH_USER, "/start") == links["coach_chat"]
    assert harness.db is not None
    with harness.db.sessions() as session:
        row = coach_contacts.contact(session, coach_id)
        assert row is not None and row.telegram_chat_id == COACH_USER
        assert row.telegram_user_id == str(COACH_USER)
    # Nothing about the coach's chat is kept as a patient's, and nothing went to Rasa.
    assert _count(harness, Patient) == 0 and _count(harness, Message) == 0
    assert _count(harness, ChannelIdentity) == 0 and fake_rasa.received == []


async def test_expired_or_reused_code_does_not_link(harness: GatewayHarness) -> None:
    coach_id = _coach(harness)
    expired = _code(harness, coach_id, ttl=timedelta(seconds=-1))
    bad = get_alert_content().link["bad_code"]
    assert await _answer(harness, COACH_USER, f"/coach {expired}") == bad
    first = _code(harness, coach_id)
    _code(harness, coach_id)  # a newer code replaces the first
    assert await _answer(harness, COACH_USER, f"/coach {first}") == bad
    assert await _answer(harness, COACH_USER, "/coach") == bad


async def test_crisis_alert_reaches_the_coach_telegram_without_the_patients_words(
    harness: GatewayHarness,
) -> None:
    coach_id = _coach(harness)
    await _answer(harness, COACH_USER, f"/coach {_code(harness, coach_id)}")
    user = await harness.consent()
    assert harness.db is not None and harness.runner is not None
    now = datetime.now(timezone.utc)
    with harness.db.sessions.begin() as session:
        patient_id = session.execute(
            select(ChannelIdentity.patient_id).where(ChannelIdentity.external_id == str(user))
        ).scalar_one()
        session.add(CoachPatient(coach_id=coach_id, patient_id=patient_id, created_at=now))
        flag = SafetyFlag(patient_id=patient_id, created_at=now, kind="crisis", level="high",
                          text=WORDS, reasons=["test"])
        session.add(flag)
        session.flush()
        flag_id = flag.id
    dispatcher = AlertDispatcher(harness.db, SystemClock(),
                                 send_telegram=harness.runner.channel.send_text,
                                 dashboard_url="https://coach.example.org")
    before = len(harness.telegram.texts_to(COACH_USER))
    assert (await dispatcher.tick())["telegram:sent"] == 1
    (alert,) = harness.telegram.texts_to(COACH_USER)[before:]
    assert f"https://coach.example.org/safety#flag-{flag_id}" in alert and "HIGH" in alert
    assert WORDS not in alert and patient_id not in alert
    assert await dispatcher.tick() == {}
    assert len(harness.telegram.texts_to(COACH_USER)) == before + 1


async def test_the_gateway_process_runs_the_alert_dispatcher(harness: GatewayHarness) -> None:
    """The production wiring (``start_background``) alerts the linked coach on its own."""
    import asyncio

    from bot.gateway.app import start_background

    coach_id = _coach(harness)
    await _answer(harness, COACH_USER, f"/coach {_code(harness, coach_id)}")
    assert harness.db is not None and harness.runner is not None and harness.gateway is not None
    now = datetime.now(timezone.utc)
    with harness.db.sessions.begin() as session:  # a patient with no coach: on call at once
        row = coach_contacts.contact(session, coach_id)
        assert row is not None
        row.on_call = True
        session.add(Patient(id="bg-patient", created_at=now, country="GB", timezone="UTC",
                            checkin_time="20:00", checkins_paused=False, weekly_summary=True,
                            consent_given_at=now))
        session.flush()
        session.add(SafetyFlag(patient_id="bg-patient", created_at=now, kind="red_flag",
                               level="emergency", text=WORDS, reasons=[]))
    stop = asyncio.Event()
    tasks = start_background(harness.gateway.settings, harness.db, harness.gateway,
                             harness.runner, stop)
    try:
        texts = await harness.telegram.wait_texts(COACH_USER, 2, timeout=20)
    finally:
        stop.set()
        await asyncio.gather(*tasks)
    assert "possible medical emergency" in texts[1] and WORDS not in texts[1]
