"""Progress for patients: /progress (chart and summary) and the Sunday summary.

``progress_data(session, patient_id, now)`` reads the numbers, ``progress_text`` /
``weekly_text`` put them in words, ``progress_chart`` draws the PNG, and
``WeeklySummaries(database, send_text, send_photo=None)`` is the scheduler's sender.
"""

from bot.progress.chart import progress_chart
from bot.progress.summary import (
    ProgressData,
    ToolEffect,
    WeekSummary,
    helped_most,
    progress_data,
    week_summary,
)
from bot.progress.weekly import WeeklySummaries
from bot.progress.wording import progress_text, weekly_text

__all__ = [
    "ProgressData",
    "ToolEffect",
    "WeekSummary",
    "WeeklySummaries",
    "helped_most",
    "progress_chart",
    "progress_data",
    "progress_text",
    "week_summary",
    "weekly_text",
]
