"""The journal of custom-action calls: each call's side effects happen once, even when the
call is sent again.

An action server that dies during a call (``kill -9``, out of memory) leaves Rasa without
an answer; nginx then sends the same call to another action server
(``proxy_next_upstream ... non_idempotent`` in ``deploy/nginx/``). The dead server may
have committed the call's writes (an episode, a safety flag, a check-in) before it died.
So the action server (``actions/journal.py``) runs each call in one transaction that also
stores the call's answer here (:func:`record`, at the end), under a key made from the call
itself; a copy of a call whose key is already stored is rolled back and gets the stored
answer. A row lives an hour (a resend comes within seconds, or after nginx's read
timeout): :func:`purge`, from the action server's purge task; ``/delete`` erases the
patient's rows (``data_policy.py``).

Table created by ``migrations/versions/0015_action_calls.py``; keep both in step.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Column, Index, Integer, String, delete, select
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from bot.store.models import Base, UTCDateTime


class ActionCall(Base):
    """One custom-action call that ran, with the answer it gave."""

    __tablename__ = "action_calls"
    __table_args__ = (Index("ix_action_calls_created_at", "created_at"),)

    key = Column(String(64), primary_key=True)  # sha256 hex of the call's identity
    patient_id = Column(String(64), nullable=False)  # Rasa's sender id, the pseudonym
    action = Column(String(128), nullable=False)
    message_id = Column(Integer, nullable=True)  # the gateway's log id of the user message
    created_at = Column(UTCDateTime, nullable=False)
    response = Column(JSON, nullable=False)  # what the action server answered


def stored_response(session: Session, key: str) -> dict[str, Any] | None:
    """The answer of the call with ``key``, if it ran already."""
    return session.execute(
        select(ActionCall.response).where(ActionCall.key == key)
    ).scalar_one_or_none()


def record(
    session: Session,
    key: str,
    *,
    patient_id: str,
    action: str,
    message_id: int | None,
    response: dict[str, Any],
    now: datetime,
) -> bool:
    """Store the call's answer; False when a copy of the call stored one first.

    One ``INSERT ... ON CONFLICT (key) DO NOTHING`` (SQLite and PostgreSQL): on PostgreSQL
    a copy still running holds the key until it commits (then this does nothing) or rolls
    back (then this inserts).
    """
    values = dict(key=key, patient_id=patient_id, action=action, message_id=message_id,
                  created_at=now, response=response)
    dialect = session.get_bind().dialect.name
    insert = postgresql_insert if dialect == "postgresql" else sqlite_insert
    statement = insert(ActionCall).values(**values).on_conflict_do_nothing(
        index_elements=[ActionCall.key])
    return int(session.execute(statement).rowcount or 0) == 1


def purge(session: Session, before: datetime) -> int:
    """Forget calls older than ``before``; returns how many."""
    result = session.execute(delete(ActionCall).where(ActionCall.created_at < before))
    return int(result.rowcount or 0)
