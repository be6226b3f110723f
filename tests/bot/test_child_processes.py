"""Secrets reach child processes through the environment only, and only where needed."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx
import pytest

from bot import services
from bot.child_env import child_env
from bot.settings import PROJECT_ROOT

SECRETS = {
    "TELEGRAM_BOT_TOKEN": "123:telegram-secret",
    "TELEGRAM_WEBHOOK_SECRET": "w" * 40,
    "DASHBOARD_SECRET_KEY": "d" * 40,
    "RASA_TOKEN": "rasa-secret",
    "ACTION_SERVER_TOKEN": "action-secret",
    "SOME_CLOUD_API_KEY": "cloud",
    "RASA_SOMETHING_PASSWORD": "pw",
}


def test_each_role_gets_only_its_secrets() -> None:
    env = {**SECRETS, "PATH": "/bin", "DATABASE_URL": "sqlite://", "LC_ALL": "C",
           "DASHBOARD_PORT": "8001", "TF_CPP_MIN_LOG_LEVEL": "2"}
    allowed = {
        "rasa": {"RASA_TOKEN", "ACTION_SERVER_TOKEN"},
        "actions": {"ACTION_SERVER_TOKEN"},
        "dashboard": {"DASHBOARD_SECRET_KEY"},
        "gateway": {"RASA_TOKEN", "TELEGRAM_BOT_TOKEN", "TELEGRAM_WEBHOOK_SECRET"},
    }
    for role, secrets in allowed.items():
        got = child_env(role, env)
        assert set(got) & set(SECRETS) == secrets, role
        assert got["PATH"] == "/bin" and got["DATABASE_URL"] == "sqlite://"
        assert got["LC_ALL"] == "C" and "TF_CPP_MIN_LOG_LEVEL" in got
    assert child_env("dashboard", env)["DASHBOARD_PORT"] == "8001"


def test_the_stack_passes_no_secret_on_a_command_line(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    spawned: list[tuple[list[str], dict[str, str]]] = []

    class Finished:
        returncode = 0

        def poll(self) -> int:
            return 0

        def wait(self, timeout: float | None = None) -> int:
            return 0

    def spawn(args: list[str], env: dict[str, str], log: Path) -> Any:
        spawned.append((args, dict(env)))
        return Finished()

    for name, value in SECRETS.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setattr(services, "_spawn", spawn)
    monkeypatch.setattr(services, "_wait_until_up", lambda *a, **k: None)
    with services.running_stack(database_url=f"sqlite:///{tmp_path / 'x.db'}",
                                token="rasa-secret", log_dir=tmp_path) as stack:
        assert stack.env["TELEGRAM_BOT_TOKEN"] == "123:telegram-secret"  # for the gateway
    (actions_args, actions_env), (rasa_args, rasa_env) = spawned
    for args in (actions_args, rasa_args):
        assert not any(secret in " ".join(args) for secret in SECRETS.values())
    assert rasa_env["RASA_TOKEN"] == "rasa-secret"
    assert rasa_env["ACTION_SERVER_TOKEN"] == actions_env["ACTION_SERVER_TOKEN"]
    for env in (actions_env, rasa_env):
        assert "TELEGRAM_BOT_TOKEN" not in env and "DASHBOARD_SECRET_KEY" not in env
    assert "RASA_TOKEN" not in actions_env
    assert "--interface" in rasa_args and rasa_args[rasa_args.index("--interface") + 1] == (
        "127.0.0.1")
    assert actions_env["SANIC_HOST"] == "127.0.0.1"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.mark.slow
def test_the_action_server_refuses_calls_without_the_token(tmp_path: Path) -> None:
    port = int(os.environ.get("SYSTEM_TEST_ACTION_PORT", "0")) or _free_port()
    env = {**child_env("actions", os.environ), "ACTION_SERVER_TOKEN": "t" * 32,
           "SANIC_HOST": "127.0.0.1", "DATABASE_URL": f"sqlite:///{tmp_path / 'a.db'}"}
    log = (tmp_path / "actions.log").open("wb")
    process = subprocess.Popen(
        [sys.executable, "-m", "bot.action_server", "--port", str(port)],
        cwd=PROJECT_ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                if httpx.get(f"{url}/health", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            assert process.poll() is None, (tmp_path / "actions.log").read_text()
            assert time.monotonic() < deadline, "the action server did not start"
            time.sleep(0.5)
        call = {"next_action": "action_no_such_thing", "sender_id": "p-1",
                "tracker": {"sender_id": "p-1", "events": []}, "domain": {}}
        assert httpx.post(f"{url}/webhook", json=call, timeout=10).status_code == 403
        wrong = httpx.post(f"{url}/webhook", json=call, timeout=10,
                           headers={"X-Action-Server-Token": "t" * 31 + "x"})
        assert wrong.status_code == 403
        right = httpx.post(f"{url}/webhook", json=call, timeout=10,
                           headers={"X-Action-Server-Token": "t" * 32})
        assert right.status_code == 404  # past the check: the action does not exist
    finally:
        process.terminate()
        process.wait(timeout=20)
        log.close()


def test_the_action_server_will_not_listen_widely_without_a_token() -> None:
    env = {**child_env("actions", os.environ), "SANIC_HOST": "0.0.0.0"}
    env.pop("ACTION_SERVER_TOKEN", None)
    result = subprocess.run([sys.executable, "-m", "bot.action_server", "--port", "1"],
                            cwd=PROJECT_ROOT, env=env, capture_output=True, text=True,
                            timeout=60)
    assert result.returncode == 2 and "ACTION_SERVER_TOKEN" in result.stderr
