"""The despair question as a form, red flags in two tiers and the red-flag state, and
someone else at risk (actions/triage_outcome.py, actions/red_flag.py)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from rasa_sdk import Action

from actions.breathing import ActionBreathing
from actions.conversation import ActionFallback
from actions.fear import ActionFearResponse, ActionReframe
from actions.red_flag import ActionRedFlag
from actions.triage import ActionCrisisResponse
from actions.triage_outcome import (
    ActionAskDespairAnswer,
    ActionDespairOutcome,
    ActionSafetyQuestion,
    ActionThirdPartyRisk,
    ValidateDespairForm,
)
from actions.triage_texts import texts as triage_texts
from bot.store.models import SafetyFlag
from tests.actions.actions_support import (
    Conversation,
    all_reframe_texts,
    apply,
    make_tracker,
    payloads,
    rows,
    run,
    slot_changes,
    texts,
    with_buttons,
)

DESPAIR_TEXT = "I can't go on like this"
CHEST = "crushing chest pain going down my left arm"
FALL = "I fell down the stairs this morning"


async def turn(
    conversation: Conversation,
    action: Action,
    text: str = "",
    intent: str | None = None,
    safety: dict | None = None,
    **kw: Any,
) -> tuple[list[dict], Any]:
    tracker = make_tracker(text, intent, slots=conversation.slots, **kw)
    if safety is not None:
        tracker.latest_message["safety"] = safety
    events, dispatcher = await run(action, tracker, conversation.domain)
    conversation.slots = apply(conversation.slots, events)
    return events, dispatcher


async def despair_answer(conversation: Conversation, text: str, intent: str) -> Any:
    """Ask, answer through the form, and run the outcome once the answer is set."""
    conversation.slots["requested_slot"] = "despair_answer"
    await turn(conversation, ValidateDespairForm(), text, intent, active_loop="despair_form")
    if conversation.slots.get("despair_answer") is None:
        return None
    _, dispatcher = await turn(conversation, ActionDespairOutcome())
    return dispatcher


async def test_despair_flags_a_check_and_asks_directly(conversation: Conversation) -> None:
    await turn(conversation, ActionSafetyQuestion(), DESPAIR_TEXT, "express_despair")
    _, dispatcher = await turn(conversation, ActionAskDespairAnswer())

    (flag,) = rows(SafetyFlag)
    assert (flag.kind, flag.text, flag.level) == ("despair_check", DESPAIR_TEXT, None)
    (question,) = with_buttons(dispatcher)
    assert "ending your life or hurting yourself" in question["text"]
    assert payloads(question) == ["/affirm", "/deny", "/skip"]
    assert not conversation.slots.get("crisis_active")


async def test_clear_no_carries_on_with_tools(conversation: Conversation) -> None:
    await turn(conversation, ActionSafetyQuestion(), DESPAIR_TEXT, "express_despair")
    dispatcher = await despair_answer(conversation, "no", "deny")

    assert [f.kind for f in rows(SafetyFlag)] == ["despair_check"]
    assert conversation.slots["triage_route"] == "none"
    (offer,) = with_buttons(dispatcher)
    assert "/request_breathing" in payloads(offer)
    assert "988" not in "\n".join(texts(dispatcher))


@pytest.mark.parametrize(
    "hedge", ["not really", "I don't think so", "rather not say", "maybe", "..."]
)
async def test_hedged_answers_are_never_a_no(conversation: Conversation, hedge: str) -> None:
    await turn(conversation, ActionSafetyQuestion(), DESPAIR_TEXT, "express_despair")
    assert await despair_answer(conversation, hedge, "deny") is None  # asked again
    assert conversation.slots["despair_retry"] is True
    _, dispatcher = await turn(conversation, ActionAskDespairAnswer())
    assert texts(dispatcher) == [triage_texts().get("despair.retry")]

    dispatcher = await despair_answer(conversation, hedge, "deny")

    said = "\n".join(texts(dispatcher))
    assert "glad you're safe" not in said
    assert triage_texts().get("despair.unclear") in said
    assert conversation.slots["triage_route"] == "questions"
    assert conversation.slots["crisis_active"] is True
    crisis = rows(SafetyFlag, kind="crisis")
    assert [f.level for f in crisis] == ["moderate"]  # unclear on active thoughts: moderate


async def test_yes_starts_the_triage_at_method(conversation: Conversation) -> None:
    await turn(conversation, ActionSafetyQuestion(), DESPAIR_TEXT, "express_despair")
    await despair_answer(conversation, "/affirm", "affirm")

    assert conversation.slots["triage_route"] == "questions"
    assert conversation.slots["triage_active_thoughts"] == "yes"
    assert [f.kind for f in rows(SafetyFlag)] == ["despair_check", "crisis"]


async def test_fallback_on_the_despair_question_outside_the_form_asks_again() -> None:
    tracker = make_tracker("...", "nlu_fallback", slots={"safety_question": "despair"})
    _, dispatcher = await run(ActionFallback(), tracker, {})
    assert "thoughts of ending your life" in "\n".join(texts(dispatcher))


async def test_emergency_red_flag_emergency_number_and_state(conversation: Conversation) -> None:
    _, dispatcher = await turn(
        conversation, ActionRedFlag(), CHEST, "medical_red_flag", {"reasons": ["chest_pain"]}
    )

    (flag,) = rows(SafetyFlag)
    assert (flag.kind, flag.level) == ("red_flag", "emergency")
    assert "call 911 now" in "\n".join(texts(dispatcher))
    assert "coach" not in "\n".join(texts(dispatcher))  # no coach linked
    assert conversation.slots["red_flag_active"] is True


@pytest.mark.parametrize(
    ("country", "expected"),
    [
        ("GB", "NHS 111"),
        ("AU", "1800 022 222"),
        ("NZ", "0800 611 116"),
        ("CA", "811"),
        ("DE", "116 117"),
        ("US", "urgent care centre"),
    ],
)
async def test_urgent_red_flag_gives_same_day_care_for_the_country(
    configure: Callable[..., None], conversation: Conversation, country: str, expected: str
) -> None:
    configure(DEFAULT_COUNTRY=country)
    _, dispatcher = await turn(
        conversation, ActionRedFlag(), FALL, "medical_red_flag", {"reasons": ["fell"]}
    )

    said = "\n".join(texts(dispatcher))
    assert expected in said
    assert "same-day" in said
    assert rows(SafetyFlag)[0].level == "urgent"


async def test_played_down_red_flag_repeats_the_advice_before_breathing(
    conversation: Conversation,
) -> None:
    await turn(
        conversation, ActionRedFlag(), CHEST, "medical_red_flag", {"reasons": ["chest_pain"]}
    )

    _, dispatcher = await turn(
        conversation,
        ActionBreathing(),
        "it's surely just my usual pain, let's do the breathing",
        "request_breathing",
    )

    said = texts(dispatcher)
    assert "911" in said[0] and "doctor" in said[0]  # the advice again, with the reason
    assert said[1] == triage_texts().get("red_flag.while_waiting")
    assert len(said) > 3  # breathing follows, alongside getting help


async def test_no_body_reassurance_after_a_red_flag(conversation: Conversation) -> None:
    await turn(
        conversation, ActionRedFlag(), CHEST, "medical_red_flag", {"reasons": ["chest_pain"]}
    )

    _, fear = await turn(
        conversation, ActionFearResponse(), "is my body breaking down", "express_fear"
    )
    _, reframe = await turn(conversation, ActionReframe(), "/request_reframe", "request_reframe")

    for dispatcher in (fear, reframe):
        said = texts(dispatcher)
        assert not set(said) & all_reframe_texts()
        assert triage_texts().get("red_flag.no_reassurance") in said


async def test_friend_at_risk_gets_help_for_them_and_a_question_for_the_patient(
    conversation: Conversation,
) -> None:
    events, dispatcher = await turn(
        conversation, ActionThirdPartyRisk(), "my friend said she wants to die", "third_party_risk"
    )

    (flag,) = rows(SafetyFlag)
    assert (flag.kind, flag.level) == ("third_party", "third_party")
    said = texts(dispatcher)
    assert "ask them directly" in said[1]
    assert "911" in said[2] and "988" in said[2]
    assert said[-1] == triage_texts().get("third_party.about_you")
    assert not conversation.slots.get("crisis_active")
    assert slot_changes(events)["triage_route"] == "third_party"


async def test_crisis_wording_about_someone_else_is_not_the_patients_crisis(
    conversation: Conversation,
) -> None:
    _, dispatcher = await turn(
        conversation,
        ActionCrisisResponse(),
        "someone I know told me they want to die",
        "crisis",
        {"reasons": ["want_to_die"]},
    )

    assert [f.kind for f in rows(SafetyFlag)] == ["third_party"]
    assert conversation.slots["triage_route"] == "third_party"
    assert "ask them directly" in "\n".join(texts(dispatcher))


async def test_a_flare_report_after_a_red_flag_repeats_the_advice(
    conversation: Conversation,
) -> None:
    from actions.flare import ActionStartFlare

    await turn(conversation, ActionRedFlag(), FALL, "medical_red_flag", {"reasons": ["fell"]})
    _, dispatcher = await turn(
        conversation, ActionStartFlare(), "it's surely just my usual pain", "report_flare"
    )

    said = "\n".join(texts(dispatcher))
    assert "should still be checked today" in said
    assert "urgent care centre" in said  # US: no national line


async def test_cant_keep_myself_safe_taken_for_despair_is_high_at_once(
    conversation: Conversation,
) -> None:
    events, dispatcher = await turn(
        conversation, ActionSafetyQuestion(), "I can't keep myself safe", "express_despair"
    )
    assert slot_changes(events)["despair_answer"] == "unsafe"
    assert texts(dispatcher) == []  # no question: the form completes at once

    _, dispatcher = await turn(conversation, ActionDespairOutcome())
    assert conversation.slots["triage_route"] == "outcome"
    assert [(f.kind, f.level) for f in rows(SafetyFlag)] == [("crisis", "high")]


async def test_im_safe_taken_for_despair_answers_are_you_safe(
    conversation: Conversation,
) -> None:
    conversation.slots["safety_question"] = "crisis"
    await turn(conversation, ActionSafetyQuestion(), "I'm safe", "express_despair")
    _, dispatcher = await turn(conversation, ActionDespairOutcome())

    assert "glad you're safe" in texts(dispatcher)[0]
    assert conversation.slots["triage_route"] == "none"


MEDICINE_SELECTOR = {"faq": {"response": {"intent_response_key": "faq/medication"}}}


async def test_a_dosing_question_sent_to_the_despair_question_keeps_the_pharmacist_pointer(
    conversation: Conversation,
) -> None:
    """Seen on the trained model: "can I take an extra pregabalin tonight" is a medicine
    question the SafetyNet sends to the despair question (risk score in the ask band);
    the pointer to the prescriber or pharmacist must still be given."""
    safety = {"risk": "ambiguous", "model_intent": "faq", "reasons": []}
    tracker = make_tracker("can I take an extra pregabalin tonight", "express_despair",
                           slots=conversation.slots)
    tracker.latest_message.update(safety=safety, response_selector=MEDICINE_SELECTOR)
    events, dispatcher = await run(ActionSafetyQuestion(), tracker, conversation.domain)
    responses = [m.get("response") for m in dispatcher.messages]
    assert responses[-1] == "utter_faq/medication"
    assert dispatcher.messages[0].get("text") == triage_texts().get("despair.validate")
    assert slot_changes(events)["safety_question"] == "despair"

    # Plain despair, or a FAQ answer that is not about medicines: no pointer.
    for selector, model_intent in ((MEDICINE_SELECTOR, "express_despair"),
                                   ({"faq": {"response": {"intent_response_key": "faq/how_long"}}},
                                    "faq")):
        tracker = make_tracker(DESPAIR_TEXT, "express_despair", slots={})
        tracker.latest_message.update(safety={**safety, "model_intent": model_intent},
                                      response_selector=selector)
        _, dispatcher = await run(ActionSafetyQuestion(), tracker, conversation.domain)
        assert "utter_faq/medication" not in [m.get("response") for m in dispatcher.messages]
