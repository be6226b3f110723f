"""TOTP second factor (pyotp) and one-time recovery codes for dashboard accounts.

Optional for coaches, required for admins (``require_admin_totp``). A code is accepted
once: the time step it belongs to is remembered, so a code seen over a shoulder cannot be
replayed within its 30 seconds. Ten recovery codes are shown once when TOTP is switched
on; only their SHA-256 is stored and each works once.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import datetime

import pyotp
from sqlalchemy import Column, ForeignKey, Integer, String, delete, select
from sqlalchemy.orm import Session

from bot.store.models import Base, UTCDateTime

ISSUER = "Flare coach dashboard"
RECOVERY_CODES = 10
DRIFT_STEPS = 1  # accept the previous and the next 30-second code too


class TotpError(ValueError):
    """A code is wrong, reused, or TOTP is not being set up."""


class CoachTotp(Base):
    """A coach's TOTP secret; ``enabled_at`` is set once a first code confirmed it."""

    __tablename__ = "coach_totp"

    coach_id = Column(Integer, ForeignKey("coaches.id", ondelete="CASCADE"), primary_key=True)
    secret = Column(String(64), nullable=False)
    enabled_at = Column(UTCDateTime, nullable=True)
    last_step = Column(Integer, nullable=True)  # the last accepted time step (no replays)


class RecoveryCode(Base):
    """A one-time recovery code (hash only)."""

    __tablename__ = "coach_recovery_codes"

    id = Column(Integer, primary_key=True)
    coach_id = Column(
        Integer, ForeignKey("coaches.id", ondelete="CASCADE"), nullable=False, index=True
    )
    code_hash = Column(String(64), nullable=False, unique=True)
    used_at = Column(UTCDateTime, nullable=True)


def _hash(code: str) -> str:
    return hashlib.sha256(code.strip().lower().encode("utf-8")).hexdigest()


def totp_enabled(session: Session, coach_id: int) -> bool:
    """Whether the coach logs in with a TOTP code."""
    row = session.get(CoachTotp, coach_id)
    return row is not None and row.enabled_at is not None


def begin_enrollment(session: Session, coach_id: int) -> str:
    """A new secret waiting for its first code (replaces an unconfirmed one)."""
    row = session.get(CoachTotp, coach_id)
    if row is not None and row.enabled_at is not None:
        raise TotpError("a second factor is already set up")
    secret = pyotp.random_base32()
    if row is None:
        session.add(CoachTotp(coach_id=coach_id, secret=secret))
    else:
        row.secret, row.last_step = secret, None
    session.flush()
    return secret


def pending_secret(session: Session, coach_id: int) -> str | None:
    """The secret being set up, if any."""
    row = session.get(CoachTotp, coach_id)
    return str(row.secret) if row is not None and row.enabled_at is None else None


def provisioning_uri(secret: str, username: str) -> str:
    """The ``otpauth://`` address an authenticator app reads."""
    return pyotp.TOTP(secret).provisioning_uri(name=username, issuer_name=ISSUER)


def _accept_totp(row: CoachTotp, code: str, now: datetime) -> bool:
    totp = pyotp.TOTP(str(row.secret))
    current = int(totp.timecode(now))
    for step in range(current - DRIFT_STEPS, current + DRIFT_STEPS + 1):
        if row.last_step is not None and step <= row.last_step:
            continue
        if hmac.compare_digest(totp.generate_otp(step), code):
            row.last_step = step
            return True
    return False


def confirm_enrollment(session: Session, coach_id: int, code: str, now: datetime) -> list[str]:
    """Switch TOTP on with a first right code; returns the new recovery codes.

    Raises:
        TotpError: no set-up in progress, or the code is wrong.
    """
    row = session.get(CoachTotp, coach_id)
    if row is None or row.enabled_at is not None:
        raise TotpError("no second factor is being set up")
    if not _accept_totp(row, code.strip(), now):
        raise TotpError("that code is not right; check the time on your phone")
    row.enabled_at = now
    return new_recovery_codes(session, coach_id)


def new_recovery_codes(session: Session, coach_id: int) -> list[str]:
    """Replace the coach's recovery codes with fresh ones (shown once)."""
    session.execute(delete(RecoveryCode).where(RecoveryCode.coach_id == coach_id))
    codes = ["-".join(secrets.token_hex(2) for _ in range(3)) for _ in range(RECOVERY_CODES)]
    session.add_all(RecoveryCode(coach_id=coach_id, code_hash=_hash(c)) for c in codes)
    session.flush()
    return codes


def verify_second_factor(session: Session, coach_id: int, code: str, now: datetime) -> bool:
    """A TOTP code (once per time step) or an unused recovery code (used up here)."""
    row = session.get(CoachTotp, coach_id)
    if row is None or row.enabled_at is None:
        return False
    code = code.strip()
    if code.isdigit() and len(code) == 6:
        return _accept_totp(row, code, now)
    recovery = session.execute(
        select(RecoveryCode).where(
            RecoveryCode.coach_id == coach_id,
            RecoveryCode.code_hash == _hash(code),
            RecoveryCode.used_at.is_(None),
        )
    ).scalar_one_or_none()
    if recovery is None:
        return False
    recovery.used_at = now
    return True


def reset(session: Session, coach_id: int) -> None:
    """Remove the coach's second factor and recovery codes (an admin's reset)."""
    session.execute(delete(RecoveryCode).where(RecoveryCode.coach_id == coach_id))
    session.execute(delete(CoachTotp).where(CoachTotp.coach_id == coach_id))
