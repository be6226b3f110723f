"""The Kubernetes sidecar's nginx.conf resends an action call whose server died mid-call.

The ConfigMap in ``deploy/kubernetes/actions-resend.yaml`` is run by Debian's nginx with the
Service address (``actions:5055``) pointed at a local server that resets the first
connection after reading the request, as a killed pod does: Rasa must still get the answer,
from the resent call.
"""

from __future__ import annotations

import shutil
import socket
import struct
import subprocess
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import yaml

MANIFEST = Path(__file__).resolve().parent.parent / "deploy" / "kubernetes" / "actions-resend.yaml"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class ResetFirst:
    """An HTTP server that resets its first ``resets`` connections mid-request."""

    def __init__(self, resets: int) -> None:
        self.resets = resets
        self.requests: list[bytes] = []
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = int(self.listener.getsockname()[1])
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self) -> None:
        while True:
            try:
                conn, _ = self.listener.accept()
            except OSError:
                return
            with conn:
                data = conn.recv(65536)
                self.requests.append(data)
                if len(self.requests) <= self.resets:
                    conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                    continue  # closed with a reset, no answer
                body = b'{"events": [], "responses": []}'
                conn.sendall(
                    b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                    b"Content-Length: %d\r\nConnection: close\r\n\r\n" % len(body) + body
                )


def _nginx_conf(tmp_path: Path, upstream_port: int, listen_port: int) -> Path:
    config = yaml.safe_load(MANIFEST.read_text())["data"]["nginx.conf"]
    assert config.count("server actions:5055") >= 2  # the resend needs a "next" peer
    config = (
        config.replace("actions:5055", f"127.0.0.1:{upstream_port}")
        .replace("127.0.0.1:5056", f"127.0.0.1:{listen_port}")
        .replace("/tmp/", f"{tmp_path}/")
    )
    path = tmp_path / "nginx.conf"
    path.write_text(config)
    return path


@pytest.fixture
def sidecar(tmp_path: Path) -> Iterator[tuple[ResetFirst, int]]:
    nginx = shutil.which("nginx") or "/usr/sbin/nginx"
    if not Path(nginx).exists():
        pytest.skip("nginx is not installed (make nginx, as root)")
    backend = ResetFirst(resets=1)
    listen = _free_port()
    conf = _nginx_conf(tmp_path, backend.port, listen)
    process = subprocess.Popen(
        [nginx, "-c", str(conf), "-p", str(tmp_path), "-g", "daemon off;"],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 10
        while True:
            try:
                socket.create_connection(("127.0.0.1", listen), timeout=0.5).close()
                break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    output = process.stdout.read().decode() if process.stdout else ""
                    raise RuntimeError(f"nginx did not start: {output}") from None
                time.sleep(0.1)
        yield backend, listen
    finally:
        process.terminate()
        process.wait(timeout=10)
        backend.listener.close()


def test_a_call_reset_mid_request_is_sent_again(sidecar: tuple[ResetFirst, int]) -> None:
    backend, port = sidecar
    call = {"next_action": "action_red_flag", "sender_id": "p1", "tracker": {"events": []}}
    answer = httpx.post(f"http://127.0.0.1:{port}/webhook", json=call, timeout=10)
    assert answer.status_code == 200
    assert answer.json() == {"events": [], "responses": []}
    assert len(backend.requests) == 2  # the reset copy, then the resent one
    assert all(b"action_red_flag" in request for request in backend.requests)
