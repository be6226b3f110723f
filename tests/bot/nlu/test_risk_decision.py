"""How the rules, the risk model and the classifier combine (bot.nlu.risk_decision)."""

from __future__ import annotations

from typing import Any

from bot.nlu.risk_decision import Thresholds, decide
from bot.nlu.safety_net import assess, mentions_other


def _model(crisis: float = 0.0, red_flag: float = 0.0, third_party: float = 0.0,
           category: str = "passive_wish", tier: str = "emergency") -> dict[str, Any]:
    return {"crisis": crisis, "despair": 0.0, "red_flag": red_flag,
            "third_party": third_party, "category": category, "tier": tier}


def _decide(text: str, model: dict[str, Any] | None, intent: str = "greet",
            confidence: float = 0.9) -> tuple[str | None, dict[str, Any]]:
    a = assess(text)
    d = decide(a.risk, list(a.reasons), list(a.idioms), model, intent, confidence, Thresholds(),
               other_person=mentions_other(text))
    return d.intent, d.safety


def test_model_crisis_is_crisis_even_with_an_idiom() -> None:
    intent, safety = _decide("my back is killing me and i'm done with everything",
                             _model(crisis=0.9, category="active_thoughts"), "report_flare")
    assert intent == "crisis"
    assert safety["source"] == "model"
    assert safety["category"] == "active_thoughts"
    assert safety["idioms"] == ["killing_me"]


def test_uncertain_band_asks_the_safety_question_never_a_flare() -> None:
    intent, safety = _decide("my feet are killing me", _model(crisis=0.5), "crisis", 0.7)
    assert intent == "express_despair"
    assert safety["risk"] == "ambiguous"


def test_idiom_with_nothing_else_takes_the_next_non_risk_intent() -> None:
    a = assess("my feet are killing me")
    d = decide(a.risk, list(a.reasons), list(a.idioms), _model(crisis=0.05), "crisis", 0.7)
    assert d.intent == ""  # the next intent in the ranking (a flare), never a risk intent
    assert {"crisis", "medical_red_flag", "third_party_risk"} <= d.drop


def test_rules_are_a_floor_under_a_calm_model() -> None:
    intent, safety = _decide("i want to kill myself", _model(crisis=0.01), "report_flare")
    assert intent == "crisis"
    assert safety["source"] == "rules"
    assert safety["category"] == "active_thoughts"


def test_both_sources() -> None:
    _, safety = _decide("i want to kill myself", _model(crisis=0.95))
    assert safety["source"] == "both"
    assert safety["score"] == 0.95


def test_third_party_is_about_someone_else() -> None:
    intent, safety = _decide("my sister said she wants to end it", _model(third_party=0.8))
    assert intent == "third_party_risk"
    assert safety["about_other"] is True


def test_first_person_crisis_beats_third_party() -> None:
    intent, _ = _decide("my friend wants to die and so do i", _model(crisis=0.85, third_party=0.6))
    assert intent == "crisis"


def test_model_only_red_flag_needs_confidence() -> None:
    intent, _ = _decide("my calf is fat since the flight", _model(red_flag=0.6), "report_flare")
    assert intent is None
    intent, safety = _decide("my calf is fat since the flight",
                             _model(red_flag=0.9, tier="urgent"), "report_flare")
    assert intent == "medical_red_flag"
    assert safety["tier"] == "urgent"


def test_unbacked_classifier_red_flag_is_dropped() -> None:
    intent, _ = _decide("i could murder a pizza", _model(red_flag=0.1), "medical_red_flag", 0.6)
    assert intent == ""  # the next intent in the ranking
    intent, _ = _decide("i'd kill for a nap", _model(), "medical_red_flag", 0.95)
    assert intent == ""  # an idiom never raises one


def test_rule_red_flag_tier() -> None:
    intent, safety = _decide("fever and back pain", None, "report_flare")
    assert (intent, safety["tier"]) == ("medical_red_flag", "urgent")
    intent, safety = _decide("my face is drooping on one side", None, "report_flare")
    assert (intent, safety["tier"]) == ("medical_red_flag", "emergency")


def test_negation_then_means_is_crisis() -> None:
    intent, _ = _decide("i'm not going to do anything stupid but the pills are right here", None)
    assert intent == "crisis"


def test_plain_message_keeps_its_intent() -> None:
    intent, safety = _decide("hello there", _model(crisis=0.01))
    assert intent is None
    assert safety["risk"] == "none"
    assert safety["source"] is None


# Ordering: first-person risk wins over the third-party branch (issue 11, round 3).
def test_danger_from_another_person_is_first_person_crisis() -> None:
    # The classifier and the risk model both read "someone else" into these.
    for text in ("my husband shoved me down the stairs again last night",
                 "she told me she'd hurt me if i ever told the doctor",
                 "he says he'll kill me if i leave"):
        intent, safety = _decide(text, _model(third_party=0.9), "third_party_risk", 0.9)
        assert intent == "crisis", text
        assert safety["about_other"] is False
        assert safety["category"] == "danger_from_other"


def test_first_person_rule_beats_third_party_model() -> None:
    intent, safety = _decide("after what my mum said i want to kill myself",
                             _model(crisis=0.3, third_party=0.8), "third_party_risk", 0.9)
    assert intent == "crisis"
    assert safety["about_other"] is False
    assert safety["source"] == "rules"


def test_first_person_model_crisis_beats_third_party_classifier() -> None:
    intent, _ = _decide("since the consultant told my wife there's nothing more, i'm finished",
                        _model(crisis=0.9, third_party=0.7), "third_party_risk", 0.9)
    assert intent == "crisis"


def test_someone_elses_suicidality_stays_third_party() -> None:
    for text in ("my brother keeps saying he wants to die", "my daughter told me she's suicidal",
                 "my dad is tired of living and has stopped eating"):
        intent, safety = _decide(text, _model(crisis=0.5, third_party=0.9), "third_party_risk")
        assert intent == "third_party_risk", text
        assert safety["about_other"] is True


def test_a_message_is_about_the_patient_unless_told_otherwise() -> None:
    # The default is the patient's own message: only the caller's ``other_person``
    # (safety_net.mentions_other) opens the third-party branch.
    text = "took a load of pills, feeling sleepy"
    a = assess(text)
    model = _model(crisis=0.5, third_party=0.9)
    d = decide(a.risk, list(a.reasons), list(a.idioms), model, "third_party_risk", 0.9)
    assert d.intent != "third_party_risk" and not d.safety["about_other"]
    assert not mentions_other(text)
    d = decide(a.risk, list(a.reasons), list(a.idioms), model, "third_party_risk", 0.9,
               other_person=True)
    assert d.intent == "third_party_risk" and d.safety["about_other"]
