"""Whole-system fixtures: the real client and gateway, real Rasa, real actions, one database.

``stack`` starts Rasa (with ``models/flare.tar.gz``) and the action server once per test
session on ports 5205/5255, on a throwaway SQLite file that the gateway shares, so patients,
episodes, messages and Rasa's trackers all live in one database. ``system`` is a fresh
gateway (real python-telegram-bot client against the fake Telegram server) per test.

Every test here is ``slow``: ``.venv/bin/python -m pytest -q -m slow tests/system``.
"""

from __future__ import annotations

import os
import socket
from collections.abc import AsyncIterator, Iterator
from contextlib import ExitStack
from pathlib import Path

import pytest

from bot.services import Stack, StackError, running_stack
from bot.settings import PROJECT_ROOT
from tests.fake_telegram.harness import GatewayHarness
from tests.system.system_support import Gateways

# Overridable so that two checkouts can run the system tests side by side.
RASA_PORT = int(os.environ.get("SYSTEM_TEST_RASA_PORT", "5205"))
ACTION_PORT = int(os.environ.get("SYSTEM_TEST_ACTION_PORT", "5255"))
MODEL = PROJECT_ROOT / "models" / "flare.tar.gz"
LOG_TAIL_LINES = 40
# Environment the stack must not inherit from the shell (the tests assume the defaults).
CLEARED_ENV = ("DEFAULT_COUNTRY", "DEFAULT_TIMEZONE", "EPISODE_IDLE_MINUTES")
# Starting Rasa on a loaded machine takes minutes: more than the default per-test timeout.
SYSTEM_TEST_TIMEOUT_SECONDS = 900


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Give every system test (and the stack it may start) a longer timeout."""
    here = Path(__file__).parent
    for item in items:
        if here in item.path.parents and item.get_closest_marker("timeout") is None:
            item.add_marker(pytest.mark.timeout(SYSTEM_TEST_TIMEOUT_SECONDS))


def _port_in_use(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        return probe.connect_ex(("127.0.0.1", port)) == 0


def _tail(path: Path, lines: int = LOG_TAIL_LINES) -> str:
    if not path.exists():
        return f"--- {path.name}: no log written ---"
    text = path.read_text(encoding="utf-8", errors="replace").splitlines()[-lines:]
    return f"--- last {len(text)} lines of {path} ---\n" + "\n".join(text)


@pytest.fixture(scope="session")
def system_database_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    """The throwaway SQLite database shared by the stack and every gateway."""
    return f"sqlite:///{tmp_path_factory.mktemp('system') / 'flare.db'}"


@pytest.fixture(scope="session")
def stack(system_database_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    """Rasa with the trained model and the action server, once per session."""
    if not MODEL.exists():
        pytest.skip(f"no trained model at {MODEL}: run `make train` first")
    busy = [port for port in (RASA_PORT, ACTION_PORT) if _port_in_use(port)]
    if busy:
        pytest.fail(f"port(s) {busy} already in use: stop whatever listens there first")
    log_dir = tmp_path_factory.mktemp("stack-logs")
    with ExitStack() as cleanup, pytest.MonkeyPatch.context() as env:
        for name in CLEARED_ENV:
            env.delenv(name, raising=False)
        try:
            started = cleanup.enter_context(
                running_stack(
                    database_url=system_database_url,
                    rasa_port=RASA_PORT,
                    action_port=ACTION_PORT,
                    model=MODEL,
                    log_dir=log_dir,
                )
            )
        except StackError as exc:
            tails = "\n".join(_tail(log_dir / name) for name in ("rasa.log", "actions.log"))
            pytest.fail(f"the stack did not start: {exc}\n{tails}", pytrace=False)
        yield started


@pytest.fixture
async def gateways(stack: Stack, system_database_url: str) -> AsyncIterator[Gateways]:
    """Start and stop gateways on the real stack (restart tests)."""
    started = Gateways(stack, system_database_url)
    yield started
    await started.stop_all()


@pytest.fixture
async def system(gateways: Gateways) -> GatewayHarness:
    """A gateway on the real stack and the shared database, with its own fake Telegram."""
    return await gateways.start()
