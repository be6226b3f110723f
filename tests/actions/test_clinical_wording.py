"""Clinical wording found in review (issue #8): what is said, and when it is not said."""

from __future__ import annotations

from actions import common
from actions.flare import _closing_words
from actions.pacing import ActionPacing
from tests.actions.actions_support import make_tracker, run, start_flare, texts

ENERGY = "great that you've got some energy"


async def test_pacing_outside_a_flare_keeps_the_energy_intro() -> None:
    _, dispatcher = await run(ActionPacing(), make_tracker("I overdid it", "boom_and_bust"))
    assert ENERGY in texts(dispatcher)[0]


async def test_pacing_in_a_flare_does_not_say_great_energy() -> None:
    await start_flare()
    _, dispatcher = await run(ActionPacing(), make_tracker("/request_pacing", "request_pacing"))
    said = "\n".join(texts(dispatcher))
    assert ENERGY not in said
    assert texts(dispatcher)[0] == common.content().pacing.gentle_intro


async def test_pacing_after_the_despair_question_does_not_say_great_energy() -> None:
    tracker = make_tracker("/request_pacing", "request_pacing", slots={"triage_route": "none"})
    _, dispatcher = await run(ActionPacing(), tracker)
    assert ENERGY not in "\n".join(texts(dispatcher))


def test_breathing_says_to_go_back_to_normal_breathing_if_dizzy() -> None:
    for script in common.content().breathing:
        assert "dizzy" in script.intro and "normal breathing" in script.intro


def test_no_reframe_asks_a_question_that_would_be_followed_by_another() -> None:
    for pool in common.content().reframes.values():
        for reframe in pool:
            assert "?" not in reframe.text, reframe.id


def test_no_categorical_reassurance_or_reset_in_the_reframes() -> None:
    for pool in common.content().reframes.values():
        for reframe in pool:
            lowered = reframe.text.lower()
            assert "it isn't a sign" not in lowered and "it is not a sign" not in lowered
            assert "reset" not in lowered, reframe.id


def test_warmth_is_not_suggested_for_numb_skin() -> None:
    words = _closing_words(4, 7)
    assert "warmth only where your skin has normal feeling" in words
