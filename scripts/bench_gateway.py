"""Benchmark the gateway: N simulated patients talk at once through the fake Telegram server.

    .venv/bin/python scripts/bench_gateway.py --rasa-url http://127.0.0.1:5005 --patients 50
    .venv/bin/python scripts/bench_gateway.py --fake-rasa        # canned Rasa, no model needed

This process runs only the gateway under test (real python-telegram-bot client, long
polling, message log, Rasa client), as in production. The fake Bot API server and the
simulated patients (and with ``--fake-rasa`` the canned Rasa) run in a second process
(:mod:`tests.fake_telegram.load`). Each patient consents (not timed), then sends
``--messages`` texts; before each one it "thinks" for a random ``--think-min`` ..
``--think-max`` seconds after the whole previous answer arrived (``--think-max 0``: no
pause, a stress test). Prints the reply latency (update available at the Bot API server ->
first reply ``sendMessage`` handled by it) p50/p95, messages per second and lost messages:
inbound texts without a delivered reply or not ``processed`` in the log, plus texts the
patients never got an answer to. Lost must be 0. Goal on a 2-core machine with the real
Rasa: 50 patients, p95 < 500 ms.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from sqlalchemy import event, func, select
from sqlalchemy.orm import aliased

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bot.gateway.app import create_gateway, start_telegram  # noqa: E402
from bot.gateway.rasa_client import DEFAULT_CONCURRENCY  # noqa: E402
from bot.settings import Settings  # noqa: E402
from bot.store.db import Database  # noqa: E402
from bot.store.messages import Message, max_update_id  # noqa: E402
from scripts.bench_load import percentile, read_line, start_load  # noqa: E402


def _lost(db: Database, users: list[int]) -> tuple[int, int]:
    """(inbound texts of ``users``, those without a delivered reply or not processed)."""
    reply = aliased(Message)
    texts = (Message.direction == "in", Message.kind == "text", Message.chat_id.in_(users))
    answered = (
        select(reply.id).where(reply.reply_to_id == Message.id, reply.status == "sent").exists()
    )
    with db.sessions() as session:
        total = session.execute(select(func.count()).select_from(Message).where(*texts))
        lost = session.execute(
            select(func.count()).select_from(Message)
            .where(*texts, (Message.status != "processed") | ~answered)
        )
        return int(total.scalar_one()), int(lost.scalar_one())


async def bench(args: argparse.Namespace) -> int:
    """Run the benchmark; return 0 when nothing was lost."""
    directory = tempfile.mkdtemp(prefix="bench-gateway-")
    db = Database.from_url(args.database_url or f"sqlite:///{directory}/bench.db")
    db.migrate()
    with db.sessions() as session:
        first_update_id = (max_update_id(session) or 0) + 1
    base = 7_000_000_000 + int(time.time()) % 10**6 * 1000  # new patients on every run
    users = [base + n for n in range(args.patients)]
    process = await start_load("tests.fake_telegram.load", {
        "users": users, "messages": args.messages, "think_min": args.think_min,
        "think_max": args.think_max, "first_update_id": first_update_id,
        "fake_rasa": args.fake_rasa, "seed": args.seed,
    })
    servers = await read_line(process)
    rasa_url = servers["rasa_url"] or args.rasa_url
    replicas = [u for u in os.environ.get("RASA_URLS", "").split(",") if u.strip()]
    extra: dict[str, Any] = {}
    if replicas and not args.fake_rasa and "rasa_urls" in Settings.__dataclass_fields__:
        extra["rasa_urls"] = tuple(replicas)  # several Rasa servers, sticky per patient
    if "telegram_send_limits" in Settings.__dataclass_fields__:
        # The fake Bot API has no limits, and today's gateway had no limiter: measure the
        # gateway and Rasa, not Telegram's 30 messages a second.
        extra["telegram_send_limits"] = os.environ.get("TELEGRAM_SEND_LIMITS") == "1"
    commits = [0]
    event.listen(db.engine, "commit", lambda _connection: commits.__setitem__(0, commits[0] + 1))
    settings = Settings(
        **extra,
        database_url=str(db.engine.url), rasa_url=rasa_url,
        rasa_token=None if args.fake_rasa else args.rasa_token,
        telegram_bot_token=servers["token"], telegram_api_base_url=servers["telegram_base_url"],
    )
    gateway = create_gateway(settings, db, rasa_timeout=10.0, retry_interval=0.5,
                             rasa_concurrency=args.rasa_concurrency or None)
    await gateway.start()
    runner = await start_telegram(gateway, settings, poll_timeout=10, backoff=0.05)
    try:
        result = (await read_line(process))["result"]
        await gateway.idle()
        total, lost = _lost(db, users)
    finally:
        await runner.stop()
        await gateway.close()
        await gateway.rasa.aclose()
        await runner.bot.shutdown()
        db.dispose()
        assert process.stdin is not None
        process.stdin.write(b"stop\n")
        await process.stdin.drain()
        await process.wait()
    usage = resource.getrusage(resource.RUSAGE_SELF)
    gateway_cpu = usage.ru_utime + usage.ru_stime
    latencies: list[float] = result["latencies"] or [float("nan")]
    lost += result["unanswered"]
    print(f"patients={args.patients} messages={total} rasa={extra.get('rasa_urls', rasa_url)} "
          f"think={args.think_min:g}-{args.think_max:g}s")
    print(
        f"latency p50={percentile(latencies, 0.5) * 1000:.0f} ms "
        f"p95={percentile(latencies, 0.95) * 1000:.0f} ms "
        f"mean={statistics.mean(latencies) * 1000:.0f} ms "
        f"max={max(latencies) * 1000:.0f} ms"
    )
    print(f"throughput={total / result['elapsed']:.1f} messages/s "
          f"(wall {result['elapsed']:.1f} s)")
    print(f"cpu gateway={gateway_cpu:.1f} s (with start-up) "
          f"fake-telegram+patients={result['cpu_seconds']:.1f} s")
    print(f"rss_mib={usage.ru_maxrss / 1024:.0f} (peak, gateway process) "
          f"commits_per_message={commits[0] / max(1, total):.2f} (all database commits, "
          "consent included)")
    print(f"lost={lost}" + (f" (consent failed for {result['consent_failures']})"
                            if result["consent_failures"] else ""))
    complete = total == args.patients * args.messages and not result["consent_failures"]
    return 0 if lost == 0 and complete else 1


def main() -> int:
    """Parse arguments and run."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rasa-url", default=os.environ.get("RASA_URL", "http://127.0.0.1:5005"))
    parser.add_argument("--rasa-token", default=os.environ.get("RASA_TOKEN"))
    parser.add_argument("--fake-rasa", action="store_true", help="use the canned fake Rasa")
    parser.add_argument("--patients", type=int, default=50)
    parser.add_argument("--messages", type=int, default=4, help="messages per patient")
    parser.add_argument("--think-min", type=float, default=1.0, help="seconds, at least")
    parser.add_argument("--think-max", type=float, default=3.0, help="seconds, at most")
    parser.add_argument("--rasa-concurrency", type=int, default=DEFAULT_CONCURRENCY,
                        help="requests to Rasa in flight at once (0: no limit)")
    parser.add_argument("--seed", type=int, default=1, help="random seed of the think times")
    parser.add_argument("--database-url", default=None, help="default: a temporary SQLite file")
    args = parser.parse_args()
    if not 0 <= args.think_min <= args.think_max:
        parser.error("need 0 <= --think-min <= --think-max")
    logging.basicConfig(level=logging.WARNING)
    return asyncio.run(bench(args))


if __name__ == "__main__":
    sys.exit(main())
