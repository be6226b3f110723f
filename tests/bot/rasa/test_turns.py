"""Sessions bounded by turns and by the end of an episode (bot.rasa.turns)."""

from __future__ import annotations

import pytest
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import (
    ActionExecuted,
    ActiveLoop,
    SessionStarted,
    SlotSet,
    UserUttered,
)
from rasa.shared.core.trackers import DialogueStateTracker

from bot.rasa.turns import max_turns, session_should_end

DOMAIN = Domain.from_yaml("""
version: "3.1"
intents: [greet]
slots:
  in_flare: {type: bool, mappings: [{type: custom}]}
  episode_id: {type: text, mappings: [{type: custom}]}
  crisis_active: {type: bool, mappings: [{type: custom}]}
forms:
  followup_form: {required_slots: []}
""")


def _tracker(events: list) -> DialogueStateTracker:  # type: ignore[type-arg]
    return DialogueStateTracker.from_events("p", events, DOMAIN.slots)


def _turns(count: int) -> list:  # type: ignore[type-arg]
    events = []
    for _ in range(count):
        events += [UserUttered("hi", {"name": "greet"}), ActionExecuted("action_listen")]
    return events


def test_a_long_quiet_session_ends_after_the_limit() -> None:
    assert not session_should_end(_tracker(_turns(39)), 40)
    assert session_should_end(_tracker(_turns(40)), 40)
    assert not session_should_end(_tracker(_turns(40)), 0)  # disabled
    # Only the turns since the last session start count.
    assert not session_should_end(_tracker(_turns(40) + [SessionStarted()] + _turns(3)), 40)


def test_never_cut_during_a_flare_a_crisis_or_a_form() -> None:
    assert not session_should_end(_tracker([SlotSet("in_flare", True)] + _turns(50)), 40)
    assert not session_should_end(_tracker([SlotSet("crisis_active", True)] + _turns(50)), 40)
    assert not session_should_end(_tracker([ActiveLoop("followup_form")] + _turns(50)), 40)


def test_the_session_ends_with_its_episode() -> None:
    opened = [SlotSet("episode_id", "12"), SlotSet("in_flare", True)]
    assert not session_should_end(_tracker(_turns(2) + opened + _turns(2)), 40)
    closed = opened + _turns(2) + [SlotSet("in_flare", False), SlotSet("episode_id", None)]
    assert session_should_end(_tracker(_turns(2) + closed), 40)


def test_the_limit_comes_from_the_environment() -> None:
    assert max_turns({}) == 40
    assert max_turns({"RASA_SESSION_MAX_TURNS": "12"}) == 12
    with pytest.raises(ValueError):
        max_turns({"RASA_SESSION_MAX_TURNS": "-1"})
