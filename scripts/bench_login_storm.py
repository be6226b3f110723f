"""Benchmark: message writes during a storm of parallel wrong dashboard logins (SQLite).

The gateway stores every inbound patient message in the same database the dashboard uses.
This starts the real dashboard app in-process (production bcrypt cost), sends N parallel
wrong logins from N addresses (at 40 usernames by default, so the throttle lets them
all reach bcrypt), and meanwhile writes messages from another thread the way
the gateway does, timing each write. It reports write latency (median, p95, max) without
and with the storm, failed writes, and the login answers.

    .venv/bin/python scripts/bench_login_storm.py [--logins 40] [--out results/x.json]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import re
import statistics
import sys
import tempfile
import threading
import time
from collections import Counter
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bot.dashboard.app import create_app  # noqa: E402
from bot.dashboard.config import DashboardConfig  # noqa: E402
from bot.settings import Settings  # noqa: E402
from bot.store import messages as message_store  # noqa: E402
from bot.store.accounts import add_coach  # noqa: E402
from bot.store.db import Database  # noqa: E402
from bot.store.patients import get_or_create_patient  # noqa: E402

CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
PASSWORD = "a long bench password"


class Writer(threading.Thread):
    """Writes one inbound message every ``pause`` seconds until stopped."""

    def __init__(self, database: Database, pause: float = 0.02) -> None:
        super().__init__(daemon=True)
        self.database, self.pause = database, pause
        self.latencies: list[float] = []
        self.errors: list[str] = []
        self.stop = threading.Event()

    def run(self) -> None:
        while not self.stop.is_set():
            started = time.perf_counter()
            try:
                with self.database.sessions.begin() as session:
                    message_store.log_inbound(session, "p-bench", channel="telegram",
                                              kind="text", text="still here",
                                              now=datetime.now(timezone.utc))
            except Exception as exc:  # noqa: BLE001 - a failed write is the result
                self.errors.append(type(exc).__name__)
            self.latencies.append(time.perf_counter() - started)
            time.sleep(self.pause)


def _summary(latencies: list[float]) -> dict[str, float]:
    ordered = sorted(latencies)
    return {
        "writes": len(ordered),
        "median_ms": round(statistics.median(ordered) * 1000, 2),
        "p95_ms": round(ordered[int(0.95 * (len(ordered) - 1))] * 1000, 2),
        "max_ms": round(ordered[-1] * 1000, 2),
    }


async def _storm(app: Any, logins: int, accounts: int) -> Counter[int]:
    clients = []
    for i in range(logins):
        transport = httpx.ASGITransport(app=app, raise_app_exceptions=False,
                                        client=(f"198.18.{i // 250}.{i % 250}", 4000))
        client = httpx.AsyncClient(transport=transport, base_url="http://bench", timeout=120)
        match = CSRF.search((await client.get("/login")).text)
        assert match
        clients.append((client, match.group(1)))
    answers = await asyncio.gather(*(
        client.post("/login", data={"username": f"coach{i % accounts}",
                                    "password": "wrong guess here", "csrf_token": token})
        for i, (client, token) in enumerate(clients)))
    for client, _ in clients:
        await client.aclose()
    return Counter(a.status_code for a in answers)


def main() -> int:
    """Run the benchmark and print (and optionally save) the JSON result."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--logins", type=int, default=40)
    parser.add_argument("--accounts", type=int, default=40,
                        help="distinct usernames guessed at (unknown ones cost bcrypt too)")
    parser.add_argument("--out", type=Path, default=None)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        database = Database.from_url(f"sqlite:///{tmp}/bench.db")
        database.migrate()
        now = datetime.now(timezone.utc)
        with database.sessions.begin() as session:
            add_coach(session, "coach0", PASSWORD, now)
            get_or_create_patient(session, "p-bench", now=now)
        app = create_app(Settings(), database, DashboardConfig(secret_key="b" * 48))
        quiet = Writer(database)
        quiet.start()
        time.sleep(2.0)
        quiet.stop.set()
        quiet.join()
        busy = Writer(database)
        busy.start()
        started = time.perf_counter()
        statuses = asyncio.run(_storm(app, args.logins, args.accounts))
        storm_seconds = time.perf_counter() - started
        busy.stop.set()
        busy.join()
        database.dispose()
    result = {
        "logins": args.logins,
        "accounts": args.accounts,
        "storm_seconds": round(storm_seconds, 2),
        "login_statuses": {str(k): v for k, v in sorted(statuses.items())},
        "writes_without_storm": _summary(quiet.latencies),
        "writes_during_storm": _summary(busy.latencies),
        "failed_writes": len(busy.errors) + len(quiet.errors),
    }
    text = json.dumps(result, indent=2)
    print(text)
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(text + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
