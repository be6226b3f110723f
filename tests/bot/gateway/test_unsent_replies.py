"""Rasa's answer is stored with the processed mark: a worker that dies while sending it
leaves the rest to be sent by the next one, once each, before the patient's newer messages.
The gateway's own answers (/help, /sos) are stored as decisions and survive a crash too.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

import pytest
from sqlalchemy import select

from bot.clock import utcnow
from bot.content.sos import get_sos_content
from bot.gateway import sos
from bot.gateway.replies import split_text
from bot.store import messages as log
from bot.store.messages import Message
from bot.store.models import ChannelIdentity, Patient
from tests.conftest import PostgresDatabases
from tests.fake_telegram.fake_rasa import FakeRasa
from tests.fake_telegram.harness import GatewayHarness

BREATHE = ["Breathe in slowly.", "And breathe out."]


async def _crash_during_reply_then_resume(database_url: str) -> None:
    rasa = await FakeRasa(pause=30.0).start()  # the paced reply is cut by the crash
    first = await GatewayHarness(database_url, rasa.url, rasa.token).start()
    telegram = first.telegram
    second: GatewayHarness | None = None
    try:
        user = await first.consent()
        before = len(telegram.texts_to(user))
        await first.say(user, "breathe")
        await telegram.wait_texts(user, before + 1)
        await first.say(user, "after breathing")  # stored, waits behind the pause
        assert first.db is not None
        database = first.db

        def inbound() -> list[tuple[str | None, str]]:
            with database.sessions() as session:
                rows = session.execute(select(Message.text, Message.status).where(
                    Message.direction == "in").order_by(Message.id)).all()
            return [(row.text, row.status) for row in rows]

        await telegram.wait_for(lambda: len(inbound()) == 2)
        assert inbound()[0] == ("breathe", "processed")  # marked before its reply is out
        # The worker dies in the pause (its patient queue cancelled, nothing more sent).
        await first.stop()
        await telegram.start(port=telegram.port)
        rasa.pause = 0.0
        second = await GatewayHarness(database_url, rasa.url, rasa.token,
                                      telegram=telegram).start()
        await telegram.wait_for(
            lambda: "You said: after breathing" in telegram.texts_to(user))
        assert second.gateway is not None
        await second.gateway.idle()
        assert telegram.texts_to(user)[before:] == [*BREATHE, "You said: after breathing"]
        assert second.db is not None
        with second.db.sessions() as session:
            out = session.execute(select(Message.text, Message.status).where(
                Message.direction == "out").order_by(Message.id)).all()
        assert [(r.text, r.status) for r in out][-3:] == [
            (text, "sent") for text in [*BREATHE, "You said: after breathing"]]
        assert rasa.messages_from(str(_only_patient(second))) == ["breathe", "after breathing"]
    finally:
        if second is not None:
            await second.stop()
        await telegram.stop()
        await rasa.stop()


def _only_patient(h: GatewayHarness) -> str:
    assert h.db is not None
    with h.db.sessions() as session:
        return str(session.execute(
            select(Message.patient_id).where(Message.direction == "in").limit(1)
        ).scalar_one())


async def test_reply_cut_by_a_crash_is_sent_after_restart_sqlite(database_url: str) -> None:
    await _crash_during_reply_then_resume(database_url)


@pytest.mark.postgres
async def test_reply_cut_by_a_crash_is_sent_after_restart_postgres(
    pg_databases: PostgresDatabases,
) -> None:
    await _crash_during_reply_then_resume(pg_databases.create())


async def test_resume_skips_what_went_out_and_the_cut_pause(harness: GatewayHarness) -> None:
    """A text, a pause, a long text (three messages) and a question; the text and the first
    part of the long one went out before the crash: the rest goes out without the cut
    pause, and the stored copy is cleared."""
    assert harness.gateway is not None and harness.db is not None
    user = await harness.consent()
    await harness.gateway.idle()
    before = len(harness.telegram.texts_to(user))
    patient_id = _only_patient_or_none(harness)
    long_text = ("word " * 1800).strip()  # three chunks under Telegram's limit
    parts = split_text(long_text)
    assert len(parts) == 3
    replies = [
        {"text": "First."},
        {"custom": {"pause": 30.0}},
        {"text": long_text},
        {"text": "Still with me?", "buttons": [{"title": "Yes", "payload": "/affirm"}]},
    ]
    with harness.db.sessions() as session, session.begin():
        message = log.log_inbound(session, patient_id, channel="telegram", kind="text",
                                  text="long", now=utcnow(), status=log.PROCESSED)
        log.set_status(session, message.id, log.PROCESSED, utcnow(), unsent_replies=replies)
        for chunk in ["First.", parts[0]]:
            log.log_outbound(session, patient_id, channel="telegram", kind="text", text=chunk,
                             now=utcnow(), reply_to_id=message.id)
        message_id = message.id
    # The retry loop (every 0.5 s here) takes it up, as after a restart.
    await harness.telegram.wait_texts(user, before + 3)
    await harness.gateway.idle()
    sent = harness.telegram.texts_to(user)[before:]
    assert sent == [parts[1], parts[2], "Still with me?"]
    with harness.db.sessions() as session:
        assert log.get_message(session, message_id).unsent_replies is None  # type: ignore[union-attr]
        assert log.patients_with_unsent(session) == []


def _only_patient_or_none(h: GatewayHarness) -> str:
    assert h.db is not None
    with h.db.sessions() as session:
        return str(session.execute(select(ChannelIdentity.patient_id)).scalar_one())


async def _scheduled_send_after_a_cut_answer(
    gateway_factory: Callable[..., Awaitable[GatewayHarness]], fake_rasa: FakeRasa,
    database_url: str,
) -> None:
    # No retry pass in the test's time: only the scheduled send itself can keep the order.
    harness = await gateway_factory(fake_rasa.url, fake_rasa.token, rasa_timeout=10.0,
                                    retry_interval=3600.0, database_url=database_url)
    assert harness.gateway is not None and harness.db is not None
    user = await harness.consent()
    await harness.gateway.idle()
    before = len(harness.telegram.texts_to(user))
    patient_id = _only_patient_or_none(harness)
    with harness.db.sessions() as session, session.begin():
        message = log.log_inbound(session, patient_id, channel="telegram", kind="text",
                                  text="my back", now=utcnow(), status=log.PROCESSED)
        log.set_status(session, message.id, log.PROCESSED, utcnow(),
                       unsent_replies=[{"text": "That sounds hard."}, {"text": "How strong?"}])
        log.log_outbound(session, patient_id, channel="telegram", kind="text",
                         text="That sounds hard.", now=utcnow(), reply_to_id=message.id)
    await harness.gateway.send_text(patient_id, "Evening check-in time.")  # the scheduler
    assert harness.telegram.texts_to(user)[before:] == ["How strong?", "Evening check-in time."]
    with harness.db.sessions() as session:
        assert log.patients_with_unsent(session) == []


async def test_a_scheduled_send_waits_for_the_rest_of_a_cut_answer_sqlite(
    gateway_factory: Callable[..., Awaitable[GatewayHarness]], fake_rasa: FakeRasa,
    database_url: str,
) -> None:
    await _scheduled_send_after_a_cut_answer(gateway_factory, fake_rasa, database_url)


@pytest.mark.postgres
async def test_a_scheduled_send_waits_for_the_rest_of_a_cut_answer_postgres(
    gateway_factory: Callable[..., Awaitable[GatewayHarness]], fake_rasa: FakeRasa,
    pg_databases: PostgresDatabases,
) -> None:
    await _scheduled_send_after_a_cut_answer(gateway_factory, fake_rasa, pg_databases.create())


def _own_answer(command: str, country: str) -> list[str]:
    """What the gateway itself answers to ``command`` (a patient with no plan)."""
    if command == "/help":
        return [sos.help_text()]
    return [sos.resources_text(country), get_sos_content().onboarding.sos_no_plan]


async def _own_answer_cut_by_a_crash(database_url: str, command: str) -> None:
    rasa = await FakeRasa(pause=30.0).start()
    first = await GatewayHarness(database_url, rasa.url, rasa.token).start()
    telegram = first.telegram
    second: GatewayHarness | None = None
    try:
        user = await first.consent()
        before = len(telegram.texts_to(user))
        await first.say(user, "breathe")
        await telegram.wait_texts(user, before + 1)
        await first.say(user, command)  # stored, waits behind the pause
        assert first.db is not None
        database = first.db

        def stored() -> bool:
            with database.sessions() as session:
                return session.execute(select(Message.id).where(
                    Message.direction == "in", Message.text == command)).first() is not None

        await telegram.wait_for(stored)
        await first.stop()  # the worker dies in the pause, the command not answered yet
        await telegram.start(port=telegram.port)
        rasa.pause = 0.0
        second = await GatewayHarness(database_url, rasa.url, rasa.token,
                                      telegram=telegram).start()
        assert second.db is not None and second.gateway is not None
        with second.db.sessions() as session:
            country = str(session.execute(select(Patient.country)).scalar_one())
        expected = [*BREATHE, *_own_answer(command, country)]
        await telegram.wait_texts(user, before + len(expected))
        await second.gateway.idle()
        await asyncio.sleep(1.5)  # three more retry passes: nothing is sent twice
        assert telegram.texts_to(user)[before:] == expected
        with second.db.sessions() as session:
            rows = session.execute(select(Message.text, Message.status).where(
                Message.direction == "in").order_by(Message.id)).all()
        assert [(r.text, r.status) for r in rows] == [("breathe", "processed"),
                                                      (command, "processed")]
    finally:
        if second is not None:
            await second.stop()
        await telegram.stop()
        await rasa.stop()


@pytest.mark.parametrize("command", ["/help", "/sos"])
async def test_a_command_answer_cut_by_a_crash_is_sent_after_restart(
    database_url: str, command: str
) -> None:
    await _own_answer_cut_by_a_crash(database_url, command)


@pytest.mark.postgres
@pytest.mark.parametrize("command", ["/help", "/sos"])
async def test_a_command_answer_cut_by_a_crash_is_sent_after_restart_postgres(
    pg_databases: PostgresDatabases, command: str
) -> None:
    await _own_answer_cut_by_a_crash(pg_databases.create(), command)
