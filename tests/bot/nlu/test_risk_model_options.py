"""RiskModel.train's options for the group model (round 7): the weight of the NLU rows
and the per-group boost. A small stand-in encoder keeps these fast; the real encoder is
tested in tests/bot/rasa/test_risk_step.py."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

import numpy as np

from bot.nlu.risk_model import CRISIS, NONE, RED_FLAG, THIRD_PARTY, RiskExample, RiskModel


class HashEncoder:
    """Deterministic 16-dimensional vectors from the words of a text."""

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        out = np.zeros((len(texts), 16), dtype=np.float32)
        for row, text in enumerate(texts):
            for word in text.lower().split():
                out[row, hashlib.sha256(word.encode()).digest()[0] % 16] += 1.0
            out[row] /= max(float(np.linalg.norm(out[row])), 1.0)
        return out


RISK = [
    RiskExample("i want to end my life tonight", CRISIS, "intent_timing"),
    RiskExample("i have saved my pills to take them all", CRISIS, "method_means"),
    RiskExample("i took the whole box of tablets", CRISIS, "act_taken"),
    RiskExample("chest pain down my left arm", RED_FLAG, "emergency"),
    RiskExample("i cannot pee and my legs are numb", RED_FLAG, "emergency"),
    RiskExample("new fever with my back pain", RED_FLAG, "urgent"),
    RiskExample("my brother says he will kill himself", THIRD_PARTY, "third_party"),
    RiskExample("my friend wants to die", THIRD_PARTY, "third_party"),
    RiskExample("my back hurts more today", NONE, None),
    RiskExample("could kill for a coffee", NONE, None),
]
NLU = [
    ("how many tramadol pills can i take", "faq/dosing"),
    ("zebra xylophone quokka tablets", "chitchat"),
    ("hello there", "greet"),
    ("i cant go on like this", "express_despair"),
]


def train(**options: object) -> RiskModel:
    return RiskModel.train(RISK, NLU, c=30.0, encoder=HashEncoder(), **options)  # type: ignore[arg-type]


def test_nlu_none_rows_weight_zero_leaves_them_out() -> None:
    default, without = train(), train(nlu_none_weight=0.0)
    assert "quokka" in default.words.vocabulary_
    assert "quokka" not in without.words.vocabulary_
    assert "despair" in list(without.group.classes_)  # the risk-intent NLU rows stay


def test_nlu_risk_rows_weight_zero_leaves_them_out() -> None:
    without = train(nlu_none_weight=0.0, nlu_risk_weight=0.0)
    assert "despair" not in list(without.group.classes_)
    assert "tramadol" not in without.words.vocabulary_


def test_a_lower_nlu_none_weight_lowers_none_on_its_own_lines() -> None:
    def none_prob(model: RiskModel) -> float:
        x = model.features(["zebra xylophone quokka tablets"])
        return float(model.group.predict_proba(x)[0][list(model.group.classes_).index(NONE)])

    assert none_prob(train(nlu_none_weight=0.3)) < none_prob(train())


def test_class_boost_raises_the_boosted_group() -> None:
    text = "i have pills and it is tonight"
    plain = train().assess(text).crisis
    boosted = train(class_boost={CRISIS: 3.0}).assess(text).crisis
    assert boosted > plain
