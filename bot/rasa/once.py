"""Each gateway message is answered by Rasa once, even when the gateway sends it again.

The gateway sends a message again when Rasa did not answer in time (a timeout, a restart
of the replica, a gateway worker that died after sending). Rasa may have processed the
first copy all the same, and processing it again would repeat the turn: the patient gets
the answers twice and actions run twice (an episode, a check-in answer, a safety flag).
The gateway puts its message id into the metadata (``message_id``); here, inside
Rasa's per-conversation lock, a message whose id is already in the tracker *and was
answered* is not processed again: the answers that followed it are sent back instead. A
message that was stored but never answered (the action server was down) is processed as
usual, since nothing reached the patient.
"""

from __future__ import annotations

from typing import Any

from rasa.core.channels.channel import CollectingOutputChannel, UserMessage
from rasa.core.processor import MessageProcessor
from rasa.shared.core.events import BotUttered, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

KEY = "message_id"


def answers_to(tracker: DialogueStateTracker, key: Any) -> list[dict[str, Any]] | None:
    """The replies Rasa gave to the user message with ``key``; None if never answered."""
    replies: list[dict[str, Any]] = []
    for event in reversed(tracker.events):
        if isinstance(event, BotUttered):
            data = {k: v for k, v in (event.data or {}).items() if v}
            replies.append({"text": event.text, **data} if event.text else data)
        elif isinstance(event, UserUttered):
            if (event.metadata or {}).get(KEY) == key:
                return list(reversed(replies)) or None
            replies = []
    return None


_original_handle_message = MessageProcessor.handle_message


async def _handle_message(
    self: MessageProcessor, message: UserMessage
) -> list[dict[str, Any]] | None:
    key = (message.metadata or {}).get(KEY)
    if key is not None and message.sender_id:
        tracker = await self.tracker_store.retrieve(message.sender_id)
        replies = answers_to(tracker, key) if tracker is not None else None
        if replies is not None:
            channel = message.output_channel
            for reply in replies:
                await channel.send_response(message.sender_id, dict(reply))
            if isinstance(channel, CollectingOutputChannel):
                return channel.messages
            return None
    return await _original_handle_message(self, message)


def apply() -> None:
    """Install the check (idempotent)."""
    MessageProcessor.handle_message = _handle_message
