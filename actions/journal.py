"""Each custom-action call writes once, however often it is sent (``bot/store/action_calls.py``).

:func:`install` wraps rasa-sdk's ``ActionExecutor.run`` (``bot/action_server.py`` calls it
before the app is built). A call then runs in one database transaction: the journal is
read first (a call already answered gets its stored answer and runs nothing), every
``common.transaction()`` of the action becomes a savepoint of that transaction, and the
answer is stored in it before it commits. So a call's writes and its journal row commit
together or not at all:

- the server died before the commit: the database rolled the writes back, and the resent
  call (nginx, ``non_idempotent``) runs as if for the first time;
- it died after the commit, before Rasa had the answer: the resent call finds the key and
  answers the same, writing nothing;
- two copies ran at once (nginx's read timeout on a slow call): the second one's journal
  row fails on the key (PostgreSQL makes it wait for the first's commit; SQLite's
  ``BEGIN IMMEDIATE`` runs them one after the other), it is rolled back and answers with
  the first one's answer.

The key is the call's identity: sender, action, and the tracker's length and last event
(type and time), which a resent copy of the same request repeats and the next call of a
conversation never does.

Tests only: ``FLARE_TEST_ONLY_STALL_ACTION=<action>:<before_commit|after_commit>:<seconds>:<dir>``
makes the first call of ``<action>`` (first across the processes sharing ``<dir>``: a file
there holds the stalled server's pid) wait before or after its commit, so a test can
``kill -9`` the server while the call is in flight (tests/system/test_system_action_kill.py).
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

from rasa_sdk.executor import ActionExecutor
from sqlalchemy.exc import IntegrityError

from actions import common
from bot.store import action_calls

logger = logging.getLogger(__name__)

RETENTION = timedelta(hours=1)
PURGE_EVERY = timedelta(minutes=10)
STALL_ENV = "FLARE_TEST_ONLY_STALL_ACTION"
PHASES = ("before_commit", "after_commit")

_original_run = ActionExecutor.run
_last_purge: dict[str, Any] = {}


def call_key(action_call: dict[str, Any]) -> str:
    """The identity of one call: the same for a resent copy, new for every other call."""
    tracker = action_call.get("tracker") or {}
    events = tracker.get("events") or []
    last = events[-1] if events else {}
    identity = [
        tracker.get("sender_id"),
        action_call.get("next_action"),
        len(events),
        last.get("event"),
        last.get("timestamp"),
    ]
    return hashlib.sha256(json.dumps(identity, default=str).encode("utf-8")).hexdigest()


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
    try:
        with session.begin():
            stored = action_calls.stored_response(session, key)
            if stored is not None:
                logger.warning("%s for %s was sent again: answered from the journal", name, sender)
                return stored
            token = common.CALL_SESSION.set(session)
            try:
                result = await _original_run(executor, action_call)
            finally:
                common.CALL_SESSION.reset(token)
            now = common.utcnow()
            action_calls.record(
                session,
                key,
                patient_id=sender,
                action=name,
                message_id=_message_id(tracker),
                response=result or {},
                now=now,
            )
            _purge_now_and_then(session, now)
            _stall(name, "before_commit")
    except IntegrityError:
        # A copy of this call committed first (it ran at the same time): its answer stands.
        with db.sessions.begin() as again:
            stored = action_calls.stored_response(again, key)
        if stored is None:
            raise
        logger.warning("%s for %s ran twice at once: the first answer stands", name, sender)
        return stored
    finally:
        session.close()
    _stall(name, "after_commit")
    return result


def _purge_now_and_then(session: Any, now: Any) -> None:
    last = _last_purge.get("at")
    if last is None or now - last >= PURGE_EVERY:
        _last_purge["at"] = now
        action_calls.purge(session, now - RETENTION)


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
