"""Nothing lost: Rasa down or slow, Telegram errors, restarts and redelivered updates."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import OperationalError

from bot.gateway import core, sos, texts
from bot.store import messages as log
from bot.store.messages import Message, ProcessedUpdate
from bot.store.models import ChannelIdentity
from tests.fake_telegram.fake_rasa import FakeRasa
from tests.fake_telegram.harness import GatewayHarness

Factory = Callable[..., Awaitable[GatewayHarness]]


def _statuses(h: GatewayHarness) -> list[tuple[str | None, str]]:
    assert h.db is not None
    with h.db.sessions() as session:
        rows = session.execute(
            select(Message.text, Message.status)
            .where(Message.direction == "in").order_by(Message.id)
        ).all()
    return [(row.text, row.status) for row in rows]


def _patient_id(h: GatewayHarness, user: int) -> str:
    assert h.db is not None
    with h.db.sessions() as session:
        return session.execute(
            select(ChannelIdentity.patient_id).where(ChannelIdentity.external_id == str(user))
        ).scalar_one()


async def test_rasa_down_gives_one_holding_reply_then_answers_in_order(
    harness: GatewayHarness, fake_rasa: FakeRasa
) -> None:
    user = await harness.consent()
    fake_rasa.down = True
    await harness.say(user, "first")
    assert (await harness.telegram.wait_texts(user, 4))[-1] == texts.HOLDING_REPLY
    await harness.say(user, "second")
    assert harness.gateway is not None
    await harness.telegram.wait_for(
        lambda: [s for _, s in _statuses(harness)] == ["pending_retry"] * 2
    )
    await harness.gateway.idle()
    assert _statuses(harness) == [("first", "pending_retry"), ("second", "pending_retry")]
    assert harness.telegram.texts_to(user).count(texts.HOLDING_REPLY) == 1
    fake_rasa.down = False  # the retry loop (every 0.5 s) picks them up
    sent = await harness.telegram.wait_texts(user, 6)
    assert sent[-2:] == ["You said: first", "You said: second"]
    patient_id = _patient_id(harness, user)
    assert fake_rasa.messages_from(patient_id) == ["first", "second"]
    await harness.gateway.idle()
    assert _statuses(harness) == [("first", "processed"), ("second", "processed")]


async def test_slow_rasa_counts_as_down(fake_rasa: FakeRasa, gateway_factory: Factory) -> None:
    harness = await gateway_factory(fake_rasa.url, fake_rasa.token, rasa_timeout=0.3,
                                    retry_interval=60)
    user = await harness.consent()
    fake_rasa.delay = 1.0
    await harness.say(user, "are you there")
    assert (await harness.telegram.wait_texts(user, 4))[-1] == texts.HOLDING_REPLY
    assert harness.gateway is not None
    await harness.gateway.idle()
    assert _statuses(harness) == [("are you there", "pending_retry")]


def _attempts(h: GatewayHarness, text: str) -> int:
    assert h.db is not None
    with h.db.sessions() as session:
        return int(session.execute(select(Message.attempts).where(
            Message.direction == "in", Message.text == text)).scalar_one())


async def test_rasa_answering_nothing_is_retried_then_given_up(
    harness: GatewayHarness, fake_rasa: FakeRasa
) -> None:
    """Rasa answers others but never this message: the message is the problem."""
    user = await harness.consent()
    other = await harness.consent()
    await harness.say(user, "silent")
    assert (await harness.telegram.wait_texts(user, 4))[-1] == texts.HOLDING_REPLY
    await harness.say(other, "hello")  # answered after the silent one's first empty answer
    await harness.telegram.wait_for(lambda: "You said: hello" in harness.telegram.texts_to(other))
    await harness.telegram.wait_texts(user, 5)
    assert harness.telegram.texts_to(user)[-1] == texts.SOMETHING_WENT_WRONG
    assert harness.gateway is not None
    await harness.gateway.idle()
    assert _statuses(harness) == [("silent", "failed"), ("hello", "processed")]
    assert _attempts(harness, "silent") == core.MAX_EMPTY_REPLIES


async def test_an_outage_where_rasa_answers_nobody_loses_nothing(
    harness: GatewayHarness, fake_rasa: FakeRasa
) -> None:
    """The action server or the database is down: Rasa answers every message with nothing,
    for longer than MAX_EMPTY_REPLIES retries. The message waits (one holding reply) and
    is answered once Rasa answers again."""
    user = await harness.consent()
    fake_rasa.silent = True
    await harness.say(user, "my knee is flaring")
    assert (await harness.telegram.wait_texts(user, 4))[-1] == texts.HOLDING_REPLY
    await harness.telegram.wait_for(
        lambda: _attempts(harness, "my knee is flaring") >= core.MAX_EMPTY_REPLIES + 2)
    assert texts.SOMETHING_WENT_WRONG not in harness.telegram.texts_to(user)
    fake_rasa.silent = False
    await harness.telegram.wait_for(
        lambda: "You said: my knee is flaring" in harness.telegram.texts_to(user))
    assert harness.gateway is not None
    await harness.gateway.idle()
    sent = harness.telegram.texts_to(user)[3:]
    assert sent == [texts.HOLDING_REPLY, "You said: my knee is flaring"]
    assert _statuses(harness) == [("my knee is flaring", "processed")]


async def test_a_message_answered_nothing_past_the_cap_is_given_up(
    harness: GatewayHarness, fake_rasa: FakeRasa, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Rasa answers nobody for longer than GIVE_UP_AFTER: the patient is not left waiting
    for ever."""
    monkeypatch.setattr(core, "GIVE_UP_AFTER", timedelta(seconds=2))
    user = await harness.consent()
    fake_rasa.silent = True
    await harness.say(user, "hello")
    await harness.telegram.wait_texts(user, 5, timeout=20.0)
    assert harness.telegram.texts_to(user)[3:] == [texts.HOLDING_REPLY,
                                                   texts.SOMETHING_WENT_WRONG]
    assert harness.gateway is not None
    await harness.gateway.idle()
    assert _statuses(harness) == [("hello", "failed")]


async def test_telegram_429_and_500_are_retried(harness: GatewayHarness) -> None:
    user = await harness.consent()
    harness.telegram.fail_next("sendMessage", 429, retry_after=1)
    harness.telegram.fail_next("sendMessage", 500, count=2)
    await harness.say(user, "hello")
    assert (await harness.telegram.wait_texts(user, 4))[-1] == "You said: hello"
    assert [c.status for c in harness.telegram.failed] == [429, 500, 500]


async def test_failed_delivery_is_logged_as_failed(harness: GatewayHarness) -> None:
    user = await harness.consent()
    harness.telegram.fail_next("sendMessage", 500, count=5)
    await harness.say(user, "hello")
    assert harness.db is not None
    assert harness.gateway is not None

    def failed() -> int:
        with harness.db.sessions() as session:  # type: ignore[union-attr]
            return session.execute(
                select(func.count()).select_from(Message).where(Message.status == "failed")
            ).scalar_one()

    await harness.telegram.wait_for(lambda: failed() == 1)
    assert _statuses(harness) == [("hello", "processed")]


async def test_get_updates_errors_do_not_stop_polling(harness: GatewayHarness) -> None:
    harness.telegram.fail_next("getUpdates", 502, count=2)
    user = await harness.consent()
    assert _patient_id(harness, user)


async def test_restart_neither_loses_nor_duplicates(
    fake_rasa: FakeRasa, gateway_factory: Factory, database_url: str
) -> None:
    first = await gateway_factory(fake_rasa.url, fake_rasa.token)
    telegram = first.telegram
    user = await first.consent()
    fake_rasa.pause = 30.0  # the breathing sequence is interrupted by the restart
    breathe_update = await first.say(user, "breathe")
    await telegram.wait_texts(user, 4)
    await first.say(user, "after breathing")  # stored, queued behind the pause
    await telegram.wait_for(lambda: len(_statuses(first)) == 2)
    await first.stop()  # crash-like stop: the pause never finished
    # Telegram delivers everything unconfirmed again, plus a new message.
    telegram.redeliver(breathe_update)
    telegram.inject_text(user, "new after restart")
    fake_rasa.pause = 0.0
    await telegram.start(port=telegram.port)
    second = await gateway_factory(fake_rasa.url, fake_rasa.token, telegram=telegram,
                                   database_url=database_url)
    patient_id = _patient_id(second, user)
    await telegram.wait_for(
        lambda: fake_rasa.messages_from(patient_id)[-1:] == ["new after restart"]
    )
    assert fake_rasa.messages_from(patient_id) == ["breathe", "after breathing",
                                                   "new after restart"]
    assert second.gateway is not None
    await second.gateway.idle()
    assert [s for _, s in _statuses(second)] == ["processed"] * 3
    assert second.db is not None
    with second.db.sessions() as session:
        ids = session.execute(select(ProcessedUpdate.update_id)).scalars().all()
    assert len(ids) == len(set(ids))
    await telegram.wait_for(lambda: telegram.pending_updates == 0)
    await second.stop()
    await telegram.stop()


@pytest.mark.parametrize("failing", ["set_status", "claim_own"])
async def test_a_job_that_fails_on_the_database_is_retried(
    harness: GatewayHarness, monkeypatch: pytest.MonkeyPatch, failing: str
) -> None:
    """The database fails once inside a job: after Rasa answered (the message stays
    processing; the /help behind it must wait for it) or before the gateway's own answer
    is claimed (the /help stays received). The retry loop takes the patient up once the
    message is untouched for the claim's time to live, without the patient writing again,
    and each answer goes out once, in order."""
    assert harness.gateway is not None
    harness.gateway.flight.ttl = timedelta(seconds=1)
    real = getattr(log, failing)
    failures = []

    def flaky(session: Any, *args: Any, **kwargs: Any) -> Any:
        if not failures and (failing != "set_status" or args[1] == log.PROCESSED):
            failures.append(args)
            raise OperationalError("UPDATE messages", {}, Exception("connection lost"))
        return real(session, *args, **kwargs)

    user = await harness.consent()
    await harness.gateway.idle()
    monkeypatch.setattr(log, failing, flaky)
    await harness.say(user, "are you there")
    await harness.say(user, "/help")  # behind it: waits in order, not lost either
    await harness.telegram.wait_for(lambda: failures != [])
    await harness.telegram.wait_for(
        lambda: "You said: are you there" in harness.telegram.texts_to(user), timeout=15.0)
    await harness.telegram.wait_texts(user, 5)
    await harness.gateway.idle()
    sent = harness.telegram.texts_to(user)[3:]
    assert sent == ["You said: are you there", sos.help_text()]
    assert _statuses(harness) == [("are you there", "processed"), ("/help", "processed")]


async def test_a_gateway_answer_that_fails_on_a_bug_is_given_up_once(
    harness: GatewayHarness, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A handler that raises (not the database) is given up, not re-run by every pass."""
    assert harness.gateway is not None
    harness.gateway.flight.ttl = timedelta(seconds=0.5)
    user = await harness.consent()
    calls = []

    def broken() -> str:
        calls.append(1)
        raise ValueError("broken help text")

    monkeypatch.setattr(sos, "help_text", broken)
    await harness.say(user, "/help")
    await harness.telegram.wait_texts(user, 4)
    await asyncio.sleep(2.0)  # four retry passes
    await harness.gateway.idle()
    assert harness.telegram.texts_to(user)[3:] == [texts.SOMETHING_WENT_WRONG]
    assert _statuses(harness) == [("/help", "failed")]
    assert len(calls) == 1
