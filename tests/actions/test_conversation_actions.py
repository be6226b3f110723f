"""Plain yes/no answers, goodbye and the fallback (actions/conversation.py)."""

from __future__ import annotations

import pytest
from rasa_sdk.events import FollowupAction, SlotSet

from actions.conversation import ActionFallback, ActionGoodbye, ActionYesNo
from actions.flare import ActionStartFlare
from bot.store.models import Episode
from tests.actions.actions_support import (
    entity,
    make_tracker,
    payloads,
    rows,
    run,
    slot_changes,
    texts,
    with_buttons,
)

ALL_TOOLS = [
    "/request_breathing",
    "/request_reframe",
    "/request_grounding",
    "/request_pacing",
    "/just_listen",
]


@pytest.mark.parametrize(
    ("offer", "action"),
    [
        ("breathing", "action_breathing"),
        ("grounding", "action_grounding"),
        ("reframe", "action_reframe"),
    ],
)
async def test_yes_to_an_offer_runs_it(offer: str, action: str) -> None:
    tracker = make_tracker("yes please", "affirm", slots={"pending_offer": offer})

    events, dispatcher = await run(ActionYesNo(), tracker)

    assert events == [SlotSet("pending_offer", None), FollowupAction(action)]
    assert dispatcher.messages == []


async def test_yes_to_an_offer_ends_listening_mode() -> None:
    slots = {"pending_offer": "grounding", "listening": True}
    tracker = make_tracker("yes please", "affirm", slots=slots)

    events, _ = await run(ActionYesNo(), tracker)

    assert events == [
        SlotSet("pending_offer", None),
        SlotSet("listening", False),
        FollowupAction("action_grounding"),
    ]


async def test_no_to_an_offer_keeps_listening_mode() -> None:
    slots = {"pending_offer": "grounding", "listening": True}
    tracker = make_tracker("no thanks", "deny", slots=slots)

    events, _ = await run(ActionYesNo(), tracker)

    assert "listening" not in slot_changes(events)


async def test_yes_to_the_tool_offer_shows_the_tools_again() -> None:
    tracker = make_tracker("yes", "affirm", slots={"pending_offer": "tools"})

    events, dispatcher = await run(ActionYesNo(), tracker)

    (offer,) = with_buttons(dispatcher)
    assert payloads(offer) == ALL_TOOLS
    assert events == []


async def test_yes_to_the_tool_offer_in_a_crisis_leaves_out_the_reframe() -> None:
    tracker = make_tracker("yes", "affirm", slots={"pending_offer": "tools", "crisis_active": True})

    _, dispatcher = await run(ActionYesNo(), tracker)

    (offer,) = with_buttons(dispatcher)
    assert "/request_reframe" not in payloads(offer)


async def test_yes_to_nothing_says_what_the_bot_can_do() -> None:
    events, dispatcher = await run(ActionYesNo(), make_tracker("yes", "affirm"))

    (said,) = texts(dispatcher)
    assert "breathing" in said and "check-in" in said
    assert events == [SlotSet("pending_offer", None)]


@pytest.mark.parametrize("intent", ["deny", "skip"])
async def test_no_declines_the_offer_kindly(intent: str) -> None:
    tracker = make_tracker("not now", intent, slots={"pending_offer": "breathing"})

    events, dispatcher = await run(ActionYesNo(), tracker)

    assert events == [SlotSet("pending_offer", None)]
    (said,) = texts(dispatcher)
    assert "fine" in said
    assert not any(e.get("event") == "followup" for e in events)


async def test_goodbye_closes_the_episode() -> None:
    await run(
        ActionStartFlare(),
        make_tracker("my knees are a 6", "report_flare", entities=[entity("severity", "6")]),
    )

    events, dispatcher = await run(ActionGoodbye(), make_tracker("bye", "goodbye"))

    (episode,) = rows(Episode)
    assert episode.ended_at is not None
    assert episode.close_reason in ("goodbye", "closed")
    assert dispatcher.messages == []  # utter_goodbye follows in the rule
    assert slot_changes(events) == {"in_flare": False, "episode_id": None}


async def test_goodbye_without_an_episode_is_quiet() -> None:
    events, dispatcher = await run(ActionGoodbye(), make_tracker("bye", "goodbye"))

    assert rows(Episode) == []
    assert dispatcher.messages == []
    assert slot_changes(events) == {"in_flare": False, "episode_id": None}


@pytest.mark.parametrize("text", ["😭😭😭", "🔥", "?!", "..."])
async def test_fallback_on_emoji_only_asks_for_words_and_offers_tools(text: str) -> None:
    _, dispatcher = await run(ActionFallback(), make_tracker(text, "nlu_fallback"))

    (message,) = dispatcher.messages
    assert "few words" in message["text"]
    assert payloads(message) == ALL_TOOLS


@pytest.mark.parametrize("text", ["Мне очень больно", "とても痛いです", "ยังปวดอยู่"])
async def test_fallback_in_another_script_says_english_only(text: str) -> None:
    _, dispatcher = await run(ActionFallback(), make_tracker(text, "nlu_fallback"))

    (message,) = dispatcher.messages
    assert "only understand English" in message["text"]


@pytest.mark.parametrize("text", ["¿Por qué me duele tanto la espalda?", "J'ai très mal au dos"])
async def test_fallback_in_a_latin_script_language_says_english_only(text: str) -> None:
    _, dispatcher = await run(ActionFallback(), make_tracker(text, "nlu_fallback"))

    assert "only understand English" in dispatcher.messages[0]["text"]


async def test_fallback_on_unknown_english_is_honest_and_offers_tools() -> None:
    _, dispatcher = await run(
        ActionFallback(), make_tracker("what about the purple giraffe", "nlu_fallback")
    )

    (message,) = dispatcher.messages
    assert "not sure I understood" in message["text"]
    assert "only understand English" not in message["text"]
    assert payloads(message) == ALL_TOOLS


def _said(dispatcher) -> str:  # type: ignore[no-untyped-def]
    return "\n".join(m.get("text") or "" for m in dispatcher.messages)


async def test_unclear_yes_to_are_you_safe_is_asked_again() -> None:
    from actions.conversation import ActionYesNo
    from tests.actions.actions_support import make_tracker, run

    tracker = make_tracker("hmm", "affirm", slots={"safety_question": "crisis"})
    tracker.latest_message["intent"]["confidence"] = 0.32
    events, dispatcher = await run(ActionYesNo(), tracker, {})
    assert "Are you safe right now?" in _said(dispatcher)
    assert "glad you're safe" not in _said(dispatcher)


async def test_fallback_with_an_open_safety_question_asks_it_again() -> None:
    from actions.conversation import ActionFallback
    from tests.actions.actions_support import make_tracker, run

    tracker = make_tracker("😭", "nlu_fallback", slots={"safety_question": "crisis"})
    _, dispatcher = await run(ActionFallback(), tracker, {})
    assert "Are you safe right now?" in _said(dispatcher)
    tracker = make_tracker("...", "nlu_fallback", slots={"safety_question": "despair"})
    _, dispatcher = await run(ActionFallback(), tracker, {})
    assert "thoughts of ending your life" in _said(dispatcher)


async def test_out_of_scope_in_another_language_says_english_only() -> None:
    from actions.conversation import ActionOutOfScope
    from tests.actions.actions_support import make_tracker, run

    _, dispatcher = await run(
        ActionOutOfScope(), make_tracker("me duele mucho la espalda hoy", "out_of_scope"), {}
    )
    assert "only understand English" in _said(dispatcher)
    _, dispatcher = await run(
        ActionOutOfScope(), make_tracker("who won the match", "out_of_scope"), {}
    )
    assert "outside what I can help with" in _said(dispatcher)


@pytest.mark.parametrize(
    ("text", "intent", "slots"),
    [
        ("what about the purple giraffe", "nlu_fallback", {}),
        ("thank you", "thank", {"safety_question": "crisis"}),  # unclear: asked again
        ("thank you", "thank", {"safety_question": "crisis", "triage_retry": "safe"}),
    ],
)
async def test_fallback_then_waits_for_the_patient(
    text: str, intent: str, slots: dict[str, object]
) -> None:
    """The core fallback has no rule after it: it must end the turn itself, or Rasa runs it
    again until its circuit breaker drops the whole answer."""
    events, dispatcher = await run(ActionFallback(), make_tracker(text, intent, slots=slots))

    assert dispatcher.messages
    assert events[-1] == FollowupAction("action_listen")
    assert sum(1 for event in events if event.get("event") == "followup") == 1


async def test_fallback_keeps_a_next_action_the_safety_answer_chose() -> None:
    tracker = make_tracker("yes", "affirm", slots={"safety_question": "despair"})
    events, _ = await run(ActionFallback(), tracker)

    follow = [event for event in events if event.get("event") == "followup"]
    assert len(follow) == 1
    assert follow[0] != FollowupAction("action_listen")


@pytest.mark.parametrize(("text", "intent"), [("thanks", "thank"), ("hi", "greet")])
async def test_small_talk_does_not_leave_are_you_safe_hanging(text: str, intent: str) -> None:
    """Seen in the terminal chat: "thanks" after "are you safe right now?" got "any time"
    and the question was dropped. It is asked again, then an unclear answer is not safe."""
    from actions.conversation import ActionSmallTalk

    tracker = make_tracker(text, intent, slots={"safety_question": "crisis"})
    events, dispatcher = await run(ActionSmallTalk(), tracker)
    assert "Are you safe right now?" in _said(dispatcher)
    assert slot_changes(events)["triage_retry"] == "safe"
    assert events[-1] == FollowupAction("action_listen")  # no utter_welcome after it

    slots = {"safety_question": "crisis", "triage_retry": "safe"}
    events, dispatcher = await run(ActionSmallTalk(), make_tracker(text, intent, slots=slots))
    assert "glad you're safe" not in _said(dispatcher)
    assert slot_changes(events)["triage_retry"] is None  # taken as not safe
    assert "Are you safe right now?" not in _said(dispatcher)


async def test_small_talk_without_a_safety_question_leaves_the_answer_to_the_rule() -> None:
    from actions.conversation import ActionSmallTalk

    cases = [("thanks", "thank"), ("hello", "greet"), ("are you a bot", "bot_challenge")]
    for text, intent in cases:
        events, dispatcher = await run(ActionSmallTalk(), make_tracker(text, intent))
        assert events == [] and dispatcher.messages == []  # utter_welcome etc. follow


async def test_goodbye_with_are_you_safe_open_asks_it_and_keeps_the_episode() -> None:
    tracker = make_tracker("bye", "goodbye", slots={"safety_question": "crisis"})
    events, dispatcher = await run(ActionGoodbye(), tracker)
    assert "Are you safe right now?" in _said(dispatcher)
    assert "in_flare" not in slot_changes(events)
    assert events[-1] == FollowupAction("action_listen")  # no utter_goodbye after it


async def test_out_of_scope_with_are_you_safe_open_asks_it_again() -> None:
    from actions.conversation import ActionOutOfScope

    tracker = make_tracker("who won the match", "out_of_scope", slots={"safety_question": "crisis"})
    _, dispatcher = await run(ActionOutOfScope(), tracker)
    assert "Are you safe right now?" in _said(dispatcher)
    assert "outside what I can help with" not in _said(dispatcher)
