"""Listening mode: action_listening_ack and the start of a mode (actions/flare.py)."""

from __future__ import annotations

from actions import common
from actions.flare import ActionJustListen, ActionListeningAck
from bot.store.models import Episode
from tests.actions.actions_support import (
    entity,
    make_tracker,
    rows,
    run,
    slot_changes,
    start_flare,
    texts,
    with_buttons,
)

LISTENING = {"listening": True, "listening_acks": 0.0}


def _all_phrases_but(*allowed: str) -> set[str]:
    """Every validation sentence outside the ``allowed`` contexts."""
    pools = common.content().validations
    return {t for ctx, pool in pools.items() if ctx not in allowed for t in pool}


async def test_just_listen_starts_a_new_mode_with_no_acknowledgement_yet() -> None:
    events, _ = await run(ActionJustListen(), make_tracker("/just_listen", "just_listen"))

    assert slot_changes(events)["listening_acks"] == 0.0


async def test_a_flare_report_is_heard_and_logged_without_tools_or_a_question() -> None:
    tracker = make_tracker(
        "my back is screaming, it's an 8",
        "report_flare",
        entities=[entity("severity", "8"), entity("location", "back")],
        slots=LISTENING,
    )

    events, dispatcher = await run(ActionListeningAck(), tracker)

    (said,) = texts(dispatcher)
    assert said in common.content().validations["listening_flare"]
    assert "?" not in said
    assert with_buttons(dispatcher) == []
    (episode,) = rows(Episode)
    assert episode.severity_start == 8
    assert episode.locations == ["back"]
    changes = slot_changes(events)
    assert changes["in_flare"] is True
    assert changes["episode_id"] == str(episode.id)
    assert changes["severity_start"] == 8.0
    assert changes["listening_acks"] == 1.0
    assert "requested_slot" not in changes and "pending_offer" not in changes


async def test_a_later_score_goes_to_the_open_episode() -> None:
    await start_flare()  # a 7, lower back

    tracker = make_tracker("it's a 9 now", "inform_severity", slots=LISTENING)
    _, dispatcher = await run(ActionListeningAck(), tracker)

    (episode,) = rows(Episode)
    assert (episode.severity_start, episode.severity_end) == (7, 9)
    assert texts(dispatcher)[0] in common.content().validations["listening_flare"]


async def test_a_fear_is_heard_without_a_reframe() -> None:
    tracker = make_tracker("what if this never gets better", "express_fear", slots=LISTENING)

    events, dispatcher = await run(ActionListeningAck(), tracker)

    (said,) = texts(dispatcher)
    assert said in common.content().validations["listening"]
    assert said not in _all_phrases_but("listening")
    assert with_buttons(dispatcher) == []
    assert rows(Episode) == []  # a fear opens no flare episode
    assert "in_flare" not in slot_changes(events)


async def test_the_reminder_that_tools_are_there_comes_once_with_the_second_ack() -> None:
    reminder = common.content().phrase("listening_reminder")
    said_per_turn, buttons = [], []
    slots = dict(LISTENING)
    for _ in range(4):
        tracker = make_tracker("nobody gets how tiring this is", "out_of_scope", slots=slots)
        events, dispatcher = await run(ActionListeningAck(), tracker)
        said_per_turn.append(texts(dispatcher))
        buttons += with_buttons(dispatcher)
        slots.update(slot_changes(events))

    assert [reminder in said for said in said_per_turn] == [False, True, False, False]
    assert buttons == []


async def test_an_unclear_answer_to_the_safety_question_is_still_a_safety_answer() -> None:
    tracker = make_tracker(
        "hmm", "nlu_fallback", slots={**LISTENING, "safety_question": "crisis"}
    )

    events, dispatcher = await run(ActionListeningAck(), tracker)

    said = texts(dispatcher)
    assert not set(said) & set(common.content().validations["listening"])
    assert slot_changes(events).get("safety_question") == "crisis"  # asked again


async def test_another_language_gets_the_honest_answer() -> None:
    tracker = make_tracker("me duele mucho la espalda", "nlu_fallback", slots=LISTENING)

    _, dispatcher = await run(ActionListeningAck(), tracker)

    assert texts(dispatcher)[0].startswith("Sorry, I can only understand English")


async def test_the_crisis_pathway_ends_listening_mode() -> None:
    from actions.triage import ActionCrisisResponse

    tracker = make_tracker("honestly i can't keep myself safe", "crisis", slots=LISTENING)
    events, _ = await run(ActionCrisisResponse(), tracker)
    assert slot_changes(events)["listening"] is False
