"""The gateway: one code path from any chat channel to Rasa and back.

``receive`` stores an inbound event (and returns only once it is stored, so Telegram may
then be told it arrived); everything after runs in the patient's own queue
(:class:`~bot.gateway.serial.SerialRunner`), so one patient's pauses never hold up
another and each patient's messages stay in order. When Rasa is down or slow the patient
gets one holding reply and the message waits as ``pending_retry`` for the retry loop.

The gateway's own answers (commands, safety-plan steps, fixed replies) are stored with
their decision and marked ``processed`` only once sent (:meth:`Gateway._answer_own`): a
worker that dies first leaves them to the retry loop, which runs the handler again.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.exc import OperationalError, SQLAlchemyError

from bot.clock import utcnow
from bot.gateway import texts, tx
from bot.gateway.answers import HANDLERS
from bot.gateway.commands import Commands
from bot.gateway.delivery import TYPING_AFTER, Outbox, typing
from bot.gateway.intake import Next, Taken, replay, take_in, telegram_update_id
from bot.gateway.model import Channel, Inbound
from bot.gateway.outbound import Outbound, PatientUnreachable
from bot.gateway.plan_flow import SafetyPathway
from bot.gateway.rasa_client import RasaClient, RasaRequestError, RasaUnavailable
from bot.gateway.replies import to_steps
from bot.gateway.serial import SerialRunner
from bot.gateway.single_flight import SingleFlight
from bot.gateway.tx import in_tx
from bot.settings import Settings
from bot.store import messages as log
from bot.store import notices, rasa_answers
from bot.store.db import Database

logger = logging.getLogger(__name__)

HOLDING = "holding"
EMPTY_ANSWER = "Rasa answered nothing (action server down?)"
# Rasa answered nothing to a message this often, and answered others meanwhile: the
# message itself is the problem, give up on it. While Rasa answers nobody (an action
# server or database outage) the message waits, up to GIVE_UP_AFTER from its arrival.
MAX_EMPTY_REPLIES = 3
GIVE_UP_AFTER = timedelta(minutes=10)
# What the send loop takes next: (session, patient id) -> a message and how many messages
# of its answer went out already (see Gateway._send_waiting).
Pick = Callable[[Any, str], tuple[log.Message | None, int]]


def _next_unsent(session: Any, patient_id: str) -> tuple[log.Message | None, int]:
    """The oldest answer a dead worker left half-sent (nothing else)."""
    return log.next_unsent(session, patient_id) or (None, 0)


class Gateway:
    """Connects channels, the message log and Rasa.

    Args:
        db: the store (migrated).
        rasa: the Rasa client.
        settings: defaults for new patients.
        now: clock (aware UTC).
        sleep: used for reply pauses.
        retry_interval: seconds between passes of the retry loop.
        single_flight: per-patient claims across gateway workers (None: on for
            PostgreSQL, off for SQLite; see :mod:`bot.gateway.single_flight`).
    """

    def __init__(
        self,
        db: Database,
        rasa: RasaClient,
        settings: Settings,
        *,
        now: Callable[[], datetime] = utcnow,
        sleep: Callable[[float], Any] = asyncio.sleep,
        retry_interval: float = 5.0,
        single_flight: bool | None = None,
    ) -> None:
        self.db = db
        self.rasa = rasa
        self.settings = settings
        self.channels: dict[str, Channel] = {}
        self.runner = SerialRunner()
        self.flight = SingleFlight(db, now, enabled=single_flight)
        self.outbox = Outbox(db, now, sleep)
        self.safety = SafetyPathway(db, self.outbox, settings, now)
        self.commands = Commands(db, self.outbox, rasa, now, self.safety)
        self.outbound = Outbound(db, rasa, self.outbox, self.runner, self.flight, self.channels,
                                 resume=self.resume_unsent)
        self._now = now
        self._retry_interval = retry_interval
        self._retry_task: asyncio.Task[None] | None = None

    def add_channel(self, channel: Channel) -> None:
        """Make ``channel`` available for replies and deliveries."""
        self.channels[channel.name] = channel

    async def start(self) -> None:
        """Requeue messages interrupted by a restart and start the retry loop."""
        busy = await self.flight.live()  # other workers' patients are theirs
        count = await in_tx(self.db, log.recover_interrupted, self._now(), busy)
        if count:
            logger.info("%d interrupted message(s) queued for retry", count)
        self._retry_task = asyncio.create_task(self._retry_loop(), name="gateway-retry")

    async def close(self) -> None:
        """Stop the retry loop and the per-patient workers; close the kept connection."""
        if self._retry_task is not None:
            self._retry_task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._retry_task
        await self.runner.close()
        await tx.release(self.db)

    async def idle(self) -> None:
        """Wait until every queued job has finished (tests, benchmarks)."""
        await self.runner.join()

    # -- inbound ---------------------------------------------------------------------

    async def receive(self, inbound: Inbound) -> None:
        """Store ``inbound`` (raises if it cannot be stored) and queue the work it needs."""
        await self.receive_many([inbound])

    async def receive_many(self, inbounds: list[Inbound]) -> None:
        """Store a batch in one transaction (raises if it cannot be stored), then queue work.

        An event that cannot be taken in (a bug, bad data) is logged and skipped, with its
        update id claimed, so it cannot block everyone behind it.
        """

        def take_all(session: Any) -> list[Taken]:
            taken = []
            for inbound in inbounds:
                try:
                    with session.begin_nested():
                        taken.append(take_in(session, inbound, now, self.settings))
                except (ValueError, LookupError, SQLAlchemyError) as exc:
                    if isinstance(exc, OperationalError):
                        raise  # the database itself is unwell: store nothing, retry later
                    logger.exception("skipping update %s", inbound.update_id)
                    update_id = telegram_update_id(inbound)
                    if update_id is not None:
                        log.claim_update(session, update_id, now)
                    taken.append(Taken(Next.NOTHING))
            return taken

        now = self._now()
        for inbound, taken in zip(inbounds, await in_tx(self.db, take_all), strict=True):
            if taken.next is Next.NOTHING:
                continue
            channel = self.channels[inbound.channel]
            key = taken.patient_id or f"{inbound.channel}:{inbound.chat_id}"
            self.runner.submit(key, functools.partial(self._follow_up, channel, inbound, taken))

    async def _follow_up(self, channel: Channel, inbound: Inbound, taken: Taken) -> None:
        """Answer an event that was taken in (runs in the patient's queue)."""
        await channel.answer_button(inbound.callback_id)
        if taken.message_id is not None and taken.next is not Next.RASA:
            await self._answer_own(channel, inbound, taken)
            return
        await HANDLERS[taken.next](self, channel, inbound, taken)

    async def _answer_own(self, channel: Channel, inbound: Inbound, taken: Taken) -> None:
        """Answer a logged message the gateway answers itself, unless another pass took it
        (a drain under the patient's claim, after this worker's own job was queued)."""
        patient, message_id = taken.patient_id, taken.message_id
        assert patient is not None and message_id is not None
        async with self.flight.hold(patient, message_id) as mine:
            if not mine:
                return
            claimed = await in_tx(self.db, log.claim_own, message_id, self._now())
            if claimed:
                await self._run_own(channel, inbound, taken)
            elif claimed is None:  # an older message was left by a failed job: in order
                await self._send_waiting(patient, channel, inbound.chat_id, self._next_work,
                                         message_id)

    async def _run_own(self, channel: Channel, inbound: Inbound, taken: Taken) -> None:
        """Run the handler of a claimed message, then mark it processed (at least once: a
        worker that dies between the answer and the mark has it sent again)."""
        assert taken.message_id is not None
        try:
            await HANDLERS[taken.next](self, channel, inbound, taken)
        except (OperationalError, asyncio.CancelledError):
            raise  # the database is unwell or the worker stops: the retry loop takes it
        except Exception as exc:  # a bug must not make the retry loop run it for ever
            logger.exception("answering message %s failed", taken.message_id)
            await in_tx(self.db, log.set_status, taken.message_id, log.FAILED, self._now(),
                        error=repr(exc), count_attempt=True)
            await self.outbox.send_plain(channel, inbound.chat_id, taken.patient_id,
                                         texts.SOMETHING_WENT_WRONG, reply_to=taken.message_id)
            return
        await in_tx(self.db, log.set_status, taken.message_id, log.PROCESSED, self._now(),
                    count_attempt=True)

    async def _replay_own(self, channel: Channel, chat_id: int, message: log.Message) -> None:
        """Answer a claimed message the gateway answers itself, from its stored decision."""
        inbound, taken = replay(message, chat_id)
        await self._run_own(channel, inbound, taken)

    # -- Rasa ------------------------------------------------------------------------

    async def _ask_rasa(
        self, patient_id: str, message: log.Message
    ) -> tuple[list[dict[str, Any]], datetime | None]:
        """Send one logged inbound message to Rasa (a /checkin triggers the check-in);
        returns Rasa's answer and, for a message, when it was sent (give-up evidence)."""
        if message.kind == "command":
            return await self.rasa.trigger_intent(patient_id), None
        asked_at = self._now()
        replies = await self._send_to_rasa(patient_id, message)
        if not replies:
            raise RasaUnavailable(EMPTY_ANSWER)
        return replies, asked_at

    async def _send_to_rasa(self, patient_id: str, message: log.Message) -> list[dict[str, Any]]:
        """Send one logged inbound text (or button payload) to Rasa's REST channel."""
        metadata = {
            "channel": message.channel,
            "received_at": message.created_at.isoformat(),
            log.METADATA_MESSAGE_ID: message.id,  # joins Rasa's user event to the log
        }
        if message.payload and message.text and message.text.startswith(message.payload) \
                and len(message.text) > len(message.payload):
            # A long text goes to Rasa's classifiers cut, but the risk assessment reads
            # all of it (bot/rasa/risk_step.py: full_text).
            metadata["full_text"] = message.text
        return await self.rasa.send_message(
            patient_id, message.payload or message.text or "", metadata
        )

    def _server(self, patient_id: str) -> str:
        """The Rasa server the patient's messages go to (one per patient with several)."""
        pick = getattr(self.rasa, "client_for", None)
        client = pick(patient_id) if pick is not None else self.rasa
        return str(client.base_url)

    async def drain(
        self,
        patient_id: str,
        channel: Channel,
        chat_id: int,
        up_to: int | None = None,
        ready: log.Message | None = None,
    ) -> None:
        """Send the patient's waiting messages to Rasa, oldest first, stopping if it is down.

        With ``up_to``, stop once that message is handled (later ones have their own job).
        ``ready`` is a just-stored message with nothing older waiting: it goes straight to
        Rasa (one transaction fewer; it moves from received to processed). With several
        workers the patient is claimed first (:class:`SingleFlight`), and ``ready`` is
        not trusted: another worker may have taken it meanwhile.
        """
        if self.flight.enabled:
            ready = None
        async with self.flight.hold(patient_id, up_to) as mine:
            if mine:
                await self._send_waiting(patient_id, channel, chat_id, self._next_work, up_to,
                                         ready)

    async def resume_unsent(self, patient_id: str, channel: Channel, chat_id: int) -> None:
        """Send the rest of every answer a dead worker left half-sent, oldest first (called
        under the patient's claim, before a scheduled send)."""
        await self._send_waiting(patient_id, channel, chat_id, _next_unsent)

    async def _answer_decided(self, patient_id: str, channel: Channel, chat_id: int) -> None:
        """While Rasa is down: the gateway's own answers waiting behind a message for Rasa
        (e.g. a /sos a dead worker left) need not wait for it."""
        await self._send_waiting(patient_id, channel, chat_id, self._next_decided)

    async def _send_waiting(
        self,
        patient_id: str,
        channel: Channel,
        chat_id: int,
        pick: Pick,
        up_to: int | None = None,
        ready: log.Message | None = None,
    ) -> None:
        """Answer the messages ``pick`` hands out one by one, until it has none left.

        ``pick(session, patient_id)`` gives the next message with how many messages of its
        answer went out already: the rest of an answer a dead worker left half-sent is
        sent, a message the gateway answers itself is answered from its stored decision,
        and one for Rasa goes to Rasa, stopping while Rasa is down. With ``up_to``, stop
        once that message is handled; ``ready``: the first message, already claimed.
        """
        while True:
            message, already_sent = ready, 0
            if message is None:
                message, already_sent = await in_tx(self.db, pick, patient_id)
            ready = None
            if message is None:
                return
            if message.unsent_replies is not None:  # a worker died while sending it
                await self._send_answer(channel, chat_id, patient_id, message,
                                        message.unsent_replies, already_sent)
                continue
            if message.decision is not None:  # the gateway's own answer, not Rasa's
                await self._replay_own(channel, chat_id, message)
            elif not await self._answer_by_rasa(patient_id, channel, chat_id, message):
                return  # Rasa is unavailable: the backlog waits for the retry loop
            if up_to is not None and message.id >= up_to:
                return

    async def _answer_by_rasa(
        self, patient_id: str, channel: Channel, chat_id: int, message: log.Message
    ) -> bool:
        """Send one claimed message to Rasa and its answer to the patient; False when Rasa
        is unavailable (the backlog is then held, see :meth:`_hold`)."""
        try:
            async with typing(channel, chat_id, after=TYPING_AFTER):
                replies, asked_at = await self._ask_rasa(patient_id, message)
        except RasaUnavailable as exc:
            if await self._hold(patient_id, channel, chat_id, message, str(exc)):
                await self._answer_decided(patient_id, channel, chat_id)
            return False
        except RasaRequestError as exc:
            logger.error("Rasa refused message %s: %s", message.id, exc)
            await in_tx(self.db, log.set_status, message.id, log.FAILED, self._now(),
                        error=str(exc), count_attempt=True)
            await self.outbox.send_plain(channel, chat_id, patient_id,
                                         texts.SOMETHING_WENT_WRONG, reply_to=message.id)
            return True
        def processed(session: Any) -> None:
            # Stored with the mark: if this worker dies before the end of the reply, the
            # next one sends the rest (see _next_work).
            log.set_status(session, message.id, log.PROCESSED, self._now(), count_attempt=True,
                           unsent_replies=replies)
            if asked_at is not None:
                rasa_answers.note_answer(session, self._server(patient_id), asked_at)

        await in_tx(self.db, processed)
        await self._send_answer(channel, chat_id, patient_id, message, replies)
        return True

    def _next_work(self, session: Any, patient_id: str) -> tuple[log.Message | None, int]:
        """An answer left half-sent by a dead worker comes first (with how many of its
        messages went out already); else the oldest waiting message, claimed."""
        unsent = log.next_unsent(session, patient_id)
        if unsent is not None:
            return unsent
        return log.claim_next(session, patient_id, self._now()), 0

    def _next_decided(self, session: Any, patient_id: str) -> tuple[log.Message | None, int]:
        """The oldest waiting message the gateway answers itself, claimed."""
        return log.claim_next(session, patient_id, self._now(), decided_only=True), 0

    async def _send_answer(
        self,
        channel: Channel,
        chat_id: int,
        patient_id: str,
        message: log.Message,
        replies: list[dict[str, Any]],
        already_sent: int = 0,
    ) -> None:
        """Send Rasa's answer to ``message``; the end of it clears the stored copy."""
        await self.outbox.send_steps(
            channel, chat_id, patient_id, to_steps(replies), reply_to=message.id,
            skip=already_sent, done=functools.partial(log.replies_done, message_id=message.id),
        )

    def _gives_up(self, session: Any, message: log.Message, error: str, now: datetime) -> bool:
        """Whether the message itself is the problem: Rasa answered it nothing (this time,
        after ``MAX_EMPTY_REPLIES`` attempts in all) and either the same Rasa server
        answered a message non-empty that was sent after this one's first empty answer (a
        request already in flight when an outage began does not count), or the message is
        ``GIVE_UP_AFTER`` old. The evidence is in the database, seen by every worker."""
        if error != EMPTY_ANSWER:
            return False
        stored = log.get_message(session, message.id) or message
        if stored.attempts + 1 < MAX_EMPTY_REPLIES:
            return False
        if now - stored.created_at >= GIVE_UP_AFTER:
            return True
        first = stored.first_empty_at or now
        answered = rasa_answers.last_answer(session, self._server(message.patient_id))
        return answered is not None and answered > first

    async def _hold(
        self, patient_id: str, channel: Channel, chat_id: int, first: log.Message, error: str
    ) -> bool:
        """Rasa is unavailable: mark the backlog pending_retry; one holding reply per wait.

        Returns whether the backlog holds answers of the gateway's own (see
        :meth:`_answer_decided`).
        """

        def mark(session: Any) -> tuple[bool, bool, bool]:
            now = self._now()
            give_up = self._gives_up(session, first, error, now)
            if error == EMPTY_ANSWER:
                log.note_empty_answer(session, first.id, now)
            decided = False
            for number, message in enumerate(log.backlog(session, patient_id)):
                status = log.FAILED if give_up and number == 0 else log.PENDING_RETRY
                log.set_status(session, message.id, status, now, error=error if number == 0
                               else None, count_attempt=number == 0)
                decided = decided or message.decision is not None
            last = log.last_outbound(session, patient_id)
            return give_up, last is None or last.kind != HOLDING, decided

        logger.warning("Rasa unavailable for patient %s: %s", patient_id, error)
        give_up, needs_holding, decided = await in_tx(self.db, mark)
        if give_up:
            logger.error("giving up on message %s: %s", first.id, error)
            await self.outbox.send_plain(channel, chat_id, patient_id, texts.SOMETHING_WENT_WRONG,
                                         reply_to=first.id)
        elif needs_holding:
            await self.outbox.send_plain(channel, chat_id, patient_id, texts.HOLDING_REPLY,
                                         kind=HOLDING, reply_to=first.id)
        return decided

    async def _retry_loop(self) -> None:
        """Every ``retry_interval``: drain patients with messages waiting for Rasa."""
        while True:
            await asyncio.sleep(self._retry_interval)
            try:
                await self.retry_pending()
            except Exception:  # the loop must survive a database hiccup; logged with cause
                logger.exception("retry pass failed")

    async def retry_pending(self) -> int:
        """Queue a drain for every patient with pending_retry messages, an answer a dead
        worker left half-sent, or messages left received/processing by a job that failed
        (untouched for the claim's time to live, not busy here), and every message owed
        to a chat that nobody is sending (:meth:`send_notices`); returns how many."""
        def waiting(session: Any) -> list[str]:
            found = log.patients_with(session, (log.PENDING_RETRY,))
            return found + [p for p in log.patients_with_unsent(session) if p not in found]

        patients = await in_tx(self.db, waiting)
        patients += [p for p in await self.flight.orphans() if p not in patients]
        queued = await self.send_notices()
        for patient_id in patients:
            if self.runner.busy(patient_id):
                continue
            route = await self.outbound.route(patient_id)
            if route is None:
                continue
            channel, chat_id = route
            self.runner.submit(patient_id,
                               functools.partial(self.drain, patient_id, channel, chat_id))
            queued += 1
        return queued

    async def send_notices(self) -> int:
        """Queue every message owed to a chat that nobody is sending (a /delete
        confirmation a dead worker left, :mod:`bot.store.notices`); returns how many."""
        queued = 0
        for notice_id in await in_tx(self.db, notices.due, self._now()):
            key = f"notice:{notice_id}"
            if not self.runner.busy(key):
                self.runner.submit(key, functools.partial(self._send_notice, notice_id))
                queued += 1
        return queued

    async def _send_notice(self, notice_id: int) -> None:
        await self.outbox.send_notice(notice_id, self.channels)

    # -- outbound, for the scheduler (bot/gateway/outbound.py) ----------------------------

    async def deliver_to_patient(self, patient_id: str, messages: list[dict[str, Any]]) -> None:
        """Send Rasa-style messages to a patient (see :meth:`Outbound.deliver_to_patient`)."""
        await self.outbound.deliver_to_patient(patient_id, messages)

    async def send_text(self, patient_id: str, text: str) -> None:
        """Send one plain text to a patient (scheduler reminders)."""
        await self.outbound.send_text(patient_id, text)

    async def send_photo(self, patient_id: str, png: bytes, caption: str) -> None:
        """Send a PNG with a caption (the Sunday summary's chart), in the patient's queue."""
        await self.outbound.send_photo(patient_id, png, caption)

    async def trigger_checkin(self, patient_id: str) -> None:
        """Start the evening check-in through Rasa and relay it (in the patient's queue)."""
        await self.outbound.trigger_checkin(patient_id)


__all__ = ["GIVE_UP_AFTER", "HOLDING", "MAX_EMPTY_REPLIES", "Gateway", "PatientUnreachable"]
