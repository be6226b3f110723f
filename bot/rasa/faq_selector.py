"""Rasa's ResponseSelector, run only on messages that can end up as the ``faq`` intent.

The ResponseSelector (a TensorFlow model) serves one retrieval intent, ``faq``, but Rasa
runs its forward pass on every message. Here it runs only when ``faq`` is possible at
its place in the pipeline (after the intent classifier, before FallbackClassifier and
SafetyNet):

- ``faq`` is the top intent, or within ``margin`` of the top intent's confidence;
- ``faq`` comes right after an intent that SafetyNet may drop (``drop_intents``: an
  unbacked ``medical_red_flag`` makes the next intent of the ranking the intent, see
  ``bot.nlu.risk_decision``); FallbackClassifier and SafetyNet never set ``faq``
  otherwise;
- the text is a ``/faq`` payload (Rasa's RegexMessageHandler sets that intent later).

Every other message gets the same ``response_selector`` entry Rasa writes, with an empty
prediction (no response, confidence 0, empty ranking), so the parse data keeps its shape;
Rasa only reads the prediction when the final intent is ``faq``. The rule and the margin
were checked on the NLU test sets (docs/BENCHMARKS.md, "ResponseSelector only where faq is
possible"). ``RASA_FAQ_GATE=0`` runs it on every message, as Rasa does (for A/B runs).
"""

from __future__ import annotations

import os
from typing import Any

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.nlu.constants import (
    RESPONSE_SELECTOR_DEFAULT_INTENT,
    RESPONSE_SELECTOR_PREDICTION_KEY,
    RESPONSE_SELECTOR_RANKING_KEY,
    RESPONSE_SELECTOR_RESPONSES_KEY,
    RESPONSE_SELECTOR_UTTER_ACTION_KEY,
)
from rasa.nlu.selectors.response_selector import ResponseSelector
from rasa.shared.constants import INTENT_MESSAGE_PREFIX
from rasa.shared.nlu.constants import (
    INTENT,
    INTENT_NAME_KEY,
    INTENT_RANKING_KEY,
    INTENT_RESPONSE_KEY,
    PREDICTED_CONFIDENCE_KEY,
    TEXT,
)
from rasa.shared.nlu.training_data.message import Message

GATE_ENV = "RASA_FAQ_GATE"  # "0": run the selector on every message, as Rasa does


def gate_enabled(env: dict[str, str] | None = None) -> bool:
    """Whether the gate is on (``RASA_FAQ_GATE`` is not "0")."""
    return (env if env is not None else os.environ).get(GATE_ENV, "").strip() != "0"


def faq_possible(
    message: Message, retrieval_intent: str, margin: float, drop_intents: list[str]
) -> bool:
    """Whether the final intent of ``message`` can be ``retrieval_intent`` (see module)."""
    text = message.get(TEXT)
    if isinstance(text, str) and text.strip().startswith(INTENT_MESSAGE_PREFIX + retrieval_intent):
        return True
    ranking = [e for e in message.get(INTENT_RANKING_KEY) or [] if e.get(INTENT_NAME_KEY)]
    if not ranking:
        top = message.get(INTENT) or {}
        if not top.get(INTENT_NAME_KEY):
            return True  # no classifier output to go by: do what Rasa does
        ranking = [top]
    names = [str(entry[INTENT_NAME_KEY]) for entry in ranking]
    if retrieval_intent not in names:
        return False
    place = names.index(retrieval_intent)
    if place == 0:
        return True
    top = float(ranking[0].get(PREDICTED_CONFIDENCE_KEY) or 0.0)
    mine = float(ranking[place].get(PREDICTED_CONFIDENCE_KEY) or 0.0)
    if top - mine <= margin:
        return True
    return place == 1 and names[0] in drop_intents


def empty_prediction() -> dict[str, Any]:
    """The selector's entry for a message it did not run on: no response, no ranking."""
    return {
        RESPONSE_SELECTOR_PREDICTION_KEY: {
            RESPONSE_SELECTOR_RESPONSES_KEY: None,
            PREDICTED_CONFIDENCE_KEY: 0.0,
            INTENT_RESPONSE_KEY: None,
            RESPONSE_SELECTOR_UTTER_ACTION_KEY: None,
        },
        RESPONSE_SELECTOR_RANKING_KEY: [],
    }


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=True)
class FaqGatedResponseSelector(ResponseSelector):
    """ResponseSelector that skips its forward pass where ``faq`` is impossible."""

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        """ResponseSelector's defaults plus ``gate_margin`` and ``gate_drop_intents``."""
        return {
            **ResponseSelector.get_default_config(),
            "gate_margin": 0.1,
            "gate_drop_intents": ["medical_red_flag"],
        }

    def process(self, messages: list[Message]) -> list[Message]:
        """Runs the selector on the messages where the retrieval intent is possible."""
        key = self.retrieval_intent or RESPONSE_SELECTOR_DEFAULT_INTENT
        if not gate_enabled() or not self.retrieval_intent:
            return super().process(messages)
        margin = float(self.component_config["gate_margin"])
        drop = list(self.component_config["gate_drop_intents"])
        wanted = [m for m in messages if faq_possible(m, self.retrieval_intent, margin, drop)]
        if wanted:
            super().process(wanted)
        for message in messages:
            if not any(message is m for m in wanted):
                self._set_message_property(message, empty_prediction(), key)
        return messages
