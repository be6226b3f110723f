"""Webhook mode fails closed: strong secret required, forged and malformed updates refused.

The webhook app runs on Starlette; most tests call it in-process through httpx's ASGI
transport, the size-limit test goes through the real uvicorn server.
"""

from __future__ import annotations

import asyncio
import logging

import httpx
import pytest

from bot.gateway import model
from bot.gateway.app import start_telegram
from bot.gateway.model import Inbound
from bot.gateway.telegram.runner import SECRET_HEADER
from bot.settings import Settings, SettingsError
from tests.fake_telegram.fake_rasa import FakeRasa
from tests.fake_telegram.harness import GatewayHarness

SECRET = "A" * 20 + "b" * 12 + "_-9"  # 35 characters Telegram accepts


def _update(update_id: int, user: int, text: str, chat: int | None = None) -> dict:
    return {"update_id": update_id, "message": {
        "message_id": update_id, "date": 0, "text": text,
        "chat": {"id": chat if chat is not None else user, "type": "private",
                 "first_name": "U"},
        "from": {"id": user, "is_bot": False, "first_name": "U"},
    }}


def _client(harness: GatewayHarness) -> httpx.AsyncClient:
    assert harness.runner is not None
    app = harness.runner.webhook_app(SECRET, "/hook")
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app),
                             base_url="http://hook", timeout=5)


async def _webhook_mode(harness: GatewayHarness) -> None:
    assert harness.runner is not None
    await harness.runner.stop()  # webhook instead of polling from here on


async def test_webhook_checks_secret_and_dedupes(
    harness: GatewayHarness, fake_rasa: FakeRasa
) -> None:
    user = await harness.consent()
    await _webhook_mode(harness)
    async with _client(harness) as client:
        refused = await client.post("/hook", json=_update(900, user, "sneaky"))
        assert refused.status_code == 403
        wrong = await client.post("/hook", json=_update(900, user, "sneaky"),
                                  headers={SECRET_HEADER: "wrong"})
        assert wrong.status_code == 403
        prefix = await client.post("/hook", json=_update(900, user, "sneaky"),
                                   headers={SECRET_HEADER: SECRET[:-1]})
        assert prefix.status_code == 403
        for _ in range(2):  # Telegram redelivers: processed once
            ok = await client.post("/hook", json=_update(901, user, "via webhook"),
                                   headers={SECRET_HEADER: SECRET})
            assert ok.status_code == 200
    assert harness.gateway is not None
    await harness.gateway.idle()
    assert [r.message for r in fake_rasa.received] == ["via webhook"]
    assert harness.telegram.texts_to(user)[-1] == "You said: via webhook"


async def test_non_ascii_secret_and_malformed_updates_are_refused_not_500(
    harness: GatewayHarness,
) -> None:
    await _webhook_mode(harness)
    async with _client(harness) as client:
        odd = await client.post("/hook", json=_update(902, 7, "x"),
                                headers=[(SECRET_HEADER.encode(), "s\u00e9cret".encode("latin-1"))])
        assert odd.status_code == 403
        utf8 = await client.post("/hook", json=_update(902, 7, "x"),
                                 headers=[(SECRET_HEADER.encode(), "\u20ac".encode())])
        assert utf8.status_code == 403
        good = {SECRET_HEADER: SECRET}
        for body in (b"not json", b"[1, 2]", b'{"update_id": "x"}', b"\xff\xfe",
                     b'{"update_id": 5, "message": {"text": "no chat"}}',
                     b'{"update_id": 6, "message": 12}', b"[" * 100_000):
            bad = await client.post("/hook", content=body, headers=good)
            assert bad.status_code == 400, body[:40]


async def test_forged_update_ids_cannot_drop_real_messages(
    harness: GatewayHarness, fake_rasa: FakeRasa
) -> None:
    """A forger guessing Telegram's next update ids gets 403; the real ones still count."""
    user = await harness.consent()
    next_id = max(harness.telegram.history) + 1
    async with _client(harness) as client:
        for update_id in range(next_id, next_id + 5):
            forged = await client.post("/hook", json=_update(update_id, user, "forged"))
            assert forged.status_code == 403
    await harness.say(user, "I am in a real crisis message")  # via the poller, same id
    await harness.telegram.wait_texts(user, len(harness.telegram.texts_to(user)) + 1)
    assert [r.message for r in fake_rasa.received][-1] == "I am in a real crisis message"


async def test_private_update_whose_chat_is_not_the_sender_is_dropped_and_logged(
    harness: GatewayHarness, fake_rasa: FakeRasa, caplog: pytest.LogCaptureFixture
) -> None:
    victim = await harness.consent()
    attacker_chat = 666_000
    harness.telegram.inject_text(victim, "/mydata", chat_id=attacker_chat)
    harness.telegram.inject_text(victim, "still me")  # the real chat carries on
    with caplog.at_level(logging.WARNING, logger="bot.gateway.telegram.intake"):
        await harness.telegram.wait_for(
            lambda: "You said: still me" in harness.telegram.texts_to(victim)
        )
    assert harness.telegram.calls_for(attacker_chat) == []
    assert "private chat id is not the sender's id" in caplog.text
    # the same through the webhook, for a button press (a forged /delete confirmation)
    await _webhook_mode(harness)
    press = {"update_id": 10_000, "callback_query": {
        "id": "cb-x", "chat_instance": "ci", "data": "d:yes",
        "from": {"id": victim, "is_bot": False, "first_name": "U"},
        "message": {"message_id": 1, "date": 0, "text": "Erase?",
                    "chat": {"id": attacker_chat, "type": "private", "first_name": "A"}},
    }}
    async with _client(harness) as client:
        assert (await client.post("/hook", json=press,
                                  headers={SECRET_HEADER: SECRET})).status_code == 200
    assert harness.gateway is not None
    await harness.gateway.idle()
    assert harness.telegram.calls_for(attacker_chat) == []
    assert "You said: still me" in harness.telegram.texts_to(victim)  # not erased


@pytest.mark.parametrize("secret", [None, "", "short", "x" * 31, "é" * 40])
async def test_webhook_mode_refuses_to_start_without_a_strong_secret(
    harness: GatewayHarness, secret: str | None
) -> None:
    assert harness.runner is not None
    await harness.runner.stop()
    with pytest.raises(SettingsError, match="secrets.token_urlsafe"):
        await harness.runner.start_webhook("https://bot.example.org/hook", secret,
                                           "127.0.0.1", 0, "/hook")
    with pytest.raises(SettingsError, match="at least 32"):
        harness.runner.webhook_app(secret, "/hook")
    settings = Settings(telegram_bot_token=harness.telegram.token,
                        telegram_webhook_url="https://bot.example.org/hook",
                        telegram_webhook_secret=secret)
    assert harness.gateway is not None
    with pytest.raises(SettingsError):
        await start_telegram(harness.gateway, settings)
    with pytest.raises(SettingsError, match="TELEGRAM_WEBHOOK_SECRET"):
        Settings.from_env({"TELEGRAM_WEBHOOK_URL": "https://bot.example.org/hook",
                           **({"TELEGRAM_WEBHOOK_SECRET": secret} if secret else {})})


async def test_start_webhook_serves_with_uvicorn_and_limits_sizes(
    harness: GatewayHarness,
) -> None:
    assert harness.runner is not None
    await harness.runner.stop()
    port = await harness.runner.start_webhook("https://bot.example.org/hook", SECRET,
                                              "127.0.0.1", 0, "/hook")
    webhook = harness.telegram.webhook
    assert webhook is not None
    assert webhook["url"] == "https://bot.example.org/hook"
    assert webhook["secret_token"] == SECRET
    assert webhook["allowed_updates"] == ["message", "edited_message", "callback_query"]
    url = f"http://127.0.0.1:{port}/hook"
    async with httpx.AsyncClient(timeout=10) as client:
        big_body = await client.post(url, content=b"{" + b" " * 600_000 + b"}",
                                     headers={SECRET_HEADER: SECRET})
        assert big_body.status_code == 413
        big_header = await client.post(url, json=_update(1, 1, "x"),
                                       headers={SECRET_HEADER: SECRET, "X-Junk": "j" * 40_000})
        assert big_header.status_code in (400, 431)
        chunked = await client.post(url, content=_chunks(), headers={SECRET_HEADER: SECRET})
        assert chunked.status_code == 413
        assert (await client.post(url, content=b"{}")).status_code == 403
    await harness.runner.stop()


async def _chunks():  # a body without Content-Length, larger than the limit
    for _ in range(40):
        await asyncio.sleep(0)
        yield b" " * 10_000


async def test_only_telegram_update_ids_are_deduplicated(
    harness: GatewayHarness, fake_rasa: FakeRasa
) -> None:
    """An id arriving on any other channel cannot mark Telegram's next update as taken."""
    user = await harness.consent()
    next_id = max(harness.telegram.history) + 1
    assert harness.gateway is not None
    await harness.gateway.receive(
        Inbound("terminal", "someone", 1, model.IGNORED, update_id=next_id))
    assert await harness.say(user, "the real one") == next_id
    await harness.telegram.wait_for(
        lambda: "You said: the real one" in harness.telegram.texts_to(user))
