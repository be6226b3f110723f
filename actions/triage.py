"""Stepped risk triage in the dialogue: the entry action, the questions and their answers.

A risk signal (``crisis``, a yes or twice-unclear answer to the despair question) runs
``action_crisis_response``. It writes the episode's crisis flag and sets ``triage_route``:

- ``questions``: ``triage_form`` asks the C-SSRS-style questions one at a time
  (``validate_triage_form`` reads each answer; actions/triage_logic.py decides the next
  question and the level), then ``action_triage_outcome`` answers for the level;
- ``outcome``: the level is already clear (an act taken, intent, a plan, "I can't keep
  myself safe", or a triage already done in this conversation): straight to the outcome;
- ``third_party``: the risk is someone else's (actions/triage_outcome.py).

Rules in data/rules/safety.yml make the branching visible to ``rasa test core``.
"""

from __future__ import annotations

from abc import abstractmethod
from typing import Any

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import ActiveLoop, EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions import common
from actions import triage_logic as logic
from actions.triage_texts import texts
from bot.store import safety as flags

SLOTS = {question: f"triage_{question}" for question in logic.QUESTIONS}
ANSWER_PAYLOADS = (("affirm", "/affirm"), ("deny", "/deny"), ("unsure", "/skip"))
RED_FLAG_INTENT = "medical_red_flag"
TRIAGE_RESET = [SlotSet(slot, None) for slot in (*SLOTS.values(), "triage_retry")]


def answer_buttons() -> list[dict[str, str]]:
    """Yes / No / Not sure."""
    t = texts()
    return common.buttons([(t.get(f"answer_buttons.{key}"), p) for key, p in ANSWER_PAYLOADS])


def answers_from(tracker: Tracker) -> dict[str, str | None]:
    """The triage answers so far, by question."""
    return {question: tracker.get_slot(slot) for question, slot in SLOTS.items()}


def safety_of(tracker: Tracker) -> dict[str, Any]:
    """The SafetyNet parse data of the latest message ({} when there is none)."""
    safety = tracker.latest_message.get("safety")
    return safety if isinstance(safety, dict) else {}


def sos_line(tracker: Tracker) -> str:
    """The short line that keeps the crisis line one tap away."""
    with common.transaction() as session:
        patient = common.patient(session, tracker, common.utcnow())
        resources = common.content().crisis_resources(patient.country)
    return texts().get("sos_line", resources)


def write_crisis_flag(tracker: Tracker, level: str) -> int:
    """Create or raise the episode's crisis flag; returns its id."""
    now = common.utcnow()
    text = common.latest_text(tracker)
    with common.safety_write("crisis") as session:
        patient = common.patient(session, tracker, now)
        episode = common.open_episode(session, tracker, now)
        flag = flags.crisis_flag(
            session,
            patient.id,
            text,
            now,
            level,
            reasons=safety_of(tracker).get("reasons") or [],
            episode=episode,
        )
        return int(flag.id)


def open_flag_level(tracker: Tracker) -> str | None:
    """The level of the patient's open crisis flag (this episode of risk), if any."""
    now = common.utcnow()
    with common.transaction() as session:
        flag = flags.open_crisis_flag(session, tracker.sender_id, now)
        return flag.level if flag is not None else None


def start_triage(
    dispatcher: CollectingDispatcher,
    tracker: Tracker,
    known: dict[str, str],
    *,
    high_now: bool = False,
    opener: bool = True,
) -> list[EventType]:
    """Flag the risk and route to the questions or straight to the outcome."""
    previous = tracker.get_slot("triage_level")
    if previous is None and open_flag_level(tracker) == "high":
        previous = "high"  # high earlier today (e.g. an earlier session): no questions again
    level = "high" if high_now else logic.max_level(logic.level_of(known), previous)
    write_crisis_flag(tracker, level)
    if opener:
        dispatcher.utter_message(text=texts().get("opener"))
    events: list[EventType] = [
        ActiveLoop(None),
        SlotSet("requested_slot", None),
        *TRIAGE_RESET,
        SlotSet("crisis_active", True),
        SlotSet("safety_question", None),
        SlotSet("pending_offer", None),
        SlotSet("triage_act", False),
        # The crisis pathway ends a listening mode: after it, a flare report gets the
        # flare answer again, not a bare acknowledgement.
        SlotSet("listening", False),
    ]
    if high_now or previous is not None:
        # The level is clear (or the questions were answered earlier in this conversation).
        return events + [SlotSet("triage_level", level), SlotSet("triage_route", "outcome")]
    dispatcher.utter_message(text=texts().get("questions_intro"))
    events += [SlotSet(SLOTS[q], answer) for q, answer in known.items()]
    return events + [SlotSet("triage_level", None), SlotSet("triage_route", "questions")]


class ActionCrisisResponse(Action):
    """Risk language: flag it, then triage (or help for someone else at risk)."""

    def name(self) -> str:
        return "action_crisis_response"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        from actions.triage_outcome import third_party_response

        safety = safety_of(tracker)
        text = common.latest_text(tracker)
        if logic.about_other(safety, text):
            return third_party_response(dispatcher, tracker)
        category = logic.category_of(safety)
        high = logic.skips_questions(category, text)
        act = category == "act_taken" or (high and category == "method_means")
        events = start_triage(dispatcher, tracker, logic.known_answers(category), high_now=high)
        return events + ([SlotSet("triage_act", True)] if act else [])


class KeepsSideSlots(FormValidationAction):
    """Keeps the side slots an ``extract_`` method sets (rasa-sdk drops slots that are
    not required by the form): the retry marker and "something was done"."""

    SIDE_SLOTS = ("triage_retry", "triage_act", "despair_retry")

    @abstractmethod
    def name(self) -> str:
        """The validation action's name (``validate_<form>``)."""

    async def get_validation_events(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        events = await super().get_validation_events(dispatcher, tracker, domain)
        kept = {event.get("name") for event in events}
        extra = tracker.slots_to_validate()
        return events + [
            SlotSet(name, value)
            for name, value in extra.items()
            if name in self.SIDE_SLOTS and name not in kept
        ]


class ValidateTriageForm(KeepsSideSlots):
    """Reads each triage answer; asks only the questions the level still needs."""

    def name(self) -> str:
        return "validate_triage_form"

    async def required_slots(
        self,
        domain_slots: list[str],
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: DomainDict,
    ) -> list[str]:
        return [SLOTS[q] for q in logic.questions_asked(answers_from(tracker))]

    async def extract_triage_wish_dead(self, *args: Any) -> dict[str, Any]:
        return self._extract("wish_dead", args[1])

    async def extract_triage_active_thoughts(self, *args: Any) -> dict[str, Any]:
        return self._extract("active_thoughts", args[1])

    async def extract_triage_method(self, *args: Any) -> dict[str, Any]:
        return self._extract("method", args[1])

    async def extract_triage_intent(self, *args: Any) -> dict[str, Any]:
        return self._extract("intent", args[1])

    async def extract_triage_plan(self, *args: Any) -> dict[str, Any]:
        return self._extract("plan", args[1])

    async def extract_triage_behaviour(self, *args: Any) -> dict[str, Any]:
        return self._extract("behaviour", args[1])

    @staticmethod
    def _extract(question: str, tracker: Tracker) -> dict[str, Any]:
        """The answer to the question being asked (only that one, only when asked)."""
        slot = SLOTS[question]
        if tracker.get_slot("requested_slot") != slot or tracker.active_loop_name != "triage_form":
            return {}
        if tracker.get_intent_of_latest_message() == RED_FLAG_INTENT:
            return {}  # not an answer: the form steps aside for the red-flag advice
        text = tracker.latest_message.get("text") or ""
        answer = logic.classify_answer(text, tracker.get_intent_of_latest_message())
        category = logic.category_of(safety_of(tracker))
        if answer not in (logic.ACT, logic.UNSAFE) and logic.skips_questions(category, text):
            # "I'm going to do it tonight" in answer to any question: high at once.
            answer = logic.ACT if category == "act_taken" else logic.UNSAFE
        if answer == logic.UNSURE and tracker.get_slot("triage_retry") != question:
            return {"triage_retry": question}  # ask once more, gently
        updates: dict[str, Any] = {slot: answer, "triage_retry": None}
        if answer == logic.ACT:
            updates["triage_act"] = True
        answers = {**answers_from(tracker), question: answer}
        level = logic.level_of(answers)
        if level != "pending":
            write_crisis_flag(tracker, level)
        return updates


class ActionAskTriageWishDead(Action):
    """Ask one triage question (again, gently, after an unclear answer).

    The other questions' ask actions are subclasses that only change ``question``.
    """

    question = "wish_dead"

    def name(self) -> str:
        return f"action_ask_{SLOTS[self.question]}"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        t = texts()
        retry = tracker.get_slot("triage_retry") == self.question
        question = t.get(f"questions.{self.question}")
        if retry:
            dispatcher.utter_message(text=t.get("retry"))
        dispatcher.utter_message(
            text=f"{question}\n\n{sos_line(tracker)}", buttons=answer_buttons()
        )
        return []


class ActionAskTriageActiveThoughts(ActionAskTriageWishDead):
    """Ask about active thoughts."""

    question = "active_thoughts"


class ActionAskTriageMethod(ActionAskTriageWishDead):
    """Ask about a method."""

    question = "method"


class ActionAskTriageIntent(ActionAskTriageWishDead):
    """Ask about intent."""

    question = "intent"


class ActionAskTriagePlan(ActionAskTriageWishDead):
    """Ask about a plan."""

    question = "plan"


class ActionAskTriageBehaviour(ActionAskTriageWishDead):
    """Ask about anything done in the past three months."""

    question = "behaviour"
