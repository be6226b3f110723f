"""Fixtures for the action tests: a fresh SQLite database per test, the domain, a fixed clock.

The actions read their settings and build their database lazily (``actions/common.py``);
every test here points them at its own SQLite file through ``DATABASE_URL`` and forgets
the cached settings and engine before and after.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import pytest
import yaml
from rasa_sdk.types import DomainDict

from actions import common
from bot.settings import PROJECT_ROOT
from bot.store.db import Database
from tests.actions.actions_support import Conversation

SETTINGS_VARS = (
    "DEFAULT_COUNTRY",
    "DEFAULT_TIMEZONE",
    "DEFAULT_CHECKIN_TIME",
    "EPISODE_IDLE_MINUTES",
)


@pytest.fixture(autouse=True)
def action_database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """Point the actions at an empty SQLite file (migrated on first use); yields its URL."""
    url = f"sqlite:///{tmp_path / 'actions.db'}"
    monkeypatch.setenv("DATABASE_URL", url)
    for name in SETTINGS_VARS:
        monkeypatch.delenv(name, raising=False)
    common.reset()
    yield url
    common.reset()


@pytest.fixture
def db(action_database: str) -> Database:
    """The database the actions write to (built and migrated now)."""
    return common.database()


@pytest.fixture
def configure(monkeypatch: pytest.MonkeyPatch) -> Callable[..., None]:
    """Set action-server environment variables (e.g. DEFAULT_COUNTRY="GB") and re-read them."""

    def _configure(**env: str) -> None:
        for name, value in env.items():
            monkeypatch.setenv(name, value)
        common.reset()

    return _configure


@pytest.fixture
def frozen_now(monkeypatch: pytest.MonkeyPatch) -> Callable[[datetime], None]:
    """Fix the actions' clock (``actions.common.utcnow``) at a given aware datetime."""

    def _freeze(moment: datetime) -> None:
        assert moment.tzinfo is not None
        monkeypatch.setattr(common, "utcnow", lambda: moment.astimezone(timezone.utc))

    return _freeze


@pytest.fixture(scope="session")
def domain() -> DomainDict:
    """The bot's domain (every file of domain/, merged) as a dict, for the validation actions."""
    merged: dict[str, Any] = {}
    for path in sorted((PROJECT_ROOT / "domain").glob("*.yml")):
        part = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        for key, value in part.items():
            if isinstance(value, dict):
                merged.setdefault(key, {}).update(value)
            elif isinstance(value, list):
                merged.setdefault(key, []).extend(value)
            else:
                merged[key] = value
    return merged


@pytest.fixture
def conversation(domain: DomainDict) -> Conversation:
    """A fresh multi-turn conversation for the default test patient."""
    return Conversation(domain=domain)
