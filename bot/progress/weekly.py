"""The Sunday summary sender the scheduler calls: chart and caption, or text only."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import datetime

from bot.progress.chart import progress_chart
from bot.progress.summary import ProgressData, progress_data
from bot.progress.wording import weekly_text
from bot.store.db import Database

SendText = Callable[[str, str], Awaitable[None]]
"""``async send_text(patient_id, text)``."""
SendPhoto = Callable[[str, bytes, str], Awaitable[None]]
"""``async send_photo(patient_id, png, caption)``."""


class WeeklySummaries:
    """Builds one patient's Sunday summary at send time and delivers it.

    Args:
        database: Where the episode log lives.
        send_text: Sends a plain text; used when there is no photo sender or nothing to chart.
        send_photo: Sends a PNG with a caption; optional.
    """

    def __init__(
        self, database: Database, send_text: SendText, send_photo: SendPhoto | None = None
    ) -> None:
        self._database = database
        self._send_text = send_text
        self._send_photo = send_photo

    def _load(self, patient_id: str, now: datetime) -> ProgressData:
        with self._database.sessions() as session:
            return progress_data(session, patient_id, now)

    async def __call__(self, patient_id: str, now: datetime) -> None:
        """Send the summary of the week up to ``now``; raising means "not delivered"."""
        data = await asyncio.to_thread(self._load, patient_id, now)
        text = weekly_text(data.summary)
        if self._send_photo is None or not data.summary.has_any_data:
            await self._send_text(patient_id, text)
            return
        png = await asyncio.to_thread(progress_chart, data)
        await self._send_photo(patient_id, png, text)
