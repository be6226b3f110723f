"""Guided breathing with a longer out-breath, sent as short messages with real pauses."""

from __future__ import annotations

from collections.abc import Sequence

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions import common, red_flag
from bot.content import BreathingScript

# At or above this severity the shorter, gentler script is used.
HIGH_SEVERITY = 8


def choose_script(scripts: Sequence[BreathingScript], severity: float | None) -> BreathingScript:
    """The gentle script for high pain, the standard one otherwise."""
    if severity is not None and severity >= HIGH_SEVERITY and len(scripts) > 1:
        return min(scripts, key=lambda script: script.inhale + script.exhale)
    return scripts[0]


def send_script(dispatcher: CollectingDispatcher, script: BreathingScript) -> None:
    """Intro, one inhale and one exhale cue per round, each followed by its pause."""
    for step in script.steps():
        dispatcher.utter_message(text=step.text)
        if step.pause > 0:
            common.pause(dispatcher, step.pause)


class ActionBreathing(Action):
    """A paced breathing exercise, then a check on how the patient feels."""

    def name(self) -> str:
        return "action_breathing"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        use = common.record_tool_use(tracker, "breathing")
        # After a red flag, the advice comes first: breathing while waiting, not instead.
        red_flag.remind(dispatcher, tracker, breathing=True)
        send_script(dispatcher, choose_script(common.content().breathing, use.severity_start))
        if not use.in_flare:
            dispatcher.utter_message(text=common.content().phrase("breathing_done"))
        return use.events
