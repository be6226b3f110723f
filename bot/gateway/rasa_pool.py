"""Several Rasa servers behind one client: each patient sticks to one of them.

A patient's requests go to the replica chosen by a stable hash of their pseudonym, so the
same patient always lands on the same server from every gateway worker (its tracker cache
stays warm and Rasa's per-conversation lock is taken in one place). Each replica has its
own in-flight limit (``max_concurrency`` per replica), so the total limit grows with the
replicas. A replica that refuses the connection (down, restarting) is skipped for that
request: the next replica in hash order gets it (the tracker store is shared, and a
refused connection means the request never reached Rasa). Timeouts and 5xx answers are not
retried elsewhere: Rasa may have acted on them.
"""

from __future__ import annotations

import hashlib
from typing import Any

import httpx

from bot.gateway.rasa_client import (
    CHECKIN_INTENT,
    DEFAULT_CONCURRENCY,
    DEFAULT_TIMEOUT,
    RasaClient,
    RasaUnavailable,
)


def replica_order(sender: str, replicas: int) -> list[int]:
    """Replica indices to try for ``sender``: its own first, then the following ones."""
    if replicas <= 0:
        raise ValueError("need at least one replica")
    digest = hashlib.sha256(sender.encode("utf-8")).digest()
    first = int.from_bytes(digest[:8], "big") % replicas
    return [(first + step) % replicas for step in range(replicas)]


class RasaPool:
    """The :class:`RasaClient` interface over several Rasa servers (sticky per patient).

    Args:
        base_urls: the servers, in the same order in every gateway worker.
        token, timeout, transport: as for :class:`RasaClient`.
        max_concurrency: requests in flight per replica.
    """

    def __init__(
        self,
        base_urls: list[str] | tuple[str, ...],
        token: str | None = None,
        timeout: float = DEFAULT_TIMEOUT,
        transport: httpx.AsyncBaseTransport | None = None,
        max_concurrency: int | None = DEFAULT_CONCURRENCY,
    ) -> None:
        if not base_urls:
            raise ValueError("need at least one Rasa URL")
        self.clients = [
            RasaClient(url, token, timeout=timeout, transport=transport,
                       max_concurrency=max_concurrency)
            for url in base_urls
        ]
        self.base_url = self.clients[0].base_url

    def client_for(self, sender: str) -> RasaClient:
        """The replica that ``sender`` sticks to."""
        return self.clients[replica_order(sender, len(self.clients))[0]]

    async def _call(self, sender: str, method: str, *args: Any) -> Any:
        last: RasaUnavailable | None = None
        for index in replica_order(sender, len(self.clients)):
            try:
                return await getattr(self.clients[index], method)(sender, *args)
            except RasaUnavailable as exc:
                if not isinstance(exc.__cause__, httpx.ConnectError):
                    raise
                last = exc  # never reached that replica: the next one may take it
        assert last is not None
        raise last

    async def send_message(
        self, sender: str, message: str, metadata: dict[str, Any] | None = None
    ) -> list[dict[str, Any]]:
        """As :meth:`RasaClient.send_message`, on the patient's replica."""
        result: list[dict[str, Any]] = await self._call(sender, "send_message", message, metadata)
        return result

    async def trigger_intent(
        self, sender: str, intent: str = CHECKIN_INTENT, entities: dict[str, Any] | None = None
    ) -> list[dict[str, Any]]:
        """As :meth:`RasaClient.trigger_intent`, on the patient's replica."""
        result: list[dict[str, Any]] = await self._call(sender, "trigger_intent", intent, entities)
        return result

    async def reset_conversation(self, sender: str) -> None:
        """As :meth:`RasaClient.reset_conversation`, on every replica (in-memory stores)."""
        for client in self.clients:
            await client.reset_conversation(sender)

    async def aclose(self) -> None:
        """Close every replica's connection pool."""
        for client in self.clients:
            await client.aclose()
