"""One-time invite codes: a coach hands one out, the patient sends ``/start <code>``.

The gateway calls :func:`redeem_invite` inside its own transaction when a consented
patient sends ``/start`` with an argument::

    try:
        coach = redeem_invite(session, code, patient_id, now)
    except InviteError:
        ...  # tell the patient the code is not valid (do not say why)

Codes are 10 characters from an alphabet without look-alikes (about 50 bits), valid for
7 days and usable once. Only their SHA-256 is stored.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from bot.store.accounts import assign
from bot.store.coaches import Coach, InviteCode
from bot.store.validation import require_aware

ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 10
INVITE_VALIDITY = timedelta(days=7)


class InviteError(ValueError):
    """The code is unknown, used already, expired, or its coach is disabled."""


def normalise_code(code: str) -> str:
    """Upper-case, without spaces or dashes (codes are easy to retype)."""
    return "".join(ch for ch in code.upper() if ch not in " -\t")


def _hash(code: str) -> str:
    return hashlib.sha256(normalise_code(code).encode("ascii", "replace")).hexdigest()


def create_invite(
    session: Session, coach: Coach, now: datetime, validity: timedelta = INVITE_VALIDITY
) -> str:
    """Create an invite for ``coach`` and return the code (shown once, never stored)."""
    require_aware("now", now)
    code = "".join(secrets.choice(ALPHABET) for _ in range(CODE_LENGTH))
    session.add(
        InviteCode(
            code_hash=_hash(code), coach_id=coach.id, created_at=now, expires_at=now + validity
        )
    )
    session.flush()
    return code


def redeem_invite(session: Session, code: str, patient_id: str, now: datetime) -> Coach:
    """Use an invite: assign the patient to the inviting coach and return that coach.

    The patient must already exist (the gateway creates them at consent). Safe against two
    patients sending the same code at once: only one update of ``used_at`` wins.

    Raises:
        InviteError: unknown, used or expired code, or a disabled coach.
    """
    require_aware("now", now)
    if not code or len(code) > 64:
        raise InviteError("not a valid invite code")
    invite = session.execute(
        select(InviteCode).where(InviteCode.code_hash == _hash(code))
    ).scalar_one_or_none()
    if invite is None or invite.used_at is not None or invite.expires_at <= now:
        raise InviteError("not a valid invite code")
    coach = session.get(Coach, invite.coach_id)
    if coach is None or coach.disabled:
        raise InviteError("not a valid invite code")
    claimed = session.execute(
        update(InviteCode)
        .where(InviteCode.id == invite.id, InviteCode.used_at.is_(None))
        .values(used_at=now, patient_id=patient_id)
        .execution_options(synchronize_session="fetch")
    )
    if claimed.rowcount != 1:
        raise InviteError("not a valid invite code")
    assign(session, coach, patient_id, now)
    return coach
