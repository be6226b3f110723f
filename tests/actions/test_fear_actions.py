"""Fear-laden statements and reframes, never during a crisis (actions/fear.py)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta, timezone

from sqlalchemy import select

from actions import common
from actions.fear import DEFAULT_FLARE_KIND, ActionFearResponse, ActionReframe
from actions.safety import ActionCrisisResponse
from bot.content import REFRAME_KINDS
from bot.nlu.fear_kind import classify_fear
from bot.store.models import Episode, FearStatement, ReframeUse, SafetyFlag
from tests.actions.actions_support import (
    SENDER,
    all_reframe_texts,
    make_tracker,
    payloads,
    rows,
    run,
    slot_changes,
    texts,
    with_buttons,
)

FEAR_TEXT = "I'm terrified this pain means I'm damaging my spine every time I move"
T0 = datetime(2024, 6, 3, 12, 0, tzinfo=timezone.utc)


def pool_texts(kind: str) -> set[str]:
    """The texts of every reframe of one kind."""
    return {reframe.text for reframe in common.content().reframes[kind]}


async def fear(text: str = FEAR_TEXT, slots: dict | None = None) -> tuple[list, list[str]]:
    """Run action_fear_response; return its events and the texts it sent."""
    events, dispatcher = await run(
        ActionFearResponse(), make_tracker(text, "express_fear", slots=slots)
    )
    return events, texts(dispatcher)


async def test_fear_response_records_validates_reframes_and_offers_breathing() -> None:
    kind = classify_fear(FEAR_TEXT)
    assert kind in REFRAME_KINDS

    events, dispatcher = await run(ActionFearResponse(), make_tracker(FEAR_TEXT, "express_fear"))

    (statement,) = rows(FearStatement)
    assert (statement.text, statement.kind) == (FEAR_TEXT, kind)
    (episode,) = rows(Episode)
    assert statement.episode_id == episode.id
    assert episode.tools_used == ["reframe"]
    assert episode.tools_offered == ["breathing"]
    validation, reframe, offer = dispatcher.messages
    assert validation["text"] in common.content().validations["fear"]
    assert reframe["text"] in pool_texts(kind)
    assert payloads(offer) == ["/request_breathing", "/deny"]
    (use,) = rows(ReframeUse)
    assert (use.patient_id, use.kind) == (SENDER, kind)
    assert use.reframe_id in {r.id for r in common.content().reframes[kind]}
    changes = slot_changes(events)
    assert changes["fear_kind"] == kind
    assert changes["pending_offer"] == "breathing"
    assert changes["in_flare"] is True


async def test_reframes_do_not_repeat_until_the_pool_is_used_up() -> None:
    kind = classify_fear(FEAR_TEXT)
    pool = pool_texts(kind)

    shown = []
    for _ in range(len(pool) + 1):
        _, said = await fear()
        (reframe,) = [text for text in said if text in pool]
        shown.append(reframe)

    assert len(set(shown[:-1])) == len(pool)  # every one once before any repeat
    assert set(shown[:-1]) == pool
    assert shown[-1] in pool  # then it starts again rather than failing
    assert len(rows(ReframeUse, kind=kind)) == len(pool) + 1


async def test_another_patients_history_does_not_count() -> None:
    kind = classify_fear(FEAR_TEXT)
    for _ in range(len(pool_texts(kind))):
        await fear()

    await run(ActionFearResponse(), make_tracker(FEAR_TEXT, "express_fear", sender_id="p-other"))

    assert len(rows(ReframeUse, patient_id="p-other")) == 1


async def test_fear_response_in_a_crisis_slot_sends_no_reframe() -> None:
    events, said = await fear(slots={"crisis_active": True})

    assert not set(said) & all_reframe_texts()
    assert rows(ReframeUse) == []
    assert len(rows(FearStatement)) == 1  # still logged for the coach
    assert slot_changes(events)["pending_offer"] == "grounding"
    assert any("crisis line" in text for text in said)


async def test_fear_response_after_a_recent_crisis_flag_sends_no_reframe() -> None:
    await run(ActionCrisisResponse(), make_tracker("I want to kill myself", "crisis"))

    _, said = await fear()  # a new session: the crisis_active slot is gone

    assert not set(said) & all_reframe_texts()
    assert rows(ReframeUse) == []


async def test_crisis_flag_older_than_a_day_no_longer_blocks_reframes(
    frozen_now: Callable[[datetime], None],
) -> None:
    frozen_now(T0)
    await run(ActionCrisisResponse(), make_tracker("I want to kill myself", "crisis"))
    frozen_now(T0 + common.CRISIS_WINDOW + timedelta(minutes=1))

    _, said = await fear()

    assert set(said) & all_reframe_texts()


async def test_acknowledged_crisis_flag_no_longer_blocks_reframes() -> None:
    await run(ActionCrisisResponse(), make_tracker("I want to kill myself", "crisis"))
    with common.transaction() as session:
        for flag in session.execute(select(SafetyFlag)).scalars():
            flag.acknowledged_at = common.utcnow()
            flag.acknowledged_by = "coach"

    _, said = await fear()

    assert set(said) & all_reframe_texts()


async def test_reframe_on_request_uses_the_fear_kind() -> None:
    await fear()
    kind = "permanence"

    events, dispatcher = await run(
        ActionReframe(),
        make_tracker("/request_reframe", "request_reframe", slots={"fear_kind": kind}),
    )

    (reframe,) = texts(dispatcher)
    assert reframe in pool_texts(kind)
    assert rows(ReframeUse)[-1].kind == kind
    assert slot_changes(events)["pending_offer"] is None


async def test_reframe_without_a_fear_kind_says_hurt_is_not_harm() -> None:
    _, dispatcher = await run(ActionReframe(), make_tracker("/request_reframe", "request_reframe"))

    (reframe,) = texts(dispatcher)
    assert reframe in pool_texts(DEFAULT_FLARE_KIND)
    assert rows(ReframeUse)[0].kind == DEFAULT_FLARE_KIND


async def test_reframe_on_request_in_a_crisis_sends_no_reframe() -> None:
    tracker = make_tracker(
        "/request_reframe", "request_reframe", slots={"crisis_active": True, "fear_kind": "damage"}
    )

    events, dispatcher = await run(ActionReframe(), tracker)

    assert not set(texts(dispatcher)) & all_reframe_texts()
    assert rows(ReframeUse) == []
    (offer,) = with_buttons(dispatcher)
    assert "/request_grounding" in payloads(offer)
    assert slot_changes(events)["pending_offer"] == "grounding"


async def test_reframe_on_request_after_a_recent_crisis_flag_sends_no_reframe() -> None:
    await run(ActionCrisisResponse(), make_tracker("I want to kill myself", "crisis"))

    _, dispatcher = await run(ActionReframe(), make_tracker("/request_reframe", "request_reframe"))

    assert not set(texts(dispatcher)) & all_reframe_texts()
