"""A slim tracker in every custom-action call (applied with the components).

Rasa 3.6 sends the action server the whole tracker, every event of the conversation
serialised (``RemoteAction._action_call_format`` with ``EventVerbosity.ALL``), on every
custom-action call, so a call costs more the longer the session. Our actions (``actions/``)
read only

- ``slots``, ``latest_message`` (intent, ranking, entities, text, metadata, ``safety``),
  ``sender_id``, ``active_loop``; rasa-sdk's ``get_intent_of_latest_message`` reads
  ``latest_message`` only;
- and, through rasa-sdk's ``FormValidationAction``, ``slots_to_validate()``: the run of
  ``slot`` events at the end of ``events`` (Rasa appends the slot candidates there).

No action reads older events (no ``tracker.events``, ``events_after_latest_restart``,
``get_last_event_for`` or previous bot utterances in ``actions/``). So the call carries the
full state without the history: ``events`` holds only the current turn, from the latest
user message (or, before any, the latest session start) to the end; everything else
(slots, latest message, active loop, latest action, input channel, paused, follow-up
action) is Rasa's own ``current_state``. ``tests/bot/rasa/test_slim_tracker.py`` runs every
action call of the test conversations with both trackers and compares the answers.

``RASA_SLIM_TRACKER=0`` sends the whole tracker again, as Rasa does (for A/B runs).
"""

from __future__ import annotations

import os
from typing import Any

import rasa
from rasa.core.actions.action import RemoteAction
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import Event, SessionStarted, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker, EventVerbosity

SLIM_ENV = "RASA_SLIM_TRACKER"  # "0": the whole tracker, as Rasa sends it

_original_action_call_format = RemoteAction._action_call_format


def slim_enabled(env: dict[str, str] | None = None) -> bool:
    """Whether action calls carry the slim tracker (``RASA_SLIM_TRACKER`` is not "0")."""
    return (env if env is not None else os.environ).get(SLIM_ENV, "").strip() != "0"


def current_turn(events: list[Event]) -> list[Event]:
    """The events from the latest user message (else session start) to the end."""
    for index in range(len(events) - 1, -1, -1):
        if isinstance(events[index], UserUttered):
            return events[index:]
    for index in range(len(events) - 1, -1, -1):
        if isinstance(events[index], SessionStarted):
            return events[index:]
    return list(events)


def slim_state(tracker: DialogueStateTracker) -> dict[str, Any]:
    """``tracker.current_state`` with only the current turn's events."""
    state = tracker.current_state(EventVerbosity.NONE)
    state["events"] = [event.as_dict() for event in current_turn(list(tracker.events))]
    return state


def _action_call_format(
    self: RemoteAction, tracker: DialogueStateTracker, domain: Domain
) -> dict[str, Any]:
    if not slim_enabled():
        return _original_action_call_format(self, tracker, domain)
    result: dict[str, Any] = {
        "next_action": self._name,
        "sender_id": tracker.sender_id,
        "tracker": slim_state(tracker),
        "version": rasa.__version__,
    }
    if not self._is_selective_domain_enabled() or domain.does_custom_action_explicitly_need_domain(
        self.name()
    ):
        result["domain"] = domain.as_dict()
    return result


def apply() -> None:
    """Install the slim call format on Rasa's RemoteAction (idempotent)."""
    RemoteAction._action_call_format = _action_call_format
