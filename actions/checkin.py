"""The evening check-in: pain, sleep, stress, pacing, practice minutes, a note."""

from __future__ import annotations

import re
from typing import Any
from zoneinfo import ZoneInfo

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions import common
from actions.flare import is_skip
from bot.nlu.extract import parse_score
from bot.store.checkins import save_checkin

SKIPPED = "skip"
CHECKIN_SLOTS = (
    "checkin_pain",
    "checkin_sleep",
    "checkin_stress",
    "checkin_paced",
    "checkin_practice",
    "checkin_note",
)
MAX_NOTE_CHARS = 1000
MAX_PRACTICE_MINUTES = 24 * 60

_YES = re.compile(r"^(y|yes|yeah|yep|yup|yas|sure|i did|did|mostly|kind of|kinda|sort of|👍)\b")
_NO = re.compile(
    r"^(n|no|nope|nah|not really|not at all|(i )?didn'?t|(i )?did not|(i )?haven'?t|👎)\b"
)
_WORD_MINUTES = {
    "none": 0,
    "no": 0,
    "nothing": 0,
    "zero": 0,
    "nil": 0,
    "half an hour": 30,
    "an hour": 60,
    "one hour": 60,
    "a few minutes": 5,
    "a couple of minutes": 2,
}
_MINUTES = re.compile(r"^(\d{1,4})(?:\s*(?:m|min|mins|minute|minutes))?$")
_HOURS = re.compile(r"^(\d{1,2}(?:\.\d)?)\s*(?:h|hr|hrs|hour|hours)$")


def _clean(value: Any) -> str:
    return " ".join(str(value or "").lower().replace("’", "'").strip(" .!?").split())


def parse_yes_no(text: str) -> bool | None:
    """True for yes-like answers, False for no-like ones, None otherwise."""
    cleaned = _clean(text)
    if _NO.match(cleaned):
        return False
    if _YES.match(cleaned):
        return True
    return None


def parse_minutes(text: str) -> int | None:
    """Minutes of practice from "10", "10 min", "half an hour", "1 hour", "none"."""
    cleaned = _clean(text).removeprefix("about ").removeprefix("around ")
    if cleaned in _WORD_MINUTES:
        return _WORD_MINUTES[cleaned]
    if match := _MINUTES.match(cleaned):
        minutes = int(match.group(1))
    elif match := _HOURS.match(cleaned):
        minutes = round(float(match.group(1)) * 60)
    else:
        return None
    return minutes if 0 <= minutes <= MAX_PRACTICE_MINUTES else None


class ActionStartCheckin(Action):
    """Clear the previous answers before the check-in form starts."""

    def name(self) -> str:
        return "action_start_checkin"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        return [SlotSet(slot, None) for slot in CHECKIN_SLOTS]


class ValidateCheckinForm(FormValidationAction):
    """Check each answer; re-ask clearly when it does not fit; accept "skip"."""

    def name(self) -> str:
        return "validate_checkin_form"

    @staticmethod
    def _score(slot: str, value: Any, dispatcher: CollectingDispatcher) -> dict[str, Any]:
        if value is None:
            return {slot: None}
        if is_skip(str(value)):
            return {slot: SKIPPED}
        score = parse_score(str(value or ""))
        if score is None:
            dispatcher.utter_message(text=common.content().phrase("checkin_score_retry"))
            return {slot: None}
        return {slot: score}

    def validate_checkin_pain(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        return self._score("checkin_pain", value, dispatcher)

    def validate_checkin_sleep(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        return self._score("checkin_sleep", value, dispatcher)

    def validate_checkin_stress(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        return self._score("checkin_stress", value, dispatcher)

    def validate_checkin_paced(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        if value is None:
            return {"checkin_paced": None}
        if is_skip(str(value)):
            return {"checkin_paced": SKIPPED}
        answer = parse_yes_no(str(value or ""))
        if answer is None:
            intent = tracker.get_intent_of_latest_message()
            answer = {"affirm": True, "deny": False}.get(intent or "")
        if answer is None:
            dispatcher.utter_message(text=common.content().phrase("checkin_yes_no_retry"))
            return {"checkin_paced": None}
        return {"checkin_paced": answer}

    def validate_checkin_practice(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        if value is None:
            return {"checkin_practice": None}
        if is_skip(str(value)):
            return {"checkin_practice": SKIPPED}
        minutes = parse_minutes(str(value or ""))
        if minutes is None:
            dispatcher.utter_message(text=common.content().phrase("checkin_minutes_retry"))
            return {"checkin_practice": None}
        return {"checkin_practice": minutes}

    def validate_checkin_note(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        if value is None:
            return {"checkin_note": None}
        text = str(value).strip()
        if not text or is_skip(text) or _clean(text) in {"no", "nope", "nothing", "none", "n/a"}:
            return {"checkin_note": SKIPPED}
        return {"checkin_note": text[:MAX_NOTE_CHARS]}


def _value(tracker: Tracker, slot: str) -> Any:
    value = tracker.get_slot(slot)
    return None if value in (None, SKIPPED) else value


class ActionSaveCheckin(Action):
    """Save the check-in for the patient's local day and thank them."""

    def name(self) -> str:
        return "action_save_checkin"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        with common.turn(tracker, with_episode=False) as this:
            session, now, patient = this.session, this.now, this.patient
            local_date = now.astimezone(ZoneInfo(patient.timezone)).date()
            practice = _value(tracker, "checkin_practice")
            pain = _value(tracker, "checkin_pain")
            save_checkin(
                session,
                patient.id,
                now,
                local_date,
                pain=None if pain is None else int(pain),
                sleep=None
                if _value(tracker, "checkin_sleep") is None
                else int(_value(tracker, "checkin_sleep")),
                stress=None
                if _value(tracker, "checkin_stress") is None
                else int(_value(tracker, "checkin_stress")),
                paced=_value(tracker, "checkin_paced"),
                practice_minutes=None if practice is None else int(practice),
                note=_value(tracker, "checkin_note"),
            )
        dispatcher.utter_message(text=common.content().validation("checkin_done"))
        if practice:
            dispatcher.utter_message(
                text=common.content().phrase("checkin_practice_done", minutes=int(practice))
            )
        return [SlotSet(slot, None) for slot in CHECKIN_SLOTS]
