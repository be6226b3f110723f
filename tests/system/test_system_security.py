"""The real stack: Rasa's REST channel wants the token, which is on no command line, and
the action server wants Rasa's shared token."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from bot.services import Stack

pytestmark = pytest.mark.slow


def test_rest_channel_refuses_requests_without_the_token(stack: Stack) -> None:
    url = f"{stack.rasa_url}/webhooks/rest/webhook"
    body = {"sender": "p-intruder", "message": "hello"}
    assert httpx.post(url, json=body, timeout=30).status_code == 403
    assert httpx.post(url, json=body, params={"token": "wrong"}, timeout=30).status_code == 403
    answered = httpx.post(url, json=body, params={"token": stack.token}, timeout=60)
    assert answered.status_code == 200 and isinstance(answered.json(), list)


def test_no_secret_on_any_command_line(stack: Stack) -> None:
    for process in stack.processes:
        cmdline = Path(f"/proc/{process.pid}/cmdline").read_bytes().decode()
        assert stack.token not in cmdline
        assert stack.env["ACTION_SERVER_TOKEN"] not in cmdline
        environ = Path(f"/proc/{process.pid}/environ").read_bytes().decode()
        assert "TELEGRAM_BOT_TOKEN=" not in environ


def test_action_server_refuses_calls_without_the_shared_token(stack: Stack) -> None:
    call = {"next_action": "action_listen", "sender_id": "p-x",
            "tracker": {"sender_id": "p-x", "events": []}, "domain": {}}
    assert httpx.post(stack.action_url, json=call, timeout=30).status_code == 403
