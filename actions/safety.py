"""Safety paths: crisis, the gentle safety question, possible medical emergencies.

Nothing here ever offers a reframe. Every path writes a safety flag for coach review and
ends any form that was running, so a crisis in the middle of a check-in is not taken as
an answer.
"""

from __future__ import annotations

from datetime import datetime

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ActiveLoop, EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict
from sqlalchemy.orm import Session

from actions import common
from bot.content import CrisisResources
from bot.nlu.safety_net import assess
from bot.store import episodes as episode_store

SAFE_BUTTONS = (("I'm safe right now", "/affirm"), ("I'm not safe", "/deny"))
THOUGHTS_BUTTONS = (("Yes, I am", "/affirm"), ("No, I'm not", "/deny"))
GROUNDING_OFFER = (("Yes, ground me", "/request_grounding"), ("Not now", "/deny"))


def end_form() -> list[EventType]:
    """Events that stop any running form."""
    return [ActiveLoop(None), SlotSet("requested_slot", None)]


def resources_text(resources: CrisisResources) -> str:
    """One message with the emergency number and the crisis line for the patient."""
    return resources.describe()


def _flag(session: Session, tracker: Tracker, kind: str, now: datetime) -> CrisisResources:
    """Write a safety flag on the patient's current episode; return their resources."""
    patient = common.patient(session, tracker, now)
    text = common.latest_text(tracker) or (tracker.latest_message.get("text") or "")
    episode = episode_store.current_episode(
        session, patient.id, now, idle=common.settings().episode_idle
    )
    episode_store.add_safety_flag(
        session, patient.id, kind, text, now, reasons=assess(text).reasons, episode=episode
    )
    return common.content().crisis_resources(patient.country)


def crisis_response(dispatcher: CollectingDispatcher, tracker: Tracker) -> list[EventType]:
    """Resources, an offer of grounding, and the question "are you safe right now?"."""
    now = common.utcnow()
    with common.transaction() as session:
        resources = _flag(session, tracker, "crisis", now)
    dispatcher.utter_message(
        text=(
            "Thank you for telling me. I'm really glad you did, and I'm taking it seriously. "
            "You don't have to carry this alone."
        )
    )
    dispatcher.utter_message(text=resources_text(resources))
    dispatcher.utter_message(text="Are you safe right now?", buttons=common.buttons(SAFE_BUTTONS))
    return [
        *end_form(),
        SlotSet("crisis_active", True),
        SlotSet("safety_question", "crisis"),
        SlotSet("pending_offer", None),
    ]


def not_safe_response(dispatcher: CollectingDispatcher, tracker: Tracker) -> list[EventType]:
    """The patient says they are not safe: urge help now and keep asking."""
    now = common.utcnow()
    with common.transaction() as session:
        resources = _flag(session, tracker, "crisis", now)
    dispatcher.utter_message(
        text=(
            f"Please call {resources.emergency} now, or ask someone near you to call for you. "
            "If you can, move away from anything you could use to hurt yourself."
        )
    )
    dispatcher.utter_message(text=resources_text(resources))
    dispatcher.utter_message(
        text="I'm staying here with you. Tell me when you've reached someone, or if you're "
        "safe now.",
        buttons=common.buttons(SAFE_BUTTONS),
    )
    return [SlotSet("crisis_active", True), SlotSet("safety_question", "crisis")]


def safe_now_response(dispatcher: CollectingDispatcher) -> list[EventType]:
    """The patient says they are safe: stay close and offer grounding."""
    dispatcher.utter_message(
        text=(
            "I'm glad you're safe right now. Those numbers are there any time, day or night, "
            "and you can come back to me whenever you need. Would a short grounding exercise "
            "help you feel steadier?"
        ),
        buttons=common.buttons(GROUNDING_OFFER),
    )
    # crisis_active stays on: one answer does not switch the crisis path off.
    return [SlotSet("safety_question", None), SlotSet("pending_offer", "grounding")]


def ask_safe_again(dispatcher: CollectingDispatcher) -> list[EventType]:
    """An unclear answer to "are you safe right now?": ask again, plainly."""
    dispatcher.utter_message(
        text="I want to be sure I understand. Are you safe right now?",
        buttons=common.buttons(SAFE_BUTTONS),
    )
    return [SlotSet("safety_question", "crisis")]


def ask_thoughts_again(dispatcher: CollectingDispatcher) -> list[EventType]:
    """An unclear answer to the despair question: ask again, plainly."""
    dispatcher.utter_message(
        text=(
            "I want to be sure I understand. Are you having thoughts of ending your life or "
            "hurting yourself?"
        ),
        buttons=common.buttons(THOUGHTS_BUTTONS),
    )
    return [SlotSet("safety_question", "despair")]


class ActionCrisisResponse(Action):
    """Self-harm or suicidal language: resources, safety check, coach flag."""

    def name(self) -> str:
        return "action_crisis_response"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        return crisis_response(dispatcher, tracker)


class ActionSafetyQuestion(Action):
    """Ambiguous despair: validate and ask plainly about thoughts of self-harm."""

    def name(self) -> str:
        return "action_safety_question"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        now = common.utcnow()
        with common.transaction() as session:
            _flag(session, tracker, "despair_check", now)
        dispatcher.utter_message(
            text=(
                "That sounds exhausting. Living with pain that keeps coming back can wear "
                "anyone down, and it makes sense that you feel this way."
            )
        )
        dispatcher.utter_message(
            text=(
                "I'd like to ask you something directly, because it matters: are you having "
                "thoughts of ending your life or hurting yourself?"
            ),
            buttons=common.buttons(THOUGHTS_BUTTONS),
        )
        return [*end_form(), SlotSet("safety_question", "despair"), SlotSet("pending_offer", None)]


class ActionRedFlag(Action):
    """Possible medical emergency: seek urgent care now, flag for the coach."""

    def name(self) -> str:
        return "action_red_flag"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        now = common.utcnow()
        with common.transaction() as session:
            resources = _flag(session, tracker, "red_flag", now)
        dispatcher.utter_message(
            text=(
                "What you're describing could be a medical emergency, and it needs checking "
                "by a doctor now, not later."
            )
        )
        dispatcher.utter_message(
            text=(
                f"Please seek urgent care now: call {resources.emergency} or go to the nearest "
                "emergency department. If you're alone, ask someone to stay with you."
            )
        )
        dispatcher.utter_message(
            text="I've flagged this for your coach too. Please don't wait to see if it passes."
        )
        return [*end_form(), SlotSet("pending_offer", None)]
