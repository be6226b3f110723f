"""What the action-call journal (``actions/journal.py``) costs per call: statements,
transactions and milliseconds, on SQLite and on PostgreSQL, with and without the journal.

    .venv/bin/python scripts/bench_journal.py --backend sqlite --backend postgres

Each round is one "turn": a fresh patient sends a red flag (``action_red_flag``), asks for
breathing (``action_breathing``) and says risk words (``action_crisis_response``); every
call is then sent once more, as nginx resends it (``resent``). ``none`` runs the same calls
through rasa-sdk's own ``ActionExecutor.run`` (no journal), so ``journal - none`` is what
the journal adds. Statements are what reaches the database driver (``BEGIN IMMEDIATE``,
``SAVEPOINT`` and ``RELEASE`` included; PostgreSQL's implicit ``BEGIN`` is not a statement,
its transactions are counted apart); a commit is counted as one more round trip.

PostgreSQL: a scratch database ``journal_bench_<pid>`` on ``--pg-url`` is created and
dropped afterwards. SQLite: a file in a temporary directory. Benchmarks, not tests: the
numbers go to docs/BENCHMARKS.md with the command and the date.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import logging
import os
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("SQLALCHEMY_WARN_20", "1")

from rasa_sdk.executor import ActionExecutor  # noqa: E402
from sqlalchemy import create_engine, event, text  # noqa: E402

from actions import common, journal  # noqa: E402

_ids = itertools.count(1000)

TURN = (
    ("action_red_flag", "medical_red_flag", "crushing chest pain and my left arm is numb",
     {"risk": "red_flag", "tier": "emergency", "reasons": ["chest_pain"]}),
    ("action_breathing", "request_breathing", "can we do the breathing", None),
    ("action_crisis_response", "crisis", "i want to end it all",
     {"risk": "crisis", "category": "ideation", "reasons": ["wish_dead"]}),
)


def action_call(sender: str, action: str, intent: str, words: str,
                safety: dict[str, Any] | None) -> dict[str, Any]:
    """The call Rasa makes for one message (a slim tracker: the current turn's events)."""
    now = time.time()
    parse: dict[str, Any] = {"text": words, "intent": {"name": intent, "confidence": 1.0},
                             "entities": []}
    if safety is not None:
        parse["safety"] = safety
    metadata = {"message_id": next(_ids)}
    user = {"event": "user", "timestamp": now, "text": words, "parse_data": parse,
            "metadata": metadata}
    tracker = {
        "sender_id": sender, "slots": {}, "latest_message": {**parse, "metadata": metadata},
        "events": [user], "paused": False, "followup_action": None, "active_loop": {},
        "latest_action_name": "action_listen", "latest_event_time": now,
    }
    return {"next_action": action, "sender_id": sender, "tracker": tracker, "domain": {},
            "version": "3.6.21"}


class Meter:
    """Counts what the engine sends: statements by first word, transactions, commits."""

    def __init__(self, engine: Any) -> None:
        self.counts: Counter[str] = Counter()
        event.listen(engine, "before_cursor_execute", self._statement)
        event.listen(engine, "begin", self._begin)
        event.listen(engine, "commit", self._commit)
        event.listen(engine, "rollback", self._rollback)

    def _statement(self, _conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        self.counts["statements"] += 1
        self.counts[statement.split(None, 1)[0].upper()] += 1

    def _begin(self, _conn: Any) -> None:
        self.counts["transactions"] += 1

    def _commit(self, _conn: Any) -> None:
        self.counts["COMMIT"] += 1

    def _rollback(self, _conn: Any) -> None:
        self.counts["ROLLBACK"] += 1

    def take(self) -> Counter[str]:
        taken, self.counts = self.counts, Counter()
        return taken


def run_calls(executor: ActionExecutor, calls: list[dict[str, Any]], journaled: bool) -> list[Any]:
    run = journal.run_once if journaled else journal._original_run
    return [asyncio.run(run(executor, call)) for call in calls]


def measure(url: str, rounds: int) -> list[tuple[str, float, Counter[str], int]]:
    """(mode, ms per call, counts, calls) for ``none``, ``journal`` and ``resent``."""
    os.environ["DATABASE_URL"] = url
    common.reset()
    db = common.database()  # migrated here, outside the counts
    meter = Meter(db.engine)
    executor = ActionExecutor()
    executor.register_package("actions")
    results = []
    for mode in ("none", "journal", "resent"):
        elapsed, counts, n = 0.0, Counter[str](), 0
        for number in range(rounds + 1):  # round 0 warms up (imports, content, caches)
            sender = f"bench-{mode}-{number}-{os.getpid()}"
            calls = [action_call(sender, a, i, w, s) for a, i, w, s in TURN]
            if mode == "resent":
                run_calls(executor, calls, journaled=True)
            meter.take()
            start = time.perf_counter()
            run_calls(executor, calls, journaled=mode != "none")
            spent = time.perf_counter() - start
            taken = meter.take()
            if number:
                elapsed += spent
                counts += taken
                n += len(calls)
        results.append((mode, 1000 * elapsed / n, counts, n))
    common.reset()
    return results


def _pg_scratch(base: str) -> tuple[str, Any]:
    name = f"journal_bench_{os.getpid()}"
    admin = create_engine(base.rstrip("/") + "/postgres", isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))

    def drop() -> None:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
        admin.dispose()

    return f"{base.rstrip('/')}/{name}", drop


def report(backend: str, results: list[tuple[str, float, Counter[str], int]]) -> None:
    print(f"\n{backend}")
    print(f"  {'mode':8} {'ms/call':>8} {'stmts/call':>10} {'tx/call':>8} {'commits':>8}  detail")
    for mode, ms, counts, n in results:
        detail = ", ".join(f"{k} {v / n:.2f}" for k, v in sorted(counts.items())
                           if k not in ("statements", "transactions", "COMMIT"))
        print(f"  {mode:8} {ms:8.2f} {counts['statements'] / n:10.2f} "
              f"{counts['transactions'] / n:8.2f} {counts['COMMIT'] / n:8.2f}  {detail}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--backend", action="append", choices=("sqlite", "postgres"))
    parser.add_argument("--rounds", type=int, default=100, help="turns of 3 calls per mode")
    parser.add_argument("--pg-url", default="postgresql+psycopg2://postgres@127.0.0.1:5432")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.ERROR)  # not the journal's "sent again" warnings
    for backend in args.backend or ["sqlite"]:
        if backend == "sqlite":
            with tempfile.TemporaryDirectory() as scratch:
                report(backend, measure(f"sqlite:///{scratch}/bench.db", args.rounds))
        else:
            url, drop = _pg_scratch(args.pg_url)
            try:
                report(backend, measure(url, args.rounds))
            finally:
                drop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
