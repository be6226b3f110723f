"""The Telegram webhook: a Starlette app served by uvicorn, failing closed.

The same maintained ASGI stack as the dashboard (not the aiohttp that Rasa pins). Every
request must carry Telegram's ``X-Telegram-Bot-Api-Secret-Token`` header equal to our
secret (compared in constant time, before the body is read); webhook mode does not start
without a secret of at least 32 characters. Headers and bodies are
size-limited (:mod:`bot.http_limits`). A malformed update is answered 400, never 500, so
a forged body cannot make Telegram retry or fill the logs with tracebacks; an update that
could not be stored is answered 500, so Telegram sends it again.
"""

from __future__ import annotations

import asyncio
import hmac
import json
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route

from bot.http_limits import (
    LimitsMiddleware,
    bound_port,
    embedded_server,
    uvicorn_config,
)
from bot.settings import require_webhook_secret as require_secret

logger = logging.getLogger(__name__)

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
MAX_UPDATE_BYTES = 256 * 1024  # a text message is at most 4096 characters
__all__ = ["SECRET_HEADER", "BadUpdate", "WebhookServer", "require_secret", "webhook_app"]


class BadUpdate(ValueError):
    """The body is not a Telegram update we can read."""


def secret_matches(given: str | None, secret: str) -> bool:
    """Constant-time comparison of the header with the secret; anything odd is a no."""
    if not given:
        return False
    try:
        raw = given.encode("latin-1")  # how Starlette decoded the header bytes
    except UnicodeEncodeError:
        return False
    return hmac.compare_digest(raw, secret.encode("ascii"))


def parse_body(body: bytes) -> dict[str, Any]:
    """The JSON object of an update body.

    Raises:
        BadUpdate: not UTF-8 JSON, not an object, or without an integer ``update_id``.
    """
    try:
        data = json.loads(body)
    except (ValueError, RecursionError) as exc:
        raise BadUpdate("not JSON") from exc
    if not isinstance(data, dict) or type(data.get("update_id")) is not int:
        raise BadUpdate("not an update")
    return data


def webhook_app(
    handle: Callable[[dict[str, Any]], Awaitable[None]],
    secret: str | None,
    path: str = "/telegram",
) -> Starlette:
    """A Starlette app that passes verified update JSON to ``handle`` at ``path``.

    ``handle`` raises :class:`BadUpdate` for an update it cannot read (answered 400); any
    other error propagates (500: Telegram redelivers).
    """
    checked = require_secret(secret)

    async def receive(request: Request) -> Response:
        if not secret_matches(request.headers.get(SECRET_HEADER), checked):
            return PlainTextResponse("forbidden", 403)
        try:
            await handle(parse_body(await request.body()))
        except BadUpdate as exc:
            logger.warning("webhook: refused a malformed update (%s)", exc)
            return PlainTextResponse("bad update", 400)
        return PlainTextResponse("ok")

    return Starlette(
        routes=[Route(path, receive, methods=["POST"])],
        middleware=[Middleware(LimitsMiddleware, max_body_bytes=MAX_UPDATE_BYTES)],
    )


class WebhookServer:
    """uvicorn serving a webhook app inside the running event loop."""

    def __init__(self, app: Starlette, host: str, port: int) -> None:
        self._server = embedded_server(uvicorn_config(app, host, port))
        self._task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        """Start serving; returns once the socket listens (raises if it cannot)."""
        self._task = asyncio.create_task(self._server.serve(), name="telegram-webhook")
        while not self._server.started:
            if self._task.done():
                self._task.result()  # re-raise the start-up error
                raise RuntimeError("the webhook server stopped during start-up")
            await asyncio.sleep(0.01)

    @property
    def port(self) -> int:
        """The port it listens on."""
        return bound_port(self._server)

    async def stop(self) -> None:
        """Stop serving and wait for open requests to finish."""
        if self._task is None:
            return
        self._server.should_exit = True
        await self._task
        self._task = None
