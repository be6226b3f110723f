"""Message log: every inbound and outbound message, and the Telegram updates already taken in.

Tables are created by ``migrations/versions/0003_messages.py``; keep both in step. As
everywhere in ``bot.store``, functions take a ``Session`` and the caller owns the
transaction.

Inbound statuses: ``received`` (stored, not yet handled), ``processing``, ``processed``,
``failed`` (Rasa refused it), ``pending_retry`` (Rasa was down; the retry loop takes it).
Outbound statuses: ``sent``, ``failed``.

Rasa's answer to an inbound message is stored on it (``unsent_replies``) in the same
transaction that marks it ``processed``, and cleared in the one that logs the end of the
reply: a worker that dies in between leaves it for the next one to send the rest
(:func:`next_unsent`), before anything newer of the patient's goes to Rasa.

A message the gateway answers itself (a command, a safety-plan step, "edited messages are
not read") is stored ``received`` with the gateway's decision on it (``decision``: the
``Next`` value and its details) and marked ``processed`` once its answer is sent; a
worker that dies in between leaves it for the retry loop, which runs the same handler
again (not Rasa), in order with the patient's other messages.
"""

from __future__ import annotations

import enum
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    CheckConstraint,
    Column,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    delete,
    func,
    select,
    update,
)
from sqlalchemy import text as sql
from sqlalchemy.orm import Session

from bot.store.models import Base, UTCDateTime

IN = "in"
OUT = "out"


class MessageStatus(str, enum.Enum):
    """Life cycle of a message-log row (the column stores ``.value``)."""

    RECEIVED = "received"  # inbound, stored before it is handled
    PROCESSING = "processing"
    PROCESSED = "processed"
    FAILED = "failed"  # inbound given up, or outbound not delivered
    PENDING_RETRY = "pending_retry"  # inbound waiting for Rasa to come back
    SENT = "sent"  # outbound delivered


RECEIVED = MessageStatus.RECEIVED.value
PROCESSING = MessageStatus.PROCESSING.value
PROCESSED = MessageStatus.PROCESSED.value
FAILED = MessageStatus.FAILED.value
PENDING_RETRY = MessageStatus.PENDING_RETRY.value
SENT = MessageStatus.SENT.value
# Key of the log id in the metadata the gateway sends to Rasa with each message; Rasa keeps
# it on the user event, so transcripts join events to the log on it.
METADATA_MESSAGE_ID = "message_id"
INBOUND_STATUSES = (RECEIVED, PROCESSING, PROCESSED, FAILED, PENDING_RETRY)
OUTBOUND_STATUSES = (SENT, FAILED)
UNFINISHED = (RECEIVED, PROCESSING, PENDING_RETRY)
REPLY_KINDS = ("text", "image")  # how the delivery logs the messages of Rasa's answer
MAX_ERROR_CHARS = 500


class Message(Base):
    """One message in or out, with its delivery status."""

    __tablename__ = "messages"
    __table_args__ = (
        CheckConstraint("direction IN ('in', 'out')", name="direction"),
        CheckConstraint(
            "(direction = 'in' AND status IN "
            "('received', 'processing', 'processed', 'failed', 'pending_retry')) OR "
            "(direction = 'out' AND status IN ('sent', 'failed'))",
            name="status",
        ),
        Index("ix_messages_patient_direction_status", "patient_id", "direction", "status"),
        Index("ix_messages_direction_status", "direction", "status"),
        Index("ix_messages_unsent", "patient_id", "id",
              sqlite_where=sql("unsent_replies IS NOT NULL"),
              postgresql_where=sql("unsent_replies IS NOT NULL")),
    )

    id = Column(Integer, primary_key=True)
    patient_id = Column(String(64), ForeignKey("patients.id", ondelete="CASCADE"), nullable=False)
    created_at = Column(UTCDateTime, nullable=False)
    updated_at = Column(UTCDateTime, nullable=False)
    direction = Column(String(3), nullable=False)
    channel = Column(String(32), nullable=False)
    kind = Column(String(32), nullable=False)
    text = Column(Text, nullable=True)
    payload = Column(Text, nullable=True)  # what went to Rasa when it differs from text
    buttons = Column(JSON, nullable=True)  # outbound: [{"title", "payload"}]
    status = Column(String(16), nullable=False)
    attempts = Column(Integer, nullable=False, default=0)
    last_error = Column(String(MAX_ERROR_CHARS), nullable=True)
    chat_id = Column(BigInteger, nullable=True)
    telegram_message_id = Column(BigInteger, nullable=True)
    update_id = Column(BigInteger, nullable=True)
    reply_to_id = Column(Integer, ForeignKey("messages.id", ondelete="SET NULL"), nullable=True)
    # inbound: Rasa's answer while it is not all sent yet (SQL NULL once it is)
    unsent_replies = Column(JSON(none_as_null=True), nullable=True)
    # inbound the gateway answers itself: what to do ({"next": ..., "detail": ...})
    decision = Column(JSON(none_as_null=True), nullable=True)
    # inbound: when Rasa first answered it nothing (the give-up evidence every worker
    # sees, with bot/store/rasa_answers.py)
    first_empty_at = Column(UTCDateTime, nullable=True)


class ProcessedUpdate(Base):
    """A Telegram update id already stored; each update is taken in once."""

    __tablename__ = "processed_updates"

    update_id = Column(BigInteger, primary_key=True, autoincrement=False)
    received_at = Column(UTCDateTime, nullable=False)


class MessageStop(Base):
    """The patient sent /stop: nothing is sent to them unprompted until they write again."""

    __tablename__ = "message_stops"

    patient_id = Column(String(64), ForeignKey("patients.id", ondelete="CASCADE"), primary_key=True)
    stopped_at = Column(UTCDateTime, nullable=False)


def claim_update(session: Session, update_id: int, now: datetime) -> bool:
    """Record ``update_id``; False when it was already taken in (a redelivery)."""
    if session.get(ProcessedUpdate, update_id) is not None:
        return False
    session.add(ProcessedUpdate(update_id=update_id, received_at=now))
    session.flush()
    return True


def max_update_id(session: Session) -> int | None:
    """The highest update id taken in so far."""
    return session.execute(
        select(ProcessedUpdate.update_id).order_by(ProcessedUpdate.update_id.desc()).limit(1)
    ).scalar_one_or_none()


def log_inbound(
    session: Session,
    patient_id: str,
    *,
    channel: str,
    kind: str,
    text: str | None,
    now: datetime,
    payload: str | None = None,
    status: str = RECEIVED,
    chat_id: int | None = None,
    telegram_message_id: int | None = None,
    update_id: int | None = None,
    decision: dict[str, str] | None = None,
) -> Message:
    """Store an inbound message (before it is handled; ``decision``: the gateway's own
    answer to give, see the module docstring)."""
    if status not in INBOUND_STATUSES:
        raise ValueError(f"not an inbound status: {status!r}")
    return _add(
        session, patient_id, now, IN, channel=channel, kind=kind, text=text, payload=payload,
        status=status, attempts=0, chat_id=chat_id, telegram_message_id=telegram_message_id,
        update_id=update_id, decision=decision,
    )


def log_outbound(
    session: Session,
    patient_id: str,
    *,
    channel: str,
    kind: str,
    text: str | None,
    now: datetime,
    status: str = SENT,
    buttons: Sequence[dict[str, str]] | None = None,
    chat_id: int | None = None,
    telegram_message_id: int | None = None,
    reply_to_id: int | None = None,
    error: str | None = None,
) -> Message:
    """Store an outbound message with its delivery status."""
    if status not in OUTBOUND_STATUSES:
        raise ValueError(f"not an outbound status: {status!r}")
    return _add(
        session, patient_id, now, OUT, channel=channel, kind=kind, text=text,
        buttons=list(buttons) if buttons else None, status=status, attempts=1,
        last_error=error[:MAX_ERROR_CHARS] if error else None, chat_id=chat_id,
        telegram_message_id=telegram_message_id, reply_to_id=reply_to_id,
    )


def _add(
    session: Session, patient_id: str, now: datetime, direction: str, **columns: Any
) -> Message:
    """The one place a message-log row is built and flushed (both directions)."""
    message = Message(
        patient_id=patient_id, created_at=now, updated_at=now, direction=direction, **columns
    )
    session.add(message)
    session.flush()
    return message


def set_status(
    session: Session,
    message_id: int,
    status: str,
    now: datetime,
    *,
    error: str | None = None,
    count_attempt: bool = False,
    unsent_replies: list[dict[str, Any]] | None = None,
) -> None:
    """Move an inbound message to ``status`` (with ``unsent_replies``: Rasa's answer, kept
    until :func:`replies_done`)."""
    if status not in INBOUND_STATUSES:
        raise ValueError(f"not an inbound status: {status!r}")
    values: dict[str, object] = {"status": status, "updated_at": now}
    if error is not None:
        values["last_error"] = error[:MAX_ERROR_CHARS]
    if count_attempt:
        values["attempts"] = Message.attempts + 1
    if unsent_replies is not None:
        values["unsent_replies"] = unsent_replies
    session.execute(update(Message).where(Message.id == message_id).values(**values))


def backlog(session: Session, patient_id: str) -> list[Message]:
    """The patient's inbound messages not yet handled, oldest first."""
    return list(
        session.execute(
            select(Message)
            .where(
                Message.patient_id == patient_id,
                Message.direction == IN,
                Message.status.in_(UNFINISHED),
            )
            .order_by(Message.id)
        ).scalars()
    )


def claim_next(
    session: Session, patient_id: str, now: datetime, *, decided_only: bool = False
) -> Message | None:
    """The patient's oldest unfinished inbound message, moved to ``processing``.

    ``decided_only``: the oldest the gateway answers itself (while Rasa is down these need
    not wait for it).
    """
    unfinished = [
        Message.patient_id == patient_id,
        Message.direction == IN,
        Message.status.in_(UNFINISHED),
    ]
    if decided_only:
        unfinished.append(Message.decision.is_not(None))
    message = session.execute(
        select(Message).where(*unfinished).order_by(Message.id).limit(1)
    ).scalar_one_or_none()
    if message is not None:
        message.status = PROCESSING
        message.updated_at = now
        session.flush()
    return message


def claim_own(session: Session, message_id: int, now: datetime) -> bool | None:
    """Move a message the gateway answers itself to ``processing``, under the patient's
    claim. False: someone took it already; None: an older message of the patient was left
    received/processing (a failed job): drain the patient in order instead."""
    message = session.get(Message, message_id)
    if message is None or message.status not in (RECEIVED, PENDING_RETRY):
        return False
    older = session.execute(
        select(Message.id).where(
            Message.patient_id == message.patient_id,
            Message.direction == IN,
            Message.status.in_((RECEIVED, PROCESSING)),
            Message.id < message_id,
        ).limit(1)
    ).first()
    if older is not None:
        return None
    message.status = PROCESSING
    message.updated_at = now
    session.flush()
    return True


def note_empty_answer(session: Session, message_id: int, now: datetime) -> None:
    """Rasa answered the message nothing: keep the time of the first such answer."""
    session.execute(
        update(Message)
        .where(Message.id == message_id, Message.first_empty_at.is_(None))
        .values(first_empty_at=now)
        .execution_options(synchronize_session=False)
    )


def stale_patients(session: Session, older_than: datetime) -> list[str]:
    """Patients with inbound messages left received/processing since before ``older_than``
    (a job that failed on a database error, a worker that died), longest-waiting first."""
    rows = session.execute(
        select(Message.patient_id)
        .where(
            Message.direction == IN,
            Message.status.in_((RECEIVED, PROCESSING)),
            Message.updated_at < older_than,
        )
        .order_by(Message.id)
    ).scalars()
    return list(dict.fromkeys(rows))


def next_unsent(session: Session, patient_id: str) -> tuple[Message, int] | None:
    """The patient's oldest inbound message whose answer is not all sent, with how many of
    its messages are logged already (sent or failed: those are not sent again)."""
    message = session.execute(_oldest_unsent(select(Message), patient_id)).scalar_one_or_none()
    if message is None:
        return None
    logged = session.execute(
        select(func.count())
        .select_from(Message)
        .where(Message.reply_to_id == message.id, Message.direction == OUT,
               Message.kind.in_(REPLY_KINDS))
    ).scalar_one()
    return message, int(logged)


def has_unsent(session: Session, patient_id: str) -> bool:
    """Whether an answer to the patient is not all sent yet."""
    return session.execute(_oldest_unsent(select(Message.id), patient_id)).first() is not None


def _oldest_unsent(query: Any, patient_id: str) -> Any:
    """``query`` narrowed to the patient's oldest inbound message with an unsent answer."""
    return (query.where(Message.patient_id == patient_id, Message.unsent_replies.is_not(None))
            .order_by(Message.id).limit(1))


def patients_with_unsent(session: Session) -> list[str]:
    """Patients with an answer not all sent (a worker died while sending), longest first."""
    rows = session.execute(
        select(Message.patient_id, Message.id)
        .where(Message.unsent_replies.is_not(None))
        .order_by(Message.id)
    ).all()
    return list(dict.fromkeys(row.patient_id for row in rows))


def replies_done(session: Session, message_id: int) -> None:
    """The answer to ``message_id`` is all sent (or logged as failed)."""
    session.execute(
        update(Message).where(Message.id == message_id).values(unsent_replies=None)
        .execution_options(synchronize_session=False)
    )


def patients_with(session: Session, statuses: Sequence[str] = (PENDING_RETRY,)) -> list[str]:
    """Patients with inbound messages in one of ``statuses``, longest-waiting first."""
    rows = session.execute(
        select(Message.patient_id, Message.id)
        .where(Message.direction == IN, Message.status.in_(statuses))
        .order_by(Message.id)
    ).all()
    return list(dict.fromkeys(row.patient_id for row in rows))


def recover_interrupted(
    session: Session, now: datetime, except_patients: Sequence[str] | set[str] = ()
) -> int:
    """After a restart: inbound messages left received/processing become pending_retry.

    ``except_patients``: patients another gateway worker is serving right now.
    """
    query = update(Message).where(
        Message.direction == IN, Message.status.in_((RECEIVED, PROCESSING))
    )
    if except_patients:
        query = query.where(Message.patient_id.not_in(list(except_patients)))
    result = session.execute(
        query.values(status=PENDING_RETRY, updated_at=now).execution_options(
            synchronize_session=False
        )
    )
    return int(result.rowcount or 0)


def last_outbound(session: Session, patient_id: str) -> Message | None:
    """The latest message sent to the patient."""
    return session.execute(
        select(Message)
        .where(Message.patient_id == patient_id, Message.direction == OUT)
        .order_by(Message.id.desc())
        .limit(1)
    ).scalar_one_or_none()


def get_message(session: Session, message_id: int) -> Message | None:
    """One message by id."""
    return session.get(Message, message_id)


def find_outbound(
    session: Session, patient_id: str, channel_message_id: int | None
) -> Message | None:
    """The message sent to the patient under the channel's message id (button presses)."""
    if channel_message_id is None:
        return None
    return session.execute(
        select(Message)
        .where(
            Message.patient_id == patient_id,
            Message.direction == OUT,
            Message.telegram_message_id == channel_message_id,
        )
        .order_by(Message.id.desc())
        .limit(1)
    ).scalar_one_or_none()


def latest_with_buttons(session: Session, patient_id: str) -> Message | None:
    """The latest outbound message if it carries buttons (the choices still open)."""
    message = last_outbound(session, patient_id)
    return message if message is not None and message.buttons else None


def messages_for(session: Session, patient_id: str) -> list[Message]:
    """Every logged message of the patient, oldest first (transcripts, /mydata)."""
    return list(
        session.execute(
            select(Message).where(Message.patient_id == patient_id).order_by(Message.id)
        ).scalars()
    )


def delete_messages(session: Session, patient_id: str) -> int:
    """Erase the patient's message log and stop flag; returns the number of messages."""
    session.execute(delete(MessageStop).where(MessageStop.patient_id == patient_id))
    result = session.execute(delete(Message).where(Message.patient_id == patient_id))
    return int(result.rowcount or 0)


def set_stopped(session: Session, patient_id: str, now: datetime) -> None:
    """Stop unprompted messages to the patient."""
    if session.get(MessageStop, patient_id) is None:
        session.add(MessageStop(patient_id=patient_id, stopped_at=now))
        session.flush()


def clear_stopped(session: Session, patient_id: str) -> bool:
    """The patient wrote again: allow messages; True if they had stopped them."""
    result = session.execute(delete(MessageStop).where(MessageStop.patient_id == patient_id))
    return bool(result.rowcount)


def is_stopped(session: Session, patient_id: str) -> bool:
    """Whether the patient asked for no unprompted messages."""
    return session.get(MessageStop, patient_id) is not None


def as_dict(message: Message) -> dict[str, object]:
    """A JSON-ready view of one message."""
    return {
        "id": message.id,
        "time": message.created_at.isoformat(),
        "direction": message.direction,
        "channel": message.channel,
        "kind": message.kind,
        "text": message.text,
        "payload": message.payload,
        "buttons": message.buttons,
        "status": message.status,
        "attempts": message.attempts,
        "chat_id": message.chat_id,
        "telegram_message_id": message.telegram_message_id,
        "update_id": message.update_id,
        "reply_to_id": message.reply_to_id,
    }
