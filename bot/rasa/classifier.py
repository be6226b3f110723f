"""Logistic-regression intent classifier with a tunable C.

Rasa's LogisticRegressionClassifier fixes C=1. On this data weaker regularisation helped
on held-out phrasings (80/20 split, classifier alone: macro-F1 0.747 at C=1, 0.768 at
C=20; blind set 0.895 and 0.918). L2-normalising each feature row is available but hurt
(0.691-0.755), so it is off by default.
"""

from __future__ import annotations

from typing import Any

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.classifiers.logistic_regression_classifier import LogisticRegressionClassifier
from rasa.shared.nlu.constants import INTENT, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message
from scipy.sparse import csr_matrix
from sklearn.preprocessing import normalize


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=True)
class TunedLogisticRegressionClassifier(LogisticRegressionClassifier):
    """LogisticRegressionClassifier with a configurable ``C`` (and optional row normalisation)."""

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        """Parent defaults plus ``C`` (inverse regularisation) and ``normalize``."""
        return {**LogisticRegressionClassifier.get_default_config(), "C": 1.0, "normalize": False}

    def __init__(
        self,
        config: dict[str, Any],
        name: str,
        model_storage: ModelStorage,
        resource: Resource,
    ) -> None:
        """Build the classifier with the configured C."""
        super().__init__(config, name, model_storage, resource)
        self.clf.set_params(C=float(self.config["C"]))

    def _create_X(self, messages: list[Message]) -> csr_matrix:  # noqa: N802 (parent's name)
        matrix = super()._create_X(messages)
        return normalize(matrix) if self.config["normalize"] else matrix

    def process(self, messages: list[Message]) -> list[Message]:
        """Classify; a message with no known feature at all (emoji only, "...") gets no
        intent, so the fallback answers instead of the class prior (which was "affirm")."""
        messages = super().process(messages)
        if not messages:
            return messages
        # Known n-grams only: the dense sentence embedding is never empty.
        empty = [
            sparse is None or sparse.features.getnnz() == 0
            for sparse in (m.get_sparse_features(TEXT)[1] for m in messages)
        ]
        for message, is_empty in zip(messages, empty, strict=True):
            if is_empty:
                message.set(INTENT, {"name": None, "confidence": 0.0}, add_to_output=True)
                message.set(INTENT_RANKING_KEY, [], add_to_output=True)
        return messages
