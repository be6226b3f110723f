"""The action-call journal (actions/journal.py): a resent call writes nothing twice and gets
the first answer, also when the copies run at the same time (nginx's read timeout)."""

from __future__ import annotations

import asyncio
import threading
import time
import uuid
from pathlib import Path
from typing import Any

import pytest
from rasa_sdk.executor import ActionExecutor
from sqlalchemy import func, select

from actions import common, journal
from bot.store.action_calls import ActionCall
from bot.store.models import SafetyFlag
from tests.conftest import PostgresDatabases
from tests.system.test_system_action_kill import red_flag_call


@pytest.fixture
def executor() -> ActionExecutor:
    runner = ActionExecutor()
    runner.register_package("actions")
    return runner


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def backend(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """The actions' database on each backend (SQLite: the conftest's file)."""
    if request.param == "postgres":
        databases: PostgresDatabases = request.getfixturevalue("pg_databases")
        monkeypatch.setenv("DATABASE_URL", databases.create())
        common.reset()
    return str(request.param)


def _counts(sender: str) -> tuple[int, int]:
    with common.transaction() as session:
        flags = session.execute(select(func.count()).select_from(SafetyFlag).where(
            SafetyFlag.patient_id == sender, SafetyFlag.kind == "red_flag")).scalar_one()
        calls = session.execute(select(func.count()).select_from(ActionCall).where(
            ActionCall.patient_id == sender)).scalar_one()
    return int(flags), int(calls)


def test_a_resent_call_gets_the_first_answer_and_writes_nothing(
    executor: ActionExecutor, backend: str
) -> None:
    sender = f"j-{uuid.uuid4().hex[:8]}"
    call = red_flag_call(sender)
    first = asyncio.run(journal.run_once(executor, call))
    again = asyncio.run(journal.run_once(executor, call))
    assert again == first and len(first["responses"]) == 3
    assert _counts(sender) == (1, 1)
    later = red_flag_call(sender)  # the next turn's call is a new call: it runs
    assert journal.call_key(later) != journal.call_key(call)
    asyncio.run(journal.run_once(executor, later))
    assert _counts(sender) == (2, 2)


def test_two_copies_at_once_write_once(
    executor: ActionExecutor, backend: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    sender = f"j-{uuid.uuid4().hex[:8]}"
    call = red_flag_call(sender)
    common.database()  # migrated before the threads start
    # The first copy holds its transaction open (before its commit) for 2 s.
    monkeypatch.setenv(journal.STALL_ENV, f"action_red_flag:before_commit:2:{tmp_path}")
    answers: dict[str, Any] = {}

    def copy(name: str) -> None:
        answers[name] = asyncio.run(journal.run_once(executor, call))

    first = threading.Thread(target=copy, args=("first",))
    first.start()
    deadline = time.monotonic() + 30
    while not (tmp_path / "action_red_flag.pid").exists():
        assert time.monotonic() < deadline
        time.sleep(0.02)
    copy("second")  # runs while the first is uncommitted: waits for it, then gives way
    first.join(timeout=30)
    assert answers["second"] == answers["first"]
    assert _counts(sender) == (1, 1)
