"""Turn Rasa's reply messages into channel-neutral steps (text, image, pause).

Text is sent as plain text (no parse mode), so nothing needs escaping; long text is
split under Telegram's 4096-character limit at paragraph, line or word boundaries.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from bot.gateway import texts

TELEGRAM_TEXT_LIMIT = 4096
MAX_PAUSE_SECONDS = 60.0


@dataclass(frozen=True)
class Button:
    """A choice offered to the patient; ``payload`` goes back to Rasa when chosen."""

    title: str
    payload: str


@dataclass(frozen=True)
class TextStep:
    """A text bubble, optionally with buttons under it."""

    text: str
    buttons: tuple[Button, ...] = field(default_factory=tuple)


@dataclass(frozen=True)
class ImageStep:
    """An image by URL, with an optional caption."""

    url: str
    caption: str | None = None


@dataclass(frozen=True)
class PauseStep:
    """Wait this many seconds before showing the next step."""

    seconds: float


Step = TextStep | ImageStep | PauseStep


def _buttons(raw: Any) -> tuple[Button, ...]:
    if not isinstance(raw, list):
        return ()
    found = []
    for item in raw:
        if not isinstance(item, dict):
            continue
        title = str(item.get("title") or "").strip()
        payload = str(item.get("payload") or title).strip()
        if title:
            found.append(Button(title=title, payload=payload))
    return tuple(found)


def _pause(custom: Any) -> PauseStep | None:
    if not isinstance(custom, dict) or "pause" not in custom:
        return None
    try:
        seconds = float(custom["pause"])
    except (TypeError, ValueError):
        return None
    return PauseStep(min(max(seconds, 0.0), MAX_PAUSE_SECONDS))


def to_steps(messages: list[dict[str, Any]]) -> list[Step]:
    """Convert Rasa messages to steps; unknown custom payloads show nothing."""
    steps: list[Step] = []
    for message in messages:
        pause = _pause(message.get("custom"))
        if pause is not None:
            steps.append(pause)
            continue
        text = message.get("text")
        buttons = _buttons(message.get("buttons"))
        if isinstance(text, str) and text.strip():
            steps.append(TextStep(text=text, buttons=buttons))
        elif buttons:
            steps.append(TextStep(text=texts.PLEASE_CHOOSE, buttons=buttons))
        image = message.get("image")
        if isinstance(image, str) and image:
            steps.append(ImageStep(url=image))
    return steps


def _cut(text: str, limit: int) -> int:
    """Where to cut ``text`` (longer than ``limit``): the last good boundary."""
    for separator in ("\n\n", "\n", " "):
        index = text.rfind(separator, 0, limit)
        if index > limit // 2:
            return index
    return limit


def split_text(text: str, limit: int = TELEGRAM_TEXT_LIMIT) -> list[str]:
    """Split ``text`` into chunks of at most ``limit`` characters."""
    chunks: list[str] = []
    rest = text.strip()
    while len(rest) > limit:
        index = _cut(rest, limit)
        chunk = rest[:index].rstrip()
        if chunk:
            chunks.append(chunk)
        rest = rest[index:].lstrip()
    if rest:
        chunks.append(rest)
    return chunks
