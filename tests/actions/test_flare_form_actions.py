"""The flare severity forms and closing the episode (actions/flare.py)."""

from __future__ import annotations

from typing import Any

import pytest
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.flare import ActionCloseFlare, ValidateFlareForm, ValidateFollowupForm
from bot.store.models import Episode
from tests.actions.actions_support import (
    FLARE_TEXT,
    entity,
    make_tracker,
    rows,
    run,
    slot_changes,
    start_flare,
    texts,
)

RE_ASK = "A number from 0 (no pain) to 10 (the worst) is all I need, or say skip."


@pytest.mark.parametrize(("answer", "score"), [("7", 7), ("seven", 7), ("8/10", 8), ("0", 0)])
async def test_flare_form_accepts_numbers(answer: str, score: int) -> None:
    await start_flare("my feet are flaring", [])
    dispatcher = CollectingDispatcher()
    tracker = make_tracker(answer, "inform_severity", active_loop="flare_form")

    result = ValidateFlareForm().validate_severity_start(answer, dispatcher, tracker, {})

    assert result == {"severity_start": float(score)}
    assert dispatcher.messages == []
    assert rows(Episode)[0].severity_start == score


async def test_flare_form_accepts_skip_without_storing() -> None:
    await start_flare("my feet are flaring", [])
    dispatcher = CollectingDispatcher()
    tracker = make_tracker("skip", "skip", active_loop="flare_form")

    result = ValidateFlareForm().validate_severity_start("skip", dispatcher, tracker, {})

    assert result == {"severity_start": -1.0}
    assert dispatcher.messages == []
    assert rows(Episode)[0].severity_start is None


@pytest.mark.parametrize("answer", ["banana", "11", ""])
async def test_flare_form_re_asks_on_a_bad_answer(answer: str) -> None:
    await start_flare("my feet are flaring", [])
    dispatcher = CollectingDispatcher()
    tracker = make_tracker(answer, "out_of_scope", active_loop="flare_form")

    result = ValidateFlareForm().validate_severity_start(answer, dispatcher, tracker, {})

    assert result == {"severity_start": None}
    assert texts(dispatcher) == [RE_ASK]
    assert rows(Episode)[0].severity_start is None


def _form_tracker(slot: str, value: str, form: str) -> Any:
    """A tracker as Rasa sends it to a form validation action: the candidate slot last."""
    return make_tracker(
        value,
        "inform_severity",
        active_loop=form,
        slots={slot: value, "requested_slot": slot},
        events=[{"event": "slot", "name": slot, "value": value}],
    )


async def test_flare_form_run_validates_the_candidate(domain: DomainDict) -> None:
    await start_flare("my feet are flaring", [])

    events, dispatcher = await run(
        ValidateFlareForm(), _form_tracker("severity_start", "seven", "flare_form"), domain
    )

    assert events == [SlotSet("severity_start", 7.0)]
    assert dispatcher.messages == []


async def test_flare_form_run_rejects_a_bad_candidate(domain: DomainDict) -> None:
    events, dispatcher = await run(
        ValidateFlareForm(), _form_tracker("severity_start", "banana", "flare_form"), domain
    )

    assert events == [SlotSet("severity_start", None)]
    assert texts(dispatcher) == [RE_ASK]


async def test_followup_form_stores_severity_end(domain: DomainDict) -> None:
    await start_flare()

    events, _ = await run(
        ValidateFollowupForm(), _form_tracker("severity_end", "4/10", "followup_form"), domain
    )

    assert events == [SlotSet("severity_end", 4.0)]
    episode = rows(Episode)[0]
    assert (episode.severity_start, episode.severity_end) == (7, 4)


@pytest.mark.parametrize(
    ("before", "after", "words"),
    [(7, 4, ["7", "4", "down"]), (6, 6, ["Still 6"]), (5, 7, ["up to 7", "clinician"])],
    ids=["eased", "same", "worse"],
)
async def test_close_flare_records_the_end_and_compares(
    domain: DomainDict, before: int, after: int, words: list[str]
) -> None:
    await start_flare(FLARE_TEXT, [entity("severity", str(before))])
    await run(
        ValidateFollowupForm(),
        _form_tracker("severity_end", str(after), "followup_form"),
        domain,
    )

    events, dispatcher = await run(ActionCloseFlare(), make_tracker(str(after), "inform_severity"))

    episode = rows(Episode)[0]
    assert (episode.severity_start, episode.severity_end) == (before, after)
    assert episode.ended_at is not None
    assert episode.close_reason == "closed"
    (closing,) = texts(dispatcher)
    for word in words:
        assert word in closing
    changes = slot_changes(events)
    assert changes["in_flare"] is False
    assert changes["episode_id"] is None
    assert changes["severity_start"] is None and changes["severity_end"] is None


async def test_close_flare_without_severities_thanks_warmly() -> None:
    await start_flare("my feet are flaring", [])

    _, dispatcher = await run(ActionCloseFlare(), make_tracker("skip", "skip"))

    (closing,) = texts(dispatcher)
    assert "out of 10" not in closing and "None" not in closing
    assert rows(Episode)[0].ended_at is not None


async def test_close_flare_without_an_episode_is_harmless() -> None:
    events, dispatcher = await run(ActionCloseFlare(), make_tracker("done", "affirm"))

    assert rows(Episode) == []
    assert len(texts(dispatcher)) == 1
    assert slot_changes(events)["in_flare"] is False


@pytest.mark.parametrize("form", ["flare_form", "followup_form"])
async def test_a_fear_instead_of_the_number_ends_the_form(form: str) -> None:
    """Seen in the terminal chat: "im terrified this will never get better" at "where is
    the pain now?" got "a number ... is all I need", and so did every message after it."""
    from rasa_sdk.events import ActiveLoop

    from actions.fear import ActionFearResponse
    from actions.flare import ActionJustListen
    from actions.pacing import ActionPacing

    await start_flare("my neck is a 7", [])
    for action, text, intent in [
        (ActionFearResponse(), "im terrified this will never get better", "express_fear"),
        (ActionPacing(), "how do i pace the washing up", "request_pacing"),
        (ActionJustListen(), "just listen please", "just_listen"),
    ]:
        tracker = make_tracker(text, intent, active_loop=form)
        events, _ = await run(action, tracker)
        assert ActiveLoop(None) in events, action.name()
        assert slot_changes(events)["requested_slot"] is None
        events, _ = await run(action, make_tracker(text, intent))  # no form: nothing to end
        assert ActiveLoop(None) not in events
