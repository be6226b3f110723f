"""Start and stop the action server and the Rasa server as child processes.

Used by ``make run`` (through :mod:`bot.run`), the end-to-end tests and the benchmarks, so
all of them run the same real stack: Rasa with the trained model from ``models/``, the
rasa-sdk action server, and the database named by ``DATABASE_URL``.
"""

from __future__ import annotations

import logging
import os
import secrets
import signal
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from bot.child_env import child_env
from bot.settings import PROJECT_ROOT
from bot.store.db import migrate

logger = logging.getLogger(__name__)

VENV_BIN = Path(sys.executable).parent
STARTUP_TIMEOUT_SECONDS = 240.0


class StackError(RuntimeError):
    """A server did not start."""


@dataclass
class Stack:
    """A running action server and one or more Rasa servers (``rasa_urls``).

    ``env`` is the full environment for the gateway (it has every secret); each child
    process got only its part (:func:`bot.child_env.child_env`).
    """

    rasa_url: str
    action_url: str
    token: str
    env: dict[str, str]
    processes: list[subprocess.Popen[bytes]] = field(default_factory=list)
    rasa_urls: list[str] = field(default_factory=list)

    @property
    def rasa_processes(self) -> list[subprocess.Popen[bytes]]:
        """The Rasa replicas (the first process is the action server)."""
        return self.processes[1:]

    def stop(self) -> None:
        """Stop both servers (SIGTERM, then SIGKILL after a grace period).

        SIGTERM rather than SIGINT: a process started in the background by a shell ignores
        SIGINT, which only delayed the stop until the kill.
        """
        for process in reversed(self.processes):
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + 15
        for process in reversed(self.processes):
            remaining = max(0.1, deadline - time.monotonic())
            try:
                process.wait(timeout=remaining)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=5)


def _wait_until_up(
    url: str,
    process: subprocess.Popen[bytes],
    name: str,
    log: Path,
    params: Mapping[str, str] | None = None,
) -> None:
    """Poll ``url`` until it answers 200. ``params`` (Rasa's token) stay out of the error
    message; request logging is kept off them by :mod:`bot.logs`."""
    deadline = time.monotonic() + STARTUP_TIMEOUT_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise StackError(f"{name} exited with code {process.returncode}; see {log}")
        try:
            if httpx.get(url, params=params, timeout=2.0).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.5)
    raise StackError(f"{name} did not answer {url} within {STARTUP_TIMEOUT_SECONDS:.0f} s")


def _spawn(args: list[str], env: Mapping[str, str], log: Path) -> subprocess.Popen[bytes]:
    log.parent.mkdir(parents=True, exist_ok=True)
    handle = log.open("ab")
    return subprocess.Popen(
        args, cwd=PROJECT_ROOT, env=dict(env), stdout=handle, stderr=subprocess.STDOUT
    )


@contextmanager
def running_stack(
    *,
    database_url: str,
    rasa_port: int = 5005,
    action_port: int = 5055,
    host: str = "127.0.0.1",
    model: Path | None = None,
    log_dir: Path | None = None,
    token: str | None = None,
    rasa_replicas: int = 1,
    endpoints: str = "endpoints.yml",
    action_env: Mapping[str, str] | None = None,
) -> Iterator[Stack]:
    """Run the action server and Rasa (``rasa_replicas`` servers) until the block ends.

    Args:
        database_url: Where the episode log and Rasa's tracker store live.
        rasa_port: Port of the Rasa server (HTTP API protected by ``token``).
        action_port: Port of the action server.
        host: Interface both listen on (localhost unless configured otherwise).
        model: Model archive or folder; ``models/`` by default.
        log_dir: Where the servers' logs go; ``var/log`` by default.
        token: Token for Rasa's HTTP API; a fresh random one by default.
        rasa_replicas: Rasa servers to start, on ``rasa_port``, ``rasa_port + 1``, ...;
            the gateway routes each patient to one of them (``RASA_URLS``).
        endpoints: Rasa's endpoints file (benchmarks compare variants).
        action_env: Extra variables for the action server only.

    Raises:
        StackError: a server exited or did not answer in time.
    """
    token = token or secrets.token_urlsafe(24)
    action_token = os.environ.get("ACTION_SERVER_TOKEN") or secrets.token_urlsafe(24)
    log_dir = log_dir or PROJECT_ROOT / "var" / "log"
    action_url = f"http://{host}:{action_port}/webhook"
    rasa_urls = [f"http://{host}:{rasa_port + n}" for n in range(max(1, rasa_replicas))]
    rasa_url = rasa_urls[0]
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "ACTION_SERVER_URL": action_url,
        "RASA_URL": rasa_url,
        "RASA_URLS": ",".join(rasa_urls),
        "RASA_TOKEN": token,
        "ACTION_SERVER_TOKEN": action_token,
        "SANIC_HOST": host,
        "TF_CPP_MIN_LOG_LEVEL": "2",
        "RASA_TELEMETRY_ENABLED": "false",
        "SQLALCHEMY_SILENCE_UBER_WARNING": "1",
    }
    migrate(database_url)
    stack = Stack(
        rasa_url=rasa_url, action_url=action_url, token=token, env=env, rasa_urls=rasa_urls
    )
    try:
        actions_log = log_dir / "actions.log"
        stack.processes.append(
            _spawn(
                [
                    sys.executable,
                    "-m",
                    "bot.action_server",
                    "--actions",
                    "actions",
                    "--port",
                    str(action_port),
                ],
                {**child_env("actions", env), **(action_env or {})},
                actions_log,
            )
        )
        for number in range(len(rasa_urls)):
            rasa_log = log_dir / ("rasa.log" if number == 0 else f"rasa-{number + 1}.log")
            stack.processes.append(
                _spawn(
                    [  # the API token goes in the environment, never on the command line
                        sys.executable,
                        "-m",
                        "bot.rasa.serve",
                        "--enable-api",
                        "--interface",
                        host,
                        "--port",
                        str(rasa_port + number),
                        "--model",
                        str(model or PROJECT_ROOT / "models"),
                        "--endpoints",
                        endpoints,
                        "--credentials",
                        "credentials.yml",
                    ],
                    child_env("rasa", env),
                    rasa_log,
                )
            )
        _wait_until_up(
            f"http://{host}:{action_port}/health", stack.processes[0], "action server", actions_log
        )
        for number, url in enumerate(rasa_urls):
            _wait_until_up(f"{url}/status", stack.processes[1 + number], "Rasa", log_dir,
                           params={"token": token})
        logger.info("Rasa is up at %s, actions at %s", rasa_url, action_url)
        yield stack
    finally:
        stack.stop()
