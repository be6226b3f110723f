"""Rasa 3.6 graph components wrapping the rule-based NLU modules.

config.yml::

    pipeline:
      - name: bot.rasa.components.SpacyRuleExtractor   # anywhere before DIET is fine
      ...
      - name: FallbackClassifier
      - name: bot.rasa.components.SafetyNet            # always last

``SafetyNet`` stores its assessment on the message as the output attribute ``safety``,
so it appears in the parse data (``tracker.latest_message["safety"]`` in actions)::

    {"risk": "crisis", "reasons": ["kill_myself"], "idioms": [], "model_intent": "greet",
     "category": "active_thoughts", "tier": None, "about_other": False, "score": 0.97,
     "source": "both"}

(the fields are explained in ``bot.nlu.risk_decision``).

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

from bot.nlu.extract import build_nlp, extract
from bot.nlu.risk_decision import Thresholds, decide
from bot.nlu.safety_net import Risk, assess, mentions_other
from bot.rasa.patches import apply_rasa_patches
from bot.rasa.risk_step import RISK_MODEL_KEY, full_text

SAFETY_KEY = "safety"
CRISIS_INTENT = "crisis"
RED_FLAG_INTENT = "medical_red_flag"

# Loaded by the Rasa server with the model: the one call that patches Rasa (see module).
apply_rasa_patches()

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
    """Overrides the intent on risk language; put it last in the pipeline.

    Combines the rules (``bot.nlu.safety_net``), the risk step's scores (message
    attribute ``risk_model``, from ``bot.rasa.risk_step.RiskClassifier``) and the
    classifier's intent; see ``bot.nlu.risk_decision`` for the order and the thresholds.
    The rules and the risk step read the whole text the patient sent (metadata
    ``full_text`` when the gateway cut a long message).
    """

    def __init__(self, config: dict[str, Any] | None = None) -> None:
        """Reads the thresholds (see ``Thresholds``)."""
        config = {**self.get_default_config(), **(config or {})}
        self._thresholds = Thresholds(
            crisis_at=float(config["crisis_at"]),
            ask_at=float(config["ask_at"]),
            red_flag_at=float(config["red_flag_at"]),
            third_party_at=float(config["third_party_at"]),
            classifier_crisis_at=float(config["ask_instead_below"]),
            classifier_red_flag_at=float(config["classifier_red_flag_at"]),
        )

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        """Thresholds: ``ask_instead_below``: a crisis predicted by the classifier alone
        with less confidence becomes ``express_despair`` (the direct safety question);
        ``crisis_at`` / ``ask_at``: the risk model's crisis probability for a crisis / for
        the safety question; ``red_flag_at``: its red-flag probability for a model-only
        flag; ``classifier_red_flag_at``: the classifier's confidence for a red flag that
        nothing else backs; ``third_party_at``: someone else at risk."""
        defaults = Thresholds()
        return {
            "ask_instead_below": defaults.classifier_crisis_at,
            "crisis_at": defaults.crisis_at,
            "ask_at": defaults.ask_at,
            "red_flag_at": defaults.red_flag_at,
            "third_party_at": defaults.third_party_at,
            "classifier_red_flag_at": defaults.classifier_red_flag_at,
        }

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
        """Sets crisis / medical_red_flag / express_despair / third_party_risk, or undoes
        idiom crises and unbacked red flags; writes ``safety`` to the parse data."""
        for message in messages:
            if user_text(message) is None:
                continue
            text = full_text(message) or ""
            assessment = assess(text)
            intent = message.get(INTENT) or {}
            decision = decide(
                assessment.risk,
                list(assessment.reasons),
                list(assessment.idioms),
                message.get(RISK_MODEL_KEY),
                intent.get(INTENT_NAME_KEY),
                float(intent.get(PREDICTED_CONFIDENCE_KEY) or 0.0),
                self._thresholds,
                other_person=mentions_other(text),
            )
            message.set(SAFETY_KEY, decision.safety, add_to_output=True)
            if decision.intent == "":
                _drop_intent(message, {str(intent.get(INTENT_NAME_KEY)), *decision.drop})
            elif decision.intent is not None:
                confidence = 1.0 if decision.safety.get("source") in ("rules", "both") else max(
                    float(intent.get(PREDICTED_CONFIDENCE_KEY) or 0.0),
                    float(decision.safety.get("score") or 0.0),
                )
                _set_intent(message, decision.intent, confidence)
        return messages


def _drop_intent(message: Message, names: set[str]) -> None:
    """Makes the next intent in the ranking not in ``names`` the intent (an unbacked red
    flag, an idiom's crisis)."""
    ranking = [
        e for e in message.get(INTENT_RANKING_KEY) or [] if e.get(INTENT_NAME_KEY) not in names
    ]
    top = ranking[0] if ranking else {INTENT_NAME_KEY: None, PREDICTED_CONFIDENCE_KEY: 0.0}
    message.set(INTENT, dict(top), add_to_output=True)
    message.set(INTENT_RANKING_KEY, ranking, add_to_output=True)


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
