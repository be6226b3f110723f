"""At most one Rasa request in flight per patient across all gateway workers, in order.

Inside one worker, :class:`~bot.gateway.serial.SerialRunner` already runs a patient's
jobs one at a time. With several workers (webhook mode behind nginx, PostgreSQL), a
patient's next message may arrive at another worker while the first is still talking to
Rasa or pacing a reply; the claim (:mod:`bot.store.claims`) makes that worker wait:

- it claims the patient, or
- while the claim is someone else's, it waits (polling) as long as its own message is
  still untouched; the holder's drain loop takes every waiting message of the patient,
  oldest first, so once the message was taken there is nothing left to do.

The holder renews its claim while it works and deletes it at the end; a dead worker's
claim expires after ``ttl`` and the retry loop takes its patients over
(:func:`bot.store.claims.orphaned_patients`), as it does the patients of a job that
failed on a database error. On SQLite (one gateway process, one writer) claims are off:
the in-process runner is enough and no transaction is added.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import socket
import uuid
from collections.abc import AsyncIterator, Callable
from datetime import datetime, timedelta

from bot.gateway.tx import in_tx
from bot.store import claims
from bot.store import messages as log
from bot.store.db import Database

logger = logging.getLogger(__name__)

DEFAULT_TTL = timedelta(seconds=30)
POLL_SECONDS = 0.05


def default_holder() -> str:
    """A name unique to this worker process (host, pid and a random part)."""
    return f"{socket.gethostname()[:60]}:{os.getpid()}:{uuid.uuid4().hex[:12]}"


class SingleFlight:
    """Per-patient claims shared by all gateway workers on one database.

    Args:
        db: the store.
        now: clock (aware UTC).
        enabled: None: on for PostgreSQL, off for SQLite.
        holder: this worker's name.
        ttl: how long a claim lives without renewal.
        poll: seconds between attempts while another worker holds the patient.
    """

    def __init__(
        self,
        db: Database,
        now: Callable[[], datetime],
        *,
        enabled: bool | None = None,
        holder: str | None = None,
        ttl: timedelta = DEFAULT_TTL,
        poll: float = POLL_SECONDS,
    ) -> None:
        self.db = db
        self.enabled = db.engine.dialect.name != "sqlite" if enabled is None else enabled
        self.holder = holder or default_holder()
        self.ttl = ttl
        self._now = now
        self._poll = poll

    @contextlib.asynccontextmanager
    async def hold(
        self, patient_id: str, waiting_for: int | None = None, *, wait: bool = False
    ) -> AsyncIterator[bool]:
        """Hold the patient's claim for the block; yields False when there is no need.

        ``waiting_for``: the message this worker wants handled; without it (retry passes)
        a patient claimed by someone else is skipped at once. ``wait``: wait for the
        claim whatever happens (scheduled deliveries, which must go out).
        """
        if not self.enabled:
            yield True
            return
        while not await in_tx(self.db, claims.try_claim, patient_id, self.holder,
                              self._now(), self.ttl):
            if not wait and (
                waiting_for is None
                or not await in_tx(self.db, claims.still_received, waiting_for)
            ):
                yield False
                return
            await asyncio.sleep(self._poll)
        keeper = asyncio.create_task(self._keep(patient_id))
        try:
            yield True
        finally:
            keeper.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await keeper
            try:
                await in_tx(self.db, claims.release, patient_id, self.holder)
            except Exception:  # the claim then simply expires; logged with its cause
                logger.exception("could not release the claim on %s", patient_id)

    async def _keep(self, patient_id: str) -> None:
        """Renew the claim every third of its time to live."""
        while True:
            await asyncio.sleep(self.ttl.total_seconds() / 3)
            try:
                if not await in_tx(self.db, claims.renew, patient_id, self.holder,
                                   self._now(), self.ttl):
                    logger.error("claim on %s was lost while working", patient_id)
            except Exception:  # retried at the next renewal; logged with its cause
                logger.exception("could not renew the claim on %s", patient_id)

    async def orphans(self) -> list[str]:
        """Patients left half-done by a worker that died, or by a job that failed on a
        database error: messages received/processing untouched for ``ttl``, with no live
        claim (claims off: the caller skips patients busy in its own runner)."""
        now = self._now()
        if not self.enabled:
            return await in_tx(self.db, log.stale_patients, now - self.ttl)
        return await in_tx(self.db, claims.orphaned_patients, now, now - self.ttl)

    async def live(self) -> set[str]:
        """Patients some worker holds right now (empty when claims are off)."""
        if not self.enabled:
            return set()
        return await in_tx(self.db, claims.live_claims, self._now())
