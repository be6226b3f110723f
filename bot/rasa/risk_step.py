"""Rasa component for the risk step (``bot.nlu.risk_model``); put it before SafetyNet.

config.yml::

    - name: bot.rasa.risk_step.RiskClassifier
      data: data/risk
      C: 10

Trains on the files in ``data`` plus the NLU training examples, and sets the message
attribute ``risk_model`` (a ``RiskScore.as_dict()``), which ``SafetyNet`` reads. The risk
files' contents are part of the training fingerprint, so editing them retrains the step.
The fitted weights, idf vectors and vocabularies are stored as numpy arrays and JSON (no
pickle).
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import numpy as np
from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import INTENT, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression

from bot.nlu.risk_model import CHARS, WORDS, RiskModel, load_risk_data, vectorizer
from bot.nlu.safety_net import without_idioms
from bot.settings import PROJECT_ROOT

RISK_MODEL_KEY = "risk_model"
FULL_TEXT_KEY = "full_text"  # metadata: the untruncated text (see bot/gateway/core.py)
_PARTS = ("group", "category", "tier")


def full_text(message: Message) -> str | None:
    """The whole text the patient sent: metadata ``full_text`` when the gateway cut it."""
    metadata = message.get("metadata") or {}
    whole = metadata.get(FULL_TEXT_KEY) if isinstance(metadata, dict) else None
    text = message.get(TEXT)
    if isinstance(whole, str) and whole.strip():
        return whole
    return text if isinstance(text, str) and text.strip() else None


def _data_dir(config: dict[str, Any]) -> Path:
    path = Path(config["data"])
    return path if path.is_absolute() else PROJECT_ROOT / path


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=True)
class RiskClassifier(GraphComponent):
    """Scores crisis, red-flag and third-party risk over the sentence embeddings."""

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        """``data``: folder of risk YAML files; ``C``: inverse regularisation;
        ``nlu_none_weight`` / ``nlu_risk_weight``: the weight of an NLU example of a
        non-risk / risk intent in the group model (0 leaves them out; a risk file's line
        weighs 1); ``class_boost``: multipliers on the balanced group weights. The
        defaults are round 7's measured choice (docs/BENCHMARKS.md, "Round 7")."""
        return {"data": "data/risk", "C": 30.0, "nlu_none_weight": 0.7,
                "nlu_risk_weight": 1.0, "class_boost": {"red_flag": 1.5}}

    @classmethod
    def fingerprint_addon(cls, config: dict[str, Any]) -> str | None:
        """A hash of the risk files, so that editing them retrains this step."""
        digest = hashlib.sha256()
        for path in sorted(_data_dir({**cls.get_default_config(), **config}).glob("*.yml")):
            digest.update(path.name.encode() + path.read_bytes())
        return digest.hexdigest()

    def __init__(
        self,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        model: RiskModel | None = None,
    ) -> None:
        """Keeps the config and, once trained or loaded, the model."""
        self._config = {**self.get_default_config(), **config}
        self._storage, self._resource = model_storage, resource
        self.model = model

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> RiskClassifier:
        """Creates an untrained component (see parent class for full docstring)."""
        return cls(config, model_storage, resource)

    def train(self, training_data: TrainingData) -> Resource:
        """Fits the risk model on ``data`` and the NLU examples, then persists it."""
        nlu = [
            (str(m.get(TEXT)), str(m.get(INTENT)))
            for m in training_data.intent_examples
            if m.get(TEXT) and m.get(INTENT)
        ]
        risk = load_risk_data(_data_dir(self._config))
        boost = {str(k): float(v) for k, v in (self._config["class_boost"] or {}).items()}
        self.model = RiskModel.train(
            risk, nlu, c=float(self._config["C"]),
            nlu_none_weight=float(self._config["nlu_none_weight"]),
            nlu_risk_weight=float(self._config["nlu_risk_weight"]),
            class_boost=boost or None,
        )
        self._persist()
        return self._resource

    def _persist(self) -> None:
        assert self.model is not None
        arrays: dict[str, np.ndarray] = {}
        for part in _PARTS:
            clf: LogisticRegression = getattr(self.model, part)
            arrays[f"{part}_coef"] = clf.coef_
            arrays[f"{part}_intercept"] = clf.intercept_
            arrays[f"{part}_classes"] = np.array([str(c) for c in clf.classes_])
        vocabularies = {}
        for part in ("words", "chars"):
            v: TfidfVectorizer = getattr(self.model, part)
            arrays[f"{part}_idf"] = v.idf_
            vocabularies[part] = {k: int(i) for k, i in v.vocabulary_.items()}
        with self._storage.write_to(self._resource) as folder:
            np.savez(folder / "risk_model.npz", **arrays)
            (folder / "vocabularies.json").write_text(json.dumps(vocabularies), encoding="utf-8")

    @classmethod
    def load(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        **kwargs: Any,
    ) -> RiskClassifier:
        """Loads the persisted weights (see parent class for full docstring)."""
        with model_storage.read_from(resource) as folder:
            arrays = np.load(folder / "risk_model.npz", allow_pickle=False)
            parts = {}
            for part in _PARTS:
                clf = LogisticRegression()
                clf.coef_ = arrays[f"{part}_coef"]
                clf.intercept_ = arrays[f"{part}_intercept"]
                clf.classes_ = arrays[f"{part}_classes"]
                parts[part] = clf
            vocabularies = json.loads((folder / "vocabularies.json").read_text(encoding="utf-8"))
            words = vectorizer(WORDS, vocabularies["words"], arrays["words_idf"])
            chars = vectorizer(CHARS, vocabularies["chars"], arrays["chars_idf"])
        model = RiskModel(parts["group"], parts["category"], parts["tier"], words, chars)
        return cls(config, model_storage, resource, model)

    def process(self, messages: list[Message]) -> list[Message]:
        """Sets ``risk_model`` on every message with text (the whole text, see above)."""
        if self.model is None:
            return messages
        for message in messages:
            text = full_text(message)
            if text is None or text.strip().startswith("/"):
                continue
            scores = self.model.assess(text).as_dict()
            # The same text the rules read: the idioms' own words removed, nothing more
            # (``bot.nlu.risk_decision`` uses these scores when the message has an idiom).
            rest = without_idioms(text)
            if rest is not None:
                scores["without_idioms"] = (
                    self.model.assess(rest).as_dict()
                    if rest
                    else {
                        "crisis": 0.0,
                        "despair": 0.0,
                        "red_flag": 0.0,
                        "third_party": 0.0,
                        "category": None,
                        "tier": None,
                    }
                )
            message.set(RISK_MODEL_KEY, scores)
        return messages
