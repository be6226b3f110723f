"""Escaping, CSRF, cookies, sessions, login rate limit, redirects, headers, secret key."""

from __future__ import annotations

import logging
from datetime import timedelta

import pytest
from starlette.applications import Starlette
from starlette.testclient import TestClient

from bot.dashboard.app import create_app
from bot.dashboard.config import DashboardConfig
from bot.dashboard.security import COOKIE_NAME, safe_next
from bot.settings import Settings, SettingsError
from bot.store.accounts import set_disabled, set_password
from bot.store.db import Database
from tests.bot.dashboard.dashboard_support import PASSWORD, XSS, Clock, Seeded, csrf_from, login

ESCAPED = "&lt;script&gt;alert(1)&lt;/script&gt;"


def test_script_in_patient_text_renders_escaped(client: TestClient, seeded: Seeded) -> None:
    login(client, "alice")
    pages = [
        f"/episodes/{seeded.episodes['p-alice']}",
        "/patients/p-alice",
        "/safety",
        "/search?q=script",
    ]
    for url in pages:
        html = client.get(url).text
        assert XSS not in html, url
        assert ESCAPED in html, url


def test_post_without_csrf_token_is_refused(client: TestClient, seeded: Seeded,
                                            database: Database) -> None:
    token = login(client, "alice")
    url = f"/episodes/{seeded.episodes['p-alice']}/notes"
    assert client.post(url, data={"text": "no token"}).status_code == 403
    assert client.post(url, data={"text": "bad", "csrf_token": token + "x"}).status_code == 403
    assert client.post(f"/safety/{seeded.flags['p-alice']}/acknowledge",
                       data={"note": "x"}).status_code == 403
    assert client.post("/logout").status_code == 403
    assert "no token" not in client.get(f"/episodes/{seeded.episodes['p-alice']}").text
    response = client.post(url, data={"text": "called back", "csrf_token": token})
    assert response.status_code == 303
    assert "called back" in client.get(f"/episodes/{seeded.episodes['p-alice']}").text


def test_login_form_needs_the_csrf_token(client: TestClient, seeded: Seeded) -> None:
    client.get("/login")
    response = client.post("/login", data={"username": "alice", "password": PASSWORD})
    assert response.status_code == 403


def test_login_starts_a_new_session_and_logout_ends_it(client: TestClient,
                                                       seeded: Seeded) -> None:
    anonymous = csrf_from(client.get("/login").text)
    token = login(client, "alice")
    assert token != anonymous
    assert client.get("/patients").status_code == 200
    assert client.post("/logout", data={"csrf_token": token}).status_code == 303
    assert client.get("/patients").status_code == 303


def test_cookie_flags(database: Database, clock: Clock, seeded: Seeded) -> None:
    config = DashboardConfig(secret_key="k" * 48, bcrypt_rounds=4, clock=clock)
    for base_url, secure_setting, secure in (
        ("http://testserver", False, False),
        ("https://testserver", False, True),
        ("http://testserver", True, True),
    ):
        app = create_app(Settings(), database, DashboardConfig(
            **{**config.__dict__, "secure_cookies": secure_setting}))
        with TestClient(app, base_url=base_url, follow_redirects=False) as client:
            cookie = client.get("/login").headers["set-cookie"]
        assert cookie.startswith(COOKIE_NAME + "=")
        assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
        assert ("Secure" in cookie) is secure, (base_url, secure_setting)


def test_forged_or_expired_session_is_logged_out(client: TestClient, seeded: Seeded,
                                                 clock: Clock) -> None:
    login(client, "alice")
    value = client.cookies[COOKIE_NAME]
    client.cookies.clear()
    client.cookies.set(COOKIE_NAME, value[:-2] + ("AA" if not value.endswith("AA") else "BB"))
    assert client.get("/patients").status_code == 303
    client.cookies.clear()
    client.cookies.set(COOKIE_NAME, value)
    assert client.get("/patients").status_code == 200
    clock.now += timedelta(hours=8, minutes=1)
    assert client.get("/patients").status_code == 303


def test_password_reset_and_disable_end_sessions(client: TestClient, seeded: Seeded,
                                                 clock: Clock, database: Database) -> None:
    login(client, "alice")
    with database.sessions.begin() as session:
        set_password(session, "alice", "a brand new password", clock.now + timedelta(seconds=1),
                     rounds=4)
    clock.now += timedelta(seconds=2)
    assert client.get("/patients").status_code == 303
    login(client, "alice", "a brand new password")
    with database.sessions.begin() as session:
        set_disabled(session, "alice", True)
    assert client.get("/patients").status_code == 303
    token = csrf_from(client.get("/login").text)
    response = client.post("/login", data={"username": "alice", "csrf_token": token,
                                           "password": "a brand new password"})
    assert response.status_code == 401


def _attempt(client: TestClient, username: str, password: str) -> int:
    token = csrf_from(client.get("/login").text)
    return client.post("/login", data={"username": username, "password": password,
                                       "csrf_token": token}).status_code


def test_login_rate_limit_per_username(client: TestClient, seeded: Seeded,
                                       clock: Clock) -> None:
    for _ in range(5):
        assert _attempt(client, "alice", "wrong password!") == 401
    assert _attempt(client, "alice", PASSWORD) == 429  # even the right password
    assert _attempt(client, "ALICE", PASSWORD) == 429
    clock.now += timedelta(minutes=15)
    assert _attempt(client, "alice", PASSWORD) == 303


def test_login_rate_limit_per_address(client: TestClient, seeded: Seeded) -> None:
    for name in ("x1", "x2", "x3", "x4", "x5"):
        assert _attempt(client, name, "wrong password!") == 401
    assert _attempt(client, "bob", PASSWORD) == 429


def test_next_only_goes_to_local_pages(client: TestClient, seeded: Seeded) -> None:
    token = csrf_from(client.get("/login").text)
    response = client.post("/login", data={"username": "alice", "password": PASSWORD,
                                           "csrf_token": token, "next": "//evil.example/x"})
    assert response.headers["location"] == "/patients"
    for bad in ("https://evil.example", "//evil", "/\\evil", "", None, "/a\nb"):
        assert safe_next(bad) == "/patients"
    assert safe_next("/episodes/3?x=1") == "/episodes/3?x=1"


def test_security_headers(client: TestClient, seeded: Seeded) -> None:
    login(client, "alice")
    response = client.get("/patients/p-alice")
    assert "default-src 'none'" in response.headers["content-security-policy"]
    assert response.headers["x-frame-options"] == "DENY"
    assert response.headers["cache-control"] == "no-store"


def test_secret_key_from_environment(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING):
        first = DashboardConfig.from_env({})
        second = DashboardConfig.from_env({})
    assert first.secret_key != second.secret_key
    assert len(first.secret_key) >= 32
    assert "DASHBOARD_SECRET_KEY" in caplog.text
    assert DashboardConfig.from_env({"DASHBOARD_SECRET_KEY": "s" * 40}).secret_key == "s" * 40
    assert "s" * 40 not in repr(DashboardConfig.from_env({"DASHBOARD_SECRET_KEY": "s" * 40}))
    with pytest.raises(SettingsError, match="DASHBOARD_SECRET_KEY"):
        DashboardConfig.from_env({"DASHBOARD_SECRET_KEY": "short"})
    with pytest.raises(SettingsError, match="DASHBOARD_SECURE_COOKIES"):
        DashboardConfig.from_env({"DASHBOARD_SECRET_KEY": "s" * 40,
                                  "DASHBOARD_SECURE_COOKIES": "maybe"})


def test_sessions_do_not_survive_another_key(database: Database, clock: Clock,
                                             seeded: Seeded, app: Starlette) -> None:
    with TestClient(app, follow_redirects=False) as client:
        login(client, "alice")
        cookie = client.cookies[COOKIE_NAME]
    other = create_app(Settings(), database,
                       DashboardConfig(secret_key="z" * 48, bcrypt_rounds=4, clock=clock))
    with TestClient(other, follow_redirects=False) as client:
        client.cookies.set(COOKIE_NAME, cookie)
        assert client.get("/patients").status_code == 303
