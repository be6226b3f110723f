"""NLU evaluation on data the model did not train on; reports go to results/.

Two evaluations:

* ``split``: ``rasa data split nlu`` keeps 20 % of data/nlu aside (fixed seed), an NLU-only
  model is trained on the other 80 % and tested on the 20 %.
* ``unseen``: the full model in models/ is tested on tests/nlu/heldout.yml, phrasings written
  separately from the training data (never trained on; its errors were looked at once
  while broadening the training data, so it is not fully blind any more).
* ``blind``: the same on tests/nlu/heldout_blind.yml, written by someone who had not seen
  the training data, the other held-out set or the safety patterns, and not used since
  for anything but measuring.

For each: per-intent precision, recall and F1 and the confusion matrix (Rasa's
intent_report.json, intent_errors.json, intent_confusion_matrix.png), plus crisis recall and
crisis false alarms (non-crisis messages predicted as crisis) in results/nlu_summary.json.

Exit status 1 when a safety number is off (crisis recall below 1.0 or any crisis false
alarm on either set) or, with ``--min-macro-f1``, when macro-F1 is below the bar.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "results"
RASA = str(Path(sys.executable).parent / "rasa")
SEED = "42"


def run(args: list[str]) -> float:
    """Run a Rasa command from the project root; return its wall time in seconds."""
    started = time.perf_counter()
    subprocess.run([RASA, *args, "--quiet"], cwd=ROOT, check=True)
    return time.perf_counter() - started


def summarise(report_dir: Path) -> dict[str, object]:
    """Macro-F1, accuracy and the crisis numbers from one `rasa test nlu` output folder."""
    report = json.loads((report_dir / "intent_report.json").read_text())
    errors_file = report_dir / "intent_errors.json"
    errors = json.loads(errors_file.read_text()) if errors_file.exists() else []
    crisis = report.get("crisis", {})
    false_alarms = [
        e["text"]
        for e in errors
        if e["intent_prediction"]["name"] == "crisis" and e["intent"] != "crisis"
    ]
    missed = [e["text"] for e in errors if e["intent"] == "crisis"]
    per_intent = {
        name: {k: round(v, 3) for k, v in scores.items() if k != "confused_with"}
        for name, scores in report.items()
        if isinstance(scores, dict) and "f1-score" in scores and "avg" not in name
    }
    return {
        "macro_f1": round(report["macro avg"]["f1-score"], 4),
        "weighted_f1": round(report["weighted avg"]["f1-score"], 4),
        "accuracy": round(report.get("accuracy", 0.0), 4),
        "examples": int(report["macro avg"]["support"]),
        "crisis_recall": round(crisis.get("recall", 0.0), 4),
        "crisis_support": int(crisis.get("support", 0)),
        "crisis_false_alarms": false_alarms,
        "crisis_missed": missed,
        "per_intent": per_intent,
    }


def evaluate_split() -> dict[str, object]:
    """Train NLU on 80 % of data/nlu and test on the other 20 %."""
    split_dir = RESULTS / "split"
    run(
        [
            "data",
            "split",
            "nlu",
            "--nlu",
            "data/nlu",
            "--training-fraction",
            "0.8",
            "--random-seed",
            SEED,
            "--out",
            str(split_dir),
        ]
    )
    model_dir = RESULTS / "split_model"
    train_seconds = run(
        [
            "train",
            "nlu",
            "--nlu",
            str(split_dir / "training_data.yml"),
            "--config",
            "config.yml",
            "--domain",
            "domain",
            "--out",
            str(model_dir),
            "--fixed-model-name",
            "split",
        ]
    )
    out = RESULTS / "nlu_split"
    run(
        [
            "test",
            "nlu",
            "--model",
            str(model_dir / "split.tar.gz"),
            "--nlu",
            str(split_dir / "test_data.yml"),
            "--out",
            str(out),
        ]
    )
    return {**summarise(out), "nlu_train_seconds": round(train_seconds, 1)}


def evaluate_file(model: Path, name: str, path: str) -> dict[str, object]:
    """Test the full model on a separately written held-out file."""
    out = RESULTS / f"nlu_{name}"
    run(["test", "nlu", "--model", str(model), "--nlu", path, "--out", str(out)])
    return summarise(out)


def main() -> int:
    """Run both evaluations, write results/nlu_summary.json, check the safety numbers."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", type=Path, default=ROOT / "models" / "flare.tar.gz")
    parser.add_argument("--min-macro-f1", type=float, default=None)
    args = parser.parse_args()
    RESULTS.mkdir(exist_ok=True)
    summary = {
        "split": evaluate_split(),
        "unseen": evaluate_file(args.model, "unseen", "tests/nlu/heldout.yml"),
        "blind": evaluate_file(args.model, "blind", "tests/nlu/heldout_blind.yml"),
    }
    (RESULTS / "nlu_summary.json").write_text(json.dumps(summary, indent=2))
    failures = []
    for name, result in summary.items():
        print(
            f"{name:>7}: macro-F1 {result['macro_f1']:.3f}  accuracy {result['accuracy']:.3f}  "
            f"crisis recall {result['crisis_recall']:.3f} ({result['crisis_support']} examples)  "
            f"crisis false alarms {len(result['crisis_false_alarms'])}"  # type: ignore[arg-type]
        )
        if result["crisis_recall"] < 1.0:
            failures.append(f"{name}: crisis missed: {result['crisis_missed']}")
        if result["crisis_false_alarms"]:
            failures.append(f"{name}: crisis false alarms: {result['crisis_false_alarms']}")
        if args.min_macro_f1 is not None and result["macro_f1"] < args.min_macro_f1:  # type: ignore[operator]
            failures.append(f"{name}: macro-F1 {result['macro_f1']} < {args.min_macro_f1}")
    print(f"Reports: {RESULTS}/nlu_split, nlu_unseen, nlu_blind and nlu_summary.json")
    for failure in failures:
        print("FAIL", failure, file=sys.stderr)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
