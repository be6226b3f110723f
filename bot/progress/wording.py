"""How /progress and the Sunday summary put the numbers into words (the words themselves are
in content/phrases.yml).

Honest and warm: numbers as they are, a harder week named without blame, no promises of
cure, nothing about medication. Short enough for a photo caption (1024 characters).
"""

from __future__ import annotations

from bot.content import get_content
from bot.progress.summary import ToolEffect, WeekSummary

CAPTION_LIMIT = 1024

# The words live in content/phrases.yml; these names read them on first use (see
# ``__getattr__`` at the end), so nothing is loaded at import time.
_PHRASE_OF = {
    "EMPTY_PROGRESS": "progress_empty",
    "EMPTY_WEEKLY": "weekly_empty",
    "PROGRESS_HEADER": "progress_header",
    "WEEKLY_HEADER": "weekly_header",
    "HARDER_WEEK": "harder_week",
    "STEADY_WEEK": "steady_week",
    "WEEKLY_OFF_HINT": "weekly_off_hint",
}


def _say(key: str, **values: object) -> str:
    return get_content().phrase(key, **values)


def number(value: float) -> str:
    """A number with at most one decimal, without a trailing ".0"."""
    text = f"{value:.1f}"
    return text[:-2] if text.endswith(".0") else text


def duration(minutes: float) -> str:
    """Minutes in words: "about 40 minutes", "about 1 hour 15 minutes"."""
    total = max(1, round(minutes))
    hours, rest = divmod(total, 60)
    parts = []
    if hours:
        parts.append(f"{hours} hour" + ("s" if hours > 1 else ""))
    if rest:
        parts.append(f"{rest} minute" + ("s" if rest > 1 else ""))
    return "about " + " ".join(parts)


def tool_label(tool: str) -> str:
    """A patient-facing name for a tool recorded in an episode."""
    return get_content().tool_labels.get(tool, tool.replace("_", " "))


def _flares(summary: WeekSummary) -> str:
    return _say("progress_flares", flares=summary.flares, before=summary.flares_before)


def _pain(summary: WeekSummary) -> str:
    if summary.pain_average is None:
        return _say("progress_pain_none")
    average = number(summary.pain_average)
    if summary.pain_average_before is not None:
        before = number(summary.pain_average_before)
        return _say("progress_pain_and_before", average=average, before=before)
    return _say("progress_pain", average=average)


def _helped(effect: ToolEffect) -> str:
    flares = "flare" if effect.flares == 1 else "flares"
    return _say("progress_helped", tool=tool_label(effect.tool), drop=number(effect.average_drop),
                count=effect.flares, flares=flares)


def summary_lines(summary: WeekSummary) -> list[str]:
    """The bullet lines shared by /progress and the Sunday summary."""
    lines = [_flares(summary), _pain(summary)]
    if summary.recovery_minutes is not None:
        lines.append(_say("progress_recovery", duration=duration(summary.recovery_minutes)))
    if summary.helped_most is not None:
        lines.append(_helped(summary.helped_most))
    return lines


def progress_text(summary: WeekSummary) -> str:
    """The /progress message (the chart's caption)."""
    if not summary.has_any_data:
        return _say("progress_empty")
    closing = _say("harder_week" if summary.harder_week else "steady_week")
    return "\n".join([_say("progress_header"), *summary_lines(summary), "", closing])


def weekly_text(summary: WeekSummary) -> str:
    """The Sunday summary message."""
    if not summary.has_any_data or (
        summary.flares == 0 and summary.pain_average is None and summary.flares_before == 0
    ):
        return _say("weekly_empty")
    closing = _say("harder_week" if summary.harder_week else "steady_week")
    return "\n".join(
        [_say("weekly_header"), *summary_lines(summary), "", closing, "", _say("weekly_off_hint")]
    )


def __getattr__(name: str) -> str:
    """``EMPTY_PROGRESS``, ``WEEKLY_HEADER`` and the other fixed sentences, from the content."""
    if name in _PHRASE_OF:
        return _say(_PHRASE_OF[name])
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
