"""An action server killed (SIGKILL) in the middle of a call: the call is answered, once.

Two real action servers (``python -m bot.action_server``) behind a real nginx rendered from
``deploy/nginx/flare.conf`` (``scripts/run_production.py``), on one database. The first
server to get ``action_red_flag`` stalls (``FLARE_TEST_ONLY_STALL_ACTION``, see
``actions/journal.py``) before or after its transaction commits, and the test kills it
there. nginx must then send the call to the other server (``non_idempotent``), and the
journal must keep the red flag, which alerts the coaches, single: with the call's writes
committed before the kill, running it again would have written a second flag.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest
from sqlalchemy import func, select

from actions.journal import PHASES, STALL_ENV
from bot.action_server import TOKEN_ENV, TOKEN_HEADER
from bot.store.action_calls import ActionCall
from bot.store.db import Database, migrate
from bot.store.models import SafetyFlag
from scripts.run_production import Layout, write_nginx

pytestmark = pytest.mark.slow

PORT_BASE = int(os.environ.get("ACTION_KILL_TEST_PORT", "5401"))  # +0, +1 actions, +2 nginx
STALL_SECONDS = 30
TOKEN = "action-kill-test-token"
ROOT = Path(__file__).resolve().parents[2]


def red_flag_call(sender: str, message_id: int = 41) -> dict[str, object]:
    """The call Rasa makes after "crushing chest pain, my left arm is numb" (the gateway's
    log id of that message: ``message_id``)."""
    now = time.time()
    parse = {
        "text": "crushing chest pain and my left arm is numb",
        "intent": {"name": "medical_red_flag", "confidence": 1.0},
        "entities": [],
        "safety": {"risk": "red_flag", "tier": "emergency", "reasons": ["chest_pain"]},
    }
    user = {
        "event": "user",
        "timestamp": now,
        "text": parse["text"],
        "parse_data": parse,
        "metadata": {"message_id": message_id},
    }
    events = [
        {"event": "action", "timestamp": now - 2, "name": "action_session_start"},
        {"event": "session_started", "timestamp": now - 2},
        {"event": "action", "timestamp": now - 1, "name": "action_listen"},
        user,
    ]
    tracker = {
        "sender_id": sender,
        "slots": {},
        "latest_message": {**parse, "metadata": user["metadata"]},
        "events": events,
        "paused": False,
        "followup_action": None,
        "active_loop": {},
        "latest_action_name": "action_listen",
        "latest_event_time": now,
    }
    return {
        "next_action": "action_red_flag",
        "sender_id": sender,
        "tracker": tracker,
        "domain": {},
        "version": "3.6.21",
    }


def _wait_for(url: str, processes: list[subprocess.Popen[bytes]], timeout: float = 180) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for process in processes:
            if process.poll() is not None:
                raise RuntimeError(f"{process.args} exited with {process.returncode}")
        try:
            if httpx.get(url, timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.3)
    raise RuntimeError(f"nothing answered {url}")


@pytest.fixture
def front(
    fresh_database_url: str, tmp_path: Path, request: pytest.FixtureRequest
) -> Iterator[tuple[str, Path, list[subprocess.Popen[bytes]]]]:
    """nginx's address, the stall directory and the two action servers (then nginx)."""
    nginx = shutil.which("nginx") or "/usr/sbin/nginx"
    if not Path(nginx).exists():
        pytest.skip("nginx is not installed (make nginx, as root)")
    migrate(fresh_database_url)
    phase = request.node.callspec.params["phase"]
    stalls = tmp_path / "stalls"
    stalls.mkdir()
    env = {k: v for k, v in os.environ.items() if k in ("PATH", "HOME", "LANG")}
    env.update(
        PYTHONPATH=str(ROOT),
        DATABASE_URL=fresh_database_url,
        **{TOKEN_ENV: TOKEN},
        **{STALL_ENV: f"action_red_flag:{phase}:{STALL_SECONDS}:{stalls}"},
    )
    processes: list[subprocess.Popen[bytes]] = []
    logs = tmp_path / "logs"
    logs.mkdir()
    try:
        for number in range(2):
            log = (logs / f"actions-{number + 1}.log").open("ab")
            processes.append(
                subprocess.Popen(
                    [
                        sys.executable,
                        "-m",
                        "bot.action_server",
                        "--actions",
                        "actions",
                        "--port",
                        str(PORT_BASE + number),
                    ],
                    cwd=ROOT,
                    env=env,
                    stdout=log,
                    stderr=subprocess.STDOUT,
                )
            )
        layout = Layout(
            rasa_replicas=1,
            action_servers=2,
            gateway_workers=1,
            nginx_port=PORT_BASE + 2,
            action_port=PORT_BASE,
            rasa_port=PORT_BASE + 3,
            gateway_port=PORT_BASE + 4,
        )
        conf = write_nginx(tmp_path / "nginx", layout)
        processes.append(
            subprocess.Popen(
                [nginx, "-p", str(conf.parent), "-c", str(conf)],
                stdout=subprocess.DEVNULL,
                stderr=subprocess.STDOUT,
            )
        )
        for number in range(2):
            _wait_for(f"http://127.0.0.1:{PORT_BASE + number}/health", processes)
        _wait_for(f"{layout.front}/health", processes)
        yield layout.front, stalls, processes
    finally:
        for process in processes:
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        for process in processes:
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=5)


@pytest.mark.parametrize("phase", PHASES)
def test_a_call_in_flight_when_its_server_is_killed_is_answered_and_writes_once(
    front: tuple[str, Path, list[subprocess.Popen[bytes]]],
    fresh_database_url: str,
    phase: str,
) -> None:
    url, stalls, processes = front
    sender = f"kill-{uuid.uuid4().hex[:10]}"
    marker = stalls / "action_red_flag.pid"
    with httpx.Client(timeout=STALL_SECONDS * 3) as client, ThreadPoolExecutor(1) as pool:
        reply = pool.submit(
            client.post, f"{url}/webhook", json=red_flag_call(sender), headers={TOKEN_HEADER: TOKEN}
        )
        deadline = time.monotonic() + STALL_SECONDS
        while not marker.exists() or not marker.read_text():
            assert time.monotonic() < deadline, "no action server stalled on the call"
            assert not reply.done(), reply.result().text
            time.sleep(0.05)
        stalled = int(marker.read_text())
        ours = {p.pid: p for p in processes[:2]}
        assert stalled in ours, f"{stalled} is not one of the action servers {sorted(ours)}"
        os.kill(stalled, signal.SIGKILL)  # mid-call: before or after its commit
        ours[stalled].wait(timeout=10)
        response = reply.result(timeout=STALL_SECONDS * 3)

    assert response.status_code == 200, response.text  # the other server answered
    answer = response.json()
    assert len(answer["responses"]) == 3  # intro, what to do now, don't wait
    assert {"event": "slot", "name": "red_flag_active", "value": True}.items() <= next(
        e for e in answer["events"] if e.get("name") == "red_flag_active"
    ).items()
    db = Database.from_url(fresh_database_url)
    try:
        with db.sessions.begin() as session:
            flags = session.execute(
                select(func.count())
                .select_from(SafetyFlag)
                .where(SafetyFlag.patient_id == sender, SafetyFlag.kind == "red_flag")
            ).scalar_one()
            journaled = session.execute(
                select(func.count()).select_from(ActionCall).where(ActionCall.patient_id == sender)
            ).scalar_one()
    finally:
        db.dispose()
    assert (flags, journaled) == (1, 1)
