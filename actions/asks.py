"""The questions forms ask, from content/questions.yml, each with its answer buttons."""

from __future__ import annotations

from abc import ABC, abstractmethod
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml
from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from bot.content import ContentError
from bot.settings import PROJECT_ROOT

QUESTIONS_FILE = PROJECT_ROOT / "content" / "questions.yml"
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


class AskAction(Action, ABC):
    """Ask the question for one slot (subclasses name the slot)."""

    @property
    @abstractmethod
    def slot(self) -> str:
        """The slot this action asks for."""

    def name(self) -> str:
        return f"action_ask_{self.slot}"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        question = load_questions()[self.slot]
        dispatcher.utter_message(text=question["text"], buttons=question["buttons"])
        return []


class AskSeverityStart(AskAction):
    slot = "severity_start"


class AskSeverityEnd(AskAction):
    slot = "severity_end"


class AskCheckinPain(AskAction):
    slot = "checkin_pain"


class AskCheckinSleep(AskAction):
    slot = "checkin_sleep"


class AskCheckinStress(AskAction):
    slot = "checkin_stress"


class AskCheckinPaced(AskAction):
    slot = "checkin_paced"


class AskCheckinPractice(AskAction):
    slot = "checkin_practice"


class AskCheckinNote(AskAction):
    slot = "checkin_note"
