"""Login storms: attempts reserved before checking, bcrypt outside transactions, delays
instead of lock-outs, and X-Forwarded-For believed only from configured proxies."""

from __future__ import annotations

import asyncio
import sqlite3
import threading
import time
from datetime import timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select
from starlette.applications import Starlette
from starlette.requests import Request

from bot.dashboard import routes_auth
from bot.dashboard.app import create_app
from bot.dashboard.config import DashboardConfig
from bot.dashboard.ratelimit import LoginLimiter, client_address, parse_proxies
from bot.settings import Settings
from bot.store import audit, passwords
from bot.store import messages as message_store
from bot.store.coaches import AuditEntry
from bot.store.db import Database
from tests.bot.dashboard.dashboard_support import PASSWORD, Clock, Seeded, csrf_from

WRONG = "not the password at all"


async def _ready(app: Starlette, address: str, port: int = 40000) -> tuple[httpx.AsyncClient, str]:
    """A client at ``address`` holding a login form's CSRF token."""
    transport = httpx.ASGITransport(app=app, client=(address, port))
    client = httpx.AsyncClient(transport=transport, base_url="http://testserver")
    token = csrf_from((await client.get("/login")).text)
    return client, token


async def _login(client: httpx.AsyncClient, token: str, username: str, password: str,
                 **headers: str) -> httpx.Response:
    return await client.post("/login", headers=headers, data={
        "username": username, "password": password, "csrf_token": token})


def _failed_logins(database: Database) -> int:
    with database.sessions.begin() as session:
        return int(session.execute(select(func.count()).select_from(AuditEntry).where(
            AuditEntry.action == audit.LOGIN_FAILED)).scalar_one())


async def test_parallel_guesses_cannot_overrun_the_limit(
    app: Starlette, seeded: Seeded, database: Database
) -> None:
    ready = [await _ready(app, "203.0.113.5", 40000 + i) for i in range(30)]
    answers = await asyncio.gather(*(_login(c, t, "alice", WRONG) for c, t in ready))
    statuses = sorted(a.status_code for a in answers)
    assert statuses.count(401) == 5, statuses
    assert statuses.count(429) == 25
    assert _failed_logins(database) == 5  # only five passwords were ever checked
    assert all(int(a.headers["retry-after"]) >= 1 for a in answers if a.status_code == 429)
    for client, _ in ready:
        await client.aclose()


async def test_the_real_coach_still_gets_in_after_an_attackers_guesses(
    app: Starlette, seeded: Seeded, clock: Clock
) -> None:
    attacker, token = await _ready(app, "198.51.100.7")
    for _ in range(5):
        assert (await _login(attacker, token, "alice", WRONG)).status_code == 401
    assert (await _login(attacker, token, "alice", PASSWORD)).status_code == 429
    coach, coach_token = await _ready(app, "192.0.2.10")
    assert (await _login(coach, coach_token, "alice", PASSWORD)).status_code == 303
    # a distributed attack (one guess from each of 12 addresses) only slows the account
    checked = 0
    for i in range(12):
        other, other_token = await _ready(app, f"198.51.100.{20 + i}")
        checked += (await _login(other, other_token, "bob", WRONG)).status_code == 401
        await other.aclose()
    assert checked == 10  # the account's free budget, then delays
    coach2, token2 = await _ready(app, "192.0.2.11")
    slowed = await _login(coach2, token2, "bob", PASSWORD)
    assert slowed.status_code == 429
    assert int(slowed.headers["retry-after"]) <= 60  # the account delay is capped
    clock.now += timedelta(seconds=61)
    assert (await _login(coach2, token2, "bob", PASSWORD)).status_code == 303
    for client in (attacker, coach, coach2):
        await client.aclose()


async def test_forwarded_for_is_ignored_unless_the_peer_is_a_trusted_proxy(
    database: Database, seeded: Seeded, clock: Clock
) -> None:
    config = DashboardConfig(secret_key="k" * 48, bcrypt_rounds=4, clock=clock)
    app = create_app(Settings(), database, config)
    client, token = await _ready(app, "127.0.0.1")
    for i in range(5):
        spoofed = {"x-forwarded-for": f"10.9.9.{i}"}
        assert (await _login(client, token, f"x{i}", WRONG, **spoofed)).status_code == 401
    fresh = {"x-forwarded-for": "10.9.9.99"}
    assert (await _login(client, token, "alice", PASSWORD, **fresh)).status_code == 429
    with database.sessions.begin() as session:
        details = " ".join(e.detail or "" for e in session.execute(select(AuditEntry)).scalars())
    assert "10.9.9." not in details and "from 127.0.0.1" in details
    await client.aclose()

    trusting = create_app(Settings(), database, DashboardConfig(
        **{**config.__dict__, "trusted_proxies": parse_proxies("127.0.0.1")}))
    proxy, proxy_token = await _ready(trusting, "127.0.0.1")
    for i in range(5):
        spoofed = {"x-forwarded-for": f"10.9.9.{i}"}
        assert (await _login(proxy, proxy_token, f"y{i}", WRONG, **spoofed)).status_code == 401
    assert (await _login(proxy, proxy_token, "alice", PASSWORD, **fresh)).status_code == 303
    await proxy.aclose()


def _request(peer: str, forwarded: str | None) -> Request:
    headers = [(b"x-forwarded-for", forwarded.encode())] if forwarded else []
    return Request({"type": "http", "client": (peer, 1), "headers": headers})


def test_client_address_reads_only_trusted_hops() -> None:
    proxies = parse_proxies("10.0.0.1, 192.168.0.0/24")
    assert client_address(_request("203.0.113.9", "1.2.3.4"), proxies) == "203.0.113.9"
    assert client_address(_request("10.0.0.1", "1.2.3.4"), proxies) == "1.2.3.4"
    assert client_address(_request("10.0.0.1", "6.6.6.6, 1.2.3.4, 192.168.0.5"),
                          proxies) == "1.2.3.4"
    assert client_address(_request("10.0.0.1", "<script>"), proxies) == "10.0.0.1"
    assert client_address(_request("10.0.0.1", None), proxies) == "10.0.0.1"
    assert client_address(_request("10.0.0.1", "1.2.3.4"), ()) == "10.0.0.1"
    with pytest.raises(ValueError):
        parse_proxies("not-an-address")


def test_limiter_delays_grow_and_never_lock_out() -> None:
    limiter = LoginLimiter(address_free=2, account_free=100)
    now = Clock().now
    assert limiter.reserve("a", "ip", now) is None
    assert limiter.reserve("a", "ip", now) is None
    assert limiter.reserve("a", "ip", now) == 1.0
    assert limiter.reserve("a", "ip", now + timedelta(seconds=1)) is None
    assert limiter.reserve("a", "ip", now + timedelta(seconds=2)) == 1.0  # now 2 s after
    assert limiter.reserve("a", "ip", now + timedelta(seconds=3)) is None
    later = now + timedelta(minutes=16)  # the window forgets
    assert limiter.reserve("a", "ip", later) is None


async def test_no_password_check_while_the_database_is_locked(
    app: Starlette, seeded: Seeded, database: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    """While bcrypt runs, another connection can write at once (busy timeout 0)."""
    path = database.engine.url.database
    assert path
    locked: list[str] = []
    real = passwords.verify_password

    def probing(password: str, password_hash: str | None, rounds: int = 4) -> bool:
        connection = sqlite3.connect(path, timeout=0, isolation_level=None)
        try:
            connection.execute("BEGIN IMMEDIATE")
            connection.execute("ROLLBACK")
        except sqlite3.OperationalError as exc:
            locked.append(str(exc))
        finally:
            connection.close()
        return real(password, password_hash, rounds)

    monkeypatch.setattr(passwords, "verify_password", probing)
    monkeypatch.setattr(routes_auth, "verify_password", probing, raising=False)
    client, token = await _ready(app, "203.0.113.77")
    assert (await _login(client, token, "alice", WRONG)).status_code == 401
    assert (await _login(client, token, "alice", PASSWORD)).status_code == 303
    assert locked == []
    await client.aclose()


async def test_message_writes_keep_working_during_a_login_storm(
    database: Database, seeded: Seeded, clock: Clock
) -> None:
    """40 parallel logins (real bcrypt cost) while the gateway writes messages (SQLite)."""
    config = DashboardConfig(secret_key="k" * 48, bcrypt_rounds=10, clock=clock)
    app = create_app(Settings(), database, config)
    ready = [await _ready(app, f"198.18.0.{i}") for i in range(40)]
    errors: list[BaseException] = []
    latencies: list[float] = []
    stop = threading.Event()

    def writer() -> None:
        while not stop.is_set() and len(latencies) < 200:
            started = time.perf_counter()
            try:
                with database.sessions.begin() as session:
                    message_store.log_inbound(session, "p-bob", channel="telegram",
                                              kind="text", text="still here", now=clock.now)
            except Exception as exc:  # noqa: BLE001 - any failure is the finding
                errors.append(exc)
            latencies.append(time.perf_counter() - started)
            time.sleep(0.01)

    thread = threading.Thread(target=writer)
    thread.start()
    try:
        answers: list[Any] = await asyncio.gather(
            *(_login(c, t, "alice", WRONG) for c, t in ready))
    finally:
        stop.set()
        thread.join()
    assert errors == []
    assert latencies
    assert {a.status_code for a in answers} <= {401, 429, 503}
    for client, _ in ready:
        await client.aclose()
