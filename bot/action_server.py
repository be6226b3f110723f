"""Start the rasa-sdk action server without TensorFlow and jax.

    python -m bot.action_server --actions actions --port 5055

spaCy's ``thinc`` imports TensorFlow and jax when they are installed (they are, for Rasa)
although our blank English pipeline never uses them: the action server then holds about
470 MiB instead of about 110 MiB (``scripts/bench.py --ab``). ``thinc`` catches the
``ImportError`` of a module marked missing in ``sys.modules`` and carries on without it,
which is what happens here before anything imports spaCy. Rasa itself (which needs
TensorFlow) is never imported by the action server. ``ACTION_SERVER_ALLOW_TF=1`` turns the
block off.
"""

from __future__ import annotations

import os
import sys

BLOCKED = ("tensorflow", "jax")
ALLOW_ENV = "ACTION_SERVER_ALLOW_TF"


def block_unused_frameworks(env: dict[str, str] | None = None) -> list[str]:
    """Mark TensorFlow and jax as missing unless allowed; return what was blocked."""
    if (env if env is not None else os.environ).get(ALLOW_ENV, "").strip() in ("1", "true"):
        return []
    blocked = []
    for name in BLOCKED:
        if name not in sys.modules:
            sys.modules[name] = None  # type: ignore[assignment]
            blocked.append(name)
    return blocked


def main() -> None:
    """Block the frameworks, then run rasa-sdk's own command line."""
    block_unused_frameworks()
    from rasa_sdk.__main__ import main as sdk_main

    sdk_main()


if __name__ == "__main__":
    main()
