"""Evidence for the FAQ gate (bot/rasa/faq_selector.py): is any FAQ answer lost?

    .venv/bin/python scripts/faq_gate_check.py [--model models/flare.tar.gz]

Loads the trained model once and parses every example of the NLU test sets (and of the
training data) twice, with the gate on and with ``RASA_FAQ_GATE=0`` (the ResponseSelector
on every message, as Rasa does). Prints, per file: messages, how many the selector ran on
with the gate, messages whose final intent is ``faq``, and those among them whose answer
(``intent_response_key``) differs between the two runs (lost answers); and, for the margin,
how many more messages each margin would let through. Exits 1 if an answer was lost.
Reads the sealed set D never (tests/nlu/blind_v4 is not in the list).
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

FILES = [
    "tests/nlu/heldout.yml",
    "tests/nlu/heldout_blind.yml",
    "tests/nlu/dev_understanding.yml",
    "tests/nlu/blind_v2/setA.yml",
    "tests/nlu/blind_v2/setB.yml",
    "tests/nlu/blind_v2/setC.yml",
    "data/nlu",
]
MARGINS = (0.0, 0.05, 0.1, 0.2, 0.3)


def _examples(path: Path) -> list[str]:
    """The texts of a Rasa NLU file or folder, or of an ``items:`` set (bot/nlu/scoring.py)."""
    import yaml
    from rasa.shared.nlu.training_data.loading import load_data

    if path.is_file():
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        if "items" in data:
            return [str(item["text"]) for item in data["items"]]
    return [m.get("text") for m in load_data(str(path)).intent_examples if m.get("text")]


def _answer(parse: dict[str, Any]) -> Any:
    faq = (parse.get("response_selector") or {}).get("faq") or {}
    return (faq.get("response") or {}).get("intent_response_key")


def _gap(parse: dict[str, Any]) -> float | None:
    """faq's distance to the top of the ranking (None: not ranked or overridden)."""
    if (parse.get("safety") or {}).get("source"):
        return None
    ranking = [e for e in parse.get("intent_ranking") or [] if e.get("name") != "nlu_fallback"]
    names = [e.get("name") for e in ranking]
    if "faq" not in names:
        return None
    return float(ranking[0]["confidence"]) - float(ranking[names.index("faq")]["confidence"])


async def _check(model: Path) -> int:
    from rasa.core.agent import Agent
    from rasa.utils.log_utils import configure_structlog

    configure_structlog(logging.WARNING)  # no per-message debug lines
    agent = Agent.load(str(model))
    lost_total = 0
    print(
        f"{'file':34} {'msgs':>5} {'ran':>5} {'faq':>4} {'lost':>4}  extra at margin "
        + " ".join(f"{m:.2f}" for m in MARGINS)
    )
    for name in FILES:
        texts = _examples(ROOT / name)
        ran = faq = lost = 0
        within = dict.fromkeys(MARGINS, 0)
        for text in texts:
            os.environ["RASA_FAQ_GATE"] = "0"
            full = await agent.parse_message(text)
            os.environ["RASA_FAQ_GATE"] = "1"
            gated = await agent.parse_message(text)
            ran += _answer(gated) is not None
            gap = _gap(full)
            for margin in MARGINS:
                within[margin] += gap is not None and 0.0 < gap <= margin
            if (full.get("intent") or {}).get("name") == "faq":
                faq += 1
                if _answer(full) != _answer(gated):
                    lost += 1
                    print(f"  LOST: {name}: faq answer {_answer(full)} -> {_answer(gated)}")
        lost_total += lost
        print(
            f"{name:34} {len(texts):5} {ran:5} {faq:4} {lost:4}  "
            + " ".join(f"{within[m]:4}" for m in MARGINS)
        )
    print("lost FAQ answers:", lost_total)
    return 1 if lost_total else 0


def main() -> int:
    """Parse, compare, print."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", type=Path, default=ROOT / "models" / "flare.tar.gz")
    args = parser.parse_args()
    return asyncio.run(_check(args.model))


if __name__ == "__main__":
    sys.exit(main())
