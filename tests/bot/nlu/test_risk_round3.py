"""Round 3 of issue 11: kinds of risk the blind sets showed missing, and their near misses.

Every sentence here is written for this test (none is copied from a blind set).
"""

from __future__ import annotations

from typing import Any

import pytest

from bot.nlu.risk_decision import Thresholds, decide
from bot.nlu.safety_net import Risk, assess

CRISIS = {
    "giving_things_away": ["i've been giving all my jewellery away to friends",
                           "handing my books out to people this week"],
    "timing_named": ["you won't be hearing from me after the bank holiday",
                     "wednesday night is it.", "sunday is the day, it's all sorted",
                     "nobody will have to worry about me after the funeral"],
    "self_harm_for_pain": ["i bash my shin with a rolling pin until the nerve pain stops",
                           "i hold the lighter against my hand so the back pain goes away",
                           "i slam my fist on purpose to take my mind off it"],
    "firearm_access": ["there's a rifle upstairs and i keep thinking about using it",
                       "i got the shotgun out of the cabinet tonight"],
    "danger_from_other": ["my boyfriend dragged me across the kitchen again",
                          "she told me she'd beat me if i rang anyone",
                          "the night carer punches me when i ring the bell",
                          "i'm terrified of my ex", "mi novio me golpea"],
    "suicidal_me": ["i've had suicidal thoughts since my husband's funeral"],
    "taken_in_sleep": ["i pray jesus takes me soon", "i just want him to take me in my sleep"],
    "last_night": ["tonight is my last night. thank you"],
}
AMBIGUOUS = {
    "assisted_dying_personal": ["could i get euthanasia for my pain",
                                "i've been reading about dignitas for myself"],
    "firearm_at_hand": ["i know where the gun is"],
    # "ich kann nicht mehr" alone ("I can't go on") is left to the model: too common.
    "other_language_indirect": ["het hoeft voor mij niet meer", "estarían mejor sin mí"],
}
NOT_RISK = [
    "i gave my old clothes away to the charity shop when we were moving house",
    "friday is the day, so excited for the wedding", "i hit my knee on the coffee table",
    "i use a massage gun on my calves until they loosen", "my nephew has a nerf gun",
    "what's the law on assisted dying in scotland", "i handed my form in at reception",
    "i'll be away next week so you won't hear from me till monday",
    "my carer hurt my shoulder when she lifted me", "i hope my son takes me to the market",
    "this is my last day at work before the holidays",
]
RED_FLAG = ["38.7 and my back is agony", "temp 39.4, new pain in my spine",
            "my neck is stiff and the thermometer says 38.9"]
NOT_FLAG = [
    "can't lift my arm past my shoulder without wincing, the frozen shoulder again",
    "i can't move my legs much because of the pain today",
    "i lifted 38 boxes and my back hurts", "i'm 39 and my back has hurt for years",
    "my costochondritis again, sore where i press on my ribs, same as always",
]


def _cases(table: dict[str, list[str]]) -> list[tuple[str, str]]:
    return [(name, text) for name, texts in table.items() for text in texts]


@pytest.mark.parametrize(("name", "text"), _cases(CRISIS))
def test_new_crisis_rules(name: str, text: str) -> None:
    a = assess(text)
    assert a.risk is Risk.CRISIS and name in a.reasons, (text, a)


@pytest.mark.parametrize(("name", "text"), _cases(AMBIGUOUS))
def test_new_ambiguous_rules(name: str, text: str) -> None:
    a = assess(text)
    assert a.risk is Risk.AMBIGUOUS and name in a.reasons, (text, a)


@pytest.mark.parametrize("text", NOT_RISK + NOT_FLAG)
def test_near_misses_stay_calm(text: str) -> None:
    assert assess(text).risk is Risk.NONE, text


@pytest.mark.parametrize("text", RED_FLAG)
def test_fever_in_numbers_with_back_or_neck_pain(text: str) -> None:
    a = assess(text)
    assert a.risk is Risk.RED_FLAG and "fever_back_neck" in a.reasons, text


def test_sudden_weakness_is_still_a_flag() -> None:
    assert assess("i suddenly can't lift my arm at all").risk is Risk.RED_FLAG


def test_costochondritis_with_a_heart_sign_is_still_a_flag() -> None:
    text = "my usual costochondritis chest pain when i press, but now i'm sweating"
    assert assess(text).risk is Risk.RED_FLAG


def test_hyperbole_without_the_joke_marker_is_still_crisis() -> None:
    assert assess("if i have to do one more day of this i'll kill myself").risk is Risk.CRISIS


def _model(crisis: float = 0.0) -> dict[str, Any]:
    return {"crisis": crisis, "despair": 0.0, "red_flag": 0.0, "third_party": 0.0,
            "category": "active_thoughts", "tier": None}


def test_hyperbole_with_classifier_crisis_gets_the_safety_question_not_a_flare() -> None:
    a = assess("if i have to sit through another webinar i'll shoot myself 🙄")
    assert a.idioms == ("one_more_hyperbole",)
    d = decide(a.risk, list(a.reasons), list(a.idioms), _model(0.1), "crisis", 0.9,
               Thresholds())
    assert d.intent == "express_despair"
    d = decide(a.risk, list(a.reasons), list(a.idioms), _model(0.1), "out_of_scope", 0.9,
               Thresholds())
    assert d.intent is None
    d = decide(a.risk, list(a.reasons), list(a.idioms), _model(0.95), "out_of_scope", 0.9,
               Thresholds())
    assert d.intent == "crisis"  # an idiom never lowers a model score
