"""Run ``rasa run`` with the HTTP API token from ``RASA_TOKEN``, never on the command line.

``ps`` shows every process's arguments to every user of the machine, so the token is
read from the environment here and handed to Rasa's own CLI inside this process
(``sys.argv`` of a running process is not its ``/proc/<pid>/cmdline``). Every log record of
the process is redacted (:mod:`bot.logs`): Rasa's own lines never show a token either.
Usage: ``python -m bot.rasa.serve [rasa run options]``.
"""

from __future__ import annotations

import os
import sys

from bot.logs import install_redaction


def main() -> None:
    """Call Rasa's CLI as ``rasa run ... --auth-token=<RASA_TOKEN>``.

    One argument with ``=``: a token that starts with ``-`` (``secrets.token_urlsafe`` makes
    one in 64) would otherwise be read by argparse as an option, and Rasa would not start.
    """
    token = os.environ.get("RASA_TOKEN", "")
    if not token:
        print("error: RASA_TOKEN is not set", file=sys.stderr)
        raise SystemExit(2)
    from rasa.__main__ import main as rasa_main

    install_redaction()
    sys.argv = ["rasa", "run", *sys.argv[1:], f"--auth-token={token}"]
    rasa_main()


if __name__ == "__main__":
    main()
