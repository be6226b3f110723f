"""Fear, crisis, idiom and red flag through the real stack: what the patient sees, and the
rows a coach will read.
"""

from __future__ import annotations

import pytest

from actions.common import TOOL_BUTTONS
from actions.fear import BREATHING_OFFER
from actions.safety import SAFE_BUTTONS
from bot.content import get_content
from tests.fake_telegram.harness import GatewayHarness
from tests.system.system_support import (
    episodes,
    fear_statements,
    keyboard,
    messages,
    new_patient,
    press,
    safety_flags,
    say,
)

pytestmark = pytest.mark.slow

FEAR = "this pain means I'm damaging my spine"
CRISIS = "I want to kill myself"
IDIOM = "my feet are killing me 7/10"
RED_FLAG = "I suddenly can't feel my legs and lost control of my bladder"


def _all_reframes() -> set[str]:
    return {reframe.text for pool in get_content().reframes.values() for reframe in pool}


def _mentions_crisis_help(texts: list[str]) -> bool:
    return any("988" in text or "crisis" in text.lower() for text in texts)


async def test_fear_statement_gets_validation_reframe_and_breathing_offer(
    system: GatewayHarness,
) -> None:
    h = system
    user, pid = await new_patient(h)
    sent = await say(h, user, FEAR)
    damage = {reframe.text for reframe in get_content().reframes["damage"]}
    assert len(sent) == 3
    assert sent[0] in get_content().validations["fear"]
    assert sent[1] in damage
    assert "breathing" in sent[2]
    assert keyboard(h, user) == [title for title, _ in BREATHING_OFFER]
    (statement,) = fear_statements(h, pid)
    assert (statement.text, statement.kind) == (FEAR, "damage")
    (episode,) = episodes(h, pid)
    assert "reframe" in episode.tools_used and "breathing" in episode.tools_offered
    assert safety_flags(h, pid) == []


async def test_crisis_gets_resources_and_no_reframe_afterwards(system: GatewayHarness) -> None:
    h = system
    user, pid = await new_patient(h)
    sent = await say(h, user, CRISIS)
    assert any("988" in text and "/sos" in text for text in sent)  # default country: US
    assert not set(sent) & _all_reframes()
    for _ in range(3):  # method, intent, plan
        assert not set(await press(h, user, "No")) & _all_reframes()
    sent = await press(h, user, "No")  # anything done in the past three months
    assert any("988" in text and "911" in text for text in sent)
    assert sent[-1] == "Are you safe right now?"
    assert keyboard(h, user) == [title for title, _ in SAFE_BUTTONS]
    assert not set(sent) & _all_reframes()
    (flag,) = safety_flags(h, pid)
    assert (flag.kind, flag.text, flag.level) == ("crisis", CRISIS, "moderate")
    assert flag.acknowledged_at is None

    sent = await press(h, user, "I'm safe right now")
    assert not set(sent) & _all_reframes()

    sent = await say(h, user, FEAR)
    assert sent, "the fear statement after a crisis was not answered"
    assert not set(sent) & _all_reframes()
    assert any("emergency number or a crisis line" in text for text in sent)
    (statement,) = fear_statements(h, pid)
    assert statement.kind == "damage"
    assert "reframe" not in episodes(h, pid)[-1].tools_used
    assert [m.status for m in messages(h, pid, "in")] == ["processed"] * 7


async def test_crying_emoji_is_not_taken_as_safe(system: GatewayHarness) -> None:
    h = system
    user, _ = await new_patient(h)
    await say(h, user, CRISIS)
    sent = await say(h, user, "😭")
    assert not any("glad you're safe" in text for text in sent)


async def test_idiom_is_a_flare_report_not_a_crisis(system: GatewayHarness) -> None:
    h = system
    user, pid = await new_patient(h)
    sent = await say(h, user, IDIOM)
    assert not _mentions_crisis_help(sent)
    assert "7 out of 10" in sent[-1]
    assert keyboard(h, user) == [title for title, _ in TOOL_BUTTONS]
    assert safety_flags(h, pid) == []
    (episode,) = episodes(h, pid)
    assert episode.severity_start == 7 and "feet" in episode.locations
    assert episode.first_message == IDIOM


async def test_red_flag_gets_urgent_care(system: GatewayHarness) -> None:
    h = system
    user, pid = await new_patient(h)
    sent = await say(h, user, RED_FLAG)
    assert any("call 911 now" in text for text in sent)
    assert not set(sent) & _all_reframes()
    (flag,) = safety_flags(h, pid)
    assert (flag.kind, flag.text) == ("red_flag", RED_FLAG)
    assert flag.reasons


async def test_thanks_after_a_second_crisis_is_answered(system: GatewayHarness) -> None:
    """A second crisis message while the flag is high goes straight to the outcome; a
    "thank you" then has no rule, and the fallback answers it (the safety question once
    more) instead of looping until Rasa's circuit breaker dropped the answer."""
    h = system
    user, pid = await new_patient(h)
    await say(h, user, CRISIS)
    for answer in ("No", "No", "No"):
        await press(h, user, answer)
    await press(h, user, "Yes")  # something done in the past three months: high
    await say(h, user, CRISIS)
    sent = await say(h, user, "thank you")
    assert sent
    assert not set(sent) & _all_reframes()
    assert {m.status for m in messages(h, pid, "in")} == {"processed"}
    (flag,) = safety_flags(h, pid)
    assert flag.level == "high"


async def test_thanks_or_bye_is_no_answer_to_are_you_safe(system: GatewayHarness) -> None:
    """Seen in the terminal chat: "thanks" after "are you safe right now?" got "any time"
    and the question was dropped. It is asked again; a second unclear answer is not safe."""
    from actions.triage_texts import texts as triage_texts

    h = system
    user, pid = await new_patient(h)
    await say(h, user, CRISIS)
    for answer in ("No", "No", "No"):
        await press(h, user, answer)
    await press(h, user, "Yes")  # high: the outcome asks whether they are safe now
    first = await say(h, user, "thanks")
    assert triage_texts().get("outcome.ask_safe_again") in first
    welcome = {"You're welcome. I'm glad to be here with you.",
               "Any time. Looking after yourself like this matters."}
    assert not set(first) & welcome
    second = await say(h, user, "bye")
    assert triage_texts().get("outcome.ask_safe_again") not in second
    assert _mentions_crisis_help(second) or any("911" in text for text in second)
    assert not any(t.startswith(("Take good care", "Goodbye for now")) for t in second)
    assert {m.status for m in messages(h, pid, "in")} == {"processed"}
    (flag,) = safety_flags(h, pid)
    assert flag.level == "high"


@pytest.mark.parametrize("question", ["can I take an extra pregabalin tonight",
                                      "is it ok to double my gabapentin"])
async def test_a_dosing_question_always_gets_the_pharmacist_pointer(
    system: GatewayHarness, question: str
) -> None:
    """Whatever route the message takes (the FAQ, or the despair question when the risk
    step is unsure), the pointer to the prescriber or pharmacist is in the answer."""
    h = system
    user, _ = await new_patient(h)
    sent = await say(h, user, question)
    assert any("pharmacist" in text for text in sent)
    assert not set(sent) & _all_reframes()
