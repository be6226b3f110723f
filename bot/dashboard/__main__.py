"""Entry point: ``python -m bot.dashboard`` (see :mod:`bot.dashboard.cli`)."""

import sys

from bot.dashboard.cli import main

if __name__ == "__main__":
    sys.exit(main())
