"""Benchmark the gateway: N simulated patients talk at once through the fake Telegram server.

    .venv/bin/python scripts/bench_gateway.py --rasa-url http://127.0.0.1:5005 --patients 50
    .venv/bin/python scripts/bench_gateway.py --fake-rasa        # harness check, no Rasa needed

Each patient consents, then sends ``--messages`` texts one after the other (the next once
the whole reply has arrived). Prints the reply latency (message injected -> first reply
sent) p50/p95, messages per second and lost messages (inbound messages that never got a
delivered reply, or are not ``processed``): must be 0. Goal on a 2-core machine with the
real Rasa: 50 patients, p95 < 500 ms.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import aliased

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bot.store.messages import Message  # noqa: E402
from tests.fake_telegram.fake_rasa import FakeRasa  # noqa: E402
from tests.fake_telegram.harness import GatewayHarness  # noqa: E402

PHRASES = (
    "hello",
    "my lower back is flaring, about a 6 out of 10",
    "I'm scared this pain means something is damaged",
    "thank you",
)


def _percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(fraction * len(ordered)) - 1))
    return ordered[index]


async def _patient(h: GatewayHarness, user: int, count: int, latencies: list[float]) -> None:
    """One patient: send ``count`` messages, each after the previous reply arrived."""
    telegram = h.telegram
    for number in range(count):
        before = len(telegram.texts_to(user))
        started = time.monotonic()
        telegram.inject_text(user, PHRASES[number % len(PHRASES)])
        await telegram.wait_for(lambda b=before: len(telegram.texts_to(user)) > b, timeout=60)
        first = next(
            c for c in telegram.calls_for(user) if c.method == "sendMessage" and c.at >= started
        )
        latencies.append(first.at - started)
        await _settled(h, user)


async def _settled(h: GatewayHarness, user: int) -> None:
    """Wait until no more replies arrive for ``user`` (multi-message answers)."""
    telegram = h.telegram
    seen = -1
    while seen != len(telegram.texts_to(user)):
        seen = len(telegram.texts_to(user))
        await asyncio.sleep(0.15)


def _lost(h: GatewayHarness) -> tuple[int, int]:
    """(inbound text messages, those without a delivered reply or not processed)."""
    assert h.db is not None
    reply = aliased(Message)
    with h.db.sessions() as session:
        total = session.execute(
            select(func.count())
            .select_from(Message)
            .where(Message.direction == "in", Message.kind == "text")
        ).scalar_one()
        answered = (
            select(reply.id).where(reply.reply_to_id == Message.id, reply.status == "sent").exists()
        )
        lost = session.execute(
            select(func.count())
            .select_from(Message)
            .where(
                Message.direction == "in",
                Message.kind == "text",
                (Message.status != "processed") | ~answered,
            )
        ).scalar_one()
    return int(total), int(lost)


async def bench(args: argparse.Namespace) -> int:
    """Run the benchmark; return 0 when nothing was lost."""
    fake = await FakeRasa(token=None).start() if args.fake_rasa else None
    rasa_url = fake.url if fake else args.rasa_url
    directory = tempfile.mkdtemp(prefix="bench-gateway-")
    database_url = args.database_url or f"sqlite:///{directory}/bench.db"
    harness = await GatewayHarness(
        database_url, rasa_url, None if fake else args.rasa_token, rasa_timeout=10.0
    ).start()
    users = [900_000 + n for n in range(args.patients)]
    try:
        await asyncio.gather(*(harness.consent(user) for user in users))
        latencies: list[float] = []
        started = time.monotonic()
        await asyncio.gather(*(_patient(harness, u, args.messages, latencies) for u in users))
        elapsed = time.monotonic() - started
        assert harness.gateway is not None
        await harness.gateway.idle()
        total, lost = _lost(harness)
    finally:
        await harness.stop()
        if fake:
            await fake.stop()
    print(f"patients={args.patients} messages={total} rasa={rasa_url}")
    print(
        f"latency p50={_percentile(latencies, 0.5) * 1000:.0f} ms "
        f"p95={_percentile(latencies, 0.95) * 1000:.0f} ms "
        f"mean={statistics.mean(latencies) * 1000:.0f} ms"
    )
    print(f"throughput={total / elapsed:.1f} messages/s (wall {elapsed:.1f} s)")
    print(f"lost={lost}")
    return 0 if lost == 0 and total == args.patients * args.messages else 1


def main() -> int:
    """Parse arguments and run."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rasa-url", default=os.environ.get("RASA_URL", "http://127.0.0.1:5005"))
    parser.add_argument("--rasa-token", default=os.environ.get("RASA_TOKEN"))
    parser.add_argument("--fake-rasa", action="store_true", help="use the canned fake Rasa")
    parser.add_argument("--patients", type=int, default=50)
    parser.add_argument("--messages", type=int, default=4, help="messages per patient")
    parser.add_argument("--database-url", default=None, help="default: a temporary SQLite file")
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    return asyncio.run(bench(args))


if __name__ == "__main__":
    sys.exit(main())
