"""Run store functions in one transaction each, off the event loop."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any, TypeVar

from sqlalchemy.orm import Session

from bot.store.db import Database

T = TypeVar("T")


async def in_tx(db: Database, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """Call ``fn(session, *args, **kwargs)`` inside ``with db.sessions.begin()`` in a thread.

    The blocking database call then never stalls other patients' pauses or typing.
    """

    def work() -> T:
        session: Session
        with db.sessions.begin() as session:
            return fn(session, *args, **kwargs)

    return await asyncio.to_thread(work)
