"""Crisis entry, the triage form, its outcome and "are you safe right now?"
(actions/triage.py, actions/triage_outcome.py, actions/safety.py)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timezone
from typing import Any

import pytest
from rasa_sdk import Action
from rasa_sdk.events import ActiveLoop, SlotSet

from actions import common
from actions.conversation import ActionYesNo
from actions.flare import ActionStartFlare
from actions.triage import (
    ActionAskTriageIntent,
    ActionAskTriageMethod,
    ActionCrisisResponse,
    ValidateTriageForm,
)
from actions.triage_outcome import ActionTriageOutcome
from actions.triage_texts import texts as triage_texts
from bot.store.coaches import Coach, CoachPatient
from bot.store.models import Episode, SafetyFlag
from bot.store.patients import get_or_create_patient
from tests.actions.actions_support import (
    SENDER,
    Conversation,
    all_reframe_texts,
    apply,
    event_names,
    make_tracker,
    payloads,
    rows,
    run,
    slot_changes,
    texts,
    with_buttons,
)

CRISIS_TEXT = "I want to kill myself"
SAFETY = {"risk": "crisis", "reasons": ["kill_myself"]}


def _assert_ends_form(events: list[dict]) -> None:
    assert ActiveLoop(None) in events
    assert SlotSet("requested_slot", None) in events


def crisis_tracker(text: str = CRISIS_TEXT, safety: dict | None = None, **kw: Any) -> Any:
    tracker = make_tracker(text, "crisis", **kw)
    tracker.latest_message["safety"] = SAFETY if safety is None else safety
    return tracker


async def turn(
    conversation: Conversation, action: Action, text: str, intent: str | None, **kw: Any
) -> tuple[list[dict], Any]:
    """One turn with the conversation's slots (and optionally an active loop)."""
    tracker = make_tracker(text, intent, slots=conversation.slots, **kw)
    events, dispatcher = await run(action, tracker, conversation.domain)
    conversation.slots = apply(conversation.slots, events)
    return events, dispatcher


async def answer(conversation: Conversation, text: str, intent: str | None = None) -> list[dict]:
    """Answer the requested triage question through validate_triage_form."""
    events, _ = await turn(
        conversation, ValidateTriageForm(), text, intent, active_loop="triage_form"
    )
    return events


async def test_crisis_flags_pending_and_starts_the_questions(conversation: Conversation) -> None:
    tracker = crisis_tracker(slots=conversation.slots)
    events, dispatcher = await run(ActionCrisisResponse(), tracker, conversation.domain)

    (flag,) = rows(SafetyFlag)
    assert (flag.kind, flag.level, flag.patient_id, flag.text) == (
        "crisis",
        "moderate",  # "kill myself" already says active thoughts
        SENDER,
        CRISIS_TEXT,
    )
    changes = slot_changes(events)
    assert changes["triage_route"] == "questions"
    assert changes["triage_wish_dead"] == "yes" and changes["triage_active_thoughts"] == "yes"
    assert changes["crisis_active"] is True
    _assert_ends_form(events)
    assert event_names(events)[0] == "active_loop"
    assert not set(texts(dispatcher)) & all_reframe_texts()


async def test_passive_wish_starts_at_active_thoughts(conversation: Conversation) -> None:
    tracker = crisis_tracker("I wish I was dead", {"reasons": ["wish_dead"]})
    events, _ = await run(ActionCrisisResponse(), tracker, conversation.domain)
    conversation.slots = apply(conversation.slots, events)

    validator = ValidateTriageForm()
    required = await validator.required_slots([], None, make_tracker(slots=conversation.slots), {})  # type: ignore[arg-type]
    assert required == ["triage_wish_dead", "triage_active_thoughts"]
    assert rows(SafetyFlag)[0].level == "low"


async def test_questions_are_asked_plainly_with_three_buttons(conversation: Conversation) -> None:
    _, dispatcher = await turn(conversation, ActionAskTriageMethod(), "", None)

    (question,) = with_buttons(dispatcher)
    assert question["text"].startswith(triage_texts().get("questions.method"))
    assert "/sos" in question["text"]  # the crisis line stays one tap away
    assert payloads(question) == ["/affirm", "/deny", "/skip"]
    assert "right?" not in question["text"] and "don't" not in question["text"].lower()


async def _start(conversation: Conversation) -> None:
    events, _ = await run(ActionCrisisResponse(), crisis_tracker(), conversation.domain)
    conversation.slots = apply(conversation.slots, events)
    conversation.slots["requested_slot"] = "triage_method"


async def test_a_plan_is_high_and_stops_the_questions(conversation: Conversation) -> None:
    await _start(conversation)
    await answer(conversation, "yes", "affirm")
    assert conversation.slots["requested_slot"] == "triage_intent"
    assert rows(SafetyFlag)[0].level == "moderate"
    await answer(conversation, "no", "deny")
    assert conversation.slots["requested_slot"] == "triage_plan"
    events = await answer(conversation, "yes", "affirm")

    assert SlotSet("requested_slot", None) in events  # the form ends: the level is clear
    (flag,) = rows(SafetyFlag)
    assert flag.level == "high"


async def test_hedged_answer_is_asked_again_then_taken_as_risk(conversation: Conversation) -> None:
    await _start(conversation)
    await answer(conversation, "yes", "affirm")  # method
    events = await answer(conversation, "not really", "deny")  # intent, first time

    changes = slot_changes(events)
    assert changes.get("triage_intent") is None
    assert changes["triage_retry"] == "intent"
    assert conversation.slots["requested_slot"] == "triage_intent"
    _, dispatcher = await turn(conversation, ActionAskTriageIntent(), "", None)
    assert triage_texts().get("retry") in texts(dispatcher)

    events = await answer(conversation, "rather not say", "skip")  # second time
    assert slot_changes(events)["triage_intent"] == "unsure"
    assert rows(SafetyFlag)[0].level == "high"  # an unclear answer on intent: as a yes


async def test_tablets_counted_in_an_answer_skip_to_high(conversation: Conversation) -> None:
    await _start(conversation)
    events = await answer(conversation, "I took 20 tablets", "inform_severity")

    assert slot_changes(events)["triage_act"] is True
    _, dispatcher = await turn(conversation, ActionTriageOutcome(), "", None)
    said = texts(dispatcher)
    assert said[0].startswith("If you have taken something")
    assert "911" in said[0]


async def test_intent_said_in_answer_to_any_question_is_high(conversation: Conversation) -> None:
    await _start(conversation)
    tracker = make_tracker(
        "I'm going to do it tonight",
        "crisis",
        slots=conversation.slots,
        active_loop="triage_form",
    )
    tracker.latest_message["safety"] = {"category": "intent_timing", "reasons": []}
    events, _ = await run(ValidateTriageForm(), tracker, conversation.domain)

    assert slot_changes(events)["triage_method"] == "unsafe"
    assert SlotSet("requested_slot", None) in events
    assert rows(SafetyFlag)[0].level == "high"


async def test_a_red_flag_mid_triage_is_not_taken_as_an_answer(
    conversation: Conversation,
) -> None:
    await _start(conversation)
    events = await answer(conversation, "crushing chest pain down my left arm", "medical_red_flag")

    assert slot_changes(events).get("triage_method") is None
    assert "triage_retry" not in slot_changes(events)


async def test_overdose_already_taken_skips_the_questions(conversation: Conversation) -> None:
    tracker = crisis_tracker("I took all my tablets an hour ago", {"reasons": ["overdose"]})
    events, _ = await run(ActionCrisisResponse(), tracker, conversation.domain)
    conversation.slots = apply(conversation.slots, events)

    assert conversation.slots["triage_route"] == "outcome"
    assert rows(SafetyFlag)[0].level == "high"
    _, dispatcher = await turn(conversation, ActionTriageOutcome(), "", None)
    said = texts(dispatcher)
    assert "911" in said[0] and "988" not in said[0]  # the emergency number is the first line
    assert "988" in said[1]
    assert any("medicines" in text for text in said)


@pytest.mark.parametrize(
    ("country", "first", "line"),
    [
        ("US", "911", "988"),
        ("GB", "999", "116 123"),
        ("BR", "local emergency number", "findahelpline"),
    ],
)
async def test_high_outcome_follows_the_patients_country(
    configure: Callable[..., None], conversation: Conversation, country: str, first: str, line: str
) -> None:
    configure(DEFAULT_COUNTRY=country)
    conversation.slots.update(triage_level="high")
    _, dispatcher = await turn(conversation, ActionTriageOutcome(), "", None)

    said = texts(dispatcher)
    assert first in said[0]
    assert line in said[1]


async def test_moderate_outcome_resources_safety_plan_and_are_you_safe(
    conversation: Conversation,
) -> None:
    conversation.slots.update(
        triage_wish_dead="yes",
        triage_active_thoughts="yes",
        triage_method="no",
        triage_intent="no",
        triage_plan="no",
        triage_behaviour="no",
    )
    events, dispatcher = await turn(conversation, ActionTriageOutcome(), "", None)

    said = "\n".join(texts(dispatcher))
    assert "988" in said and "/safetyplan" in said
    assert "coach" not in said  # no coach is linked
    (question,) = with_buttons(dispatcher)
    assert question["text"] == "Are you safe right now?"
    assert slot_changes(events)["triage_level"] == "moderate"
    assert rows(SafetyFlag)[0].level == "moderate"


def _assign_coach() -> None:
    now = datetime(2026, 12, 1, 9, tzinfo=timezone.utc)
    with common.transaction() as session:
        get_or_create_patient(session, SENDER, now=now, defaults=common.settings())
        coach = Coach(username="c1", password_hash="x", created_at=now, password_changed_at=now)
        session.add(coach)
        session.flush()
        session.add(CoachPatient(coach_id=coach.id, patient_id=SENDER, created_at=now))


@pytest.mark.parametrize(("level", "key"), [("low", "coach.low"), ("high", "coach.high")])
async def test_coach_line_only_when_a_coach_is_linked(
    conversation: Conversation, level: str, key: str
) -> None:
    _assign_coach()
    conversation.slots.update(triage_level=level)
    _, dispatcher = await turn(conversation, ActionTriageOutcome(), "", None)

    assert triage_texts().get(key) in texts(dispatcher)
    assert "may not" in triage_texts().get(key)


async def test_crisis_flag_is_linked_to_the_open_episode_and_reused() -> None:
    await run(ActionStartFlare(), make_tracker("my back is flaring", "report_flare"))
    await run(ActionCrisisResponse(), crisis_tracker())
    await run(ActionCrisisResponse(), crisis_tracker("I have a plan", {"category": "preparation"}))

    (episode,) = rows(Episode)
    (flag,) = rows(SafetyFlag)  # one flag per episode of risk, its level raised
    assert flag.episode_id == episode.id
    assert flag.level == "high"


async def test_a_new_session_after_a_high_triage_goes_straight_to_the_outcome() -> None:
    await run(ActionCrisisResponse(), crisis_tracker("I have a plan", {"category": "preparation"}))

    events, _ = await run(ActionCrisisResponse(), crisis_tracker())  # fresh slots

    assert slot_changes(events)["triage_route"] == "outcome"
    assert slot_changes(events)["triage_level"] == "high"


async def test_crisis_during_a_form_ends_the_form() -> None:
    tracker = crisis_tracker(active_loop="checkin_form", slots={"requested_slot": "checkin_pain"})
    events, _ = await run(ActionCrisisResponse(), tracker)
    _assert_ends_form(events)


async def test_not_safe_raises_the_level_to_high(conversation: Conversation) -> None:
    await _start(conversation)
    conversation.slots.update(triage_level="moderate", safety_question="crisis")

    _, dispatcher = await turn(conversation, ActionYesNo(), "/deny", "deny")

    said = texts(dispatcher)
    assert "911" in said[0]
    assert conversation.slots["safety_question"] == "crisis"
    (question,) = with_buttons(dispatcher)
    assert payloads(question) == ["/affirm", "/deny"]
    (flag,) = rows(SafetyFlag)
    assert flag.level == "high"


async def test_unclear_answer_to_are_you_safe_is_asked_once_then_not_safe(
    conversation: Conversation,
) -> None:
    await _start(conversation)
    conversation.slots.update(safety_question="crisis")

    _, dispatcher = await turn(conversation, ActionYesNo(), "I don't know", "affirm")
    assert "Are you safe right now?" in "\n".join(texts(dispatcher))
    _, dispatcher = await turn(conversation, ActionYesNo(), "maybe", "affirm")
    assert "911" in texts(dispatcher)[0]
    assert rows(SafetyFlag)[0].level == "high"


async def test_safe_now_keeps_the_crisis_path_on(conversation: Conversation) -> None:
    await _start(conversation)
    conversation.slots.update(safety_question="crisis")

    _, dispatcher = await turn(conversation, ActionYesNo(), "/affirm", "affirm")

    assert conversation.slots["safety_question"] is None
    assert conversation.slots["crisis_active"] is True
    (offer,) = with_buttons(dispatcher)
    assert "/request_grounding" in payloads(offer)
