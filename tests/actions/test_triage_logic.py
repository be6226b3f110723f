"""The triage's pure logic: reading answers, the next question, the level."""

from __future__ import annotations

import pytest

from actions import triage_logic as logic
from actions.triage_logic import ACT, NO, UNSURE, YES


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("yes", YES),
        ("Yeah", YES),
        ("/affirm", YES),
        ("I have", YES),
        ("sometimes", YES),
        ("kind of", YES),
        ("a little", YES),
        ("no", NO),
        ("nope", NO),
        ("/deny", NO),
        ("no never", NO),
        ("not really", UNSURE),
        ("I don't think so", UNSURE),
        ("I don\u2019t think so", UNSURE),
        ("rather not say", UNSURE),
        ("I'd prefer not to answer", UNSURE),
        ("maybe", UNSURE),
        ("not sure", UNSURE),
        ("/skip", UNSURE),
        ("idk", UNSURE),
        ("...", UNSURE),
        ("😭", UNSURE),
        ("", UNSURE),
        ("hmm", UNSURE),
        ("no, not really", UNSURE),
        ("I took 20 tablets", ACT),
        ("yes, I took all my painkillers an hour ago", ACT),
        ("I've overdosed", ACT),
        ("30 of my pills", ACT),
        ("I can't keep myself safe", logic.UNSAFE),
        ("I'm not safe", logic.UNSAFE),
    ],
)
def test_classify_answer(text: str, expected: str) -> None:
    assert logic.classify_answer(text) == expected


def test_unclear_words_fall_back_on_the_intent_only_when_the_words_say_nothing() -> None:
    assert logic.classify_answer("hmm", "affirm") == YES
    assert logic.classify_answer("not really", "deny") == UNSURE  # a hedge is never a no
    assert logic.classify_answer("what", "greet") == UNSURE


def test_says_safe() -> None:
    assert logic.says_safe("I'm safe")
    assert logic.says_safe("yes, I'm ok")
    assert not logic.says_safe("I'm not safe")
    assert not logic.says_safe("maybe")


def test_unsafe_is_high_at_once() -> None:
    assert logic.level_of({"wish_dead": logic.UNSAFE}) == "high"


def test_questions_start_with_the_wish_and_active_thoughts() -> None:
    assert logic.next_question({}) == "wish_dead"
    assert logic.next_question({"wish_dead": YES}) == "active_thoughts"


def test_no_active_thoughts_skips_method_intent_and_plan() -> None:
    answers = {"wish_dead": YES, "active_thoughts": NO}
    assert logic.next_question(answers) == "behaviour"
    assert logic.level_of(answers) == "low"
    answers["behaviour"] = NO
    assert logic.next_question(answers) is None
    assert logic.final_level(answers) == "low"


def test_every_answer_no_is_still_low_not_none() -> None:
    answers = {"wish_dead": NO, "active_thoughts": NO, "behaviour": NO}
    assert logic.next_question(answers) is None
    assert logic.final_level(answers) == "low"


def test_active_thoughts_lead_through_method_intent_plan_and_behaviour() -> None:
    answers: dict[str, str | None] = {"wish_dead": YES, "active_thoughts": YES}
    assert logic.level_of(answers) == "moderate"
    order = []
    while (question := logic.next_question(answers)) is not None:
        order.append(question)
        answers[question] = NO
    assert order == ["method", "intent", "plan", "behaviour"]
    assert logic.final_level(answers) == "moderate"


@pytest.mark.parametrize("question", ["intent", "plan"])
def test_intent_or_plan_is_high_and_stops_the_questions(question: str) -> None:
    answers = {"wish_dead": YES, "active_thoughts": YES, "method": YES, question: YES}
    assert logic.level_of(answers) == "high"
    assert logic.next_question(answers) is None


def test_something_done_in_the_past_three_months_is_high() -> None:
    answers = {"wish_dead": NO, "active_thoughts": NO, "behaviour": YES}
    assert logic.final_level(answers) == "high"


def test_an_act_in_any_answer_is_high_at_once() -> None:
    answers = {"wish_dead": ACT}
    assert logic.level_of(answers) == "high"
    assert logic.next_question(answers) is None


def test_unclear_twice_counts_as_a_yes_with_the_active_floor() -> None:
    assert logic.level_of({"wish_dead": UNSURE}) == "low"
    unclear_active = {"wish_dead": NO, "active_thoughts": UNSURE}
    assert logic.level_of(unclear_active) == "moderate"
    assert logic.next_question(unclear_active) == "method"  # carries on as after a yes
    assert logic.level_of({**unclear_active, "method": NO, "intent": UNSURE}) == "high"


def test_levels_never_go_down() -> None:
    assert logic.max_level("high", "low") == "high"
    assert logic.max_level(None, "moderate") == "moderate"
    assert logic.max_level(None, None) == "pending"


@pytest.mark.parametrize(
    ("safety", "category", "skip"),
    [
        ({"category": "act_taken"}, "act_taken", True),
        ({"category": "unable_to_stay_safe"}, "unable_to_stay_safe", True),
        ({"category": "passive_wish"}, "passive_wish", False),
        ({"reasons": ["kill_myself"]}, "active_thoughts", False),
        ({"reasons": ["want_to_die"]}, "passive_wish", False),
        ({"reasons": []}, None, False),
        (None, None, False),
    ],
)
def test_category_and_skipping(safety: dict | None, category: str | None, skip: bool) -> None:
    assert logic.category_of(safety) == category
    assert logic.skips_questions(category) is skip


def test_an_overdose_already_taken_skips_the_questions_without_the_nlu_category() -> None:
    category = logic.category_of({"reasons": ["overdose"]})
    assert logic.skips_questions(category, "I took all my tablets an hour ago")
    assert not logic.skips_questions(category, "I want to take all my tablets")


def test_known_answers_from_the_first_message() -> None:
    known = logic.known_answers("active_thoughts")
    assert logic.next_question(known) == "method"
    assert logic.known_answers(None) == {}


@pytest.mark.parametrize(
    ("safety", "tier"),
    [
        ({"tier": "urgent"}, "urgent"),
        ({"tier": "emergency"}, "emergency"),
        ({"tier": None, "reasons": ["fell"]}, "emergency"),  # the NLU did not know
        ({"reasons": ["fell"]}, "urgent"),
        ({"reasons": ["fell", "head_injury"]}, "emergency"),
        ({"reasons": ["chest_pain"]}, "emergency"),
        ({}, "emergency"),
        (None, "emergency"),
    ],
)
def test_red_flag_tier(safety: dict | None, tier: str) -> None:
    assert logic.red_flag_tier(safety) == tier


@pytest.mark.parametrize(
    ("text", "other"),
    [
        ("someone I know told me they want to die", True),
        ("my friend said she wants to kill herself", True),
        ("my son keeps talking about ending his life", True),
        ("I want to kill myself", False),
        ("my wife would be better off without me", False),
        ("my friend said I should call, but I want to die", False),
    ],
)
def test_about_other(text: str, other: bool) -> None:
    assert logic.about_other({}, text) is other


def test_about_other_prefers_the_nlu() -> None:
    assert logic.about_other({"about_other": False}, "my friend said she wants to die") is False
    assert logic.about_other({"about_other": True}, "I want to die") is True
