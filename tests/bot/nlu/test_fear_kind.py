"""Tests for bot.nlu.fear_kind."""

from __future__ import annotations

import pytest

from bot.nlu.fear_kind import DEFAULT_KIND, FEAR_KINDS, PHRASES, classify_fear, score_fears

EXAMPLES: dict[str, list[str]] = {
    "rumination": ["I can't stop thinking about the pain", "it's all I can think about",
                   "I keep going over it over and over", "I keep googling my symptoms"],
    "magnification": ["this is the worst it's ever been, it's unbearable",
                      "the pain is excruciating", "it's never been this bad"],
    "helplessness": ["there's nothing I can do", "I feel so helpless",
                     "nothing I do helps", "I can't do anything about it"],
    "damage": ["pain means I'm damaging myself", "something is torn",
               "I think my spine is crumbling", "I'm worried I've slipped a disc"],
    "movement": ["if I move I'll make it worse", "I'm scared to exercise",
                 "I'm afraid of bending down", "I stay in bed so I don't make it worse"],
    "permanence": ["this will never end", "I'll be like this forever",
                   "it's never going to go away", "for the rest of my life"],
    "missed_diagnosis": ["the doctors missed something", "what if it's cancer",
                         "the scan must be wrong", "I think I was misdiagnosed",
                         "what if it's something more serious"],
}


def test_kinds_match_the_contract() -> None:
    assert FEAR_KINDS == ("rumination", "magnification", "helplessness", "damage", "movement",
                          "permanence", "missed_diagnosis")
    assert set(PHRASES) == set(FEAR_KINDS) == set(EXAMPLES)


@pytest.mark.parametrize(
    ("kind", "text"), [(kind, text) for kind, texts in EXAMPLES.items() for text in texts]
)
def test_classify_fear(kind: str, text: str) -> None:
    assert classify_fear(text) == kind


@pytest.mark.parametrize("text", ["", "I'm scared", "hello there", "my knees hurt"])
def test_default_is_magnification(text: str) -> None:
    assert DEFAULT_KIND == "magnification"
    assert classify_fear(text) == DEFAULT_KIND


def test_scores_cover_every_kind_and_count_tokens() -> None:
    scores = score_fears("if I move I'll make it worse")
    assert set(scores) == set(FEAR_KINDS)
    assert scores["movement"] > scores["magnification"]
    assert scores["missed_diagnosis"] == 0


def test_specific_kind_wins_a_tie() -> None:
    scores = score_fears("it's unbearable and something is torn")
    assert scores["damage"] == scores["magnification"]
    assert classify_fear("it's unbearable and something is torn") == "damage"
