"""Send reply steps to a chat in order, honouring pauses, and log every outbound message.

The outbound log entries of one reply are written together, in one transaction, at the
end of the reply, before each pause and right after a message with buttons (a press on
one is resolved through its log entry), instead of one transaction per message.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping, Sequence
from datetime import datetime
from typing import Any

from bot.gateway.model import RASA_BUTTON_PREFIX, Channel, DeliveryError
from bot.gateway.replies import ImageStep, PauseStep, Step, TextStep, split_text
from bot.gateway.tx import in_tx
from bot.store import messages as log
from bot.store import notices
from bot.store.db import Database

logger = logging.getLogger(__name__)

TYPING_EVERY = 4.0  # Telegram shows "typing" for about 5 seconds
TYPING_AFTER = 0.3  # a reply quicker than this needs no indicator (one Bot API call fewer)


@contextlib.asynccontextmanager
async def typing(channel: Channel, chat_id: int, after: float = 0.0) -> AsyncIterator[None]:
    """Keep a typing indicator up while the block runs, from ``after`` seconds on.

    Stopped by an event, and a ``sendChatAction`` already in flight is allowed to finish:
    cancelling an httpx request midway can leave its pooled connection occupied for good
    (the bench then saw "Pool timeout" and replies given up after 5 attempts). Only a
    request that hangs past ``TYPING_EVERY`` is cancelled.
    """
    stop = asyncio.Event()

    async def keep() -> None:
        if after > 0:
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(stop.wait(), after)
        while not stop.is_set():
            await channel.typing(chat_id)
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(stop.wait(), TYPING_EVERY)

    task = asyncio.create_task(keep())
    try:
        yield
    finally:
        stop.set()
        done, _ = await asyncio.wait({task}, timeout=TYPING_EVERY)
        if not done:
            task.cancel()
            await asyncio.wait({task}, timeout=TYPING_EVERY)


class Outbox:
    """Delivers steps through a channel; logs them when the patient is known.

    Args:
        db: the store.
        now: clock returning an aware UTC datetime.
        sleep: how to wait for pauses (tests may speed it up).
    """

    def __init__(
        self,
        db: Database,
        now: Callable[[], datetime],
        sleep: Callable[[float], Awaitable[object]] = asyncio.sleep,
    ) -> None:
        self._db = db
        self._now = now
        self._sleep = sleep

    async def log(
        self,
        patient_id: str | None,
        channel: Channel,
        chat_id: int,
        kind: str,
        text: str | None,
        *,
        status: str = log.SENT,
        message_id: int | None = None,
        buttons: Sequence[dict[str, str]] | None = None,
        reply_to: int | None = None,
        error: str | None = None,
        batch: list[dict[str, Any]] | None = None,
    ) -> None:
        """Log one outbound message (sent or failed); nothing before consent.

        With ``batch`` the entry is only added to it (written later by :meth:`flush`).
        """
        if patient_id is None:  # before consent nothing is kept
            return
        entry: dict[str, Any] = {
            "patient_id": patient_id,
            "channel": channel.name,
            "kind": kind,
            "text": text,
            "now": self._now(),
            "status": status,
            "buttons": buttons,
            "chat_id": chat_id,
            "telegram_message_id": message_id,
            "reply_to_id": reply_to,
            "error": error,
        }
        if batch is not None:
            batch.append(entry)
            return
        await self.flush([entry])

    async def flush(
        self, batch: list[dict[str, Any]], then: Callable[[Any], None] | None = None
    ) -> None:
        """Write the batched log entries in one transaction and empty ``batch``.

        ``then`` runs in the same transaction (the reply's end: :func:`log.replies_done`).
        """
        if not batch and then is None:
            return
        entries = list(batch)
        batch.clear()

        def write(session: Any) -> None:
            for entry in entries:
                fields = dict(entry)
                log.log_outbound(session, fields.pop("patient_id"), **fields)
            if then is not None:
                then(session)

        await in_tx(self._db, write)

    async def send_steps(
        self,
        channel: Channel,
        chat_id: int,
        patient_id: str | None,
        steps: Sequence[Step],
        *,
        kind: str = "text",
        reply_to: int | None = None,
        skip: int = 0,
        done: Callable[[Any], None] | None = None,
    ) -> bool:
        """Send ``steps`` in order; False if something could not be delivered.

        Rasa buttons get callback data ``b:<index>``; the press is resolved through the
        logged outbound message (so payloads of any length survive restarts). ``skip``:
        leave out the first that many messages (text chunks, images: sent before a
        restart) and the pauses up to the next one (the restart took that time); later
        pauses are kept. ``done`` runs in the transaction that logs the end of the reply,
        delivered or failed (not when interrupted).
        """
        batch: list[dict[str, Any]] = []
        finished = False
        try:
            sent = await self._send_all(channel, chat_id, patient_id, steps, kind, reply_to,
                                        batch, skip)
            finished = True
            return sent
        finally:
            await self.flush(batch, done if finished else None)

    async def _send_all(
        self,
        channel: Channel,
        chat_id: int,
        patient_id: str | None,
        steps: Sequence[Step],
        kind: str,
        reply_to: int | None,
        batch: list[dict[str, Any]],
        skip: int = 0,
    ) -> bool:
        resuming = skip > 0
        for number, step in enumerate(steps):
            first_chunk = 0
            if resuming:  # messages sent before a restart: only what is left goes out
                if isinstance(step, PauseStep):
                    continue  # the restart took longer than the pause it cut
                sendable = 1 if isinstance(step, ImageStep) else len(_chunks(step))
                if skip >= sendable:
                    skip -= sendable
                    continue
                first_chunk, skip, resuming = skip, 0, False
            try:
                await self._send_step(channel, chat_id, patient_id, step, kind, reply_to,
                                      batch, first_chunk)
            except DeliveryError as exc:
                logger.warning("delivery to chat %s failed: %s", chat_id, exc)
                for rest in steps[number:]:
                    if isinstance(rest, TextStep | ImageStep):
                        text = rest.text if isinstance(rest, TextStep) else rest.url
                        await self.log(
                            patient_id,
                            channel,
                            chat_id,
                            kind,
                            text,
                            status=log.FAILED,
                            reply_to=reply_to,
                            error=str(exc),
                            batch=batch,
                        )
                return False
        return True

    async def _send_step(
        self,
        channel: Channel,
        chat_id: int,
        patient_id: str | None,
        step: Step,
        kind: str,
        reply_to: int | None,
        batch: list[dict[str, Any]],
        first_chunk: int = 0,
    ) -> None:
        if isinstance(step, PauseStep):
            await self.flush(batch)  # written before the patient waits
            async with typing(channel, chat_id):
                await self._sleep(step.seconds)
            return
        if isinstance(step, ImageStep):
            message_id = await channel.send_image(chat_id, step.url, step.caption)
            await self.log(
                patient_id,
                channel,
                chat_id,
                "image",
                step.url,
                message_id=message_id,
                reply_to=reply_to,
                batch=batch,
            )
            return
        chunks = _chunks(step)
        for index, chunk in enumerate(chunks):
            if index < first_chunk:
                continue
            last = index == len(chunks) - 1
            buttons = step.buttons if last else ()
            keyboard = [(b.title, f"{RASA_BUTTON_PREFIX}{i}") for i, b in enumerate(buttons)]
            message_id = await channel.send_text(chat_id, chunk, keyboard)
            await self.log(
                patient_id,
                channel,
                chat_id,
                kind,
                chunk,
                message_id=message_id,
                reply_to=reply_to,
                buttons=[{"title": b.title, "payload": b.payload} for b in buttons] or None,
                batch=batch,
            )
            if buttons:
                await self.flush(batch)  # a press on them is resolved through this entry

    async def send_plain(
        self,
        channel: Channel,
        chat_id: int,
        patient_id: str | None,
        text: str,
        *,
        buttons: Sequence[tuple[str, str]] = (),
        kind: str = "system",
        reply_to: int | None = None,
    ) -> bool:
        """Send one of the gateway's own texts, with its own callback data on buttons."""
        return await self.send_logged(
            channel, chat_id, patient_id, kind, text,
            lambda: channel.send_text(chat_id, text, buttons), reply_to=reply_to,
        )

    async def send_logged(
        self,
        channel: Channel,
        chat_id: int,
        patient_id: str | None,
        kind: str,
        text: str,
        send: Callable[[], Awaitable[int | None]],
        *,
        reply_to: int | None = None,
    ) -> bool:
        """Run ``send``, then log the message as sent or failed (``text`` is what the log shows).

        Returns False, after logging it, when the channel gave up on the message.
        """
        try:
            message_id = await send()
        except DeliveryError as exc:
            logger.warning("could not send a %s to chat %s: %s", kind, chat_id, exc)
            await self.log(
                patient_id,
                channel,
                chat_id,
                kind,
                text,
                status=log.FAILED,
                reply_to=reply_to,
                error=str(exc),
            )
            return False
        await self.log(
            patient_id, channel, chat_id, kind, text, message_id=message_id, reply_to=reply_to
        )
        return True


    async def send_notice(self, notice_id: int, channels: Mapping[str, Channel]) -> bool:
        """Send a message owed to a chat (:mod:`bot.store.notices`) unless another worker
        has it: claimed (committed) first, deleted once sent, pending again if the channel
        failed. Nothing is logged (no patient). Returns whether this call sent it."""
        notice = await in_tx(self._db, notices.claim, notice_id, self._now())
        if notice is None:
            return False
        channel = channels.get(notice.channel)
        if channel is None:  # this worker has not that channel: leave it to one that has
            await in_tx(self._db, notices.failed, notice_id)
            return False
        if await self.send_plain(channel, int(notice.chat_id), None, notice.text):
            await in_tx(self._db, notices.sent, notice_id)
            return True
        await in_tx(self._db, notices.failed, notice_id)
        return False


def _chunks(step: TextStep) -> list[str]:
    """The messages a text step is sent as (long texts are split)."""
    return split_text(step.text) or [step.text]

