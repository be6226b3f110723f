"""``python -m bot.dashboard``: accounts, assignment, invites and serve."""

from __future__ import annotations

import io
import subprocess
import sys
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import pytest
import uvicorn
from sqlalchemy import select

from bot.dashboard.cli import main
from bot.settings import PROJECT_ROOT
from bot.store.accounts import can_see, coach_by_username
from bot.store.db import Database
from bot.store.invites import redeem_invite
from bot.store.passwords import verify_password
from bot.store.patients import get_or_create_patient

NOW = datetime(2024, 5, 20, 12, 0, tzinfo=timezone.utc)
PASSWORD = "a long cli password"


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    """Environment with its own SQLite database."""
    return {"DATABASE_URL": f"sqlite:///{tmp_path / 'cli.db'}"}


def _run(env: dict[str, str], *argv: str, stdin: str = "",
         prompt: Any = None) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(list(argv), stdin=io.StringIO(stdin), stdout=out, stderr=err, env=env,
                prompt=prompt or (lambda _: pytest.fail("unexpected prompt")))
    return code, out.getvalue(), err.getvalue()


def _database(env: dict[str, str]) -> Database:
    return Database.from_url(env["DATABASE_URL"])


def test_add_coach_from_stdin_and_prompt(env: dict[str, str]) -> None:
    assert _run(env, "add-coach", "Alice", "--password-stdin", stdin=PASSWORD + "\n")[0] == 0
    answers = iter([PASSWORD, PASSWORD])
    code, out, _ = _run(env, "add-coach", "root", "--admin", prompt=lambda _: next(answers))
    assert (code, out.strip()) == (0, "Added admin root.")
    database = _database(env)
    with database.sessions() as session:
        alice, root = coach_by_username(session, "alice"), coach_by_username(session, "root")
        assert alice is not None and root is not None
        assert verify_password(PASSWORD, alice.password_hash) and not alice.is_admin
        assert root.is_admin
    database.dispose()


@pytest.mark.parametrize(
    ("argv", "stdin", "message"),
    [
        (("add-coach", "alice", "--password-stdin"), "short\n", "at least"),
        (("reset-password", "nobody", "--password-stdin"), PASSWORD + "\n", "no coach"),
        (("assign", "nobody", "p-1"), "", "no coach"),
        (("invite", "nobody"), "", "no coach"),
        (("add-coach", "bad name", "--password-stdin"), PASSWORD + "\n", "username"),
    ],
)
def test_errors_exit_1(env: dict[str, str], argv: tuple[str, ...], stdin: str,
                       message: str) -> None:
    code, _, err = _run(env, *argv, stdin=stdin)
    assert code == 1
    assert message in err


def test_prompted_passwords_must_match(env: dict[str, str]) -> None:
    answers = iter([PASSWORD, PASSWORD + "!"])
    code, _, err = _run(env, "add-coach", "alice", prompt=lambda _: next(answers))
    assert code == 1 and "differ" in err


def test_duplicate_and_reset_password(env: dict[str, str]) -> None:
    _run(env, "add-coach", "alice", "--password-stdin", stdin=PASSWORD + "\n")
    code, _, err = _run(env, "add-coach", "alice", "--password-stdin", stdin=PASSWORD + "\n")
    assert code == 1 and "already exists" in err
    assert _run(env, "reset-password", "alice", "--password-stdin",
                stdin="another long password\n")[0] == 0
    database = _database(env)
    with database.sessions() as session:
        alice = coach_by_username(session, "alice")
        assert alice is not None
        assert verify_password("another long password", alice.password_hash)
    database.dispose()


def test_assign_and_invite(env: dict[str, str]) -> None:
    _run(env, "add-coach", "alice", "--password-stdin", stdin=PASSWORD + "\n")
    database = _database(env)
    with database.sessions.begin() as session:
        get_or_create_patient(session, "p-1", now=NOW)
        get_or_create_patient(session, "p-2", now=NOW)
    assert _run(env, "assign", "alice", "p-missing")[0] == 1
    assert _run(env, "assign", "alice", "p-1")[0] == 0
    code, out, _ = _run(env, "invite", "alice")
    invite = out.splitlines()[0]
    assert code == 0 and f"/start {invite}" in out
    with database.sessions.begin() as session:
        coach = redeem_invite(session, invite, "p-2", datetime.now(timezone.utc))
        assert coach.username == "alice"
        assert can_see(session, coach, "p-1") and can_see(session, coach, "p-2")
    assert _run(env, "disable", "alice")[0] == 0
    assert _run(env, "invite", "alice")[0] == 1
    database.dispose()


def test_serve_prints_the_address(env: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[Any] = []
    monkeypatch.setattr(uvicorn.Server, "run", lambda self, **kw: calls.append(self.config))
    code, out, _ = _run({**env, "DASHBOARD_SECRET_KEY": "s" * 40}, "serve", "--port", "8123")
    assert code == 0
    assert out.strip() == "Coach dashboard at http://127.0.0.1:8123/"
    assert (calls[0].host, calls[0].port) == ("127.0.0.1", 8123)
    assert calls[0].http == "h11" and calls[0].h11_max_incomplete_event_size <= 16 * 1024
    assert calls[0].proxy_headers is False  # the app reads X-Forwarded-For itself
    database = _database(env)
    with database.engine.connect() as connection:  # serve migrated the database
        assert connection.execute(select(1)).scalar() == 1
        assert "coaches" in database.engine.dialect.get_table_names(connection)
    database.dispose()


def test_module_entry_point(env: dict[str, str]) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "bot.dashboard", "add-coach", "alice", "--password-stdin"],
        input=PASSWORD + "\n", capture_output=True, text=True, cwd=PROJECT_ROOT,
        env={"PATH": "/usr/bin:/bin", **env}, timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert "Added coach alice." in result.stdout
