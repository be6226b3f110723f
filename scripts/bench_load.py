"""What the gateway benchmarks share (scripts/bench_gateway.py, scripts/bench_alerts.py):
the load process (fake Bot API server and simulated people, its own process) and the
percentiles they print.

scripts/bench_ab.py copies this file next to its copy of bench_gateway.py into an older
tree's export, so it imports nothing of the tree's own.
"""

from __future__ import annotations

import asyncio
import json
import os
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]


def percentile(values: list[float], fraction: float) -> float:
    """The value at ``fraction`` (0..1) of the sorted ``values`` (nearest rank)."""
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(fraction * len(ordered)) - 1))
    return ordered[index]


async def start_load(module: str, config: dict[str, Any]) -> asyncio.subprocess.Process:
    """Start ``python -m <module>`` (e.g. ``tests.fake_telegram.load``) and hand it
    ``config`` as one JSON line on its stdin."""
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", module,
        cwd=ROOT, stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    assert process.stdin is not None
    process.stdin.write((json.dumps(config) + "\n").encode())
    await process.stdin.drain()
    return process


async def read_line(process: asyncio.subprocess.Process) -> dict[str, Any]:
    """The load process's next JSON line."""
    assert process.stdout is not None
    line = await process.stdout.readline()
    if not line:
        raise RuntimeError("the load process ended early (see its stderr)")
    return dict(json.loads(line))
