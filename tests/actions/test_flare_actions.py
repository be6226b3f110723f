"""Flare episodes: start, the tool offer, just listening, idle time (actions/flare.py)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta, timezone

import pytest

from actions import common
from actions.fear import ActionFearResponse
from actions.flare import (
    ActionJustListen,
    ActionOfferTools,
    ActionStartFlare,
)
from actions.safety import ActionCrisisResponse
from bot.store.models import Episode
from tests.actions.actions_support import (
    FLARE_ENTITIES,
    FLARE_TEXT,
    SENDER,
    entity,
    make_tracker,
    payloads,
    rows,
    run,
    slot_changes,
    start_flare,
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
T0 = datetime(2024, 6, 3, 12, 0, tzinfo=timezone.utc)


async def test_flare_with_severity_opens_an_episode() -> None:
    tracker = make_tracker(FLARE_TEXT, "report_flare", entities=FLARE_ENTITIES)

    events, dispatcher = await run(ActionStartFlare(), tracker)

    (episode,) = rows(Episode)
    assert episode.patient_id == SENDER
    assert episode.severity_start == 7
    assert episode.locations == ["lower back"]
    assert episode.triggers == ["poor_sleep"]
    assert episode.first_message == FLARE_TEXT
    assert episode.ended_at is None
    changes = slot_changes(events)
    assert changes["severity_known"] is True
    assert changes["severity_start"] == 7.0
    assert changes["in_flare"] is True
    assert changes["episode_id"] == str(episode.id)
    said = texts(dispatcher)
    assert said[0] in common.content().validations["flare"]
    assert "lower back" in said[1] and "poor sleep" in said[1]


async def test_flare_without_severity_asks_for_it_later() -> None:
    events = await start_flare("my hands are burning today", [entity("location", "hands")])

    (episode,) = rows(Episode)
    assert episode.severity_start is None
    assert episode.locations == ["hands"]
    changes = slot_changes(events)
    assert changes["severity_known"] is False
    assert changes["severity_start"] is None
    assert changes["in_flare"] is True


async def test_high_severity_gets_the_high_validation() -> None:
    tracker = make_tracker(
        "it's a 9, everything hurts", "report_flare", entities=[entity("severity", "9")]
    )

    _, dispatcher = await run(ActionStartFlare(), tracker)

    assert texts(dispatcher)[0] in common.content().validations["flare_high"]


async def test_a_bare_number_answer_counts_as_severity() -> None:
    events, _ = await run(ActionStartFlare(), make_tracker("6", "inform_severity"))

    assert rows(Episode)[0].severity_start == 6
    assert slot_changes(events)["severity_known"] is True


async def test_a_second_report_continues_the_episode() -> None:
    await start_flare()

    await start_flare(
        "now my neck too, from the stress",
        [
            entity("location", "neck"),
            entity("trigger", "stress"),
        ],
    )

    (episode,) = rows(Episode)
    assert episode.locations == ["lower back", "neck"]
    assert episode.triggers == ["poor_sleep", "stress"]
    assert episode.severity_start == 7


async def test_offer_tools_offers_five_buttons_and_records_them() -> None:
    await start_flare()
    tracker = make_tracker(FLARE_TEXT, "report_flare", slots={"severity_start": 7.0})

    events, dispatcher = await run(ActionOfferTools(), tracker)

    (offer,) = with_buttons(dispatcher)
    assert payloads(offer) == ALL_TOOLS
    assert "7 out of 10" in offer["text"]
    assert rows(Episode)[0].tools_offered == [
        "breathing",
        "reframe",
        "grounding",
        "pacing",
        "just_listen",
    ]
    changes = slot_changes(events)
    assert changes["pending_offer"] == "tools"
    assert changes["in_flare"] is True


async def test_offer_tools_after_a_skipped_severity_does_not_quote_it() -> None:
    await start_flare("my feet are flaring", [])
    tracker = make_tracker("skip", "skip", slots={"severity_start": -1.0})

    _, dispatcher = await run(ActionOfferTools(), tracker)

    (offer,) = with_buttons(dispatcher)
    assert "out of 10" not in offer["text"]
    assert "-1" not in offer["text"]


async def test_offer_tools_leaves_out_the_reframe_in_a_crisis_slot() -> None:
    await start_flare()
    tracker = make_tracker("ok", "affirm", slots={"crisis_active": True})

    _, dispatcher = await run(ActionOfferTools(), tracker)

    (offer,) = with_buttons(dispatcher)
    assert payloads(offer) == [p for p in ALL_TOOLS if p != "/request_reframe"]
    assert "reframe" not in rows(Episode)[0].tools_offered


async def test_offer_tools_leaves_out_the_reframe_after_a_recent_crisis_flag() -> None:
    await run(ActionCrisisResponse(), make_tracker("I want to kill myself", "crisis"))
    await start_flare()

    _, dispatcher = await run(ActionOfferTools(), make_tracker("ok", "affirm"))  # new session

    (offer,) = with_buttons(dispatcher)
    assert "/request_reframe" not in payloads(offer)
    assert len(payloads(offer)) == 4


async def test_offer_tools_uses_the_right_article_for_eight() -> None:
    tracker = make_tracker("8", "inform_severity", slots={"severity_start": 8.0})

    _, dispatcher = await run(ActionOfferTools(), tracker)

    assert with_buttons(dispatcher)[0]["text"].startswith("Thank you. An 8 out of 10")


async def test_just_listen_validates_and_records_the_choice() -> None:
    await start_flare()

    events, dispatcher = await run(ActionJustListen(), make_tracker("/just_listen", "just_listen"))

    assert texts(dispatcher)[0] in common.content().validations["just_listen"]
    assert with_buttons(dispatcher) == []
    assert rows(Episode)[0].tools_used == ["just_listen"]
    assert slot_changes(events)["pending_offer"] is None


async def test_a_report_after_the_idle_time_opens_a_new_episode(
    frozen_now: Callable[[datetime], None],
) -> None:
    frozen_now(T0)
    await start_flare()
    frozen_now(T0 + timedelta(hours=3))  # default idle time: 2 hours

    await start_flare("flaring again", [])

    first, second = rows(Episode)
    assert first.close_reason == "timeout"
    assert second.ended_at is None


async def test_a_report_within_the_idle_time_continues_the_episode(
    frozen_now: Callable[[datetime], None],
) -> None:
    frozen_now(T0)
    await start_flare()
    frozen_now(T0 + timedelta(minutes=90))

    await start_flare("still flaring", [])

    assert len(rows(Episode)) == 1


IDLE_BUG = (
    "actions/flare.py ActionStartFlare and actions/fear.py ActionFearResponse call "
    "episode_store.open_episode without idle=common.settings().episode_idle, so "
    "EPISODE_IDLE_MINUTES is ignored there (the store's 2-hour default applies)"
)


@pytest.mark.parametrize("second_action", ["flare", "fear"])
async def test_episode_idle_setting_applies_to_new_reports(
    configure: Callable[..., None], frozen_now: Callable[[datetime], None], second_action: str
) -> None:
    configure(EPISODE_IDLE_MINUTES="30")
    frozen_now(T0)
    await start_flare()
    frozen_now(T0 + timedelta(minutes=60))

    if second_action == "flare":
        await start_flare("flaring again", [])
    else:
        await run(ActionFearResponse(), make_tracker("what if this never ends", "express_fear"))

    first, second = rows(Episode)
    assert first.close_reason == "timeout"
    assert second.ended_at is None


def test_cleared_severity_is_validated_silently() -> None:
    from rasa_sdk.executor import CollectingDispatcher

    from actions.flare import _validate_severity

    dispatcher = CollectingDispatcher()
    assert _validate_severity(None, "start", "severity_start", dispatcher, None) == {  # type: ignore[arg-type]
        "severity_start": None
    }
    assert dispatcher.messages == []
