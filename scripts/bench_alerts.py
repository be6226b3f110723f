"""Benchmark coach alerts: crisis messages during the 50-patient gateway load.

    .venv/bin/python scripts/bench_alerts.py                 # starts Rasa + actions on models/
    .venv/bin/python scripts/bench_alerts.py --rasa-url http://127.0.0.1:5005 \\
        --rasa-token TOKEN --database-url sqlite:////path/shared.db   # a running stack
    make bench-alerts

This process runs the gateway as production does (real python-telegram-bot client, long
polling, message log, Rasa client), with the scheduler and the coach alert dispatcher
beside it. The fake Bot API server and the simulated people run in a second process
(:mod:`tests.fake_telegram.alert_load`): a coach links Telegram with ``/coach CODE``,
``--patients`` ordinary patients talk as in ``scripts/bench_gateway.py`` and
``--crisis`` more patients each send one crisis message at a random moment of the load.
The real Rasa and action server write the crisis flag, the dispatcher alerts the coach.

Prints the alert latency, from the crisis message being available to ``getUpdates`` to the
alert ``sendMessage`` reaching the fake Bot API server for the coach's chat (p50/p95/max),
alerts missing, and the ordinary patients' reply latency under the same load. Goal: every
alert, p95 < 60 s.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import re
import sys
import tempfile
import time
from contextlib import ExitStack
from datetime import datetime, timezone
from pathlib import Path

from sqlalchemy import func, select

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bot.gateway.app import create_gateway, start_telegram  # noqa: E402
from bot.scheduler.alerts import AlertDispatcher  # noqa: E402
from bot.scheduler.clock import SystemClock  # noqa: E402
from bot.scheduler.service import Scheduler  # noqa: E402
from bot.services import running_stack  # noqa: E402
from bot.settings import Settings  # noqa: E402
from bot.store import coach_contacts  # noqa: E402
from bot.store.accounts import add_coach  # noqa: E402
from bot.store.alerts import CoachAlert  # noqa: E402
from bot.store.db import Database  # noqa: E402
from bot.store.messages import max_update_id  # noqa: E402
from bot.store.models import ChannelIdentity, SafetyFlag  # noqa: E402
from scripts.bench_load import percentile, read_line, start_load  # noqa: E402

FLAG_LINK = re.compile(r"#flag-(\d+)")


def _prepare(db: Database) -> str:
    """An on-call coach (the crisis patients have no coach of their own); its link code."""
    now = datetime.now(timezone.utc)
    with db.sessions.begin() as session:
        coach = add_coach(session, f"oncall{int(time.time())}", "bench password 1234", now,
                          rounds=4)
        row = coach_contacts.contact(session, coach.id, now)
        assert row is not None
        row.on_call = True
        return coach_contacts.new_link_code(session, coach.id, now)


def _dispatch_seconds(db: Database, flag_ids: list[int]) -> list[float]:
    """Per flag: from the flag row (written by the action server) to its first alert sent."""
    with db.sessions() as session:
        rows = session.execute(
            select(SafetyFlag.created_at, func.min(CoachAlert.sent_at))
            .join(CoachAlert, CoachAlert.flag_id == SafetyFlag.id)
            .where(SafetyFlag.id.in_(flag_ids), CoachAlert.sent_at.is_not(None))
            .group_by(SafetyFlag.id, SafetyFlag.created_at)
        ).all()
    return sorted((sent - created).total_seconds() for created, sent in rows)


def _flag_users(db: Database, flag_ids: list[int]) -> dict[int, int]:
    """flag id -> Telegram user id of its patient."""
    with db.sessions() as session:
        rows = session.execute(
            select(SafetyFlag.id, ChannelIdentity.external_id)
            .join(ChannelIdentity, ChannelIdentity.patient_id == SafetyFlag.patient_id)
            .where(SafetyFlag.id.in_(flag_ids))
        ).all()
    return {int(flag_id): int(user) for flag_id, user in rows}


async def bench(args: argparse.Namespace, database_url: str, rasa_url: str,
                token: str | None) -> int:
    """Run the load with crisis messages; print the numbers; 0 when every alert came."""
    db = Database.from_url(database_url)
    db.migrate()
    code = _prepare(db)
    with db.sessions() as session:
        first_update_id = (max_update_id(session) or 0) + 1
    base = 7_100_000_000 + int(time.time()) % 10**6 * 1000
    users = [base + n for n in range(args.patients)]
    crisis = [base + 500 + n for n in range(args.crisis)]
    process = await start_load("tests.fake_telegram.alert_load", {
        "users": users, "crisis_users": crisis, "coach_user": base + 999,
        "coach_code": code, "messages": args.messages, "think_min": 1.0, "think_max": 3.0,
        "first_update_id": first_update_id, "seed": args.seed,
        "crisis_window": args.crisis_window,
    })
    servers = await read_line(process)
    settings = Settings(database_url=database_url, rasa_url=rasa_url, rasa_token=token,
                        telegram_bot_token=servers["token"],
                        telegram_api_base_url=servers["telegram_base_url"])
    gateway = create_gateway(settings, db, rasa_timeout=10.0, retry_interval=0.5)
    await gateway.start()
    runner = await start_telegram(gateway, settings, poll_timeout=10, backoff=0.05)
    stop = asyncio.Event()
    clock = SystemClock()
    scheduler = Scheduler(db, clock, gateway.trigger_checkin, gateway.send_text)
    dispatcher = AlertDispatcher.from_settings(settings, db, clock,
                                               send_telegram=runner.channel.send_text,
                                               tick_seconds=args.alert_tick)
    tasks = [asyncio.create_task(scheduler.run_forever(stop)),
             asyncio.create_task(dispatcher.run_forever(stop))]
    try:
        result = (await read_line(process))["result"]
        await gateway.idle()
    finally:
        stop.set()
        await asyncio.gather(*tasks)
        await runner.stop()
        await gateway.close()
        await gateway.rasa.aclose()
        await runner.bot.shutdown()
        assert process.stdin is not None
        process.stdin.write(b"stop\n")
        await process.stdin.drain()
        await process.wait()
    sent = {int(user): at for user, at in result["crisis_sent"].items()}
    alerted: dict[int, float] = {}
    messages = result["coach_messages"]
    ids = [int(m.group(1)) for c in messages if (m := FLAG_LINK.search(c["text"]))]
    owners = _flag_users(db, ids)
    dispatch = _dispatch_seconds(db, ids) or [float("nan")]
    db.dispose()
    for call in messages:
        match = FLAG_LINK.search(call["text"])
        user = owners.get(int(match.group(1))) if match else None
        if user in sent and user not in alerted:
            alerted[user] = call["at"] - sent[user]
    latencies = sorted(alerted.values()) or [float("nan")]
    replies = result["load"]["latencies"] or [float("nan")]
    print(f"patients={args.patients} crisis={args.crisis} rasa={rasa_url} "
          f"alert_tick={args.alert_tick:g}s")
    print(f"alert latency p50={percentile(latencies, 0.5):.1f} s "
          f"p95={percentile(latencies, 0.95):.1f} s max={max(latencies):.1f} s "
          f"alerts={len(alerted)}/{len(sent)} coach_messages={len(messages)}")
    print(f"  of which flag written -> alert sent p50={percentile(dispatch, 0.5):.1f} s "
          f"p95={percentile(dispatch, 0.95):.1f} s (the rest: the crisis message waiting "
          f"for Rasa and the action server under the load)")
    print(f"patient reply latency under the load p50={percentile(replies, 0.5) * 1000:.0f} ms "
          f"p95={percentile(replies, 0.95) * 1000:.0f} ms "
          f"unanswered={result['load']['unanswered']} "
          f"consent_failures={result['load']['consent_failures']}")
    ok = len(alerted) == len(sent) == args.crisis and max(latencies) < 60
    return 0 if ok else 1


def main() -> int:
    """Parse arguments, start the stack unless one is given, and run."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rasa-url", default=None, help="a running Rasa (default: start one)")
    parser.add_argument("--rasa-token", default=os.environ.get("RASA_TOKEN"))
    parser.add_argument("--database-url", default=None,
                        help="the running stack's database (default: a temporary SQLite file)")
    parser.add_argument("--model", type=Path, default=None, help="default: models/")
    parser.add_argument("--rasa-port", type=int, default=5718)
    parser.add_argument("--action-port", type=int, default=5768)
    parser.add_argument("--patients", type=int, default=50)
    parser.add_argument("--crisis", type=int, default=10, help="patients who send a crisis")
    parser.add_argument("--messages", type=int, default=4, help="per ordinary patient")
    parser.add_argument("--crisis-window", type=float, default=20.0,
                        help="crisis messages go out 2 s to this many s into the load")
    parser.add_argument("--alert-tick", type=float, default=5.0,
                        help="seconds between dispatcher passes (the gateway's default)")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    with ExitStack() as stack:
        if args.rasa_url:
            if not args.database_url:
                parser.error("--rasa-url needs the stack's --database-url")
            database_url, rasa_url, token = args.database_url, args.rasa_url, args.rasa_token
        else:
            scratch = stack.enter_context(tempfile.TemporaryDirectory(prefix="bench-alerts-"))
            database_url = args.database_url or f"sqlite:///{scratch}/bench.db"
            running = stack.enter_context(running_stack(
                database_url=database_url, rasa_port=args.rasa_port,
                action_port=args.action_port, log_dir=Path(scratch), model=args.model))
            rasa_url, token = running.rasa_url, running.token
        return asyncio.run(bench(args, database_url, rasa_url, token))


if __name__ == "__main__":
    sys.exit(main())
