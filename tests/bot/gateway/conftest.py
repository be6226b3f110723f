"""Gateway fixtures: a fake Rasa, and the real gateway on the fake Telegram server.

``gateway_factory(rasa_url, rasa_token)`` starts a gateway against any Rasa URL (the lead's
whole-conversation tests pass the real Rasa's URL); ``harness`` is one against the fake Rasa.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from bot.store.db import Database
from tests.fake_telegram.fake_rasa import FakeRasa
from tests.fake_telegram.harness import GatewayHarness


@pytest.fixture
async def fake_rasa() -> AsyncIterator[FakeRasa]:
    """A fake Rasa server with canned replies."""
    rasa = await FakeRasa(pause=0.2).start()
    yield rasa
    await rasa.stop()


@pytest.fixture
def database_url(tmp_path: Path) -> str:
    """A fresh SQLite file for one test (migrated by the harness)."""
    return f"sqlite:///{tmp_path / 'gateway.db'}"


@pytest.fixture
def db(fresh_database_url: str) -> Iterator[Database]:
    """A migrated database on each backend (gateways built directly over one store)."""
    database = Database.from_url(fresh_database_url)
    database.migrate()
    yield database
    database.dispose()


@pytest.fixture
async def gateway_factory(
    database_url: str,
) -> AsyncIterator[Callable[..., Awaitable[GatewayHarness]]]:
    """Start gateways against any Rasa URL; all stopped after the test."""
    started: list[GatewayHarness] = []

    async def start(rasa_url: str, rasa_token: str | None = None, **kw: Any) -> GatewayHarness:
        kw.setdefault("database_url", database_url)
        harness = await GatewayHarness(rasa_url=rasa_url, rasa_token=rasa_token, **kw).start()
        started.append(harness)
        return harness

    yield start
    for harness in started:
        await harness.stop()


@pytest.fixture
async def harness(
    fake_rasa: FakeRasa, gateway_factory: Callable[..., Awaitable[GatewayHarness]]
) -> GatewayHarness:
    """The gateway against the fake Rasa (Rasa counts as down after 10 s: a loaded machine
    must not make the fake Rasa look down)."""
    return await gateway_factory(fake_rasa.url, fake_rasa.token, rasa_timeout=10.0)
