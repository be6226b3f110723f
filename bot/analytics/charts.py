"""PNG charts drawn with matplotlib's Agg backend (no display, no pyplot state).

Each function takes plain data (see :mod:`bot.analytics.metrics`) and returns PNG bytes,
so the patient-side ``/progress`` command can reuse them.
"""

from __future__ import annotations

import io
import threading
from collections.abc import Sequence
from datetime import date

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from bot.analytics.metrics import EpisodeOutcome

# matplotlib's font cache and text layout are not thread-safe; charts are cheap.
_LOCK = threading.Lock()
_SIZE = (7.0, 3.0)
_DPI = 100
_COLOUR = "#3b6ea5"
_EMPTY = "Nothing logged yet"


def _png(figure: Figure) -> bytes:
    buffer = io.BytesIO()
    FigureCanvasAgg(figure)
    figure.savefig(buffer, format="png")
    return buffer.getvalue()


def _empty(axes: object, message: str = _EMPTY) -> None:
    axes.text(0.5, 0.5, message, ha="center", va="center", transform=axes.transAxes)  # type: ignore[attr-defined]
    axes.set_xticks([])  # type: ignore[attr-defined]
    axes.set_yticks([])  # type: ignore[attr-defined]


def pain_chart(points: Sequence[tuple[date, int]], title: str = "Pain at check-ins") -> bytes:
    """Line chart of 0-10 pain by date."""
    with _LOCK:
        figure = Figure(figsize=_SIZE, dpi=_DPI, layout="tight")
        axes = figure.add_subplot()
        axes.set_title(title)
        if points:
            days = [day for day, _ in points]
            axes.plot(days, [value for _, value in points], marker="o", color=_COLOUR)
            axes.set_ylim(0, 10)
            axes.set_ylabel("pain (0-10)")
            axes.grid(alpha=0.3)
            figure.autofmt_xdate()
        else:
            _empty(axes)
        return _png(figure)


def flares_chart(weeks: Sequence[tuple[date, int]], title: str = "Flares per week") -> bytes:
    """Bar chart of flares per week (labelled by the week's Monday)."""
    with _LOCK:
        figure = Figure(figsize=_SIZE, dpi=_DPI, layout="tight")
        axes = figure.add_subplot()
        axes.set_title(title)
        if weeks and any(count for _, count in weeks):
            labels = [monday.strftime("%d %b") for monday, _ in weeks]
            axes.bar(labels, [count for _, count in weeks], color=_COLOUR)
            axes.set_ylabel("flares")
            axes.yaxis.get_major_locator().set_params(integer=True)
            axes.tick_params(axis="x", labelrotation=45)
        else:
            _empty(axes, "No flares logged in these weeks")
        return _png(figure)


def episodes_chart(outcomes: Sequence[EpisodeOutcome]) -> bytes:
    """Two panels: severity drop within each flare, and how long each flare lasted."""
    with _LOCK:
        figure = Figure(figsize=(7.0, 4.5), dpi=_DPI, layout="tight")
        drop_axes, time_axes = figure.subplots(2, 1)
        drops = [(o.started_at, o.drop) for o in outcomes if o.drop is not None]
        drop_axes.set_title("Severity drop within a flare (start minus end)")
        if drops:
            colours = [_COLOUR if d >= 0 else "#b5533c" for _, d in drops]
            drop_axes.bar(range(len(drops)), [d for _, d in drops], color=colours)
            drop_axes.set_xticks(range(len(drops)), [t.strftime("%d %b") for t, _ in drops])
            drop_axes.axhline(0, color="black", linewidth=0.8)
            drop_axes.set_ylabel("points")
        else:
            _empty(drop_axes, "No flare with a start and an end severity yet")
        times = [(o.started_at, o.minutes) for o in outcomes if o.minutes is not None]
        time_axes.set_title("Recovery time (minutes from start to end of a flare)")
        if times:
            time_axes.plot([t for t, _ in times], [m for _, m in times], marker="o",
                           color=_COLOUR)
            time_axes.set_ylabel("minutes")
            time_axes.set_ylim(bottom=0)
            time_axes.grid(alpha=0.3)
        else:
            _empty(time_axes, "No closed flares yet")
        figure.autofmt_xdate()
        return _png(figure)
