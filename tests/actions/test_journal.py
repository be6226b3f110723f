"""The action-call journal (actions/journal.py): a resent call writes nothing twice and gets
the first answer, also when the copies run at the same time (nginx's read timeout)."""

from __future__ import annotations

import asyncio
import json
import threading
import time
import uuid
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from rasa_sdk.executor import ActionExecutor
from sqlalchemy import func, select, text

from actions import common, journal
from actions.triage_texts import texts
from bot.gateway.records import erase_patient
from bot.store.action_calls import ActionCall
from bot.store.models import Patient, SafetyFlag
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
    later = red_flag_call(sender, message_id=42)  # the next message's call: it runs
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


# The key (call_key): what a resent copy repeats and the next call never does.


def _turn(message_id: int | None, at: float, text: str = "my back hurts") -> list[dict[str, Any]]:
    user: dict[str, Any] = {"event": "user", "timestamp": at, "text": text,
                            "parse_data": {"text": text}, "metadata": {}}
    if message_id is not None:
        user["metadata"] = {"message_id": message_id}
    return [user]


def _call(sender: str, action: str, events: list[dict[str, Any]]) -> dict[str, Any]:
    return {"next_action": action, "sender_id": sender,
            "tracker": {"sender_id": sender, "events": events, "slots": {},
                        "latest_message": events[-1] if events else {}}}


def _after_action(events: list[dict[str, Any]], action: str, at: float) -> list[dict[str, Any]]:
    """The events Rasa appends after running ``action`` (its slots, then the action)."""
    return [*events, {"event": "slot", "timestamp": at, "name": "pending_offer", "value": None},
            {"event": "action", "timestamp": at, "name": action}]


def test_a_resent_copy_has_the_same_key() -> None:
    call = red_flag_call("k-1")
    copy = json.loads(json.dumps(call))  # what nginx sends again: the same bytes
    assert journal.call_key(copy) == journal.call_key(call)


def test_the_same_action_twice_in_one_turn_has_two_keys() -> None:
    turn = _turn(7, 1000.0)
    first = _call("k-2", "action_ask_triage_wish_dead", turn)
    second = _call("k-2", "action_ask_triage_wish_dead",
                   _after_action(turn, "action_ask_triage_wish_dead", 1000.0))
    assert journal.call_key(first) != journal.call_key(second)


def test_a_forms_two_validation_calls_in_one_step_have_two_keys() -> None:
    # Seen in tests/bot/rasa/test_slim_tracker.py: activating a form, Rasa calls
    # validate_<form> before and after the loop is active, with as many events after the
    # message each time (a slot candidate, then the loop's event).
    turn = _turn(7, 1000.0)
    before = _call("k-7", "validate_flare_form",
                   [*turn, {"event": "slot", "timestamp": 1000.0, "name": "pain", "value": 7}])
    after = _call("k-7", "validate_flare_form",
                  [*turn, {"event": "active_loop", "timestamp": 1000.0, "name": "flare_form"}])
    after["tracker"]["active_loop"] = {"name": "flare_form"}
    assert journal.call_key(before) != journal.call_key(after)


def test_consecutive_turns_with_equal_timestamps_have_two_keys() -> None:
    # The slim tracker: each call carries its own turn only, of the same length and times.
    first = _call("k-3", "action_breathing", _turn(7, 1000.0))
    second = _call("k-3", "action_breathing", _turn(8, 1000.0))
    assert journal.call_key(first) != journal.call_key(second)
    # Without the gateway's message id (a scheduled check-in's intent): time and text.
    bare = [_call("k-3", "action_start_checkin", _turn(None, at)) for at in (1000.0, 1000.5)]
    assert journal.call_key(bare[0]) != journal.call_key(bare[1])
    assert journal.call_key(bare[0]) == journal.call_key(json.loads(json.dumps(bare[0])))


def test_slim_and_full_trackers_of_one_call_have_one_key() -> None:
    earlier = [
        {"event": "action", "timestamp": 900.0, "name": "action_session_start"},
        {"event": "session_started", "timestamp": 900.0},
        *_after_action(_turn(5, 901.0, "hello"), "action_greet", 901.0),
        {"event": "action", "timestamp": 901.5, "name": "action_listen"},
    ]
    turn = _after_action(_turn(6, 950.0), "action_start_flare", 950.0)
    full = _call("k-4", "action_offer_tools", [*earlier, *turn])
    slim = _call("k-4", "action_offer_tools", turn)  # bot/rasa/slim_tracker.current_turn
    assert journal.call_key(full) == journal.call_key(slim)
    assert journal.call_key(full) != journal.call_key(_call("k-4", "action_offer_tools", turn[:1]))


def test_the_key_is_the_senders_and_the_actions() -> None:
    turn = _turn(9, 1000.0)
    keys = {journal.call_key(_call(s, a, turn)) for s in ("k-5", "k-6")
            for a in ("action_breathing", "action_grounding")}
    assert len(keys) == 4


# A failure part-way: ordinary writes roll back, a safety flag stays.


def _stored(sender: str) -> list[dict[str, Any]]:
    with common.transaction() as session:
        return list(session.execute(select(ActionCall.response).where(
            ActionCall.patient_id == sender)).scalars())


def test_a_failure_after_the_red_flag_keeps_it_and_answers_with_the_advice(
    executor: ActionExecutor, backend: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    sender = f"j-{uuid.uuid4().hex[:8]}"

    def broken(session: Any, patient_id: str) -> bool:
        # A database error after the flag (PostgreSQL then aborts the transaction).
        session.execute(text("SELECT no_such_column FROM action_calls"))
        raise AssertionError("unreachable")

    monkeypatch.setattr("actions.red_flag.flags.has_coach", broken)
    call = red_flag_call(sender)
    answer = asyncio.run(journal.run_once(executor, call))
    assert _counts(sender) == (1, 1)  # the flag (so the coach alert) and the holding answer
    said = [m["text"] for m in answer["responses"]]
    with common.transaction() as session:
        patient = session.get(Patient, sender)
        assert patient is not None
        resources = common.content().crisis_resources(patient.country)
    assert texts().get("red_flag.emergency_action", resources) in said
    slots = {e["name"]: e["value"] for e in answer["events"] if e["event"] == "slot"}
    assert slots["red_flag_active"] is True and slots["red_flag_tier"] == "emergency"
    assert _stored(sender) == [answer]
    assert asyncio.run(journal.run_once(executor, call)) == answer  # resent: nothing more
    assert _counts(sender) == (1, 1)


def test_a_failure_after_the_crisis_flag_keeps_it_and_asks_if_the_patient_is_safe(
    executor: ActionExecutor, backend: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    sender = f"j-{uuid.uuid4().hex[:8]}"

    def broken() -> Any:
        raise RuntimeError("injected: after the crisis flag")

    monkeypatch.setattr("actions.triage.texts", broken)  # the opener, after the flag
    call = red_flag_call(sender)
    call["next_action"] = "action_crisis_response"
    tracker: dict[str, Any] = call["tracker"]  # type: ignore[assignment]
    tracker["latest_message"] = {
        "text": "i want to end it all", "intent": {"name": "crisis", "confidence": 1.0},
        "entities": [], "safety": {"risk": "crisis", "category": "ideation"},
        "metadata": {"message_id": 41}}
    answer = asyncio.run(journal.run_once(executor, call))
    with common.transaction() as session:
        crisis = session.execute(select(SafetyFlag.level).where(
            SafetyFlag.patient_id == sender, SafetyFlag.kind == "crisis")).scalars().all()
    assert len(crisis) == 1
    said = [m["text"] for m in answer["responses"]]
    assert said[-1] == texts().get("outcome.ask_safe")
    assert any("/sos" in line for line in said)
    slots = {e["name"]: e["value"] for e in answer["events"] if e["event"] == "slot"}
    assert slots["crisis_active"] is True and slots["safety_question"] == "crisis"
    assert _stored(sender) == [answer]


def test_a_failure_before_any_safety_write_rolls_the_call_back(
    executor: ActionExecutor, backend: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    sender = f"j-{uuid.uuid4().hex[:8]}"

    def broken(*args: Any, **kw: Any) -> Any:
        raise RuntimeError("injected: the flag cannot be written")

    monkeypatch.setattr("actions.red_flag.flags.create_flag", broken)
    with pytest.raises(RuntimeError, match="injected"):
        asyncio.run(journal.run_once(executor, red_flag_call(sender)))
    assert _counts(sender) == (0, 0)
    with common.transaction() as session:
        assert session.get(Patient, sender) is None  # the patient row went with it


# Erase and retention.


def test_erase_removes_the_journal_rows_and_can_run_twice(
    executor: ActionExecutor, backend: str
) -> None:
    sender = f"j-{uuid.uuid4().hex[:8]}"
    asyncio.run(journal.run_once(executor, red_flag_call(sender)))  # an open red flag: a hold
    asyncio.run(journal.run_once(executor, red_flag_call(sender, message_id=42)))
    assert _counts(sender) == (2, 2)
    for _ in range(2):  # a retried /delete erases nothing twice and does not fail
        with common.transaction() as session:
            assert erase_patient(session, sender, common.utcnow()) is True
        assert _counts(sender)[1] == 0
        assert _stored(sender) == []


def test_the_purge_forgets_calls_older_than_an_hour(
    executor: ActionExecutor, backend: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    old, young = (f"j-{uuid.uuid4().hex[:8]}" for _ in range(2))
    start = common.utcnow()
    monkeypatch.setattr(common, "utcnow", lambda: start - journal.RETENTION - timedelta(minutes=1))
    asyncio.run(journal.run_once(executor, red_flag_call(old)))
    monkeypatch.setattr(common, "utcnow", lambda: start)
    asyncio.run(journal.run_once(executor, red_flag_call(young)))
    assert journal.purge_once(start) >= 1
    assert _counts(old) == (1, 0) and _counts(young) == (1, 1)


def test_the_purge_task_runs_without_a_call(monkeypatch: pytest.MonkeyPatch) -> None:
    runs: list[int] = []

    def purge_once() -> int:
        runs.append(1)
        if len(runs) == 1:
            raise RuntimeError("a failed purge is tried again")
        return 0

    monkeypatch.setattr(journal, "purge_once", purge_once)

    async def two_rounds() -> None:
        task = asyncio.create_task(journal.purge_forever(every=0.01))
        while len(runs) < 2:
            await asyncio.sleep(0.01)
        task.cancel()

    asyncio.run(asyncio.wait_for(two_rounds(), timeout=10))
    assert len(runs) >= 2
