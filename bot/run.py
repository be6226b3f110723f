"""``make run``: start the action server and Rasa, then the gateway in front of them.

With ``TELEGRAM_BOT_TOKEN`` set the gateway talks to Telegram; without it, a chat opens in
this terminal. Everything stops when the gateway ends (Ctrl-C or /quit in the chat).
"""

from __future__ import annotations

import logging
import subprocess
import sys

from bot.services import StackError, running_stack
from bot.settings import Settings, SettingsError


def main() -> int:
    """Run the whole assistant locally; return the exit status."""
    try:
        settings = Settings.from_env()
    except SettingsError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    logging.basicConfig(level=settings.log_level, format="%(levelname)s %(name)s: %(message)s")
    print("Starting the action server and Rasa (loading the model takes a little while)...")
    try:
        with running_stack(database_url=settings.database_url, token=settings.rasa_token) as stack:
            print(f"Rasa is up at {stack.rasa_url}; logs are in var/log/.")
            return subprocess.call([sys.executable, "-m", "bot"], env=stack.env)
    except StackError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
