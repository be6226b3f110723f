"""What flows through the gateway: inbound events, and the channel interface replies go to.

A channel (Telegram, the terminal) turns its own updates into :class:`Inbound` values and
implements :class:`Channel` for sending; everything else is shared.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

# Inbound kinds.
TEXT = "text"
COMMAND = "command"
BUTTON = "button"  # an inline-keyboard press (callback query)
EDITED = "edited"
FORWARDED = "forwarded"
IGNORED = "ignored"  # an update we do not act on (still taken in once)
NON_TEXT_KINDS = (
    "sticker",
    "photo",
    "voice",
    "audio",
    "video",
    "document",
    "location",
    "contact",
    "other",
)

# Callback data of the gateway's own buttons; Rasa buttons are "b:<index>".
CONSENT_YES = "c:yes"
CONSENT_NO = "c:no"
DELETE_YES = "d:yes"
DELETE_NO = "d:no"
RASA_BUTTON_PREFIX = "b:"


@dataclass(frozen=True)
class Inbound:
    """One thing a person did in a chat, already stripped of channel details.

    Attributes:
        channel: "telegram" or "terminal".
        user_id: the account id on that channel (never sent to Rasa).
        chat_id: where replies go.
        kind: one of the kinds above.
        text: the text, caption, command line or pressed button's data.
        update_id: Telegram's update id (taken in once), if any.
        message_id: the channel's message id (for a button press: the message it was on).
        callback_id: the callback query to answer, for button presses.
        private: False for group chats (the assistant only talks in private).
        language: the sender's language tag as the channel reports it ("en-GB"), if any.
    """

    channel: str
    user_id: str
    chat_id: int
    kind: str
    text: str | None = None
    update_id: int | None = None
    message_id: int | None = None
    callback_id: str | None = None
    private: bool = True
    language: str | None = None

    @property
    def command(self) -> tuple[str, list[str]]:
        """For a command: its name (lower case, no slash or @bot) and its arguments."""
        parts = (self.text or "").split()
        if not parts:
            return "", []
        name = parts[0].lstrip("/").split("@", 1)[0].lower()
        return name, parts[1:]


class DeliveryError(Exception):
    """A message could not be delivered (after retries)."""


class Channel(Protocol):
    """Sending side of a chat channel. Buttons are ``(title, callback data)`` pairs."""

    name: str

    async def send_text(
        self, chat_id: int, text: str, buttons: Sequence[tuple[str, str]] = ()
    ) -> int | None:
        """Send text (with buttons); return the channel's message id."""
        ...

    async def send_image(self, chat_id: int, url: str, caption: str | None = None) -> int | None:
        """Send an image by URL; return the channel's message id."""
        ...

    async def send_document(
        self, chat_id: int, filename: str, data: bytes, caption: str | None = None
    ) -> int | None:
        """Send a file; return the channel's message id."""
        ...

    async def send_photo(
        self, chat_id: int, filename: str, data: bytes, caption: str | None = None
    ) -> int | None:
        """Send a picture given as bytes (e.g. a PNG chart); return the message id."""
        ...

    async def typing(self, chat_id: int) -> None:
        """Show a typing indicator (best effort, never raises)."""
        ...

    async def answer_button(self, callback_id: str | None) -> None:
        """Acknowledge a button press (best effort, never raises)."""
        ...

    async def mark_chosen(self, chat_id: int, message_id: int, text: str | None) -> None:
        """Remove a message's buttons; with ``text``, show the choice (best effort)."""
        ...

    async def leave_chat(self, chat_id: int) -> None:
        """Leave a group chat (best effort)."""
        ...
