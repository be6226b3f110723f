"""Server-side dashboard sessions: revocable, with an idle and an absolute timeout.

The signed cookie holds only a random session token (and the CSRF token); the database
keeps its SHA-256 in ``coach_sessions``. A session counts only while its row says so:
logout revokes it, a password reset or disabling the account revokes every session of
the coach, and it ends by itself after ``session_idle`` without a request or
``session_lifetime`` after login. A copied cookie is therefore worthless after logout.

A session moves through stages: ``mfa`` (password right, TOTP code still to give),
``enroll`` (an admin who must set up TOTP first), ``active`` (may see patient data).
Created by ``migrations/versions/0009_security.py``.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Protocol

from sqlalchemy import Column, ForeignKey, Integer, String, select, update
from sqlalchemy.orm import Session

from bot.store.coaches import Coach
from bot.store.models import Base, UTCDateTime


class SessionPolicy(Protocol):
    """The session limits this module needs (bot.dashboard.config.DashboardConfig has them)."""

    @property
    def session_lifetime(self) -> timedelta: ...

    @property
    def session_idle(self) -> timedelta: ...

    @property
    def require_admin_totp(self) -> bool: ...


ACTIVE = "active"
MFA = "mfa"
ENROLL = "enroll"
ANY_STAGE = (ACTIVE, MFA, ENROLL)
TOUCH_EVERY = timedelta(seconds=30)  # last_seen_at is written at most this often
MAX_CODE_FAILURES = 5  # wrong TOTP codes before the half-open session is revoked


class CoachSession(Base):
    """One login of a coach (the cookie carries the token; only its hash is stored)."""

    __tablename__ = "coach_sessions"

    id = Column(String(64), primary_key=True)  # sha256 hex of the cookie's token
    coach_id = Column(
        Integer, ForeignKey("coaches.id", ondelete="CASCADE"), nullable=False, index=True
    )
    stage = Column(String(16), nullable=False)
    created_at = Column(UTCDateTime, nullable=False)
    last_seen_at = Column(UTCDateTime, nullable=False)
    revoked_at = Column(UTCDateTime, nullable=True)
    code_failures = Column(Integer, nullable=False, default=0)
    address = Column(String(64), nullable=True)


@dataclass(frozen=True)
class LoginOutcome:
    """A new session: the cookie's token and where to go next (None: the asked page)."""

    token: str
    next_page: str | None


def token_hash(token: str) -> str:
    """The stored form of a session token."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def open_session(
    session: Session, coach: Coach, now: datetime, address: str, config: SessionPolicy
) -> LoginOutcome:
    """Start a session after a right password; TOTP first if the coach has it."""
    from bot.store.totp import totp_enabled

    if totp_enabled(session, int(coach.id)):
        stage, next_page = MFA, "/login/totp"
    elif coach.is_admin and config.require_admin_totp:
        stage, next_page = ENROLL, "/account/totp"
    else:
        stage, next_page = ACTIVE, None
    token = secrets.token_urlsafe(32)
    session.add(CoachSession(
        id=token_hash(token), coach_id=coach.id, stage=stage, created_at=now,
        last_seen_at=now, revoked_at=None, code_failures=0, address=address[:64],
    ))
    session.flush()
    return LoginOutcome(token, next_page)


def current(
    session: Session,
    cookie: dict[str, Any],
    now: datetime,
    config: SessionPolicy,
    stages: tuple[str, ...] = (ACTIVE,),
) -> tuple[Coach, CoachSession] | None:
    """The coach and session row of a cookie, if the session is still good.

    Good means: known token, not revoked, in one of ``stages``, used within the idle
    timeout, younger than the absolute one, opened after the last password change, and
    the coach exists and is enabled. A good session's ``last_seen_at`` moves to ``now``.
    """
    token = cookie.get("sid")
    if not isinstance(token, str) or not token:
        return None
    row = session.get(CoachSession, token_hash(token))
    if row is None or row.revoked_at is not None or row.stage not in stages:
        return None
    if now - row.last_seen_at > config.session_idle:
        return None
    if now - row.created_at > config.session_lifetime:
        return None
    coach = session.get(Coach, row.coach_id)
    if coach is None or coach.disabled or row.created_at < coach.password_changed_at:
        return None
    if now - row.last_seen_at >= TOUCH_EVERY:
        row.last_seen_at = now
    return coach, row


def revoke(session: Session, row: CoachSession, now: datetime) -> None:
    """End one session (logout, too many wrong codes)."""
    if row.revoked_at is None:
        row.revoked_at = now
    session.flush()


def revoke_all(session: Session, coach_id: int, now: datetime) -> int:
    """End every open session of a coach (password reset, disable); returns how many."""
    result = session.execute(
        update(CoachSession)
        .where(CoachSession.coach_id == coach_id, CoachSession.revoked_at.is_(None))
        .values(revoked_at=now)
        .execution_options(synchronize_session=False)
    )
    return int(result.rowcount or 0)


def open_sessions(session: Session, coach_id: int) -> list[CoachSession]:
    """The coach's sessions that are not revoked (timeouts not applied)."""
    statement = select(CoachSession).where(
        CoachSession.coach_id == coach_id, CoachSession.revoked_at.is_(None)
    )
    return list(session.execute(statement).scalars())
