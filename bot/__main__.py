"""``python -m bot``: the Telegram gateway when TELEGRAM_BOT_TOKEN is set, else a terminal chat."""

from __future__ import annotations

import asyncio
import sys

from bot.logs import configure_logging
from bot.settings import Settings, SettingsError


def main() -> int:
    """Start Telegram (with the scheduler) or the terminal chat."""
    try:
        settings = Settings.from_env()
    except SettingsError as exc:
        print(f"configuration error: {exc}", file=sys.stderr)
        return 2
    if settings.telegram_bot_token:
        from bot.gateway.app import run_telegram

        configure_logging(settings.log_level_number)  # secrets kept out of every line
        asyncio.run(run_telegram(settings))
    else:
        from bot.gateway.terminal import main as chat_main

        chat_main()
    return 0


if __name__ == "__main__":
    sys.exit(main())
