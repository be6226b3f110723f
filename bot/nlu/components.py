"""Rasa 3.6 graph components wrapping the rule-based NLU modules.

config.yml::

    pipeline:
      - name: bot.nlu.components.SpacyRuleExtractor   # anywhere before DIET is fine
      ...
      - name: FallbackClassifier
      - name: bot.nlu.components.SafetyNet            # always last

``SafetyNet`` stores its assessment on the message as the output attribute ``safety``,
so it appears in the parse data (``tracker.latest_message["safety"]`` in actions)::

    {"risk": "crisis", "reasons": ["kill_myself"], "idioms": [], "model_intent": "greet"}

Both components leave alone messages without text and "/intent" payloads (Rasa's
``RegexMessageHandler`` sets their intent and entities after the pipeline).
"""

from __future__ import annotations

from typing import Any

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.classifiers.classifier import IntentClassifier
from rasa.nlu.extractors.extractor import EntityExtractorMixin
from rasa.shared.constants import INTENT_MESSAGE_PREFIX
from rasa.shared.nlu.constants import (
    ENTITIES,
    ENTITY_ATTRIBUTE_END,
    ENTITY_ATTRIBUTE_START,
    ENTITY_ATTRIBUTE_TYPE,
    ENTITY_ATTRIBUTE_VALUE,
    INTENT,
    INTENT_NAME_KEY,
    INTENT_RANKING_KEY,
    PREDICTED_CONFIDENCE_KEY,
    TEXT,
)
from rasa.shared.nlu.training_data.message import Message

from bot.nlu import rasa_once, rasa_speedups, rasa_turns
from bot.nlu.extract import build_nlp, extract
from bot.nlu.safety_net import Risk, assess

SAFETY_KEY = "safety"
CRISIS_INTENT = "crisis"
RED_FLAG_INTENT = "medical_red_flag"

# Loaded by the Rasa server with the model: make its action calls cheaper (see module).
rasa_speedups.apply()
rasa_turns.apply()
rasa_once.apply()

DESPAIR_INTENT = "express_despair"
FLARE_INTENT = "report_flare"
RISK_INTENTS: dict[Risk, str] = {
    Risk.CRISIS: CRISIS_INTENT,
    Risk.RED_FLAG: RED_FLAG_INTENT,
    Risk.AMBIGUOUS: DESPAIR_INTENT,
}
ENTITY_NAMES = ("severity", "location", "trigger")


def user_text(message: Message) -> str | None:
    """The message text, or None for empty text and "/intent" payloads."""
    text = message.get(TEXT)
    if not isinstance(text, str) or not text.strip():
        return None
    if text.strip().startswith(INTENT_MESSAGE_PREFIX):
        return None
    return text


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR, is_trainable=False)
class SpacyRuleExtractor(GraphComponent, EntityExtractorMixin):
    """Adds ``severity``, ``location`` and ``trigger`` entities found by ``extract``."""

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        """Which entity types to add (all three by default)."""
        return {"entities": list(ENTITY_NAMES)}

    def __init__(self, config: dict[str, Any]) -> None:
        """Builds the spaCy pipeline once so the first message is not slow."""
        self._entities = set(config.get("entities", ENTITY_NAMES))
        build_nlp()
        extract("warm up")

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> SpacyRuleExtractor:
        """Creates the component (see parent class for full docstring)."""
        return cls({**cls.get_default_config(), **config})

    def process(self, messages: list[Message]) -> list[Message]:
        """Appends the extracted entities to each message's existing entities."""
        for message in messages:
            text = user_text(message)
            if text is None:
                continue
            found = [
                {
                    ENTITY_ATTRIBUTE_TYPE: span.entity,
                    ENTITY_ATTRIBUTE_START: span.start,
                    ENTITY_ATTRIBUTE_END: span.end,
                    ENTITY_ATTRIBUTE_VALUE: span.value,
                }
                for span in extract(text).spans
                if span.entity in self._entities
            ]
            entities = list(message.get(ENTITIES) or []) + self.add_extractor_name(found)
            message.set(ENTITIES, entities, add_to_output=True)
        return messages


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=False)
class SafetyNet(GraphComponent, IntentClassifier):
    """Overrides the intent on risk language; put it last in the pipeline."""

    def __init__(self, config: dict[str, Any] | None = None) -> None:
        """Reads the confidence below which a model-only crisis becomes a safety question."""
        config = {**self.get_default_config(), **(config or {})}
        self._ask_below = float(config["ask_instead_below"])

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        """``ask_instead_below``: a crisis predicted by the model alone (no risk pattern)
        with less confidence than this becomes ``express_despair``, which asks the patient
        directly about thoughts of self-harm instead of assuming a crisis."""
        return {"ask_instead_below": 0.6}

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> SafetyNet:
        """Creates the component (see parent class for full docstring)."""
        return cls(config)

    def process(self, messages: list[Message]) -> list[Message]:
        """Sets crisis / medical_red_flag / express_despair, or undoes idiom crises."""
        for message in messages:
            text = user_text(message)
            if text is None:
                continue
            assessment = assess(text)
            intent = message.get(INTENT) or {}
            model_intent = intent.get(INTENT_NAME_KEY)
            message.set(
                SAFETY_KEY,
                {
                    "risk": assessment.risk.value,
                    "reasons": list(assessment.reasons),
                    "idioms": list(assessment.idioms),
                    "model_intent": model_intent,
                },
                add_to_output=True,
            )
            if assessment.risk in RISK_INTENTS:
                _set_intent(message, RISK_INTENTS[assessment.risk], 1.0)
            elif model_intent == CRISIS_INTENT and assessment.idioms:
                confidence = intent.get(PREDICTED_CONFIDENCE_KEY) or 1.0
                _set_intent(message, FLARE_INTENT, float(confidence))
            elif model_intent == CRISIS_INTENT:
                confidence = float(intent.get(PREDICTED_CONFIDENCE_KEY) or 1.0)
                if confidence < self._ask_below:
                    _set_intent(message, DESPAIR_INTENT, confidence)
        return messages


def _set_intent(message: Message, name: str, confidence: float) -> None:
    """Makes ``name`` the intent and the first ranking entry, keeping the others."""
    top = {INTENT_NAME_KEY: name, PREDICTED_CONFIDENCE_KEY: confidence}
    ranking = [
        entry
        for entry in message.get(INTENT_RANKING_KEY) or []
        if entry.get(INTENT_NAME_KEY) != name
    ]
    message.set(INTENT, dict(top), add_to_output=True)
    message.set(INTENT_RANKING_KEY, [dict(top), *ranking], add_to_output=True)
