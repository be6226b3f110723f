"""The risk step: classifiers over the sentence embeddings, trained on ``data/risk``.

Three logistic regressions on the MiniLM embedding of the message (``bot.nlu.encoder``),
next to word (1-2) and character (2-5) tf-idf n-grams of the risk step's own: on the
tuning set the embeddings alone put food idioms ("I could kill for a ...") at 0.9 crisis
probability, and the n-grams halve the false alarms at the same recall.

- ``group``: crisis / despair / red_flag / third_party / none. Trained on the risk files
  (``data/risk/*.yml``, see its README) plus the Rasa NLU examples (crisis ->
  crisis, express_despair -> despair, medical_red_flag -> red_flag, the others -> none).
  Balanced class weights, so the rare risk classes are not drowned by ordinary talk;
  the NLU rows' weights and per-group boosts are options (``RiskModel.train``).
- ``category``: which crisis category (passive_wish, method_means, act_taken, ...).
- ``tier``: emergency or urgent, for red flags.

``RiskModel.assess(text)`` scores a message; a text longer than the encoder's 256 tokens
is scored in overlapping windows and the most worrying window counts, so nothing in a
long message goes unread. ``SafetyNet`` combines this with the rules.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import scipy.sparse as sp
import yaml
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression

from bot.nlu.encoder import Encoder, shared_encoder

CRISIS, DESPAIR, RED_FLAG, THIRD_PARTY, NONE = (
    "crisis", "despair", "red_flag", "third_party", "none"
)
GROUP_OF_INTENT = {
    "crisis": CRISIS,
    "express_despair": DESPAIR,
    "medical_red_flag": RED_FLAG,
    "third_party_risk": THIRD_PARTY,
}
WINDOW_WORDS = 120
WINDOW_STEP = 80


@dataclass(frozen=True)
class RiskExample:
    """One training line of ``data/risk``: its text, group and category (or tier)."""

    text: str
    group: str
    category: str | None


@dataclass(frozen=True)
class RiskScore:
    """What the risk model sees in one message."""

    crisis: float  # probability of the crisis group
    despair: float
    red_flag: float
    third_party: float
    category: str | None  # most likely crisis category
    tier: str | None  # most likely red-flag tier

    def as_dict(self) -> dict[str, object]:
        """Plain dict for the parse data."""
        return {
            "crisis": round(self.crisis, 4), "despair": round(self.despair, 4),
            "red_flag": round(self.red_flag, 4), "third_party": round(self.third_party, 4),
            "category": self.category, "tier": self.tier,
        }


def load_risk_data(folder: Path) -> list[RiskExample]:
    """All examples of the YAML files in ``folder`` (see data/risk/README.md)."""
    examples: list[RiskExample] = []
    for path in sorted(folder.glob("*.yml")):
        doc = yaml.safe_load(path.read_text(encoding="utf-8"))
        kind = doc["kind"]
        for category, texts in doc["categories"].items():
            group = {"crisis": CRISIS, "red_flag": RED_FLAG, "other": THIRD_PARTY}.get(kind, NONE)
            for text in texts:
                examples.append(RiskExample(str(text), group, category if group != NONE else None))
    return examples


def windows(text: str) -> list[str]:
    """The text itself, or overlapping word windows of a long text."""
    words = text.split()
    if len(words) <= WINDOW_WORDS:
        return [text]
    starts = range(0, max(len(words) - WINDOW_WORDS, 0) + WINDOW_STEP, WINDOW_STEP)
    return [" ".join(words[s : s + WINDOW_WORDS]) for s in starts]


WORDS = {"ngram_range": (1, 2), "sublinear_tf": True}
CHARS = {"analyzer": "char_wb", "ngram_range": (2, 5), "sublinear_tf": True, "min_df": 2}


def vectorizer(kind: dict[str, object], vocabulary: dict[str, int] | None = None,
               idf: np.ndarray | None = None) -> TfidfVectorizer:
    """A tf-idf vectorizer with the risk step's settings (restored when given its state)."""
    v = TfidfVectorizer(**kind)
    if vocabulary is not None and idf is not None:
        v.vocabulary_ = vocabulary
        v.idf_ = idf
    return v


def _fit(
    x: np.ndarray | sp.spmatrix,
    y: list[str],
    c: float,
    sample_weight: list[float] | None = None,
    class_boost: dict[str, float] | None = None,
) -> LogisticRegression:
    weights: str | dict[str, float] = "balanced"
    if class_boost:
        classes, counts = np.unique(y, return_counts=True)
        balanced = len(y) / (len(classes) * counts)
        weights = {str(k): float(w) * float(class_boost.get(str(k), 1.0))
                   for k, w in zip(classes, balanced, strict=True)}
    model = LogisticRegression(C=c, max_iter=2000, class_weight=weights, random_state=7)
    return model.fit(x, y, sample_weight=sample_weight)


class RiskModel:
    """The fitted classifiers, the n-gram vectorizers and the encoder they read."""

    def __init__(
        self,
        group: LogisticRegression,
        category: LogisticRegression,
        tier: LogisticRegression,
        words: TfidfVectorizer,
        chars: TfidfVectorizer,
        encoder: Encoder | None = None,
    ) -> None:
        """Wraps fitted parts (see ``train``)."""
        self.group, self.category, self.tier = group, category, tier
        self.words, self.chars = words, chars
        self._encoder = encoder

    @property
    def encoder(self) -> Encoder:
        """The shared encoder, loaded on first use."""
        if self._encoder is None:
            self._encoder = shared_encoder()
        return self._encoder

    def features(self, texts: list[str]) -> sp.csr_matrix:
        """Embedding and n-gram features of ``texts``."""
        dense = sp.csr_matrix(self.encoder.encode(texts))
        return sp.hstack([dense, self.words.transform(texts), self.chars.transform(texts)]).tocsr()

    @classmethod
    def train(
        cls,
        risk: Iterable[RiskExample],
        nlu: Iterable[tuple[str, str]],
        c: float = 30.0,
        encoder: Encoder | None = None,
        nlu_none_weight: float = 1.0,
        nlu_risk_weight: float = 1.0,
        class_boost: dict[str, float] | None = None,
    ) -> RiskModel:
        """Fits the classifiers on risk examples and (text, intent) NLU examples.

        In the group model, an NLU example of a non-risk intent (a ``none`` row) weighs
        ``nlu_none_weight`` and one of a risk intent ``nlu_risk_weight`` (a risk file's
        line weighs 1); a weight of 0 leaves those rows out. ``class_boost`` multiplies
        the balanced class weights of the groups it names (e.g. ``{"crisis": 2}``).
        """
        risk = list(risk)
        rows = [(e.text, e.group, 1.0) for e in risk]
        for text, intent in nlu:
            group = GROUP_OF_INTENT.get(intent.split("/")[0], NONE)
            weight = nlu_none_weight if group == NONE else nlu_risk_weight
            if weight > 0:
                rows.append((text, group, float(weight)))
        texts = [text for text, _, _ in rows]
        model = cls(LogisticRegression(), LogisticRegression(), LogisticRegression(),
                    vectorizer(WORDS).fit(texts), vectorizer(CHARS).fit(texts), encoder)
        weights = [w for _, _, w in rows]
        model.group = _fit(model.features(texts), [g for _, g, _ in rows], c,
                           None if all(w == 1.0 for w in weights) else weights, class_boost)
        crisis = [e for e in risk if e.group == CRISIS]
        model.category = _fit(model.features([e.text for e in crisis]),
                              [str(e.category) for e in crisis], c)
        flags = [e for e in risk if e.group == RED_FLAG]
        model.tier = _fit(model.features([e.text for e in flags]),
                          [str(e.category) for e in flags], c)
        return model

    def score_features(self, x: sp.csr_matrix) -> list[RiskScore]:
        """Scores for rows of features."""
        classes = list(self.group.classes_)
        probs = self.group.predict_proba(x)
        categories = self.category.predict(x)
        tiers = self.tier.predict(x)
        return [
            RiskScore(
                crisis=float(p[classes.index(CRISIS)]),
                despair=float(p[classes.index(DESPAIR)]) if DESPAIR in classes else 0.0,
                red_flag=float(p[classes.index(RED_FLAG)]),
                third_party=float(p[classes.index(THIRD_PARTY)]),
                category=str(cat),
                tier=str(t),
            )
            for p, cat, t in zip(probs, categories, tiers, strict=True)
        ]

    def assess(self, text: str) -> RiskScore:
        """The risk in one message (the most worrying window of a long one)."""
        scores = self.score_features(self.features(windows(text)))
        return max(scores, key=lambda s: (s.crisis, s.red_flag))
