"""Run jobs one at a time per key (per patient), different keys concurrently.

A pause in one patient's breathing sequence therefore never holds up anyone else, and
each patient's messages are handled in the order they arrived.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

logger = logging.getLogger(__name__)

Job = Callable[[], Awaitable[None]]


class SerialRunner:
    """A queue and a worker task per key; the worker ends when its queue is empty."""

    def __init__(self) -> None:
        self._queues: dict[str, asyncio.Queue[Job]] = {}
        self._tasks: dict[str, asyncio.Task[None]] = {}
        self._closed = False

    def submit(self, key: str, job: Job) -> None:
        """Queue ``job`` behind the earlier jobs of ``key``."""
        if self._closed:
            raise RuntimeError("SerialRunner is closed")
        queue = self._queues.setdefault(key, asyncio.Queue())
        queue.put_nowait(job)
        task = self._tasks.get(key)
        if task is None or task.done():
            self._tasks[key] = asyncio.create_task(self._work(key, queue), name=f"chat-{key}")

    def busy(self, key: str) -> bool:
        """Whether ``key`` has a job queued or running."""
        task = self._tasks.get(key)
        return task is not None and not task.done()

    async def _work(self, key: str, queue: asyncio.Queue[Job]) -> None:
        while not queue.empty():
            job = queue.get_nowait()
            try:
                await job()
            except asyncio.CancelledError:
                raise
            except Exception:  # one bad job must not stop the patient's later jobs
                logger.exception("job for %s failed", key)
        self._tasks.pop(key, None)
        self._queues.pop(key, None)

    async def join(self) -> None:
        """Wait until every queue is empty and every worker finished."""
        while self._tasks:
            await asyncio.gather(*list(self._tasks.values()), return_exceptions=True)

    async def close(self) -> None:
        """Cancel all workers (shutdown)."""
        self._closed = True
        for task in list(self._tasks.values()):
            task.cancel()
        await asyncio.gather(*list(self._tasks.values()), return_exceptions=True)
        self._tasks.clear()
        self._queues.clear()
