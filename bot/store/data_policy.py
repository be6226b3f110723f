"""What happens to each table's rows about a patient on ``/delete`` and on ``/mydata``.

One explicit map, :data:`POLICY`, keyed by table *name* (so it survives modules moving):

- ``erase``: the rows are deleted;
- ``scrub``: the rows stay under the pseudonym with their free text removed (the audit
  trail of who looked at what survives erasure, but not what a coach typed);
- ``keep``: the rows stay as they are.

``export`` says whether ``/mydata`` includes the rows; ``hide`` names columns left out of
the export (coaches' search text in the audit log). Rasa's tracker ``events`` (not on our
``Base``, found by reflection) are linked by ``sender_id``, which is the pseudonym.

The safety exception: when the patient erases their data while a crisis or red-flag flag
is still unacknowledged, a minimal safety record stays until a coach acknowledges it: the
pseudonym (a ``patients`` row marked deleted, with its coach assignment), and each open
flag's time, kind and reasons, with no message text. :func:`release_safety_hold` finishes
the erasure once the last such flag is acknowledged.

``tests/bot/store/test_data_policy.py`` fails when a table holding patient data has no
entry here.
"""

from __future__ import annotations

import enum
import logging
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import MetaData, Table, delete, func, inspect, select, update
from sqlalchemy.orm import Session

from bot.store.registry import load_all_tables

logger = logging.getLogger(__name__)

RASA_EVENTS_TABLE = "events"
HOLD_KINDS = ("crisis", "red_flag")
ERASED_TEXT = "[text erased at the patient's request]"
PATIENT_COLUMNS = ("patient_id", "sender_id")


class Action(enum.Enum):
    """What ``/delete`` does with a table's rows about the patient."""

    ERASE = "erase"
    SCRUB = "scrub"
    KEEP = "keep"


@dataclass(frozen=True)
class TablePolicy:
    """The rule for one table.

    Attributes:
        action: erase, scrub or keep.
        export: whether ``/mydata`` includes the rows.
        link: how rows find the patient: ``patient_id``, ``episode_id`` (through the
            patient's episodes), ``id`` (the patients table) or ``sender_id`` (Rasa).
        scrub: columns set to NULL by a scrub.
        hide: columns left out of the export.
    """

    action: Action
    export: bool
    link: str = "patient_id"
    scrub: tuple[str, ...] = ()
    hide: tuple[str, ...] = ()


ERASE, SCRUB, KEEP = Action.ERASE, Action.SCRUB, Action.KEEP

POLICY: dict[str, TablePolicy] = {
    "patients": TablePolicy(ERASE, export=True, link="id"),
    "channel_identities": TablePolicy(ERASE, export=True),
    "episodes": TablePolicy(ERASE, export=True),
    "fear_statements": TablePolicy(ERASE, export=True, link="episode_id"),
    "safety_flags": TablePolicy(ERASE, export=True),  # see the safety exception
    "checkins": TablePolicy(ERASE, export=True),
    "reframe_uses": TablePolicy(ERASE, export=True),
    "messages": TablePolicy(ERASE, export=True),
    "message_stops": TablePolicy(ERASE, export=True),
    "scheduled_sends": TablePolicy(ERASE, export=True),
    "pacing_reminders": TablePolicy(ERASE, export=True),
    "coach_patients": TablePolicy(ERASE, export=True),
    "coach_notes": TablePolicy(ERASE, export=True, link="episode_id"),
    "audit_log": TablePolicy(SCRUB, export=True, scrub=("detail",), hide=("detail",)),
    "invite_codes": TablePolicy(SCRUB, export=False, scrub=("patient_id",)),
    "safety_plans": TablePolicy(ERASE, export=True),
    # Alerts carry the flag's kind and level, never the patient's words; while a safety record
    # is held they stay with their flags, so escalation goes on and nothing is sent twice.
    "coach_alerts": TablePolicy(ERASE, export=True),
    # A gateway worker's short lease on the patient's turn (no content): nothing to export.
    "patient_claims": TablePolicy(ERASE, export=False),
    # The action server's answers kept for an hour so a resent call is not run twice: a
    # copy of what the message log and Rasa's events hold, not exported twice.
    "action_calls": TablePolicy(ERASE, export=False),
    RASA_EVENTS_TABLE: TablePolicy(ERASE, export=True, link="sender_id"),
}


def holds_patient_data(table: Table, metadata: MetaData, _seen: frozenset[str] = frozenset()
                       ) -> bool:
    """Whether rows of ``table`` are about a patient (a patient or sender column, or a
    foreign key to ``patients`` or to a table that holds patient data)."""
    if table.name == "patients" or any(c in table.c for c in PATIENT_COLUMNS):
        return True
    seen = _seen | {table.name}
    return any(
        fk.column.table.name not in seen and holds_patient_data(fk.column.table, metadata, seen)
        for fk in table.foreign_keys
    )


def missing_policies(metadata: MetaData) -> list[str]:
    """Tables of ``metadata`` that hold patient data but have no entry in :data:`POLICY`."""
    return sorted(
        t.name for t in metadata.tables.values()
        if t.name not in POLICY and holds_patient_data(t, metadata)
    )


def _fallback(table: Table) -> TablePolicy | None:
    """For a table the map forgot (the tests catch that): erase and export, if we can."""
    for link in ("patient_id", "sender_id", "episode_id"):
        if link in table.c:
            return TablePolicy(ERASE, export=True, link=link)
    return None


def _tables(session: Session) -> list[tuple[Table, TablePolicy]]:
    """(table, policy) for every table that exists, children before parents.

    A patient table missing from :data:`POLICY` is logged as an error and erased and
    exported anyway (an erasure must not fail for it); the tests fail on it.
    """
    metadata = load_all_tables()
    policies = dict(POLICY)
    for name in missing_policies(metadata):
        fallback = _fallback(metadata.tables[name])
        logger.error("no patient-data policy for table %s: %s", name,
                     "erasing and exporting it by default" if fallback else "not covered")
        if fallback is not None:
            policies[name] = fallback
    ordered = [t for t in reversed(metadata.sorted_tables) if t.name in policies]
    events = _rasa_events(session)
    if events is not None:
        ordered.insert(0, events)
    return [(t, policies[t.name]) for t in ordered]


def _rasa_events(session: Session) -> Table | None:
    """Rasa's tracker table, when the tracker store shares this database."""
    connection = session.connection()  # a second connection would wait for our write lock
    if not inspect(connection).has_table(RASA_EVENTS_TABLE):
        return None
    events = Table(RASA_EVENTS_TABLE, MetaData(), autoload_with=connection)
    return events if "sender_id" in events.c else None


def _where(table: Table, policy: TablePolicy, patient_id: str) -> object:
    if policy.link == "episode_id":
        episodes = load_all_tables().tables["episodes"]
        mine = select(episodes.c.id).where(episodes.c.patient_id == patient_id)
        return table.c.episode_id.in_(mine.scalar_subquery())
    return table.c[policy.link] == patient_id


def export_rows(session: Session, patient_id: str) -> dict[str, list[dict[str, object]]]:
    """The patient's rows of every exported table, by table name, without hidden columns."""
    data: dict[str, list[dict[str, object]]] = {}
    for table, policy in reversed(_tables(session)):
        if not policy.export:
            continue
        columns = [c for c in table.c if c.name not in policy.hide]
        order = list(table.primary_key) or columns[:1]
        result = session.execute(
            select(*columns).where(_where(table, policy, patient_id)).order_by(*order)
        )
        data[table.name] = [dict(row._mapping) for row in result]
    return data


def open_safety_flags(session: Session, patient_id: str) -> int:
    """How many crisis or red-flag flags of the patient no coach has acknowledged."""
    flags = load_all_tables().tables["safety_flags"]
    return int(session.execute(
        select(func.count()).select_from(flags).where(
            flags.c.patient_id == patient_id,
            flags.c.kind.in_(HOLD_KINDS),
            flags.c.acknowledged_at.is_(None),
        )
    ).scalar_one())


def erase_patient(session: Session, patient_id: str, now: datetime) -> bool:
    """Apply :data:`POLICY` to everything about the patient.

    Returns True when a minimal safety record was kept (see the module docstring).
    """
    hold = open_safety_flags(session, patient_id) > 0
    tables = _tables(session)
    metadata = load_all_tables()
    messages = metadata.tables["messages"]
    session.execute(  # the log points at itself (replies): unlink before deleting
        update(messages).where(messages.c.patient_id == patient_id).values(reply_to_id=None)
    )
    for table, policy in tables:
        where = _where(table, policy, patient_id)
        if hold and table.name == "safety_flags":
            kept = (table.c.kind.in_(HOLD_KINDS)) & table.c.acknowledged_at.is_(None)
            session.execute(update(table).where(where & kept).values(
                text=ERASED_TEXT, episode_id=None, coach_note=None))
            session.execute(delete(table).where(where & ~kept))
        elif hold and table.name in ("patients", "coach_patients", "coach_alerts"):
            continue
        elif policy.action is ERASE:
            session.execute(delete(table).where(where))
        elif policy.action is SCRUB:
            session.execute(update(table).where(where).values(
                {column: None for column in policy.scrub}))
    if hold:
        patients = metadata.tables["patients"]
        session.execute(update(patients).where(patients.c.id == patient_id).values(
            deleted_at=now, consent_given_at=None))
    return hold


def release_safety_hold(session: Session, patient_id: str) -> bool:
    """After an acknowledgement: if the patient had erased their data and no open flag is
    left, delete the safety record too. Returns True when it was deleted."""
    metadata = load_all_tables()
    patients = metadata.tables["patients"]
    deleted_at = session.execute(
        select(patients.c.deleted_at).where(patients.c.id == patient_id)
    ).scalar_one_or_none()
    if deleted_at is None or open_safety_flags(session, patient_id) > 0:
        return False
    for name in ("coach_alerts", "safety_flags", "coach_patients", "patients"):
        table = metadata.tables[name]
        session.execute(delete(table).where(_where(table, POLICY[name], patient_id)))
    return True
