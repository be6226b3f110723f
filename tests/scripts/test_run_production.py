"""The production profile's processes get the secrets they share (scripts/run_production.py)."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import pytest
import yaml

from scripts import run_production
from scripts.run_production import Layout, Production


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
