"""Decide which coach alerts a safety flag needs, and store them as outbox rows.

A flag needs an alert when it is a crisis flag (a despair "yes" creates one too) or a red
flag of level "emergency" (an unknown tier counts as emergency), and again when its level
rises to "high". The alert goes to the patient's assigned coaches on every channel they set
up (their linked Telegram, their e-mail when SMTP is configured); with nobody to reach, it
goes to the on-call people at once. When a flag waits unacknowledged for ``escalate_after``
the on-call people (coaches marked on call, and ``ALERT_ONCALL_EMAIL``; with neither set,
the admins) are alerted too.

Rows are INSERTed under a UNIQUE (flag, reason, channel, address) constraint, so however
many instances plan at once, each alert exists once.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.store.alerts import (
    EMAIL,
    TELEGRAM,
    CoachAlert,
    Recipient,
    alerts_of,
    insert_alert,
    open_flags_since,
)
from bot.store.coach_contacts import CoachContact
from bot.store.coaches import Coach, CoachPatient
from bot.store.models import SafetyFlag

HIGH = "high"


@dataclass(frozen=True)
class AlertPolicy:
    """When and to whom alerts go.

    Attributes:
        escalate_after: Unacknowledged this long after the flag: tell the on-call people.
        lookback: Flags older than this are not alerted any more (e.g. after a long outage
            the queue still shows them; a burst of stale alerts helps nobody).
        email: Whether e-mail can be sent (SMTP configured).
        oncall_email: An extra on-call address (``ALERT_ONCALL_EMAIL``).
    """

    escalate_after: timedelta = timedelta(minutes=15)
    lookback: timedelta = timedelta(hours=24)
    email: bool = False
    oncall_email: str | None = None


def alertable(flag: SafetyFlag) -> bool:
    """Whether a flag calls for a coach alert at all."""
    if flag.kind == "crisis":
        return True
    return flag.kind == "red_flag" and flag.level in (None, "emergency")


def _recipients(contact: CoachContact, email: bool) -> list[Recipient]:
    found = []
    if contact.telegram_chat_id is not None:
        found.append(Recipient(TELEGRAM, str(contact.telegram_chat_id), contact.coach_id))
    if email and contact.email:
        found.append(Recipient(EMAIL, contact.email.strip().lower(), contact.coach_id))
    return found


def coach_recipients(
    session: Session, patient_ids: set[str], email: bool
) -> dict[str, list[Recipient]]:
    """The addresses of each patient's assigned, enabled coaches."""
    rows = session.execute(
        select(CoachPatient.patient_id, CoachContact)
        .join(Coach, Coach.id == CoachPatient.coach_id)
        .join(CoachContact, CoachContact.coach_id == Coach.id)
        .where(CoachPatient.patient_id.in_(patient_ids), Coach.disabled.is_(False))
        .order_by(Coach.id)
    ).all()
    found: dict[str, list[Recipient]] = defaultdict(list)
    for patient_id, contact in rows:
        found[patient_id].extend(_recipients(contact, email))
    return found


def _contacts(session: Session, *where: object) -> list[CoachContact]:
    return list(session.execute(
        select(CoachContact)
        .join(Coach, Coach.id == CoachContact.coach_id)
        .where(Coach.disabled.is_(False), *where)
        .order_by(Coach.id)
    ).scalars())


def oncall_recipients(session: Session, policy: AlertPolicy) -> list[Recipient]:
    """Coaches marked on call and the configured on-call address; else the admins."""
    contacts = _contacts(session, CoachContact.on_call.is_(True))
    found = [r for contact in contacts for r in _recipients(contact, policy.email)]
    if policy.email and policy.oncall_email:
        extra = Recipient(EMAIL, policy.oncall_email.strip().lower())
        if all((r.channel, r.address) != (extra.channel, extra.address) for r in found):
            found.append(extra)
    if not found:  # nobody on call: the admins who set up alerts
        admins = _contacts(session, Coach.is_admin.is_(True))
        found = [r for contact in admins for r in _recipients(contact, policy.email)]
    return found


@dataclass(frozen=True)
class PlanResult:
    """What one planning pass did."""

    created: int = 0
    unreachable: tuple[int, ...] = ()  # flags that needed an alert with nobody to send it to


def plan_alerts(session: Session, now: datetime, policy: AlertPolicy) -> PlanResult:
    """Create the alert rows every open flag needs now (caller owns the transaction)."""
    flags = [flag for flag in open_flags_since(session, now - policy.lookback) if alertable(flag)]
    if not flags:
        return PlanResult()
    existing: dict[int, list[CoachAlert]] = defaultdict(list)
    for row in alerts_of(session, [flag.id for flag in flags]):
        existing[row.flag_id].append(row)
    coaches = coach_recipients(session, {flag.patient_id for flag in flags}, policy.email)
    oncall = oncall_recipients(session, policy)
    created, unreachable = 0, []
    for flag in flags:
        rows = existing[flag.id]
        have = {(row.reason, row.channel, row.address) for row in rows}
        first = [row for row in rows if row.reason == "new"]
        first_level = first[0].level if first else flag.level
        direct = coaches.get(flag.patient_id) or oncall
        wanted = [("new", r, first_level) for r in direct]
        if flag.level == HIGH and first_level != HIGH:
            wanted += [(HIGH, r, HIGH) for r in direct]
        if now - flag.created_at >= policy.escalate_after:
            wanted += [("escalation", r, flag.level) for r in oncall]
            if not oncall:
                unreachable.append(flag.id)
        if not wanted:
            unreachable.append(flag.id)
        for reason, recipient, level in wanted:
            if (reason, recipient.channel, recipient.address) in have:
                continue
            created += insert_alert(session, flag, reason, recipient, now, level)
    return PlanResult(created, tuple(unreachable))
