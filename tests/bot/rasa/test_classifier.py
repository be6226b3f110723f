"""The tuned logistic-regression classifier: C is applied, features optionally normalised."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from rasa.engine.graph import ExecutionContext, GraphSchema
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.nlu.featurizers.sparse_featurizer.count_vectors_featurizer import (
    CountVectorsFeaturizer,
)
from rasa.shared.nlu.constants import INTENT, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.rasa.classifier import TunedLogisticRegressionClassifier
from bot.rasa.tokenizer import LemmaTokenizer

EXAMPLES = {
    "greet": ["hi there", "hello", "hey bot", "good morning", "hiya"],
    "report_flare": [
        "my back is flaring badly",
        "bad flare in my hips today",
        "my feet are burning and aching",
        "fibro flare, everything hurts",
        "neck pain is really bad tonight",
    ],
}


def _train(tmp_path: Path, **config: object) -> TunedLogisticRegressionClassifier:
    tmp_path.mkdir(parents=True, exist_ok=True)
    storage = LocalModelStorage(tmp_path)
    context = ExecutionContext(GraphSchema({}), "test")
    tokenizer = LemmaTokenizer(LemmaTokenizer.get_default_config())
    featurizer = CountVectorsFeaturizer.create(
        CountVectorsFeaturizer.get_default_config(), storage, Resource("cvf"), context
    )
    messages = [
        Message({TEXT: text, INTENT: intent})
        for intent, texts in EXAMPLES.items()
        for text in texts
    ]
    data = TrainingData(messages)
    tokenizer.process_training_data(data)
    featurizer.train(data)
    featurizer.process_training_data(data)
    classifier = TunedLogisticRegressionClassifier.create(
        {**TunedLogisticRegressionClassifier.get_default_config(), **config},
        storage,
        Resource("clf"),
        context,
    )
    classifier.train(data)
    classifier._featurize = lambda ms: (tokenizer.process(ms), featurizer.process(ms))  # type: ignore[attr-defined]
    return classifier


def _predict(classifier: TunedLogisticRegressionClassifier, text: str) -> dict[str, object]:
    message = Message({TEXT: text})
    classifier._featurize([message])  # type: ignore[attr-defined]
    classifier.process([message])
    return message.get(INTENT)


def test_c_is_passed_to_sklearn(tmp_path: Path) -> None:
    classifier = _train(tmp_path, C=20)
    assert classifier.clf.C == 20.0


def test_classifies_unseen_wording(tmp_path: Path) -> None:
    classifier = _train(tmp_path, C=20)
    assert _predict(classifier, "my hips are flaring")["name"] == "report_flare"
    assert _predict(classifier, "hello there")["name"] == "greet"


def test_weaker_regularisation_gives_sharper_confidence(tmp_path: Path) -> None:
    loose = _predict(_train(tmp_path / "a", C=20), "my hips are flaring")["confidence"]
    tight = _predict(_train(tmp_path / "b", C=0.1), "my hips are flaring")["confidence"]
    assert np.isfinite(loose) and loose > tight


def test_message_without_known_features_gets_no_intent(tmp_path: Path) -> None:
    classifier = _train(tmp_path, C=20)
    result = _predict(classifier, "😭😭")
    assert result == {"name": None, "confidence": 0.0}
