"""What follows the triage: the answer for each level, the despair question, and help for
someone else at risk.

Levels (actions/triage_logic.py): ``high`` puts the emergency number first, then the
crisis line and a request to move away from means; ``moderate`` and ``low`` give the
resources and an offer of the safety plan. Every level tells the patient their coach
knows only when a coach is assigned, and says honestly that the coach may not answer at
once. No reframe is ever offered here, and ``crisis_active`` keeps them off for the rest
of the conversation.
"""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ActiveLoop, EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions import common
from actions import triage_logic as logic
from actions.triage import (
    RED_FLAG_INTENT,
    KeepsSideSlots,
    answer_buttons,
    answers_from,
    start_triage,
    write_crisis_flag,
)
from actions.triage_texts import texts
from bot.content import CrisisResources
from bot.store import episodes as episode_store
from bot.store import safety as flags

SAFE_PAYLOADS = (("safe", "/affirm"), ("not_safe", "/deny"))


def safe_buttons() -> list[dict[str, str]]:
    """I'm safe right now / I'm not safe."""
    t = texts()
    return common.buttons([(t.get(f"safe_buttons.{key}"), p) for key, p in SAFE_PAYLOADS])


def _patient_context(tracker: Tracker) -> tuple[CrisisResources, bool]:
    """The patient's crisis resources and whether a coach is assigned to them."""
    with common.transaction() as session:
        patient = common.patient(session, tracker, common.utcnow())
        resources = common.content().crisis_resources(patient.country)
        return resources, flags.has_coach(session, patient.id)


def level_response(
    dispatcher: CollectingDispatcher, tracker: Tracker, level: str, act: bool = False
) -> list[EventType]:
    """Say what the level calls for; the last message asks whether the patient is safe."""
    t = texts()
    resources, coach = _patient_context(tracker)
    if level == "high":
        dispatcher.utter_message(
            text=t.get("outcome.act_first" if act else "outcome.high_first", resources)
        )
        dispatcher.utter_message(text=t.get("outcome.line", resources))
        dispatcher.utter_message(text=t.get("outcome.means"))
        if coach:
            dispatcher.utter_message(text=t.get("coach.high"))
        dispatcher.utter_message(text=t.get("outcome.stay_high"), buttons=safe_buttons())
    else:
        dispatcher.utter_message(text=t.get("outcome.validate"))
        dispatcher.utter_message(text=resources.describe())
        dispatcher.utter_message(text=t.get("outcome.safety_plan"))
        if coach:
            dispatcher.utter_message(text=t.get(f"coach.{level}"))
        dispatcher.utter_message(text=t.get("outcome.ask_safe"), buttons=safe_buttons())
    return [
        SlotSet("triage_level", level),
        SlotSet("triage_route", None),
        SlotSet("crisis_active", True),
        SlotSet("safety_question", "crisis"),
        SlotSet("pending_offer", None),
    ]


class ActionTriageOutcome(Action):
    """The answer for the level the triage reached; the flag gets that level."""

    def name(self) -> str:
        return "action_triage_outcome"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        answers = answers_from(tracker)
        level = logic.max_level(tracker.get_slot("triage_level"), logic.final_level(answers))
        write_crisis_flag(tracker, level)
        act = bool(tracker.get_slot("triage_act")) or logic.ACT in answers.values()
        return level_response(dispatcher, tracker, level, act=act)


class ActionSafetyQuestion(Action):
    """Ambiguous despair: validate, flag a despair check, and ask directly (despair_form)."""

    def name(self) -> str:
        return "action_safety_question"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        text = common.latest_text(tracker)
        category = logic.category_of(tracker.latest_message.get("safety") or {})
        if logic.classify_answer(text) == logic.UNSAFE or category == "unable_to_stay_safe":
            # "I can't keep myself safe" already answers the question: the form completes
            # at once and action_despair_outcome gives the high answer.
            return [*_despair_prefilled(logic.UNSAFE)]
        if tracker.get_slot("safety_question") == "crisis" and logic.says_safe(text):
            return [*_despair_prefilled("safe")]  # "I'm safe", taken for despair by the model
        now = common.utcnow()
        with common.safety_write("despair_check") as session:
            patient = common.patient(session, tracker, now)
            episode = common.open_episode(session, tracker, now)
            reasons = (tracker.latest_message.get("safety") or {}).get("reasons") or []
            flags.create_flag(
                session,
                patient.id,
                "despair_check",
                common.latest_text(tracker),
                now,
                level=None,
                reasons=reasons,
                episode=episode,
            )
        dispatcher.utter_message(text=texts().get("despair.validate"))
        if common.asks_about_medicine(tracker):
            # A dosing question that also sounded like despair: the pointer to the
            # prescriber or pharmacist comes before the direct question, every time.
            dispatcher.utter_message(response=common.MEDICINE_ANSWER)
        return [
            ActiveLoop(None),
            SlotSet("requested_slot", None),
            SlotSet("despair_answer", None),
            SlotSet("despair_retry", False),
            SlotSet("safety_question", "despair"),
            SlotSet("pending_offer", None),
        ]


def _despair_prefilled(answer: str) -> list[EventType]:
    """Events that give the despair form its answer before it asks."""
    return [
        ActiveLoop(None),
        SlotSet("requested_slot", None),
        SlotSet("despair_answer", answer),
        SlotSet("despair_retry", False),
        SlotSet("pending_offer", None),
    ]


class ActionAskDespairAnswer(Action):
    """The direct question (again, gently, after an unclear answer)."""

    def name(self) -> str:
        return "action_ask_despair_answer"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        key = "despair.retry" if tracker.get_slot("despair_retry") else "despair.question"
        dispatcher.utter_message(text=texts().get(key), buttons=answer_buttons())
        return []


class ValidateDespairForm(KeepsSideSlots):
    """Reads the answer to the despair question: an unclear answer is never a no."""

    def name(self) -> str:
        return "validate_despair_form"

    async def extract_despair_answer(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        if tracker.get_slot("requested_slot") != "despair_answer":
            return {}
        if tracker.get_intent_of_latest_message() == RED_FLAG_INTENT:
            return {}  # not an answer: the form steps aside for the red-flag advice
        text = tracker.latest_message.get("text") or ""
        answer = logic.classify_answer(text, tracker.get_intent_of_latest_message())
        if answer == logic.UNSURE and not tracker.get_slot("despair_retry"):
            return {"despair_retry": True}
        return {"despair_answer": answer}


class ActionDespairOutcome(Action):
    """A clear no: tools. A yes: the triage. Unclear twice: the triage, as possible risk."""

    def name(self) -> str:
        return "action_despair_outcome"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        answer = tracker.get_slot("despair_answer")
        done = [SlotSet("despair_answer", None), SlotSet("despair_retry", False)]
        if answer == logic.NO:
            dispatcher.utter_message(text=common.content().validation("despair_no"))
            dispatcher.utter_message(
                text=texts().get("despair.no_follow"),
                buttons=common.tool_buttons(common.crisis_now(tracker)),
            )
            return done + [
                SlotSet("safety_question", None),
                SlotSet("pending_offer", "tools"),
                SlotSet("triage_route", "none"),
            ]
        if answer == "safe":
            from actions.safety import safe_now_response

            return done + safe_now_response(dispatcher) + [SlotSet("triage_route", "none")]
        if answer in (logic.ACT, logic.UNSAFE):
            events = start_triage(dispatcher, tracker, {}, high_now=True)
            return done + events + [SlotSet("triage_act", answer == logic.ACT)]
        if answer == logic.YES:
            known = {"wish_dead": logic.YES, "active_thoughts": logic.YES}
            return done + start_triage(dispatcher, tracker, known)
        dispatcher.utter_message(text=texts().get("despair.unclear"))
        known = {"wish_dead": logic.UNSURE, "active_thoughts": logic.UNSURE}
        return done + start_triage(dispatcher, tracker, known, opener=False)


def third_party_response(dispatcher: CollectingDispatcher, tracker: Tracker) -> list[EventType]:
    """Advice on helping the person at risk, their numbers, and a question for the patient."""
    t = texts()
    now = common.utcnow()
    with common.safety_write("third_party") as session:
        patient = common.patient(session, tracker, now)
        resources = common.content().crisis_resources(patient.country)
        episode = episode_store.current_episode(
            session, patient.id, now, idle=common.settings().episode_idle
        )
        flags.create_flag(
            session,
            patient.id,
            "third_party",
            common.latest_text(tracker),
            now,
            level="third_party",
            reasons=(tracker.latest_message.get("safety") or {}).get("reasons") or [],
            episode=episode,
        )
    for key in ("third_party.intro", "third_party.advice", "third_party.numbers"):
        dispatcher.utter_message(text=t.get(key, resources))
    dispatcher.utter_message(text=t.get("third_party.about_you"))
    return [
        ActiveLoop(None),
        SlotSet("requested_slot", None),
        SlotSet("triage_route", "third_party"),
        SlotSet("pending_offer", None),
    ]


class ActionThirdPartyRisk(Action):
    """Someone else is at risk: how to help them, and how is the patient?"""

    def name(self) -> str:
        return "action_third_party_risk"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        return third_party_response(dispatcher, tracker)
