"""Answers to "are you safe right now?", asked at the end of every triage.

The crisis entry and the triage live in actions/triage.py and actions/triage_outcome.py,
red flags in actions/red_flag.py, the despair question in actions/triage_outcome.py.
:func:`holding_reply` is the answer of a call that failed after its safety write
(actions/journal.py). Nothing here ever offers a reframe.
"""

from __future__ import annotations

import logging
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.events import ActiveLoop, EventType, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions import common
from actions.red_flag import ActionRedFlag
from actions.triage import ActionCrisisResponse, write_crisis_flag
from actions.triage_outcome import ActionSafetyQuestion, level_response, safe_buttons
from actions.triage_texts import texts
from bot.content import CrisisResources
from bot.store.models import Patient

logger = logging.getLogger(__name__)

# The safety actions, importable from here as before the triage moved them.
__all__ = ["ActionCrisisResponse", "ActionRedFlag", "ActionSafetyQuestion"]

# (button key of content/buttons.yml, payload).
GROUNDING_OFFER_KEYS = (("ground_yes", "/request_grounding"), ("not_now", "/deny"))


def __getattr__(name: str) -> tuple[tuple[str, str], ...]:
    """``SAFE_BUTTONS``: the safety question's (title, payload) pairs (content/triage.yml)."""
    if name == "SAFE_BUTTONS":
        return tuple((button["title"], button["payload"]) for button in safe_buttons())
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def end_form() -> list[EventType]:
    """Events that stop any running form."""
    return [ActiveLoop(None), SlotSet("requested_slot", None)]


def not_safe_response(dispatcher: CollectingDispatcher, tracker: Tracker) -> list[EventType]:
    """The patient says they are not safe: the level is high, the emergency number first."""
    write_crisis_flag(tracker, "high")
    return level_response(dispatcher, tracker, "high")


def safe_now_response(dispatcher: CollectingDispatcher) -> list[EventType]:
    """The patient says they are safe: stay close and offer grounding."""
    dispatcher.utter_message(
        text=texts().get("outcome.safe_now"),
        buttons=common.buttons(common.titled(GROUNDING_OFFER_KEYS)),
    )
    # crisis_active stays on: one answer does not switch the crisis path off.
    return [SlotSet("safety_question", None), SlotSet("pending_offer", "grounding")]


def ask_safe_again(dispatcher: CollectingDispatcher) -> list[EventType]:
    """An unclear answer to "are you safe right now?": ask again, plainly."""
    dispatcher.utter_message(
        text=texts().get("outcome.ask_safe_again"),
        buttons=safe_buttons(),
    )
    return [SlotSet("safety_question", "crisis")]


def answer_safety_question(
    dispatcher: CollectingDispatcher, tracker: Tracker, confident: bool
) -> list[EventType] | None:
    """Answer an open safety question, or None when none is open.

    "Are you safe right now?": only a confident yes is safe; a no is not safe; anything
    unclear is asked once more and then taken as not safe. The despair question, if it
    is somehow answered outside its form: anything but a clear no starts the triage.
    """
    from actions import triage_logic as logic
    from actions.triage import start_triage

    question = tracker.get_slot("safety_question")
    if question not in ("crisis", "despair"):
        return None
    text = tracker.latest_message.get("text") or ""
    answer = logic.classify_answer(text, tracker.get_intent_of_latest_message())
    if question == "despair":
        if answer == logic.NO:
            return None
        if answer == logic.UNSURE and not tracker.get_slot("despair_retry"):
            dispatcher.utter_message(text=texts().get("despair.retry"))
            return [SlotSet("despair_retry", True)]
        known = {"wish_dead": answer, "active_thoughts": answer}
        high = answer in (logic.ACT, logic.UNSAFE)
        events = start_triage(dispatcher, tracker, known, high_now=high)
        outcome = high or tracker.get_slot("triage_level") is not None
        follow = "action_triage_outcome" if outcome else "triage_form"
        return events + [FollowupAction(follow)]
    if answer == logic.UNSURE and logic.says_safe(text):
        answer, confident = logic.YES, True
    if answer == logic.YES and confident:
        return safe_now_response(dispatcher) + [SlotSet("triage_retry", None)]
    if answer in (logic.NO, logic.ACT, logic.UNSAFE) or tracker.get_slot("triage_retry") == "safe":
        return not_safe_response(dispatcher, tracker) + [SlotSet("triage_retry", None)]
    return ask_safe_again(dispatcher) + [SlotSet("triage_retry", "safe")]


def holding_reply(safety: list[str], tracker: dict[str, Any]) -> dict[str, Any]:
    """The answer when an action failed after its safety write (``actions/journal.py``).

    The flag is stored; the patient still gets the safety answer's core, in the words the
    full answer uses: a crisis (or a despair check: unclear is never a no) gets the
    opener, the line and "are you safe right now?" (its answer takes the crisis path); a
    red flag gets the emergency advice (an unknown tier is an emergency); someone else at
    risk gets their numbers. ``tracker`` is the call's tracker (a dict).
    """
    t = texts()
    resources = _resources_for(str(tracker.get("sender_id") or ""))
    dispatcher = CollectingDispatcher()
    events: list[EventType] = []
    if "red_flag" in safety:
        for key in ("red_flag.emergency_intro", "red_flag.emergency_action", "red_flag.dont_wait"):
            dispatcher.utter_message(text=t.get(key, resources))
        events += [SlotSet("red_flag_active", True), SlotSet("red_flag_tier", "emergency")]
    if "crisis" in safety or "despair_check" in safety:
        dispatcher.utter_message(text=t.get("opener"))
        dispatcher.utter_message(text=t.get("sos_line", resources))
        dispatcher.utter_message(text=t.get("outcome.ask_safe"), buttons=safe_buttons())
        events += [SlotSet("crisis_active", True), SlotSet("safety_question", "crisis")]
    elif "third_party" in safety:
        dispatcher.utter_message(text=t.get("third_party.numbers", resources))
        dispatcher.utter_message(text=t.get("third_party.about_you"))
    return {"events": [*end_form(), SlotSet("pending_offer", None), *events],
            "responses": dispatcher.messages}


def _resources_for(sender: str) -> CrisisResources:
    """The patient's country's numbers; the default ones if even that read fails (in a
    savepoint of the call's transaction, so a failed read cannot spoil the commit)."""
    call = common.CALL.get()
    country = None
    try:
        if call is not None:
            with call.session.begin_nested():
                found = call.session.get(Patient, sender)
                country = found.country if found is not None else None
        else:
            with common.transaction() as session:
                found = session.get(Patient, sender)
                country = found.country if found is not None else None
    except Exception:  # noqa: BLE001 - the holding reply must go out whatever failed
        logger.exception("holding reply: the patient's country could not be read")
    return common.content().crisis_resources(country)
