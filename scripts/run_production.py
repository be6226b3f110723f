"""`make run-production`: the production profile on one machine, with real processes.

    .venv/bin/python scripts/run_production.py --rasa-replicas 2 --action-servers 2 \
        --gateway-workers 2

Starts, each as its own process with only the variables it needs:

- PostgreSQL (must be running; ``--database-url``) for the application database and Rasa's
  SQL tracker store (``bot.rasa.tracker_store.FastSQLTrackerStore``), Redis (must be running;
  ``--redis-url``) for Rasa's lock store;
- N Rasa replicas, M action servers (``bot.action_server``, without TensorFlow) and K gateway
  workers in webhook mode (``python -m bot``), all behind one nginx (Debian's package,
  ``make nginx``) on ``--nginx-port``: ``/webhook`` balances over the action servers,
  ``/rasa-<n>/`` is replica n (the gateway routes each patient to one replica, sticky,
  and claims the patient across workers, see ``bot/gateway/single_flight.py``), and
  ``/telegram`` balances Telegram's webhook calls over the gateway workers.

The same layout as text for real machines: ``deploy/`` (systemd units, a compose file,
Kubernetes manifests) and ``docs/DEPLOYMENT.md``. Telegram's webhook must be HTTPS: put
TLS in front of nginx (or in it) for a real bot; the fake Bot API used by
``make bench-production`` does not call back, the benchmark posts the updates itself.
"""

from __future__ import annotations

import argparse
import os
import secrets
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import httpx
from sqlalchemy.engine import make_url

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bot.store.db import migrate  # noqa: E402

NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
# Variables every child may inherit from the shell (nothing secret, nothing of ours).
BASE_ENV = ("PATH", "HOME", "LANG", "LC_ALL", "TZ", "PYTHONWARNINGS")


@dataclass
class Layout:
    """Ports and counts of one production profile."""

    rasa_replicas: int = 2
    action_servers: int = 2
    gateway_workers: int = 2
    nginx_port: int = 5480
    rasa_port: int = 5405
    action_port: int = 5455
    gateway_port: int = 5470

    @property
    def front(self) -> str:
        """nginx's address."""
        return f"http://127.0.0.1:{self.nginx_port}"

    def rasa_urls(self) -> list[str]:
        """Each replica through nginx (``/rasa-<n>``)."""
        return [f"{self.front}/rasa-{n}" for n in range(1, self.rasa_replicas + 1)]


@dataclass
class Production:
    """A running production profile."""

    layout: Layout
    database_url: str
    rasa_token: str
    webhook_secret: str
    processes: dict[str, subprocess.Popen[bytes]] = field(default_factory=dict)
    log_dir: Path = ROOT / "var" / "production"
    redis_url: str = "redis://127.0.0.1:6379/0"
    telegram: dict[str, str] = field(default_factory=dict)
    model: Path = ROOT / "models" / "flare.tar.gz"
    action_token: str = field(default_factory=lambda: secrets.token_urlsafe(24))

    def restart(self, name: str) -> None:
        """Start ``name`` (``rasa-1``, ``actions-2``, ``gateway-1``...) again after a kill."""
        kind, number = name.rsplit("-", 1)
        if kind == "rasa":
            start_rasa(self, int(number), self.log_dir / "endpoints.yml", self.model)
        elif kind == "actions":
            start_actions(self, int(number))
        elif kind == "gateway":
            start_gateway(self, int(number), self.telegram)
        else:
            raise ValueError(f"cannot restart {name}")

    def kill(self, name: str) -> int:
        """``kill -9`` one process by its name (fault tests); returns its pid."""
        process = self.processes[name]
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=10)
        return process.pid

    def stop(self) -> None:
        """SIGTERM everything (gateways first), then SIGKILL what is left."""
        order = sorted(self.processes, key=lambda n: (not n.startswith("gateway"), n))
        for name in order:
            if self.processes[name].poll() is None:
                self.processes[name].send_signal(signal.SIGTERM)
        deadline = time.monotonic() + 20
        for name in order:
            try:
                self.processes[name].wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                self.processes[name].kill()
                self.processes[name].wait(timeout=5)


def _env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k in BASE_ENV}
    env.update({"PYTHONPATH": str(ROOT), "TF_CPP_MIN_LOG_LEVEL": "2",
                "RASA_TELEMETRY_ENABLED": "false", "SQLALCHEMY_SILENCE_UBER_WARNING": "1"})
    env.update(extra)
    return env


def write_endpoints(path: Path, redis_url: str) -> Path:
    """Rasa's endpoints for the profile: SQL tracker store and the Redis lock store."""
    redis = make_url(redis_url.replace("redis://", "redis+x://", 1))
    path.write_text(
        "action_endpoint:\n  url: ${ACTION_SERVER_URL}\n  enable_selective_domain: true\n"
        "  headers:\n    X-Action-Server-Token: ${ACTION_SERVER_TOKEN}\n"
        "tracker_store:\n  type: bot.rasa.tracker_store.FastSQLTrackerStore\n"
        f"lock_store:\n  type: redis\n  url: {redis.host or '127.0.0.1'}\n"
        f"  port: {redis.port or 6379}\n  db: {(redis.database or '0').lstrip('/') or 0}\n"
        "  key_prefix: flare\n"
    )
    return path


def write_nginx(directory: Path, layout: Layout) -> Path:
    """Render ``deploy/nginx/flare.conf`` for this layout into a standalone nginx.conf."""
    template = (ROOT / "deploy" / "nginx" / "flare.conf").read_text()
    upstream = "\n".join
    site = (template
            .replace("__ACTIONS__", upstream(
                f"    server 127.0.0.1:{layout.action_port + n};"
                for n in range(layout.action_servers)))
            .replace("__GATEWAYS__", upstream(
                f"    server 127.0.0.1:{layout.gateway_port + n};"
                for n in range(layout.gateway_workers)))
            .replace("__RASA_LOCATIONS__", upstream(
                f"    location /rasa-{n + 1}/ {{ proxy_pass http://127.0.0.1:"
                f"{layout.rasa_port + n}/; }}" for n in range(layout.rasa_replicas)))
            .replace("__PORT__", str(layout.nginx_port)))
    (directory / "logs").mkdir(parents=True, exist_ok=True)
    conf = directory / "nginx.conf"
    conf.write_text(
        "daemon off;\nworker_processes 1;\npid nginx.pid;\nerror_log logs/error.log warn;\n"
        "events { worker_connections 4096; }\n"
        "http {\n  access_log off;\n  client_body_temp_path tmp;\n  proxy_temp_path tmp;\n"
        "  fastcgi_temp_path tmp;\n  uwsgi_temp_path tmp;\n  scgi_temp_path tmp;\n"
        + site + "\n}\n")
    (directory / "tmp").mkdir(exist_ok=True)
    return conf


def _spawn(production: Production, name: str, args: list[str],
           env: Mapping[str, str]) -> None:
    log = (production.log_dir / f"{name}.log").open("ab")
    production.processes[name] = subprocess.Popen(
        args, cwd=ROOT, env=dict(env), stdout=log, stderr=subprocess.STDOUT)


def _wait(url: str, production: Production, name: str, timeout: float = 600.0,
          params: Mapping[str, str] | None = None) -> None:
    """Poll ``url`` until it answers; ``params`` (Rasa's token) stay out of the error."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if production.processes[name].poll() is not None:
            raise RuntimeError(f"{name} exited; see {production.log_dir / (name + '.log')}")
        try:
            if httpx.get(url, params=params, timeout=2.0).status_code < 500:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.5)
    raise RuntimeError(f"{name} did not answer {url}")


def start_rasa(production: Production, number: int, endpoints: Path, model: Path) -> None:
    """Start (or restart) Rasa replica ``number`` (1-based)."""
    layout = production.layout
    name = f"rasa-{number}"
    _spawn(production, name, [
        # bot.rasa.serve reads the token from RASA_TOKEN: it is on no command line (ps).
        sys.executable, "-m", "bot.rasa.serve", "--enable-api",
        "--interface", "127.0.0.1", "--port", str(layout.rasa_port + number - 1),
        "--model", str(model), "--endpoints", str(endpoints), "--credentials",
        "credentials.yml"],
        _env(DATABASE_URL=production.database_url, RASA_TOKEN=production.rasa_token,
             ACTION_SERVER_TOKEN=production.action_token,
             ACTION_SERVER_URL=f"{layout.front}/webhook"))


def start_actions(production: Production, number: int) -> None:
    """Start (or restart) action server ``number`` (1-based)."""
    _spawn(production, f"actions-{number}", [
        sys.executable, "-m", "bot.action_server", "--actions", "actions",
        "--port", str(production.layout.action_port + number - 1)],
        _env(DATABASE_URL=production.database_url, ACTION_SERVER_TOKEN=production.action_token))


def start_gateway(production: Production, number: int, telegram: Mapping[str, str]) -> None:
    """Start (or restart) gateway worker ``number`` (1-based) in webhook mode."""
    layout = production.layout
    _spawn(production, f"gateway-{number}", [sys.executable, "-m", "bot"], _env(
        DATABASE_URL=production.database_url, RASA_URL=layout.rasa_urls()[0],
        RASA_URLS=",".join(layout.rasa_urls()), RASA_TOKEN=production.rasa_token,
        TELEGRAM_WEBHOOK_URL=f"https://127.0.0.1:{layout.nginx_port}/telegram",
        TELEGRAM_WEBHOOK_SECRET=production.webhook_secret,
        TELEGRAM_WEBHOOK_PORT=str(layout.gateway_port + number - 1), LOG_LEVEL="WARNING",
        RATE_LIMIT_REDIS_URL=production.redis_url,
        **telegram))


@contextmanager
def production_stack(layout: Layout, database_url: str, *, telegram: Mapping[str, str],
                     model: Path = ROOT / "models" / "flare.tar.gz",
                     redis_url: str = "redis://127.0.0.1:6379/3",
                     log_dir: Path | None = None) -> Iterator[Production]:
    """Run the profile until the block ends (see the module docstring).

    ``telegram``: TELEGRAM_BOT_TOKEN and TELEGRAM_API_BASE_URL for the gateway workers.
    """
    production = Production(layout, database_url, secrets.token_urlsafe(24),
                            secrets.token_urlsafe(24))
    production.log_dir = log_dir or ROOT / "var" / "production"
    production.redis_url = redis_url
    production.telegram = dict(telegram)
    production.model = model
    production.log_dir.mkdir(parents=True, exist_ok=True)
    migrate(database_url)
    endpoints = write_endpoints(production.log_dir / "endpoints.yml", redis_url)
    conf = write_nginx(production.log_dir / "nginx", layout)
    try:
        _spawn(production, "nginx", [NGINX, "-p", str(conf.parent), "-c", str(conf)], _env())
        for number in range(1, layout.action_servers + 1):
            start_actions(production, number)
        for number in range(1, layout.rasa_replicas + 1):
            start_rasa(production, number, endpoints, model)
        for number in range(1, layout.action_servers + 1):
            _wait(f"http://127.0.0.1:{layout.action_port + number - 1}/health", production,
                  f"actions-{number}")
        for number, url in enumerate(layout.rasa_urls(), start=1):
            _wait(f"{url}/status", production, f"rasa-{number}",
                  params={"token": production.rasa_token})
        for number in range(1, layout.gateway_workers + 1):
            start_gateway(production, number, telegram)
        for number in range(1, layout.gateway_workers + 1):
            _wait(f"http://127.0.0.1:{layout.gateway_port + number - 1}/", production,
                  f"gateway-{number}", timeout=120)
        yield production
    finally:
        production.stop()


def main() -> int:
    """Start the profile and keep it up until Ctrl-C."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    layout = Layout()
    parser.add_argument("--rasa-replicas", type=int,
                        default=int(os.environ.get("RASA_REPLICAS", layout.rasa_replicas)))
    parser.add_argument("--action-servers", type=int,
                        default=int(os.environ.get("ACTION_SERVERS", layout.action_servers)))
    parser.add_argument("--gateway-workers", type=int,
                        default=int(os.environ.get("GATEWAY_WORKERS", layout.gateway_workers)))
    parser.add_argument("--database-url", default=os.environ.get(
        "DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/flare"))
    parser.add_argument("--redis-url", default=os.environ.get("REDIS_URL",
                                                              "redis://127.0.0.1:6379/0"))
    parser.add_argument("--nginx-port", type=int, default=layout.nginx_port)
    args = parser.parse_args()
    if make_url(args.database_url).get_backend_name() != "postgresql":
        parser.error("the production profile runs on PostgreSQL (--database-url)")
    token = os.environ.get("TELEGRAM_BOT_TOKEN", "")
    if not token:
        parser.error("TELEGRAM_BOT_TOKEN is not set")
    telegram = {"TELEGRAM_BOT_TOKEN": token}
    if os.environ.get("TELEGRAM_API_BASE_URL"):
        telegram["TELEGRAM_API_BASE_URL"] = os.environ["TELEGRAM_API_BASE_URL"]
    layout = Layout(args.rasa_replicas, args.action_servers, args.gateway_workers,
                    args.nginx_port)
    with production_stack(layout, args.database_url, telegram=telegram,
                          redis_url=args.redis_url) as production:
        print(f"production profile up behind {layout.front}: "
              f"{', '.join(sorted(production.processes))}; logs in {production.log_dir}")
        try:
            while all(p.poll() is None for p in production.processes.values()):
                time.sleep(1.0)
        except KeyboardInterrupt:
            return 0
    return 1


if __name__ == "__main__":
    sys.exit(main())
