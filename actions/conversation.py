"""Plain yes / no / skip answers, goodbyes and the honest fallback."""

from __future__ import annotations

import re

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions import common, safety
from actions.pacing import schedule_pacing_reminder
from actions.triage_texts import texts
from bot.store import episodes as episode_store

# What a "yes" to an offer runs next.
OFFER_ACTIONS = {
    "breathing": "action_breathing",
    "grounding": "action_grounding",
    "reframe": "action_reframe",
}

# Common function words of the languages patients most often write in besides English.
_FOREIGN_WORDS = frozenset(
    [
        "que",
        "por",
        "para",
        "est",
        "les",
        "des",
        "une",
        "ich",
        "nicht",
        "das",
        "ist",
        "und",
        "het",
        "een",
        "niet",
        "che",
        "non",
        "sono",
        "mi",
        "duele",
        "tengo",
        "dolor",
        "douleur",
        "schmerz",
        "pijn",
        "dolore",
        "je",
        "suis",
        "très",
        "muy",
        "mucho",
        "molto",
        "ho",
        "es",
        "el",
        "los",
        "las",
        "del",
        "une",
        "avec",
        "pas",
        "mais",
        "sehr",
        "habe",
        "ik",
        "heb",
    ]
)
_ENGLISH_WORDS = frozenset(
    [
        "the",
        "i",
        "my",
        "is",
        "it",
        "and",
        "to",
        "me",
        "you",
        "this",
        "what",
        "how",
        "can",
        "of",
        "in",
        "im",
        "so",
        "not",
        "do",
        "are",
        "have",
        "pain",
        "hurt",
        "hurts",
        "feel",
        "help",
        "with",
        "just",
    ]
)

def _say(key: str) -> str:
    """A phrase of content/phrases.yml, ``{capabilities}`` filled in where it has it."""
    content = common.content()
    if key == "capabilities":
        return content.phrase(key)
    if "{capabilities}" in content.phrases[key]:
        return content.phrase(key, capabilities=content.phrase("capabilities"))
    return content.phrase(key)


def looks_non_english(text: str) -> bool:
    """Whether a message is more likely another language than English (a rough guess)."""
    words = re.findall(r"[^\W\d_]+", text.lower())
    english = sum(word in _ENGLISH_WORDS for word in words)
    foreign = sum(word in _FOREIGN_WORDS for word in words)
    non_ascii = any(not ch.isascii() for word in words for ch in word)
    return foreign > english or (non_ascii and english == 0)


# Below this, a "yes" to "are you safe right now?" is not taken as an answer.
SURE_ENOUGH = 0.6


def _confident(tracker: Tracker) -> bool:
    """Whether the latest intent is clear enough to act on for a safety answer."""
    intent = tracker.latest_message.get("intent") or {}
    return float(intent.get("confidence") or 0.0) >= SURE_ENOUGH


class ActionYesNo(Action):
    """Answer a plain yes, no or skip in the light of the question that is open.

    Safety questions come first: a yes to "are you having thoughts of hurting yourself?"
    opens the crisis path whatever else was offered.
    """

    def name(self) -> str:
        return "action_yes_no"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        intent = tracker.get_intent_of_latest_message()
        yes = intent == "affirm"
        answered = safety.answer_safety_question(dispatcher, tracker, _confident(tracker))
        if answered is not None:
            return answered
        if tracker.get_slot("safety_question") == "despair":
            return self._despair_no(dispatcher, tracker)
        offer = tracker.get_slot("pending_offer")
        if yes and offer in OFFER_ACTIONS:
            # Taking up an offered tool is asking for something: listening mode ends.
            ends = [SlotSet("listening", False)] if tracker.get_slot("listening") else []
            return [SlotSet("pending_offer", None), *ends, FollowupAction(OFFER_ACTIONS[offer])]
        if yes and offer == "pacing_reminder":
            return schedule_pacing_reminder(dispatcher, tracker)
        if yes and offer == "tools":
            dispatcher.utter_message(
                text=_say("tools_pick"),
                buttons=common.tool_buttons(common.crisis_now(tracker)),
            )
            return []
        if yes:
            dispatcher.utter_message(text=_say("offer_yes_open"))
            return [SlotSet("pending_offer", None)]
        dispatcher.utter_message(text=_say("offer_declined"))
        return [SlotSet("pending_offer", None)]

    @staticmethod
    def _despair_no(dispatcher: CollectingDispatcher, tracker: Tracker) -> list[EventType]:
        dispatcher.utter_message(text=common.content().validation("despair_no"))
        dispatcher.utter_message(
            text=texts().get("despair.no_follow"),
            buttons=common.tool_buttons(common.crisis_now(tracker)),
        )
        return [SlotSet("safety_question", None), SlotSet("pending_offer", "tools")]


class ActionGoodbye(Action):
    """Close an open episode when the patient says goodbye (utter_goodbye follows)."""

    def name(self) -> str:
        return "action_goodbye"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        answered = _answer_open_question(dispatcher, tracker)
        if answered is not None:
            # "Are you safe right now?" is still open: a goodbye is no answer to it, and
            # the episode stays open (no utter_goodbye either).
            return answered
        now = common.utcnow()
        with common.transaction() as session:
            episode = common.open_episode(session, tracker, now)
            if episode is not None:
                episode_store.close_episode(session, episode, now, reason="goodbye")
        return [*common.leave_flare_form(tracker), SlotSet("in_flare", False),
                SlotSet("episode_id", None)]


def _then_listen(events: list[EventType]) -> list[EventType]:
    """``events``, then wait for the patient, unless they already name the next action.

    The fallback is also RulePolicy's core fallback (``config.yml``): it runs when no rule
    matches, and after it no rule matches either, so without this Rasa predicts the
    fallback again and again until its circuit breaker stops the turn, and the patient's
    message goes unanswered (an open "are you safe?" then alternated between asking again
    and the not-safe answer). Rasa's own fallback reverts the user turn instead, which
    would also undo the safety answer's slots.
    """
    if any(event.get("event") == "followup" for event in events):
        return events
    return [*events, FollowupAction("action_listen")]


def _answer_open_question(
    dispatcher: CollectingDispatcher, tracker: Tracker
) -> list[EventType] | None:
    """An open safety question answered by a message that is not about it (small talk, a
    goodbye, out of scope), then the turn ends; None when no question is open."""
    answered = safety.answer_safety_question(dispatcher, tracker, confident=False)
    return None if answered is None else _then_listen(answered)


class ActionFallback(Action):
    """Low confidence: say so honestly and say what the assistant can do."""

    def name(self) -> str:
        return "action_fallback"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        return _then_listen(await self._answer(dispatcher, tracker))

    async def _answer(
        self, dispatcher: CollectingDispatcher, tracker: Tracker
    ) -> list[EventType]:
        answered = safety.answer_safety_question(dispatcher, tracker, confident=False)
        if answered is not None:
            return answered
        text = (tracker.latest_message.get("text") or "").strip()
        letters = [ch for ch in text if ch.isalpha()]
        if text and not letters:
            dispatcher.utter_message(
                text=_say("fallback_no_letters"),
                buttons=common.tool_buttons(common.crisis_now(tracker)),
            )
        elif looks_non_english(text):
            dispatcher.utter_message(text=_say("not_english"))
        else:
            dispatcher.utter_message(
                text=_say("not_understood"),
                buttons=common.tool_buttons(common.crisis_now(tracker)),
            )
        return []


class ActionSmallTalk(Action):
    """Before a greeting's, thanks' or "are you a bot?"'s own answer: an open safety question.

    The rules run this first for greet and thank (then ``utter_greet`` / ``utter_welcome``)
    and after ``utter_iamabot`` for bot_challenge. With "are you safe right now?" open, a
    "thanks" or "hi" is no answer to it, and must not leave it hanging either: it is asked
    again, and a second unclear answer is taken as not safe
    (``safety.answer_safety_question``); the turn then ends here (``action_listen``), so no
    "you're welcome" follows. With nothing open it does nothing.
    """

    def name(self) -> str:
        return "action_small_talk"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        if tracker.get_slot("safety_question") != "crisis":
            return []
        return _answer_open_question(dispatcher, tracker) or []


class ActionOutOfScope(Action):
    """Say honestly what the assistant is for; say so plainly when it is another language."""

    def name(self) -> str:
        return "action_out_of_scope"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        answered = _answer_open_question(dispatcher, tracker)
        if answered is not None:
            return answered
        text = tracker.latest_message.get("text") or ""
        if looks_non_english(text):
            dispatcher.utter_message(text=_say("not_english"))
        else:
            dispatcher.utter_message(text=_say("out_of_scope"))
        return []
