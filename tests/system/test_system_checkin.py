"""The evening check-in by /checkin, answered with buttons, through the real stack."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from bot.content import get_content, load_questions
from tests.fake_telegram.harness import GatewayHarness
from tests.system.system_support import (
    checkins,
    keyboard,
    messages,
    new_patient,
    press,
    safety_flags,
    say,
)

pytestmark = pytest.mark.slow

SCALE = [str(n) for n in range(11)]
# (question slot, button pressed in answer)
ANSWERS = [
    ("checkin_pain", "6"),
    ("checkin_sleep", "4"),
    ("checkin_stress", "7"),
    ("checkin_paced", "Yes"),
    ("checkin_practice", "10"),
    ("checkin_note", "Skip"),
]
NOTE_QUESTION = load_questions()["checkin_note"]["text"]


def _buttons(slot: str) -> list[str]:
    return [button["title"] for button in load_questions()[slot]["buttons"]]


async def test_checkin_by_buttons_is_saved(system: GatewayHarness) -> None:
    h = system
    user, pid = await new_patient(h)
    day_before = datetime.now(timezone.utc).date()
    questions = load_questions()

    sent = await say(h, user, "/checkin")
    for slot, answer in ANSWERS:
        if slot == "checkin_note" and NOTE_QUESTION not in sent:
            break  # see test_checkin_asks_each_question_once_without_corrections
        assert sent[-1] == questions[slot]["text"], (slot, sent)
        assert keyboard(h, user) == _buttons(slot), slot
        sent = await press(h, user, answer)
    assert sent[0] in get_content().validations["checkin_done"]
    assert "10 minutes" in sent[-1]

    (row,) = checkins(h, pid)
    assert (row.pain, row.sleep, row.stress, row.paced, row.practice_minutes, row.note) == (
        6,
        4,
        7,
        True,
        10,
        None,
    )
    # The default time zone is UTC.
    assert row.local_date in {day_before, datetime.now(timezone.utc).date()}
    inbound = messages(h, pid, "in")
    assert [(m.kind, m.text) for m in inbound][:6] == [
        ("command", "/checkin"),
        *(("button", answer) for _, answer in ANSWERS[:5]),
    ]
    assert {m.status for m in inbound} == {"processed"}


async def test_checkin_asks_each_question_once_without_corrections(
    system: GatewayHarness,
) -> None:
    h = system
    user, _ = await new_patient(h)
    questions = load_questions()
    sent = await say(h, user, "/checkin")
    for slot, answer in ANSWERS:
        assert sent == [questions[slot]["text"]], slot
        assert keyboard(h, user) == _buttons(slot), slot
        sent = await press(h, user, answer)
    assert sent[0] in get_content().validations["checkin_done"]


@pytest.mark.parametrize("at", range(len(ANSWERS)))
async def test_crisis_at_any_checkin_question_gets_the_crisis_pathway_and_a_flag(
    system: GatewayHarness, at: int
) -> None:
    """Risk language in the middle of the evening check-in is never taken as an answer:
    the check-in stops, the crisis response comes, and the flag is stored for the coach."""
    h = system
    user, pid = await new_patient(h)
    questions = load_questions()
    sent = await say(h, user, "/checkin")
    for slot, answer in ANSWERS[:at]:
        assert sent[-1] == questions[slot]["text"], (slot, sent)
        sent = await press(h, user, answer)
    assert sent[-1] == questions[ANSWERS[at][0]]["text"], sent
    sent = await say(h, user, "i want to end my life")
    assert any(questions[slot]["text"] in text for slot, _ in ANSWERS for text in sent) is False
    (flag,) = safety_flags(h, pid)
    assert flag.kind == "crisis"
    assert checkins(h, pid) == []
