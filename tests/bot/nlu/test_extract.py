"""Tests for bot.nlu.extract: severity, parse_score, locations, triggers, offsets."""

from __future__ import annotations

import pytest

from bot.nlu.extract import LOCATIONS, SUPPRESS, TRIGGERS, build_nlp, extract, parse_score


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("it's 8/10 today", 8),
        ("about 8 / 10", 8),
        ("8 out of 10", 8),
        ("eight out of ten", 8),
        ("honestly a seven", 7),
        ("my back is at a 9", 9),
        ("about a 6 right now", 6),
        ("the pain is 7", 7),
        ("pain level 8", 8),
        ("level 8", 8),
        ("10/10 awful", 10),
        ("0/10 today, lovely", 0),
        ("7.5/10", 8),
        ("6.5 out of 10", 7),
        ("7-8/10", 8),
        ("like a 9 today", 9),
        ("15/10 off the charts", 10),
        ("it\u2019s a 3 now", 3),
        ("an eight, I'd say", 8),
    ],
)
def test_severity(text: str, expected: int) -> None:
    assert extract(text).severity == expected


@pytest.mark.parametrize(
    "text",
    [
        "it started 2 hours ago", "since 3 days ago", "I woke at 7pm", "at 7 am the pain began",
        "I've had this for 10 years", "a 2 hour walk", "about 6 hours of sleep",
        "I have a 5-year-old", "my appointment is on 12/10/2024", "pain for 10 years",
        "a one-off bad day", "my back hurts", "I took 2 pills", "a tenant upstairs",
        "pain is often worse at night", "about 30", "a 20 minute rest",
    ],
)
def test_no_severity(text: str) -> None:
    assert extract(text).severity is None


def test_first_scale_score_wins_over_other_forms() -> None:
    assert extract("it was a 9 last night, now 6/10").severity == 6
    assert extract("8/10 this morning and 5/10 now").severity == 8


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("7", 7), ("seven", 7), ("about 6", 6), ("6/10", 6), ("\U0001f623 8", 8), ("8!!", 8),
        ("its a 3 now", 3), ("10", 10), ("0", 0), ("7.5", 8), ("6 out of 10", 6),
        ("Ten", 10), ("one of those days, 5", 5), ("15/10", 10),
    ],
)
def test_parse_score(text: str, expected: int) -> None:
    assert parse_score(text) == expected


@pytest.mark.parametrize(
    "text", ["", "no idea", "7 or 8", "7-8", "6, maybe 7", "15", "11", "-", "someone", "none"]
)
def test_parse_score_rejects(text: str) -> None:
    assert parse_score(text) is None


def test_parse_score_custom_range() -> None:
    assert parse_score("4", lo=1, hi=5) == 4
    assert parse_score("0", lo=1, hi=5) is None
    assert parse_score("6", lo=1, hi=5) is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("my lower back is flaring", ["lower back"]),
        ("low back and neck", ["lower back", "neck"]),
        ("my back hurts", ["back"]),
        ("my Back is killing me", ["back"]),
        ("both shoulders ache", ["shoulders"]),
        ("my hands and wrists burn", ["hands", "wrists"]),
        ("my feet are killing me", ["feet"]),
        ("my left foot", ["feet"]),
        ("my left leg and right knee", ["legs", "knees"]),
        ("my hips and arms", ["hips", "arms"]),
        ("pounding head and jaw", ["head", "jaw"]),
        ("a migraine", ["head"]),
        ("tight chest", ["chest"]),
        ("stomach cramps", ["stomach"]),
        ("it hurts everywhere", ["whole body"]),
        ("aching all over", ["whole body"]),
        ("my whole body is on fire", ["whole body"]),
        ("my skin is burning", ["skin"]),
        ("pain between my shoulder blades", ["upper back"]),
        ("my calves", ["legs"]),
    ],
)
def test_locations(text: str, expected: list[str]) -> None:
    assert extract(text).locations == expected


@pytest.mark.parametrize(
    "text",
    ["I came back home", "I'll head out later", "on the other hand it helps",
     "I can't face work", "back to the grind", "I need to hand in a form", "hey, I'm back",
     "my breathing is all over the place", "help me get out of my head"],
)
def test_no_location(text: str) -> None:
    assert extract(text).locations == []


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("after a stressful day at work", "stress"),
        ("I'm so stressed", "stress"),
        ("I barely slept", "poor_sleep"),
        ("I didn't sleep well", "poor_sleep"),
        ("couldnt sleep at all", "poor_sleep"),
        ("had a rough night", "poor_sleep"),
        ("I overdid it in the garden", "overexertion"),
        ("I cleaned all day", "overexertion"),
        ("pushed myself too hard", "overexertion"),
        ("the weather changed", "weather"),
        ("it's been raining for days", "weather"),
        ("this cold snap", "cold"),
        ("it's freezing", "cold"),
        ("the heatwave", "heat"),
        ("I've got the flu", "illness"),
        ("I caught a cold", "illness"),
        ("my period started", "menstrual_cycle"),
        ("that time of the month", "menstrual_cycle"),
        ("I sat at my desk for hours", "sitting"),
        ("sitting all day", "sitting"),
        ("a long drive yesterday", "travel"),
        ("a flight to Spain", "travel"),
        ("an argument with my partner", "conflict"),
        ("we argued", "conflict"),
        ("clothes rubbing on my skin", "touch"),
        ("the tags on my shirt", "touch"),
        ("too much sugar", "diet"),
        ("had some wine", "diet"),
        ("hours scrolling on my phone", "screen_time"),
        ("too much screen time", "screen_time"),
        ("the noise at the party", "noise"),
        ("a loud restaurant", "noise"),
    ],
)
def test_triggers(text: str, expected: str) -> None:
    assert extract(text).triggers == [expected]


@pytest.mark.parametrize(
    "text",
    ["I slept well", "I used a heat pad", "I'm sick of this", "let's keep in touch",
     "I tripped on the step", "a touch better today", "my back hurts",
     "I need to say it out loud"],
)
def test_no_trigger(text: str) -> None:
    assert extract(text).triggers == []


def test_spans_have_offsets_into_original_text() -> None:
    text = "After a LONG DRIVE my Lower Back is 8/10"
    result = extract(text)
    assert [(s.entity, s.value) for s in result.spans] == [
        ("trigger", "travel"), ("location", "lower back"), ("severity", "8")
    ]
    for span in result.spans:
        assert text[span.start:span.end] == span.text
    assert result.spans[1].text == "Lower Back"
    assert result.spans[2].text == "8/10"


def test_values_are_unique_in_order() -> None:
    result = extract("my knees, my neck and my knees again")
    assert result.locations == ["knees", "neck"]


def test_build_nlp_is_cached_and_has_lookup_lemmas() -> None:
    nlp = build_nlp()
    assert build_nlp() is nlp
    assert [t.lemma_ for t in nlp("feet slept")] == ["foot", "sleep"]


def test_trigger_values_follow_the_contract() -> None:
    contract = {"stress", "poor_sleep", "overexertion", "weather", "illness", "cold", "heat",
                "menstrual_cycle", "sitting", "travel", "conflict", "touch", "diet",
                "screen_time", "noise"}
    assert set(TRIGGERS) - {SUPPRESS} == contract
    assert "lower back" in LOCATIONS and "feet" in LOCATIONS
