"""Give-up evidence is shared by the gateway workers (two Gateways over one database).

Rasa answering a message nothing is given up only when the same Rasa server answered a
newer request non-empty: with several workers, the answer and the empty answers may be
seen by different workers.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta, timezone
from typing import Any

import pytest

from bot.gateway import core, texts
from bot.gateway.core import Gateway
from bot.gateway.tx import in_tx, release
from bot.settings import Settings
from bot.store import messages as log
from bot.store import rasa_answers
from bot.store.db import Database
from bot.store.patients import ensure_patient_for_identity

T0 = datetime(2026, 12, 1, 9, 0, tzinfo=timezone.utc)
SERVER = "http://rasa-1.internal:5005"


class StubRasa:
    """One Rasa server: answers nothing to the patients in ``silent_for``."""

    base_url = SERVER

    def __init__(self, silent_for: set[str]) -> None:
        self.silent_for = silent_for
        self.asked: list[tuple[str, str]] = []

    async def send_message(self, sender: str, message: str,
                           metadata: dict[str, Any] | None = None) -> list[dict[str, Any]]:
        self.asked.append((sender, message))
        return [] if sender in self.silent_for else [{"text": f"You said: {message}"}]

    async def trigger_intent(self, sender: str, *_args: Any) -> list[dict[str, Any]]:
        return []


class StubChannel:
    """Records what the patient is sent."""

    name = "telegram"

    def __init__(self) -> None:
        self.sent: list[str] = []

    async def send_text(self, chat_id: int, text: str,
                        buttons: Sequence[tuple[str, str]] = ()) -> int:
        self.sent.append(text)
        return len(self.sent)

    async def typing(self, chat_id: int) -> None:
        pass

    async def answer_button(self, callback_id: str | None) -> None:
        pass


async def _no_sleep(_seconds: float) -> None:
    return None


def _worker(db: Database, rasa: StubRasa, clock: list[datetime]) -> Gateway:
    return Gateway(db, rasa, Settings(database_url=str(db.engine.url)),  # type: ignore[arg-type]
                   now=lambda: clock[0], sleep=_no_sleep)


def _patient(db: Database, user: int) -> str:
    with db.sessions.begin() as session:
        return str(ensure_patient_for_identity(session, "telegram", user, now=T0).id)


def _say(db: Database, patient: str, text: str, now: datetime) -> int:
    with db.sessions.begin() as session:
        return int(log.log_inbound(session, patient, channel="telegram", kind="text",
                                   text=text, now=now).id)


def _status(db: Database, message_id: int) -> str:
    with db.sessions() as session:
        message = log.get_message(session, message_id)
        assert message is not None
        return str(message.status)


@pytest.mark.parametrize("retried_by", ["first-worker", "other-worker"])
async def test_one_workers_evidence_lets_another_give_up(db: Database, retried_by: str) -> None:
    """Worker A gets Rasa's first empty answer to M; worker B has the same Rasa server
    answer another patient afterwards; whichever worker retries M then gives up on it."""
    silent, other = _patient(db, 2001), _patient(db, 2002)
    clock = [T0]
    rasa_a, rasa_b = StubRasa({silent}), StubRasa({silent})
    worker_a, worker_b = _worker(db, rasa_a, clock), _worker(db, rasa_b, clock)
    channel = StubChannel()
    stuck = _say(db, silent, "silent", T0)
    await worker_a.drain(silent, channel, 1)  # first empty answer, seen by A only
    assert _status(db, stuck) == log.PENDING_RETRY
    clock[0] = T0 + timedelta(seconds=5)
    _say(db, other, "hello", clock[0])
    await worker_b.drain(other, channel, 2)  # the same server answers, seen by B only
    assert "You said: hello" in channel.sent
    retrier = worker_a if retried_by == "first-worker" else worker_b
    for attempt in range(2, core.MAX_EMPTY_REPLIES + 1):
        clock[0] = T0 + timedelta(seconds=5 * attempt)
        await retrier.drain(silent, channel, 1)
    assert _status(db, stuck) == log.FAILED
    assert channel.sent[-1] == texts.SOMETHING_WENT_WRONG
    await release(db)


async def test_without_a_newer_answer_no_worker_gives_up(db: Database) -> None:
    """An outage where the server answers nobody: the message waits on every worker."""
    silent = _patient(db, 2003)
    clock = [T0]
    worker_a = _worker(db, StubRasa({silent}), clock)
    worker_b = _worker(db, StubRasa({silent}), clock)
    stuck = _say(db, silent, "silent", T0)
    channel = StubChannel()
    for attempt in range(core.MAX_EMPTY_REPLIES + 2):
        clock[0] = T0 + timedelta(seconds=5 * attempt)
        await (worker_a if attempt % 2 else worker_b).drain(silent, channel, 1)
    assert _status(db, stuck) == log.PENDING_RETRY
    assert texts.SOMETHING_WENT_WRONG not in channel.sent
    await release(db)


async def test_the_latest_answer_is_kept_per_server(db: Database) -> None:
    later, earlier = T0 + timedelta(seconds=9), T0 + timedelta(seconds=3)
    await in_tx(db, rasa_answers.note_answer, SERVER, later)
    await in_tx(db, rasa_answers.note_answer, SERVER, earlier)  # a slow request ends late
    await in_tx(db, rasa_answers.note_answer, "http://rasa-2.internal:5005", earlier)
    assert await in_tx(db, rasa_answers.last_answer, SERVER) == later
    assert await in_tx(db, rasa_answers.last_answer, "http://rasa-2.internal:5005") == earlier
    assert await in_tx(db, rasa_answers.last_answer, "http://rasa-3.internal:5005") is None
    await release(db)


async def test_one_send_loop_takes_what_it_is_handed(db: Database) -> None:
    """The drain, the resume of half-sent answers and the gateway's own answers while Rasa
    is down are one loop (Gateway._send_waiting) over a different pick."""
    patient = _patient(db, 2004)
    clock = [T0]
    rasa = StubRasa(set())
    worker = _worker(db, rasa, clock)
    channel = StubChannel()
    first, second = _say(db, patient, "one", T0), _say(db, patient, "two", T0)
    await worker._send_waiting(patient, channel, 1, core._next_unsent)  # nothing half-sent
    assert rasa.asked == []
    await worker._send_waiting(patient, channel, 1, worker._next_work, up_to=first)
    assert rasa.asked == [(patient, "one")] and _status(db, second) == log.RECEIVED
    await worker._send_waiting(patient, channel, 1, worker._next_work)
    assert channel.sent == ["You said: one", "You said: two"]
    await release(db)


def test_claim_next_decided_only_skips_messages_for_rasa(db: Database) -> None:
    patient = _patient(db, 2005)
    for_rasa = _say(db, patient, "hello", T0)
    with db.sessions.begin() as session:
        own = log.log_inbound(session, patient, channel="telegram", kind="command",
                              text="/sos", now=T0, decision={"next": "sos"}).id
    with db.sessions.begin() as session:
        claimed = log.claim_next(session, patient, T0, decided_only=True)
        assert claimed is not None and claimed.id == own  # past the older one for Rasa
        claimed = log.claim_next(session, patient, T0)
        assert claimed is not None and claimed.id == for_rasa


async def test_an_answer_just_after_the_stored_one_writes_nothing(db: Database) -> None:
    # Every worker's answers share the server's row; an UPDATE would lock it until the
    # "processed" transaction commits. Within rasa_answers.NOTE_STEP (1 s) of the stored
    # time it is only read.
    from sqlalchemy import event

    await in_tx(db, rasa_answers.note_answer, SERVER, T0)
    written: list[str] = []

    def seen(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if not statement.lstrip().upper().startswith("SELECT"):
            written.append(statement)

    event.listen(db.engine, "before_cursor_execute", seen)
    try:
        await in_tx(db, rasa_answers.note_answer, SERVER, T0 + timedelta(milliseconds=400))
        assert [s for s in written if "rasa_answers" in s] == []
        assert await in_tx(db, rasa_answers.last_answer, SERVER) == T0  # behind, never ahead
        await in_tx(db, rasa_answers.note_answer, SERVER, T0 + timedelta(seconds=2))
        assert any("rasa_answers" in s for s in written)
    finally:
        event.remove(db.engine, "before_cursor_execute", seen)
    assert await in_tx(db, rasa_answers.last_answer, SERVER) == T0 + timedelta(seconds=2)
    await release(db)
