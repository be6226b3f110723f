"""Grounding (5-4-3-2-1) and graded-texture ideas for touch sensitivity."""

from __future__ import annotations

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions import common, red_flag

# Time to notice things between two grounding steps.
STEP_PAUSE_SECONDS = 8.0


class ActionGrounding(Action):
    """Walk through 5-4-3-2-1, one sense per message, with time to notice."""

    def name(self) -> str:
        return "action_grounding"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        events = common.record_tool_use(tracker, "grounding").events
        red_flag.remind(dispatcher, tracker)  # after a red flag: the advice first
        grounding = common.content().grounding
        dispatcher.utter_message(text=grounding.intro)
        for step in grounding.steps:
            common.pause(dispatcher, 2.0)
            dispatcher.utter_message(text=step.text)
            common.pause(dispatcher, STEP_PAUSE_SECONDS)
        dispatcher.utter_message(text=grounding.close)
        return events


# (button key of content/buttons.yml, payload)
CALM_FIRST_KEYS = (
    ("calm_breathing", "/request_breathing"), ("calm_grounding", "/request_grounding")
)


class ActionDesensitization(Action):
    """Gentle graded-texture ideas for skin that hurts to touch."""

    def name(self) -> str:
        return "action_desensitization"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        now = common.utcnow()
        with common.transaction() as session:
            episode = common.open_episode(session, tracker, now)
        if episode is not None:  # a calm moment, not mid-flare: breathing or grounding now
            dispatcher.utter_message(
                text=common.content().desensitization.in_flare,
                buttons=common.buttons(common.titled(CALM_FIRST_KEYS)),
            )
            return [SlotSet("pending_offer", None), *common.in_flare_events(episode)]
        events = common.record_tool_use(tracker, "desensitization").events
        for message in common.content().desensitization.messages():
            dispatcher.utter_message(text=message)
        return events
