"""The reviewable content in ``content/*.yml``: what it holds and how it is loaded.

:mod:`bot.content.models` holds the values, :mod:`bot.content.loader` reads and validates
the files, :mod:`bot.content.questions` the form questions, :mod:`bot.content.sos` the
country question, ``/sos`` and the safety plan, :mod:`bot.content.alerts` the coach alerts and
aftercare. Import from here (``from bot.content import get_content``); nothing is read at
import time, and :func:`check_all_content` reads and checks every file at a process's start.
"""

from __future__ import annotations

from pathlib import Path

from bot.content.loader import (
    CONTENT_DIR,
    GROUNDING_ORDER,
    MIN_REFRAMES_PER_KIND,
    PROJECT_ROOT,
    REFRAME_KINDS,
    SEEDS_DIR,
    VALIDATION_CONTEXTS,
    get_content,
    load_content,
)
from bot.content.models import (
    INTRO_PAUSE_SECONDS,
    MAX_MESSAGE_CHARS,
    MAX_MESSAGE_LINES,
    BreathingCue,
    BreathingScript,
    BreathingStep,
    Content,
    ContentError,
    CrisisResources,
    Desensitization,
    Grounding,
    GroundingStep,
    PacingPlan,
    Reframe,
    Source,
    SourcedText,
    fits_phone_screen,
    normalise_text,
)
from bot.content.questions import load_questions


def check_all_content(root: Path | None = None) -> None:
    """Read and check every content file now, so a broken file stops a process at its start
    (the gateway, the action server) instead of failing the first patient or coach alert
    that needs it. With ``root`` (tests): read from there, not cached.

    Raises:
        ContentError: the first problem found, naming the file.
    """
    from bot.content.alerts import get_alert_content, load_alert_content
    from bot.content.sos import get_sos_content, load_sos_content

    if root is None:
        get_content(), get_sos_content(), get_alert_content(), load_questions()
        return
    load_content(root)
    load_sos_content(root)
    load_alert_content(root)
    load_questions(root / "questions.yml")

__all__ = [
    "CONTENT_DIR",
    "GROUNDING_ORDER",
    "INTRO_PAUSE_SECONDS",
    "MAX_MESSAGE_CHARS",
    "MAX_MESSAGE_LINES",
    "MIN_REFRAMES_PER_KIND",
    "PROJECT_ROOT",
    "REFRAME_KINDS",
    "SEEDS_DIR",
    "VALIDATION_CONTEXTS",
    "check_all_content",
    "BreathingCue",
    "BreathingScript",
    "BreathingStep",
    "Content",
    "ContentError",
    "CrisisResources",
    "Desensitization",
    "Grounding",
    "GroundingStep",
    "PacingPlan",
    "Reframe",
    "Source",
    "SourcedText",
    "fits_phone_screen",
    "get_content",
    "load_content",
    "load_questions",
    "normalise_text",
]
