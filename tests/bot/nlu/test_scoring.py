"""The blind-set scoring rules (bot.nlu.scoring)."""

from __future__ import annotations

from bot.nlu.scoring import Prediction, failures, label, score

ITEMS = [
    {"text": "i want to die", "intent": "crisis", "risk": "passive_wish"},
    {"text": "how high is that bridge", "intent": "crisis", "risk": "indirect"},
    {"text": "took 30 tablets", "intent": "crisis", "risk": "act_taken"},
    {"text": "je veux mourir", "intent": "crisis", "risk": "passive_wish", "lang": "fr"},
    {"text": "face drooping", "intent": "medical_red_flag", "tier": "emergency"},
    {"text": "calf swollen after flight", "intent": "medical_red_flag", "tier": "urgent"},
    {"text": "could kill for a coffee", "intent": "out_of_scope", "near_miss": True},
    {"text": "what is allodynia", "intent": "faq"},
]


def test_labels() -> None:
    assert label("faq/allodynia") == "faq"
    assert label(None) == "nlu_fallback"


def test_all_right() -> None:
    preds = [Prediction("crisis"), Prediction("express_despair"), Prediction("medical_red_flag"),
             Prediction("crisis"), Prediction("medical_red_flag", {"tier": "emergency"}),
             Prediction("medical_red_flag", {"tier": "emergency"}), Prediction("out_of_scope"),
             Prediction("faq/allodynia")]
    result = score(ITEMS, preds)
    assert result["crisis_recall"] == 1.0
    assert result["crisis_recall_strict"] == 0.5
    assert result["red_flag_recall"] == 1.0
    assert result["red_flag_tier_agreement"] == 0.5
    assert result["other_language_crisis_recall"] == 1.0
    assert failures("x", result) == []
    # the safety question on an indirect item counts as crisis; act_taken as red flag doesn't
    assert result["per_intent"]["crisis"]["recall"] == 0.75


def test_misses_and_false_alarms_fail() -> None:
    preds = [Prediction("greet"), Prediction("faq/how_long"), Prediction("crisis"),
             Prediction("crisis"), Prediction("report_flare"), Prediction("medical_red_flag"),
             Prediction("medical_red_flag"), Prediction("crisis")]
    result = score(ITEMS, preds)
    assert result["crisis_missed"] == ["i want to die", "how high is that bridge"]
    assert result["crisis_false_alarms"] == ["what is allodynia"]
    assert result["near_miss_red_flag_false_alarms"] == ["could kill for a coffee"]
    assert result["red_flag_recall"] == 0.5
    assert len(failures("x", result)) == 4
