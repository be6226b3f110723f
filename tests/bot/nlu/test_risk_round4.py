"""Round 4 of issue 11: the kinds of risk set C showed missing, and its near misses.

Every sentence here is written for this test (none is copied from a blind set).
"""

from __future__ import annotations

from typing import Any

import pytest

from bot.nlu.risk_decision import RISK_INTENTS, Thresholds, decide
from bot.nlu.safety_net import Risk, assess, mentions_other, without_idioms

CRISIS = {
    "surgery_wish": [
        "honestly i'm hoping i never come round from the anaesthetic",
        "part of me wants the operation to go badly wrong",
        "i wouldn't mind if i didn't wake up after the surgery on friday",
    ],
    "terse_self_harm": [
        "burnt myself again. i'm sorry",
        "cut again 😔",
        "relapsed again, so sorry",
    ],
    "other_language_self_harm": [
        "ich habe mich heute wieder geritzt",
        "je me suis encore scarifiée hier",
        "ik heb mezelf weer gesneden",
    ],
    "method_question": [
        "how tall does a building have to be",
        "wie hoch muss ein Hochhaus sein",
        "desde qué altura es mortal",
        "à partir de quelle hauteur on meurt",
        "hoe hoog moet een flat zijn",
        "was ist die tödliche Dosis von Tramadol",
    ],
}
RED_FLAG = {
    "breathing": ["cant breath", "short of breth after two steps", "i cnt brethe"],
    "accidental_double_dose": [
        "my dad took his oxycodone twice by mistake and he's very drowsy",
        "i accidentally took double my gabapentin and feel woozy",
    ],
    "other_language_chest": [
        "dolor en el pecho que baja al brazo izquierdo",
        "douleur dans la poitrine qui va au bras gauche",
        "Schmerzen in der Brust bis in den linken Arm",
        "pijn op de borst",
    ],
    "other_language_dvt": [
        "mi pantorrilla está hinchada después del vuelo",
        "meine Wade ist dick und warm seit der Reise",
        "mijn kuit is gezwollen na de vlucht",
    ],
    "weight_loss_back": [
        "the kilos are falling off me and i'm not dieting, my back hurts constantly",
        "lost weight without trying, not on a diet, and my back aches all the time",
    ],
    "fever_back_neck": [
        "38.9 and my lower back is agony",
        "my temp is 39 and my back is sore, it's hot outside too",
        "temperature of 38 and my spine aches",
    ],
}
# Idioms: their own words leave the rule check; nothing here is crisis or a red flag.
IDIOMS = {
    "overdosed_on_treat": "overdosed on mince pies over christmas haha",
    "death_of_me": "the tax return will be the death of me",
    "laughing_hyperbole": "nearly killed myself laughing at the panto",
    "knife_edge": "it's a knife-edge game, on the edge of my seat",
    "slang_dead": "i'm dead 💀 my dog just sneezed",
    "fright_attack": "nearly had a heart attack when i saw the electricity bill",
    "limb_fell_asleep": "my foot's gone dead from sitting on it all film",
    "thing_blew_up": "the kettle blew up this morning",
    "thing_fell": "the cat fell off the windowsill again",
    "wet_laughing": "i nearly wet myself laughing",
}
NOT_FLAG = [
    "it's 39 degrees outside and my back hurts",
    "the bath was 40 degrees and my back feels better",
    "my head nearly exploded trying to fill in the form",
    "that chilli nearly blew my head off",
]
STILL_RISK = {
    # An idiom removes its own words, nothing more.
    "killed myself laughing at lunch, but tonight i want to die": Risk.CRISIS,
    "i'm dead 💀 and i've taken all my tramadol": Risk.CRISIS,
    "nearly had a heart attack at the bill and now my chest is tight": Risk.RED_FLAG,
    "my arm's gone dead from lying on it and my face is drooping": Risk.RED_FLAG,
    "i overdosed on my tramadol": Risk.CRISIS,
    "i fell off the ladder today": Risk.RED_FLAG,
    "i'm in pain and i want to be dead, till i die i'll hurt": Risk.CRISIS,
}


def _cases(table: dict[str, list[str]]) -> list[tuple[str, str]]:
    return [(name, text) for name, texts in table.items() for text in texts]


@pytest.mark.parametrize(("name", "text"), _cases(CRISIS))
def test_new_crisis_rules(name: str, text: str) -> None:
    a = assess(text)
    assert a.risk is Risk.CRISIS and name in a.reasons, (text, a)


@pytest.mark.parametrize(("name", "text"), _cases(RED_FLAG))
def test_new_red_flag_rules(name: str, text: str) -> None:
    a = assess(text)
    assert a.risk is Risk.RED_FLAG and name in a.reasons, (text, a)


@pytest.mark.parametrize(("name", "text"), list(IDIOMS.items()))
def test_idioms_remove_their_own_words(name: str, text: str) -> None:
    a = assess(text)
    assert a.risk is Risk.NONE and name in a.idioms, (text, a)
    rest = without_idioms(text)
    assert rest is not None and len(rest) < len(text)


@pytest.mark.parametrize("text", NOT_FLAG)
def test_near_misses_are_not_flags(text: str) -> None:
    assert assess(text).risk is Risk.NONE, (text, assess(text))


@pytest.mark.parametrize(("text", "level"), list(STILL_RISK.items()))
def test_an_idiom_never_hides_the_rest(text: str, level: Risk) -> None:
    assert assess(text).risk is level, (text, assess(text))


def test_the_cut_rule_needs_the_whole_terse_message() -> None:
    assert assess("the hairdresser cut my fringe again").risk is Risk.NONE
    assert "terse_self_harm" not in assess("cut again the hedge this morning").reasons


def _model(
    crisis: float,
    red_flag: float = 0.0,
    third_party: float = 0.0,
    rest: dict[str, Any] | None = None,
) -> dict[str, Any]:
    out: dict[str, Any] = {
        "crisis": crisis,
        "despair": 0.0,
        "red_flag": red_flag,
        "third_party": third_party,
        "category": "passive_wish",
        "tier": "emergency",
    }
    if rest is not None:
        out["without_idioms"] = {**out, **rest}
    return out


def _decide(text: str, model: dict[str, Any], intent: str, confidence: float = 0.95):
    a = assess(text)
    return decide(a.risk, list(a.reasons), list(a.idioms), model, intent, confidence, Thresholds(),
                  other_person=mentions_other(text))


def test_idiom_words_out_the_model_sees_no_risk_so_no_crisis() -> None:
    # The model read "knife-edge ... edge of my seat" as risk; without those words it does not.
    d = _decide(
        "knife-edge finish at the darts, on the edge of my seat",
        _model(0.79, rest={"crisis": 0.03}),
        "crisis",
        0.99,
    )
    assert d.intent == "" and d.drop >= RISK_INTENTS


def test_idiom_words_out_the_model_still_sees_risk_so_the_safety_question() -> None:
    text = "this flare will be the death of me, nobody would care"
    d = _decide(text, _model(0.6, rest={"crisis": 0.7}), "crisis", 0.99)
    assert d.intent == "express_despair"
    d = _decide(text, _model(0.95, rest={"crisis": 0.9}), "report_flare", 0.99)
    assert d.intent == "crisis"


def test_a_fragment_left_without_the_idiom_does_not_raise_risk_alone() -> None:
    # "... when I opened the gas bill": "gas" alone reads as a method to the model.
    d = _decide("nearly had a heart attack when i opened the gas bill",
                _model(0.06, rest={"crisis": 0.97}), "crisis", 0.98)
    assert d.intent == "" and "crisis" in d.drop


def test_nobody_else_named_is_never_third_party() -> None:
    a = assess("took a load of pills, feeling really sleepy now")
    d = decide(a.risk, list(a.reasons), list(a.idioms), _model(0.1, third_party=0.9),
               "third_party_risk", 0.99, Thresholds(), other_person=False)
    assert d.intent == "crisis" and d.safety["about_other"] is False
    d = decide(a.risk, list(a.reasons), list(a.idioms), _model(0.1, third_party=0.9),
               "third_party_risk", 0.99, Thresholds(), other_person=True)
    assert d.intent == "third_party_risk"


def test_a_classifier_only_red_flag_needs_the_risk_model_to_agree() -> None:
    text = "classic overdoing it, dug the allotment for hours, wrecked since"
    d = _decide(text, _model(0.0, red_flag=0.05), "medical_red_flag", 0.97)
    assert d.intent == ""
    d = _decide(text, _model(0.0, red_flag=0.75), "medical_red_flag", 0.97)
    assert d.intent is None and d.safety["risk"] == "red_flag"


def test_an_idiom_never_raises_a_flag_the_classifier_alone_saw() -> None:
    d = _decide(
        "nearly had a heart attack opening the council tax letter",
        _model(0.0, red_flag=0.3, rest={"red_flag": 0.1}),
        "medical_red_flag",
        0.97,
    )
    assert d.intent == "" and "crisis" in d.drop and "medical_red_flag" in d.drop


def test_a_relatives_accidental_double_dose_is_their_emergency() -> None:
    d = _decide(
        "my mum had her morphine twice by accident and she's hard to wake",
        _model(0.1, third_party=0.9),
        "third_party_risk",
    )
    assert d.intent == "medical_red_flag"
    assert d.safety["tier"] == "emergency" and d.safety["about_other"] is True


def test_other_language_dvt_is_urgent() -> None:
    d = _decide("meine Wade ist dick und warm seit der Reise", _model(0.0), "out_of_scope")
    assert d.intent == "medical_red_flag" and d.safety["tier"] == "urgent"


def test_mentions_other() -> None:
    from bot.nlu.safety_net import mentions_other

    assert not mentions_other("swallowed a pile of tablets, so drowsy now")
    assert mentions_other("my flatmate swallowed a pile of tablets")
    assert mentions_other("mi hermano dice que quiere morir")
