"""Crisis response, the gentle safety question and the medical red flag (actions/safety.py)."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from rasa_sdk.events import ActiveLoop, SlotSet

from actions.conversation import ActionYesNo
from actions.flare import ActionStartFlare
from actions.safety import ActionCrisisResponse, ActionRedFlag, ActionSafetyQuestion
from bot.store.models import Episode, SafetyFlag
from tests.actions.actions_support import (
    SENDER,
    Conversation,
    all_reframe_texts,
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
DESPAIR_TEXT = "I can't go on like this"
RED_FLAG_TEXT = "sudden weakness in my legs and I lost bladder control"


def _assert_ends_form(events: list[dict]) -> None:
    assert ActiveLoop(None) in events
    assert SlotSet("requested_slot", None) in events


async def test_crisis_response_flags_sends_resources_and_asks_if_safe() -> None:
    tracker = make_tracker(CRISIS_TEXT, "crisis")

    events, dispatcher = await run(ActionCrisisResponse(), tracker)

    flags = rows(SafetyFlag)
    assert [(f.kind, f.patient_id, f.text) for f in flags] == [("crisis", SENDER, CRISIS_TEXT)]
    assert flags[0].reasons == ["kill_myself"]
    assert flags[0].acknowledged_at is None
    said = "\n".join(texts(dispatcher))
    assert "988" in said  # default country is US
    assert "911" in said
    question = with_buttons(dispatcher)
    assert len(question) == 1 and "safe" in question[0]["text"].lower()
    assert payloads(question[0]) == ["/affirm", "/deny"]
    changes = slot_changes(events)
    assert changes["crisis_active"] is True
    assert changes["safety_question"] == "crisis"
    assert changes["pending_offer"] is None
    _assert_ends_form(events)


@pytest.mark.parametrize(
    ("country", "expected", "absent"),
    [
        ("US", ["988", "911"], ["116 123"]),
        ("GB", ["116 123", "999", "Samaritans"], ["988"]),
        ("BR", ["findahelpline.com", "local emergency number"], ["988", "116 123"]),
    ],
    ids=["us-988", "gb-samaritans", "unlisted-default"],
)
async def test_crisis_resources_follow_the_patients_country(
    configure: Callable[..., None], country: str, expected: list[str], absent: list[str]
) -> None:
    configure(DEFAULT_COUNTRY=country)

    _, dispatcher = await run(ActionCrisisResponse(), make_tracker(CRISIS_TEXT, "crisis"))

    said = "\n".join(texts(dispatcher))
    for fragment in expected:
        assert fragment in said
    for fragment in absent:
        assert fragment not in said


async def test_crisis_during_a_form_ends_the_form() -> None:
    tracker = make_tracker(
        CRISIS_TEXT, "crisis", active_loop="checkin_form", slots={"requested_slot": "checkin_pain"}
    )

    events, _ = await run(ActionCrisisResponse(), tracker)

    _assert_ends_form(events)
    assert event_names(events)[0] == "active_loop"


async def test_crisis_flag_is_linked_to_the_open_episode() -> None:
    await run(ActionStartFlare(), make_tracker("my back is flaring", "report_flare"))

    await run(ActionCrisisResponse(), make_tracker(CRISIS_TEXT, "crisis"))

    (episode,) = rows(Episode)
    (flag,) = rows(SafetyFlag)
    assert flag.episode_id == episode.id


async def test_crisis_response_never_sends_a_reframe() -> None:
    _, dispatcher = await run(ActionCrisisResponse(), make_tracker(CRISIS_TEXT, "crisis"))

    assert not set(texts(dispatcher)) & all_reframe_texts()


async def test_safety_question_after_despair_asks_directly(conversation: Conversation) -> None:
    events, dispatcher = await conversation.turn(
        ActionSafetyQuestion(), DESPAIR_TEXT, "express_despair"
    )

    (flag,) = rows(SafetyFlag)
    assert (flag.kind, flag.text) == ("despair_check", DESPAIR_TEXT)
    question = with_buttons(dispatcher)
    assert len(question) == 1
    assert "hurting yourself" in question[0]["text"] or "ending your life" in question[0]["text"]
    assert payloads(question[0]) == ["/affirm", "/deny"]
    assert conversation.slots["safety_question"] == "despair"
    assert "crisis_active" not in conversation.slots  # a question, not yet a crisis
    _assert_ends_form(events)
    assert not set(texts(dispatcher)) & all_reframe_texts()


async def test_yes_to_the_safety_question_leads_to_the_crisis_response(
    conversation: Conversation,
) -> None:
    await conversation.turn(ActionSafetyQuestion(), DESPAIR_TEXT, "express_despair")

    events, dispatcher = await conversation.turn(ActionYesNo(), "yes", "affirm")

    assert [f.kind for f in rows(SafetyFlag)] == ["despair_check", "crisis"]
    assert "988" in "\n".join(texts(dispatcher))
    assert conversation.slots["crisis_active"] is True
    assert conversation.slots["safety_question"] == "crisis"
    _assert_ends_form(events)


async def test_no_to_the_safety_question_carries_on_with_tools(
    conversation: Conversation,
) -> None:
    await conversation.turn(ActionSafetyQuestion(), DESPAIR_TEXT, "express_despair")

    _, dispatcher = await conversation.turn(ActionYesNo(), "no", "deny")

    assert [f.kind for f in rows(SafetyFlag)] == ["despair_check"]
    assert conversation.slots["safety_question"] is None
    assert conversation.slots["pending_offer"] == "tools"
    assert not conversation.slots.get("crisis_active")
    (offer,) = with_buttons(dispatcher)
    assert "/request_breathing" in payloads(offer)
    assert "988" not in "\n".join(texts(dispatcher))


async def test_a_later_crisis_after_no_still_gets_the_crisis_response(
    conversation: Conversation,
) -> None:
    await conversation.turn(ActionSafetyQuestion(), DESPAIR_TEXT, "express_despair")
    await conversation.turn(ActionYesNo(), "no", "deny")

    events, dispatcher = await conversation.turn(ActionCrisisResponse(), CRISIS_TEXT, "crisis")

    assert [f.kind for f in rows(SafetyFlag)] == ["despair_check", "crisis"]
    assert "988" in "\n".join(texts(dispatcher))
    assert conversation.slots["safety_question"] == "crisis"
    assert conversation.slots["crisis_active"] is True


async def test_later_despair_after_no_is_asked_again(conversation: Conversation) -> None:
    await conversation.turn(ActionSafetyQuestion(), DESPAIR_TEXT, "express_despair")
    await conversation.turn(ActionYesNo(), "no", "deny")

    await conversation.turn(ActionSafetyQuestion(), "what's the point anymore", "express_despair")
    _, dispatcher = await conversation.turn(ActionYesNo(), "yes", "affirm")

    assert [f.kind for f in rows(SafetyFlag)] == ["despair_check", "despair_check", "crisis"]
    assert "988" in "\n".join(texts(dispatcher))


async def test_not_safe_keeps_the_crisis_question_open(conversation: Conversation) -> None:
    await conversation.turn(ActionCrisisResponse(), CRISIS_TEXT, "crisis")

    _, dispatcher = await conversation.turn(ActionYesNo(), "/deny", "deny")

    assert conversation.slots["safety_question"] == "crisis"
    assert conversation.slots["crisis_active"] is True
    said = "\n".join(texts(dispatcher))
    assert "911" in said and "988" in said
    (question,) = with_buttons(dispatcher)
    assert payloads(question) == ["/affirm", "/deny"]
    assert [f.kind for f in rows(SafetyFlag)] == ["crisis", "crisis"]


async def test_safe_now_keeps_the_crisis_path_on(conversation: Conversation) -> None:
    await conversation.turn(ActionCrisisResponse(), CRISIS_TEXT, "crisis")

    _, dispatcher = await conversation.turn(ActionYesNo(), "/affirm", "affirm")

    assert conversation.slots["safety_question"] is None
    assert conversation.slots["crisis_active"] is True
    assert conversation.slots["pending_offer"] == "grounding"
    (offer,) = with_buttons(dispatcher)
    assert "/request_grounding" in payloads(offer)


async def test_red_flag_says_urgent_care_and_flags_it(conversation: Conversation) -> None:
    events, dispatcher = await conversation.turn(ActionRedFlag(), RED_FLAG_TEXT, "medical_red_flag")

    (flag,) = rows(SafetyFlag)
    assert (flag.kind, flag.text) == ("red_flag", RED_FLAG_TEXT)
    assert flag.reasons == ["sudden_weakness", "bladder_bowel"]
    said = "\n".join(texts(dispatcher))
    assert "urgent care" in said
    assert "911" in said
    assert not set(texts(dispatcher)) & all_reframe_texts()
    assert not conversation.slots.get("crisis_active")
    _assert_ends_form(events)


async def test_red_flag_uses_the_local_emergency_number(configure: Callable[..., None]) -> None:
    configure(DEFAULT_COUNTRY="GB")

    _, dispatcher = await run(ActionRedFlag(), make_tracker(RED_FLAG_TEXT, "medical_red_flag"))

    said = "\n".join(texts(dispatcher))
    assert "999" in said and "911" not in said
