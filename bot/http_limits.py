"""Size limits and uvicorn settings shared by every HTTP server we expose.

Two layers, because the server buffers headers before the app sees them:

- :func:`uvicorn_config` runs uvicorn with the pure-Python ``h11`` parser and a cap on how
  much of an unfinished request (request line plus headers) it buffers; httptools has no
  such cap and took a 50 MB header. Proxy headers are off: the app decides whom to trust.
- :class:`LimitsMiddleware` refuses a request whose headers are larger than a limit (431)
  or whose body is (413), counting the bytes as they arrive, so a missing or lying
  ``Content-Length`` does not help.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any

import uvicorn
from starlette.exceptions import HTTPException
from starlette.responses import PlainTextResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

MAX_HEADER_BYTES = 16 * 1024
DEFAULT_MAX_BODY_BYTES = 1024 * 1024


class LimitsMiddleware:
    """Refuse oversized headers (431) and bodies (413).

    Args:
        app: the wrapped ASGI app.
        max_body_bytes: the largest request body accepted.
        max_header_bytes: the largest total size of the request headers.
    """

    def __init__(
        self,
        app: ASGIApp,
        max_body_bytes: int = DEFAULT_MAX_BODY_BYTES,
        max_header_bytes: int = MAX_HEADER_BYTES,
    ) -> None:
        self.app = app
        self.max_body = max_body_bytes
        self.max_headers = max_header_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Handle one request."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers: list[tuple[bytes, bytes]] = scope.get("headers", [])
        if sum(len(k) + len(v) + 4 for k, v in headers) > self.max_headers:
            await PlainTextResponse("request headers too large", 431)(scope, receive, send)
            return
        for key, value in headers:
            if key == b"content-length" and (not value.isdigit() or int(value) > self.max_body):
                status = 400 if not value.isdigit() else 413
                await PlainTextResponse("request body refused", status)(scope, receive, send)
                return
        received = 0

        async def counting_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_body:
                    raise HTTPException(413, "request body too large")
            return message

        await self.app(scope, counting_receive, send)


class _QuietServer(uvicorn.Server):
    """A uvicorn server that leaves signal handling to its host process."""

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        """Install nothing: the gateway and ``bot.run`` own SIGINT/SIGTERM."""
        yield


def uvicorn_config(app: ASGIApp, host: str, port: int, **kw: Any) -> uvicorn.Config:
    """A uvicorn config with the header-size cap and without trusting proxy headers."""
    kw.setdefault("log_level", "warning")
    return uvicorn.Config(
        app,
        host=host,
        port=port,
        http="h11",
        ws="none",
        h11_max_incomplete_event_size=MAX_HEADER_BYTES,
        proxy_headers=False,
        server_header=False,
        lifespan="off",
        timeout_keep_alive=5,
        **kw,
    )


def embedded_server(config: uvicorn.Config) -> uvicorn.Server:
    """A uvicorn server to run inside an existing event loop (no signal handlers)."""
    return _QuietServer(config)


def bound_port(server: uvicorn.Server) -> int:
    """The port a started server listens on (useful with port 0)."""
    for listener in server.servers:
        for sock in listener.sockets:
            return int(sock.getsockname()[1])
    raise RuntimeError("the server is not listening")
