"""Cost of the MiniLM encoder per message: latency (p50/p95) and extra resident memory.

    .venv/bin/python scripts/bench_encoder.py [--messages 300] [--threads 1]

Encodes real patient-style messages (tests/nlu/heldout.yml, one at a time, cache off, as
the Rasa server does for each incoming message) after a warm-up. Extra RSS is the resident
memory after loading the encoder and encoding everything, minus before loading it.
Prints a JSON line and writes results/bench_encoder.json. The machine's load average is
recorded too: other processes on a shared machine slow the wall-clock numbers; the CPU
time per message (``cpu_*``, this process only) is what the encoder itself costs.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import time
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]


def rss_mb() -> float:
    """Resident set size of this process in MB (Linux /proc)."""
    pages = int(Path("/proc/self/statm").read_text().split()[1])
    return pages * os.sysconf("SC_PAGE_SIZE") / 1e6


def messages(limit: int) -> list[str]:
    """Example texts from the held-out NLU file, repeated to ``limit``."""
    doc = yaml.safe_load((ROOT / "tests/nlu/heldout.yml").read_text())
    texts = [
        line[2:].strip()
        for block in doc["nlu"]
        for line in block["examples"].splitlines()
        if line.startswith("- ")
    ]
    return [texts[i % len(texts)] for i in range(limit)]


def main() -> None:
    """Measure and report."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=300)
    parser.add_argument("--threads", type=int, default=1, help="BLAS threads (threadpoolctl)")
    args = parser.parse_args()
    from threadpoolctl import threadpool_limits

    texts = messages(args.messages)
    before = rss_mb()
    started = time.perf_counter()
    from bot.nlu.encoder import Encoder

    encoder = Encoder(cache_size=0)
    load_seconds = time.perf_counter() - started
    timings: list[float] = []
    cpu: list[float] = []
    with threadpool_limits(limits=args.threads):
        for text in texts[:20]:
            encoder.encode([text])
        for text in texts:
            t0, c0 = time.perf_counter(), time.process_time()
            encoder.encode([text])
            timings.append((time.perf_counter() - t0) * 1000)
            cpu.append((time.process_time() - c0) * 1000)
    timings.sort()
    cpu.sort()
    result = {
        "messages": len(texts),
        "threads": args.threads,
        "p50_ms": round(statistics.median(timings), 2),
        "p95_ms": round(timings[int(0.95 * (len(timings) - 1))], 2),
        "max_ms": round(timings[-1], 2),
        "cpu_p50_ms": round(statistics.median(cpu), 2),
        "cpu_p95_ms": round(cpu[int(0.95 * (len(cpu) - 1))], 2),
        "load_seconds": round(load_seconds, 2),
        "extra_rss_mb": round(rss_mb() - before, 1),
        "load_average": os.getloadavg()[0],
        "cpus": os.cpu_count(),
    }
    (ROOT / "results").mkdir(exist_ok=True)
    (ROOT / "results/bench_encoder.json").write_text(json.dumps(result, indent=2))
    print(json.dumps(result))


if __name__ == "__main__":
    main()
