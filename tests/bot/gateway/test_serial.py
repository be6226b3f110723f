"""SerialRunner: one job at a time per key, keys independent, a failing job stops nothing."""

from __future__ import annotations

import asyncio

import pytest

from bot.gateway.serial import SerialRunner


async def test_jobs_of_one_key_run_in_order_and_keys_run_side_by_side() -> None:
    runner = SerialRunner()
    gate = asyncio.Event()
    done: list[str] = []

    def job(name: str, wait: bool = False):  # type: ignore[no-untyped-def]
        async def run() -> None:
            if wait:
                await gate.wait()
            done.append(name)
        return run

    runner.submit("a", job("a1", wait=True))
    runner.submit("a", job("a2"))
    runner.submit("b", job("b1"))
    await asyncio.wait_for(_until(lambda: "b1" in done), timeout=30)
    assert done == ["b1"] and runner.busy("a") and not runner.busy("b")
    gate.set()
    await asyncio.wait_for(runner.join(), timeout=30)
    assert done == ["b1", "a1", "a2"] and not runner.busy("a")


async def test_a_failing_job_does_not_stop_the_next_one() -> None:
    runner = SerialRunner()
    done: list[int] = []

    async def fails() -> None:
        raise ValueError("boom")

    async def works() -> None:
        done.append(1)

    runner.submit("p", fails)
    runner.submit("p", works)
    await asyncio.wait_for(runner.join(), timeout=30)
    assert done == [1]


async def test_closed_runner_refuses_jobs_and_cancels_workers() -> None:
    runner = SerialRunner()
    started = asyncio.Event()

    async def forever() -> None:
        started.set()
        await asyncio.Event().wait()

    runner.submit("p", forever)
    await asyncio.wait_for(started.wait(), timeout=30)
    await asyncio.wait_for(runner.close(), timeout=30)
    assert not runner.busy("p")
    with pytest.raises(RuntimeError):
        runner.submit("p", forever)


async def _until(condition) -> None:  # type: ignore[no-untyped-def]
    while not condition():
        await asyncio.sleep(0.01)
