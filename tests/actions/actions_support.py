"""Helpers for the action tests: trackers, running actions, reading what was sent and stored.

Used as in the Rasa financial-demo ``tests/test_actions.py``: build a ``Tracker`` and a
``CollectingDispatcher``, run the action, then look at the events, the messages and the
database rows.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict
from sqlalchemy import select

from actions import common
from actions.flare import ActionStartFlare

SENDER = "p-test-actions"
FLARE_TEXT = "my lower back is at a 7 after a terrible night's sleep"
T = TypeVar("T")


def make_tracker(
    text: str = "",
    intent: str | None = None,
    *,
    entities: Iterable[dict[str, Any]] = (),
    slots: dict[str, Any] | None = None,
    events: list[dict[str, Any]] | None = None,
    active_loop: str | None = None,
    sender_id: str = SENDER,
) -> Tracker:
    """A tracker whose latest user message is ``text`` classified as ``intent``."""
    ranking = [{"name": intent, "confidence": 1.0}] if intent else []
    latest_message: dict[str, Any] = {
        "text": text,
        "intent": ranking[0] if ranking else {},
        "intent_ranking": ranking,  # what Tracker.get_intent_of_latest_message reads
        "entities": list(entities),
    }
    user_event = {"event": "user", "text": text, "parse_data": latest_message}
    return Tracker(
        sender_id,
        dict(slots or {}),
        latest_message,
        [user_event, *(events or [])],
        False,
        None,
        {"name": active_loop} if active_loop else {},
        "action_listen",
    )


def entity(name: str, value: str) -> dict[str, Any]:
    """One extracted entity, as the rule extractor reports it."""
    return {"entity": name, "value": value, "extractor": "SpacyRuleExtractor"}


FLARE_ENTITIES = [
    entity("severity", "7"),
    entity("location", "lower back"),
    entity("trigger", "poor_sleep"),
]


async def run(
    action: Action, tracker: Tracker, domain: DomainDict | None = None
) -> tuple[list[EventType], CollectingDispatcher]:
    """Run ``action`` and return its events and the dispatcher with the messages it sent."""
    dispatcher = CollectingDispatcher()
    events = await action.run(dispatcher, tracker, domain or {})
    return events, dispatcher


async def start_flare(
    text: str = FLARE_TEXT, entities: list[dict[str, Any]] | None = None
) -> list[EventType]:
    """Run action_start_flare on a flare report (default: a 7 in the lower back)."""
    tracker = make_tracker(
        text, "report_flare", entities=FLARE_ENTITIES if entities is None else entities
    )
    events, _ = await run(ActionStartFlare(), tracker)
    return events


def slot_changes(events: Iterable[EventType]) -> dict[str, Any]:
    """The slots set by ``events`` (the last value wins)."""
    return {e["name"]: e["value"] for e in events if e.get("event") == "slot"}


def apply(slots: dict[str, Any], events: Iterable[EventType]) -> dict[str, Any]:
    """A copy of ``slots`` after the SlotSet events (what Rasa would keep for the next turn)."""
    return {**slots, **slot_changes(events)}


def event_names(events: Iterable[EventType]) -> list[str]:
    """The ``event`` field of each event, in order."""
    return [e["event"] for e in events]


def texts(dispatcher: CollectingDispatcher) -> list[str]:
    """The text of every text message sent, in order."""
    return [m["text"] for m in dispatcher.messages if m.get("text")]


def pauses(dispatcher: CollectingDispatcher) -> list[float]:
    """The seconds of every ``{"pause": seconds}`` custom message, in order."""
    return [m["custom"]["pause"] for m in dispatcher.messages if "pause" in (m["custom"] or {})]


def payloads(message: dict[str, Any]) -> list[str]:
    """The button payloads of one message."""
    return [button["payload"] for button in message.get("buttons") or []]


def with_buttons(dispatcher: CollectingDispatcher) -> list[dict[str, Any]]:
    """The messages that carry buttons."""
    return [m for m in dispatcher.messages if m.get("buttons")]


def all_reframe_texts() -> set[str]:
    """Every reframe text in ``content/reframes.yml``."""
    return {r.text for pool in common.content().reframes.values() for r in pool}


def rows(model: type[T], **where: Any) -> list[T]:
    """All rows of ``model`` (optionally filtered by column equality), oldest id first."""
    statement = select(model)
    for column, value in where.items():
        statement = statement.where(getattr(model, column) == value)
    with common.database().sessions() as session:
        return list(session.execute(statement.order_by(model.id)).scalars())  # type: ignore[attr-defined]


@dataclass
class Conversation:
    """A sequence of turns for one patient, carrying the slots from turn to turn."""

    domain: DomainDict
    slots: dict[str, Any] = field(default_factory=dict)
    sender_id: str = SENDER

    async def turn(
        self,
        action: Action,
        text: str = "",
        intent: str | None = None,
        entities: Iterable[dict[str, Any]] = (),
    ) -> tuple[list[EventType], CollectingDispatcher]:
        """Run ``action`` on a new user message and keep the slots it sets."""
        tracker = make_tracker(
            text, intent, entities=entities, slots=self.slots, sender_id=self.sender_id
        )
        events, dispatcher = await run(action, tracker, self.domain)
        self.slots = apply(self.slots, events)
        return events, dispatcher
