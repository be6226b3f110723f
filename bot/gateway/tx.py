"""Run store functions in one transaction each, off the event loop.

SQLite allows one writer at a time, and its busy handler sleeps up to tens of
milliseconds when threads contend for the lock, so transactions on a SQLite database are
queued in one worker thread per database. A file database also keeps one connection open
in that thread: SQLAlchemy 1.4 uses ``NullPool`` for SQLite files, which would open a
connection (and run its pragmas) for every transaction and close it afterwards, and
closing the last connection to a WAL database checkpoints and deletes the WAL, so each
short transaction cost a checkpoint. Measured with ``scripts/bench_gateway.py``.
"""

from __future__ import annotations

import asyncio
import functools
import weakref
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

from sqlalchemy.engine import Connection, Engine
from sqlalchemy.orm import Session
from sqlalchemy.pool import NullPool

from bot.store.db import Database

T = TypeVar("T")


class _SqliteWriter:
    """The worker thread of one SQLite database and, for a file, its open connection."""

    def __init__(self, engine: Engine) -> None:
        self.executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="sqlite")
        self.keep_connection = isinstance(engine.pool, NullPool)
        self._connection: Connection | None = None  # used in the worker thread only

    def connection(self, engine: Engine) -> Connection:
        """The open connection, (re)opened when needed; call in the worker thread."""
        connection = self._connection
        if connection is None or connection.closed or connection.invalidated:
            connection = engine.connect()
            self._connection = connection
        return connection

    def close_connection(self) -> None:
        """Close the open connection; call in the worker thread."""
        if self._connection is not None:
            self._connection.close()
            self._connection = None


_WRITERS: weakref.WeakKeyDictionary[Engine, _SqliteWriter] = weakref.WeakKeyDictionary()


def _writer(db: Database) -> _SqliteWriter | None:
    """The SQLite writer of ``db`` (created on first use); None for other databases."""
    if db.engine.dialect.name != "sqlite":
        return None
    writer = _WRITERS.get(db.engine)
    if writer is None:
        writer = _WRITERS[db.engine] = _SqliteWriter(db.engine)
    return writer


async def in_tx(db: Database, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """Call ``fn(session, *args, **kwargs)`` inside one transaction, in a worker thread.

    The blocking database call then never stalls other patients' pauses or typing.
    """
    writer = _writer(db)

    def work() -> T:
        session: Session
        if writer is not None and writer.keep_connection:
            with db.sessions(bind=writer.connection(db.engine)) as session, session.begin():
                return fn(session, *args, **kwargs)
        with db.sessions.begin() as session:
            return fn(session, *args, **kwargs)

    loop = asyncio.get_running_loop()
    executor = writer.executor if writer is not None else None
    return await loop.run_in_executor(executor, functools.partial(work))


async def release(db: Database) -> None:
    """Close the connection kept open for ``db`` and stop its worker thread (shutdown)."""
    writer = _WRITERS.pop(db.engine, None)
    if writer is None:
        return
    loop = asyncio.get_running_loop()
    await loop.run_in_executor(writer.executor, writer.close_connection)
    writer.executor.shutdown(wait=False)
