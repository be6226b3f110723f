"""Rasa's REST channel behind the shared token (``RASA_TOKEN``), checked in constant time.

``--auth-token`` protects Rasa's HTTP API but not its input channels, so anyone who can
reach the port could talk to Rasa as any patient pseudonym. This channel is the stock
``RestInput`` (same URL, ``/webhooks/rest/webhook``) that first requires the ``token``
query parameter the gateway's Rasa client already sends. Without ``RASA_TOKEN`` in Rasa's
environment it refuses everything (fail closed). Named in ``credentials.yml``.
"""

from __future__ import annotations

import hmac
import logging
import os
from collections.abc import Awaitable, Callable
from typing import Any

from rasa.core.channels.channel import UserMessage
from rasa.core.channels.rest import RestInput
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

logger = logging.getLogger(__name__)

TOKEN_ENV = "RASA_TOKEN"


def token_ok(given: str | None, expected: str) -> bool:
    """Constant-time comparison; a missing expected token never matches."""
    if not expected or not given:
        return False
    return hmac.compare_digest(given.encode("utf-8"), expected.encode("utf-8"))


class TokenRestInput(RestInput):
    """The REST channel, refusing requests without the right ``token`` (403)."""

    @classmethod
    def name(cls) -> str:
        """Keep the stock channel's name, so its URL stays ``/webhooks/rest/...``."""
        return "rest"

    def __init__(self, token: str | None = None) -> None:
        self._token = token if token is not None else os.environ.get(TOKEN_ENV, "")
        if not self._token:
            logger.error("%s is not set: the REST channel refuses every request", TOKEN_ENV)

    @classmethod
    def from_credentials(cls, credentials: dict[str, Any] | None) -> TokenRestInput:
        """The channel with the token from the environment."""
        return cls()

    def blueprint(
        self, on_new_message: Callable[[UserMessage], Awaitable[Any]]
    ) -> Blueprint:
        """The stock routes with the token check in front."""
        blueprint = super().blueprint(on_new_message)

        @blueprint.middleware("request")
        async def check_token(request: Request) -> HTTPResponse | None:
            if not token_ok(request.args.get("token"), self._token):
                return response.json({"error": "forbidden"}, status=403)
            return None

        return blueprint
