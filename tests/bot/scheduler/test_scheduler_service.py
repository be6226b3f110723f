"""The scheduler's outer loop and its construction."""

from __future__ import annotations

import asyncio
import logging
from collections import Counter
from datetime import time, timedelta
from typing import Any

import pytest

from bot.scheduler import Scheduler
from bot.settings import Settings
from tests.bot.scheduler.scheduler_support import World, utc


async def test_run_forever_sends_and_stops_when_asked(world: World) -> None:
    world.add_patient("p1", "Europe/London")
    world.clock.set(utc(2024, 6, 3, 19, 0))
    stop = asyncio.Event()
    deliver = world.delivery.trigger_checkin

    async def trigger_and_stop(patient_id: str) -> None:
        await deliver(patient_id)
        stop.set()

    scheduler = Scheduler(world.db, world.clock, trigger_and_stop, world.delivery.send_text)
    await asyncio.wait_for(scheduler.run_forever(stop), timeout=30)
    assert [c.patient_id for c in world.delivery.calls] == ["p1"]


async def test_run_forever_survives_a_failing_pass(
    world: World, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    scheduler = world.scheduler(tick_seconds=0.01)
    stop = asyncio.Event()
    passes = 0

    async def flaky_tick() -> Counter[str]:
        nonlocal passes
        passes += 1
        if passes == 1:
            raise ConnectionError("database went away")
        stop.set()
        return Counter()

    monkeypatch.setattr(scheduler, "tick", flaky_tick)
    with caplog.at_level(logging.ERROR, logger="bot.scheduler"):
        await asyncio.wait_for(scheduler.run_forever(stop), timeout=30)
    assert passes == 2
    failed = [r for r in caplog.records if "scheduler pass failed" in r.getMessage()]
    assert len(failed) == 1 and failed[0].exc_info is not None


async def test_run_forever_returns_at_once_when_already_stopped(world: World) -> None:
    world.add_patient("p1", "Europe/London")
    world.clock.set(utc(2024, 6, 3, 19, 0))
    stop = asyncio.Event()
    stop.set()
    await world.scheduler().run_forever(stop)
    assert world.delivery.calls == []


def test_from_settings_uses_the_idle_window_and_defaults(world: World) -> None:
    settings = Settings(episode_idle_minutes=30, default_checkin_time="19:15")
    scheduler = Scheduler.from_settings(
        settings,
        world.db,
        world.clock,
        world.delivery.trigger_checkin,
        world.delivery.send_text,
        grace=timedelta(hours=1),
    )
    assert scheduler.policy.grace == timedelta(hours=1)
    assert scheduler.flare_idle == timedelta(minutes=30)
    assert scheduler.default_checkin_time == time(19, 15)


@pytest.mark.parametrize(
    "options",
    [{"tick_seconds": 0}, {"grace": timedelta(0)}, {"max_parallel": 0}],
)
def test_rejects_nonsense_options(world: World, options: dict[str, Any]) -> None:
    with pytest.raises(ValueError):
        world.scheduler(**options)
