"""Guards for what the gateway benchmark found: a pooled HTTP connection must not be lost
to a cancelled typing request, SQLite transactions reuse one open connection, and the
requests to Rasa in flight at once are capped."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import event, text

from bot.gateway import tx
from bot.gateway.delivery import typing
from bot.gateway.rasa_client import RasaClient
from bot.store.db import Database


class SlowTypingChannel:
    """A channel whose typing call waits until the test lets it finish."""

    name = "slow"

    def __init__(self) -> None:
        self.started = asyncio.Event()
        self.release = asyncio.Event()
        self.finished = 0
        self.cancelled = 0

    async def typing(self, chat_id: int) -> None:
        self.started.set()
        try:
            await self.release.wait()
        except asyncio.CancelledError:
            self.cancelled += 1
            raise
        self.finished += 1


async def test_typing_in_flight_is_finished_not_cancelled() -> None:
    channel = SlowTypingChannel()

    async def block() -> None:
        async with typing(channel, 1):  # type: ignore[arg-type]
            await channel.started.wait()

    leaving = asyncio.create_task(block())
    await channel.started.wait()
    await asyncio.sleep(0)
    assert not leaving.done()  # waits for the request in flight...
    channel.release.set()
    await leaving
    assert (channel.finished, channel.cancelled) == (1, 0)  # ...which ends normally


@pytest.fixture
def file_db(tmp_path: Path) -> Any:
    db = Database.from_url(f"sqlite:///{tmp_path / 'tx.db'}")
    with db.engine.begin() as connection:
        connection.execute(text("CREATE TABLE t (x INTEGER)"))
    yield db
    db.dispose()


def _insert(session: Any, value: int) -> None:
    session.execute(text("INSERT INTO t VALUES (:v)"), {"v": value})


def _insert_then_fail(session: Any) -> None:
    _insert(session, 99)
    raise ValueError("boom")


async def test_sqlite_file_keeps_one_connection_and_commits(file_db: Database) -> None:
    connects: list[object] = []
    event.listen(file_db.engine, "connect", lambda *a: connects.append(a))
    for value in (1, 2, 3):
        await tx.in_tx(file_db, _insert, value)
    with pytest.raises(ValueError):
        await tx.in_tx(file_db, _insert_then_fail)
    # At most one new connection for four transactions (the engine's pool may already hold
    # the one that created the table).
    assert len(connects) <= 1
    with file_db.engine.connect() as other:  # committed, and the failed one rolled back
        assert other.execute(text("SELECT x FROM t ORDER BY x")).scalars().all() == [1, 2, 3]
    await tx.release(file_db)
    await tx.in_tx(file_db, _insert, 4)  # usable again after a release
    assert len(connects) <= 3  # the check above, then a fresh kept connection
    await tx.release(file_db)


class GatedTransport(httpx.AsyncBaseTransport):
    """Answers Rasa requests once the test opens the gate; counts requests in flight."""

    def __init__(self) -> None:
        self.gate = asyncio.Event()
        self.in_flight = 0
        self.most = 0

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        self.in_flight += 1
        self.most = max(self.most, self.in_flight)
        await self.gate.wait()
        self.in_flight -= 1
        return httpx.Response(200, json=[{"text": "ok"}])


async def test_rasa_requests_in_flight_are_capped() -> None:
    transport = GatedTransport()
    client = RasaClient("http://rasa", transport=transport, max_concurrency=3)
    calls = [asyncio.create_task(client.send_message(f"p{n}", "hi")) for n in range(10)]
    async def three_in_flight() -> None:
        while transport.in_flight < 3:
            await asyncio.sleep(0.01)

    await asyncio.wait_for(three_in_flight(), timeout=30)
    for _ in range(20):  # give the other seven every chance to start
        await asyncio.sleep(0)
    assert transport.most == 3
    transport.gate.set()
    assert [await call for call in calls] == [[{"text": "ok"}]] * 10
    assert transport.most == 3
    await client.aclose()


async def test_typing_waits_its_delay_and_a_quick_block_sends_none() -> None:
    channel = SlowTypingChannel()
    channel.release.set()
    gate = asyncio.Event()

    async def quick() -> None:
        async with typing(channel, 1, after=3600):  # type: ignore[arg-type]
            await gate.wait()

    task = asyncio.create_task(quick())
    for _ in range(20):
        await asyncio.sleep(0)
    gate.set()
    await task
    assert not channel.started.is_set() and channel.finished == 0
