"""What /progress and the Sunday summary say, in plain words (no markup).

Honest and warm: numbers as they are, a harder week named without blame, no promises of
cure, nothing about medication. Short enough for a photo caption (1024 characters).
"""

from __future__ import annotations

from bot.progress.summary import ToolEffect, WeekSummary

CAPTION_LIMIT = 1024

TOOL_LABELS = {
    "breathing": "slow breathing",
    "grounding": "5-4-3-2-1 grounding",
    "reframe": "seeing the pain as a false alarm",
    "pacing": "pacing",
    "desensitization": "gentle texture practice",
    "just_listen": "talking it through",
}

EMPTY_PROGRESS = (
    "There's nothing to show yet, and that's completely okay. Once you've done a few "
    "evening check-ins (send /checkin any time) or told me about a flare, I'll draw your "
    "pain trend and flares here."
)
EMPTY_WEEKLY = (
    "Your Sunday summary: nothing was logged this week, and that's okay. If you'd like to "
    "see how things move over time, the evening check-in (/checkin) is an easy start.\n\n"
    "To stop these Sunday messages, send /settings weekly off."
)
PROGRESS_HEADER = "Here's how your last 7 days look:"
WEEKLY_HEADER = "Your Sunday summary for this week:"
HARDER_WEEK = (
    "A week with more flares or more pain is not a failure or a step back. An "
    "oversensitive alarm settles over months, with ups and downs along the way."
)
STEADY_WEEK = (
    "Ups and downs are part of retraining an oversensitive alarm. Every check-in helps "
    "you see the bigger picture."
)
WEEKLY_OFF_HINT = "To stop these Sunday messages, send /settings weekly off."


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
    return TOOL_LABELS.get(tool, tool.replace("_", " "))


def _flares(summary: WeekSummary) -> str:
    return f"- Flares logged: {summary.flares} (the week before: {summary.flares_before})"


def _pain(summary: WeekSummary) -> str:
    if summary.pain_average is None:
        return "- Pain at check-ins: no check-ins with a pain score this week"
    line = f"- Pain at check-ins: {number(summary.pain_average)} out of 10 on average"
    if summary.pain_average_before is not None:
        line += f" (the week before: {number(summary.pain_average_before)})"
    return line


def _helped(effect: ToolEffect) -> str:
    flares = "flare" if effect.flares == 1 else "flares"
    return (
        f"- What seemed to help most: {tool_label(effect.tool)} (pain eased by "
        f"{number(effect.average_drop)} points on average, in {effect.flares} {flares})"
    )


def summary_lines(summary: WeekSummary) -> list[str]:
    """The bullet lines shared by /progress and the Sunday summary."""
    lines = [_flares(summary), _pain(summary)]
    if summary.recovery_minutes is not None:
        lines.append(f"- Flares settled in {duration(summary.recovery_minutes)} on average")
    if summary.helped_most is not None:
        lines.append(_helped(summary.helped_most))
    return lines


def progress_text(summary: WeekSummary) -> str:
    """The /progress message (the chart's caption)."""
    if not summary.has_any_data:
        return EMPTY_PROGRESS
    closing = HARDER_WEEK if summary.harder_week else STEADY_WEEK
    return "\n".join([PROGRESS_HEADER, *summary_lines(summary), "", closing])


def weekly_text(summary: WeekSummary) -> str:
    """The Sunday summary message."""
    if not summary.has_any_data or (
        summary.flares == 0 and summary.pain_average is None and summary.flares_before == 0
    ):
        return EMPTY_WEEKLY
    closing = HARDER_WEEK if summary.harder_week else STEADY_WEEK
    return "\n".join(
        [WEEKLY_HEADER, *summary_lines(summary), "", closing, "", WEEKLY_OFF_HINT]
    )
