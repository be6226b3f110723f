"""Per-patient single flight across gateway workers (claims), on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta, timezone

from bot.gateway.single_flight import SingleFlight
from bot.gateway.tx import in_tx, release
from bot.store import claims
from bot.store import messages as log
from bot.store.db import Database
from bot.store.patients import ensure_patient_for_identity

T0 = datetime(2026, 12, 1, 9, 0, tzinfo=timezone.utc)


def _patient_with_message(db: Database, user: int) -> tuple[str, int]:
    with db.sessions.begin() as session:
        patient = ensure_patient_for_identity(session, "telegram", user, now=T0)
        message = log.log_inbound(session, patient.id, channel="telegram", kind="text",
                                  text="hello", now=T0)
        return patient.id, int(message.id)


def _flight(db: Database, holder: str, clock: list[datetime], ttl: float = 30.0) -> SingleFlight:
    return SingleFlight(db, lambda: clock[0], enabled=True, holder=holder,
                        ttl=timedelta(seconds=ttl), poll=0.01)


async def test_second_worker_waits_then_finds_its_message_handled(db: Database) -> None:
    patient, message_id = _patient_with_message(db, 1001)
    clock = [T0]
    first, second = _flight(db, "worker-a", clock), _flight(db, "worker-b", clock)
    order: list[str] = []

    async def worker_a() -> None:
        async with first.hold(patient, message_id) as mine:
            assert mine
            order.append("a-start")
            await asyncio.sleep(0.2)  # talking to Rasa, pacing a reply
            await in_tx(db, log.claim_next, patient, T0)  # takes the waiting message
            order.append("a-end")

    async def worker_b() -> None:
        await asyncio.sleep(0.05)
        async with second.hold(patient, message_id) as mine:
            order.append(f"b-{mine}")

    await asyncio.gather(worker_a(), worker_b())
    # b waited for a; it then finds nothing to do (or a released first and b claims an
    # empty backlog, which its drain loop ends at once).
    assert order[:2] == ["a-start", "a-end"] and order[2] in ("b-False", "b-True")
    with db.sessions() as session:
        assert log.get_message(session, message_id).status == log.PROCESSING
    await release(db)


async def test_second_worker_takes_over_an_untouched_message(db: Database) -> None:
    patient, message_id = _patient_with_message(db, 1002)
    clock = [T0]
    first, second = _flight(db, "worker-a", clock), _flight(db, "worker-b", clock)
    in_flight: list[int] = []
    most = 0

    async def worker(flight: SingleFlight, delay: float) -> bool:
        nonlocal most
        await asyncio.sleep(delay)
        async with flight.hold(patient, message_id) as mine:
            if mine:
                in_flight.append(1)
                most = max(most, len(in_flight))
                await asyncio.sleep(0.1)
                in_flight.pop()
            return mine

    results = await asyncio.gather(worker(first, 0), worker(second, 0.02))
    assert results == [True, True]  # the message stayed received, so b went after a
    assert most == 1
    await release(db)


async def test_an_expired_claim_is_taken_over_and_orphans_found(db: Database) -> None:
    patient, _ = _patient_with_message(db, 1003)
    clock = [T0]
    dead = _flight(db, "worker-dead", clock, ttl=10)
    assert await in_tx(db, claims.try_claim, patient, dead.holder, T0, dead.ttl)
    alive = _flight(db, "worker-alive", clock, ttl=10)
    assert not await in_tx(db, claims.try_claim, patient, alive.holder, T0, alive.ttl)
    assert await alive.orphans() == []  # claimed, and too recent
    clock[0] = T0 + timedelta(seconds=11)
    assert await alive.orphans() == [patient]
    async with alive.hold(patient) as mine:
        assert mine
        assert await alive.live() == {patient}
    assert await alive.live() == set()
    await release(db)


async def test_recovery_after_a_restart_leaves_other_workers_patients_alone(
    db: Database,
) -> None:
    busy, _ = _patient_with_message(db, 1004)
    idle, idle_message = _patient_with_message(db, 1005)
    count = await in_tx(db, log.recover_interrupted, T0, {busy})
    assert count == 1
    with db.sessions() as session:
        assert log.get_message(session, idle_message).status == log.PENDING_RETRY
        assert [m.status for m in log.backlog(session, busy)] == [log.RECEIVED]
    await release(db)


def test_off_on_sqlite_by_default(tmp_path) -> None:  # type: ignore[no-untyped-def]
    database = Database.from_url(f"sqlite:///{tmp_path / 'one.db'}")
    assert not SingleFlight(database, lambda: T0).enabled
    database.dispose()
