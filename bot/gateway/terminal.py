"""Terminal chat: the same gateway code path as Telegram (message log, Rasa client, pauses).

Buttons are shown as numbered choices; type the number to choose. ``/quit`` or Ctrl-D
ends the chat. Run with ``python -m bot`` (no TELEGRAM_BOT_TOKEN) or ``flare-chat``.
"""

from __future__ import annotations

import asyncio
import getpass
import itertools
import logging
import sys
from collections.abc import Callable, Sequence
from typing import TextIO

from bot.gateway import model, texts
from bot.gateway.app import create_gateway
from bot.gateway.core import Gateway
from bot.logs import configure_logging
from bot.settings import Settings
from bot.store.db import Database

CHANNEL = "terminal"
CHAT_ID = 0
QUIT = ("/quit", "/exit")


class TerminalChannel:
    """Prints replies; remembers the open choices so a typed number can pick one."""

    name = CHANNEL

    def __init__(self, out: TextIO = sys.stdout) -> None:
        self._out = out
        self._ids = itertools.count(1)
        self.choices: tuple[int, list[tuple[str, str]]] | None = None

    def _print(self, text: str) -> None:
        print(text, file=self._out, flush=True)

    async def send_text(
        self, chat_id: int, text: str, buttons: Sequence[tuple[str, str]] = ()
    ) -> int | None:
        """Print text and numbered choices."""
        message_id = next(self._ids)
        self._print(f"bot: {text}")
        if buttons and _numeric_titles(buttons):
            # A 0-10 scale: show the titles themselves, so typing "7" means 7.
            self._print("     " + "  ".join(f"[{title}]" for title, _ in buttons))
            self.choices = (message_id, list(buttons))
        elif buttons:
            for number, (title, _) in enumerate(buttons, start=1):
                self._print(f"     [{number}] {title}")
            self.choices = (message_id, list(buttons))
        return message_id

    async def send_image(self, chat_id: int, url: str, caption: str | None = None) -> int | None:
        """Print the image's address."""
        self._print(f"bot: (image) {url}" + (f" {caption}" if caption else ""))
        return next(self._ids)

    async def send_document(
        self, chat_id: int, filename: str, data: bytes, caption: str | None = None
    ) -> int | None:
        """Print the document (the /mydata JSON)."""
        self._print(f"bot: {caption or ''} ({filename})\n{data.decode('utf-8', 'replace')}")
        return next(self._ids)

    async def send_photo(
        self, chat_id: int, filename: str, data: bytes, caption: str | None = None
    ) -> int | None:
        """A terminal shows no pictures: print the caption and the picture's name."""
        self._print(f"bot: (picture {filename})" + (f"\n{caption}" if caption else ""))
        return next(self._ids)

    async def typing(self, chat_id: int) -> None:
        """Nothing to show in a terminal."""

    async def answer_button(self, callback_id: str | None) -> None:
        """Nothing to acknowledge in a terminal."""

    async def mark_chosen(self, chat_id: int, message_id: int, text: str | None) -> None:
        """Close the choices of that message."""
        if self.choices is not None and self.choices[0] == message_id:
            self.choices = None

    async def leave_chat(self, chat_id: int) -> None:
        """Terminal chats are always private."""

    def to_inbound(self, line: str, user: str) -> model.Inbound:
        """Turn a typed line into an inbound event (a number picks an open choice)."""
        text = line.strip()
        if self.choices is not None:
            message_id, buttons = self.choices
            titles = [title.strip().lower() for title, _ in buttons]
            if text.lower() in titles:
                index = titles.index(text.lower())
            elif text.isdigit() and not _numeric_titles(buttons):
                index = int(text) - 1
            else:
                index = -1
            if 0 <= index < len(buttons):
                return model.Inbound(CHANNEL, user, CHAT_ID, model.BUTTON,
                                     text=buttons[index][1], message_id=message_id)
        kind = model.COMMAND if text.startswith("/") and len(text) > 1 else model.TEXT
        return model.Inbound(CHANNEL, user, CHAT_ID, kind, text=line)


def _numeric_titles(buttons: Sequence[tuple[str, str]]) -> bool:
    """Whether the choices are a number scale (their titles are numbers)."""
    return any(title.strip().isdigit() for title, _ in buttons)


async def run_chat(
    gateway: Gateway,
    channel: TerminalChannel,
    read_line: Callable[[], str],
    user: str,
) -> None:
    """Feed typed lines into the gateway until /quit or end of input."""
    gateway.add_channel(channel)
    while True:
        try:
            line = await asyncio.to_thread(read_line)
        except EOFError:
            break
        if line.strip().lower() in QUIT:
            break
        await gateway.receive(channel.to_inbound(line, user))
        await gateway.idle()  # show the whole reply (pauses included) before the next prompt


async def _main(settings: Settings) -> None:
    db = Database.from_settings(settings)
    db.migrate()
    gateway = create_gateway(settings, db)
    await gateway.start()
    channel = TerminalChannel()
    print(texts.TERMINAL_BANNER, flush=True)
    try:
        await run_chat(gateway, channel, lambda: input("you: "), f"local-{getpass.getuser()}")
    finally:
        await gateway.close()
        await gateway.rasa.aclose()
        db.dispose()


def main() -> None:
    """Entry point of the terminal chat."""
    settings = Settings.from_env()
    configure_logging(max(settings.log_level_number, logging.WARNING), logging.BASIC_FORMAT)
    asyncio.run(_main(settings))


if __name__ == "__main__":
    main()
