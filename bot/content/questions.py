"""The questions forms ask, from ``content/questions.yml``, each with its answer buttons."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from bot.content.loader import CONTENT_DIR
from bot.content.models import ContentError

QUESTIONS_FILE = CONTENT_DIR / "questions.yml"
SCALE = [str(n) for n in range(11)]


@lru_cache(maxsize=1)
def load_questions(path: Path = QUESTIONS_FILE) -> dict[str, dict[str, Any]]:
    """Read and check the questions file.

    Raises:
        ContentError: a question has no text or its buttons are malformed.
    """
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    questions: dict[str, dict[str, Any]] = {}
    for slot, spec in data.items():
        text = (spec or {}).get("text")
        if not isinstance(text, str) or not text.strip():
            raise ContentError(f"{path.name}: question {slot!r} has no text")
        raw = spec.get("buttons", [])
        titles = SCALE if raw == "scale" else raw
        if not isinstance(titles, list) or not all(isinstance(t, str) for t in titles):
            raise ContentError(f"{path.name}: question {slot!r} has malformed buttons")
        buttons = [{"title": t, "payload": t.lower() if t.isalpha() else t} for t in titles]
        if spec.get("skip"):
            buttons.append({"title": "Skip", "payload": "skip"})
        questions[slot] = {"text": " ".join(text.split()), "buttons": buttons}
    return questions
