"""Shared plumbing for the custom actions: settings, database, time, message helpers."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.events import ActiveLoop, EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy import select
from sqlalchemy.orm import Session, SessionTransaction

from bot.clock import utcnow  # the actions' clock: tests patch ``common.utcnow``
from bot.content import Content, get_content
from bot.settings import Settings
from bot.store import episodes as episode_store
from bot.store.db import Database
from bot.store.models import Episode, Patient, SafetyFlag
from bot.store.patients import get_or_create_patient

logger = logging.getLogger(__name__)

# A crisis keeps the conversation on the crisis path (no reframes) for this long, even
# after a "no" or a new Rasa session.
CRISIS_WINDOW = timedelta(hours=24)

# The tool menu: (button key of content/buttons.yml, payload). ``TOOL_BUTTONS`` (read from
# here) is the same with the titles, see ``__getattr__``.
TOOL_BUTTON_KEYS: tuple[tuple[str, str], ...] = (
    ("tool_breathing", "/request_breathing"),
    ("tool_reframe", "/request_reframe"),
    ("tool_grounding", "/request_grounding"),
    ("tool_pacing", "/request_pacing"),
    ("tool_listen", "/just_listen"),
)

_state: dict[str, Any] = {}


@dataclass
class CallScope:
    """The action call the journal is running (``actions/journal.py``).

    Attributes:
        session: the call's one transaction; every :func:`transaction` of the action is
            this session (no savepoint), so the call's writes commit with its journal row.
        safety: the kinds of safety write (``crisis``, ``red_flag``) the call has made.
        kept: a savepoint begun after each safety write: if a later step fails, the
            journal rolls back to the last one and commits, so the flag is never lost.
    """

    session: Session
    safety: list[str] = field(default_factory=list)
    kept: list[SessionTransaction] = field(default_factory=list)

    def release(self) -> None:
        """End the savepoints (``RELEASE``) so the call's transaction can commit."""
        while self.kept:
            point = self.kept.pop()
            if point.is_active:
                point.commit()


CALL: ContextVar[CallScope | None] = ContextVar("flare_action_call", default=None)


def settings() -> Settings:
    """The action server's settings, read from the environment on first use."""
    if "settings" not in _state:
        _state["settings"] = Settings.from_env()
    return _state["settings"]


def database() -> Database:
    """The episode-log database, migrated on first use."""
    if "database" not in _state:
        db = Database.from_settings(settings())
        db.migrate()
        _state["database"] = db
    return _state["database"]


def content() -> Content:
    """The validated content files."""
    return get_content()


def titled(pairs: tuple[tuple[str, str], ...]) -> tuple[tuple[str, str], ...]:
    """(title, payload) pairs from (content/buttons.yml key, payload) pairs."""
    return content().titled(pairs)


def __getattr__(name: str) -> Any:
    """``TOOL_BUTTONS``: the tool menu's (title, payload) pairs, titles from buttons.yml."""
    if name == "TOOL_BUTTONS":
        return titled(TOOL_BUTTON_KEYS)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def reset() -> None:
    """Forget cached settings and database (tests point the actions at a new database)."""
    db = _state.pop("database", None)
    if db is not None:
        db.dispose()
    _state.clear()


@contextmanager
def transaction() -> Iterator[Session]:
    """A session inside one transaction, committed on success; when the journal runs the
    action call, the call's own transaction, committed with its answer (no savepoint: a
    failing block fails the whole call, see :func:`safety_write` for what survives)."""
    call = CALL.get()
    if call is not None:
        yield call.session
        return
    with database().sessions.begin() as session:
        yield session


@contextmanager
def safety_write(kind: str) -> Iterator[Session]:
    """Like :func:`transaction`, for a write that must outlive a later failure of the call:
    a crisis or red-flag flag (and so its coach alert, planned from the flag).

    In a journaled call the block's writes are flushed and a savepoint begins after it; if
    a later step of the action fails, the journal rolls back to that savepoint, keeps
    everything up to and including the flag, and answers with a holding reply
    (``actions/safety.py``, :func:`holding_reply`).
    """
    call = CALL.get()
    if call is None:
        with transaction() as session:
            yield session
        return
    yield call.session
    call.session.flush()
    call.safety.append(kind)
    call.kept.append(call.session.begin_nested())


def patient(session: Session, tracker: Tracker, now: datetime) -> Patient:
    """The patient behind this conversation (the sender id is their pseudonym)."""
    return get_or_create_patient(session, tracker.sender_id, now=now, defaults=settings())


def open_episode(session: Session, tracker: Tracker, now: datetime) -> Episode | None:
    """The patient's open episode, if one is still active (closes stale ones).

    Finding it counts as activity: the patient is still talking within this episode.
    """
    patient(session, tracker, now)
    return _active_episode(session, tracker, now)


def _active_episode(session: Session, tracker: Tracker, now: datetime) -> Episode | None:
    episode = episode_store.current_episode(
        session, tracker.sender_id, now, idle=settings().episode_idle
    )
    if episode is not None:
        episode_store.touch(session, episode, now)
    return episode


@dataclass(frozen=True)
class Turn:
    """The database side of one action run (valid inside :func:`turn` only)."""

    session: Session
    now: datetime
    patient: Patient
    episode: Episode | None = None


@contextmanager
def turn(tracker: Tracker, *, with_episode: bool = True) -> Iterator[Turn]:
    """How the actions begin: the time, one transaction, the patient, their open episode.

    With ``with_episode=False`` no episode is looked up (the action opens one itself).
    """
    now = utcnow()
    with transaction() as session:
        found = patient(session, tracker, now)
        episode = _active_episode(session, tracker, now) if with_episode else None
        yield Turn(session, now, found, episode)


def crisis_is_active(session: Session, tracker: Tracker, now: datetime) -> bool:
    """Whether this patient is on the crisis path: in this session or a recent flag."""
    if tracker.get_slot("crisis_active"):
        return True
    recent = session.execute(
        select(SafetyFlag.id)
        .where(SafetyFlag.patient_id == tracker.sender_id)
        .where(SafetyFlag.kind == "crisis")
        .where(SafetyFlag.created_at >= now - CRISIS_WINDOW)
        .where(SafetyFlag.acknowledged_at.is_(None))
        .limit(1)
    ).first()
    return recent is not None


def latest_text(tracker: Tracker) -> str:
    """The text of the patient's latest message ("" for button payloads)."""
    text = tracker.latest_message.get("text") or ""
    return "" if text.startswith("/") else text


FLARE_FORMS = ("flare_form", "followup_form")


def leave_flare_form(tracker: Tracker) -> list[EventType]:
    """Events that end the 0-10 question of a flare when the patient said something else.

    The flare and follow-up forms take no fear statement, tool request, question or
    goodbye as their answer (``not_intent`` in ``domain/flare.yml``): the action that
    answers it instead ends the form, so the patient's next message is not taken as the
    number. The episode stays open; a tool run in a flare asks for the number again.
    """
    if (tracker.active_loop or {}).get("name") in FLARE_FORMS:
        return [ActiveLoop(None), SlotSet("requested_slot", None)]
    return []


MEDICINE_ANSWER = "utter_faq/medication"


def asks_about_medicine(tracker: Tracker) -> bool:
    """Whether the latest message is a medicine or dosing question (whatever else it is).

    The classifier saw the FAQ and the response selector picked the medicine answer; the
    SafetyNet may still have sent the message elsewhere (the despair question), and the
    pointer to the prescriber or pharmacist must not be lost on the way.
    """
    message = tracker.latest_message
    selector = ((message.get("response_selector") or {}).get("faq") or {}).get("response") or {}
    model_intent = (message.get("safety") or {}).get("model_intent")
    return model_intent == "faq" and selector.get("intent_response_key") == "faq/medication"


def entity_values(tracker: Tracker, name: str) -> list[str]:
    """All values of one entity in the latest message, in order, without repeats."""
    values: list[str] = []
    for entity in tracker.latest_message.get("entities") or []:
        value = entity.get("value")
        if entity.get("entity") == name and value is not None and str(value) not in values:
            values.append(str(value))
    return values


def tool_buttons(crisis: bool) -> list[dict[str, str]]:
    """The tool menu; no reframe while the patient is on the crisis path."""
    return buttons(
        [pair for pair in titled(TOOL_BUTTON_KEYS)
         if not (crisis and pair[1] == "/request_reframe")]
    )


def crisis_now(tracker: Tracker) -> bool:
    """Whether the patient is on the crisis path (opens its own transaction)."""
    with transaction() as session:
        return crisis_is_active(session, tracker, utcnow())


def buttons(pairs: tuple[tuple[str, str], ...] | list[tuple[str, str]]) -> list[dict[str, str]]:
    """Rasa buttons from (title, payload) pairs."""
    return [{"title": title, "payload": payload} for title, payload in pairs]


def pause(dispatcher: CollectingDispatcher, seconds: float) -> None:
    """Ask the client to wait before showing the next message (see docs/ARCHITECTURE.md)."""
    dispatcher.utter_message(json_message={"pause": round(float(seconds), 1)})


@dataclass(frozen=True)
class ToolUse:
    """What a tool action needs to know after logging its use."""

    in_flare: bool
    severity_start: int | None
    events: list[EventType]


def record_tool_use(tracker: Tracker, tool: str) -> ToolUse:
    """Log that ``tool`` was used on the open episode, if there is one.

    The returned events are the ones every tool action ends with: the open offer is
    answered, and the dialogue learns whether a flare episode is open.
    """
    with turn(tracker) as this:
        episode = this.episode
        if episode is not None:
            episode_store.use_tool(this.session, episode, tool)
        severity = episode.severity_start if episode is not None else None
    events = [SlotSet("pending_offer", None), *in_flare_events(episode)]
    return ToolUse(in_flare=episode is not None, severity_start=severity, events=events)


def in_flare_events(episode: Episode | None) -> list[EventType]:
    """Slot events that tell the dialogue whether a flare episode is open."""
    return [
        SlotSet("in_flare", episode is not None),
        SlotSet("episode_id", str(episode.id) if episode is not None else None),
    ]
