"""Pacing plans for boom-and-bust days, with an optional break reminder."""

from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions import common
from bot.store.schedule import schedule_reminder

REMINDER_MINUTES = 25
REMINDER_OFFER_KEYS = (("remind_yes", "/affirm"), ("remind_no", "/deny"))  # buttons.yml keys


class ActionPacing(Action):
    """Split the task, time-box it, rest before the pain rises; offer a reminder."""

    def name(self) -> str:
        return "action_pacing"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        use = common.record_tool_use(tracker, "pacing")
        # No "great that you've got some energy" in a flare, after despair or a red flag.
        gentle = (
            use.in_flare
            or tracker.get_slot("triage_route") == "none"
            or bool(tracker.get_slot("red_flag_active"))
            or common.crisis_now(tracker)
        )
        for message in common.content().pacing.messages(gentle=gentle):
            dispatcher.utter_message(text=message)
        dispatcher.utter_message(
            text=common.content().phrase("pacing_reminder_offer", minutes=REMINDER_MINUTES),
            buttons=common.buttons(common.titled(REMINDER_OFFER_KEYS)),
        )
        # The open offer is now the reminder: it comes after the tool's own events.
        return [
            *common.leave_flare_form(tracker),
            *use.events,
            SlotSet("pending_offer", "pacing_reminder"),
            SlotSet("pacing_minutes", float(REMINDER_MINUTES)),
        ]


def schedule_pacing_reminder(dispatcher: CollectingDispatcher, tracker: Tracker) -> list[EventType]:
    """Store the break reminder the patient said yes to and confirm it in their time."""
    minutes = float(tracker.get_slot("pacing_minutes") or REMINDER_MINUTES)
    with common.turn(tracker, with_episode=False) as this:
        patient, now = this.patient, this.now
        due = now + timedelta(minutes=minutes)
        text = common.content().phrase("pacing_reminder")
        schedule_reminder(this.session, patient.id, due, text, now=now)
        local = due.astimezone(ZoneInfo(patient.timezone))
    dispatcher.utter_message(
        text=common.content().phrase("pacing_reminder_set", time=f"{local:%H:%M}")
    )
    return [SlotSet("pending_offer", None), SlotSet("pacing_minutes", None)]
