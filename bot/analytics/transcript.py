"""An episode's transcript from the message log, with the NLU intent of each patient message.

The gateway logs messages before Rasa sees them, so the message that opened a flare is a
moment older than the episode: the transcript starts at the last patient message at or
before ``started_at`` (if it is within ``LEAD_IN``) and runs until the episode ended (or
was last active), plus the bot's replies that follow, up to the next patient message.

Intents come from Rasa's tracker store (the ``events`` table in the same database, written
by Rasa, read here with SQLAlchemy Core and bound parameters only). The gateway sends each
message's log id to Rasa in the metadata (``METADATA_MESSAGE_ID``), and Rasa keeps it on the
user event, so a user event joins its logged message on that id. Events without it (written
before the id was sent) are matched, in order, to the inbound message with the same text
that Rasa got, within ``MATCH_SLACK`` of the clocks.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Column, Float, Integer, MetaData, String, Table, Text, inspect, select
from sqlalchemy.orm import Session

from bot.store.messages import IN, METADATA_MESSAGE_ID, Message
from bot.store.models import Episode

LEAD_IN = timedelta(minutes=10)
TAIL = timedelta(minutes=10)
MATCH_SLACK = timedelta(seconds=5)  # clocks of the gateway and Rasa
RASA_DELAY = timedelta(hours=1)  # a message may wait for Rasa (pending_retry)

# Rasa 3.6's SQLTrackerStore table; a separate MetaData keeps it out of our migrations.
rasa_metadata = MetaData()
rasa_events = Table(
    "events",
    rasa_metadata,
    Column("id", Integer, primary_key=True),
    Column("sender_id", String(255), nullable=False, index=True),
    Column("type_name", String(255), nullable=False),
    Column("timestamp", Float),
    Column("intent_name", String(255)),
    Column("action_name", String(255)),
    Column("data", Text),
)


@dataclass(frozen=True)
class Line:
    """One transcript line."""

    message: Message
    intent: str | None = None
    confidence: float | None = None

    @property
    def inbound(self) -> bool:
        """Whether the patient wrote it."""
        return self.message.direction == IN


@dataclass(frozen=True)
class UserEvent:
    """A patient message as Rasa parsed it."""

    at: datetime
    text: str
    intent: str | None
    confidence: float | None
    message_id: int | None = None  # the logged inbound message, from the metadata


def _window(session: Session, episode: Episode) -> tuple[datetime, datetime]:
    start = episode.started_at
    opener = session.execute(
        select(Message.created_at)
        .where(
            Message.patient_id == episode.patient_id,
            Message.direction == IN,
            Message.created_at <= episode.started_at,
            Message.created_at >= episode.started_at - LEAD_IN,
        )
        .order_by(Message.created_at.desc(), Message.id.desc())
        .limit(1)
    ).scalar_one_or_none()
    if opener is not None:
        start = opener
    end = episode.ended_at or episode.last_activity_at
    next_inbound = session.execute(
        select(Message.created_at)
        .where(
            Message.patient_id == episode.patient_id,
            Message.direction == IN,
            Message.created_at > end,
        )
        .order_by(Message.created_at, Message.id)
        .limit(1)
    ).scalar_one_or_none()
    limit = end + TAIL
    if next_inbound is not None and next_inbound < limit:
        limit = next_inbound - timedelta(microseconds=1)
    return start, limit


def user_events(
    session: Session, sender_id: str, first: datetime, last: datetime
) -> list[UserEvent]:
    """Rasa's parsed user messages of ``sender_id`` in a time range; empty without Rasa."""
    connection = session.connection()
    if not inspect(connection).has_table("events"):
        return []
    rows = connection.execute(
        select(rasa_events.c.timestamp, rasa_events.c.data)
        .where(
            rasa_events.c.sender_id == sender_id,
            rasa_events.c.type_name == "user",
            rasa_events.c.timestamp >= first.timestamp(),
            rasa_events.c.timestamp <= last.timestamp(),
        )
        .order_by(rasa_events.c.timestamp, rasa_events.c.id)
    ).all()
    events = []
    for timestamp, raw in rows:
        try:
            data = json.loads(raw or "{}")
        except ValueError:
            continue
        intent = (data.get("parse_data") or {}).get("intent") or {}
        confidence = intent.get("confidence")
        message_id = (data.get("metadata") or {}).get(METADATA_MESSAGE_ID)
        events.append(
            UserEvent(
                at=datetime.fromtimestamp(timestamp, first.tzinfo),
                text=str(data.get("text") or ""),
                intent=intent.get("name"),
                confidence=float(confidence) if isinstance(confidence, (int, float)) else None,
                message_id=message_id if isinstance(message_id, int) else None,
            )
        )
    return events


def episode_transcript(session: Session, episode: Episode) -> list[Line]:
    """Every logged message of the episode, oldest first, with intents where known."""
    start, limit = _window(session, episode)
    messages = list(
        session.execute(
            select(Message)
            .where(
                Message.patient_id == episode.patient_id,
                Message.created_at >= start,
                Message.created_at <= limit,
            )
            .order_by(Message.created_at, Message.id)
        ).scalars()
    )
    events = user_events(
        session, episode.patient_id, start - MATCH_SLACK, limit + RASA_DELAY
    )
    by_id = {event.message_id: event for event in events if event.message_id is not None}
    unlabelled = [event for event in events if event.message_id is None]
    lines = []
    for message in messages:
        if message.direction != IN:
            lines.append(Line(message))
            continue
        match = by_id.get(message.id)
        if match is None:
            match = _match_by_text(message, unlabelled)
            if match is not None:
                unlabelled = unlabelled[unlabelled.index(match) + 1 :]
        if match is None:
            lines.append(Line(message))
            continue
        lines.append(Line(message, match.intent, match.confidence))
    return lines


def _match_by_text(message: Message, events: list[UserEvent]) -> UserEvent | None:
    """The first event with the text Rasa got, not before the message (older events)."""
    sent = message.payload or message.text or ""
    return next(
        (
            event
            for event in events
            if event.text == sent and event.at >= message.created_at - MATCH_SLACK
        ),
        None,
    )
