"""Test helpers for the scheduler: fake delivery callbacks and a small world to drive."""

from __future__ import annotations

import asyncio
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from typing import Any

from bot.scheduler.clock import FakeClock
from bot.scheduler.service import Scheduler
from bot.store.db import Database
from bot.store.models import CheckIn, Episode, Patient
from bot.store.schedule import ScheduledSend


class DeliveryError(RuntimeError):
    """What the fake callbacks raise for a patient told to fail."""


@dataclass
class Delivered:
    """One call of a fake callback."""

    patient_id: str
    at: datetime
    kind: str  # "checkin" or "text"
    text: str | None = None


@dataclass
class FakeDelivery:
    """Fake ``trigger_checkin`` and ``send_text`` that record calls and can fail on demand.

    Attributes:
        clock: Used to timestamp each call.
        failing: Patient ids whose deliveries raise :class:`DeliveryError`.
        fail_times: Patient id -> how many more calls raise before deliveries succeed.
    """

    clock: FakeClock
    failing: set[str] = field(default_factory=set)
    fail_times: Counter[str] = field(default_factory=Counter)
    calls: list[Delivered] = field(default_factory=list)

    def _maybe_fail(self, patient_id: str) -> None:
        """Raise for patients that are set up to fail."""
        if patient_id in self.failing:
            raise DeliveryError(f"cannot reach {patient_id}")
        if self.fail_times[patient_id] > 0:
            self.fail_times[patient_id] -= 1
            raise DeliveryError(f"temporary failure for {patient_id}")

    async def trigger_checkin(self, patient_id: str) -> None:
        """Record a check-in trigger."""
        await asyncio.sleep(0)  # let other tasks (and instances) interleave here
        self._maybe_fail(patient_id)
        self.calls.append(Delivered(patient_id, self.clock.now(), "checkin"))

    async def send_text(self, patient_id: str, text: str) -> None:
        """Record a text."""
        await asyncio.sleep(0)
        self._maybe_fail(patient_id)
        self.calls.append(Delivered(patient_id, self.clock.now(), "text", text))

    def of(self, patient_id: str, kind: str | None = None) -> list[Delivered]:
        """The calls for one patient, optionally of one kind."""
        return [c for c in self.calls if c.patient_id == patient_id and kind in (None, c.kind)]


@dataclass
class World:
    """A database, a fake clock and fake deliveries, with helpers to set the scene."""

    db: Database
    clock: FakeClock
    delivery: FakeDelivery

    def scheduler(self, database: Database | None = None, **options: Any) -> Scheduler:
        """A new scheduler on this world's (or the given) database."""
        return Scheduler(
            database or self.db,
            self.clock,
            self.delivery.trigger_checkin,
            self.delivery.send_text,
            **options,
        )

    def add_patient(
        self,
        patient_id: str,
        zone: str = "Europe/London",
        checkin_time: str = "20:00",
        *,
        paused: bool = False,
        created_at: datetime | None = None,
    ) -> None:
        """Create a patient (created a week before the clock's current time by default)."""
        with self.db.sessions.begin() as session:
            session.add(
                Patient(
                    id=patient_id,
                    created_at=created_at or self.clock.now() - timedelta(days=7),
                    country="GB",
                    timezone=zone,
                    checkin_time=checkin_time,
                    checkins_paused=paused,
                    weekly_summary=True,
                )
            )

    def update_patient(self, patient_id: str, **values: Any) -> None:
        """Change columns of a patient (e.g. ``checkins_paused=True``)."""
        with self.db.sessions.begin() as session:
            patient = session.get(Patient, patient_id)
            assert patient is not None
            for name, value in values.items():
                setattr(patient, name, value)

    def add_episode(self, patient_id: str, last_activity_at: datetime, ended: bool = False) -> int:
        """Create an episode; open unless ``ended``."""
        with self.db.sessions.begin() as session:
            episode = Episode(
                patient_id=patient_id,
                started_at=last_activity_at - timedelta(minutes=5),
                last_activity_at=last_activity_at,
                ended_at=last_activity_at if ended else None,
                triggers=[],
                locations=[],
                tools_offered=[],
                tools_used=[],
            )
            session.add(episode)
            session.flush()
            return int(episode.id)

    def add_checkin(self, patient_id: str, local_date: date) -> None:
        """Record that the patient answered the check-in of ``local_date``."""
        now = self.clock.now()
        with self.db.sessions.begin() as session:
            session.add(
                CheckIn(
                    patient_id=patient_id, local_date=local_date, created_at=now, updated_at=now
                )
            )

    def sends(self, patient_id: str | None = None) -> list[ScheduledSend]:
        """Rows of the sends table, oldest date first."""
        from sqlalchemy import select

        query = select(ScheduledSend).order_by(ScheduledSend.local_date, ScheduledSend.kind)
        if patient_id is not None:
            query = query.where(ScheduledSend.patient_id == patient_id)
        with self.db.sessions() as session:
            return list(session.execute(query).scalars())

    async def run(
        self,
        until: datetime,
        step: timedelta = timedelta(minutes=15),
        schedulers: list[Scheduler] | None = None,
    ) -> None:
        """Tick every ``step`` (including now) until the clock passes ``until``."""
        schedulers = schedulers or [self.scheduler()]
        while self.clock.now() <= until:
            for scheduler in schedulers:
                await scheduler.tick()
            self.clock.advance(step)


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    """A UTC datetime."""
    return datetime(year, month, day, hour, minute, tzinfo=timezone.utc)
