"""Medical red flags in two tiers, and the red-flag state for the rest of the conversation.

``emergency`` (the emergency number now) or ``urgent`` (a same-day check, with the
country's same-day care from crisis_lines.yml), from ``safety.tier`` (unknown →
emergency). The slots ``red_flag_active`` and ``red_flag_tier`` stay set for the rest of
the conversation: reframes that reassure about the body are replaced by
:func:`no_reassurance`, and a tool asked for afterwards (breathing, grounding, a flare
report that plays it down) first repeats the advice with its reason (:func:`remind`):
breathing is offered while the patient waits for help, never instead of it.
"""

from __future__ import annotations

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ActiveLoop, EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions import common
from actions import triage_logic as logic
from actions.triage_texts import texts
from bot.content import CrisisResources
from bot.store import safety as flags


def active(tracker: Tracker) -> bool:
    """Whether a red flag was raised earlier in this conversation."""
    return bool(tracker.get_slot("red_flag_active"))


def _resources(tracker: Tracker) -> CrisisResources:
    with common.transaction() as session:
        patient = common.patient(session, tracker, common.utcnow())
        return common.content().crisis_resources(patient.country)


def remind(dispatcher: CollectingDispatcher, tracker: Tracker, breathing: bool = False) -> bool:
    """Repeat the red-flag advice with its reason, if a red flag is active.

    Returns whether it was repeated. With ``breathing``, adds that the exercise is there
    while the patient waits for help, not instead of it.
    """
    if not active(tracker):
        return False
    tier = tracker.get_slot("red_flag_tier") or "emergency"
    dispatcher.utter_message(text=texts().get(f"red_flag.reminder_{tier}", _resources(tracker)))
    if breathing:
        dispatcher.utter_message(text=texts().get("red_flag.while_waiting"))
    return True


def no_reassurance(dispatcher: CollectingDispatcher, tracker: Tracker) -> list[EventType]:
    """Instead of a reframe about the body after a red flag: no guessing, the advice again."""
    dispatcher.utter_message(text=texts().get("red_flag.no_reassurance"))
    remind(dispatcher, tracker)
    return [SlotSet("pending_offer", None)]


class ActionRedFlag(Action):
    """Possible medical emergency or a same-day problem: the right advice, a flag."""

    def name(self) -> str:
        return "action_red_flag"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        safety = tracker.latest_message.get("safety")
        tier = logic.red_flag_tier(safety if isinstance(safety, dict) else None)
        previous = tracker.get_slot("red_flag_tier")
        if previous == "emergency":
            tier = "emergency"  # a later, milder message does not lower the advice
        now = common.utcnow()
        with common.safety_write("red_flag") as session:
            patient = common.patient(session, tracker, now)
            episode = common.open_episode(session, tracker, now)
            flags.create_flag(
                session,
                patient.id,
                "red_flag",
                common.latest_text(tracker),
                now,
                level=tier,
                reasons=(safety or {}).get("reasons") or [] if isinstance(safety, dict) else [],
                episode=episode,
            )
            country = patient.country
        with common.transaction() as session:  # after the flag: a failure here keeps it
            resources = common.content().crisis_resources(country)
            coach = flags.has_coach(session, tracker.sender_id)
        t = texts()
        dispatcher.utter_message(text=t.get(f"red_flag.{tier}_intro", resources))
        dispatcher.utter_message(text=t.get(f"red_flag.{tier}_action", resources))
        dispatcher.utter_message(
            text=t.get("coach.red_flag") if coach else t.get("red_flag.dont_wait")
        )
        return [
            ActiveLoop(None),
            SlotSet("requested_slot", None),
            SlotSet("pending_offer", None),
            SlotSet("red_flag_active", True),
            SlotSet("red_flag_tier", tier),
        ]
