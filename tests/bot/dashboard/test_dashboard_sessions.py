"""Server-side sessions (revoked by logout, disable and password reset; idle and absolute
timeouts) and the TOTP second factor with recovery codes."""

from __future__ import annotations

import re
from datetime import timedelta

import pyotp
import pytest
from sqlalchemy import select
from starlette.testclient import TestClient

from bot.dashboard import cli
from bot.dashboard.security import COOKIE_NAME
from bot.store.accounts import add_coach, set_disabled, set_password
from bot.store.coach_sessions import CoachSession, open_sessions
from bot.store.coaches import Coach, CoachNote
from bot.store.db import Database
from bot.store.passwords import PasswordError, check_new_password
from bot.store.totp import CoachTotp, RecoveryCode
from tests.bot.dashboard.dashboard_support import (
    NOW,
    PASSWORD,
    ROOT_TOTP,
    Clock,
    Seeded,
    csrf_from,
    login,
)

_SECRET = re.compile(r'<code id="secret">([A-Z2-7]+)</code>')
_CODES = re.compile(r"<li><code>([0-9a-f-]+)</code></li>")


def _coach_id(database: Database, username: str) -> int:
    with database.sessions.begin() as session:
        return int(session.execute(select(Coach.id).where(Coach.username == username))
                   .scalar_one())


def test_a_copied_cookie_is_worthless_after_logout(client: TestClient, seeded: Seeded,
                                                  database: Database) -> None:
    token = login(client, "alice")
    stolen = client.cookies[COOKIE_NAME]
    assert client.post("/logout", data={"csrf_token": token}).status_code == 303
    client.cookies.clear()
    client.cookies.set(COOKIE_NAME, stolen)
    assert client.get("/patients/p-alice").status_code == 303
    episode = seeded.episodes["p-alice"]
    response = client.post(f"/episodes/{episode}/notes",
                           data={"csrf_token": token, "text": "written after logout"})
    assert response.status_code == 303 and response.headers["location"].startswith("/login")
    alice = _coach_id(database, "alice")
    with database.sessions.begin() as session:
        assert session.execute(select(CoachNote)).first() is None
        assert open_sessions(session, alice) == []


def test_idle_and_absolute_timeouts(client: TestClient, seeded: Seeded, clock: Clock) -> None:
    login(client, "alice")
    for _ in range(3):  # activity keeps an idle session alive
        clock.now += timedelta(minutes=25)
        assert client.get("/patients").status_code == 200
    clock.now += timedelta(minutes=31)
    assert client.get("/patients").status_code == 303
    login(client, "alice", at=clock.now)
    for _ in range(8 * 60 // 25):
        clock.now += timedelta(minutes=25)
        assert client.get("/patients").status_code == 200
    clock.now += timedelta(minutes=25)  # past 8 hours since login, though never idle
    assert client.get("/patients").status_code == 303


def test_disable_and_password_reset_revoke_every_session(
    seeded: Seeded, database: Database, clock: Clock, app: object
) -> None:
    with TestClient(app, follow_redirects=False) as first, \
            TestClient(app, follow_redirects=False) as second:  # type: ignore[arg-type]
        login(first, "alice")
        login(second, "alice")
        alice = _coach_id(database, "alice")
        with database.sessions.begin() as session:
            set_password(session, "alice", "a brand new password", clock.now, rounds=4)
            assert open_sessions(session, alice) == []
        assert first.get("/patients").status_code == 303
        assert second.get("/patients").status_code == 303
        login(first, "alice", "a brand new password")
        with database.sessions.begin() as session:
            set_disabled(session, "alice", True, clock.now)
            rows = session.execute(select(CoachSession)).scalars().all()
            assert all(row.revoked_at is not None for row in rows)
        assert first.get("/patients").status_code == 303


def test_admin_must_set_up_totp_before_seeing_patients(
    client: TestClient, seeded: Seeded, database: Database, clock: Clock
) -> None:
    with database.sessions.begin() as session:
        add_coach(session, "admin2", PASSWORD, NOW, is_admin=True, rounds=4)
    token = csrf_from(client.get("/login").text)
    response = client.post("/login", data={"username": "admin2", "password": PASSWORD,
                                           "csrf_token": token})
    assert response.headers["location"] == "/account/totp"
    assert client.get("/patients").status_code == 303  # not before the second factor
    client.post("/login", data={"username": "admin2", "password": PASSWORD,
                                "csrf_token": csrf_from(client.get("/login").text)})
    page = client.get("/account/totp").text
    secret = _SECRET.search(page)
    assert secret and "otpauth://totp/" in page
    token = csrf_from(page)
    wrong = client.post("/account/totp", data={"csrf_token": token, "code": "000000"})
    assert wrong.status_code == 400
    code = pyotp.TOTP(secret.group(1)).at(clock.now)
    done = client.post("/account/totp", data={"csrf_token": token, "code": code})
    assert done.status_code == 200
    codes = _CODES.findall(done.text)
    assert len(codes) == 10
    assert client.get("/patients").status_code == 200
    with database.sessions.begin() as session:
        hashes = [r.code_hash for r in session.execute(select(RecoveryCode)).scalars()]
    assert len(hashes) == 10 and not set(codes) & set(hashes)  # only hashes are stored


def _password_step(client: TestClient, username: str = "root") -> None:
    token = csrf_from(client.get("/login").text)
    response = client.post("/login", data={"username": username, "password": PASSWORD,
                                           "csrf_token": token})
    assert response.headers["location"] == "/login/totp"


def test_totp_login_refuses_wrong_and_replayed_codes(
    client: TestClient, seeded: Seeded, clock: Clock
) -> None:
    _password_step(client)
    token = csrf_from(client.get("/login/totp").text)
    assert client.post("/login/totp", data={"csrf_token": token, "code": "123456"}
                       ).status_code == 401
    code = pyotp.TOTP(ROOT_TOTP).at(clock.now)
    assert client.post("/login/totp", data={"csrf_token": token, "code": code}
                       ).status_code == 303
    assert client.get("/patients").status_code == 200
    client.cookies.clear()
    _password_step(client)
    token = csrf_from(client.get("/login/totp").text)
    replay = client.post("/login/totp", data={"csrf_token": token, "code": code})
    assert replay.status_code == 401  # the same code cannot be used twice


def test_wrong_codes_are_throttled_and_too_many_end_the_half_open_session(
    client: TestClient, seeded: Seeded, clock: Clock
) -> None:
    _password_step(client)  # counts as an attempt until the code is right
    token = csrf_from(client.get("/login/totp").text)
    for _ in range(4):
        assert client.post("/login/totp", data={"csrf_token": token, "code": "000000"}
                           ).status_code == 401
    throttled = client.post("/login/totp", data={"csrf_token": token, "code": "000000"})
    assert throttled.status_code == 429 and throttled.headers["retry-after"] == "1"
    clock.now += timedelta(seconds=1)
    last = client.post("/login/totp", data={"csrf_token": token, "code": "000000"})
    assert last.status_code == 303 and last.headers["location"] == "/login"
    assert client.get("/login/totp").status_code == 303


def test_recovery_codes_work_once(client: TestClient, seeded: Seeded, database: Database,
                                  clock: Clock) -> None:
    from bot.store.totp import new_recovery_codes

    root = _coach_id(database, "root")
    with database.sessions.begin() as session:
        codes = new_recovery_codes(session, root)
    for expected in (303, 401):
        client.cookies.clear()
        _password_step(client)
        token = csrf_from(client.get("/login/totp").text)
        response = client.post("/login/totp", data={"csrf_token": token, "code": codes[0]})
        assert response.status_code == expected


def test_reset_totp_command(seeded: Seeded, database: Database, tmp_path: object) -> None:
    url = str(database.engine.url)
    out, err = _Capture(), _Capture()
    status = cli.main(["reset-totp", "root"], stdout=out, stderr=err,  # type: ignore[arg-type]
                      env={"DATABASE_URL": url})
    assert status == 0, err.text
    with database.sessions.begin() as session:
        assert session.execute(select(CoachTotp)).first() is None


class _Capture:
    def __init__(self) -> None:
        self.text = ""

    def write(self, text: str) -> int:
        self.text += text
        return len(text)

    def flush(self) -> None:
        pass


@pytest.mark.parametrize("password", ["password1234", "Qwertyuiop", "iloveyou2024!",
                                      "1234567890", "short"])
def test_common_or_short_passwords_are_refused(password: str) -> None:
    with pytest.raises(PasswordError):
        check_new_password(password)


def test_an_uncommon_long_password_is_accepted() -> None:
    assert check_new_password("violet tram under the bridge") == "violet tram under the bridge"
