"""CPU cost per message of the rule layer as the NLU pipeline runs it on each message.

    .venv/bin/python scripts/bench_safety_net.py [--messages 2000] [--rounds 5]

The risk step reads ``without_idioms(text)``, the SafetyNet ``assess(text)`` and
``mentions_other(text)``: three calls on the same text. Texts are the held-out NLU file's
(tests/nlu/heldout.yml, as scripts/bench_encoder.py), repeated to ``--messages``. Prints
the best of ``--rounds`` in CPU microseconds per message (this process only, so the
machine's load matters less), for each call alone and for the three in a row.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bot.nlu import safety_net  # noqa: E402
from scripts.bench_encoder import messages  # noqa: E402


def per_message(call: Callable[[str], object], texts: list[str], rounds: int) -> float:
    """Best CPU microseconds per message over ``rounds`` passes."""
    best = float("inf")
    for _ in range(rounds):
        start = time.process_time()
        for text in texts:
            call(text)
        best = min(best, time.process_time() - start)
    return round(best / len(texts) * 1e6, 1)


def pipeline(text: str) -> None:
    """The three calls one message gets, in the pipeline's order."""
    safety_net.without_idioms(text)
    safety_net.assess(text)
    safety_net.mentions_other(text)


def main() -> None:
    """Time each call and the three together; print one JSON line."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=2000)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    texts = messages(args.messages)
    result = {
        name: per_message(call, texts, args.rounds)
        for name, call in (("normalise", safety_net.normalise),
                           ("without_idioms", safety_net.without_idioms),
                           ("assess", safety_net.assess),
                           ("mentions_other", safety_net.mentions_other),
                           ("pipeline", pipeline))
    }
    print(json.dumps({"cpu_us_per_message": result, "messages": len(texts)}))


if __name__ == "__main__":
    main()
