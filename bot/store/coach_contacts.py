"""Coach contacts: a coach's linked Telegram account, e-mail and on-call status.

Tables created by ``migrations/versions/0013_alerts.py`` (keep them in step):

* ``coach_contacts``: one row per coach who set up alerts (Telegram chat, e-mail, on call).
* ``coach_link_codes``: one-time codes a coach sends to the bot as ``/coach CODE`` to link
  their Telegram account; only the SHA-256 of a code is stored.

Store functions take a ``Session``; the caller owns the transaction.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    ForeignKey,
    Integer,
    String,
    UniqueConstraint,
    select,
    update,
)
from sqlalchemy.orm import Session

from bot.store import coaches as _coaches  # noqa: F401  (the coaches table)
from bot.store.models import Base, UTCDateTime

LINK_CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I
LINK_CODE_LENGTH = 8
LINK_CODE_TTL = timedelta(minutes=15)


class CoachContact(Base):
    """Where a coach gets alerts, and whether they are the on-call person."""

    __tablename__ = "coach_contacts"
    __table_args__ = (UniqueConstraint("telegram_user_id"),)

    coach_id = Column(Integer, ForeignKey("coaches.id", ondelete="CASCADE"), primary_key=True)
    telegram_chat_id = Column(BigInteger, nullable=True)
    telegram_user_id = Column(String(128), nullable=True)
    telegram_linked_at = Column(UTCDateTime, nullable=True)
    email = Column(String(254), nullable=True)
    on_call = Column(Boolean, nullable=False, default=False)
    updated_at = Column(UTCDateTime, nullable=False)


class CoachLinkCode(Base):
    """A one-time code linking a coach's Telegram account (hash only)."""

    __tablename__ = "coach_link_codes"

    id = Column(Integer, primary_key=True)
    code_hash = Column(String(64), nullable=False, unique=True)
    coach_id = Column(Integer, ForeignKey("coaches.id", ondelete="CASCADE"), nullable=False)
    created_at = Column(UTCDateTime, nullable=False)
    expires_at = Column(UTCDateTime, nullable=False)
    used_at = Column(UTCDateTime, nullable=True)


def hash_code(code: str) -> str:
    """SHA-256 hex of a link code, ignoring case, spaces and dashes."""
    normal = code.strip().upper().replace("-", "").replace(" ", "")
    return hashlib.sha256(normal.encode()).hexdigest()


def contact(session: Session, coach_id: int, now: datetime | None = None) -> CoachContact | None:
    """The coach's contact row; with ``now``, created (empty) when missing."""
    row = session.get(CoachContact, coach_id)
    if row is None and now is not None:
        row = CoachContact(coach_id=coach_id, on_call=False, updated_at=now)
        session.add(row)
        session.flush()
    return row


def new_link_code(
    session: Session, coach_id: int, now: datetime, ttl: timedelta = LINK_CODE_TTL
) -> str:
    """Make a fresh one-time code for the coach (older unused codes stop working)."""
    session.execute(
        update(CoachLinkCode)
        .where(CoachLinkCode.coach_id == coach_id, CoachLinkCode.used_at.is_(None))
        .values(used_at=now)
    )
    code = "".join(secrets.choice(LINK_CODE_ALPHABET) for _ in range(LINK_CODE_LENGTH))
    session.add(CoachLinkCode(code_hash=hash_code(code), coach_id=coach_id, created_at=now,
                              expires_at=now + ttl))
    session.flush()
    return code


def redeem_link_code(
    session: Session, code: str, chat_id: int, user_id: str, now: datetime
) -> int | None:
    """Link the Telegram account to the code's coach; return the coach id (None: bad code).

    The code is spent atomically (one winner); the account is unlinked from any other coach.
    """
    found = session.execute(
        select(CoachLinkCode.id, CoachLinkCode.coach_id)
        .where(CoachLinkCode.code_hash == hash_code(code), CoachLinkCode.used_at.is_(None),
               CoachLinkCode.expires_at > now)
    ).one_or_none()
    if found is None:
        return None
    spent = session.execute(
        update(CoachLinkCode)
        .where(CoachLinkCode.id == found.id, CoachLinkCode.used_at.is_(None))
        .values(used_at=now)
        .execution_options(synchronize_session=False)
    )
    if spent.rowcount != 1:
        return None
    claimed = int(found.coach_id)
    session.execute(
        update(CoachContact)
        .where(CoachContact.telegram_user_id == user_id, CoachContact.coach_id != claimed)
        .values(telegram_user_id=None, telegram_chat_id=None, telegram_linked_at=None,
                updated_at=now)
    )
    row = contact(session, claimed, now)
    assert row is not None
    row.telegram_chat_id, row.telegram_user_id = chat_id, user_id
    row.telegram_linked_at = row.updated_at = now
    session.flush()
    return claimed


def coach_for_telegram_user(session: Session, user_id: str) -> int | None:
    """The coach whose Telegram account this is, if any."""
    found = session.execute(
        select(CoachContact.coach_id).where(CoachContact.telegram_user_id == user_id)
    ).scalar_one_or_none()
    return None if found is None else int(found)


def unlink_telegram(session: Session, coach_id: int, now: datetime) -> None:
    """Stop sending the coach's alerts to Telegram."""
    row = contact(session, coach_id)
    if row is not None:
        row.telegram_chat_id = row.telegram_user_id = row.telegram_linked_at = None
        row.updated_at = now
