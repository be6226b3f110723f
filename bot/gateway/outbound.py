"""Sending to a patient outside a conversation turn (the scheduler's check-ins, reminders,
the Sunday summary): find the channel that reaches them, then send in their own queue,
under their claim, after the rest of any answer a dead worker left half-sent.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

from bot.gateway import texts
from bot.gateway.delivery import Outbox
from bot.gateway.model import Channel, DeliveryError
from bot.gateway.rasa_client import RasaClient
from bot.gateway.replies import Step, to_steps
from bot.gateway.serial import SerialRunner
from bot.gateway.single_flight import SingleFlight
from bot.gateway.tx import in_tx
from bot.store import messages as log
from bot.store import safety_plans
from bot.store.db import Database
from bot.store.patients import identities_of


class PatientUnreachable(DeliveryError):
    """No channel of this gateway reaches the patient (or they sent /stop)."""


class Outbound:
    """The gateway's sends for the scheduler, through its channels, queues and outbox."""

    def __init__(
        self,
        db: Database,
        rasa: RasaClient,
        outbox: Outbox,
        runner: SerialRunner,
        flight: SingleFlight,
        channels: dict[str, Channel],
        resume: Callable[[str, Channel, int], Awaitable[None]] | None = None,
    ) -> None:
        self.db, self.rasa, self.outbox = db, rasa, outbox
        self.runner, self.flight, self.channels = runner, flight, channels
        self._resume = resume


    async def route(self, patient_id: str) -> tuple[Channel, int] | None:
        """The channel and chat that reach the patient, if this gateway has one."""

        for channel_name, external_id in await in_tx(self.db, identities_of, patient_id):
            channel = self.channels.get(channel_name)
            if channel is not None:
                chat_id = int(external_id) if external_id.lstrip("-").isdigit() else 0
                return channel, chat_id
        return None

    async def deliver(
        self, patient_id: str, make_steps: Callable[[], Awaitable[list[Step]]]
    ) -> None:
        """Run ``make_steps`` and send its steps in the patient's queue; wait until done."""

        async def send(channel: Channel, chat_id: int) -> bool:
            steps = await make_steps()
            return await self.outbox.send_steps(channel, chat_id, patient_id, steps)

        await self.in_patient_queue(patient_id, send)

    async def in_patient_queue(
        self, patient_id: str, send: Callable[[Channel, int], Awaitable[bool]]
    ) -> None:
        """Run ``send`` on the patient's route, in their queue; wait until done."""
        route = await self.route(patient_id)
        if route is None or await in_tx(self.db, log.is_stopped, patient_id):
            raise PatientUnreachable(f"patient {patient_id} cannot be reached")
        channel, chat_id = route
        done: asyncio.Future[bool] = asyncio.get_running_loop().create_future()

        async def job() -> None:
            try:
                async with self.flight.hold(patient_id, wait=True):
                    if self._resume is not None:
                        # An answer a dead worker left half-sent goes out first: the
                        # patient reads the reply to what they said before the check-in.
                        await self._resume(patient_id, channel, chat_id)
                    sent = await send(channel, chat_id)
                done.set_result(sent)
            except Exception as exc:  # handed to the awaiting caller below
                done.set_exception(exc)

        self.runner.submit(patient_id, job)
        if not await done:
            raise DeliveryError(f"delivery to patient {patient_id} failed")

    async def deliver_to_patient(self, patient_id: str, messages: list[dict[str, Any]]) -> None:
        """Send Rasa-style messages to a patient on whatever channel reaches them.

        Runs in the patient's queue (after anything already in flight) and returns once
        sent. Raises:
            PatientUnreachable: no channel, or the patient sent /stop.
            DeliveryError: the channel failed after its retries.
        """

        async def steps() -> list[Step]:
            return to_steps(messages)

        await self.deliver(patient_id, steps)

    async def send_text(self, patient_id: str, text: str) -> None:
        """Send one plain text to a patient (scheduler reminders)."""
        await self.deliver_to_patient(patient_id, [{"text": text}])

    async def send_photo(self, patient_id: str, png: bytes, caption: str) -> None:
        """Send a PNG with a caption (the Sunday summary's chart), in the patient's queue.

        Raises:
            PatientUnreachable, DeliveryError: as for :meth:`deliver_to_patient`.
        """

        async def send(channel: Channel, chat_id: int) -> bool:
            return await self.outbox.send_logged(
                channel, chat_id, patient_id, "image", caption,
                lambda: channel.send_photo(chat_id, texts.PROGRESS_PICTURE_NAME, png, caption),
            )

        await self.in_patient_queue(patient_id, send)

    async def trigger_checkin(self, patient_id: str) -> None:
        """Start the evening check-in through Rasa (in the patient's queue) and relay it.

        Raises:
            RasaError: Rasa is down or refused (the scheduler retries).
            PatientUnreachable, DeliveryError: as for :meth:`deliver_to_patient`.
        """

        async def steps() -> list[Step]:
            await in_tx(self.db, safety_plans.pause, patient_id)  # answers go to the check-in
            return to_steps(await self.rasa.trigger_intent(patient_id))

        await self.deliver(patient_id, steps)
