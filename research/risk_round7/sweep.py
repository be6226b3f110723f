"""Screening of risk-step options in one process (round 7, issue 11); not a gate.

Loads the trained model in models/ once, records each evaluation message as it reaches
the risk step, then for every variant retrains only ``RiskModel`` (the same
``RiskModel.train`` as the Rasa component) and reruns the risk step and SafetyNet on the
recorded messages. Everything before the risk step (the intent classifier, the
ResponseSelector) is the trained model's. The numbers that count come from
``scripts/evaluate_nlu.py --skip-cv`` on a model trained with ``make train``.

    .venv/bin/python research/risk_round7/sweep.py VARIANT_JSON [VARIANT_JSON ...]

VARIANT_JSON: {"name": ..., "nlu_none_weight": .., "nlu_risk_weight": ..,
"class_boost": {..}, "extra": ["research/risk_round6/red_flags_lay.yml"]}
"""

from __future__ import annotations

import asyncio
import copy
import hashlib
import json
import logging
import os
import pickle
import sys
import tempfile
import time
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from bot.nlu import scoring  # noqa: E402
from bot.nlu.encoder import Encoder  # noqa: E402
from bot.nlu.risk_model import RiskModel, load_risk_data  # noqa: E402
from bot.nlu.scoring import Prediction  # noqa: E402


def rasa_sets() -> dict[str, list[tuple[str, str]]]:
    out = {}
    for name, path in (("unseen", "tests/nlu/heldout.yml"), ("blind", "tests/nlu/heldout_blind.yml")):
        doc = yaml.safe_load((ROOT / path).read_text(encoding="utf-8"))
        rows = []
        for block in doc["nlu"]:
            if "intent" not in block:
                continue
            for line in str(block["examples"]).splitlines():
                line = line.strip()
                if line.startswith("- "):
                    rows.append((line[2:].strip(), str(block["intent"])))
        out[name] = rows
    return out


def item_sets() -> dict[str, list[dict]]:
    found = {p.stem: p for p in sorted((ROOT / "tests/nlu/blind_v2").glob("*.yml"))}
    found["dev"] = ROOT / "tests/nlu/dev_understanding.yml"
    return {k: [dict(i) for i in yaml.safe_load(p.read_text(encoding="utf-8"))["items"]]
            for k, p in found.items()}


def main() -> None:
    from rasa.core.agent import Agent
    from rasa.shared.importers.importer import TrainingDataImporter
    from rasa.utils.log_utils import configure_structlog

    configure_structlog(logging.WARNING)
    logging.getLogger().setLevel(logging.WARNING)
    variants = [json.loads(a) for a in sys.argv[1:]]
    started = time.time()
    model_file = Path(os.environ.get("SWEEP_MODEL", ROOT / "models/flare.tar.gz"))
    agent = Agent.load(str(model_file))
    nodes = agent.processor.graph_runner._instantiated_nodes  # type: ignore[attr-defined]
    risk_node = next(n for k, n in nodes.items() if "RiskClassifier" in k)
    net_node = next(n for k, n in nodes.items() if "SafetyNet" in k)
    risk_comp, net_comp = risk_node._component, net_node._component
    recorded: dict[str, object] = {}
    original = risk_node._fn

    def recording(component, **kwargs):
        for m in kwargs["messages"]:
            recorded[str(m.get("text"))] = copy.deepcopy(m)
        return original(component, **kwargs)

    risk_node._fn = recording
    texts = sorted({t for rows in rasa_sets().values() for t, _ in rows}
                   | {str(i["text"]) for items in item_sets().values() for i in items})

    cache = Path(tempfile.gettempdir()) / (
        "risk_sweep_" + hashlib.sha256(model_file.read_bytes()).hexdigest()[:16] + ".pkl")
    if cache.exists():
        recorded.update(pickle.loads(cache.read_bytes()))  # noqa: S301 (our own file)
    else:
        for t in texts:
            asyncio.run(agent.parse_message(t))
        cache.write_bytes(pickle.dumps(recorded))
    risk_node._fn = original
    print(f"recorded {len(recorded)} of {len(texts)} in {time.time() - started:.0f}s", flush=True)

    importer = TrainingDataImporter.load_from_config(str(ROOT / "config.yml"),
                                                     str(ROOT / "domain"), [str(ROOT / "data")])
    nlu_data = importer.get_nlu_data()
    nlu = [(str(m.get("text")), str(m.get("intent"))) for m in nlu_data.intent_examples
           if m.get("text") and m.get("intent")]
    encoder = Encoder(cache_size=10**6)
    results = {}
    for v in variants:
        t0 = time.time()
        with tempfile.TemporaryDirectory() as tmp:
            for p in (ROOT / "data/risk").glob("*.yml"):
                (Path(tmp) / p.name).write_bytes(p.read_bytes())
            for extra in v.get("extra", []):
                (Path(tmp) / Path(extra).name).write_bytes((ROOT / extra).read_bytes())
            risk = load_risk_data(Path(tmp))
        model = RiskModel.train(risk, nlu, c=30.0, encoder=encoder,
                                nlu_none_weight=float(v.get("nlu_none_weight", 1.0)),
                                nlu_risk_weight=float(v.get("nlu_risk_weight", 1.0)),
                                class_boost=v.get("class_boost") or None)
        risk_comp.model = model

        def parse(text: str) -> tuple[str | None, dict | None]:
            m = copy.deepcopy(recorded[text])
            risk_comp.process([m])
            net_comp.process([m])
            intent = (m.get("intent") or {}).get("name")
            if intent == "faq":
                intent = ((m.get("response_selector") or {}).get("faq", {}).get("response", {})
                          .get("intent_response_key") or "faq")
            return intent, m.get("safety")

        out = {}
        for name, rows in rasa_sets().items():
            preds = [parse(t)[0] for t, _ in rows]
            gold = [g for _, g in rows]
            crisis = [(g, p) for g, p in zip(gold, preds) if g == "crisis"]
            fa = [t for (t, g), p in zip(rows, preds) if p == "crisis" and g != "crisis"]
            missed = [t for (t, g), p in zip(rows, preds) if g == "crisis" and p != "crisis"]
            out[name] = {"crisis_recall": round(sum(p == "crisis" for _, p in crisis) / len(crisis), 3),
                         "missed": missed, "fa": fa}
        for name, items in item_sets().items():
            preds = [Prediction(*parse(str(i["text"]))) for i in items]
            r = scoring.score(items, preds)
            out[name] = {k: r[k] for k in ("macro_f1", "crisis_recall", "crisis_recall_strict",
                                            "red_flag_recall", "crisis_missed", "crisis_false_alarms",
                                            "near_miss_red_flag_false_alarms", "red_flag_missed",
                                            "crisis_recall_by_category")}
            out[name]["gate"] = scoring.failures(name, r)
        results[v["name"]] = out
        print(f"== {v['name']} ({time.time() - t0:.0f}s)", flush=True)
        for name, r in out.items():
            if name in ("unseen", "blind"):
                print(f"  {name:>6}: crisis recall {r['crisis_recall']} missed {len(r['missed'])} FA {len(r['fa'])}")
            else:
                print(f"  {name:>6}: F1 {r['macro_f1']:.3f} crisis {r['crisis_recall']:.3f} "
                      f"(strict {r['crisis_recall_strict']:.3f}) missed {len(r['crisis_missed'])} "
                      f"rf {r['red_flag_recall']:.3f} cFA {len(r['crisis_false_alarms'])} "
                      f"nmFA {len(r['near_miss_red_flag_false_alarms'])} gate-fail {len(r['gate'])}")
        (ROOT / "results").mkdir(exist_ok=True)
        (ROOT / f"results/risk_sweep_{os.environ.get('SWEEP_TAG', '1')}.json").write_text(json.dumps(results, indent=1))


if __name__ == "__main__":
    main()
