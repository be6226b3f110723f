"""Messages the gateway owes a chat that no patient row can carry: the /delete confirmation.

``/delete`` erases the patient's rows, the message log included, so its confirmation
cannot wait in the log as other answers do (``messages.unsent_replies``, decisions). It
is written here, in the transaction that erases (:meth:`bot.gateway.commands.Commands.erase`),
addressed by channel and chat id only, with no patient id. Whoever sends it first claims
it (:func:`claim`: an ``UPDATE`` of a pending row, or of a claim past its lease, committed
before the send), sends it and deletes the row (:func:`sent`): the erasing worker at once,
else the retry loop of any worker (:meth:`bot.gateway.core.Gateway.send_notices`). A worker
that dies before the send leaves the row pending (sent by the next pass) or claimed (sent
once the lease has run out); the only repeat possible is a death between the send and the
delete. The chat id is kept only until the message is out (or given up).

Table created by ``migrations/versions/0018_outgoing_notices.py``; keep both in step.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import BigInteger, Column, Integer, String, Text, delete, select, update
from sqlalchemy.orm import Session

from bot.store.models import Base, UTCDateTime

PENDING = "pending"
SENDING = "sending"
LEASE = timedelta(minutes=2)  # a claim older than this was left by a dead worker
MAX_ATTEMPTS = 5


class OutgoingNotice(Base):
    """One message owed to a chat, until it is sent."""

    __tablename__ = "outgoing_notices"

    id = Column(Integer, primary_key=True)
    channel = Column(String(32), nullable=False)
    chat_id = Column(BigInteger, nullable=False)
    text = Column(Text, nullable=False)
    status = Column(String(16), nullable=False, default=PENDING)
    created_at = Column(UTCDateTime, nullable=False)
    claimed_at = Column(UTCDateTime, nullable=True)
    attempts = Column(Integer, nullable=False, default=0)


def add(session: Session, channel: str, chat_id: int, text: str, now: datetime) -> int:
    """Owe ``text`` to the chat (in the caller's transaction); returns its id."""
    notice = OutgoingNotice(channel=channel, chat_id=chat_id, text=text, status=PENDING,
                            created_at=now, attempts=0)
    session.add(notice)
    session.flush()
    return int(notice.id)


def _takeable(now: datetime, lease: timedelta) -> object:
    return (OutgoingNotice.status == PENDING) | (
        (OutgoingNotice.status == SENDING) & (OutgoingNotice.claimed_at < now - lease))


def due(session: Session, now: datetime, lease: timedelta = LEASE) -> list[int]:
    """Ids of the notices nobody is sending now, oldest first."""
    return [int(i) for i in session.execute(
        select(OutgoingNotice.id).where(_takeable(now, lease)).order_by(OutgoingNotice.id)
    ).scalars()]


def claim(session: Session, notice_id: int, now: datetime,
          lease: timedelta = LEASE) -> OutgoingNotice | None:
    """Take the notice for sending (commit before sending); None if another has it or it
    is gone."""
    taken = session.execute(
        update(OutgoingNotice)
        .where(OutgoingNotice.id == notice_id, _takeable(now, lease))
        .values(status=SENDING, claimed_at=now, attempts=OutgoingNotice.attempts + 1)
        .execution_options(synchronize_session=False)
    )
    if not taken.rowcount:
        return None
    notice = session.get(OutgoingNotice, notice_id, populate_existing=True)
    if notice is not None:
        session.expunge(notice)
    return notice


def sent(session: Session, notice_id: int) -> None:
    """The notice went out: nothing about the chat is kept."""
    session.execute(delete(OutgoingNotice).where(OutgoingNotice.id == notice_id))


def failed(session: Session, notice_id: int) -> bool:
    """The channel could not deliver it: pending again for the next pass, or deleted after
    :data:`MAX_ATTEMPTS`; returns whether it will be tried again."""
    notice = session.get(OutgoingNotice, notice_id)
    if notice is None:
        return False
    if notice.attempts >= MAX_ATTEMPTS:
        session.delete(notice)
        return False
    notice.status, notice.claimed_at = PENDING, None
    return True
