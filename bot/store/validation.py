"""Input checks shared by the store functions (raise ``ValueError``)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

MIN_SCORE = 0
MAX_SCORE = 10


def require_aware(name: str, value: datetime) -> datetime:
    """Return ``value`` if it is a timezone-aware datetime, else raise ``ValueError``."""
    if not isinstance(value, datetime):
        raise ValueError(f"{name} must be a datetime, got {type(value).__name__}")
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"{name} must be timezone-aware (use UTC)")
    return value


def check_score(name: str, value: int | None) -> int | None:
    """Return a 0-10 integer score or ``None`` (skipped); reject anything else."""
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError(f"{name} must be an integer 0-10 or None, got {value!r}")
    if not MIN_SCORE <= value <= MAX_SCORE:
        raise ValueError(f"{name} must be between {MIN_SCORE} and {MAX_SCORE}, got {value}")
    return value


def require_text(name: str, value: str, max_length: int | None = None) -> str:
    """Return ``value`` stripped; it must be a non-empty string within ``max_length``."""
    if not isinstance(value, str) or not value.strip():
        raise ValueError(f"{name} must be a non-empty string")
    value = value.strip()
    if max_length is not None and len(value) > max_length:
        raise ValueError(f"{name} must be at most {max_length} characters")
    return value


def merged(existing: Iterable[str] | None, new: Iterable[str]) -> list[str]:
    """Order-preserving union of two lists of strings, as a new list."""
    result: list[str] = []
    for item in [*(existing or ()), *new]:
        item = require_text("list item", item)
        if item not in result:
            result.append(item)
    return result
