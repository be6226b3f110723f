"""Classifier choices side by side: n-grams / embeddings / both, logistic regression / DIET.

    .venv/bin/python scripts/compare_classifiers.py [--variants lr_ngram,lr_both] [--sets ...]

Each variant is an NLU-only pipeline (the tokenizer, the features, the classifier; no
risk step and no SafetyNet, so it measures the classifier alone), trained on data/nlu
with ``rasa train nlu`` and run in-process on every evaluation set: the Rasa-format
held-out files (tests/nlu/heldout.yml, heldout_blind.yml) and the items-format sets
present (tests/nlu/blind_v2/*.yml, tests/nlu/dev_understanding.yml). Labels are scored
as in bot/nlu/scoring.py (faq/<x> is faq). Prints a Markdown table of macro-F1 and
crisis recall (strict: crisis predicted) per set and the training time; writes
results/compare.json.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from bot.nlu import scoring  # noqa: E402

RASA = str(Path(sys.executable).parent / "rasa")
OUT = ROOT / "results" / "compare"
TOKENIZER = {"name": "bot.rasa.tokenizer.LemmaTokenizer"}
NGRAMS = [
    {"name": "CountVectorsFeaturizer", "max_ngram": 2},
    {"name": "CountVectorsFeaturizer", "analyzer": "char_wb", "use_lemma": False,
     "min_ngram": 2, "max_ngram": 5},
]
LR = {"name": "bot.rasa.classifier.TunedLogisticRegressionClassifier", "C": 20,
      "max_iter": 500, "random_state": 7, "ranking_length": 10}
DIET = {"name": "DIETClassifier", "epochs": 60, "constrain_similarities": True,
        "random_seed": 7, "entity_recognition": False}


def minilm(sequence: bool) -> dict[str, Any]:
    """The MiniLM featurizer (DIET needs per-token features too)."""
    return {"name": "bot.rasa.embeddings.MiniLMFeaturizer", "alias": "minilm",
            "sequence_features": sequence}


VARIANTS: dict[str, list[dict[str, Any]]] = {
    "lr_ngram": [TOKENIZER, *NGRAMS, LR],
    "lr_emb": [TOKENIZER, minilm(False), LR],
    "lr_both": [TOKENIZER, *NGRAMS, minilm(False), LR],
    "diet_ngram": [TOKENIZER, *NGRAMS, DIET],
    "diet_emb": [TOKENIZER, minilm(True), DIET],
    "diet_both": [TOKENIZER, *NGRAMS, minilm(True), DIET],
}


def rasa_items(path: Path) -> list[dict[str, Any]]:
    """A Rasa-format NLU file as items (text, intent with faq/<x> as faq)."""
    doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    return [
        {"text": line[2:].strip(), "intent": block["intent"].split("/")[0]}
        for block in doc["nlu"]
        if "intent" in block
        for line in block["examples"].splitlines()
        if line.startswith("- ")
    ]


def evaluation_sets() -> dict[str, list[dict[str, Any]]]:
    """Every evaluation set present, as items."""
    sets = {
        "unseen": rasa_items(ROOT / "tests/nlu/heldout.yml"),
        "blind": rasa_items(ROOT / "tests/nlu/heldout_blind.yml"),
    }
    files = sorted((ROOT / "tests/nlu/blind_v2").glob("*.yml"))
    files += [ROOT / "tests/nlu/dev_understanding.yml"]
    for path in files:
        if path.exists():
            sets[path.stem] = list(yaml.safe_load(path.read_text(encoding="utf-8"))["items"])
    return sets


def train(name: str, nlu: str) -> tuple[Path, float]:
    """Train one variant; return the model path and the training seconds."""
    OUT.mkdir(parents=True, exist_ok=True)
    config = OUT / f"{name}.yml"
    config.write_text(yaml.safe_dump({"recipe": "default.v1", "language": "en",
                                      "assistant_id": "compare", "pipeline": VARIANTS[name]}))
    started = time.perf_counter()
    subprocess.run([RASA, "train", "nlu", "--nlu", nlu, "--config", str(config),
                    "--out", str(OUT), "--fixed-model-name", name, "--quiet"],
                   cwd=ROOT, check=True)
    return OUT / f"{name}.tar.gz", time.perf_counter() - started


def measure(model: Path, sets: dict[str, list[dict[str, Any]]]) -> dict[str, Any]:
    """Macro-F1 and strict crisis recall of one model on every set."""
    import logging

    from rasa.core.agent import Agent
    from rasa.utils.log_utils import configure_structlog

    configure_structlog(logging.WARNING)
    logging.getLogger().setLevel(logging.WARNING)

    agent = Agent.load(str(model))
    out: dict[str, Any] = {}
    for name, items in sets.items():
        preds = []
        for item in items:
            parsed = asyncio.run(agent.parse_message(str(item["text"])))
            preds.append(scoring.Prediction((parsed.get("intent") or {}).get("name")))
        result = scoring.score(items, preds)
        out[name] = {k: result[k] for k in ("macro_f1", "accuracy", "crisis_recall_strict",
                                            "red_flag_recall")}
    return out


def main() -> None:
    """Train and measure the chosen variants; print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--variants", default=",".join(VARIANTS))
    parser.add_argument("--nlu", default="data/nlu", help="training data (file or folder)")
    args = parser.parse_args()
    sets = evaluation_sets()
    results: dict[str, Any] = {}
    for name in args.variants.split(","):
        model, seconds = train(name, args.nlu)
        results[name] = {"train_seconds": round(seconds, 1), **measure(model, sets)}
        print(name, json.dumps(results[name]), flush=True)
    (ROOT / "results").mkdir(exist_ok=True)
    (ROOT / "results/compare.json").write_text(json.dumps(results, indent=2))
    names = list(sets)
    print("| variant | train s | " + " | ".join(f"{n} F1 / crisis" for n in names) + " |")
    print("|---" * (len(names) + 2) + "|")
    for variant, r in results.items():
        cells = [f"{r[n]['macro_f1']:.3f} / {r[n]['crisis_recall_strict']:.2f}" for n in names]
        print(f"| {variant} | {r['train_seconds']} | " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()
