"""Telegram's send limits: per chat, per bot, and a 429 pause shared by all workers."""

from __future__ import annotations

import asyncio
import uuid

import pytest

from bot.gateway.ratelimit import (
    REDIS_RETRY_SECONDS,
    Limits,
    LocalLimiter,
    RedisLimiter,
    reserve,
)
from tests.fake_telegram.server import max_in_one_second

REDIS_URL = "redis://127.0.0.1:6379/3"


class Clock:
    """A clock that only moves when the limiter sleeps."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.now += seconds


def test_a_burst_of_three_then_one_a_second_per_chat() -> None:
    limits = Limits()
    chat = bot = 0.0
    times = []
    for _ in range(5):
        at, chat, bot = reserve(100.0, chat, bot, 0.0, limits)
        times.append(round(at - 100.0, 3))
    assert times == [0.0, 0.0, 0.0, 1.0, 2.0]


async def test_the_bot_wide_rate_spreads_many_chats() -> None:
    clock = Clock()
    limiter = LocalLimiter(Limits(bot_rate=30, bot_burst=10), clock=clock, sleep=clock.sleep)
    start = clock.now
    for chat in range(100):  # an evening check-in for 100 patients at once
        await limiter.acquire(chat)
    # The first 10 go at once, then 30 a second: 90 more take 3 seconds.
    assert clock.now - start == pytest.approx(90 / 30, abs=0.05)


async def test_a_pause_holds_every_chat() -> None:
    clock = Clock()
    limiter = LocalLimiter(clock=clock, sleep=clock.sleep)
    await limiter.pause(5.0)
    assert await limiter.acquire(42) == pytest.approx(5.0)


async def _redis_or_skip(limiter: RedisLimiter) -> None:
    try:
        await limiter._redis.ping()
    except Exception as exc:  # no server: the shared limiter cannot be tested here
        pytest.skip(f"Redis not reachable: {exc}")


async def test_two_workers_share_one_chat_limit_and_one_pause() -> None:
    waits: list[float] = []

    async def record(seconds: float) -> None:
        waits.append(seconds)

    key = uuid.uuid4().hex
    first = RedisLimiter(REDIS_URL, bot_key=key, sleep=record)
    second = RedisLimiter(REDIS_URL, bot_key=key, sleep=record)
    await _redis_or_skip(first)
    try:
        for limiter in (first, second, first, second):  # one chat, two workers
            await limiter.acquire(7)
        assert len(waits) == 1 and 0.5 < waits[0] <= 1.0  # the fourth waits for its slot
        waits.clear()
        await first.pause(3.0)  # worker one got a 429
        waited = await second.acquire(8)  # worker two, another chat, holds back too
        assert 2.0 < waited <= 3.0
    finally:
        await first.aclose()
        await second.aclose()


async def test_redis_down_falls_back_to_in_process_limits() -> None:
    limiter = RedisLimiter("redis://127.0.0.1:1/0", sleep=lambda s: asyncio.sleep(0))
    assert await limiter.acquire(1) == 0.0
    await limiter.pause(0.0)
    await limiter.aclose()


async def test_redis_down_is_retried_after_a_while_and_shared_again_when_back() -> None:
    clock = Clock()
    limiter = RedisLimiter(REDIS_URL, bot_key=uuid.uuid4().hex, sleep=clock.sleep,
                           clock=clock)
    await _redis_or_skip(limiter)
    reserve_in_redis = limiter._reserve
    calls: list[bool] = []

    async def flaky(**kwargs: object) -> object:
        calls.append(not calls)  # the first call finds Redis gone
        if len(calls) == 1:
            raise ConnectionError("Redis killed")
        return await reserve_in_redis(**kwargs)

    limiter._reserve = flaky
    try:
        for chat in (1, 2, 3):  # Redis down: in-process limits, Redis tried only once
            assert await limiter.acquire(chat) == 0.0
        assert len(calls) == 1
        assert limiter.fallback._chats.keys() == {1, 2, 3}
        clock.now += REDIS_RETRY_SECONDS
        await limiter.acquire(4)  # tried again, Redis back: the slot is taken in Redis
        assert len(calls) == 2
        assert 4 not in limiter.fallback._chats
    finally:
        await limiter.aclose()


async def test_the_grant_log_records_every_slot_and_pause_of_every_worker() -> None:
    async def no_wait(seconds: float) -> None:
        return None

    key = f"test-{uuid.uuid4().hex}"
    first = RedisLimiter(REDIS_URL, bot_key=key, sleep=no_wait, log=True)
    second = RedisLimiter(REDIS_URL, bot_key=key, sleep=no_wait, log=True)
    await _redis_or_skip(first)
    try:
        for limiter, chat in ((first, 1), (second, 2), (first, 1)):
            await limiter.acquire(chat)
        await second.pause(2.0)
        grants = [row.split() for row in await first._redis.lrange(
            f"flare:tg:{key}:grants", 0, -1)]
        pauses = [row.split() for row in await first._redis.lrange(
            f"flare:tg:{key}:pauses", 0, -1)]
        assert [int(g[2]) for g in grants] == [1, 2, 1]
        assert all(float(slot) >= float(decided) for decided, slot, _ in grants)
        ((set_at, until),) = pauses
        assert float(until) - float(set_at) == pytest.approx(2.0, abs=0.01)
    finally:
        await first._redis.delete(f"flare:tg:{key}:grants", f"flare:tg:{key}:pauses")
        await first.aclose()
        await second.aclose()


async def test_a_pause_set_while_a_send_waits_for_its_slot_holds_it_too() -> None:
    clock = Clock()
    limiter = LocalLimiter(Limits(chat_rate=1, chat_burst=1), clock=clock)
    paused: list[float] = []

    async def sleep(seconds: float) -> None:
        if not paused:  # another send got a 429 while this one waits
            paused.append(seconds)
            await limiter.pause(5.0)
        clock.now += seconds

    limiter._sleep = sleep
    await limiter.acquire(1)
    start = clock.now
    waited = await limiter.acquire(1)  # its slot is 1 s ahead; the pause holds it 5 s
    assert waited == pytest.approx(5.0) and clock.now - start == pytest.approx(5.0)


async def test_two_workers_a_pause_set_while_one_waits_holds_its_send_too() -> None:
    key = f"test-{uuid.uuid4().hex}"
    sleeps: list[float] = []
    other = RedisLimiter(REDIS_URL, bot_key=key)

    async def sleep(seconds: float) -> None:
        if not sleeps:  # worker two gets a 429 while worker one waits for its slot
            await other.pause(0.5)
        sleeps.append(seconds)
        await asyncio.sleep(seconds)

    waiting = RedisLimiter(REDIS_URL, bot_key=key, limits=Limits(chat_rate=5, chat_burst=1),
                           sleep=sleep, log=True)
    await _redis_or_skip(waiting)
    try:
        await waiting.acquire(3)
        waited = await waiting.acquire(3)  # 0.2 s ahead, then held to the pause's end
        assert len(sleeps) == 2 and waited >= 0.45
        assert len(await waiting._redis.lrange(f"flare:tg:{key}:dropped", 0, -1)) == 1
    finally:
        await waiting._redis.delete(*(f"flare:tg:{key}:{name}"
                                      for name in ("grants", "pauses", "dropped")))
        await waiting.aclose()
        await other.aclose()


async def test_the_bot_wide_limit_holds_in_every_second_across_workers() -> None:
    # An evening check-in for 120 patients through three workers at once: the slots Redis
    # grants never put more than 27 messages (Telegram: about 30) in any one second.
    async def no_wait(seconds: float) -> None:
        return None

    key = f"test-{uuid.uuid4().hex}"
    workers = [RedisLimiter(REDIS_URL, bot_key=key, sleep=no_wait, log=True) for _ in range(3)]
    await _redis_or_skip(workers[0])
    try:
        for chat in range(120):
            await workers[chat % 3].acquire(chat)
        rows = await workers[0]._redis.lrange(f"flare:tg:{key}:grants", 0, -1)
        slots = [float(row.split()[1]) for row in rows]
        assert len(slots) == 120
        assert max_in_one_second(slots) <= 27  # rate + burst - 1; it was 40
        assert slots[-1] - slots[0] < 120 / 20  # still about the full rate
    finally:
        await workers[0]._redis.delete(f"flare:tg:{key}:grants")
        for worker in workers:
            await worker.aclose()


async def test_a_storm_of_pauses_holds_a_waiting_send_through_every_one() -> None:
    clock = Clock()
    limiter = LocalLimiter(Limits(chat_rate=1, chat_burst=1), clock=clock)
    storms = iter(range(8))  # eight 429s in a row elsewhere, each while this send waits

    async def sleep(seconds: float) -> None:
        if next(storms, None) is not None:
            await limiter.pause(2.0)
        clock.now += seconds

    limiter._sleep = sleep
    await limiter.acquire(1)
    await limiter.acquire(1)
    assert limiter._paused_until <= clock.now  # it went only after the last pause
