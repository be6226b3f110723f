"""Signed session cookie, CSRF tokens and safe redirects.

The cookie is a small JSON dict signed with ``itsdangerous`` (never encrypted: it holds
only the random token of the server-side session, see :mod:`bot.store.coach_sessions`, and
the CSRF token). The cookie is HttpOnly,
SameSite=Lax, and Secure when the request came over https or the config says so. A
session older than ``session_lifetime`` is ignored.

CSRF: one random token per session, put into every form as ``csrf_token`` and compared
in constant time on every POST (:func:`check_csrf`). Login starts a new session and a
new token.
"""

from __future__ import annotations

import hmac
import json
import secrets
from collections.abc import Callable
from datetime import datetime
from typing import Any

from itsdangerous import BadSignature, TimestampSigner, URLSafeTimedSerializer
from starlette.datastructures import MutableHeaders
from starlette.exceptions import HTTPException
from starlette.requests import HTTPConnection, Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

COOKIE_NAME = "flare_coach_session"
CSRF_FIELD = "csrf_token"
_SALT = "flare-dashboard-session"


def _signer_class(clock: Callable[[], datetime]) -> type[TimestampSigner]:
    """A TimestampSigner that reads the time from ``clock`` (tests move time)."""

    class ClockSigner(TimestampSigner):
        def get_timestamp(self) -> int:
            return int(clock().timestamp())

    return ClockSigner


class SessionCodec:
    """Turns a session dict into a signed cookie value and back."""

    def __init__(self, secret_key: str, max_age_seconds: int, clock: Callable[[], datetime]):
        """Sign with ``secret_key``; values older than ``max_age_seconds`` are refused."""
        self._serializer = URLSafeTimedSerializer(
            secret_key, salt=_SALT, signer=_signer_class(clock)
        )
        self.max_age = max_age_seconds

    def dumps(self, session: dict[str, Any]) -> str:
        """The signed cookie value."""
        return str(self._serializer.dumps(session))

    def loads(self, value: str) -> dict[str, Any]:
        """The session, or an empty one when the value is forged, broken or too old."""
        try:
            data = self._serializer.loads(value, max_age=self.max_age)
        except (BadSignature, ValueError):
            return {}
        return data if isinstance(data, dict) else {}


class SessionMiddleware:
    """Load ``scope["session"]`` from the cookie; write it back when it changed."""

    def __init__(self, app: ASGIApp, codec: SessionCodec, secure_cookies: bool) -> None:
        """Wrap ``app``; ``secure_cookies`` forces the Secure flag even over plain http."""
        self.app = app
        self.codec = codec
        self.secure_cookies = secure_cookies

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Handle one request."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        raw = HTTPConnection(scope).cookies.get(COOKIE_NAME)
        session = self.codec.loads(raw) if raw else {}
        before = json.dumps(session, sort_keys=True)
        scope["session"] = session
        secure = self.secure_cookies or scope.get("scheme") == "https"

        async def send_with_cookie(message: Message) -> None:
            if message["type"] == "http.response.start":
                now = scope["session"]
                if json.dumps(now, sort_keys=True) != before or (raw and not session and not now):
                    headers = MutableHeaders(scope=message)
                    headers.append("Set-Cookie", self._cookie(now, secure))
            await send(message)

        await self.app(scope, receive, send_with_cookie)

    def _cookie(self, session: dict[str, Any], secure: bool) -> str:
        flags = "Path=/; HttpOnly; SameSite=Lax" + ("; Secure" if secure else "")
        if not session:
            return f"{COOKIE_NAME}=; Max-Age=0; {flags}"
        return f"{COOKIE_NAME}={self.codec.dumps(session)}; Max-Age={self.codec.max_age}; {flags}"


def csrf_token(request: Request) -> str:
    """The session's CSRF token, made on first use."""
    token = request.session.get("csrf")
    if not isinstance(token, str) or not token:
        token = secrets.token_urlsafe(32)
        request.session["csrf"] = token
    return token


def check_csrf(request: Request, submitted: object) -> None:
    """Refuse (403) a POST whose form token is missing or not the session's token."""
    expected = request.session.get("csrf")
    if (
        not isinstance(expected, str)
        or not isinstance(submitted, str)
        or not hmac.compare_digest(expected.encode(), submitted.encode())
    ):
        raise HTTPException(403, "The form has expired or did not come from this site.")


def start_session(request: Request, token: str) -> None:
    """Log in: a fresh cookie with the server-side session's token and a new CSRF token."""
    request.session.clear()
    request.session.update({"sid": token, "csrf": secrets.token_urlsafe(32)})


def safe_next(target: str | None, default: str = "/patients") -> str:
    """A local path to go to after login; anything else (other sites) becomes ``default``."""
    if (
        not target
        or not target.startswith("/")
        or target.startswith("//")
        or "\\" in target
        or any(ord(ch) < 32 for ch in target)
    ):
        return default
    return target
