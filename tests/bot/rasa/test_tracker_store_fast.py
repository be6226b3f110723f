"""The fast path of the tracker store: same events as Rasa's store, fewer queries."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from rasa.core.tracker_store import TrackerStore
from rasa.core.utils import AvailableEndpoints
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import (
    ActionExecuted,
    BotUttered,
    SessionStarted,
    SlotSet,
    UserUttered,
)
from rasa.shared.core.trackers import DialogueStateTracker
from sqlalchemy import create_engine, event, text

from bot.rasa.tracker_store import DatabaseUrlTrackerStore, FastSQLTrackerStore
from bot.store.db import migrate

ENDPOINTS = """
tracker_store:
  type: bot.rasa.tracker_store.FastSQLTrackerStore
"""


@pytest.fixture
def database_url(fresh_database_url: str, monkeypatch: pytest.MonkeyPatch) -> str:
    """A migrated database on each backend, exported as DATABASE_URL."""
    migrate(fresh_database_url)
    monkeypatch.setenv("DATABASE_URL", fresh_database_url)
    return fresh_database_url


def _store(tmp_path: Path) -> Any:
    path = tmp_path / "endpoints.yml"
    path.write_text(ENDPOINTS)
    endpoints = AvailableEndpoints.read_endpoints(str(path))
    store = TrackerStore.create(endpoints.tracker_store, domain=Domain.empty())
    assert isinstance(store, FastSQLTrackerStore)
    return store


def _turn(tracker: DialogueStateTracker, number: int) -> None:
    base = float(number * 10)
    tracker.update(UserUttered(f"message {number}", {"name": "greet", "confidence": 1.0},
                               timestamp=base + 1))
    tracker.update(SlotSet("turn", str(number), timestamp=base + 2))
    tracker.update(BotUttered(f"reply {number}", timestamp=base + 3))
    tracker.update(ActionExecuted("action_listen", timestamp=base + 4))


def _dicts(tracker: DialogueStateTracker | None) -> list[dict[str, Any]]:
    assert tracker is not None
    return [e.as_dict() for e in tracker.events]


def _count_statements(store: Any) -> list[str]:
    statements: list[str] = []
    event.listen(store.engine, "before_cursor_execute",
                 lambda _c, _cur, statement, *_a: statements.append(statement.lower()))
    return statements


async def _first_tracker(store: Any, sender: str) -> DialogueStateTracker:
    tracker = DialogueStateTracker.from_events(
        sender, [ActionExecuted("action_listen", timestamp=1.0)]
    )
    _turn(tracker, 1)
    await store.save(tracker)
    loaded = await store.retrieve(sender)
    assert loaded is not None
    return loaded


async def test_turns_stored_exactly_as_rasa_stores_them(
    database_url: str, tmp_path: Path
) -> None:
    store = _store(tmp_path)
    tracker = await _first_tracker(store, "p-fast")
    for number in range(2, 6):
        tracker = await store.retrieve("p-fast")
        _turn(tracker, number)
        await store.save(tracker)
    assert store.fast_hits >= 4
    plain = DatabaseUrlTrackerStore(domain=Domain.empty())  # Rasa's own load, no cache
    assert _dicts(await plain.retrieve("p-fast")) == _dicts(tracker)
    assert len(_dicts(tracker)) == 1 + 5 * 4
    plain.engine.dispose()
    store.engine.dispose()


async def test_no_count_and_no_full_load_on_an_unchanged_conversation(
    database_url: str, tmp_path: Path
) -> None:
    store = _store(tmp_path)
    tracker = await _first_tracker(store, "p-quiet")
    statements = _count_statements(store)
    again = await store.retrieve("p-quiet")
    assert again is tracker  # no replay
    _turn(again, 2)
    await store.save(again)
    assert not any("count(" in s for s in statements)
    assert not any("max(events.timestamp)" in s for s in statements)  # Rasa's session query
    store.engine.dispose()


async def test_rows_written_by_another_server_are_loaded(
    database_url: str, tmp_path: Path
) -> None:
    store = _store(tmp_path)
    tracker = await _first_tracker(store, "p-two")
    other = _store(tmp_path)  # a second Rasa replica on the same database
    theirs = await other.retrieve("p-two")
    _turn(theirs, 2)
    await other.save(theirs)

    mine = await store.retrieve("p-two")
    assert mine is not tracker
    assert _dicts(mine) == _dicts(theirs)
    # And a save of a stale tracker falls back to Rasa's counting, losing nothing.
    _turn(tracker, 3)
    await store.save(tracker)
    plain = DatabaseUrlTrackerStore(domain=Domain.empty())
    assert len(_dicts(await plain.retrieve("p-two"))) == len(_dicts(tracker))
    for s in (store, other, plain):
        s.engine.dispose()


async def test_deleted_rows_and_new_sessions_reload_from_the_database(
    database_url: str, tmp_path: Path
) -> None:
    store = _store(tmp_path)
    tracker = await _first_tracker(store, "p-erase")
    with store.engine.begin() as connection:
        connection.execute(text("DELETE FROM events WHERE sender_id = 'p-erase'"))
    assert await store.retrieve("p-erase") is None

    tracker = await _first_tracker(store, "p-session")
    tracker.update(ActionExecuted("action_session_start", timestamp=100.0))
    tracker.update(SessionStarted(timestamp=101.0))
    tracker.update(ActionExecuted("action_listen", timestamp=102.0))
    await store.save(tracker)
    loaded = await store.retrieve("p-session")
    assert loaded is not tracker
    assert [e.type_name for e in loaded.events] == ["session_started", "action"]


async def test_a_tracker_changed_without_a_save_is_not_handed_out(
    database_url: str, tmp_path: Path
) -> None:
    store = _store(tmp_path)
    tracker = await _first_tracker(store, "p-dirty")
    _turn(tracker, 2)  # a failed turn: never saved
    loaded = await store.retrieve("p-dirty")
    assert loaded is not tracker
    assert len(loaded.events) == 1 + 4
    store.engine.dispose()


async def test_a_database_restart_does_not_fail_the_next_turn(
    database_url: str, tmp_path: Path
) -> None:
    """PostgreSQL killed and back (every pooled connection dead): the next save works."""
    if not database_url.startswith("postgresql"):
        pytest.skip("SQLite has no server to restart")
    store = _store(tmp_path)
    tracker = await _first_tracker(store, "p-restart")
    assert store.engine.pool.checkedin() >= 1  # the first turn's connection, pooled
    other = create_engine(database_url)
    with other.connect() as connection:  # what a crash and restart do to the pool
        killed = connection.execute(text(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid()")).scalar_one()
    other.dispose()
    assert killed >= 1
    _turn(tracker, 2)
    await store.save(tracker)  # without pool_pre_ping: OperationalError, the turn lost
    plain = DatabaseUrlTrackerStore(domain=Domain.empty())
    assert _dicts(await plain.retrieve("p-restart")) == _dicts(tracker)
    plain.engine.dispose()
    store.engine.dispose()
