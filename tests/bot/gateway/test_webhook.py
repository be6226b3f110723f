"""Webhook mode: the secret token is checked; an update is stored before the 200."""

from __future__ import annotations

import httpx
from aiohttp.test_utils import TestServer

from bot.gateway.telegram.runner import SECRET_HEADER
from tests.fake_telegram.fake_rasa import FakeRasa
from tests.fake_telegram.harness import GatewayHarness


def _update(update_id: int, user: int, text: str) -> dict:
    return {"update_id": update_id, "message": {
        "message_id": update_id, "date": 0, "text": text,
        "chat": {"id": user, "type": "private", "first_name": "U"},
        "from": {"id": user, "is_bot": False, "first_name": "U"},
    }}


async def test_webhook_checks_secret_and_dedupes(
    harness: GatewayHarness, fake_rasa: FakeRasa
) -> None:
    user = await harness.consent()
    assert harness.runner is not None
    await harness.runner.stop()  # webhook instead of polling from here on
    server = TestServer(harness.runner.webhook_app("s3cret", "/hook"))
    await server.start_server()
    url = f"http://127.0.0.1:{server.port}/hook"
    try:
        async with httpx.AsyncClient(timeout=5) as client:
            refused = await client.post(url, json=_update(900, user, "sneaky"))
            assert refused.status_code == 403
            wrong = await client.post(url, json=_update(900, user, "sneaky"),
                                      headers={SECRET_HEADER: "wrong"})
            assert wrong.status_code == 403
            for _ in range(2):  # Telegram redelivers: processed once
                ok = await client.post(url, json=_update(901, user, "via webhook"),
                                       headers={SECRET_HEADER: "s3cret"})
                assert ok.status_code == 200
            bad = await client.post(url, content=b"not json",
                                    headers={SECRET_HEADER: "s3cret"})
            assert bad.status_code == 400
        assert harness.gateway is not None
        await harness.gateway.idle()
        said = [r.message for r in fake_rasa.received]
        assert said == ["via webhook"]
        assert harness.telegram.texts_to(user)[-1] == "You said: via webhook"
    finally:
        await server.close()


async def test_start_webhook_registers_url_secret_and_commands(harness: GatewayHarness) -> None:
    assert harness.runner is not None
    await harness.runner.stop()
    await harness.runner.start_webhook("https://bot.example.org/hook", "s3cret", "127.0.0.1", 0,
                                       "/hook")
    assert harness.telegram.webhook is not None
    assert harness.telegram.webhook["url"] == "https://bot.example.org/hook"
    assert harness.telegram.webhook["secret_token"] == "s3cret"
    assert harness.telegram.webhook["allowed_updates"] == ["message", "edited_message",
                                                           "callback_query"]
