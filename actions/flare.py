"""Flare episodes: validate, get a severity, offer tools, check again, close warmly."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions import common, red_flag, safety
from actions.conversation import looks_non_english
from bot.nlu.extract import parse_score
from bot.store import episodes as episode_store

SKIP_WORDS = frozenset({"skip", "pass", "dont know", "don't know", "not sure", "no idea", "idk"})
SEVERITY_SKIPPED = -1.0


def is_skip(text: str) -> bool:
    """Whether an answer means "skip this question"."""
    cleaned = " ".join(text.lower().replace("’", "'").strip(" .!?").split())
    return cleaned in SKIP_WORDS


def _severity_of(tracker: Tracker) -> int | None:
    """The severity in the latest message: an entity, or a bare number answer."""
    values = common.entity_values(tracker, "severity")
    if values:
        return int(float(values[0]))
    if tracker.get_intent_of_latest_message() == "inform_severity":
        return parse_score(common.latest_text(tracker))
    return None


def _noted(locations: list[str], triggers: list[str]) -> str | None:
    """A short line saying what was noted about where and why."""
    content, parts = common.content(), []
    if locations:
        parts.append(content.phrase("flare_noted_where", locations=" and ".join(locations)))
    if triggers:
        after = " and ".join(t.replace("_", " ") for t in triggers)
        parts.append(content.phrase("flare_noted_after", triggers=after))
    return content.phrase("flare_noted", parts=", ".join(parts)) if parts else None


class ActionStartFlare(Action):
    """Validate a flare report and open (or continue) the episode."""

    def name(self) -> str:
        return "action_start_flare"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        severity = _severity_of(tracker)
        locations = common.entity_values(tracker, "location")
        triggers = common.entity_values(tracker, "trigger")
        known, episode_id = _open_episode(tracker, severity, locations, triggers)
        context = "flare_high" if (severity or known or 0) >= 8 else "flare"
        dispatcher.utter_message(text=common.content().validation(context))
        red_flag.remind(dispatcher, tracker)  # played down after a red flag: say it again
        noted = _noted(locations, triggers)
        if noted:
            dispatcher.utter_message(text=noted)
        events: list[EventType] = [
            SlotSet("episode_id", episode_id),
            SlotSet("in_flare", True),
            SlotSet("severity_end", None),
        ]
        if known is not None:
            events += [SlotSet("severity_start", float(known)), SlotSet("severity_known", True)]
        else:
            # Clear a value left over from an earlier flare, so the form asks again.
            events += [SlotSet("severity_start", None), SlotSet("severity_known", False)]
        return events


class ValidateFlareForm(FormValidationAction):
    """Turn the answer to "how strong, 0-10?" into a number and store it."""

    def name(self) -> str:
        return "validate_flare_form"

    def validate_severity_start(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        return _validate_severity(value, "start", "severity_start", dispatcher, tracker)


class ValidateFollowupForm(FormValidationAction):
    """Turn the answer to "where is the pain now?" into a number and store it."""

    def name(self) -> str:
        return "validate_followup_form"

    def validate_severity_end(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        return _validate_severity(value, "end", "severity_end", dispatcher, tracker)


def _validate_severity(
    value: Any, phase: str, slot: str, dispatcher: CollectingDispatcher, tracker: Tracker
) -> dict[str, Any]:
    if value is None:
        # Slots cleared by another action are validated too: nothing to say about those.
        return {slot: None}
    text = str(value)
    if is_skip(text):
        return {slot: SEVERITY_SKIPPED}
    score = parse_score(text)
    if score is None:
        dispatcher.utter_message(text=common.content().phrase("severity_retry"))
        return {slot: None}
    with common.turn(tracker) as this:
        if this.episode is not None:
            episode_store.set_severity(
                this.session, this.episode, score, phase  # type: ignore[arg-type]
            )
    return {slot: float(score)}


class ActionOfferTools(Action):
    """Offer the tools that fit a flare, as buttons."""

    def name(self) -> str:
        return "action_offer_tools"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        with common.turn(tracker) as this:
            episode = this.episode
            crisis = common.crisis_is_active(this.session, tracker, this.now) or red_flag.active(
                tracker
            )
            offered = [
                (title, payload)
                for title, payload in common.titled(common.TOOL_BUTTON_KEYS)
                if not (crisis and payload == "/request_reframe")
            ]
            if episode is not None:
                names = [payload.lstrip("/").removeprefix("request_") for _, payload in offered]
                episode_store.offer_tools(this.session, episode, names)
        severity = tracker.get_slot("severity_start")
        if severity is not None and severity >= 4:
            article = "An" if int(severity) in (8, 11, 18) else "A"
            intro = common.content().phrase(
                "tools_question_heavy", article=article, severity=int(severity)
            )
        else:
            intro = common.content().phrase("tools_question")
        dispatcher.utter_message(text=intro, buttons=common.buttons(offered))
        return [SlotSet("pending_offer", "tools"), *common.in_flare_events(episode)]


class ActionCloseFlare(Action):
    """Close the episode with the severity after the tool, warmly."""

    def name(self) -> str:
        return "action_close_flare"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        with common.turn(tracker) as this:
            episode = this.episode
            start = episode.severity_start if episode is not None else None
            end = episode.severity_end if episode is not None else None
            if episode is not None:
                episode_store.close_episode(this.session, episode, this.now, reason="closed")
        dispatcher.utter_message(text=_closing_words(start, end))
        return [
            SlotSet("in_flare", False),
            SlotSet("episode_id", None),
            SlotSet("severity_start", None),
            SlotSet("severity_end", None),
            SlotSet("severity_known", None),
            SlotSet("pending_offer", None),
        ]


def _closing_words(start: int | None, end: int | None) -> str:
    """What to say when an episode closes, given the severities before and after."""
    say = common.content().phrase
    if start is not None and end is not None:
        if end < start:
            return say("closing_better", start=start, end=end)
        if end == start:
            return say("closing_same", end=end)
        return say("closing_worse", end=end)
    return say("closing_unknown")


class ActionJustListen(Action):
    """Make room for the patient to talk, without pushing a tool."""

    def name(self) -> str:
        return "action_just_listen"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        use = common.record_tool_use(tracker, "just_listen")
        dispatcher.utter_message(text=common.content().validation("just_listen"))
        # A new listening mode: the reminder that tools are there may come once again.
        return [*common.leave_flare_form(tracker), *use.events, SlotSet("listening_acks", 0.0)]


# The intents whose message may carry a pain score for the open episode.
_FLARE_INTENTS = frozenset({"report_flare", "inform_severity"})


class ActionListeningAck(Action):
    """Listening mode: hear a flare, a fear or venting without tools, reframes or questions.

    A flare report or a score still opens (or continues) the episode and logs what it
    carries, as action_start_flare does, but nothing is asked. With the second
    acknowledgement of a listening mode comes, once, a reminder that tools are there.
    """

    def name(self) -> str:
        return "action_listening_ack"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        intent = tracker.get_intent_of_latest_message(skip_fallback_intent=False)
        if intent == "nlu_fallback":
            # An unclear answer to an open safety question is still handled as one.
            answered = safety.answer_safety_question(dispatcher, tracker, confident=False)
            if answered is not None:
                return answered
        if intent in {"nlu_fallback", "out_of_scope"} and looks_non_english(
            common.latest_text(tracker)
        ):
            content = common.content()
            capabilities = content.phrase("capabilities")
            dispatcher.utter_message(text=content.phrase("not_english", capabilities=capabilities))
            return []
        events: list[EventType] = []
        context = "listening"
        if intent in _FLARE_INTENTS:
            context = "listening_flare"
            events += _log_flare(tracker)
        content = common.content()
        dispatcher.utter_message(text=content.validation(context))
        red_flag.remind(dispatcher, tracker)  # played down after a red flag: say it again
        acks = int(tracker.get_slot("listening_acks") or 0) + 1
        if acks == 2:
            dispatcher.utter_message(text=content.phrase("listening_reminder"))
        return [*events, SlotSet("listening_acks", float(acks))]


def _open_episode(
    tracker: Tracker, severity: int | None, locations: list[str], triggers: list[str]
) -> tuple[int | None, str]:
    """Open (or continue) the patient's episode with what the latest message carries;
    returns the episode's starting severity (None: not known yet) and its id."""
    with common.turn(tracker, with_episode=False) as this:
        episode = episode_store.open_episode(
            this.session,
            tracker.sender_id,
            this.now,
            text=common.latest_text(tracker),
            severity=severity,
            locations=locations,
            triggers=triggers,
            idle=common.settings().episode_idle,
        )
        return episode.severity_start, str(episode.id)


def _log_flare(tracker: Tracker) -> list[EventType]:
    """Open or continue the episode with what the message carries; the slot events."""
    known, episode_id = _open_episode(
        tracker, _severity_of(tracker), common.entity_values(tracker, "location"),
        common.entity_values(tracker, "trigger"),
    )
    events: list[EventType] = [SlotSet("in_flare", True), SlotSet("episode_id", episode_id)]
    if known is not None:
        events.append(SlotSet("severity_start", float(known)))
    return events
