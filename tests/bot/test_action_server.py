"""The action server starts without TensorFlow and jax (bot.action_server)."""

from __future__ import annotations

import os
import subprocess
import sys

PROBE = """
import sys
from bot.action_server import block_unused_frameworks
print(block_unused_frameworks())
import actions  # noqa: F401
from bot.nlu.extract import parse_score
import thinc.compat
assert parse_score("about a 7 today") == 7, parse_score("about a 7 today")
print(thinc.compat.has_tensorflow, "jax" in sys.modules and sys.modules["jax"] is not None,
      "tensorflow" in sys.modules
      and sys.modules["tensorflow"] is not None)
"""


def _probe(**env: str) -> list[str]:
    result = subprocess.run([sys.executable, "-c", PROBE], capture_output=True, text=True,
                            env={**os.environ, **env}, check=True, timeout=300)
    return result.stdout.strip().splitlines()


def test_actions_load_and_work_without_tensorflow_and_jax() -> None:
    assert _probe() == ["['tensorflow', 'jax']", "False False False"]


def test_the_block_can_be_switched_off() -> None:
    assert _probe(ACTION_SERVER_ALLOW_TF="1") == ["[]", "True True True"]
