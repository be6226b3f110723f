"""The evening check-in form and saving it (actions/checkin.py)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, timezone
from typing import Any

import pytest
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions import common
from actions.checkin import (
    CHECKIN_SLOTS,
    MAX_NOTE_CHARS,
    ActionSaveCheckin,
    ActionStartCheckin,
    ValidateCheckinForm,
)
from bot.store.models import CheckIn
from tests.actions.actions_support import SENDER, make_tracker, rows, run, slot_changes, texts

SCORE_RE_ASK = "Please send a number from 0 to 10, or say skip."
YES_NO_RE_ASK = "A yes or no is enough here, or say skip."
MINUTES_RE_ASK = "How many minutes, roughly? For example 0, 10 or 20. Or say skip."


def validate(slot: str, value: Any, intent: str | None = None) -> tuple[dict, list[str]]:
    """Call validate_<slot> of the check-in form; return its result and the texts sent."""
    dispatcher = CollectingDispatcher()
    tracker = make_tracker(str(value), intent, active_loop="checkin_form")
    method = getattr(ValidateCheckinForm(), f"validate_{slot}")
    return method(value, dispatcher, tracker, {}), texts(dispatcher)


@pytest.mark.parametrize("slot", ["checkin_pain", "checkin_sleep", "checkin_stress"])
@pytest.mark.parametrize(
    ("answer", "expected"), [("7", 7), ("seven", 7), ("8/10", 8), ("0", 0), ("skip", "skip")]
)
def test_score_questions_accept_numbers_and_skip(slot: str, answer: str, expected: Any) -> None:
    assert validate(slot, answer) == ({slot: expected}, [])


@pytest.mark.parametrize("answer", ["banana", "12", "", "6 or 7"])
def test_score_questions_re_ask_bad_answers(answer: str) -> None:
    assert validate("checkin_pain", answer) == ({"checkin_pain": None}, [SCORE_RE_ASK])


@pytest.mark.parametrize(
    ("answer", "expected"),
    [
        ("yes", True),
        ("Yeah, mostly", True),
        ("y", True),
        ("no", False),
        ("nope", False),
        ("I didn't", False),
        ("not really", False),
        ("skip", "skip"),
        ("not sure", "skip"),
    ],
)
def test_paced_accepts_yes_no_and_skip(answer: str, expected: Any) -> None:
    assert validate("checkin_paced", answer) == ({"checkin_paced": expected}, [])


def test_paced_falls_back_on_the_intent() -> None:
    assert validate("checkin_paced", "absolutely", "affirm") == ({"checkin_paced": True}, [])
    assert validate("checkin_paced", "not today", "deny") == ({"checkin_paced": False}, [])


@pytest.mark.parametrize("answer", ["I did not", "did not pace at all"])
def test_paced_reads_did_not_as_no(answer: str) -> None:
    assert validate("checkin_paced", answer) == ({"checkin_paced": False}, [])


def test_paced_re_asks_a_bad_answer() -> None:
    assert validate("checkin_paced", "banana") == ({"checkin_paced": None}, [YES_NO_RE_ASK])


@pytest.mark.parametrize(
    ("answer", "minutes"),
    [
        ("10", 10),
        ("10 min", 10),
        ("about 20 minutes", 20),
        ("half an hour", 30),
        ("about half an hour", 30),
        ("1 hour", 60),
        ("1.5 hours", 90),
        ("none", 0),
        ("0", 0),
        ("skip", "skip"),
    ],
)
def test_practice_accepts_minutes(answer: str, minutes: Any) -> None:
    assert validate("checkin_practice", answer) == ({"checkin_practice": minutes}, [])


@pytest.mark.parametrize("answer", ["banana", "5000", "-5", "lots"])
def test_practice_re_asks_bad_answers(answer: str) -> None:
    assert validate("checkin_practice", answer) == ({"checkin_practice": None}, [MINUTES_RE_ASK])


@pytest.mark.parametrize("answer", ["no", "nothing", "skip", "n/a", "  "])
def test_note_can_be_declined(answer: str) -> None:
    assert validate("checkin_note", answer) == ({"checkin_note": "skip"}, [])


def test_note_is_kept_and_capped() -> None:
    assert validate("checkin_note", " Slept badly, stressful day ") == (
        {"checkin_note": "Slept badly, stressful day"},
        [],
    )
    long_note = "x" * (MAX_NOTE_CHARS + 50)
    result, _ = validate("checkin_note", long_note)
    assert result == {"checkin_note": "x" * MAX_NOTE_CHARS}


async def test_checkin_form_run_validates_the_candidate(domain: DomainDict) -> None:
    tracker = make_tracker(
        "half an hour",
        "out_of_scope",
        active_loop="checkin_form",
        slots={"requested_slot": "checkin_practice", "checkin_practice": "half an hour"},
        events=[{"event": "slot", "name": "checkin_practice", "value": "half an hour"}],
    )

    events, dispatcher = await run(ValidateCheckinForm(), tracker, domain)

    assert events == [SlotSet("checkin_practice", 30)]
    assert dispatcher.messages == []


async def test_checkin_form_run_re_asks(domain: DomainDict) -> None:
    tracker = make_tracker(
        "purple",
        "out_of_scope",
        active_loop="checkin_form",
        slots={"requested_slot": "checkin_sleep", "checkin_sleep": "purple"},
        events=[{"event": "slot", "name": "checkin_sleep", "value": "purple"}],
    )

    events, dispatcher = await run(ValidateCheckinForm(), tracker, domain)

    assert events == [SlotSet("checkin_sleep", None)]
    assert texts(dispatcher) == [SCORE_RE_ASK]


async def test_start_checkin_clears_the_previous_answers() -> None:
    events, dispatcher = await run(
        ActionStartCheckin(), make_tracker("check in", "start_checkin", slots={"checkin_pain": 4})
    )

    assert events == [SlotSet(slot, None) for slot in CHECKIN_SLOTS]
    assert dispatcher.messages == []


ANSWERS = {
    "checkin_pain": 6,
    "checkin_sleep": "skip",
    "checkin_stress": 4,
    "checkin_paced": True,
    "checkin_practice": 15,
    "checkin_note": "skip",
}


async def test_save_checkin_writes_the_row_for_the_local_date(
    configure: Callable[..., None], frozen_now: Callable[[datetime], None]
) -> None:
    configure(DEFAULT_TIMEZONE="Pacific/Kiritimati")  # UTC+14: already tomorrow
    frozen_now(datetime(2024, 6, 3, 20, 0, tzinfo=timezone.utc))

    events, dispatcher = await run(ActionSaveCheckin(), make_tracker("skip", "skip", slots=ANSWERS))

    (row,) = rows(CheckIn)
    assert row.patient_id == SENDER
    assert row.local_date == date(2024, 6, 4)
    assert (row.pain, row.sleep, row.stress) == (6, None, 4)
    assert row.paced is True
    assert row.practice_minutes == 15
    assert row.note is None
    said = texts(dispatcher)
    assert said[0] in common.content().validations["checkin_done"]
    assert "15 minutes" in said[1]
    assert slot_changes(events) == {slot: None for slot in CHECKIN_SLOTS}


async def test_save_checkin_west_of_utc_keeps_yesterday(
    configure: Callable[..., None], frozen_now: Callable[[datetime], None]
) -> None:
    configure(DEFAULT_TIMEZONE="America/Los_Angeles")
    frozen_now(datetime(2024, 6, 4, 3, 0, tzinfo=timezone.utc))  # 20:00 on the 3rd in LA

    await run(ActionSaveCheckin(), make_tracker("no", "deny", slots=ANSWERS))

    assert rows(CheckIn)[0].local_date == date(2024, 6, 3)


async def test_a_second_checkin_the_same_day_replaces_the_first() -> None:
    await run(ActionSaveCheckin(), make_tracker("skip", "skip", slots=ANSWERS))
    second = {**ANSWERS, "checkin_pain": 3, "checkin_practice": 0, "checkin_note": "better"}

    _, dispatcher = await run(ActionSaveCheckin(), make_tracker("better", None, slots=second))

    (row,) = rows(CheckIn)
    assert (row.pain, row.practice_minutes, row.note) == (3, 0, "better")
    assert len(texts(dispatcher)) == 1  # no praise line for zero minutes


async def test_save_checkin_with_everything_skipped() -> None:
    skipped = {slot: "skip" for slot in CHECKIN_SLOTS}

    await run(ActionSaveCheckin(), make_tracker("skip", "skip", slots=skipped))

    (row,) = rows(CheckIn)
    assert [row.pain, row.sleep, row.stress, row.paced, row.practice_minutes, row.note] == [
        None
    ] * 6
