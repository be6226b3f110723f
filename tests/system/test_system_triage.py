"""The stepped triage through the real stack: each level, each hedged answer, a played-down
red flag and a friend at risk. What the patient sees, and the flag row a coach (and the
alerts engineer's poller) reads.
"""

from __future__ import annotations

import pytest

from actions.triage_texts import texts as triage_texts
from bot.content import get_content
from tests.fake_telegram.harness import GatewayHarness
from tests.system.system_support import keyboard, new_patient, press, safety_flags, say

pytestmark = pytest.mark.slow

ANSWERS = ["Yes", "No", "Not sure"]
SAFE = ["I'm safe right now", "I'm not safe"]


def _reframes() -> set[str]:
    return {reframe.text for pool in get_content().reframes.values() for reframe in pool}


def _question(key: str) -> str:
    return triage_texts().get(f"questions.{key}")


def _asked(sent: list[str], key: str) -> bool:
    return any(text.startswith(_question(key)) and "/sos" in text for text in sent)


async def test_active_thoughts_and_a_plan_is_high_emergency_first(system: GatewayHarness) -> None:
    h = system
    user, pid = await new_patient(h)
    sent = await say(h, user, "I want to kill myself")
    assert _asked(sent, "method")  # "kill myself" already answers the first two questions
    assert keyboard(h, user) == ANSWERS
    (flag,) = safety_flags(h, pid)
    assert (flag.kind, flag.level) == ("crisis", "moderate")

    assert _asked(await press(h, user, "Yes"), "intent")
    assert _asked(await press(h, user, "No"), "plan")
    sent = await press(h, user, "Yes")

    assert sent[0].startswith("Please call 911 now")  # the emergency number is the first line
    assert "988" in sent[1]
    assert any("medicines" in text for text in sent)
    assert keyboard(h, user) == SAFE
    assert not set(sent) & _reframes()
    (flag,) = safety_flags(h, pid)  # the same row, raised
    assert flag.level == "high"


async def test_active_thoughts_without_method_intent_plan_or_acts_is_moderate(
    system: GatewayHarness,
) -> None:
    h = system
    user, pid = await new_patient(h)
    await say(h, user, "I want to kill myself")
    for expected in ("intent", "plan", "behaviour"):
        assert _asked(await press(h, user, "No"), expected)
    sent = await press(h, user, "No")

    joined = "\n".join(sent)
    assert "988" in joined and "/safetyplan" in joined
    assert "coach" not in joined  # no coach linked: no coach line
    assert sent[-1] == "Are you safe right now?"
    (flag,) = safety_flags(h, pid)
    assert flag.level == "moderate"


async def test_a_passive_wish_is_low(system: GatewayHarness) -> None:
    h = system
    user, pid = await new_patient(h)
    assert _asked(await say(h, user, "I wish I was dead"), "active_thoughts")
    assert _asked(await say(h, user, "no"), "behaviour")  # typed, not pressed
    sent = await say(h, user, "no I haven't")

    assert "988" in "\n".join(sent)
    (flag,) = safety_flags(h, pid)
    assert flag.level == "low"


async def test_an_overdose_already_taken_skips_the_questions(system: GatewayHarness) -> None:
    h = system
    user, pid = await new_patient(h)
    sent = await say(h, user, "I took all my pills an hour ago")

    assert not any(text.startswith(_question("wish_dead")) for text in sent)
    first = sent.index(next(t for t in sent if "911" in t))
    assert sent[first].startswith("If you have taken something")
    assert "988" in sent[first + 1]
    (flag,) = safety_flags(h, pid)
    assert flag.level == "high"


@pytest.mark.parametrize("hedge", ["not really", "I don't think so", "rather not say", "maybe"])
async def test_a_hedged_answer_to_the_despair_question_is_never_a_no(
    system: GatewayHarness, hedge: str
) -> None:
    h = system
    user, pid = await new_patient(h)
    sent = await say(h, user, "I can't go on like this")
    assert sent[-1] == triage_texts().get("despair.question")

    sent = await say(h, user, hedge)
    assert sent == [triage_texts().get("despair.retry")]  # asked once more, gently
    sent = await say(h, user, hedge)

    joined = "\n".join(sent)
    assert "glad you're safe" not in joined
    assert _asked(sent, "method")  # treated as possible risk: the triage goes on
    kinds = [(flag.kind, flag.level) for flag in safety_flags(h, pid)]
    assert kinds == [("despair_check", None), ("crisis", "moderate")]


async def test_a_hedged_triage_answer_is_asked_again_then_counts(system: GatewayHarness) -> None:
    h = system
    user, pid = await new_patient(h)
    await say(h, user, "I want to kill myself")
    await press(h, user, "Yes")  # method
    sent = await press(h, user, "Not sure")  # intent
    assert sent[0] == triage_texts().get("retry")
    assert _asked(sent, "intent")
    sent = await say(h, user, "maybe")

    assert sent[0].startswith("Please call 911 now")
    (flag,) = safety_flags(h, pid)
    assert flag.level == "high"


async def test_a_played_down_red_flag_gets_the_advice_again(system: GatewayHarness) -> None:
    h = system
    user, pid = await new_patient(h)
    sent = await say(h, user, "I have crushing chest pain going down my left arm")
    assert any("call 911 now" in text for text in sent)

    sent = await say(h, user, "it's surely just my usual pain, let's do the breathing")
    assert "911" in sent[0] and "doctor" in sent[0]  # repeated, with the reason
    assert not set(sent) & _reframes()

    sent = await say(h, user, "I'm scared this means my body is breaking down")
    assert not set(sent) & _reframes()
    assert triage_texts().get("red_flag.no_reassurance") in sent
    (flag,) = safety_flags(h, pid)
    assert (flag.kind, flag.level) == ("red_flag", "emergency")


async def test_a_fall_gets_same_day_care_not_an_ambulance(system: GatewayHarness) -> None:
    h = system
    user, pid = await new_patient(h)
    sent = await say(h, user, "I had a fall this morning")
    joined = "\n".join(sent)
    assert "same-day" in joined and "urgent care centre" in joined  # US: no national line
    assert "call 911 now" not in joined
    (flag,) = safety_flags(h, pid)
    assert flag.level == "urgent"


async def test_a_friend_at_risk_gets_advice_and_a_question_for_the_patient(
    system: GatewayHarness,
) -> None:
    h = system
    user, pid = await new_patient(h)
    sent = await say(h, user, "someone I know told me they want to die")

    joined = "\n".join(sent)
    assert "ask them directly" in joined
    assert "911" in joined and "988" in joined
    assert sent[-1] == triage_texts().get("third_party.about_you")
    assert not any(text.startswith(_question("wish_dead")) for text in sent)
    (flag,) = safety_flags(h, pid)
    assert (flag.kind, flag.level) == ("third_party", "third_party")


async def test_the_coach_line_is_said_only_with_a_coach_linked(system: GatewayHarness) -> None:
    from datetime import datetime, timezone

    from bot.store.coaches import Coach, CoachPatient

    h = system
    user, pid = await new_patient(h)
    now = datetime.now(timezone.utc)
    assert h.db is not None
    with h.db.sessions.begin() as session:
        coach = Coach(
            username=f"coach-{pid[:8]}", password_hash="x", created_at=now, password_changed_at=now
        )
        session.add(coach)
        session.flush()
        session.add(CoachPatient(coach_id=coach.id, patient_id=pid, created_at=now))
    sent = await say(h, user, "I took all my pills an hour ago")

    assert triage_texts().get("coach.high") in sent
    assert "may not be able to answer at once" in triage_texts().get("coach.high")


async def test_i_cant_keep_myself_safe_is_high_without_questions(system: GatewayHarness) -> None:
    h = system
    user, pid = await new_patient(h)
    sent = await say(h, user, "I can't keep myself safe")

    assert triage_texts().get("despair.question") not in sent
    assert any(text.startswith("Please call 911 now") for text in sent)
    assert keyboard(h, user) == SAFE
    assert [(f.kind, f.level) for f in safety_flags(h, pid)] == [("crisis", "high")]


async def test_a_red_flag_mid_triage_gets_the_red_flag_advice(system: GatewayHarness) -> None:
    h = system
    user, pid = await new_patient(h)
    await say(h, user, "I want to kill myself")
    sent = await say(h, user, "I have crushing chest pain going down my left arm")

    assert any("call 911 now" in text for text in sent)
    assert triage_texts().get("retry") not in sent
    kinds = [(f.kind, f.level) for f in safety_flags(h, pid)]
    assert kinds == [("crisis", "moderate"), ("red_flag", "emergency")]
