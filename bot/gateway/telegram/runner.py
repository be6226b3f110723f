"""Receive Telegram updates: long polling (default) or a webhook, both store-then-confirm.

python-telegram-bot's own ``Updater`` confirms updates to Telegram as soon as it has
fetched them, before any handler ran; a crash then loses them. Here each update is stored
(:meth:`Gateway.receive`) before the next ``getUpdates`` offset confirms it, and the
webhook answers 200 only after storing, so Telegram redelivers anything not yet stored and
the ``processed_updates`` table drops what was stored twice.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from typing import Any

from starlette.applications import Starlette
from telegram import BotCommand, Update
from telegram.error import InvalidToken, NetworkError, RetryAfter, TelegramError

from bot.gateway import sos
from bot.gateway.core import Gateway
from bot.gateway.telegram.channel import TelegramChannel
from bot.gateway.telegram.intake import to_inbound
from bot.gateway.webhook import SECRET_HEADER, BadUpdate, WebhookServer, require_secret
from bot.gateway.webhook import webhook_app as make_webhook_app

logger = logging.getLogger(__name__)

ALLOWED_UPDATES = ["message", "edited_message", "callback_query"]
__all__ = ["ALLOWED_UPDATES", "SECRET_HEADER", "TelegramRunner"]


class TelegramRunner:
    """Feeds Telegram updates into a gateway.

    Args:
        gateway: the gateway (its ``telegram`` channel must be ``channel``).
        channel: the Telegram channel (owns the ``telegram.Bot``).
        poll_timeout: long-poll seconds per ``getUpdates``.
        error_backoff: seconds to wait after a failed poll or store.
    """

    def __init__(
        self,
        gateway: Gateway,
        channel: TelegramChannel,
        *,
        poll_timeout: int = 30,
        error_backoff: float = 2.0,
        sleep: Callable[[float], Any] = asyncio.sleep,
    ) -> None:
        self.gateway = gateway
        self.channel = channel
        self.bot = channel.bot
        self._poll_timeout = poll_timeout
        self._error_backoff = error_backoff
        self._sleep = sleep
        self._task: asyncio.Task[None] | None = None
        self._site: WebhookServer | None = None

    async def register_commands(self) -> None:
        """Publish the command list (setMyCommands)."""
        commands = [BotCommand(name, description) for name, description in sos.command_menu()]
        await self.channel.call("setMyCommands", lambda: self.bot.set_my_commands(commands))

    async def handle(self, update: Update) -> None:
        """Store one update and queue its work (raises if it could not be stored)."""
        await self.gateway.receive(to_inbound(update))

    # -- long polling ------------------------------------------------------------------

    async def start_polling(self) -> None:
        """Delete any webhook, register commands and start the polling loop."""
        await self.channel.call(
            "deleteWebhook", lambda: self.bot.delete_webhook(drop_pending_updates=False)
        )
        await self.register_commands()
        self._task = asyncio.create_task(self._poll(), name="telegram-poll")

    async def _poll(self) -> None:
        offset: int | None = None
        while True:
            try:
                updates = await self.bot.get_updates(
                    offset=offset,
                    timeout=self._poll_timeout,
                    read_timeout=self._poll_timeout + 10,
                    allowed_updates=ALLOWED_UPDATES,
                )
            except RetryAfter as exc:
                await self._sleep(float(exc.retry_after))
                continue
            except InvalidToken:
                logger.critical("Telegram rejected the bot token; polling stops")
                raise
            except (NetworkError, TelegramError) as exc:
                logger.warning("getUpdates failed: %s", exc)
                await self._sleep(self._error_backoff)
                continue
            if not updates:
                continue
            try:
                await self.gateway.receive_many([to_inbound(u) for u in updates])
            except Exception:  # not stored: do not confirm; Telegram sends them again
                logger.exception("could not store updates %s..", updates[0].update_id)
                await self._sleep(self._error_backoff)
                continue
            offset = updates[-1].update_id + 1

    async def stop(self) -> None:
        """Stop polling or the webhook server."""
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
        if self._site is not None:
            await self._site.stop()
            self._site = None

    # -- webhook -----------------------------------------------------------------------

    async def handle_json(self, data: dict[str, Any]) -> None:
        """Store one verified webhook update (raises :class:`BadUpdate` if unreadable)."""
        try:
            update = Update.de_json(data, self.bot)
            inbound = to_inbound(update) if update is not None else None
        except (ValueError, KeyError, TypeError, AttributeError) as exc:
            raise BadUpdate(type(exc).__name__) from exc
        if inbound is None:
            raise BadUpdate("empty update")
        await self.gateway.receive(inbound)  # an error answers 500: Telegram will redeliver

    def webhook_app(self, secret: str | None, path: str = "/telegram") -> Starlette:
        """The webhook app at ``path`` (refuses to build without a strong secret)."""
        return make_webhook_app(self.handle_json, secret, path)

    async def start_webhook(
        self, url: str, secret: str | None, host: str, port: int, path: str = "/telegram"
    ) -> int:
        """Serve the webhook on ``host:port``, tell Telegram to use ``url``; return the port.

        Raises:
            bot.settings.SettingsError: no secret, or one shorter than 32 characters.
        """
        secret = require_secret(secret)
        server = WebhookServer(self.webhook_app(secret, path), host, port)
        await server.start()
        self._site = server
        await self.register_commands()
        await self.channel.call(
            "setWebhook",
            lambda: self.bot.set_webhook(url, secret_token=secret, allowed_updates=ALLOWED_UPDATES),
        )
        return server.port
