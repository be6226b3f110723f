"""Actions that ask a form's question (text and buttons from :mod:`bot.content.questions`)."""

from __future__ import annotations

from abc import ABC, abstractmethod

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from bot.content.questions import load_questions


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
