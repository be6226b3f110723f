"""A message the gateway sends again is answered from the tracker, not processed again."""

from __future__ import annotations

from typing import Any

from rasa.core.channels.channel import CollectingOutputChannel, UserMessage
from rasa.shared.core.events import ActionExecuted, BotUttered, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from bot.rasa import once as rasa_once


def _tracker() -> DialogueStateTracker:
    return DialogueStateTracker.from_events("p-once", [
        ActionExecuted("action_listen"),
        UserUttered("hi", {"name": "greet"}, metadata={"message_id": 1}),
        BotUttered("Hello.", {"buttons": [{"title": "Yes", "payload": "/affirm"}]}),
        BotUttered(None, {"custom": {"pause": 2}}),
        ActionExecuted("action_listen"),
        UserUttered("my back hurts", {"name": "report_flare"},
                    metadata={"message_id": 2}),
        ActionExecuted("action_listen"),  # stored, but the action server was down
    ])


def test_answers_are_found_for_an_answered_message_only() -> None:
    tracker = _tracker()
    assert rasa_once.answers_to(tracker, 1) == [
        {"text": "Hello.", "buttons": [{"title": "Yes", "payload": "/affirm"}]},
        {"custom": {"pause": 2}},
    ]
    assert rasa_once.answers_to(tracker, 2) is None  # never answered: process it
    assert rasa_once.answers_to(tracker, 3) is None  # new


class _Store:
    def __init__(self, tracker: DialogueStateTracker) -> None:
        self.tracker = tracker

    async def retrieve(self, sender_id: str) -> DialogueStateTracker:
        return self.tracker


class _Processor:
    def __init__(self) -> None:
        self.tracker_store = _Store(_tracker())
        self.processed: list[str] = []


async def test_a_repeated_message_is_replayed_not_processed(monkeypatch: Any) -> None:
    processor = _Processor()

    async def original(self: Any, message: UserMessage) -> list[dict[str, Any]]:
        self.processed.append(message.text)
        return []

    monkeypatch.setattr(rasa_once, "_original_handle_message", original)
    again = UserMessage("hi", CollectingOutputChannel(), "p-once",
                        metadata={"message_id": 1})
    replies = await rasa_once._handle_message(processor, again)  # type: ignore[arg-type]
    assert [r.get("text") for r in replies or []] == ["Hello.", None]
    assert processor.processed == []
    new = UserMessage("more", CollectingOutputChannel(), "p-once",
                      metadata={"message_id": 3})
    await rasa_once._handle_message(processor, new)  # type: ignore[arg-type]
    assert processor.processed == ["more"]
