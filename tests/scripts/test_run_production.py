"""The production profile's processes get the secrets they share (scripts/run_production.py)."""

from __future__ import annotations

import os
import secrets
from collections.abc import Mapping
from pathlib import Path

import httpx
import pytest
import yaml

from bot.store.db import migrate
from scripts import run_production
from scripts.run_production import ROOT, Layout, Production


def test_rasa_the_gateway_and_the_actions_share_their_tokens(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    started: dict[str, dict[str, str]] = {}

    def spawn(_production: Production, name: str, _args: list[str],
              env: Mapping[str, str]) -> None:
        started[name] = dict(env)

    monkeypatch.setattr(run_production, "_spawn", spawn)
    production = Production(Layout(), "postgresql://postgres@127.0.0.1/flare", "rasa-secret",
                            "hook-secret", log_dir=tmp_path)
    endpoints = run_production.write_endpoints(tmp_path / "endpoints.yml",
                                               "redis://127.0.0.1:6399/2")
    run_production.start_rasa(production, 1, endpoints, tmp_path / "model.tar.gz")
    run_production.start_actions(production, 1)
    run_production.start_gateway(production, 1, {"TELEGRAM_BOT_TOKEN": "1:x"})
    # Rasa's REST channel refuses every request without RASA_TOKEN (bot/rasa/channel.py).
    assert started["rasa-1"]["RASA_TOKEN"] == started["gateway-1"]["RASA_TOKEN"] == "rasa-secret"
    token = started["actions-1"]["ACTION_SERVER_TOKEN"]
    assert token and started["rasa-1"]["ACTION_SERVER_TOKEN"] == token
    config = yaml.safe_load(endpoints.read_text())
    assert config["action_endpoint"]["headers"] == {
        "X-Action-Server-Token": "${ACTION_SERVER_TOKEN}"}
    assert config["lock_store"]["port"] == 6399 and config["lock_store"]["db"] == 2


def test_rasa_gets_its_token_from_the_environment_only(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    started: dict[str, list[str]] = {}

    def spawn(_production: Production, name: str, args: list[str],
              _env: Mapping[str, str]) -> None:
        started[name] = list(args)

    monkeypatch.setattr(run_production, "_spawn", spawn)
    production = Production(Layout(), "postgresql://postgres@127.0.0.1/flare", "-rasa-secret",
                            "hook-secret", log_dir=tmp_path)
    run_production.start_rasa(production, 1, tmp_path / "endpoints.yml", tmp_path / "m.tar.gz")
    args = started["rasa-1"]
    assert args[1:3] == ["-m", "bot.rasa.serve"]  # as `make run`: bot/services.py
    assert not any("rasa-secret" in arg or arg.startswith("--auth-token") for arg in args)


DEPLOY_FILES = ["deploy/compose.yml", "deploy/kubernetes/rasa-1.yaml",
                "deploy/kubernetes/rasa-2.yaml", "deploy/systemd/flare-rasa@.service"]


@pytest.mark.parametrize("name", DEPLOY_FILES)
def test_no_deployment_puts_rasas_token_on_its_command_line(name: str) -> None:
    """``sh -c 'exec rasa run --auth-token "$RASA_TOKEN"'`` puts the value on Rasa's argv."""
    text = (ROOT / name).read_text()
    assert "--auth-token" not in text
    assert "bot.rasa.serve" in text


def _descendants(pid: int) -> list[int]:
    found = [pid]
    for task in Path(f"/proc/{pid}/task").iterdir():
        children = (task / "children").read_text().split()
        for child in children:
            found += _descendants(int(child))
    return found


@pytest.mark.slow
@pytest.mark.timeout(900)
def test_the_started_rasa_has_no_token_on_any_command_line(tmp_path: Path) -> None:
    """The real Rasa of the profile, with the trained model: the token works, and neither
    its process nor any child shows it in /proc/<pid>/cmdline."""
    model = ROOT / "models" / "flare.tar.gz"
    if not model.exists():
        pytest.skip("no trained model: run `make train` first")
    port = int(os.environ.get("RUN_PRODUCTION_TEST_RASA_PORT", "20210"))
    database_url = f"sqlite:///{tmp_path / 'flare.db'}"
    migrate(database_url)
    production = Production(Layout(rasa_port=port), database_url, "-" + secrets.token_urlsafe(24),
                            "hook-secret", log_dir=tmp_path)
    endpoints = tmp_path / "endpoints.yml"
    endpoints.write_text("tracker_store:\n  type: bot.rasa.tracker_store.FastSQLTrackerStore\n")
    run_production.start_rasa(production, 1, endpoints, model)
    try:
        url = f"http://127.0.0.1:{port}/status"
        run_production._wait(url, production, "rasa-1", params={"token": production.rasa_token})
        assert httpx.get(url, params={"token": production.rasa_token}, timeout=30).is_success
        assert httpx.get(url, timeout=30).status_code == 401
        pids = _descendants(production.processes["rasa-1"].pid)
        for pid in pids:
            cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().decode()
            assert production.rasa_token not in cmdline
            assert production.rasa_token.lstrip("-") not in cmdline
        first = Path(f"/proc/{pids[0]}/cmdline").read_bytes().decode().split("\0")
        assert first[1:3] == ["-m", "bot.rasa.serve"]
    finally:
        production.stop()
