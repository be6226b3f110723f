"""`make bench-ab`: every lever of a cheaper turn, before and after, in one interleaved run.

    .venv/bin/python scripts/bench_ab.py                  # all phases (about 15 minutes)
    .venv/bin/python scripts/bench_ab.py --long-turns 60  # shorter

The machine is shared and has 2 cores, so absolute latencies are noisy: every variant runs
at the same time and the driver sends one message to each variant in turn (round robin),
so all of them see the same load; the robust figure is Rasa's CPU time per message (from
``/proc``), reported with latencies as ratios against the variant without the lever.

Variants (one Rasa and one action server each, on a scratch SQLite database):

- ``today``: the code and configuration before this work (``--base-ref``, extracted with
  ``git archive``), with TEDPolicy; the reference for "next to today's figure";
- ``new``: this tree as configured (no TEDPolicy, fast tracker store, sessions bounded,
  one kept HTTP session and no domain in action calls, action server without TF/jax);
- ``new+ted``: ``new`` with the TEDPolicy model (lever: TEDPolicy), its action server with
  TensorFlow and jax allowed (lever: action server RSS);
- ``new-store``: ``new`` with Rasa's own SQL tracker store (lever: tracker store fast path);
- ``new-unbounded``: ``new`` with ``RASA_SESSION_MAX_TURNS=0`` (lever: session bound);
- ``new-calls``: ``new`` with Rasa's HTTP session per call and the domain in every action
  call (lever: action calls);
- ``new-selector``: ``new`` with ``RASA_FAQ_GATE=0``, the ResponseSelector on every message
  (lever: ResponseSelector only where ``faq`` is possible, bot/rasa/faq_selector.py);
- ``new-unbounded-full``: ``new-unbounded`` with ``RASA_SLIM_TRACKER=0``, the whole tracker
  in every action call (lever: slim tracker, bot/rasa/slim_tracker.py; against
  ``new-unbounded``, so the session really grows).

``--only new,new-selector,...`` runs some of them (levers whose variants did not run are
left out of the table); ``--skip-gateway`` leaves out phase 4.

Phases: (1) one patient, a conversation per session, p50/p95 and CPU ms per message;
(2) one long session (``--long-turns``), turn 5 against the last turns, also the bytes the
action server reads per message (``rchar`` in ``/proc/<pid>/io``); (3) resident memory,
including the whole default stack (Rasa, actions, gateway, dashboard); (4) the gateway
benchmark with 50 patients (``scripts/bench_gateway.py``): today's code with one Rasa
against this tree with two Rasa replicas, alternating. Results: ``results/bench_ab.json``.
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
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from scripts.bench import SCRIPT, percentile  # noqa: E402

RESULTS = ROOT / "results"
VENV_BIN = Path(sys.executable).parent
PLAIN_STORE = "bot.rasa.tracker_store.DatabaseUrlTrackerStore"
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


@dataclass
class Variant:
    """One Rasa + action server under test."""

    name: str
    root: Path
    model: Path
    endpoints: str = "endpoints.yml"
    rasa_env: dict[str, str] = field(default_factory=dict)
    action_env: dict[str, str] = field(default_factory=dict)
    new_actions: bool = True  # bot.action_server (else `rasa run actions`)
    replicas: int = 1
    rasa_port: int = 0
    action_port: int = 0
    processes: list[subprocess.Popen[bytes]] = field(default_factory=list)
    database_url: str = ""

    @property
    def url(self) -> str:
        """The first Rasa replica."""
        return f"http://127.0.0.1:{self.rasa_port}"


def rss_mib(pid: int) -> float:
    """Resident memory of one process (MiB)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS


def bytes_read(pid: int) -> int:
    """Bytes a process has read so far (``rchar``: sockets included)."""
    for line in Path(f"/proc/{pid}/io").read_text().splitlines():
        if line.startswith("rchar:"):
            return int(line.split()[1])
    return 0


def extract_base(ref: str, target: Path) -> Path:
    """Today's code (``ref``) as plain files under ``target`` (no git state touched)."""
    target.mkdir(parents=True, exist_ok=True)
    archive = subprocess.run(["git", "archive", ref], cwd=ROOT, check=True,
                             capture_output=True).stdout
    subprocess.run(["tar", "-x", "-C", str(target)], input=archive, check=True)
    return target


def start(variant: Variant, scratch: Path, token: str) -> None:
    """Start the variant's action server and Rasa replicas (not waiting)."""
    database = scratch / f"{variant.name}.db"
    variant.database_url = f"sqlite:///{database}"
    env = {
        **os.environ, "PYTHONPATH": str(variant.root), "DATABASE_URL": variant.database_url,
        "ACTION_SERVER_URL": f"http://127.0.0.1:{variant.action_port}/webhook",
        "TF_CPP_MIN_LOG_LEVEL": "2", "RASA_TELEMETRY_ENABLED": "false",
        "SQLALCHEMY_SILENCE_UBER_WARNING": "1",
        # Rasa's REST channel and the action server each want their token (bot/rasa/channel.py,
        # bot/action_server.py); endpoints.yml sends the action server's.
        "RASA_TOKEN": token, "ACTION_SERVER_TOKEN": f"actions-{token}",
    }
    subprocess.run([sys.executable, "-c", "from bot.store.db import migrate; import os; "
                    "migrate(os.environ['DATABASE_URL'])"], cwd=variant.root, env=env, check=True)
    log = (scratch / f"{variant.name}-actions.log").open("ab")
    actions = ([sys.executable, "-m", "bot.action_server"] if variant.new_actions
               else [str(VENV_BIN / "rasa"), "run", "actions"])
    variant.processes.append(subprocess.Popen(
        [*actions, "--actions", "actions", "--port", str(variant.action_port)],
        cwd=variant.root, env={**env, **variant.action_env}, stdout=log, stderr=log))
    for number in range(variant.replicas):
        log = (scratch / f"{variant.name}-rasa-{number}.log").open("ab")
        variant.processes.append(subprocess.Popen(
            [sys.executable, "-m", "bot.rasa.serve", "--enable-api",  # token: RASA_TOKEN
             "--interface", "127.0.0.1", "--port", str(variant.rasa_port + number),
             "--model", str(variant.model), "--endpoints", variant.endpoints,
             "--credentials", "credentials.yml"],
            cwd=variant.root, env={**env, **variant.rasa_env}, stdout=log, stderr=log))


def wait_up(variants: list[Variant], token: str, timeout: float = 900.0) -> None:
    """Wait until every Rasa replica and action server answers."""
    deadline = time.monotonic() + timeout
    for variant in variants:
        urls = [f"http://127.0.0.1:{variant.action_port}/health"] + [
            f"http://127.0.0.1:{variant.rasa_port + n}/status" for n in range(variant.replicas)
        ]
        for url in urls:
            while True:
                if any(p.poll() is not None for p in variant.processes):
                    raise RuntimeError(f"{variant.name}: a server exited (see its log)")
                try:
                    if httpx.get(url, params={"token": token}, timeout=2.0).status_code == 200:
                        break
                except httpx.HTTPError:
                    pass
                if time.monotonic() > deadline:
                    raise RuntimeError(f"{variant.name}: {url} did not come up")
                time.sleep(1.0)


def interleave(variants: list[Variant], messages: list[str | None],
               token: str) -> dict[str, Any]:
    """Send ``messages`` to every variant, one message per variant in turn.

    ``None`` starts a new session (``/session_start``, not measured). Returns, per
    variant, the latency of each message (ms) and Rasa's CPU ms for each message.
    """
    out: dict[str, Any] = {v.name: {"ms": [], "cpu_ms": [], "action_bytes": []}
                           for v in variants}
    senders = {v.name: f"ab_{uuid.uuid4().hex[:8]}" for v in variants}
    with httpx.Client(timeout=60.0, params={"token": token}) as client:
        for text in messages:
            for variant in variants:
                endpoint = f"{variant.url}/webhooks/rest/webhook"
                body = {"sender": senders[variant.name], "message": text or "/session_start"}
                rasa_pid, action_pid = variant.processes[1].pid, variant.processes[0].pid
                cpu = cpu_seconds(rasa_pid)
                read = bytes_read(action_pid)
                started = time.perf_counter()
                client.post(endpoint, json=body).raise_for_status()
                if text is None:
                    continue
                out[variant.name]["ms"].append((time.perf_counter() - started) * 1000)
                out[variant.name]["cpu_ms"].append((cpu_seconds(rasa_pid) - cpu) * 1000)
                out[variant.name]["action_bytes"].append(bytes_read(action_pid) - read)
    return out


def summary(values: list[float]) -> dict[str, float]:
    """p50, p95 and mean of ``values``."""
    return {"p50": round(statistics.median(values), 1), "p95": round(percentile(values, 95), 1),
            "mean": round(statistics.mean(values), 1)}


def ratio(after: float, before: float) -> float:
    """after / before, rounded (0 when before is 0)."""
    return round(after / before, 2) if before else 0.0


def dashboard_rss(variant: Variant, scratch: Path, port: int) -> float:
    """Start the coach dashboard on the variant's database; its RSS once it answers."""
    env = {**os.environ, "PYTHONPATH": str(variant.root), "DATABASE_URL": variant.database_url,
           "DASHBOARD_PORT": str(port), "DASHBOARD_SECRET_KEY": uuid.uuid4().hex * 2}
    log = (scratch / f"{variant.name}-dashboard.log").open("ab")
    process = subprocess.Popen([sys.executable, "-m", "bot.dashboard", "serve"],
                               cwd=variant.root, env=env, stdout=log, stderr=log)
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and process.poll() is None:
            try:
                httpx.get(f"http://127.0.0.1:{port}/", timeout=2.0)
                return round(rss_mib(process.pid), 1)
            except httpx.HTTPError:
                time.sleep(0.5)
        return 0.0
    finally:
        process.terminate()
        process.wait(timeout=15)


def gateway_run(variant: Variant, token: str, patients: int, messages: int,
                seed: int) -> dict[str, Any]:
    """This tree's gateway benchmark, importing the variant's code."""
    script = ROOT / "scripts" / "bench_gateway.py"
    if variant.root != ROOT:  # the same benchmark, importing today's code
        script = variant.root / "scripts" / "bench_gateway_ab.py"
        script.write_text((ROOT / "scripts" / "bench_gateway.py").read_text())
        shared = variant.root / "scripts" / "bench_load.py"  # what it imports of scripts/
        shared.write_text((ROOT / "scripts" / "bench_load.py").read_text())
    env = {**os.environ, "PYTHONPATH": str(variant.root),
           "RASA_URLS": ",".join(f"http://127.0.0.1:{variant.rasa_port + n}"
                                 for n in range(variant.replicas))}
    result = subprocess.run(
        [sys.executable, str(script), "--rasa-url", variant.url, "--rasa-token", token,
         "--patients", str(patients), "--messages", str(messages), "--seed", str(seed),
         "--database-url", variant.database_url],
        cwd=variant.root, env=env, capture_output=True, text=True, check=False)
    text = result.stdout
    numbers = dict(re.findall(r"(p50|p95|throughput|lost|rss_mib|commits_per_message)="
                              r"([\d.]+)", text))
    if "lost" not in numbers:
        return {"error": result.stderr[-600:]}
    return {k: float(v) for k, v in numbers.items()}


def main() -> int:  # noqa: C901  (one linear script)
    """Run every phase, print the table and write results/bench_ab.json."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base-ref", default=None, help="today's code (default: merge-base "
                        "of HEAD and main)")
    parser.add_argument("--ted-model", type=Path, default=ROOT / "var/ab/ted.tar.gz")
    parser.add_argument("--model", type=Path, default=ROOT / "models/flare.tar.gz")
    parser.add_argument("--rounds", type=int, default=6)
    parser.add_argument("--long-turns", type=int, default=200)
    parser.add_argument("--patients", type=int, default=50)
    parser.add_argument("--gateway-messages", type=int, default=6)
    parser.add_argument("--gateway-runs", type=int, default=2)
    parser.add_argument("--port", type=int, default=5405, help="first Rasa port")
    parser.add_argument("--action-port", type=int, default=None,
                        help="first action server port (default: --port + 50)")
    parser.add_argument("--gateway-only", action="store_true",
                        help="only today and new, only the gateway phase (phase 4)")
    parser.add_argument("--only", default="", help="comma-separated variant names")
    parser.add_argument("--skip-gateway", action="store_true", help="leave out phase 4")
    args = parser.parse_args()
    base_ref = args.base_ref or subprocess.run(
        ["git", "merge-base", "HEAD", "main"], cwd=ROOT, check=True, capture_output=True,
        text=True).stdout.strip()
    token = uuid.uuid4().hex
    report: dict[str, Any] = {"base_ref": base_ref, "machine": "2 cores, shared"}
    with tempfile.TemporaryDirectory(prefix="bench-ab-") as tmp, ExitStack() as stop:
        scratch = Path(tmp)
        base = extract_base(base_ref, scratch / "base")
        (scratch / "plain_endpoints.yml").write_text(
            (ROOT / "endpoints.yml").read_text().replace(
                "bot.rasa.tracker_store.FastSQLTrackerStore", PLAIN_STORE))
        (scratch / "calls_endpoints.yml").write_text(
            (ROOT / "endpoints.yml").read_text().replace("enable_selective_domain: true",
                                                         "enable_selective_domain: false"))
        variants = [
            Variant("today", base, args.ted_model, new_actions=False),
            Variant("new", ROOT, args.model, replicas=2),
            Variant("new+ted", ROOT, args.ted_model, action_env={"ACTION_SERVER_ALLOW_TF": "1"}),
            Variant("new-store", ROOT, args.model, endpoints=str(scratch / "plain_endpoints.yml")),
            Variant("new-unbounded", ROOT, args.model, rasa_env={"RASA_SESSION_MAX_TURNS": "0"}),
            Variant("new-calls", ROOT, args.model, endpoints=str(scratch / "calls_endpoints.yml"),
                    rasa_env={"RASA_KEEP_HTTP_SESSION": "0"}),
            Variant("new-selector", ROOT, args.model, rasa_env={"RASA_FAQ_GATE": "0"}),
            Variant("new-unbounded-full", ROOT, args.model,
                    rasa_env={"RASA_SESSION_MAX_TURNS": "0", "RASA_SLIM_TRACKER": "0"}),
        ]
        if args.gateway_only:
            variants = variants[:2]
        elif args.only:
            wanted = args.only.split(",")
            variants = [v for v in variants if v.name in wanted]
        port = args.port
        for number, variant in enumerate(variants):
            first_action = args.action_port or args.port + 50
            variant.rasa_port, variant.action_port = port, first_action + number
            port += variant.replicas
        for variant in variants:
            stop.callback(lambda v=variant: [p.terminate() for p in v.processes])
            start(variant, scratch, token)
        started = time.monotonic()
        try:
            wait_up(variants, token)
        except RuntimeError:
            for log in sorted(scratch.glob("*.log")):  # the scratch folder goes with us
                print(f"--- {log.name}", *log.read_text(errors="replace").splitlines()[-15:],
                      sep="\n", file=sys.stderr)
            raise
        print(f"{len(variants)} variants up after {time.monotonic() - started:.0f} s "
              f"(today = {base_ref[:10]})", flush=True)
        short: list[str | None] = []
        for _ in range(0 if args.gateway_only else args.rounds):
            short += [None, *SCRIPT]
        phase1 = interleave(variants, short, token)
        long_script = (SCRIPT * (args.long_turns // len(SCRIPT) + 1))[: args.long_turns]
        phase2 = interleave(variants, [] if args.gateway_only else [None, *long_script], token)
        memory = {v.name: {"rasa_mib": round(rss_mib(v.processes[1].pid), 1),
                           "actions_mib": round(rss_mib(v.processes[0].pid), 1)}
                  for v in variants}
        by_name = {v.name: v for v in variants}
        # Free the machine for the gateway phase: only today and new stay up.
        for variant in variants:
            if variant.name not in ("today", "new"):
                for process in variant.processes:
                    process.terminate()
        dashboards = {name: dashboard_rss(by_name[name], scratch,
                                          (args.action_port or args.port + 50) + 8 + n)
                      for n, name in enumerate(("today", "new"))
                      if name in by_name and not args.skip_gateway}
        gateway: dict[str, list[dict[str, Any]]] = {
            name: [] for name in ("today", "new") if name in by_name}
        for run in range(0 if args.skip_gateway else args.gateway_runs):
            for name in gateway:
                gateway[name].append(gateway_run(by_name[name], token, args.patients,
                                                 args.gateway_messages, seed=run + 1))
                print(f"gateway {name} run {run + 1}: {gateway[name][-1]}", flush=True)
    if args.gateway_only:
        report["gateway"] = gateway
        RESULTS.mkdir(exist_ok=True)
        (RESULTS / "bench_ab_gateway.json").write_text(json.dumps(report, indent=2))
        for name, runs in gateway.items():
            print(name, runs)
        return 0
    report.update(_report(variants, phase1, phase2, memory, dashboards, gateway, args))
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "bench_ab.json").write_text(json.dumps(report, indent=2))
    _print(report)
    return 0


def _turn(latencies: list[float], first: int, last: int) -> float:
    window = latencies[first:last]
    return round(statistics.median(window), 1) if window else 0.0


def _report(variants: list[Variant], phase1: dict[str, Any], phase2: dict[str, Any],
            memory: dict[str, Any], dashboards: dict[str, float],
            gateway: dict[str, list[dict[str, Any]]], args: argparse.Namespace) -> dict[str, Any]:
    one = {name: {"latency_ms": summary(d["ms"]), "rasa_cpu_ms": summary(d["cpu_ms"])}
           for name, d in phase1.items()}
    n = args.long_turns
    long_ = {name: {"turn5_ms": _turn(d["ms"], 0, 10), f"turn{n}_ms": _turn(d["ms"], n - 10, n),
                    "turn5_cpu_ms": _turn(d["cpu_ms"], 0, 10),
                    f"turn{n}_cpu_ms": _turn(d["cpu_ms"], n - 10, n),
                    "turn5_action_bytes": _turn(d["action_bytes"], 0, 10),
                    f"turn{n}_action_bytes": _turn(d["action_bytes"], n - 10, n)}
             for name, d in phase2.items()}
    for values in long_.values():
        values["growth"] = ratio(values[f"turn{n}_ms"], values["turn5_ms"])

    def gw(name: str, key: str) -> float:
        runs = [r[key] for r in gateway.get(name, []) if key in r]
        return round(statistics.median(runs), 1) if runs else 0.0

    stack = {name: round(memory[name]["rasa_mib"] + memory[name]["actions_mib"]
                         + gw(name, "rss_mib") + dashboards[name], 1)
             for name in ("today", "new") if name in dashboards}
    cpu = {name: one[name]["rasa_cpu_ms"]["mean"] for name in one}
    p95 = {name: one[name]["latency_ms"]["p95"] for name in one}
    rasa_rss = {name: memory[name]["rasa_mib"] for name in memory}
    actions_rss = {name: memory[name]["actions_mib"] for name in memory}
    turn_n = {name: values[f"turn{n}_ms"] for name, values in long_.items()}
    bytes_n = {name: values[f"turn{n}_action_bytes"] for name, values in long_.items()}
    growth = {name: values["growth"] for name, values in long_.items()}
    slim = "slim tracker (new-unbounded vs new-unbounded-full)"
    # (label, measure, after variant, before variant): only where both variants ran.
    wanted = [
        ("TEDPolicy removed (new vs new+ted): Rasa CPU/msg", cpu, "new", "new+ted"),
        ("tracker store fast path (new vs new-store): Rasa CPU/msg", cpu, "new", "new-store"),
        (f"session bound (new vs new-unbounded): turn {n} latency", turn_n, "new",
         "new-unbounded"),
        ("action calls (new vs new-calls): Rasa CPU/msg", cpu, "new", "new-calls"),
        ("action server without TF/jax (new vs new+ted): RSS", actions_rss, "new", "new+ted"),
        ("TEDPolicy removed: Rasa RSS", rasa_rss, "new", "new+ted"),
        ("FAQ gate (new vs new-selector): Rasa CPU/msg", cpu, "new", "new-selector"),
        ("FAQ gate (new vs new-selector): one-patient p95", p95, "new", "new-selector"),
        ("FAQ gate (new vs new-selector): Rasa RSS", rasa_rss, "new", "new-selector"),
        (f"{slim}: turn {n} latency", turn_n, "new-unbounded", "new-unbounded-full"),
        (f"{slim}: turn {n} / turn 5", growth, "new-unbounded", "new-unbounded-full"),
        (f"{slim}: turn {n} action-server bytes", bytes_n, "new-unbounded",
         "new-unbounded-full"),
        (f"{slim}: Rasa CPU/msg", cpu, "new-unbounded", "new-unbounded-full"),
        ("everything (new vs today): Rasa CPU/msg", cpu, "new", "today"),
    ]
    levers = {label: ratio(measure[after], measure[before])
              for label, measure, after, before in wanted
              if after in measure and before in measure}
    if "today" in gateway and "new" in gateway:
        levers["gateway commits per message (new vs today)"] = ratio(
            gw("new", "commits_per_message"), gw("today", "commits_per_message"))
    targets: dict[str, list[float]] = {}
    if "today" in one and "new" in one:
        targets["one patient p95 <= 100 ms"] = [p95["new"], p95["today"]]
        targets[f"turn {n} <= 2x turn 5"] = [growth["new"], growth["today"]]
    if "today" in gateway and "new" in gateway:
        targets["50 patients p95 <= 500 ms (2 Rasa)"] = [gw("new", "p95"), gw("today", "p95")]
        targets["50 patients >= 25 msg/s (2 Rasa)"] = [gw("new", "throughput"),
                                                       gw("today", "throughput")]
    if "today" in stack and "new" in stack:
        targets["whole default stack <= 2200 MiB (1 Rasa)"] = [stack["new"], stack["today"]]
    return {"one_patient": one, "long_session": long_, "memory": memory,
            "dashboard_mib": dashboards, "gateway": gateway, "whole_stack_mib": stack,
            "levers_after_over_before": levers,
            "targets_new_vs_today": {k: {"new": a, "today": b, "ratio": ratio(a, b)}
                                     for k, (a, b) in targets.items()}}


def _print(report: dict[str, Any]) -> None:
    print("\none patient (interleaved): latency p50/p95 ms, Rasa CPU ms/msg mean")
    for name, values in report["one_patient"].items():
        lat, cpu = values["latency_ms"], values["rasa_cpu_ms"]
        print(f"  {name:18} {lat['p50']:7.1f} {lat['p95']:7.1f}   cpu {cpu['mean']:6.1f}")
    print("long session: turn 5 / last turns (median ms), growth; action-server bytes/msg")
    for name, values in report["long_session"].items():
        turns = [v for k, v in values.items() if k.endswith("_ms") and "cpu" not in k]
        sizes = [v for k, v in values.items() if k.endswith("_action_bytes")]
        print(f"  {name:18} {turns[0]:7.1f} {turns[1]:7.1f}   x{values['growth']}"
              f"   bytes {sizes[0]:9.0f} {sizes[1]:9.0f}")
    print("memory (MiB):", json.dumps(report["memory"]))
    print("levers, after / before (one run):")
    for name, value in report["levers_after_over_before"].items():
        print(f"  {value:5.2f}  {name}")
    print("targets: new (today) ratio")
    for name, value in report["targets_new_vs_today"].items():
        print(f"  {name}: {value['new']} ({value['today']}) {value['ratio']}x")


if __name__ == "__main__":
    sys.exit(main())
