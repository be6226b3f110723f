"""A small fake Rasa server (aiohttp) with canned replies, for gateway tests and the bench.

REST channel replies, chosen by the message:
- "breathe": text, a ``{"pause": ...}`` custom message, text (a paced sequence);
- "buttons": a question with two buttons (payloads ``/inform_severity{"severity":"N"}``);
- "long": one 9000-character reply (must be split);
- "offer plan": the safety-plan offer with the gateway-handled payloads (as triage sends);
- "silent": an empty list (as when the action server is down);
- anything else: ``You said: <message>``.
``down = True`` answers 503; ``silent = True`` answers every message with an empty list (an
action-server or database outage); ``delay`` seconds makes every answer slow.
"""

from __future__ import annotations

import asyncio
import json
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

SEVERITY_PAYLOAD = '/inform_severity{{"severity":"{n}"}}'


@dataclass
class Received:
    """One message the fake Rasa got."""

    sender: str
    message: str
    metadata: dict[str, Any] = field(default_factory=dict)


class FakeRasa:
    """Start with ``await start()``; ``url`` is the Rasa URL for the gateway."""

    def __init__(self, token: str | None = "rasa-secret", pause: float = 0.3) -> None:
        self.token = token
        self.pause = pause
        self.down = False
        self.silent = False
        self.delay = 0.0
        self.received: list[Received] = []
        self.triggered: list[tuple[str, str]] = []
        self.resets: list[str] = []
        self.unauthorised = 0
        self._runner: web.AppRunner | None = None
        self.port = 0

    async def start(self, host: str = "127.0.0.1", port: int = 0) -> FakeRasa:
        """Listen on ``host:port`` (0 = any free port)."""
        app = web.Application()
        app.router.add_get("/", self._root)
        app.router.add_post("/webhooks/rest/webhook", self._webhook)
        app.router.add_post("/conversations/{sender}/trigger_intent", self._trigger)
        app.router.add_put("/conversations/{sender}/tracker/events", self._reset)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, host, port)
        await site.start()
        server = site._server
        assert server is not None
        self.port = server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        return self

    async def stop(self) -> None:
        """Stop listening."""
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    @property
    def url(self) -> str:
        """The Rasa URL (``RASA_URL``)."""
        return f"http://127.0.0.1:{self.port}"

    def messages_from(self, sender: str) -> list[str]:
        """What one sender said, in order."""
        return [r.message for r in self.received if r.sender == sender]

    async def _gate(self, request: web.Request) -> web.Response | None:
        if self.delay:
            await asyncio.sleep(self.delay)
        if self.down:
            return web.json_response({"message": "down"}, status=503)
        if self.token and request.query.get("token") != self.token:
            self.unauthorised += 1
            return web.json_response({"message": "unauthorised"}, status=401)
        return None

    async def _root(self, request: web.Request) -> web.Response:
        return web.Response(text="Hello from Rasa: 3.6.21")

    def replies(self, sender: str, message: str) -> list[dict[str, Any]]:
        """The canned reply for ``message``."""
        if message == "silent" or self.silent:
            return []
        if message == "breathe":
            return [
                {"recipient_id": sender, "text": "Breathe in slowly."},
                {"recipient_id": sender, "custom": {"pause": self.pause}},
                {"recipient_id": sender, "text": "And breathe out."},
            ]
        if message == "buttons":
            return [{
                "recipient_id": sender,
                "text": "How strong is the pain right now?",
                "buttons": [
                    {"title": str(n), "payload": SEVERITY_PAYLOAD.format(n=n)} for n in (3, 7)
                ],
            }]
        if message == "offer plan":
            return [{
                "recipient_id": sender,
                "text": "Would you like to make a safety plan?",
                "buttons": [{"title": "Yes", "payload": "/start_safety_plan"},
                            {"title": "Not now", "payload": "/safety_plan_later"}],
            }]
        if message == "long":
            return [{"recipient_id": sender, "text": ("word " * 1800).strip()}]
        return [{"recipient_id": sender, "text": f"You said: {message}"}]

    async def _webhook(self, request: web.Request) -> web.Response:
        refused = await self._gate(request)
        if refused is not None:
            return refused
        body = await request.json()
        sender, message = str(body["sender"]), str(body["message"])
        self.received.append(Received(sender, message, body.get("metadata") or {}))
        return web.json_response(self.replies(sender, message))

    async def _trigger(self, request: web.Request) -> web.Response:
        refused = await self._gate(request)
        if refused is not None:
            return refused
        body = await request.json()
        sender = request.match_info["sender"]
        self.triggered.append((sender, str(body.get("name"))))
        messages = [{
            "recipient_id": sender,
            "text": "Evening check-in: how was your pain today?",
            "buttons": [{"title": "Low", "payload": "/inform_severity{\"severity\":\"2\"}"}],
        }]
        return web.json_response({"tracker": {"sender_id": sender}, "messages": messages})

    async def _reset(self, request: web.Request) -> web.Response:
        refused = await self._gate(request)
        if refused is not None:
            return refused
        self.resets.append(request.match_info["sender"])
        return web.Response(text=json.dumps({"sender_id": request.match_info["sender"]}),
                            content_type="application/json")
