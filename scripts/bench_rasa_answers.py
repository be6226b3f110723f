"""Is ``rasa_answers`` a contention point? The gateway's "processed" transaction, with and
without its give-up evidence, from several threads at once on PostgreSQL.

    .venv/bin/python scripts/bench_rasa_answers.py [--threads 8] [--seconds 5]

Each thread stands for a gateway worker: it repeats the transaction that marks an answered
message processed (``bot/gateway/core.py``, ``_answer_by_rasa``): ``set_status`` and, in
mode ``evidence``, ``rasa_answers.note_answer`` on the one row of the one Rasa server all
threads share, with the wall-clock time of the request as ``asked_at`` (before
``NOTE_STEP`` every answer moved the time forward, so every transaction wrote and locked
that row until it committed). Mode ``none`` is the same without the note. Prints
transactions per second, the p50/p95 latency of one transaction and statements per
transaction. A scratch database ``rasa_answers_bench_<pid>`` is created and dropped.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import threading
import time
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, event, text

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bot.store import messages as log  # noqa: E402
from bot.store import rasa_answers  # noqa: E402
from bot.store.db import Database  # noqa: E402
from bot.store.patients import get_or_create_patient  # noqa: E402

SERVER = "http://rasa-1:5005"


def _scratch(base: str) -> tuple[str, Any]:
    name = f"rasa_answers_bench_{os.getpid()}"
    admin = create_engine(base.rstrip("/") + "/postgres", isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))

    def drop() -> None:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
        admin.dispose()

    return f"{base.rstrip('/')}/{name}", drop


def _messages(db: Database, threads: int) -> list[int]:
    """One patient and one inbound message per thread."""
    now = datetime.now(timezone.utc)
    ids = []
    with db.sessions.begin() as session:
        for number in range(threads):
            patient = get_or_create_patient(session, f"bench-{number}", now=now).id
            message = log.log_inbound(session, patient, channel="telegram", kind="text",
                                      text="bench", now=now)
            ids.append(message.id)
    return ids


def run(db: Database, mode: str, ids: list[int], seconds: float) -> dict[str, float]:
    """Every thread repeats the transaction for ``seconds``; the numbers of all of them."""
    latencies: list[float] = []
    statements = [0]
    lock = threading.Lock()
    listener = lambda *_a: statements.__setitem__(0, statements[0] + 1)  # noqa: E731
    event.listen(db.engine, "before_cursor_execute", listener)
    stop = time.monotonic() + seconds

    def worker(message_id: int) -> None:
        mine: list[float] = []
        while time.monotonic() < stop:
            asked_at = datetime.now(timezone.utc)  # the request just answered, as on the wire
            start = time.perf_counter()
            with db.sessions.begin() as session:
                log.set_status(session, message_id, log.PROCESSED, datetime.now(timezone.utc),
                               count_attempt=True, unsent_replies=[{"text": "ok"}])
                if mode == "evidence":
                    rasa_answers.note_answer(session, SERVER, asked_at)
            mine.append(time.perf_counter() - start)
        with lock:
            latencies.extend(mine)

    workers = [threading.Thread(target=worker, args=(m,)) for m in ids]
    began = time.perf_counter()
    for thread in workers:
        thread.start()
    for thread in workers:
        thread.join()
    elapsed = time.perf_counter() - began
    event.remove(db.engine, "before_cursor_execute", listener)
    ordered = sorted(latencies)
    return {"tx_per_s": round(len(ordered) / elapsed, 1),
            "p50_ms": round(1000 * statistics.median(ordered), 2),
            "p95_ms": round(1000 * ordered[int(0.95 * (len(ordered) - 1))], 2),
            "statements_per_tx": round(statements[0] / len(ordered), 2)}


def main(argv: list[str] | None = None) -> int:
    """Both modes, interleaved twice; one line each."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--pg-url", default="postgresql+psycopg2://postgres@127.0.0.1:5432")
    args = parser.parse_args(argv)
    url, drop = _scratch(args.pg_url)
    try:
        db = Database.from_url(url)
        db.migrate()
        ids = _messages(db, args.threads)
        with db.sessions.begin() as session:  # the server's row exists, as after an hour
            rasa_answers.note_answer(session, SERVER, datetime.now(timezone.utc))
        for mode in ("none", "evidence", "none", "evidence"):
            print(mode, run(db, mode, ids, args.seconds), flush=True)
        db.dispose()
    finally:
        drop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
