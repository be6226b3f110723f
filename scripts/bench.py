"""`make bench`: the numbers the core issue asks for, written to results/bench.json.

1. Training time: a full `rasa train --force` (NLU and dialogue) into a scratch folder.
2. NLU: macro-F1 on a held-out split and on unseen phrasings, crisis recall and false
   alarms (scripts/evaluate_nlu.py).
3. Serving: the real stack (Rasa + action server + a fresh SQLite database) is started;
   model load time (process start until Rasa answers), resident memory of both servers,
   and message-to-reply latency for one patient over the REST channel (p50/p95/max).
4. The Telegram gateway benchmark (scripts/bench_gateway.py) against the same stack,
   when it is present, with two Rasa replicas (``--rasa-replicas``; patients sticky).

Every lever of a cheaper turn, before and after in one interleaved run, and the targets
next to today's figures: ``make bench-ab`` (scripts/bench_ab.py).

Nothing here is a pass/fail test; goals are printed next to what was measured.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bot.services import running_stack  # noqa: E402

RESULTS = ROOT / "results"
RASA = str(Path(sys.executable).parent / "rasa")

# One patient's conversation, repeated: flare, severity, tool, follow-up, fear, FAQ, chat.
SCRIPT = [
    "hi",
    "my lower back is flaring after a long drive",
    "7",
    "/request_grounding",
    "5",
    "I'm scared this will never end",
    "/deny",
    "is this all in my head?",
    "what is central sensitization",
    "thanks",
    "having a fibro flare, everything aches 8/10",
    "/just_listen",
    "i did too much in the garden and now my knees are burning",
    "6",
    "/request_reframe",
    "4",
    "bye",
]


def percentile(values: list[float], pct: float) -> float:
    """The pct-th percentile (nearest rank) of values."""
    ordered = sorted(values)
    rank = max(0, min(len(ordered) - 1, round(pct / 100 * len(ordered) + 0.5) - 1))
    return ordered[rank]


def rss_mib(pid: int) -> float:
    """Resident memory of one process in MiB (Linux /proc)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def bench_training() -> float:
    """Seconds for a full, forced training run."""
    with tempfile.TemporaryDirectory() as out:
        started = time.perf_counter()
        command = [RASA, "train", "--domain", "domain", "--force", "--out", out, "--quiet"]
        subprocess.run(command, cwd=ROOT, check=True)
        return time.perf_counter() - started


def bench_nlu() -> dict[str, object]:
    """Run the NLU evaluation and return its summary."""
    subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "evaluate_nlu.py")], cwd=ROOT, check=False
    )
    return json.loads((RESULTS / "nlu_summary.json").read_text())


def bench_serving(
    rounds: int, gateway_patients: int, model: Path | None = None, replicas: int = 2,
    rasa_port: int = 5105, gateway_messages: int = 20, capacity_patients: int = 100,
    action_port: int | None = None,
) -> dict[str, object]:
    """Start the stack on a scratch database and measure one patient's reply latency."""
    with tempfile.TemporaryDirectory() as scratch:
        database_url = f"sqlite:///{scratch}/bench.db"
        started = time.perf_counter()
        with running_stack(
            database_url=database_url,
            rasa_port=rasa_port,
            action_port=action_port or rasa_port + 50,
            log_dir=Path(scratch),
            model=model,
            rasa_replicas=replicas,
        ) as stack:
            load_seconds = time.perf_counter() - started
            # Each round is one conversation (a flare and its follow-up): Rasa starts a new
            # session after 2 hours of silence, which "/session_start" stands in for. The
            # same script without session breaks shows the cost of one very long session.
            latencies = _drive(stack.rasa_url, stack.token, rounds, new_session_each_round=True)
            long_session = _drive(stack.rasa_url, stack.token, rounds,
                                  new_session_each_round=False)
            memory = {
                "action_server_mib": round(rss_mib(stack.processes[0].pid), 1),
                "rasa_mib": round(rss_mib(stack.processes[1].pid), 1),  # one replica
            }
            # The load (think 1-3 s), long enough for a steady state, then twice the
            # patients: 50 patients thinking 2 s on average offer at most ~24 msg/s, so the
            # second run is the one that shows the capacity.
            gateway = bench_gateway(stack.rasa_url, stack.token, database_url, gateway_patients,
                                    stack.rasa_urls, gateway_messages)
            capacity = bench_gateway(stack.rasa_url, stack.token, database_url,
                                     capacity_patients, stack.rasa_urls, gateway_messages)
    return {
        "model_load_seconds": round(load_seconds, 1),
        "messages": len(latencies),
        "latency_ms": _summary(latencies),
        "latency_ms_one_long_session": _summary(long_session),
        "long_session_growth": _growth(long_session),
        "resident_memory": memory,
        "gateway": gateway,
        "gateway_capacity": capacity,
    }


def _drive(
    rasa_url: str, token: str, rounds: int, *, new_session_each_round: bool
) -> list[float]:
    """Send the script ``rounds`` times as one patient; return each reply's latency (ms)."""
    latencies: list[float] = []
    sender = f"bench_{uuid.uuid4().hex[:8]}"
    endpoint = f"{rasa_url}/webhooks/rest/webhook"
    # the REST channel wants Rasa's token (bot/rasa/channel.py)
    with httpx.Client(timeout=30.0, params={"token": token}) as client:
        for _ in range(rounds):
            if new_session_each_round:
                client.post(endpoint, json={"sender": sender, "message": "/session_start"})
            for text in SCRIPT:
                started = time.perf_counter()
                reply = client.post(endpoint, json={"sender": sender, "message": text})
                latencies.append((time.perf_counter() - started) * 1000)
                reply.raise_for_status()
    return latencies


def _growth(latencies: list[float]) -> dict[str, float]:
    """Turn 5 (median of turns 1-10) against the last turns (median of the last 10)."""
    first = statistics.median(latencies[:10])
    last = statistics.median(latencies[-10:])
    return {"turns": len(latencies), "turn5_ms": round(first, 1), "last_ms": round(last, 1),
            "growth": round(last / first, 2) if first else 0.0}


def _summary(latencies: list[float]) -> dict[str, float]:
    return {
        "p50": round(statistics.median(latencies), 1),
        "p95": round(percentile(latencies, 95), 1),
        "max": round(max(latencies), 1),
    }


def bench_gateway(
    rasa_url: str, token: str, database_url: str, patients: int, rasa_urls: list[str],
    messages: int = 4,
) -> object:
    """Run the Telegram gateway benchmark (fake Bot API server) against the running stack."""
    script = ROOT / "scripts" / "bench_gateway.py"
    if not script.exists() or patients <= 0:
        return None
    result = subprocess.run(
        [
            sys.executable,
            str(script),
            "--rasa-url",
            rasa_url,
            "--patients",
            str(patients),
            "--messages",
            str(messages),
            "--database-url",
            database_url,
        ],
        cwd=ROOT,
        env={**os.environ, "RASA_TOKEN": token, "RASA_URLS": ",".join(rasa_urls)},
        capture_output=True,
        text=True,
        check=False,
    )
    print(result.stdout.strip())
    numbers = dict(re.findall(r"(p50|p95|mean|throughput|lost|messages)=([\d.]+)", result.stdout))
    if "lost" not in numbers:
        return {"error": f"exit {result.returncode}", "stderr": result.stderr[-800:]}
    return {
        "patients": patients,
        "messages": int(float(numbers.get("messages", 0))),
        "latency_ms": {"p50": float(numbers["p50"]), "p95": float(numbers["p95"])},
        "messages_per_second": float(numbers["throughput"]),
        "lost": int(float(numbers["lost"])),
        "exit_status": result.returncode,
    }


def main() -> int:
    """Measure, print and write results/bench.json."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=6, help="conversation repetitions")
    parser.add_argument("--gateway-patients", type=int, default=50)
    parser.add_argument("--skip-training", action="store_true")
    parser.add_argument("--skip-nlu", action="store_true")
    parser.add_argument("--model", type=Path, default=None, help="default: models/")
    parser.add_argument("--rasa-replicas", type=int, default=2, help="for the gateway phase")
    parser.add_argument("--rasa-port", type=int, default=5105, help="actions on port + 50")
    parser.add_argument("--action-port", type=int, default=None,
                        help="default: --rasa-port + 50")
    parser.add_argument("--gateway-messages", type=int, default=20, help="per patient")
    parser.add_argument("--capacity-patients", type=int, default=100,
                        help="second gateway run, same think time (0: skip)")
    args = parser.parse_args()
    RESULTS.mkdir(exist_ok=True)
    report: dict[str, object] = {}
    if not args.skip_training:
        report["training_seconds"] = round(bench_training(), 1)
        print(f"training: {report['training_seconds']} s (goal < 300 s)")
    if not args.skip_nlu:
        report["nlu"] = bench_nlu()
    report["serving"] = bench_serving(args.rounds, args.gateway_patients, args.model,
                                      args.rasa_replicas, args.rasa_port,
                                      args.gateway_messages, args.capacity_patients,
                                      args.action_port)
    serving = report["serving"]
    print(
        f"model load: {serving['model_load_seconds']} s; "  # type: ignore[index]
        f"reply latency p50 {serving['latency_ms']['p50']} ms, "  # type: ignore[index]
        f"p95 {serving['latency_ms']['p95']} ms (goal <= 100 ms); "  # type: ignore[index]
        f"one {len(SCRIPT) * args.rounds}-message session: p95 "
        f"{serving['latency_ms_one_long_session']['p95']} ms; "  # type: ignore[index]
        f"memory {serving['resident_memory']}"  # type: ignore[index]
    )
    growth = serving["long_session_growth"]  # type: ignore[index]
    print(f"one long session ({growth['turns']} turns, --rounds x {len(SCRIPT)}): turn 5 "
          f"{growth['turn5_ms']} ms, last turns {growth['last_ms']} ms, x{growth['growth']} "
          "(goal <= 2x)")
    for name in ("gateway", "gateway_capacity"):
        run = serving.get(name)  # type: ignore[attr-defined]
        if isinstance(run, dict) and "latency_ms" in run:
            print(f"{name}: {run['patients']} patients, think 1-3 s: "
                  f"p95 {run['latency_ms']['p95']} ms (goal <= 500 ms), "
                  f"{run['messages_per_second']} msg/s (goal >= 25), lost {run['lost']}")
    (RESULTS / "bench.json").write_text(json.dumps(report, indent=2))
    print(f"Written {RESULTS / 'bench.json'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
