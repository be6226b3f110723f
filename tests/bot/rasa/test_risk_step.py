"""The risk step: its data, training, persistence and scores (real encoder)."""

from __future__ import annotations

from pathlib import Path

import pytest
from rasa.engine.graph import ExecutionContext, GraphSchema
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.shared.nlu.constants import INTENT, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.nlu.risk_model import CRISIS, NONE, RED_FLAG, THIRD_PARTY, load_risk_data, windows
from bot.rasa.risk_step import RISK_MODEL_KEY, RiskClassifier
from bot.settings import PROJECT_ROOT

CATEGORIES = {
    "passive_wish", "active_thoughts", "self_harm", "method_means", "intent_timing",
    "preparation", "unable_to_stay_safe", "act_taken", "danger_from_other",
}


def test_risk_data_covers_every_category() -> None:
    examples = load_risk_data(PROJECT_ROOT / "data/risk")
    crisis = {e.category for e in examples if e.group == CRISIS}
    assert crisis == CATEGORIES
    assert {e.category for e in examples if e.group == RED_FLAG} == {"emergency", "urgent"}
    assert any(e.group == THIRD_PARTY for e in examples)
    assert sum(e.group == NONE for e in examples) >= 100
    counts = {c: sum(e.category == c for e in examples) for c in CATEGORIES}
    assert min(counts.values()) >= 10, counts


def test_long_texts_are_read_in_windows() -> None:
    assert windows("short text") == ["short text"]
    long = " ".join(f"w{i}" for i in range(300))
    parts = windows(long)
    assert len(parts) >= 3
    assert parts[-1].split()[-1] == "w299"


@pytest.fixture(scope="module")
def trained(tmp_path_factory: pytest.TempPathFactory) -> tuple[LocalModelStorage, Resource]:
    storage = LocalModelStorage(tmp_path_factory.mktemp("storage"))
    resource = Resource("risk")
    context = ExecutionContext(GraphSchema({}), "risk")
    component = RiskClassifier.create({}, storage, resource, context)
    nlu = TrainingData([
        Message(data={TEXT: "hello there", INTENT: "greet"}),
        Message(data={TEXT: "my back hurts today", INTENT: "report_flare"}),
        Message(data={TEXT: "i want to die", INTENT: "crisis"}),
        Message(data={TEXT: "chest pain going down my arm", INTENT: "medical_red_flag"}),
    ])
    component.train(nlu)
    return storage, resource


def test_trained_step_persists_and_scores(trained: tuple[LocalModelStorage, Resource]) -> None:
    storage, resource = trained
    context = ExecutionContext(GraphSchema({}), "risk")
    loaded = RiskClassifier.load({}, storage, resource, context)
    messages = [
        Message(data={TEXT: "i've saved up all my tramadol and tonight i'll take them"}),
        Message(data={TEXT: "i could kill for a coffee"}),
        Message(data={TEXT: "my face has dropped on one side and my words are slurred"}),
        Message(data={TEXT: "my sister told me she wants to end her life"}),
        Message(data={TEXT: "/greet"}),
    ]
    loaded.process(messages)
    scores = [m.get(RISK_MODEL_KEY) for m in messages]
    assert scores[0]["crisis"] >= 0.5
    assert scores[1]["crisis"] < 0.2
    assert scores[2]["red_flag"] >= 0.5 and scores[2]["tier"] == "emergency"
    assert scores[3]["third_party"] >= 0.5
    assert scores[4] is None


def test_editing_the_risk_data_changes_the_fingerprint(tmp_path: Path) -> None:
    (tmp_path / "a.yml").write_text("kind: none\ncategories: {none: [hi]}\n")
    first = RiskClassifier.fingerprint_addon({"data": str(tmp_path)})
    (tmp_path / "a.yml").write_text("kind: none\ncategories: {none: [hello]}\n")
    assert RiskClassifier.fingerprint_addon({"data": str(tmp_path)}) != first


def test_the_nlu_weights_come_from_the_config(tmp_path: Path) -> None:
    storage = LocalModelStorage(tmp_path)
    context = ExecutionContext(GraphSchema({}), "risk")
    nlu = TrainingData([
        Message(data={TEXT: "zebra quokka xylophone", INTENT: "greet"}),
        Message(data={TEXT: "i want to die", INTENT: "crisis"}),
    ])
    component = RiskClassifier.create({"nlu_none_weight": 0.0}, storage, Resource("r"), context)
    component.train(nlu)
    assert component.model is not None
    assert "quokka" not in component.model.words.vocabulary_
    default = RiskClassifier.create({}, storage, Resource("d"), context)
    default.train(nlu)
    assert default.model is not None
    assert "quokka" in default.model.words.vocabulary_


def test_the_defaults_are_the_configs_choice() -> None:
    import yaml

    pipeline = yaml.safe_load((PROJECT_ROOT / "config.yml").read_text())["pipeline"]
    entry = next(c for c in pipeline if c["name"].endswith("RiskClassifier"))
    defaults = RiskClassifier.get_default_config()
    for key in ("nlu_none_weight", "nlu_risk_weight", "class_boost"):
        assert entry[key] == defaults[key], key
