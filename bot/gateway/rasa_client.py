"""Async client for the Rasa server's REST channel and HTTP API.

Every call has a timeout. Network failures, timeouts and 5xx answers raise
:class:`RasaUnavailable` (worth retrying later); other non-2xx answers raise
:class:`RasaRequestError` (retrying will not help).
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import httpx

logger = logging.getLogger(__name__)

DEFAULT_TIMEOUT = 10.0
DEFAULT_CONCURRENCY = 4  # Rasa handles messages one core at a time; more only interleave
CHECKIN_INTENT = "EXTERNAL_evening_checkin"


class RasaError(Exception):
    """Base class for Rasa client errors."""


class RasaUnavailable(RasaError):
    """Rasa (or its action server) is down, slow or failing: try again later."""


class RasaRequestError(RasaError):
    """Rasa refused the request (bad token, unknown intent, ...): retrying will not help."""


class RasaClient:
    """Talks to one Rasa server.

    Args:
        base_url: Rasa server URL, e.g. ``http://127.0.0.1:5005``.
        token: the token of Rasa's HTTP API (``--auth-token``), if any.
        timeout: seconds allowed for each request.
        transport: optional httpx transport (tests).
        max_concurrency: requests in flight at once; the others wait their turn (the
            wait does not count towards ``timeout``). None: no limit.
    """

    def __init__(
        self,
        base_url: str,
        token: str | None = None,
        timeout: float = DEFAULT_TIMEOUT,
        transport: httpx.AsyncBaseTransport | None = None,
        max_concurrency: int | None = DEFAULT_CONCURRENCY,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self._token = token
        self._slots = asyncio.Semaphore(max_concurrency) if max_concurrency else None
        pool = max_concurrency or 100
        limits = httpx.Limits(max_connections=pool, max_keepalive_connections=pool)
        self._client = httpx.AsyncClient(
            timeout=httpx.Timeout(timeout), limits=limits, transport=transport
        )

    def _params(self, **extra: str) -> dict[str, str]:
        params = dict(extra)
        if self._token:
            params["token"] = self._token
        return params

    async def _request(
        self, method: str, path: str, payload: Any, params: dict[str, str]
    ) -> Any:
        url = f"{self.base_url}{path}"
        try:
            if self._slots is None:
                response = await self._client.request(method, url, json=payload, params=params)
            else:
                async with self._slots:
                    response = await self._client.request(
                        method, url, json=payload, params=params
                    )
        except httpx.TimeoutException as exc:
            raise RasaUnavailable(f"Rasa timed out on {path}") from exc
        except httpx.HTTPError as exc:
            raise RasaUnavailable(f"Rasa unreachable on {path}: {exc!r}") from exc
        if response.status_code >= 500:
            raise RasaUnavailable(f"Rasa answered {response.status_code} on {path}")
        if not response.is_success:
            raise RasaRequestError(
                f"Rasa answered {response.status_code} on {path}: {response.text[:200]}"
            )
        try:
            return response.json()
        except ValueError as exc:
            raise RasaUnavailable(f"Rasa sent invalid JSON on {path}") from exc

    async def send_message(
        self, sender: str, message: str, metadata: dict[str, Any] | None = None
    ) -> list[dict[str, Any]]:
        """Send one user message (text or ``/intent`` payload) and return Rasa's replies."""
        body = {"sender": sender, "message": message, "metadata": metadata or {}}
        data = await self._request("POST", "/webhooks/rest/webhook", body, self._params())
        if not isinstance(data, list):
            raise RasaUnavailable("Rasa's REST channel did not return a list")
        return [m for m in data if isinstance(m, dict)]

    async def trigger_intent(
        self, sender: str, intent: str = CHECKIN_INTENT, entities: dict[str, Any] | None = None
    ) -> list[dict[str, Any]]:
        """Trigger an (external) intent; return the messages Rasa collected for it.

        Rasa answers ``{"tracker": ..., "messages": [...]}`` when the output channel is
        not a registered input channel (it then uses a ``CollectingOutputChannel``).
        """
        params = self._params(output_channel="collector", include_events="NONE")
        body = {"name": intent, "entities": entities or {}}
        data = await self._request(
            "POST", f"/conversations/{sender}/trigger_intent", body, params
        )
        messages = data.get("messages", []) if isinstance(data, dict) else []
        return [m for m in messages if isinstance(m, dict)]

    async def reset_conversation(self, sender: str) -> None:
        """Replace the sender's tracker with an empty one (in-memory tracker stores).

        SQL tracker stores only append, so their rows are deleted separately
        (:func:`bot.gateway.erase.delete_tracker_rows`).
        """
        await self._request(
            "PUT", f"/conversations/{sender}/tracker/events", [], self._params()
        )

    async def aclose(self) -> None:
        """Close the connection pool."""
        await self._client.aclose()
