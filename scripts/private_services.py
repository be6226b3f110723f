"""A private PostgreSQL cluster and a private Redis for fault benchmarks (kill -9, restart).

The machine's PostgreSQL (5432) and Redis (6379) are shared by other work: the fault modes
``--fault postgres`` / ``--fault redis`` of ``scripts/bench_production.py`` never touch
them. They start their own:

- PostgreSQL: ``initdb`` + ``pg_ctl`` from ``/usr/lib/postgresql/*/bin`` into a temporary
  directory, on its own port, trust authentication on 127.0.0.1; as the ``postgres`` user
  when run as root (``initdb`` refuses root);
- Redis: ``redis-server --port <p> --save ''`` (nothing on disk; a restart starts empty,
  which is what a crash of a cache-only Redis looks like).

``kill()`` is ``kill -9`` of the server process (PostgreSQL's postmaster, read from
``postmaster.pid``); ``restart()`` starts it again on the same port and data directory
(PostgreSQL then runs crash recovery from its WAL).
"""

from __future__ import annotations

import contextlib
import glob
import os
import shutil
import signal
import subprocess
import tempfile
import time
from pathlib import Path


def _pg_bin() -> Path:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"))
    if not found:
        raise RuntimeError("no /usr/lib/postgresql/*/bin/pg_ctl")
    return Path(found[-1]).parent


def _as_owner(args: list[str]) -> list[str]:
    """Run as ``postgres`` when we are root (initdb and postgres refuse root)."""
    if os.geteuid() == 0:
        return ["runuser", "-u", "postgres", "--", *args]
    return args


class PrivatePostgres:
    """One throw-away PostgreSQL cluster on 127.0.0.1:``port``."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.bin = _pg_bin()
        self.root = Path(tempfile.mkdtemp(prefix="bench-pg-"))
        self.data = self.root / "data"
        self.log = self.root / "postgres.log"
        if os.geteuid() == 0:
            shutil.chown(self.root, "postgres", "postgres")
        os.chmod(self.root, 0o755)

    @property
    def admin_url(self) -> str:
        """Superuser URL of the ``postgres`` database."""
        return f"postgresql://postgres@127.0.0.1:{self.port}/postgres"

    def start(self) -> None:
        """initdb (first time) and start; waits until it accepts connections."""
        if not self.data.exists():
            subprocess.run(_as_owner([str(self.bin / "initdb"), "-D", str(self.data), "-U",
                                      "postgres", "-A", "trust", "--no-sync"]),
                           check=True, stdout=subprocess.DEVNULL)
        self._pg_ctl_start()

    def _pg_ctl_start(self) -> None:
        options = (f"-p {self.port} -c listen_addresses=127.0.0.1 -k {self.root} "
                   "-c fsync=on -c max_connections=200")
        deadline = time.monotonic() + 60
        while True:  # after kill -9, orphaned backends may hold the old shared memory a bit
            done = subprocess.run(_as_owner([
                str(self.bin / "pg_ctl"), "-D", str(self.data), "-l", str(self.log), "-w",
                "-t", "30", "-o", options, "start"]), stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL)
            if done.returncode == 0:
                return
            if time.monotonic() > deadline:
                raise RuntimeError(f"private PostgreSQL did not start; see {self.log}")
            time.sleep(1.0)

    def pid(self) -> int:
        """The postmaster's pid."""
        return int((self.data / "postmaster.pid").read_text().splitlines()[0])

    def kill(self) -> int:
        """kill -9 the postmaster and every backend (a machine-level crash); its pid."""
        pid = self.pid()
        children = subprocess.run(["pgrep", "-P", str(pid)], capture_output=True,
                                  text=True).stdout.split()
        os.kill(pid, signal.SIGKILL)
        for child in children:
            with contextlib.suppress(ProcessLookupError):
                os.kill(int(child), signal.SIGKILL)
        return pid

    def restart(self) -> None:
        """Start again on the same data directory (crash recovery from the WAL)."""
        self._pg_ctl_start()

    def stop(self) -> None:
        """Stop fast and remove the cluster."""
        subprocess.run(_as_owner([str(self.bin / "pg_ctl"), "-D", str(self.data), "-m",
                                  "immediate", "stop"]), stdout=subprocess.DEVNULL,
                       stderr=subprocess.DEVNULL)
        shutil.rmtree(self.root, ignore_errors=True)


class PrivateRedis:
    """One throw-away ``redis-server`` on 127.0.0.1:``port``, nothing saved to disk."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.process: subprocess.Popen[bytes] | None = None
        self.root = Path(tempfile.mkdtemp(prefix="bench-redis-"))

    @property
    def url(self) -> str:
        """``redis://127.0.0.1:<port>/0``."""
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        """Start and wait for PONG."""
        log = (self.root / "redis.log").open("ab")
        self.process = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
             "--appendonly", "no", "--dir", str(self.root)], stdout=log,
            stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            ping = subprocess.run(["redis-cli", "-p", str(self.port), "ping"],
                                  capture_output=True, text=True)
            if ping.stdout.strip() == "PONG":
                return
            time.sleep(0.2)
        raise RuntimeError("private Redis did not start")

    def kill(self) -> int:
        """kill -9; its pid."""
        assert self.process is not None
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=10)
        return self.process.pid

    def restart(self) -> None:
        """Start again, empty."""
        self.start()

    def stop(self) -> None:
        """Terminate and clean up."""
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)
        shutil.rmtree(self.root, ignore_errors=True)
