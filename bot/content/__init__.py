"""The reviewable content in ``content/*.yml``: what it holds and how it is loaded.

:mod:`bot.content.models` holds the values, :mod:`bot.content.loader` reads and validates
the files, :mod:`bot.content.questions` the form questions. Import from here
(``from bot.content import get_content``); nothing is read at import time.
"""

from __future__ import annotations

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
