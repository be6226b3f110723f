"""Tests for the Rasa graph components in bot.rasa.components."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from rasa.core.channels.channel import UserMessage
from rasa.engine import validation
from rasa.engine.graph import ExecutionContext
from rasa.engine.recipes.recipe import Recipe
from rasa.engine.runner.dask import DaskGraphRunner
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.shared.data import TrainingType
from rasa.shared.nlu.constants import ENTITIES, INTENT, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message

from bot.rasa.components import SAFETY_KEY, SafetyNet, SpacyRuleExtractor


def _message(text: str | None, intent: str | None = None, confidence: float = 0.9) -> Message:
    data: dict[str, Any] = {}
    if text is not None:
        data[TEXT] = text
    if intent is not None:
        data[INTENT] = {"name": intent, "confidence": confidence}
        data[INTENT_RANKING_KEY] = [
            {"name": intent, "confidence": confidence},
            {"name": "report_flare", "confidence": 0.05},
            {"name": "crisis", "confidence": 0.03},
        ]
    return Message(data=data)


@pytest.fixture(scope="module")
def extractor() -> SpacyRuleExtractor:
    return SpacyRuleExtractor({"entities": ["severity", "location", "trigger"]})


@pytest.fixture()
def safety_net() -> SafetyNet:
    return SafetyNet()


def test_extractor_adds_entities_and_keeps_existing(extractor: SpacyRuleExtractor) -> None:
    message = _message("I barely slept and my lower back is 8/10")
    existing = {"entity": "other", "start": 0, "end": 1, "value": "I", "extractor": "X"}
    message.set(ENTITIES, [existing])
    extractor.process([message])
    entities = message.get(ENTITIES)
    assert entities[0] == existing
    assert [(e["entity"], e["value"], e["start"], e["end"]) for e in entities[1:]] == [
        ("trigger", "poor_sleep", 2, 14),
        ("location", "lower back", 22, 32),
        ("severity", "8", 36, 40),
    ]
    text = message.get(TEXT)
    assert [text[e["start"] : e["end"]] for e in entities[1:]] == [
        "barely slept",
        "lower back",
        "8/10",
    ]
    assert {e["extractor"] for e in entities[1:]} == {"SpacyRuleExtractor"}


def test_extractor_respects_entity_config() -> None:
    message = _message("my knees are 6/10")
    SpacyRuleExtractor({"entities": ["severity"]}).process([message])
    assert [e["entity"] for e in message.get(ENTITIES)] == ["severity"]


@pytest.mark.parametrize("text", [None, "", "   ", '/inform_severity{"severity": "8"}'])
def test_extractor_skips_payloads_and_empty_text(
    extractor: SpacyRuleExtractor, text: str | None
) -> None:
    message = _message(text)
    extractor.process([message])
    assert message.get(ENTITIES) is None


def test_extractor_without_matches_sets_empty_list(extractor: SpacyRuleExtractor) -> None:
    message = _message("hello there")
    extractor.process([message])
    assert message.get(ENTITIES) == []


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("I want to kill myself", "crisis"),
        ("my back is killing me and I want to kill myself", "crisis"),
        ("I have crushing chest pain", "medical_red_flag"),
        ("I can't go on like this", "express_despair"),
        ("I'm not suicidal", "express_despair"),
    ],
)
def test_safety_net_overrides_intent(safety_net: SafetyNet, text: str, expected: str) -> None:
    message = _message(text, intent="greet")
    safety_net.process([message])
    assert message.get(INTENT) == {"name": expected, "confidence": 1.0}
    ranking = message.get(INTENT_RANKING_KEY)
    assert ranking[0] == {"name": expected, "confidence": 1.0}
    names = [entry["name"] for entry in ranking]
    assert names.count(expected) == 1
    assert {"greet", "report_flare"} <= set(names)


def test_safety_net_records_reasons_in_output(safety_net: SafetyNet) -> None:
    message = _message("I want to die, I can't breathe", intent="report_flare")
    safety_net.process([message])
    safety = message.as_dict(only_output_properties=True)[SAFETY_KEY]
    assert safety == {
        "risk": "crisis",
        "reasons": ["want_to_die", "breathing"],
        "idioms": [],
        "model_intent": "report_flare",
        "category": "passive_wish",
        "tier": None,
        "about_other": False,
        "score": 0.0,
        "red_flag_score": 0.0,
        "source": "rules",
    }


def test_idiom_only_crisis_prediction_becomes_flare(safety_net: SafetyNet) -> None:
    # The next intent in the ranking that is not a risk intent: no crisis left in it.
    message = _message("my feet are killing me", intent="crisis", confidence=0.7)
    safety_net.process([message])
    assert message.get(INTENT) == {"name": "report_flare", "confidence": 0.05}
    assert [e["name"] for e in message.get(INTENT_RANKING_KEY)] == ["report_flare"]
    assert message.get(SAFETY_KEY)["idioms"] == ["killing_me"]


def test_crisis_prediction_without_patterns_is_kept(safety_net: SafetyNet) -> None:
    message = _message("everything feels very dark tonight", intent="crisis", confidence=0.8)
    safety_net.process([message])
    assert message.get(INTENT) == {"name": "crisis", "confidence": 0.8}
    assert message.get(SAFETY_KEY)["risk"] == "crisis"
    assert message.get(SAFETY_KEY)["source"] == "model"


def test_unsure_model_only_crisis_asks_instead(safety_net: SafetyNet) -> None:
    message = _message("my phone died halfway through the call", intent="crisis", confidence=0.32)
    safety_net.process([message])
    assert message.get(INTENT) == {"name": "express_despair", "confidence": 0.32}
    assert [e["name"] for e in message.get(INTENT_RANKING_KEY)][:2] == [
        "express_despair",
        "crisis",
    ]


def test_ask_threshold_is_configurable() -> None:
    strict = SafetyNet({"ask_instead_below": 0.9})
    message = _message("everything feels very dark tonight", intent="crisis", confidence=0.8)
    strict.process([message])
    assert message.get(INTENT)["name"] == "express_despair"


def test_idiom_with_despair_is_not_downgraded_to_flare(safety_net: SafetyNet) -> None:
    message = _message("this pain is killing me, I can't take it anymore", intent="crisis")
    safety_net.process([message])
    assert message.get(INTENT)["name"] == "express_despair"


def test_no_risk_leaves_prediction_alone(safety_net: SafetyNet) -> None:
    message = _message("my knees hurt, 6/10", intent="report_flare", confidence=0.95)
    before = message.get(INTENT_RANKING_KEY)
    safety_net.process([message])
    assert message.get(INTENT) == {"name": "report_flare", "confidence": 0.95}
    assert message.get(INTENT_RANKING_KEY) == before


def test_message_without_intent_gets_one(safety_net: SafetyNet) -> None:
    message = _message("I want to end it all")
    safety_net.process([message])
    assert message.get(INTENT) == {"name": "crisis", "confidence": 1.0}
    assert message.get(INTENT_RANKING_KEY) == [{"name": "crisis", "confidence": 1.0}]


@pytest.mark.parametrize("text", [None, "", "/crisis", "/affirm", " /deny"])
def test_safety_net_leaves_payloads_and_empty_text_alone(
    safety_net: SafetyNet, text: str | None
) -> None:
    message = _message(text, intent="affirm")
    safety_net.process([message])
    assert message.get(INTENT) == {"name": "affirm", "confidence": 0.9}
    assert message.get(SAFETY_KEY) is None


def test_components_run_in_a_real_rasa_predict_graph(tmp_path: Path) -> None:
    config = {
        "recipe": "default.v1",
        "language": "en",
        "pipeline": [
            {"name": "WhitespaceTokenizer"},
            {"name": "bot.rasa.components.SpacyRuleExtractor"},
            {"name": "bot.rasa.components.SafetyNet"},
        ],
        "policies": [],
    }
    recipe = Recipe.recipe_for_name("default.v1")
    model = recipe.graph_config_for_recipe(config, {}, training_type=TrainingType.NLU)
    validation.validate(model)
    runner = DaskGraphRunner(
        model.predict_schema,
        LocalModelStorage(tmp_path),
        ExecutionContext(model.predict_schema, "test"),
    )

    def parse(text: str) -> dict[str, Any]:
        result = runner.run(inputs={"__message__": [UserMessage(text)]}, targets=[model.nlu_target])
        return result[model.nlu_target][0].as_dict(only_output_properties=True)

    crisis = parse("I wish I were dead, my neck is 9/10")
    assert crisis["intent"]["name"] == "crisis"
    assert crisis[SAFETY_KEY]["reasons"] == ["wish_dead"]
    assert [(e["entity"], e["value"]) for e in crisis["entities"]] == [
        ("location", "neck"),
        ("severity", "9"),
    ]
    button = parse("/deny")
    assert button["intent"]["name"] == "deny"
    assert SAFETY_KEY not in button


def test_safety_net_reads_the_whole_text_of_a_cut_message(safety_net: SafetyNet) -> None:
    whole = "my day was long and my back hurt. " * 80 + "tonight i want to kill myself"
    message = _message(whole[:2000], intent="report_flare")
    message.set("metadata", {"full_text": whole})
    safety_net.process([message])
    assert message.get(INTENT)["name"] == "crisis"
    assert message.get(SAFETY_KEY)["reasons"] == ["kill_myself"]


def test_risk_model_scores_are_combined(safety_net: SafetyNet) -> None:
    message = _message("everything is grey and i have had enough of being here",
                       intent="report_flare", confidence=0.6)
    message.set("risk_model", {"crisis": 0.9, "despair": 0.0, "red_flag": 0.0,
                               "third_party": 0.0, "category": "passive_wish", "tier": None})
    safety_net.process([message])
    assert message.get(INTENT) == {"name": "crisis", "confidence": 0.9}
    safety = message.get(SAFETY_KEY)
    assert (safety["source"], safety["category"], safety["score"]) == ("model", "passive_wish", 0.9)
