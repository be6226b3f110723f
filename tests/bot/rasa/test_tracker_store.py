"""The Rasa tracker store on DATABASE_URL, loaded the way Rasa loads endpoints.yml."""

from __future__ import annotations

from pathlib import Path

import pytest
from rasa.core.tracker_store import SQLTrackerStore, TrackerStore
from rasa.core.utils import AvailableEndpoints
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, BotUttered, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker
from sqlalchemy import inspect

from bot.rasa.tracker_store import DatabaseUrlTrackerStore, tracker_store_url
from bot.settings import SettingsError
from bot.store.db import make_engine, migrate

ENDPOINTS = """
tracker_store:
  type: bot.rasa.tracker_store.DatabaseUrlTrackerStore
"""


def _store_from_endpoints(tmp_path: Path) -> TrackerStore:
    """Build the tracker store exactly as ``rasa run`` does from endpoints.yml."""
    path = tmp_path / "endpoints.yml"
    path.write_text(ENDPOINTS)
    endpoints = AvailableEndpoints.read_endpoints(str(path))
    return TrackerStore.create(endpoints.tracker_store, domain=Domain.empty())


def _tracker(sender_id: str) -> DialogueStateTracker:
    return DialogueStateTracker.from_events(
        sender_id,
        [
            ActionExecuted("action_listen", timestamp=1.0),
            UserUttered(
                "my feet are burning, 7/10",
                {"name": "report_flare", "confidence": 0.97},
                [{"entity": "severity", "value": "7", "start": 21, "end": 22}],
                timestamp=2.0,
            ),
            SlotSet("severity", "7", timestamp=3.0),
            BotUttered("That sounds really hard. I'm here with you.", timestamp=4.0),
            ActionExecuted("action_listen", timestamp=5.0),
        ],
    )


@pytest.fixture
def database_url(fresh_database_url: str, monkeypatch: pytest.MonkeyPatch) -> str:
    """A migrated database on each backend (SQLite, PostgreSQL), exported as DATABASE_URL."""
    migrate(fresh_database_url)
    monkeypatch.setenv("DATABASE_URL", fresh_database_url)
    return fresh_database_url


async def test_save_and_retrieve_through_endpoints(database_url: str, tmp_path: Path) -> None:
    store = _store_from_endpoints(tmp_path)
    assert isinstance(store, DatabaseUrlTrackerStore)
    tracker = _tracker("p-tracker")
    await store.save(tracker)

    reopened = _store_from_endpoints(tmp_path)  # a new process would do the same
    loaded = await reopened.retrieve("p-tracker")

    assert loaded is not None
    assert [e.as_dict() for e in loaded.events] == [e.as_dict() for e in tracker.events]
    assert "p-tracker" in await reopened.keys()
    assert await reopened.retrieve("someone-else") is None
    store.engine.dispose()
    reopened.engine.dispose()


async def test_events_live_next_to_the_episode_log(database_url: str, tmp_path: Path) -> None:
    store = _store_from_endpoints(tmp_path)
    await store.save(_tracker("p-shared"))
    store.engine.dispose()

    engine = make_engine(database_url)
    try:
        with engine.connect() as connection:
            tables = set(inspect(connection).get_table_names())
        assert {"events", "patients", "episodes"} <= tables
        migrate(engine)  # migrations still run with Rasa's table present
    finally:
        engine.dispose()


async def test_save_appends_only_new_events(database_url: str, tmp_path: Path) -> None:
    store = _store_from_endpoints(tmp_path)
    tracker = _tracker("p-append")
    await store.save(tracker)
    tracker.update(UserUttered("thanks", {"name": "thank", "confidence": 1.0}, timestamp=6.0))
    await store.save(tracker)
    loaded = await store.retrieve("p-append")
    assert loaded is not None
    assert len(loaded.events) == 6
    assert loaded.latest_message is not None
    assert loaded.latest_message.text == "thanks"
    store.engine.dispose()


def test_endpoint_url_overrides_database_url(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'other' / 'rasa.db'}"
    store = DatabaseUrlTrackerStore(host=url)
    try:
        assert str(store.engine.url).startswith(url)
        assert (tmp_path / "other" / "rasa.db").exists()
    finally:
        store.engine.dispose()


def test_sqlite_url_gets_a_busy_timeout(tmp_path: Path) -> None:
    url = tracker_store_url(f"sqlite:///{tmp_path / 'x' / 'flare.db'}")
    assert url.endswith("?timeout=10.0")
    assert (tmp_path / "x").is_dir()


def test_bad_database_url_stops_rasa(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("DATABASE_URL", "mysql://user@host/db")
    with pytest.raises(SettingsError, match="DATABASE_URL"):
        _store_from_endpoints(tmp_path)


def test_import_errors_are_not_swallowed(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    def broken(*args: object, **kwargs: object) -> None:
        raise ImportError("no driver")

    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'flare.db'}")
    monkeypatch.setattr(SQLTrackerStore, "__init__", broken)
    with pytest.raises(RuntimeError, match="no driver"):
        _store_from_endpoints(tmp_path)


def test_the_tracker_stores_engine_hides_statement_parameters(database_url: str) -> None:
    # Rasa logs a failed save with the error's text, whose parameters are the events.
    store = DatabaseUrlTrackerStore(Domain.empty())
    assert store.engine.hide_parameters
