"""`make bench-production`: many patients through the fake Bot API in webhook mode.

    .venv/bin/python scripts/bench_production.py --patients 200 --seconds 120

Profiles, one after the other in one run, same patients' script and seed:

- ``single``: the default single-process profile (SQLite, one Rasa, one action server, one
  gateway worker; the webhook posted straight to the worker);
- ``prod-1`` / ``prod-2``: the production profile (``scripts/run_production.py``:
  PostgreSQL, Redis lock store, nginx, 2 action servers, 2 gateway workers) with 1 and 2
  Rasa replicas.

Each patient consents, then repeats a mixed conversation (a flare with a breathing
exercise and its pauses, fear of damage, the evening check-in, a crisis message, small
talk) with ``--think-min`` .. ``--think-max`` seconds between the end of an answer and the
next message, for ``--seconds``; then the run drains. Counted from the database and Rasa's
tracker store afterwards:

- lost: inbound messages for Rasa without a delivered (non-holding) reply;
- duplicated: an inbound message that Rasa answered and then processed again (its user
  event, keyed by the message's ``received_at``, stored again after a bot reply to it; a
  turn that was stored but never answered, as when the action server was down, may be
  processed again);
- out of order: a patient's messages reaching Rasa in another order than they were
  stored, or replies logged out of the order of the messages they answer.

Also per profile: the most sends in any one second for the bot and the busiest chat, as the
fake Bot API got them and as the shared limiter granted them (``TELEGRAM_SEND_LOG``), the
calls that arrived inside a 429's ``retry_after`` window (split by the gateway's own
time stamp at the HTTP write, ``X-Flare-Write-At``: written inside the window, or written
before it and late only on arrival; with the write-to-arrival and slot-to-write lags and
the sends held at the write for a pause that began after their grant), holding replies, and the load
average; with ``--checkins-due``/``--weekly-due``/``--coach-alerts`` the check-ins, Sunday
summaries and coach alerts expected, sent, lost and doubled.

Prints p50/p95 of the first reply, messages/s, and the three counts per profile, the ratios,
and as its last line: ``production: P patients, X msg/s, p95 Y ms, lost L, duplicated D,
out of order O, 2 replicas R× 1 replica`` (one line).
Not part of ``make test``.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import re
import subprocess
import sys
import tempfile
import time
import uuid
from collections import defaultdict
from contextlib import AbstractContextManager, contextmanager
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import sqlalchemy as sa

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bot.gateway.model import CONSENT_YES  # noqa: E402
from bot.services import running_stack  # noqa: E402
from scripts.bench import percentile  # noqa: E402
from scripts.private_services import PrivatePostgres, PrivateRedis  # noqa: E402
from scripts.run_production import Layout, production_stack  # noqa: E402
from tests.fake_telegram.push import PushingTelegram  # noqa: E402
from tests.fake_telegram.server import BOT_ID, max_in_one_second  # noqa: E402

RESULTS = ROOT / "results"
CRISIS = "i want to end my life"
CONVERSATION = (
    "hi",
    "my lower back is flaring really badly today",
    "7",
    "can you guide me through some breathing",
    "5",
    "I'm scared this pain means something is damaged",
    "no",
    "/checkin",
    "4",
    CRISIS,
    "thank you",
)
SETTLE = 0.5
LIMITED = ("sendMessage", "sendPhoto", "sendDocument")  # what the send limiter paces
LIMITER_KEY = f"flare:tg:{BOT_ID}"


def _sends(telegram: PushingTelegram, user: int) -> int:
    return sum(1 for c in telegram.calls_for(user) if c.method == "sendMessage")


async def _consent(telegram: PushingTelegram, user: int) -> None:
    telegram.inject_text(user, "/start")

    def asked() -> bool:
        try:
            return any(b.get("callback_data") == CONSENT_YES
                       for b in telegram.last_keyboard(user)[1])
        except LookupError:
            return False

    await telegram.wait_for(asked, 120)
    before = _sends(telegram, user)
    telegram.inject_press(user, telegram.last_keyboard(user)[0], CONSENT_YES)
    await telegram.wait_for(lambda: _sends(telegram, user) > before, 120)


async def _patient(telegram: PushingTelegram, user: int, args: argparse.Namespace,
                   rng: random.Random, until: float, out: dict[str, Any]) -> None:
    # With --checkins-due the only check-ins are the scheduler's (counted afterwards).
    script = tuple(t for t in CONVERSATION if not (args.checkins_due and t == "/checkin"))
    await asyncio.sleep(rng.uniform(0, args.think_max))
    step = rng.randrange(len(script))
    while time.monotonic() < until:
        text = script[step % len(script)]
        step += 1
        before = _sends(telegram, user)
        started = time.monotonic()
        telegram.inject_text(user, text)
        out["sent"] += 1
        try:
            await telegram.wait_for(lambda b=before: _sends(telegram, user) > b, 120)
        except TimeoutError:
            out["unanswered"] += 1
            continue
        # The first send recorded after the message (calls are stamped on arrival, so one
        # in flight before it may be recorded after it: then it counts as 0 ms).
        first = [c for c in telegram.calls_for(user) if c.method == "sendMessage"][before]
        out["latencies"].append(max(0.0, first.at - started))
        seen = -1
        while seen != _sends(telegram, user):  # the whole answer, pauses included
            seen = _sends(telegram, user)
            await asyncio.sleep(SETTLE)
        await asyncio.sleep(rng.uniform(args.think_min, args.think_max))


def _counts(database_url: str, users: list[int]) -> dict[str, int]:
    """Lost, duplicated and out-of-order messages of ``users`` (see the module docstring)."""
    engine = sa.create_engine(database_url)
    chats = ",".join(str(u) for u in users)
    with engine.connect() as connection:
        lost = connection.execute(sa.text(
            "SELECT count(*) FROM messages m WHERE m.direction = 'in' "
            f"AND m.chat_id IN ({chats}) AND m.kind IN ('text', 'button', 'command') "
            "AND (m.status <> 'processed' "
            "OR NOT EXISTS (SELECT 1 FROM messages r WHERE r.reply_to_id = m.id "
            "AND r.status = 'sent' AND r.kind <> 'holding'))")).scalar_one()
        holding = connection.execute(sa.text(
            "SELECT count(*) FROM messages WHERE direction = 'out' AND kind = 'holding' AND "
            f"chat_id IN ({chats})")).scalar_one()
        replies = connection.execute(sa.text(
            "SELECT patient_id, reply_to_id FROM messages WHERE direction = 'out' AND "
            f"chat_id IN ({chats}) AND reply_to_id IS NOT NULL ORDER BY id")).all()
        # Safety flags and episodes against the messages that should make them: a crisis
        # message makes a flag unless the patient's crisis flag of the last 24 hours is
        # still unacknowledged (one flag per episode of risk, bot/store/safety.py; nobody
        # acknowledges during a run, so a patient whose conversation came round to the
        # crisis line twice has one flag); a flare report opens at most one episode at a
        # time.
        crisis = connection.execute(sa.text(
            "SELECT m.patient_id, count(*) AS n FROM messages m WHERE m.direction = 'in' "
            f"AND m.chat_id IN ({chats}) AND m.text = :crisis AND m.status = 'processed' "
            "GROUP BY m.patient_id"), {"crisis": CRISIS}).all()
        flags = dict(connection.execute(sa.text(
            "SELECT f.patient_id, count(*) FROM safety_flags f WHERE f.patient_id IN "
            f"(SELECT DISTINCT patient_id FROM messages WHERE chat_id IN ({chats})) "
            "GROUP BY f.patient_id")).all())
        open_episodes = connection.execute(sa.text(
            "SELECT count(*) FROM (SELECT patient_id FROM episodes WHERE ended_at IS NULL "
            f"AND patient_id IN (SELECT DISTINCT patient_id FROM messages WHERE chat_id IN "
            f"({chats})) GROUP BY patient_id HAVING count(*) > 1) t")).scalar_one()
        events = connection.execute(sa.text(
            "SELECT sender_id, type_name, data FROM events WHERE type_name IN ('user', 'bot') "
            "ORDER BY id")).all()
    engine.dispose()
    patients = {row.patient_id for row in replies}
    out_of_order = 0
    last: dict[str, int] = {}
    for row in replies:
        if row.reply_to_id < last.get(row.patient_id, 0):
            out_of_order += 1
        last[row.patient_id] = max(row.reply_to_id, last.get(row.patient_id, 0))
    seen: dict[str, list[str]] = defaultdict(list)  # received_at of each user event
    answered: set[tuple[str, str]] = set()  # (sender, received_at) followed by a reply
    duplicated = 0
    for event in events:
        if event.sender_id not in patients:
            continue
        if event.type_name == "bot":
            if seen[event.sender_id]:
                answered.add((event.sender_id, seen[event.sender_id][-1]))
            continue
        stamp = (json.loads(event.data).get("metadata") or {}).get("received_at")
        if not stamp:
            continue
        if (event.sender_id, stamp) in answered:
            duplicated += 1  # an answered turn processed again (a never-answered one is not)
        seen[event.sender_id].append(stamp)
    out_of_order += sum(1 for s in seen.values() for a, b in zip(s, s[1:], strict=False)
                        if b < a)
    sent_crisis = {row.patient_id: row.n for row in crisis}
    expected = {patient: 1 for patient in sent_crisis}  # one flag per episode of risk
    return {"lost": int(lost), "duplicated": duplicated, "out_of_order": out_of_order,
            "holding_replies": int(holding),
            "crisis_messages": sum(sent_crisis.values()),
            "crisis_messages_on_an_open_flag": sum(n - 1 for n in sent_crisis.values()),
            "safety_flags": sum(flags.get(p, 0) for p in expected),
            "flags_lost": sum(max(0, n - flags.get(p, 0)) for p, n in expected.items()),
            "flags_doubled": sum(max(0, flags.get(p, 0) - n) for p, n in expected.items()),
            "patients_with_two_open_episodes": int(open_episodes)}


SERVICES: dict[str, Any] = {}  # "postgres"/"redis": the private servers of a fault run


async def _fault(kind: str, production: Any, telegram: PushingTelegram, delay: float,
                 down: float = 5.0) -> str:
    """Half-way through: kill -9 a process and start it again ``down`` seconds later, or a
    429 storm."""
    await asyncio.sleep(delay)
    loop = asyncio.get_running_loop()
    if kind == "429":
        telegram.fail_next("sendMessage", status=429, retry_after=2, count=60)
        return "60 sendMessage calls answered 429 (retry_after 2)"
    if kind in ("postgres", "redis"):
        service = SERVICES[kind]
        pid = await loop.run_in_executor(None, service.kill)
        await asyncio.sleep(down)
        started = time.monotonic()
        await loop.run_in_executor(None, service.restart)
        return (f"kill -9 private {kind} (pid {pid}), restarted after {down:g} s "
                f"(up again in {time.monotonic() - started:.1f} s)")
    name = {"rasa": "rasa-1", "actions": "actions-1", "gateway": "gateway-1"}[kind]
    pid = await loop.run_in_executor(None, production.kill, name)
    await asyncio.sleep(down)
    await loop.run_in_executor(None, production.restart, name)
    return f"kill -9 {name} (pid {pid}), restarted after {down:g} s"


def _checkins_due(database_url: str, users: list[int], seconds: float) -> str:
    """Move every patient's evening check-in to the first whole minute ``seconds`` ahead.

    Every gateway worker runs the scheduler: all of them then plan the same check-ins while
    the patients chat. Returns the due time (UTC, HH:MM; the patients' zone is set to UTC).
    """
    due = datetime.now(timezone.utc) + timedelta(seconds=seconds + 59)
    at = due.strftime("%H:%M")
    engine = sa.create_engine(database_url)
    chats = ",".join(str(u) for u in users)
    with engine.begin() as connection:
        connection.execute(sa.text(
            "UPDATE patients SET timezone = 'UTC', checkin_time = :at WHERE id IN "
            f"(SELECT DISTINCT patient_id FROM messages WHERE chat_id IN ({chats}))"),
            {"at": at})
    engine.dispose()
    return at


def _checkin_counts(database_url: str, users: list[int]) -> dict[str, Any]:
    """Scheduled check-ins per patient (Rasa's trigger events, the claimed sends)."""
    engine = sa.create_engine(database_url)
    chats = ",".join(str(u) for u in users)
    with engine.connect() as connection:
        patients = [row[0] for row in connection.execute(sa.text(
            f"SELECT DISTINCT patient_id FROM messages WHERE chat_id IN ({chats})"))]
        sends = dict(connection.execute(sa.text(
            "SELECT status, count(*) FROM scheduled_sends WHERE kind = 'checkin' GROUP BY "
            "status")).all())
        events = connection.execute(sa.text(
            "SELECT sender_id, timestamp, data FROM events WHERE type_name = 'user'")).all()
    engine.dispose()
    triggers: dict[str, list[float]] = defaultdict(list)
    for event in events:
        intent = ((json.loads(event.data).get("parse_data") or {}).get("intent") or {})
        if intent.get("name") == "EXTERNAL_evening_checkin":
            triggers[event.sender_id].append(float(event.timestamp))
    stamps = sorted(t for p in patients for t in triggers.get(p, []))
    per_second: dict[int, int] = defaultdict(int)
    for stamp in stamps:
        per_second[int(stamp)] += 1
    return {
        "checkin_patients": len(patients),
        "checkins_started": sum(1 for p in patients if triggers.get(p)),
        "checkins_not_started": sum(1 for p in patients if not triggers.get(p)),
        "checkins_doubled": sum(max(0, len(triggers.get(p, [])) - 1) for p in patients),
        "checkin_sends": sends,
        "checkins_spread_s": round(stamps[-1] - stamps[0], 1) if stamps else 0.0,
        "checkins_max_per_s": max(per_second.values(), default=0),
    }


COACH_CHATS = 6_000_000_000  # the coaches' Telegram chats: COACH_CHATS + n
FLAG_LINK = re.compile(r"#flag-(\d+)")


def _add_coaches(database_url: str, users: list[int], count: int) -> dict[int, str]:
    """``count`` coaches with a linked Telegram chat and an e-mail address; the patients
    of ``users`` assigned to them in turn. Returns coach chat id -> e-mail."""
    from bot.store import coach_contacts
    from bot.store.accounts import add_coach, assign
    from bot.store.db import Database

    db = Database.from_url(database_url)
    now = datetime.now(timezone.utc)
    chats = ",".join(str(u) for u in users)
    coaches: dict[int, str] = {}
    with db.sessions.begin() as session:
        patients = [row[0] for row in session.execute(sa.text(
            f"SELECT DISTINCT patient_id FROM messages WHERE chat_id IN ({chats}) "
            "ORDER BY patient_id"))]
        made = []
        for n in range(count):
            coach = add_coach(session, f"benchcoach{n}x{int(time.time())}",
                              "bench password 1234", now, rounds=4)
            row = coach_contacts.contact(session, coach.id, now)
            assert row is not None
            row.telegram_chat_id = COACH_CHATS + n
            row.telegram_user_id = str(COACH_CHATS + n)
            row.telegram_linked_at = now
            row.email = f"coach{n}@bench.example.org"
            coaches[COACH_CHATS + n] = row.email
            made.append(coach)
        for index, patient in enumerate(patients):
            assign(session, made[index % count], patient, now)
    db.dispose()
    return coaches


class _Inbox:
    """A local SMTP server's handler (aiosmtpd) keeping (recipients, body, arrival)."""

    def __init__(self) -> None:
        self.messages: list[tuple[list[str], str, float]] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        body = envelope.content.decode("utf-8", errors="replace")
        self.messages.append((list(envelope.rcpt_tos), body, time.time()))
        return "250 OK"


def _alert_counts(database_url: str, users: list[int], telegram: PushingTelegram,
                  coaches: dict[int, str], inbox: _Inbox) -> dict[str, Any]:
    """Coach alerts: the outbox rows the flags needed against what the coaches got, by
    (flag, channel, address): none lost, none twice."""
    from email import message_from_string

    engine = sa.create_engine(database_url)
    chats = ",".join(str(u) for u in users)
    with engine.connect() as connection:
        flags = connection.execute(sa.text(
            "SELECT f.id, f.patient_id FROM safety_flags f WHERE (f.kind = 'crisis' OR "
            "(f.kind = 'red_flag' AND (f.level IS NULL OR f.level = 'emergency'))) AND "
            "f.patient_id IN (SELECT DISTINCT patient_id FROM messages WHERE chat_id IN "
            f"({chats}))")).all()
        rows = connection.execute(sa.text(
            "SELECT flag_id, channel, address, status FROM coach_alerts")).all()
    engine.dispose()
    flag_ids = {row.id for row in flags}
    expected: dict[tuple[int, str, str], int] = defaultdict(int)
    statuses: dict[str, int] = defaultdict(int)
    for row in rows:
        if row.flag_id in flag_ids:
            expected[(row.flag_id, row.channel, row.address)] += 1
            statuses[row.status] += 1
    got: dict[tuple[int, str, str], int] = defaultdict(int)
    stamps: list[float] = []
    for chat in coaches:
        for call in telegram.calls_for(chat):
            match = FLAG_LINK.search(call.params.get("text", ""))
            if call.method == "sendMessage" and match:
                got[(int(match.group(1)), "telegram", str(chat))] += 1
                stamps.append(call.wall)
    for recipients, raw, _ in inbox.messages:
        message = message_from_string(raw)
        payload = message.get_payload(decode=True)
        text = payload.decode("utf-8", errors="replace") if isinstance(payload, bytes) else raw
        match = FLAG_LINK.search(text)
        for address in recipients:
            if match:
                got[(int(match.group(1)), "email", address.lower())] += 1
    keys = set(expected) | set(got)
    per_patient_flags = defaultdict(int)
    for row in flags:
        per_patient_flags[row.patient_id] += 1
    return {
        "alert_flags": len(flag_ids),
        "alert_flags_without_rows": sum(1 for f in flag_ids
                                        if not any(k[0] == f for k in expected)),
        "alerts_expected": sum(expected.values()),
        "alerts_sent": sum(min(got[k], expected[k]) for k in keys),
        "alerts_lost": sum(max(0, expected[k] - got[k]) for k in keys),
        "alerts_doubled": sum(max(0, got[k] - expected[k]) for k in keys),
        "alerts_by_channel": {channel: sum(got[k] for k in keys if k[1] == channel)
                              for channel in ("telegram", "email")},
        "alert_rows": dict(statuses),
        "alerts_telegram_max_per_s": max_in_one_second(stamps),
    }


def _weekly_counts(database_url: str, users: list[int],
                   telegram: PushingTelegram) -> dict[str, Any]:
    """Sunday summaries per patient: one each (a chart with its caption, or the text)."""
    from bot.progress import wording

    engine = sa.create_engine(database_url)
    chats = ",".join(str(u) for u in users)
    with engine.connect() as connection:
        wanted = [int(row[0]) for row in connection.execute(sa.text(
            "SELECT DISTINCT m.chat_id FROM messages m JOIN patients p ON p.id = m.patient_id "
            f"WHERE m.chat_id IN ({chats}) AND p.weekly_summary"))]
        sends = dict(connection.execute(sa.text(
            "SELECT status, count(*) FROM scheduled_sends WHERE kind = 'weekly_summary' "
            "GROUP BY status")).all())
    engine.dispose()
    header, empty = wording.WEEKLY_HEADER, wording.EMPTY_WEEKLY
    per_chat: dict[int, int] = {}
    stamps: list[float] = []
    for chat in wanted:
        found = [c for c in telegram.calls_for(chat) if
                 (c.method == "sendPhoto" and str(c.params.get("caption", "")).startswith(
                     (header, empty))) or
                 (c.method == "sendMessage" and str(c.params.get("text", "")).startswith(
                     (header, empty)))]
        per_chat[chat] = len(found)
        stamps.extend(c.wall for c in found)
    return {
        "weekly_expected": len(wanted),
        "weekly_sent": sum(1 for n in per_chat.values() if n),
        "weekly_lost": sum(1 for n in per_chat.values() if not n),
        "weekly_doubled": sum(max(0, n - 1) for n in per_chat.values()),
        "weekly_sends": sends,
        "weekly_max_per_s": max_in_one_second(stamps),
        "weekly_spread_s": round(max(stamps) - min(stamps), 1) if stamps else 0.0,
    }


def _limiter_log(redis_url: str, clear: bool = False) -> dict[str, list[list[float]]]:
    """The shared limiter's log (``TELEGRAM_SEND_LOG``): grants ``[decided, slot, chat]``,
    pauses ``[set, until]``, dropped slots ``[at, chat]``, sends held at the write
    ``[at]``, Redis's clock; or clear it."""
    import redis

    client = redis.Redis.from_url(redis_url)
    names = ("grants", "pauses", "dropped", "held")
    try:
        if clear:
            client.delete(*(f"{LIMITER_KEY}:{name}" for name in names))
            return {}
        return {name: [[float(x) for x in row.split()] for row in
                       client.lrange(f"{LIMITER_KEY}:{name}", 0, -1)] for name in names}
    finally:
        client.close()


def _send_report(telegram: PushingTelegram, log: dict[str, list[list[float]]],
                 scratch: Path) -> dict[str, Any]:
    """Sends per second as the limiter granted them and as the fake Bot API got them, and
    the calls made inside a 429's ``retry_after`` window."""
    calls = telegram.attempts(*LIMITED)
    chats: dict[int, list[float]] = defaultdict(list)
    for call in calls:
        chats[int(call.params.get("chat_id", 0))].append(call.wall)
    wire = {"wire_bot_max_per_s": max_in_one_second([c.wall for c in calls]),
            "wire_chat_max_per_s": max((max_in_one_second(v) for v in chats.values()),
                                       default=0)}
    grants, pauses = log.get("grants", []), log.get("pauses", [])
    dropped = log.get("dropped", [])
    slots: dict[int, list[float]] = defaultdict(list)
    for _, slot, chat in grants:
        slots[int(chat)].append(slot)
    limiter = {"limiter_grants": len(grants), "wire_calls": len(calls),
               "limiter_bot_max_per_s": max_in_one_second([g[1] for g in grants]),
               "limiter_chat_max_per_s": max((max_in_one_second(v) for v in slots.values()),
                                             default=0)}
    # Grants whose slot fell inside a pause: decided after the pause was set (the limiter
    # granted into a pause: a bug) or before it (the sender slept through a pause another
    # worker set; "dropped" if it looked again before sending and gave the slot up).
    dropped_at = defaultdict(list)
    for at, chat in dropped:
        dropped_at[int(chat)].append(at)
    into = stale = stale_dropped = 0
    for decided, slot, chat in grants:
        for set_at, until in pauses:
            if set_at < slot < until:
                if decided >= set_at:
                    into += 1
                elif any(slot - 0.001 <= d < slot + 1.0 for d in dropped_at[int(chat)]):
                    stale_dropped += 1
                else:
                    stale += 1
                break
    in_window = telegram.window_calls(*LIMITED)
    per_second: dict[int, int] = defaultdict(int)
    for call, _ in in_window:
        per_second[int(call.wall)] += 1
    offsets = sorted(offset for _, offset in in_window)
    # A call inside a window that arrived after some worker had shared the pause in Redis
    # broke it; one that arrived before was sent before any worker knew (the 429 answer
    # still on its way to the worker that got it, or that worker not yet scheduled).
    after_shared = sum(1 for call, _ in in_window
                       if any(set_at <= call.wall < until for set_at, until in pauses))
    # Where a call inside a window was late: its gateway-side stamp at the HTTP write
    # (Call.written) inside the window too (the gateway wrote it during the pause), or
    # only its arrival (written before the 429, late on the way to the fake server).
    spans = [(w.wall, w.wall + (w.end - w.start)) for w in telegram.retry_windows]
    at_write = sum(1 for call, _ in in_window if call.written is not None
                   and any(start < call.written < end for start, end in spans))
    unstamped = sum(1 for call, _ in in_window if call.written is None)
    at_write_after_shared = sum(
        1 for call, _ in in_window if call.written is not None
        and any(start < call.written < end for start, end in spans)
        and any(set_at <= call.written < until for set_at, until in pauses))
    lags = sorted(c.wall - c.written for c in calls if c.written is not None)
    # From the slot the limiter granted (the chat's latest slot before the write) to the
    # write: the gateway's own lag between grant and send.
    slot_lags = []
    for call in calls:
        if call.written is None:
            continue
        before = [slot for slot in slots[int(call.params.get("chat_id", 0))]
                  if slot <= call.written + 0.001]
        if before:
            slot_lags.append(call.written - max(before))
    slot_lags.sort()
    delays = sorted(min((set_at - w.wall for set_at, _ in pauses if set_at >= w.wall - 0.001),
                        default=float("nan")) for w in telegram.retry_windows)
    delays = [d for d in delays if d == d]
    by_second_wire: dict[int, int] = defaultdict(int)
    for call in calls:
        by_second_wire[int(call.wall)] += 1
    busiest = sorted(by_second_wire, key=lambda sec: -by_second_wire[sec])[:5]
    by_second_limiter: dict[int, int] = defaultdict(int)
    for _, slot, _ in grants:
        by_second_limiter[int(slot)] += 1
    fallbacks = sum(path.read_text(errors="replace").count("rate limiter: Redis unavailable")
                    for path in scratch.glob("gateway-*.log"))
    return {
        **wire, **limiter,
        "busiest_seconds_wire_vs_limiter": [
            [time.strftime("%H:%M:%S", time.gmtime(sec)), by_second_wire[sec],
             by_second_limiter.get(sec, 0)] for sec in busiest],
        "http_429_answered": sum(1 for c in telegram.failed if c.status == 429),
        "retry_windows": len(telegram.retry_windows),
        "pauses_shared": len(pauses),
        "calls_in_retry_window": len(in_window),
        "calls_in_retry_window_per_s": {time.strftime("%H:%M:%S", time.gmtime(sec)): n
                                        for sec, n in sorted(per_second.items())},
        "in_window_offsets_ms": ([round(offsets[0] * 1000), round(percentile(offsets, 50)
                                  * 1000), round(offsets[-1] * 1000)] if offsets else []),
        "calls_in_window_after_pause_shared": after_shared,
        "calls_in_window_before_pause_shared": len(in_window) - after_shared,
        "calls_in_window_at_gateway_write": at_write,
        "calls_in_window_at_write_after_pause_shared": at_write_after_shared,
        "calls_in_window_only_at_arrival": len(in_window) - at_write - unstamped,
        "calls_in_window_write_unstamped": unstamped,
        "write_to_arrival_ms": _spread(lags),
        "slot_to_write_ms": _spread(slot_lags),
        "held_at_write": len(log.get("held", [])),
        "429_to_shared_pause_ms": ([round(delays[0] * 1000), round(percentile(delays, 50)
                                    * 1000), round(delays[-1] * 1000)] if delays else []),
        "grants_into_a_pause": into, "grants_slept_through_a_pause": stale,
        "grants_dropped_for_a_pause": stale_dropped,
        "limiter_fell_back_in_process": fallbacks,
    }


def _spread(values: list[float]) -> list[float]:
    """[min, p50, p95, max] of sorted seconds, in ms (empty: none)."""
    if not values:
        return []
    return [round(v * 1000, 1) for v in (values[0], percentile(values, 50),
                                         percentile(values, 95), values[-1])]


async def _sample_load(loads: list[float]) -> None:
    """The 1-minute load average every 5 s (other work on the machine skews timings)."""
    while True:
        loads.append(round(os.getloadavg()[0], 1))
        await asyncio.sleep(5.0)


async def _drive(telegram: PushingTelegram, users: list[int], args: argparse.Namespace,
                 seed: int, production: Any = None, database_url: str = "") -> dict[str, Any]:
    out: dict[str, Any] = {"latencies": [], "sent": 0, "unanswered": 0}
    await asyncio.gather(*(_consent(telegram, u) for u in users))
    if args.checkins_due:
        out["checkins_due_at"] = await asyncio.get_running_loop().run_in_executor(
            None, _checkins_due, database_url, users, args.checkins_due)
    if args.coach_alerts:
        out["coaches"] = await asyncio.get_running_loop().run_in_executor(
            None, _add_coaches, database_url, users, args.coach_alerts)
    rng = random.Random(seed)
    started = time.monotonic()
    loads: list[float] = []
    sampler = asyncio.create_task(_sample_load(loads))
    until = started + args.seconds
    fault = None
    if args.fault and (production is not None or args.fault == "429"):
        fault = asyncio.create_task(_fault(args.fault, production, telegram, args.seconds / 2,
                                            args.fault_seconds))
    await asyncio.gather(*(_patient(telegram, u, args, random.Random(rng.random()), until, out)
                           for u in users))
    out["elapsed"] = time.monotonic() - started
    sampler.cancel()
    out["load_average_1min"] = [min(loads), max(loads)] if loads else []
    if fault is not None:
        out["fault"] = await fault
    return out


def _unfinished(database_url: str, users: list[int]) -> int:
    """Inbound messages of ``users`` still waiting or in flight."""
    engine = sa.create_engine(database_url)
    chats = ",".join(str(u) for u in users)
    with engine.connect() as connection:
        count = connection.execute(sa.text(
            "SELECT count(*) FROM messages WHERE direction = 'in' AND chat_id IN "
            f"({chats}) AND status IN ('received', 'processing', 'pending_retry')")).scalar_one()
    engine.dispose()
    return int(count)


def _scheduled_open(database_url: str) -> int:
    """Scheduled sends and coach alerts still pending or in flight."""
    engine = sa.create_engine(database_url)
    with engine.connect() as connection:
        count = connection.execute(sa.text(
            "SELECT (SELECT count(*) FROM scheduled_sends WHERE status = 'sending') + "
            "(SELECT count(*) FROM coach_alerts WHERE status IN ('pending', 'sending', "
            "'failed'))")).scalar_one()
    engine.dispose()
    return int(count)


async def _settled(database_url: str, due_at: str | None, timeout: float = 120.0) -> float:
    """After the drain: wait for the schedulers' and alert dispatchers' last sends (and,
    with ``due_at`` (UTC HH:MM), until the check-ins' due time and a scheduler pass)."""
    loop = asyncio.get_running_loop()
    started = time.monotonic()
    await asyncio.sleep(12.0)  # a dispatcher pass (5 s) plans the last flags' alerts
    if due_at:
        now = datetime.now(timezone.utc)
        hours, minutes = (int(x) for x in due_at.split(":"))
        due = now.replace(hour=hours, minute=minutes, second=0, microsecond=0)
        await asyncio.sleep(max(0.0, (due - now).total_seconds() + 40.0))  # tick: 30 s
    while time.monotonic() - started < timeout:
        if not await loop.run_in_executor(None, _scheduled_open, database_url):
            break
        await asyncio.sleep(2.0)
    return round(time.monotonic() - started, 1)


async def _drained(database_url: str, users: list[int], timeout: float = 180.0) -> float:
    """Wait until every message was handled (paced replies, retries); seconds waited."""
    loop = asyncio.get_running_loop()
    started = time.monotonic()
    while time.monotonic() - started < timeout:
        if not await loop.run_in_executor(None, _unfinished, database_url, users):
            break
        await asyncio.sleep(1.0)
    await asyncio.sleep(3.0)  # the last reply of the last message
    return round(time.monotonic() - started, 1)


@contextmanager
def _single(database_url: str, telegram: dict[str, str], base: int,
            scratch: Path) -> Any:
    """The default profile: one Rasa, one action server, one gateway worker (webhook), on
    the ports the production profiles use from ``base`` (the profiles run one by one)."""
    port = base + 70
    with running_stack(database_url=database_url, rasa_port=base + 5, action_port=base + 55,
                       log_dir=scratch) as stack:
        env = {**stack.env, **telegram, "TELEGRAM_WEBHOOK_URL": "https://127.0.0.1/telegram",
               "TELEGRAM_WEBHOOK_SECRET": telegram["secret"], "RASA_URLS": "",
               "TELEGRAM_WEBHOOK_PORT": str(port), "LOG_LEVEL": "WARNING"}
        env.pop("secret")
        log = (scratch / "gateway.log").open("ab")
        worker = subprocess.Popen([sys.executable, "-m", "bot"], cwd=ROOT, env=env,
                                  stdout=log, stderr=subprocess.STDOUT)
        try:
            yield f"http://127.0.0.1:{port}/telegram"
        finally:
            worker.terminate()
            worker.wait(timeout=20)


async def run_profile(name: str, args: argparse.Namespace, seed: int) -> dict[str, Any]:
    """Start one profile, drive the patients through it, count; return its figures."""
    secret = uuid.uuid4().hex
    base = 8_000_000_000 + int(time.time()) % 10**6 * 1000
    users = [base + n for n in range(args.patients)]
    scratch = Path(tempfile.mkdtemp(prefix=f"bench-prod-{name}-"))
    telegram = PushingTelegram("http://127.0.0.1:1/", secret)  # URL set once known
    await telegram.start()
    env = {"TELEGRAM_BOT_TOKEN": telegram.token, "TELEGRAM_API_BASE_URL": telegram.base_url,
           "TELEGRAM_SEND_LOG": "1"}
    if args.weekly_due:  # the schedulers plan on the coming Sunday, same time of day
        env["SCHEDULER_SHIFT_DAYS"] = str((6 - datetime.now(timezone.utc).weekday()) % 7)
    inbox, smtp = _Inbox(), None
    if args.coach_alerts:
        from aiosmtpd.controller import Controller

        smtp = Controller(inbox, hostname="127.0.0.1", port=args.port_base + 92)
        smtp.start()
        env.update(SMTP_HOST="127.0.0.1", SMTP_PORT=str(args.port_base + 92),
                   SMTP_FROM="alerts@bench.example.org", SMTP_SECURITY="none")
    context: AbstractContextManager[Any]
    if name == "single":
        database_url = f"sqlite:///{scratch}/flare.db"
        context = _single(database_url, {**env, "secret": secret}, args.port_base, scratch)
    else:
        # The port base in the name: two checkouts' runs must not drop each other's database.
        database_url = _fresh_postgres(
            args.postgres_admin, f"flare_perf_{name.replace('-', '')}_{args.port_base}")
        base = args.port_base
        layout = Layout(rasa_replicas=int(name[-1]), action_servers=2, gateway_workers=2,
                        nginx_port=base + 80, rasa_port=base + 5, action_port=base + 55,
                        gateway_port=base + 70)
        context = production_stack(layout, database_url, telegram=env, log_dir=scratch,
                                   redis_url=args.redis_url)
        _limiter_log(args.redis_url, clear=True)
    loop = asyncio.get_running_loop()
    try:
        entered = await loop.run_in_executor(None, context.__enter__)
        if name == "single":
            telegram.push_url = entered
        else:
            telegram.push_url = f"{entered.layout.front}/telegram"
            telegram.secret = entered.webhook_secret
        await telegram.wait_for(lambda: bool(telegram.commands), 120)
        result = await _drive(telegram, users, args, seed,
                              None if name == "single" else entered, database_url)
        result["drain_seconds"] = await _drained(database_url, users)
        if args.checkins_due or args.coach_alerts:
            result["settle_seconds"] = await _settled(database_url,
                                                      result.get("checkins_due_at"))
        log = {} if name == "single" else _limiter_log(args.redis_url)
        sends = _send_report(telegram, log, scratch)
    finally:
        await loop.run_in_executor(None, context.__exit__, None, None, None)
        await telegram.stop()
        if smtp is not None:
            smtp.stop()
    counts = _counts(database_url, users)
    if args.checkins_due:
        counts.update(_checkin_counts(database_url, users),
                      checkins_due_at=result["checkins_due_at"])
    if args.weekly_due:
        counts.update(_weekly_counts(database_url, users, telegram),
                      scheduler_shift_days=env["SCHEDULER_SHIFT_DAYS"])
    if args.coach_alerts:
        counts.update(_alert_counts(database_url, users, telegram, result["coaches"], inbox))
    latencies = result["latencies"] or [float("nan")]
    return {
        "patients": args.patients, "messages": result["sent"],
        "p50_ms": round(percentile(latencies, 50) * 1000), "p95_ms":
            round(percentile(latencies, 95) * 1000),
        "msg_per_s": round(result["sent"] / result["elapsed"], 1),
        "load_average_1min": result["load_average_1min"],
        "unanswered_at_the_time": result["unanswered"], "pushes_retried":
            telegram.push_failures, "fault": result.get("fault"),
        **sends,
        "drain_seconds": result["drain_seconds"], **counts,
    }


def _fresh_postgres(admin_url: str, name: str) -> str:
    engine = sa.create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
    engine.dispose()
    return str(sa.engine.make_url(admin_url).set(database=name))


def main() -> int:
    """Run the profiles, print the table and the last line."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--patients", type=int, default=200)
    parser.add_argument("--seconds", type=float, default=120.0)
    parser.add_argument("--think-min", type=float, default=4.0)
    parser.add_argument("--think-max", type=float, default=12.0)
    parser.add_argument("--profiles", default="single,prod-1,prod-2")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--fault", choices=("rasa", "actions", "gateway", "429", "postgres",
                                            "redis"), default=None,
                        help="half-way: kill -9 and restart one process, or a 429 storm; "
                             "postgres/redis start private servers and kill those")
    parser.add_argument("--fault-seconds", type=float, default=5.0,
                        help="how long the killed process stays down (default 5)")
    parser.add_argument("--checkins-due", type=float, default=0.0, metavar="SECONDS",
                        help="make every patient's evening check-in due about SECONDS into "
                             "the run (both workers' schedulers plan it); counts doubles")
    parser.add_argument("--weekly-due", action="store_true",
                        help="with --checkins-due: the Sunday summary falls due with the "
                        "check-ins (the gateways' schedulers plan SCHEDULER_SHIFT_DAYS ahead, "
                        "to the coming Sunday); counts one summary per patient")
    parser.add_argument("--coach-alerts", type=int, default=0, metavar="COACHES",
                        help="COACHES coaches with Telegram and e-mail (a local SMTP server "
                        "on port-base+92) share the patients; every crisis flag's alerts "
                        "are counted at the fake Bot API and the SMTP server")
    parser.add_argument("--port-base", type=int, default=int(os.environ.get(
        "BENCH_PORT_BASE", "5400")), help="Rasa base+5.., actions base+55.., gateway "
                        "base+70.., nginx base+80; private PostgreSQL/Redis base+90/base+91")
    parser.add_argument("--redis-url", default=os.environ.get("BENCH_REDIS_URL",
                                                              "redis://127.0.0.1:6379/3"))
    parser.add_argument("--postgres-admin", default=os.environ.get(
        "BENCH_POSTGRES_ADMIN", "postgresql://postgres@127.0.0.1:5432/postgres"))
    parser.add_argument("--private-services", action="store_true",
                        help="run on a private PostgreSQL and Redis (as the postgres/redis "
                        "faults do), so other users of the shared servers cannot exhaust "
                        "their connections mid-run")
    args = parser.parse_args()
    if args.weekly_due and not args.checkins_due:
        parser.error("--weekly-due needs --checkins-due")
    results: dict[str, Any] = {}
    # Never kill the machine's shared servers; --private-services also keeps other work's
    # connections (max_connections is shared) out of the measurement.
    if args.fault in ("postgres", "redis") or args.private_services:
        SERVICES["postgres"] = PrivatePostgres(args.port_base + 90)
        SERVICES["redis"] = PrivateRedis(args.port_base + 91)
        for service in SERVICES.values():
            service.start()
        args.postgres_admin = SERVICES["postgres"].admin_url
        args.redis_url = SERVICES["redis"].url
    try:
        for name in args.profiles.split(","):
            print(f"profile {name}: starting", flush=True)
            results[name] = asyncio.run(run_profile(name, args, args.seed))
            print(f"profile {name}: {results[name]}", flush=True)
    finally:
        for service in SERVICES.values():
            service.stop()
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "bench_production.json").write_text(json.dumps(results, indent=2))
    print(f"{'profile':8} {'p50 ms':>7} {'p95 ms':>7} {'msg/s':>6} lost dup order")
    for name, r in results.items():
        print(f"{name:8} {r['p50_ms']:7} {r['p95_ms']:7} {r['msg_per_s']:6} {r['lost']:4} "
              f"{r['duplicated']:3} {r['out_of_order']:5}")
    for name, r in results.items():
        print(f"{name:8} sends/s at the fake Bot API: bot {r['wire_bot_max_per_s']}, chat "
              f"{r['wire_chat_max_per_s']}; granted by the limiter: bot "
              f"{r['limiter_bot_max_per_s']}, chat {r['limiter_chat_max_per_s']}; calls in a "
              f"retry_after window {r['calls_in_retry_window']} (inside at the gateway's "
              f"write {r['calls_in_window_at_gateway_write']}, only at arrival "
              f"{r['calls_in_window_only_at_arrival']}); load "
              f"{r['load_average_1min']}")
    best = results.get("prod-2") or next(iter(results.values()))
    one = results.get("prod-1")
    scale = round(best["msg_per_s"] / one["msg_per_s"], 2) if one and one["msg_per_s"] else 0
    if "single" in results and one:
        print(f"ratios: prod-1/single {one['msg_per_s'] / results['single']['msg_per_s']:.2f}x "
              f"msg/s; prod-2/prod-1 {scale}x msg/s")
    print(f"production: {best['patients']} patients, {best['msg_per_s']} msg/s, p95 "
          f"{best['p95_ms']} ms, lost {best['lost']}, duplicated {best['duplicated']}, "
          f"out of order {best['out_of_order']}, 2 replicas {scale}× 1 replica")
    return 0


if __name__ == "__main__":
    sys.exit(main())
