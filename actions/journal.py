"""Each custom-action call writes once, however often it is sent (``bot/store/action_calls.py``).

:func:`install` wraps rasa-sdk's ``ActionExecutor.run`` (``bot/action_server.py`` calls it
before the app is built). A call then runs in one database transaction: every
``common.transaction()`` of the action is that transaction (no savepoint), and the answer
is stored in it, at the end, by one ``INSERT ... ON CONFLICT (key) DO NOTHING``. So a
call's writes and its journal row commit together or not at all:

- the server died before the commit: the database rolled the writes back, and the resent
  call (nginx, ``non_idempotent``) runs as if for the first time;
- it died after the commit, before Rasa had the answer: the resent call runs, its INSERT
  finds the key, its writes are rolled back and it answers with the stored answer;
- two copies ran at once (nginx's read timeout on a slow call): PostgreSQL makes the
  second one's INSERT wait for the first's commit (SQLite's ``BEGIN IMMEDIATE`` runs them
  one after the other); it is rolled back and answers with the first one's answer.

The transaction holds SQLite's write lock for the whole action, so nothing slow may run
inside it: no action does network I/O (coach alerts and e-mail are sent by the gateway's
dispatcher from the ``coach_alerts`` outbox, planned from the safety flags;
``tests/test_import_direction.py`` keeps network clients out of ``actions/``); an action
is CPU work and SQL, a few milliseconds (``scripts/bench_journal.py``).

A failure part-way rolls the call back (Rasa gets an error, nothing half-done stays),
except after a safety write (``common.safety_write``: a crisis, red-flag, despair-check or
third-party flag, from which the coach alerts are planned): then the call keeps its writes
up to the last such write (a savepoint begins after each), commits with the holding reply
as its answer (``actions/safety.py``, ``holding_reply``), and a resent copy gets that.

The key is the call's identity: sender, action, the message the turn answers (its
``message_id``) and the events after it, without their times, with the active loop
(:func:`call_key`), which a resent copy repeats exactly, slim tracker or full, and the next
call never does.

Rows older than :data:`RETENTION` are purged by :func:`purge_forever`, a task of the
action server (not on a call's path); ``/delete`` erases the patient's rows at once.

Tests only: ``FLARE_TEST_ONLY_STALL_ACTION=<action>:<before_commit|after_commit>:<seconds>:<dir>``
makes the first call of ``<action>`` (first across the processes sharing ``<dir>``: a file
there holds the stalled server's pid) wait before or after its commit, so a test can
``kill -9`` the server while the call is in flight (tests/system/test_system_action_kill.py).
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
import os
import time
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from rasa_sdk.executor import ActionExecutor
from rasa_sdk.interfaces import ActionExecutionRejection

from actions import common
from bot.store import action_calls

logger = logging.getLogger(__name__)

RETENTION = timedelta(hours=1)
PURGE_EVERY = timedelta(minutes=10)
STALL_ENV = "FLARE_TEST_ONLY_STALL_ACTION"
PHASES = ("before_commit", "after_commit")

_original_run = ActionExecutor.run


class _AnsweredAlready(Exception):
    """A copy of this call committed its answer first: roll this run back."""


def _latest_user_event(events: list[dict[str, Any]]) -> tuple[int, dict[str, Any]]:
    """(index, event) of the turn's start: the latest user message, else the latest
    session start, else the tracker's first event (index -1 and {} when there is none)."""
    for wanted in ("user", "session_started"):
        for index in range(len(events) - 1, -1, -1):
            if events[index].get("event") == wanted:
                return index, events[index]
    return (0, events[0]) if events else (-1, {})


def call_key(action_call: dict[str, Any]) -> str:
    """The identity of one call: the same for a resent copy, new for every other call.

    Sender, action, the message the turn answers, and the call's place in that turn: the
    gateway's log id of the latest user message (``metadata.message_id``, unique per
    message; a message without one, e.g. a scheduled check-in's intent, is named by its
    event's time and text instead), then the events after that message (how many, and
    what they are without their times) and the active loop. Rasa appends every call's
    events before the next call, and a form's validation calls within one form step differ
    in those events or the loop; the next turn has a new message. The slim tracker
    (bot/rasa/slim_tracker.py) sends the events from that same message on, so slim and
    full trackers of a call give one key (tests/bot/rasa/test_slim_tracker.py).
    """
    tracker = action_call.get("tracker") or {}
    events = tracker.get("events") or []
    index, start = _latest_user_event(events)
    metadata = start.get("metadata") or {}
    message_id = metadata.get("message_id") if isinstance(metadata, dict) else None
    turn: list[Any] = (
        [message_id] if isinstance(message_id, int) and not isinstance(message_id, bool)
        else [start.get("event"), repr(start.get("timestamp")), start.get("text")]
    )
    after = [{k: v for k, v in event.items() if k != "timestamp"} for event in events[index + 1:]]
    loop = tracker.get("active_loop") or {}
    identity = [
        tracker.get("sender_id"),
        action_call.get("next_action"),
        *turn,
        len(after),
        after,
        loop.get("name") if isinstance(loop, dict) else None,
    ]
    encoded = json.dumps(identity, default=str, sort_keys=True).encode("utf-8")
    return hashlib.sha256(encoded).hexdigest()


def _message_id(tracker: dict[str, Any]) -> int | None:
    metadata = (tracker.get("latest_message") or {}).get("metadata") or {}
    value = metadata.get("message_id")
    return value if isinstance(value, int) else None


async def run_once(executor: ActionExecutor, action_call: dict[str, Any]) -> Any:
    """``ActionExecutor.run`` with the journal (see the module docstring)."""
    name = action_call.get("next_action")
    if not name or name not in executor.actions:
        return await _original_run(executor, action_call)  # rasa-sdk's own errors
    tracker = action_call.get("tracker") or {}
    sender = str(tracker.get("sender_id") or "")
    key = call_key(action_call)
    db = common.database()
    session = db.sessions()
    call = common.CallScope(session)
    try:
        with session.begin():
            token = common.CALL.set(call)
            try:
                result = await _run_keeping_safety(executor, action_call, call)
            finally:
                common.CALL.reset(token)
            call.release()
            stored_now = action_calls.record(
                session,
                key,
                patient_id=sender,
                action=name,
                message_id=_message_id(tracker),
                response=result or {},
                now=common.utcnow(),
            )
            if not stored_now:
                raise _AnsweredAlready
            _stall(name, "before_commit")
    except Exception:
        # Rolled back. A copy of this call committed first (resent, or run at the same
        # time; its commit can also make this run fail): its answer stands.
        with db.sessions.begin() as again:
            stored = action_calls.stored_response(again, key)
        if stored is None:
            raise
        logger.warning("%s for %s was sent again: answered from the journal", name, sender)
        return stored
    finally:
        session.close()
    _stall(name, "after_commit")
    return result


async def _run_keeping_safety(
    executor: ActionExecutor, action_call: dict[str, Any], call: common.CallScope
) -> Any:
    """Run the action; if it fails after a safety write, keep the writes up to the last
    one (roll back to the savepoint after it) and answer with the holding reply."""
    try:
        return await _original_run(executor, action_call)
    except ActionExecutionRejection:
        raise  # a form's "not me" (rasa-sdk's protocol, none of ours raises it), no failure
    except Exception:
        if not call.kept:
            raise
        logger.exception(
            "%s failed after its %s write: the flag is kept, the patient gets the holding reply",
            action_call.get("next_action"), "/".join(call.safety),
        )
        call.kept.pop().rollback()
        from actions.safety import holding_reply

        return holding_reply(call.safety, action_call.get("tracker") or {})


def purge_once(now: datetime | None = None) -> int:
    """Forget the calls older than :data:`RETENTION`; returns how many (own transaction)."""
    moment = now or common.utcnow()
    with common.database().sessions.begin() as session:
        return action_calls.purge(session, moment - RETENTION)


async def purge_forever(every: float = PURGE_EVERY.total_seconds()) -> None:
    """Purge now and then, off every call's path (``bot/action_server.py`` starts it)."""
    while True:
        try:
            removed = await asyncio.to_thread(purge_once)
            if removed:
                logger.info("journal: %d calls older than %s forgotten", removed, RETENTION)
        except Exception:  # noqa: BLE001 - a failed purge is tried again next time
            logger.exception("journal purge failed")
        await asyncio.sleep(every)


def _stall(action: str, phase: str) -> None:
    """The test-only stall (module docstring); does nothing unless the variable is set."""
    spec = os.environ.get(STALL_ENV, "")
    if not spec:
        return
    wanted, when, seconds, directory = spec.split(":", 3)
    if wanted != action or when != phase:
        return
    marker = Path(directory) / f"{action}.pid"
    try:
        fd = os.open(marker, os.O_CREAT | os.O_EXCL | os.O_WRONLY)
    except FileExistsError:
        return  # another server stalled on this action already: this one answers
    with os.fdopen(fd, "w") as out:
        out.write(str(os.getpid()))
    logger.warning("test-only stall of %s %s for %s s", action, phase, seconds)
    time.sleep(float(seconds))  # blocks the server on purpose: the test kills it now


def install() -> None:
    """Run every action call through the journal (idempotent)."""
    if os.environ.get(STALL_ENV):
        logger.warning("%s is set: this action server is for tests only", STALL_ENV)
    ActionExecutor.run = run_once
