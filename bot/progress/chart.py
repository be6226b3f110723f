"""One PNG for /progress: the pain trend above the flares per week.

Both panels are drawn by :mod:`bot.analytics.charts` (the coach dashboard's charts) and
stacked into one picture, so a patient gets a single photo.
"""

from __future__ import annotations

import io

import numpy as np
from matplotlib import image

from bot.analytics.charts import flares_chart, pain_chart
from bot.content import get_content
from bot.progress.summary import ProgressData


def _pixels(png: bytes) -> np.ndarray:
    return image.imread(io.BytesIO(png), format="png")


def progress_chart(data: ProgressData) -> bytes:
    """PNG bytes: pain at check-ins (top) and flares per week (bottom)."""
    content = get_content()
    top = _pixels(pain_chart(data.pain_points, content.phrase("chart_pain_title")))
    bottom = _pixels(flares_chart(data.flare_weeks, content.phrase("chart_flares_title")))
    width = max(top.shape[1], bottom.shape[1])
    panels = [_pad(panel, width) for panel in (top, bottom)]
    buffer = io.BytesIO()
    image.imsave(buffer, np.vstack(panels), format="png")
    return buffer.getvalue()


def _pad(panel: np.ndarray, width: int) -> np.ndarray:
    """Widen a panel to ``width`` pixels with white (charts are normally the same size)."""
    missing = width - panel.shape[1]
    if missing <= 0:
        return panel
    filler = np.ones((panel.shape[0], missing, panel.shape[2]), dtype=panel.dtype)
    return np.hstack([panel, filler])
