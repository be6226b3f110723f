"""Helpers for the coach alert and aftercare tests: coaches, flags, fake alert channels."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, select

from bot.scheduler.alert_plan import AlertPolicy
from bot.scheduler.alerts import AlertDispatcher
from bot.store.alerts import CoachAlert
from bot.store.coach_contacts import CoachContact, CoachLinkCode
from bot.store.coaches import AuditEntry, Coach, CoachPatient
from bot.store.db import Database
from bot.store.models import SafetyFlag
from tests.bot.scheduler.scheduler_support import World

PATIENT_WORDS = "I have taken all my tablets tonight"


def clear_alert_tables(db: Database) -> None:
    """Empty the coach and alert tables (the world fixture empties the patient ones)."""
    with db.sessions.begin() as session:
        for table in (CoachAlert, CoachLinkCode, CoachContact, CoachPatient, AuditEntry,
                      SafetyFlag, Coach):
            session.execute(delete(table))


@dataclass
class Sent:
    """One alert a fake channel received."""

    channel: str
    address: str
    text: str
    subject: str | None = None


@dataclass
class FakeAlertChannels:
    """Fake ``send_telegram`` / ``send_email`` recording calls, failing on demand."""

    failing: set[str] = field(default_factory=set)  # addresses that raise
    sent: list[Sent] = field(default_factory=list)

    async def send_telegram(self, chat_id: int, text: str) -> None:
        await asyncio.sleep(0)  # let other instances interleave here
        if str(chat_id) in self.failing:
            raise ConnectionError(f"cannot reach chat {chat_id}")
        self.sent.append(Sent("telegram", str(chat_id), text))

    async def send_email(self, to: str, subject: str, body: str) -> None:
        await asyncio.sleep(0)
        if to in self.failing:
            raise ConnectionError(f"cannot reach {to}")
        self.sent.append(Sent("email", to, body, subject))

    def to(self, address: str) -> list[Sent]:
        """What one address got."""
        return [s for s in self.sent if s.address == address]


def add_coach(world: World, username: str, *, chat_id: int | None = None,
              email: str | None = None, on_call: bool = False,
              patients: tuple[str, ...] = ()) -> int:
    """A coach with the given contacts, assigned to ``patients``."""
    now = world.clock.now()
    with world.db.sessions.begin() as session:
        coach = Coach(username=username, password_hash="x", is_admin=False, created_at=now,
                      password_changed_at=now, disabled=False)
        session.add(coach)
        session.flush()
        session.add(CoachContact(coach_id=coach.id, telegram_chat_id=chat_id,
                                 telegram_user_id=str(chat_id) if chat_id else None,
                                 email=email, on_call=on_call, updated_at=now))
        for patient_id in patients:
            session.add(CoachPatient(coach_id=coach.id, patient_id=patient_id, created_at=now))
        return int(coach.id)


def add_flag(world: World, patient_id: str, kind: str = "crisis", level: str | None = "pending",
             created_at: datetime | None = None) -> int:
    """A safety flag (as triage writes it) with the patient's words in it."""
    with world.db.sessions.begin() as session:
        flag = SafetyFlag(patient_id=patient_id, created_at=created_at or world.clock.now(),
                          kind=kind, level=level, text=PATIENT_WORDS, reasons=["test"])
        session.add(flag)
        session.flush()
        return int(flag.id)


def update_flag(world: World, flag_id: int, **values: Any) -> None:
    """Change a flag (raise its level, acknowledge it)."""
    with world.db.sessions.begin() as session:
        flag = session.get(SafetyFlag, flag_id)
        assert flag is not None
        for name, value in values.items():
            setattr(flag, name, value)


def alert_rows(world: World) -> list[CoachAlert]:
    """Every alert row, oldest first."""
    with world.db.sessions() as session:
        return list(session.execute(select(CoachAlert).order_by(CoachAlert.id)).scalars())


def dispatcher(world: World, channels: FakeAlertChannels, database: Database | None = None,
               *, email: bool = True, escalate_after: timedelta = timedelta(minutes=15),
               oncall_email: str | None = "oncall@example.org",
               **options: Any) -> AlertDispatcher:
    """A dispatcher on the world's clock and the fake channels."""
    return AlertDispatcher(
        database or world.db, world.clock,
        send_telegram=channels.send_telegram,
        send_email=channels.send_email if email else None,
        policy=AlertPolicy(escalate_after=escalate_after, oncall_email=oncall_email),
        dashboard_url="https://coach.example.org",
        **options,
    )
