"""A local fake Telegram Bot API server (aiohttp) for tests and the gateway benchmark.

Implements what the gateway's python-telegram-bot client uses: getMe, getUpdates (long
poll with offset and timeout; unconfirmed updates are delivered again), sendMessage,
sendChatAction, answerCallbackQuery, editMessageReplyMarkup, editMessageText,
setMyCommands, deleteWebhook, setWebhook, sendDocument, sendPhoto, leaveChat.

Test API (Python): ``inject_*`` methods put updates in the queue, ``calls`` and
``sent_to`` show what the bot did, ``fail_next`` injects 429/500 answers, ``delay_next``
slow answers. Point the client at ``server.base_url`` (``TELEGRAM_API_BASE_URL``).

Limits as Telegram sees them: every request is stamped on arrival (``Call.at``, monotonic,
and ``Call.wall``, the wall clock), so :meth:`FakeTelegram.send_rates` gives the most
``sendMessage`` calls in one second for the whole bot and for one chat, and each 429 opens
a ``retry_after`` window (``retry_windows``): :meth:`FakeTelegram.window_calls` lists the
calls that arrived inside one, which a client honouring ``retry_after`` does not make.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import time
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

from bot.gateway.telegram.wire import WRITE_HEADER

BOT_ID = 777000
BOT_USERNAME = "flare_test_bot"
_JSON_FIELDS = {
    "chat_id", "message_id", "offset", "limit", "timeout", "reply_markup", "commands",
    "allowed_updates", "show_alert", "drop_pending_updates", "disable_notification",
    "protect_content", "reply_parameters", "link_preview_options", "scope", "entities",
    "max_connections",
}


@dataclass
class Call:
    """One Bot API request the client made (after any injected failure).

    ``at`` (monotonic) and ``wall`` (``time.time()``) are when the request arrived;
    ``written`` is the client's wall clock at its HTTP write, when it sent one (the header
    ``X-Flare-Write-At``, ``bot/gateway/telegram/wire.py``).
    """

    method: str
    params: dict[str, Any]
    at: float = field(default_factory=time.monotonic)
    status: int = 200
    wall: float = field(default_factory=time.time)
    written: float | None = None


@dataclass(frozen=True)
class RetryWindow:
    """A 429 answered at ``start`` (monotonic) with ``retry_after``: nothing may arrive
    before ``end``; ``wall`` is ``start`` on the wall clock."""

    start: float
    end: float
    wall: float


def max_in_one_second(stamps: list[float]) -> int:
    """The most stamps (seconds) inside any one-second window ``[t, t + 1)``."""
    ordered = sorted(stamps)
    best, first = 0, 0
    for last, stamp in enumerate(ordered):
        while ordered[first] <= stamp - 1.0:
            first += 1
        best = max(best, last - first + 1)
    return best


@dataclass
class Failure:
    """An injected failure for the next calls of one method."""

    status: int
    retry_after: int | None = None
    count: int = 1


class FakeTelegram:
    """The fake server. Use ``await start()`` / ``await stop()`` or ``async with``.

    Args:
        token: the bot token the server accepts.
        first_update_id: the first update id it hands out (Telegram's ids only grow, so a
            run on a database that already took updates in starts above them).
    """

    def __init__(self, token: str = "123456:TEST-token", first_update_id: int = 1) -> None:
        self.token = token
        self.calls: list[Call] = []
        self.failed: list[Call] = []
        self.retry_windows: list[RetryWindow] = []
        self.commands: list[dict[str, Any]] = []
        self.left_chats: list[int] = []
        self.documents: list[dict[str, Any]] = []
        self.languages: dict[int, str] = {}  # user id -> Telegram language_code sent
        self.webhook: dict[str, Any] | None = None
        self._updates: list[dict[str, Any]] = []
        self.history: dict[int, dict[str, Any]] = {}
        self._by_chat: dict[int, list[Call]] = {}
        self._update_ids = itertools.count(first_update_id)
        self._message_ids = itertools.count(1000)
        self._new_update = asyncio.Event()
        self._sent_event = asyncio.Event()
        self._failures: dict[str, list[Failure]] = {}
        self._delays: dict[str, list[float]] = {}
        self._runner: web.AppRunner | None = None
        self._closing = False
        self.port = 0

    # -- lifecycle ---------------------------------------------------------------------

    async def start(self, host: str = "127.0.0.1", port: int = 0) -> FakeTelegram:
        """Listen on ``host:port`` (0 = any free port)."""
        self._closing = False
        app = web.Application(client_max_size=20 * 1024 * 1024)
        app.router.add_post("/bot{token}/{method}", self._dispatch)
        app.router.add_get("/bot{token}/{method}", self._dispatch)
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
            self._closing = True
            self._new_update.set()  # release long polls still waiting
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> FakeTelegram:
        return await self.start()

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    @property
    def base_url(self) -> str:
        """The value for ``TELEGRAM_API_BASE_URL`` / ``Bot(base_url=...)``."""
        return f"http://127.0.0.1:{self.port}/bot"

    # -- injecting updates -------------------------------------------------------------

    def _user(self, user_id: int) -> dict[str, Any]:
        user: dict[str, Any] = {"id": user_id, "is_bot": False, "first_name": f"User{user_id}"}
        if user_id in self.languages:
            user["language_code"] = self.languages[user_id]
        return user

    def _chat(self, chat_id: int, chat_type: str) -> dict[str, Any]:
        chat: dict[str, Any] = {"id": chat_id, "type": chat_type}
        if chat_type == "private":
            chat["first_name"] = f"User{chat_id}"
        else:
            chat["title"] = "Some group"
        return chat

    def inject(self, update: dict[str, Any]) -> int:
        """Queue a raw update (an ``update_id`` is added); returns the update id."""
        update_id = next(self._update_ids)
        full = {"update_id": update_id, **update}
        self.history[update_id] = full
        self._updates.append(full)
        self._new_update.set()
        return update_id

    def redeliver(self, update_id: int) -> None:
        """Deliver an already confirmed update again (as Telegram may after a crash)."""
        self._updates.insert(0, self.history[update_id])
        self._updates.sort(key=lambda u: u["update_id"])
        self._new_update.set()

    def _message(self, user_id: int, chat_id: int | None, chat_type: str, **fields: Any) -> dict:
        return {
            "message_id": next(self._message_ids),
            "date": int(time.time()),
            "from": self._user(user_id),
            "chat": self._chat(chat_id if chat_id is not None else user_id, chat_type),
            **fields,
        }

    def inject_text(
        self, user_id: int, text: str, *, chat_id: int | None = None,
        chat_type: str = "private", forwarded: bool = False,
    ) -> int:
        """A text message (commands too: entities are added for a leading /command)."""
        fields: dict[str, Any] = {"text": text}
        if text.startswith("/") and len(text) > 1:
            fields["entities"] = [
                {"type": "bot_command", "offset": 0, "length": len(text.split()[0])}
            ]
        if forwarded:
            fields["forward_origin"] = {
                "type": "hidden_user", "sender_user_name": "Someone", "date": int(time.time())
            }
        return self.inject({"message": self._message(user_id, chat_id, chat_type, **fields)})

    def inject_edit(self, user_id: int, text: str) -> int:
        """An edited message."""
        message = self._message(user_id, None, "private", text=text,
                                edit_date=int(time.time()))
        return self.inject({"edited_message": message})

    def inject_kind(self, user_id: int, kind: str, *, caption: str | None = None) -> int:
        """A non-text message: sticker, photo, voice, document, location, ..."""
        file = {"file_id": "f1", "file_unique_id": "u1"}
        bodies: dict[str, Any] = {
            "sticker": {"sticker": {**file, "type": "regular", "width": 512, "height": 512,
                                    "is_animated": False, "is_video": False}},
            "photo": {"photo": [{**file, "width": 90, "height": 90}]},
            "voice": {"voice": {**file, "duration": 3}},
            "document": {"document": {**file, "file_name": "scan.pdf"}},
            "location": {"location": {"latitude": 51.5, "longitude": -0.12}},
            "contact": {"contact": {"phone_number": "+100", "first_name": "Al"}},
        }
        fields = dict(bodies[kind])
        if caption is not None:
            fields["caption"] = caption
        return self.inject({"message": self._message(user_id, None, "private", **fields)})

    def inject_press(self, user_id: int, message_id: int, data: str) -> int:
        """A press on an inline button of a message the bot sent."""
        sent = self.message(message_id)
        query = {
            "id": f"cb{next(self._update_ids)}",
            "from": self._user(user_id),
            "chat_instance": "ci",
            "data": data,
            "message": {
                "message_id": message_id,
                "date": int(time.time()),
                "chat": self._chat(int(sent["chat_id"]) if sent else user_id, "private"),
                "from": {"id": BOT_ID, "is_bot": True, "first_name": "Bot"},
                "text": sent.get("text", "") if sent else "",
            },
        }
        return self.inject({"callback_query": query})

    def fail_next(
        self, method: str, status: int = 500, *, retry_after: int | None = None, count: int = 1
    ) -> None:
        """Answer the next ``count`` calls of ``method`` with an error."""
        self._failures.setdefault(method, []).append(Failure(status, retry_after, count))

    def delay_next(self, method: str, seconds: float, count: int = 1) -> None:
        """Answer the next ``count`` calls of ``method`` after ``seconds``."""
        self._delays.setdefault(method, []).extend([seconds] * count)

    @property
    def pending_updates(self) -> int:
        """Updates not yet confirmed by the client."""
        return len(self._updates)

    # -- reading what the bot did ----------------------------------------------------

    def calls_for(self, chat_id: int) -> list[Call]:
        """Successful calls for ``chat_id``, in order."""
        return self._by_chat.get(chat_id, [])

    def sent_to(self, chat_id: int, method: str = "sendMessage") -> list[dict[str, Any]]:
        """Parameters of the successful calls of ``method`` for ``chat_id``."""
        return [c.params for c in self.calls_for(chat_id) if c.method == method]

    def calls_of(self, method: str) -> list[dict[str, Any]]:
        """Parameters of every successful call of ``method``."""
        return [c.params for c in self.calls if c.method == method]

    def texts_to(self, chat_id: int) -> list[str]:
        """Texts sent to ``chat_id`` (sendMessage), in order."""
        return [p["text"] for p in self.sent_to(chat_id)]

    def attempts(self, *methods: str) -> list[Call]:
        """Every call of ``methods`` (default ``sendMessage``) that reached the server,
        answered or failed, by arrival."""
        wanted = methods or ("sendMessage",)
        return sorted((c for c in (*self.calls, *self.failed) if c.method in wanted),
                      key=lambda c: c.at)

    def send_rates(self, *methods: str) -> dict[str, int]:
        """The most calls of ``methods`` (default ``sendMessage``; failed ones too) in any
        one second, whole bot and busiest chat, as Telegram counts them against its 30/s
        and 1/s limits."""
        calls = self.attempts(*methods)
        chats: dict[int, list[float]] = {}
        for call in calls:
            chats.setdefault(int(call.params.get("chat_id", 0)), []).append(call.at)
        return {"bot_max_per_s": max_in_one_second([c.at for c in calls]),
                "chat_max_per_s": max((max_in_one_second(s) for s in chats.values()),
                                      default=0)}

    def window_calls(self, *methods: str) -> list[tuple[Call, float]]:
        """Calls of ``methods`` (default ``sendMessage``) that arrived inside a
        ``retry_after`` window, each with how long after the 429 that opened the window
        (the earliest one it falls in) it came."""
        found = []
        for call in self.attempts(*methods):
            starts = [w.start for w in self.retry_windows if w.start < call.at < w.end]
            if starts:
                found.append((call, call.at - min(starts)))
        return found

    def message(self, message_id: int) -> dict[str, Any] | None:
        """The parameters (plus ``message_id``) of a message the bot sent."""
        for call in self.calls:
            if call.params.get("message_id_out") == message_id:
                return call.params
        return None

    def last_keyboard(self, chat_id: int) -> tuple[int, list[dict[str, Any]]]:
        """The last message with an inline keyboard sent to ``chat_id``, and its buttons."""
        for params in reversed(self.sent_to(chat_id)):
            markup = params.get("reply_markup")
            if markup and markup.get("inline_keyboard"):
                return params["message_id_out"], [b for row in markup["inline_keyboard"]
                                                  for b in row]
        raise LookupError(f"no keyboard sent to {chat_id}")

    async def wait_for(self, predicate: Any, timeout: float = 30.0) -> None:
        """Wait until ``predicate()`` is true (checked after each call the bot makes)."""
        deadline = asyncio.get_running_loop().time() + timeout
        while not predicate():
            remaining = deadline - asyncio.get_running_loop().time()
            if remaining <= 0:
                raise TimeoutError("condition not met in time")
            self._sent_event.clear()
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(self._sent_event.wait(), min(remaining, 0.2))

    async def wait_texts(self, chat_id: int, count: int, timeout: float = 30.0) -> list[str]:
        """Wait until ``count`` texts were sent to ``chat_id``; return them."""
        await self.wait_for(lambda: len(self.texts_to(chat_id)) >= count, timeout)
        return self.texts_to(chat_id)

    # -- the Bot API ---------------------------------------------------------------------

    async def _params(self, request: web.Request) -> dict[str, Any]:
        params: dict[str, Any] = dict(request.query)
        if request.content_type == "application/json":
            params.update(await request.json())
            return params
        form = await request.post()
        for key, value in form.items():
            if hasattr(value, "file"):
                params[key] = {"filename": value.filename, "data": value.file.read()}
            elif key in _JSON_FIELDS:
                params[key] = json.loads(str(value))
            else:
                params[key] = str(value)
        return params

    async def _dispatch(self, request: web.Request) -> web.Response:
        if request.match_info["token"] != self.token:
            return self._error(401, "Unauthorized")
        method = request.match_info["method"]
        arrived, wall = time.monotonic(), time.time()
        stamp = request.headers.get(WRITE_HEADER)
        written = float(stamp) if stamp else None
        params = await self._params(request)
        delays = self._delays.get(method)
        if delays:
            await asyncio.sleep(delays.pop(0))
        failures = self._failures.get(method)
        if failures:
            failure = failures[0]
            failure.count -= 1
            if failure.count <= 0:
                failures.pop(0)
            self.failed.append(Call(method, params, arrived, failure.status, wall, written))
            if failure.status == 429:
                retry_after = failure.retry_after or 1
                now = time.monotonic()
                self.retry_windows.append(RetryWindow(now, now + retry_after,
                                                      wall + now - arrived))
                return self._error(429, "Too Many Requests: retry later",
                                   {"retry_after": retry_after})
            return self._error(failure.status, "Internal Server Error")
        handler = getattr(self, f"_api_{method}", None)
        if handler is None:
            return self._error(404, "Not Found: method not found")
        result = await handler(params)
        if method != "getUpdates":
            call = Call(method, params, arrived, wall=wall, written=written)
            self.calls.append(call)
            if "chat_id" in params:
                self._by_chat.setdefault(int(params["chat_id"]), []).append(call)
            self._sent_event.set()
        return web.json_response({"ok": True, "result": result})

    @staticmethod
    def _error(code: int, description: str, parameters: dict | None = None) -> web.Response:
        body: dict[str, Any] = {"ok": False, "error_code": code, "description": description}
        if parameters:
            body["parameters"] = parameters
        return web.json_response(body, status=code)

    def _bot_message(self, params: dict[str, Any], **fields: Any) -> dict[str, Any]:
        message_id = next(self._message_ids)
        params["message_id_out"] = message_id
        chat_id = int(params["chat_id"])
        return {
            "message_id": message_id,
            "date": int(time.time()),
            "chat": self._chat(chat_id, "private" if chat_id > 0 else "group"),
            "from": {"id": BOT_ID, "is_bot": True, "first_name": "Bot",
                     "username": BOT_USERNAME},
            **fields,
        }

    async def _api_getMe(self, params: dict[str, Any]) -> dict[str, Any]:
        return {"id": BOT_ID, "is_bot": True, "first_name": "Bot", "username": BOT_USERNAME,
                "can_join_groups": False, "can_read_all_group_messages": False,
                "supports_inline_queries": False}

    async def _api_getUpdates(self, params: dict[str, Any]) -> list[dict[str, Any]]:
        offset = params.get("offset")
        if offset is not None:  # confirms every update below the offset
            self._updates = [u for u in self._updates if u["update_id"] >= int(offset)]
        timeout = float(params.get("timeout") or 0)
        if not self._updates and timeout > 0 and not self._closing:
            self._new_update.clear()
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(self._new_update.wait(), timeout)
        limit = int(params.get("limit") or 100)
        return list(self._updates[:limit])

    async def _api_sendMessage(self, params: dict[str, Any]) -> dict[str, Any]:
        extra = {"reply_markup": params["reply_markup"]} if params.get("reply_markup") else {}
        return self._bot_message(params, text=params["text"], **extra)

    async def _api_sendPhoto(self, params: dict[str, Any]) -> dict[str, Any]:
        return self._bot_message(params, photo=[{"file_id": "p", "file_unique_id": "p",
                                                 "width": 1, "height": 1}])

    async def _api_sendDocument(self, params: dict[str, Any]) -> dict[str, Any]:
        self.documents.append(params)
        document = params.get("document")
        name = document["filename"] if isinstance(document, dict) else "file"
        return self._bot_message(params, document={"file_id": "d", "file_unique_id": "d",
                                                   "file_name": name})

    async def _api_sendChatAction(self, params: dict[str, Any]) -> bool:
        return True

    async def _api_answerCallbackQuery(self, params: dict[str, Any]) -> bool:
        return True

    async def _api_editMessageReplyMarkup(self, params: dict[str, Any]) -> dict[str, Any]:
        return self._edited(params)

    async def _api_editMessageText(self, params: dict[str, Any]) -> dict[str, Any]:
        return self._edited(params, text=params.get("text", ""))

    def _edited(self, params: dict[str, Any], **fields: Any) -> dict[str, Any]:
        chat_id = int(params["chat_id"])
        return {"message_id": int(params["message_id"]), "date": int(time.time()),
                "chat": self._chat(chat_id, "private"), **fields}

    async def _api_setMyCommands(self, params: dict[str, Any]) -> bool:
        self.commands = list(params.get("commands") or [])
        return True

    async def _api_deleteWebhook(self, params: dict[str, Any]) -> bool:
        self.webhook = None
        return True

    async def _api_setWebhook(self, params: dict[str, Any]) -> bool:
        self.webhook = params
        return True

    async def _api_leaveChat(self, params: dict[str, Any]) -> bool:
        self.left_chats.append(int(params["chat_id"]))
        return True
