"""Rasa dense featurizer: all-MiniLM-L6-v2 sentence embeddings (``bot.nlu.encoder``).

config.yml, next to the sparse CountVectorsFeaturizers::

    - name: bot.rasa.embeddings.MiniLMFeaturizer
      alias: minilm

Adds a 384-dimensional unit-length *sentence* feature for the message text (classifiers
such as Rasa's LogisticRegressionClassifier stack it with the sparse n-gram sentence
features). With ``sequence_features: true`` every token also gets the sentence vector,
which DIET needs to combine dense and sparse sequence features. Texts are encoded in
length-sorted batches during training and cached by text (the risk step reuses the same
encoder and cache), so a retraining costs a few seconds; Rasa's own training cache
skips it entirely when the data did not change.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.constants import TOKENS_NAMES
from rasa.nlu.featurizers.dense_featurizer.dense_featurizer import DenseFeaturizer
from rasa.shared.nlu.constants import TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.nlu.encoder import DIMENSIONS, shared_encoder


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.MESSAGE_FEATURIZER, is_trainable=False)
class MiniLMFeaturizer(DenseFeaturizer, GraphComponent):
    """Sentence embeddings from the numpy all-MiniLM-L6-v2 encoder as dense features."""

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        """``sequence_features``: also give every token the sentence vector (for DIET)."""
        return {**DenseFeaturizer.get_default_config(), "sequence_features": False}

    def __init__(self, config: dict[str, Any], name: str) -> None:
        """Loads the encoder (checks the weights' sha256) once per process."""
        super().__init__(name, config)
        self._sequence = bool(self._config["sequence_features"])
        self._encoder = shared_encoder()

    @classmethod
    def validate_config(cls, config: dict[str, Any]) -> None:
        """Nothing to validate beyond the defaults."""

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> MiniLMFeaturizer:
        """Creates the component (see parent class for full docstring)."""
        return cls({**cls.get_default_config(), **config}, execution_context.node_name)

    def process(self, messages: list[Message]) -> list[Message]:
        """Adds the sentence embedding of each message's text."""
        with_text = [m for m in messages if isinstance(m.get(TEXT), str) and m.get(TEXT).strip()]
        if not with_text:
            return messages
        vectors = self._encoder.encode([m.get(TEXT) for m in with_text])
        for message, vector in zip(with_text, vectors, strict=True):
            sentence = vector[None, :].astype(np.float32)
            sequence = None
            if self._sequence:
                tokens = message.get(TOKENS_NAMES[TEXT]) or []
                sequence = np.repeat(sentence, max(len(tokens), 1), axis=0)
            self.add_features_to_message(sequence, sentence, TEXT, message)
        return messages

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        """Featurizes all training examples (in batches, see ``Encoder.encode``)."""
        self.process(training_data.training_examples)
        return training_data


__all__ = ["DIMENSIONS", "MiniLMFeaturizer"]
