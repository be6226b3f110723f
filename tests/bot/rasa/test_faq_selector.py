"""The ResponseSelector only where ``faq`` is possible (bot.rasa.faq_selector)."""

from __future__ import annotations

from typing import Any

import pytest
from rasa.shared.nlu.constants import INTENT, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message

from bot.rasa import faq_selector
from bot.rasa.faq_selector import FaqGatedResponseSelector, empty_prediction, faq_possible

DROP = ["medical_red_flag"]


def _message(text: str, *ranking: tuple[str, float]) -> Message:
    entries = [{"name": name, "confidence": confidence} for name, confidence in ranking]
    data: dict[str, Any] = {TEXT: text, INTENT_RANKING_KEY: entries}
    if entries:
        data[INTENT] = dict(entries[0])
    return Message(data=data)


@pytest.mark.parametrize(
    ("ranking", "expected"),
    [
        ((("faq", 0.6), ("greet", 0.3)), True),  # the top intent
        ((("greet", 0.5), ("faq", 0.45)), True),  # within the margin
        ((("greet", 0.7), ("faq", 0.2)), False),  # far behind
        ((("greet", 0.9), ("thank", 0.05)), False),  # not ranked at all
        ((("medical_red_flag", 0.8), ("faq", 0.1)), True),  # SafetyNet may drop the top
        ((("medical_red_flag", 0.8), ("greet", 0.1), ("faq", 0.05)), False),
        ((("crisis", 0.9), ("faq", 0.05)), False),  # a crisis is never dropped to faq
    ],
)
def test_faq_is_possible_at_the_top_within_the_margin_or_behind_a_droppable_intent(
    ranking: tuple[tuple[str, float], ...], expected: bool
) -> None:
    assert faq_possible(_message("some text", *ranking), "faq", 0.1, DROP) is expected


def test_a_faq_payload_and_a_message_without_ranking_run_the_selector() -> None:
    assert faq_possible(_message("/faq/is_it_permanent", ("greet", 0.9)), "faq", 0.1, DROP)
    assert faq_possible(Message(data={TEXT: "hello"}), "faq", 0.1, DROP)


class _CountingSelector(FaqGatedResponseSelector):
    """The gate in front of a stand-in for the TensorFlow forward pass."""

    def __init__(self) -> None:  # no model: only the gate is under test
        self.retrieval_intent = "faq"
        self.all_retrieval_intents = ["faq"]
        self.component_config = self.get_default_config()
        self.seen: list[str] = []

    def _predict_and_set(self, messages: list[Message]) -> list[Message]:
        for message in messages:
            self.seen.append(message.get(TEXT))
            self._set_message_property(message, {"response": {"intent_response_key": "x"}}, "faq")
        return messages


@pytest.fixture
def selector(monkeypatch: pytest.MonkeyPatch) -> _CountingSelector:
    monkeypatch.setattr(
        faq_selector.ResponseSelector,
        "process",
        lambda self, messages: self._predict_and_set(messages),
    )
    return _CountingSelector()


def test_the_selector_runs_only_on_possible_faq_and_keeps_the_output_shape(
    selector: _CountingSelector, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(faq_selector.GATE_ENV, raising=False)
    faq = _message("what is central sensitization", ("faq", 0.8))
    other = _message("hi", ("greet", 0.9), ("faq", 0.01))
    selector.process([faq, other])
    assert selector.seen == ["what is central sensitization"]
    assert other.get("response_selector") == {
        "all_retrieval_intents": ["faq"],
        "faq": empty_prediction(),
    }
    assert other.as_dict_nlu() is not None
    assert "response_selector" in other.output_properties


def test_the_gate_can_be_switched_off(
    selector: _CountingSelector, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(faq_selector.GATE_ENV, "0")
    selector.process([_message("hi", ("greet", 0.9))])
    assert selector.seen == ["hi"]
