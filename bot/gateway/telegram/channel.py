"""Sending to Telegram through python-telegram-bot, with retries.

429 (``RetryAfter``) waits the time Telegram asks for; network errors, time-outs and 5xx
answers back off exponentially. Plain text only (no parse mode), so nothing needs escaping.
A send whose slot was granted before a pause began (another worker's 429) is stopped at
the write (:mod:`bot.gateway.telegram.wire`) and takes a new slot after the pause.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Sequence
from typing import Any, TypeVar

from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup, InputFile, Message
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TelegramError

from bot.gateway.model import DeliveryError
from bot.gateway.ratelimit import SendLimiter
from bot.gateway.telegram.wire import PausedAtWrite

logger = logging.getLogger(__name__)

T = TypeVar("T")
MAX_RETRY_AFTER = 60.0
MAX_HELD_AT_WRITE = 50  # pauses that began between a slot and its write, per call


def keyboard(buttons: Sequence[tuple[str, str]]) -> InlineKeyboardMarkup | None:
    """An inline keyboard: short choices (scores) side by side, longer ones one per row."""
    if not buttons:
        return None
    longest = max(len(title) for title, _ in buttons)
    per_row = 6 if longest <= 3 else 2 if longest <= 14 else 1
    keys = [InlineKeyboardButton(title, callback_data=data) for title, data in buttons]
    return InlineKeyboardMarkup([keys[i : i + per_row] for i in range(0, len(keys), per_row)])


class TelegramChannel:
    """The Telegram side of :class:`bot.gateway.model.Channel`.

    Args:
        bot: an initialised ``telegram.Bot``.
        attempts: tries per call before giving up.
        backoff: first back-off delay in seconds (doubles each time).
        sleep: how to wait (tests may record instead).
        limiter: Telegram's sending limits (shared by all workers when in Redis); every
            message waits for its slot, and a 429 pauses everybody for ``retry_after``.
    """

    name = "telegram"

    def __init__(
        self,
        bot: Bot,
        *,
        attempts: int = 5,
        backoff: float = 0.5,
        sleep: Callable[[float], Awaitable[Any]] = asyncio.sleep,
        limiter: SendLimiter | None = None,
    ) -> None:
        self.bot = bot
        self.limiter = limiter
        wire = getattr(getattr(bot, "request", None), "wire", None)
        if limiter is not None and wire is not None:  # the pause looked at again at the write
            wire.limiter = limiter
        self._attempts = attempts
        self._backoff = backoff
        self._sleep = sleep

    async def call(
        self, what: str, call: Callable[[], Awaitable[T]], chat_id: int | None = None
    ) -> T:
        """Run ``call`` with retries; raise :class:`DeliveryError` when it keeps failing.

        With ``chat_id`` (a message to a chat) each attempt first waits for its slot.
        """
        delay = self._backoff
        attempt, held = 0, 0
        while attempt < self._attempts:
            attempt += 1
            try:
                if self.limiter is not None and chat_id is not None:
                    await self.limiter.acquire(chat_id)
                return await call()
            except PausedAtWrite as exc:  # nothing was sent: a new slot, after the pause
                held += 1
                if held <= MAX_HELD_AT_WRITE:
                    attempt -= 1
                logger.info("%s held at the write: %s", what, exc)
                continue
            except RetryAfter as exc:
                wait = min(float(exc.retry_after), MAX_RETRY_AFTER)
                logger.warning("%s: Telegram asks to wait %.1f s", what, wait)
                if self.limiter is not None:
                    await self.limiter.pause(wait)  # every worker holds back, not just us
                    if chat_id is not None:
                        # Behind the sends already waiting: they take their new slots
                        # during the pause, this one once it is over. Taken at once, it
                        # was first after every pause of a storm and gave up.
                        await self._sleep(wait)
                        continue
            except (BadRequest, Forbidden) as exc:  # retrying will not help
                raise DeliveryError(f"{what}: {exc}") from exc
            except NetworkError as exc:  # includes TimedOut and 5xx answers
                wait = delay
                delay *= 2
                logger.warning("%s failed (attempt %d): %s", what, attempt, exc)
            except TelegramError as exc:
                raise DeliveryError(f"{what}: {exc}") from exc
            if attempt < self._attempts:
                await self._sleep(wait)
        raise DeliveryError(f"{what}: gave up after {self._attempts} attempts")

    async def send_text(
        self, chat_id: int, text: str, buttons: Sequence[tuple[str, str]] = ()
    ) -> int | None:
        """Send plain text with an optional inline keyboard."""
        markup = keyboard(buttons)
        sent: Message = await self.call(
            "sendMessage",
            lambda: self.bot.send_message(chat_id, text, reply_markup=markup),
            chat_id,
        )
        return sent.message_id

    async def send_image(self, chat_id: int, url: str, caption: str | None = None) -> int | None:
        """Send a photo by URL."""
        sent: Message = await self.call(
            "sendPhoto", lambda: self.bot.send_photo(chat_id, url, caption=caption), chat_id
        )
        return sent.message_id

    async def send_document(
        self, chat_id: int, filename: str, data: bytes, caption: str | None = None
    ) -> int | None:
        """Send a file."""
        sent: Message = await self.call(
            "sendDocument",
            lambda: self.bot.send_document(
                chat_id, InputFile(data, filename=filename), caption=caption
            ),
            chat_id,
        )
        return sent.message_id

    async def send_photo(
        self, chat_id: int, filename: str, data: bytes, caption: str | None = None
    ) -> int | None:
        """Upload a picture (PNG bytes) with an optional caption."""
        sent: Message = await self.call(
            "sendPhoto",
            lambda: self.bot.send_photo(
                chat_id, InputFile(data, filename=filename), caption=caption
            ),
            chat_id,
        )
        return sent.message_id

    async def _best_effort(self, what: str, call: Callable[[], Awaitable[Any]]) -> None:
        try:
            await call()
        except TelegramError as exc:
            logger.info("%s failed (ignored): %s", what, exc)

    async def typing(self, chat_id: int) -> None:
        """Show "typing..." (not retried: it is only a hint)."""
        await self._best_effort("sendChatAction", lambda: self.bot.send_chat_action(
            chat_id, "typing"))

    async def answer_button(self, callback_id: str | None) -> None:
        """Stop the button's loading spinner."""
        if callback_id:
            await self._best_effort(
                "answerCallbackQuery", lambda: self.bot.answer_callback_query(callback_id)
            )

    async def mark_chosen(self, chat_id: int, message_id: int, text: str | None) -> None:
        """Remove the keyboard; with ``text``, also rewrite the message to show the choice."""
        if text:
            await self._best_effort("editMessageText", lambda: self.bot.edit_message_text(
                text[:4096], chat_id=chat_id, message_id=message_id, reply_markup=None))
        else:
            await self._best_effort(
                "editMessageReplyMarkup",
                lambda: self.bot.edit_message_reply_markup(chat_id, message_id, reply_markup=None),
            )

    async def leave_chat(self, chat_id: int) -> None:
        """Leave a group."""
        await self._best_effort("leaveChat", lambda: self.bot.leave_chat(chat_id))
