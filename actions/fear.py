"""Fear-laden statements and reframes (pain-reprocessing ideas, never after a crisis)."""

from __future__ import annotations

from datetime import datetime

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict
from sqlalchemy.orm import Session

from actions import common, red_flag
from bot.nlu.fear_kind import classify_fear
from bot.store import episodes as episode_store
from bot.store.models import Episode

# A reframe asked for during a flare with no fear statement: hurt is not harm.
DEFAULT_FLARE_KIND = "damage"

# (button key of content/buttons.yml, payload); BREATHING_OFFER has the titles (__getattr__).
BREATHING_OFFER_KEYS = (("breathe_yes", "/request_breathing"), ("not_now", "/deny"))
GROUNDING_OFFER_KEYS = (("ground_yes", "/request_grounding"), ("not_now", "/deny"))


def __getattr__(name: str) -> tuple[tuple[str, str], ...]:
    """``BREATHING_OFFER``: its (title, payload) pairs, titles from content/buttons.yml."""
    if name == "BREATHING_OFFER":
        return common.titled(BREATHING_OFFER_KEYS)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def _reframe_text(session: Session, patient_id: str, kind: str, now: datetime) -> str:
    """Pick a reframe this patient has not had yet (until the pool is used up) and log it."""
    used = episode_store.used_reframe_ids(session, patient_id, kind)
    reframe = common.content().pick_reframe(kind, used)
    episode_store.record_reframe_use(session, patient_id, reframe.id, kind, now)
    return reframe.text


def crisis_instead_of_reframe(dispatcher: CollectingDispatcher) -> list[EventType]:
    """What to say instead of a reframe while the patient is on the crisis path."""
    dispatcher.utter_message(
        text=common.content().phrase("crisis_instead_of_reframe"),
        buttons=common.buttons(common.titled(GROUNDING_OFFER_KEYS)),
    )
    return [SlotSet("pending_offer", "grounding")]


class ActionFearResponse(Action):
    """Validate a fear-laden statement, reframe it by kind, then offer breathing."""

    def name(self) -> str:
        return "action_fear_response"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        text = common.latest_text(tracker)
        kind = classify_fear(text)
        with common.turn(tracker, with_episode=False) as this:
            session, now = this.session, this.now
            episode: Episode = episode_store.open_episode(
                session, tracker.sender_id, now, text=text, idle=common.settings().episode_idle
            )
            episode_store.add_fear_statement(session, episode, text, kind, now)
            crisis = common.crisis_is_active(session, tracker, now)
            reframe = None
            if not crisis and not red_flag.active(tracker):
                reframe = _reframe_text(session, tracker.sender_id, kind, now)
                episode_store.use_tool(session, episode, "reframe")
                episode_store.offer_tools(session, episode, ["breathing"])
        events: list[EventType] = [
            *common.leave_flare_form(tracker),
            SlotSet("fear_kind", kind),
            *common.in_flare_events(episode),
        ]
        dispatcher.utter_message(text=common.content().validation("fear"))
        if reframe is None and not crisis:
            # After a red flag: no reassurance about the body, the advice again.
            return events + red_flag.no_reassurance(dispatcher, tracker)
        if reframe is None:
            return events + crisis_instead_of_reframe(dispatcher)
        dispatcher.utter_message(text=reframe)
        dispatcher.utter_message(
            text=common.content().phrase("breathing_after_reframe"),
            buttons=common.buttons(common.titled(BREATHING_OFFER_KEYS)),
        )
        return events + [SlotSet("pending_offer", "breathing")]


class ActionReframe(Action):
    """A reframe on request (from the tool menu or in its own words)."""

    def name(self) -> str:
        return "action_reframe"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        kind = tracker.get_slot("fear_kind") or DEFAULT_FLARE_KIND
        with common.turn(tracker) as this:
            session, now, episode = this.session, this.now, this.episode
            crisis = common.crisis_is_active(session, tracker, now)
            reframe = None
            if not crisis and not red_flag.active(tracker):
                reframe = _reframe_text(session, tracker.sender_id, kind, now)
                if episode is not None:
                    episode_store.use_tool(session, episode, "reframe")
        events = common.in_flare_events(episode)
        if reframe is None and not crisis:
            return events + red_flag.no_reassurance(dispatcher, tracker)
        if reframe is None:
            return events + crisis_instead_of_reframe(dispatcher)
        dispatcher.utter_message(text=reframe)
        return events + [SlotSet("pending_offer", None)]
