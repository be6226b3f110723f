"""The last moment before a Bot API send is written to the socket.

The send limiter grants a slot and the send is made; between the two the event loop may
run other work, and httpx may wait for a pooled connection, so a pause another worker set
meanwhile (it got a 429) was not seen: in a 429 storm sends still reached the Bot API
inside a known ``retry_after`` window. :class:`CheckedRequest` is the Bot's HTTP request
class: for the methods the limiter paces it looks at the shared pause once more
(:meth:`~bot.gateway.ratelimit.RedisLimiter.paused_left`) as the request is handed to
httpx, after the grant, and if a pause began raises :class:`PausedAtWrite` before
anything is sent: the channel then takes a new slot, after the pause
(:meth:`bot.gateway.telegram.channel.TelegramChannel.call`). Not later, inside httpcore
(its ``send_request_headers`` trace, where the connection is already taken): raising
there closes the pooled connection while the pool may hand it to the next request, which
then failed with a ``ReadError`` (seen in ``tests/bot/gateway/test_wire_check.py``).

For benchmarks (``stamp``, ``TELEGRAM_SEND_LOG=1``) each such request carries the
gateway's wall clock at the real write (httpcore's ``send_request_headers`` trace, which
only adds the header) in :data:`WRITE_HEADER`, which the fake Bot API stores next to its
arrival time (``tests/fake_telegram/server.py``, ``Call.written``).
"""

from __future__ import annotations

import time
from typing import Any, Protocol

import httpx
from telegram._utils.types import ODVInput
from telegram.error import TelegramError
from telegram.request import BaseRequest, HTTPXRequest, RequestData

LIMITED_METHODS = frozenset({"sendMessage", "sendPhoto", "sendDocument"})
WRITE_HEADER = "X-Flare-Write-At"
_WRITE_EVENTS = ("http11.send_request_headers.started", "http2.send_request_headers.started")


class PauseSource(Protocol):
    """What the check needs from the limiter."""

    async def paused_left(self) -> float:
        """Seconds left of the bot-wide pause now (0: none)."""


class PausedAtWrite(TelegramError):
    """A pause began between the slot's grant and the write: nothing was sent."""

    def __init__(self, seconds: float) -> None:
        super().__init__(f"a pause began before the write ({seconds:.3f} s left)")
        self.seconds = seconds


class WireCheck:
    """The httpx request hook and the httpcore trace callback.

    Attributes:
        limiter: where the shared pause is read (None: no check).
        stamp: add :data:`WRITE_HEADER` with the wall clock at the write.
    """

    def __init__(self, stamp: bool = False) -> None:
        self.limiter: PauseSource | None = None
        self.stamp = stamp

    async def check(self, url: str) -> None:
        """Raise :class:`PausedAtWrite` if a paced send meets a pause that began."""
        if self.limiter is not None and url.rsplit("/", 1)[-1] in LIMITED_METHODS:
            left = await self.limiter.paused_left()
            if left > 0:
                raise PausedAtWrite(left)

    async def on_request(self, request: httpx.Request) -> None:
        """An httpx ``request`` event hook: stamp the paced methods' writes."""
        if self.stamp and request.url.path.rsplit("/", 1)[-1] in LIMITED_METHODS:
            request.extensions = {**request.extensions, "trace": self._trace}

    async def _trace(self, event: str, info: dict[str, Any]) -> None:
        if event in _WRITE_EVENTS:  # httpcore builds the request from this list just after
            info["request"].headers.append((WRITE_HEADER.encode(), f"{time.time():.6f}".encode()))


class CheckedRequest(HTTPXRequest):
    """``HTTPXRequest`` with a :class:`WireCheck` (``wire``) on every request."""

    def __init__(self, *args: Any, stamp: bool = False, **kwargs: Any) -> None:
        self.wire = WireCheck(stamp)
        hooks = {"event_hooks": {"request": [self.wire.on_request]}}
        kwargs["httpx_kwargs"] = {**(kwargs.get("httpx_kwargs") or {}), **hooks}
        super().__init__(*args, **kwargs)

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        write_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        connect_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        pool_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        """The shared pause looked at once more, then the request as ``HTTPXRequest``."""
        await self.wire.check(url)
        return await super().do_request(url, method, request_data, read_timeout,
                                        write_timeout, connect_timeout, pool_timeout)
