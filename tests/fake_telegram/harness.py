"""Start the real gateway (real python-telegram-bot client) against the fake Telegram server
and any Rasa URL: the fake one in most tests, the real trained Rasa in whole-conversation
tests and the benchmark.

    async with GatewayHarness(database_url, rasa_url, rasa_token) as h:
        await h.say(1001, "hello")
        texts = await h.telegram.wait_texts(1001, 2)
"""

from __future__ import annotations

import itertools
from typing import Any

from bot.gateway.app import create_gateway, start_telegram
from bot.gateway.core import Gateway
from bot.gateway.model import CONSENT_YES
from bot.gateway.telegram.runner import TelegramRunner
from bot.settings import Settings
from bot.store.db import Database
from tests.fake_telegram.server import FakeTelegram


class GatewayHarness:
    """A fake Telegram server plus a running gateway on a migrated database.

    Args:
        database_url: where the gateway stores (migrated here).
        rasa_url: the Rasa server to talk to.
        rasa_token: Rasa's HTTP API token.
        rasa_timeout: seconds before Rasa counts as down.
        retry_interval: seconds between retry-loop passes.
        telegram: reuse a running fake server (restart tests); else one is started.
    """

    def __init__(
        self,
        database_url: str,
        rasa_url: str,
        rasa_token: str | None = None,
        *,
        rasa_timeout: float = 10.0,
        retry_interval: float = 0.5,
        telegram: FakeTelegram | None = None,
    ) -> None:
        self.database_url = database_url
        self.settings_kwargs: dict[str, Any] = {
            "rasa_url": rasa_url, "rasa_token": rasa_token,
        }
        self.rasa_timeout = rasa_timeout
        self.retry_interval = retry_interval
        self._own_telegram = telegram is None
        self.telegram = telegram or FakeTelegram()
        self.db: Database | None = None
        self.gateway: Gateway | None = None
        self.runner: TelegramRunner | None = None
        self._user_ids = itertools.count(5001)

    async def start(self) -> GatewayHarness:
        """Start the fake server (if ours), migrate and start the gateway with polling."""
        if self._own_telegram:
            await self.telegram.start()
        settings = Settings(
            database_url=self.database_url,
            telegram_bot_token=self.telegram.token,
            telegram_api_base_url=self.telegram.base_url,
            **self.settings_kwargs,
        )
        self.db = Database.from_url(self.database_url)
        self.db.migrate()
        self.gateway = create_gateway(
            settings, self.db, rasa_timeout=self.rasa_timeout, retry_interval=self.retry_interval
        )
        await self.gateway.start()
        self.runner = await start_telegram(self.gateway, settings, poll_timeout=1, backoff=0.05)
        return self

    async def stop(self) -> None:
        """Stop the gateway (like a process exit) and, if ours, the fake server."""
        if self.runner is not None:
            await self.runner.stop()
        if self.gateway is not None:
            await self.gateway.close()
            await self.gateway.rasa.aclose()
        if self.runner is not None:
            await self.runner.bot.shutdown()
        if self.db is not None:
            self.db.dispose()
        if self._own_telegram:
            await self.telegram.stop()

    async def __aenter__(self) -> GatewayHarness:
        return await self.start()

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    async def say(self, user_id: int, text: str) -> int:
        """The user sends ``text``; returns the update id."""
        return self.telegram.inject_text(user_id, text)

    async def press(self, user_id: int, title: str) -> int:
        """The user presses the button titled ``title`` in the last keyboard sent to them."""
        message_id, buttons = self.telegram.last_keyboard(user_id)
        for button in buttons:
            if button["text"] == title:
                return self.telegram.inject_press(user_id, message_id, button["callback_data"])
        raise LookupError(f"no button {title!r}; have {[b['text'] for b in buttons]}")

    async def consent(self, user_id: int | None = None) -> int:
        """A new user opens the chat with /start and says yes; returns the user id."""
        user = user_id if user_id is not None else next(self._user_ids)
        before = len(self.telegram.texts_to(user))
        await self.say(user, "/start")
        await self.telegram.wait_for(lambda: self._has_keyboard(user, CONSENT_YES))
        message_id, _ = self.telegram.last_keyboard(user)
        self.telegram.inject_press(user, message_id, CONSENT_YES)
        await self.telegram.wait_texts(user, before + 3)
        return user

    def _has_keyboard(self, user: int, data: str) -> bool:
        try:
            _, buttons = self.telegram.last_keyboard(user)
        except LookupError:
            return False
        return any(b.get("callback_data") == data for b in buttons)
