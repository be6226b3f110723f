"""Run store functions in one transaction each, off the event loop."""

from __future__ import annotations

import asyncio
import functools
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

from sqlalchemy.orm import Session

from bot.store.db import Database

T = TypeVar("T")

_SQLITE_EXECUTORS: dict[int, ThreadPoolExecutor] = {}


def _executor(db: Database) -> ThreadPoolExecutor | None:
    """One worker thread per SQLite database, the default pool otherwise.

    SQLite allows one writer at a time, and its busy handler sleeps up to tens of
    milliseconds when threads contend for the lock; queueing the transactions in one
    thread avoids that contention entirely.
    """
    if db.engine.dialect.name != "sqlite":
        return None
    key = id(db.engine)
    if key not in _SQLITE_EXECUTORS:
        _SQLITE_EXECUTORS[key] = ThreadPoolExecutor(max_workers=1, thread_name_prefix="sqlite")
    return _SQLITE_EXECUTORS[key]


async def in_tx(db: Database, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """Call ``fn(session, *args, **kwargs)`` inside ``with db.sessions.begin()`` in a thread.

    The blocking database call then never stalls other patients' pauses or typing.
    """

    def work() -> T:
        session: Session
        with db.sessions.begin() as session:
            return fn(session, *args, **kwargs)

    loop = asyncio.get_running_loop()
    return await loop.run_in_executor(_executor(db), functools.partial(work))
