"""Two gateway workers on one PostgreSQL database: one Rasa request per patient, in order."""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Callable

import pytest
from aiohttp import web
from sqlalchemy import func, select

from bot.store.messages import Message
from tests.conftest import PostgresDatabases
from tests.fake_telegram.fake_rasa import FakeRasa
from tests.fake_telegram.harness import GatewayHarness
from tests.fake_telegram.server import FakeTelegram

pytestmark = pytest.mark.postgres


class CountingRasa(FakeRasa):
    """A fake Rasa that notes how many requests per sender are in flight at once."""

    def __init__(self) -> None:
        super().__init__(pause=0.05)
        self.in_flight: Counter[str] = Counter()
        self.most = 0

    async def _webhook(self, request: web.Request) -> web.Response:
        sender = str((await request.json())["sender"])
        self.in_flight[sender] += 1
        self.most = max(self.most, self.in_flight[sender])
        try:
            await asyncio.sleep(0.08)  # a turn's worth of Rasa time
            return await super()._webhook(request)
        finally:
            self.in_flight[sender] -= 1


async def _wait(predicate: Callable[[], bool], timeout: float = 30.0) -> None:
    deadline = asyncio.get_running_loop().time() + timeout
    while not predicate():
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError("timed out")
        await asyncio.sleep(0.05)


async def test_two_workers_keep_one_request_per_patient_in_order(
    pg_databases: PostgresDatabases,
) -> None:
    url = pg_databases.create()
    rasa = await CountingRasa().start()
    # Each worker gets its own share of the updates (as behind a load balancer).
    servers = [FakeTelegram(first_update_id=1), FakeTelegram(first_update_id=1_000_000)]
    for server in servers:
        await server.start()
    workers = [
        await GatewayHarness(url, rasa.url, rasa.token, telegram=server).start()
        for server in servers
    ]
    try:
        assert all(w.gateway is not None and w.gateway.flight.enabled for w in workers)
        users = [await workers[0].consent(9100 + n) for n in range(3)]
        database = workers[0].db
        assert database is not None

        def taken_in() -> int:
            with database.sessions() as session:
                return int(session.execute(select(func.count()).select_from(Message).where(
                    Message.direction == "in", Message.kind == "text")).scalar_one())

        for number in range(6):
            for user in users:
                await workers[number % 2].say(user, f"m{number}")
            # Each message is stored before the next is sent (the order a patient types
            # in), while Rasa is still busy with the earlier ones.
            await _wait(lambda n=number: taken_in() >= 3 * (n + 1))
        want = [f"You said: m{n}" for n in range(6)]

        def replies(user: int) -> list[str]:
            texts = [t for server in servers for t in server.texts_to(user)]
            return [t for t in texts if t.startswith("You said")]

        await _wait(lambda: all(len(replies(u)) >= 6 for u in users))
        await asyncio.sleep(0.3)  # a duplicate would arrive by now
        for user in users:
            assert sorted(replies(user)) == want  # none lost, none doubled
        assert rasa.most == 1
        senders = {r.sender for r in rasa.received}
        for sender in senders:
            assert rasa.messages_from(sender) == [f"m{n}" for n in range(6)]  # in order
    finally:
        for worker in workers:
            await worker.stop()
        for server in servers:
            await server.stop()
        await rasa.stop()
