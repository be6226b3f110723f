"""The fake Bot API in webhook mode: updates are pushed to the gateway, as Telegram does.

Telegram posts each update to the registered webhook and retries until it gets a 2xx
answer; updates of one chat go one at a time, in order, different chats at once. Here
``inject`` (and so ``inject_text``/``inject_press``) queues the update for its chat, and a
sender task per chat posts it to ``push_url`` with the secret header, retrying every
``retry_seconds`` on a refused connection or a non-2xx answer (a worker restarting, a
database down). ``pushes`` and ``push_failures`` count the attempts.
"""

from __future__ import annotations

import asyncio
from typing import Any

import httpx

from tests.fake_telegram.server import FakeTelegram

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"


class PushingTelegram(FakeTelegram):
    """A :class:`FakeTelegram` that posts updates to a webhook instead of queueing them."""

    def __init__(self, push_url: str, secret: str | None, *, retry_seconds: float = 0.5,
                 **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.push_url = push_url
        self.secret = secret
        self.retry_seconds = retry_seconds
        self.pushes = 0
        self.push_failures = 0
        self._chats: dict[int, asyncio.Queue[dict[str, Any]]] = {}
        self._senders: dict[int, asyncio.Task[None]] = {}
        self._client: httpx.AsyncClient | None = None

    def inject(self, update: dict[str, Any]) -> int:
        """Record the update and queue it for its chat's sender."""
        update_id = super().inject(update)
        full = self._updates.pop()  # not for getUpdates: it is pushed
        chat = _chat_of(full)
        queue = self._chats.setdefault(chat, asyncio.Queue())
        queue.put_nowait(full)
        task = self._senders.get(chat)
        if task is None or task.done():
            self._senders[chat] = asyncio.create_task(self._send(queue))
        return update_id

    async def _send(self, queue: asyncio.Queue[dict[str, Any]]) -> None:
        if self._client is None:
            self._client = httpx.AsyncClient(timeout=30.0,
                                             limits=httpx.Limits(max_connections=200))
        headers = {SECRET_HEADER: self.secret} if self.secret else {}
        while not queue.empty():
            update = queue.get_nowait()
            while True:
                self.pushes += 1
                try:
                    answer = await self._client.post(self.push_url, json=update,
                                                     headers=headers)
                    if answer.is_success:
                        break
                except httpx.HTTPError:
                    pass
                self.push_failures += 1
                await asyncio.sleep(self.retry_seconds)

    async def stop(self) -> None:
        """Stop pushing, then the server."""
        for task in self._senders.values():
            task.cancel()
        await asyncio.gather(*self._senders.values(), return_exceptions=True)
        if self._client is not None:
            await self._client.aclose()
        await super().stop()


def _chat_of(update: dict[str, Any]) -> int:
    for key in ("message", "edited_message", "callback_query"):
        part = update.get(key)
        if isinstance(part, dict):
            message = part.get("message", part) if key == "callback_query" else part
            chat = message.get("chat") if isinstance(message, dict) else None
            if isinstance(chat, dict) and "id" in chat:
                return int(chat["id"])
            if key == "callback_query" and isinstance(part.get("from"), dict):
                return int(part["from"]["id"])
    return 0
