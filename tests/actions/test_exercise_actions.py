"""Breathing, grounding and desensitization (actions/breathing.py, actions/grounding.py)."""

from __future__ import annotations

from typing import Any

import yaml
from rasa_sdk.executor import CollectingDispatcher

from actions import common
from actions.breathing import ActionBreathing
from actions.flare import ActionStartFlare
from actions.grounding import STEP_PAUSE_SECONDS, ActionDesensitization, ActionGrounding
from bot.content import CONTENT_DIR
from bot.store.models import Episode
from tests.actions.actions_support import (
    entity,
    make_tracker,
    pauses,
    rows,
    run,
    slot_changes,
    texts,
)

FEELING_NOW = "How are you feeling now?"


def raw_scripts() -> dict[str, dict[str, Any]]:
    """The breathing scripts as written in content/breathing.yml, by id."""
    data = yaml.safe_load((CONTENT_DIR / "breathing.yml").read_text(encoding="utf-8"))
    return {script["id"]: script for script in data["scripts"]}


def sequence(dispatcher: CollectingDispatcher) -> list[tuple[str, Any]]:
    """The messages as ("text", text) and ("pause", seconds), in order."""
    out: list[tuple[str, Any]] = []
    for message in dispatcher.messages:
        if message.get("text"):
            out.append(("text", message["text"]))
        elif "pause" in (message.get("custom") or {}):
            out.append(("pause", message["custom"]["pause"]))
        else:
            out.append(("other", message))
    return out


async def flare_with_severity(severity: str) -> None:
    """Open a flare episode with a starting severity."""
    tracker = make_tracker(
        f"it's a {severity} today", "report_flare", entities=[entity("severity", severity)]
    )
    await run(ActionStartFlare(), tracker)


def check_breathing(dispatcher: CollectingDispatcher, script: dict[str, Any]) -> list[str]:
    """Assert the intro/inhale/exhale/closing rhythm of ``script``; return the texts."""
    inhale, exhale, rounds = script["inhale"], script["exhale"], script["rounds"]
    assert exhale > inhale
    steps = sequence(dispatcher)
    kinds = [kind for kind, _ in steps]
    # intro, pause, then (inhale, pause, exhale, pause) per round, then the closing text
    assert kinds[: 2 + 4 * rounds + 1] == ["text", "pause"] + ["text", "pause"] * 2 * rounds + [
        "text"
    ]
    breaths = steps[2 : 2 + 4 * rounds]
    for index in range(rounds):
        (_, in_text), (_, in_pause), (_, out_text), (_, out_pause) = breaths[
            4 * index : 4 * index + 4
        ]
        assert in_pause == float(inhale)
        assert out_pause == float(exhale)
        assert out_pause > in_pause
        assert str(inhale) in in_text and str(exhale) in out_text
        assert "{seconds}" not in in_text + out_text
    assert pauses(dispatcher)[0] > 0  # a moment to settle after the intro
    assert pauses(dispatcher)[1:] == [float(s) for _ in range(rounds) for s in (inhale, exhale)]
    return texts(dispatcher)


async def test_breathing_without_a_flare_uses_the_standard_script() -> None:
    script = raw_scripts()["longer-exhale-4-6"]

    events, dispatcher = await run(
        ActionBreathing(), make_tracker("/request_breathing", "request_breathing")
    )

    said = check_breathing(dispatcher, script)
    assert said[0] == script["intro"].strip()
    assert said[-1] == FEELING_NOW  # no follow-up form outside a flare
    assert slot_changes(events)["in_flare"] is False
    assert slot_changes(events)["pending_offer"] is None


async def test_breathing_in_a_moderate_flare_uses_the_standard_script() -> None:
    await flare_with_severity("5")

    events, dispatcher = await run(
        ActionBreathing(), make_tracker("/request_breathing", "request_breathing")
    )

    said = check_breathing(dispatcher, raw_scripts()["longer-exhale-4-6"])
    assert FEELING_NOW not in said  # the follow-up form asks instead
    assert rows(Episode)[0].tools_used == ["breathing"]
    assert slot_changes(events)["in_flare"] is True


async def test_breathing_in_high_pain_uses_the_gentle_script() -> None:
    await flare_with_severity("9")

    _, dispatcher = await run(
        ActionBreathing(), make_tracker("/request_breathing", "request_breathing")
    )

    check_breathing(dispatcher, raw_scripts()["gentle-3-5"])


async def test_grounding_walks_through_five_senses_with_time_to_notice() -> None:
    grounding = common.content().grounding

    events, dispatcher = await run(
        ActionGrounding(), make_tracker("/request_grounding", "request_grounding")
    )

    steps = sequence(dispatcher)
    assert steps[0] == ("text", grounding.intro)
    assert steps[-1] == ("text", grounding.close)
    middle = steps[1:-1]
    assert len(middle) == 3 * 5
    for index, step in enumerate(grounding.steps):
        before, text, after = middle[3 * index : 3 * index + 3]
        assert before[0] == "pause" and after == ("pause", STEP_PAUSE_SECONDS)
        assert text == ("text", step.text)
    assert [step.count for step in grounding.steps] == [5, 4, 3, 2, 1]
    assert slot_changes(events)["pending_offer"] is None


async def test_grounding_in_a_flare_is_recorded() -> None:
    await flare_with_severity("6")

    await run(ActionGrounding(), make_tracker("/request_grounding", "request_grounding"))

    assert rows(Episode)[0].tools_used == ["grounding"]


async def test_desensitization_waits_for_a_calm_moment_in_a_flare() -> None:
    await flare_with_severity("4")

    events, dispatcher = await run(
        ActionDesensitization(), make_tracker("my skin hurts to touch", "request_desensitization")
    )

    assert texts(dispatcher) == [common.content().desensitization.in_flare]
    assert rows(Episode)[0].tools_used == []
    assert slot_changes(events)["in_flare"] is True


async def test_desensitization_starts_with_its_cautions() -> None:
    _, dispatcher = await run(
        ActionDesensitization(), make_tracker("my skin hurts to touch", "request_desensitization")
    )

    said = texts(dispatcher)
    assert said == common.content().desensitization.messages()
    assert "numb skin" in said[0] and "check your skin afterwards" in said[0]
    cautions = [c.text for c in common.content().desensitization.cautions]
    assert said[1 : 1 + len(cautions)] == cautions
