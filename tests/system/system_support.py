"""Helpers for the whole-system tests: unique users, exchanges that wait for the real stack,
and reads of what ended up in the shared database.
"""

from __future__ import annotations

import asyncio
import inspect
import itertools
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from sqlalchemy import func, select

from bot.services import Stack
from bot.store import messages as log
from bot.store.messages import Message
from bot.store.models import (
    Base,
    ChannelIdentity,
    CheckIn,
    Episode,
    FearStatement,
    SafetyFlag,
)
from tests.fake_telegram.harness import GatewayHarness
from tests.fake_telegram.server import FakeTelegram

# Real Rasa and actions on a busy 2-core machine: generous, but a hang still fails.
WAIT_SECONDS = 90.0
# Real Rasa may answer slowly: seconds before it counts as down.
RASA_TIMEOUT_SECONDS = 60.0

T = TypeVar("T", bound=Base)
F = TypeVar("F", bound=FakeTelegram)
UPDATE_IDS_PER_SERVER = 1_000_000
SERVER_DRAIN_SECONDS = 0.2
_update_id_blocks = itertools.count(1)

# Telegram user ids, unique over the whole session (every test shares one database).
_user_ids = itertools.count(910_001)


def new_user_id() -> int:
    """A Telegram user id no other test in this session uses."""
    return next(_user_ids)


class Gateways:
    """Starts gateways and fake Telegram servers on the real stack; stops what still runs.

    All fake servers of a session number their updates in one sequence, as Telegram does
    for one bot: the shared database remembers every update id it took in and drops repeats.
    """

    def __init__(self, stack: Stack, database_url: str) -> None:
        self._stack = stack
        self._database_url = database_url
        self._running: list[GatewayHarness] = []
        self._servers: list[FakeTelegram] = []

    async def telegram(self, kind: type[F] = FakeTelegram) -> F:  # type: ignore[assignment]
        """A started fake Telegram server of class ``kind`` (stopped by :meth:`stop_all`)."""
        server = kind()
        server._update_ids = itertools.count(next(_update_id_blocks) * UPDATE_IDS_PER_SERVER)
        await server.start()
        self._servers.append(server)
        return server

    async def start(self, telegram: FakeTelegram | None = None, **kw: Any) -> GatewayHarness:
        """A started gateway on ``telegram`` (a new server if None); ``GatewayHarness`` kw."""
        kw.setdefault("rasa_timeout", RASA_TIMEOUT_SECONDS)
        harness = GatewayHarness(
            self._database_url,
            self._stack.rasa_url,
            self._stack.token,
            telegram=telegram or await self.telegram(),
            **kw,
        )
        await harness.start()
        self._running.append(harness)
        return harness

    async def stop(self, harness: GatewayHarness) -> None:
        """Stop one gateway now, like a process exit (its Telegram server keeps running)."""
        self._running.remove(harness)
        await harness.stop()

    async def stop_all(self) -> None:
        """Stop every gateway, then every fake server."""
        for harness in list(self._running):
            await self.stop(harness)
        for server in self._servers:
            await server.stop()
        self._servers.clear()
        await asyncio.sleep(SERVER_DRAIN_SECONDS)  # let cut-off long polls finish their replies


# -- conversations -------------------------------------------------------------------


async def new_patient(h: GatewayHarness) -> tuple[int, str]:
    """A new Telegram user who sent /start and said yes; returns (user id, pseudonym)."""
    user = await h.consent(new_user_id())
    return user, patient_id(h, user)


def _finished_inbound(h: GatewayHarness, pid: str) -> int:
    assert h.db is not None
    with h.db.sessions() as session:
        return session.execute(
            select(func.count())
            .select_from(Message)
            .where(
                Message.patient_id == pid,
                Message.direction == log.IN,
                Message.status.not_in(log.UNFINISHED),
            )
        ).scalar_one()


async def exchange(
    h: GatewayHarness,
    user: int,
    act: Callable[[], Awaitable[Any] | int],
    timeout: float = WAIT_SECONDS,
) -> list[str]:
    """Do ``act`` (say or press), wait until it is fully answered; return the new texts.

    Fully answered: the logged inbound message is finished, a reply went out and the
    patient's queue is empty (pauses included).
    """
    assert h.gateway is not None
    pid = patient_id(h, user)
    before_texts = len(h.telegram.texts_to(user))
    before_done = _finished_inbound(h, pid)
    started = act()
    if inspect.isawaitable(started):
        await started
    await h.telegram.wait_for(lambda: _finished_inbound(h, pid) > before_done, timeout)
    await h.telegram.wait_for(lambda: len(h.telegram.texts_to(user)) > before_texts, timeout)
    await h.gateway.idle()
    return h.telegram.texts_to(user)[before_texts:]


async def say(h: GatewayHarness, user: int, text: str, timeout: float = WAIT_SECONDS) -> list[str]:
    """The user writes ``text``; returns every text sent in answer."""
    return await exchange(h, user, lambda: h.say(user, text), timeout)


async def press(
    h: GatewayHarness, user: int, title: str, timeout: float = WAIT_SECONDS
) -> list[str]:
    """The user presses ``title`` on the last keyboard; returns every text sent in answer."""
    return await exchange(h, user, lambda: h.press(user, title), timeout)


def keyboard(h: GatewayHarness, user: int) -> list[str]:
    """Titles of the buttons of the last keyboard sent to ``user``."""
    return [button["text"] for button in h.telegram.last_keyboard(user)[1]]


def sent_messages(h: GatewayHarness, user: int) -> list[tuple[float, str, list[str]]]:
    """(monotonic time at the fake server, text, button titles) of every sendMessage."""
    found = []
    for call in h.telegram.calls_for(user):
        if call.method != "sendMessage":
            continue
        markup = call.params.get("reply_markup") or {}
        titles = [b["text"] for row in markup.get("inline_keyboard", []) for b in row]
        found.append((call.at, call.params["text"], titles))
    return found


# -- the database --------------------------------------------------------------------


def patient_id(h: GatewayHarness, user: int) -> str:
    """The pseudonym of a Telegram user."""
    assert h.db is not None
    with h.db.sessions() as session:
        return session.execute(
            select(ChannelIdentity.patient_id).where(
                ChannelIdentity.channel == "telegram", ChannelIdentity.external_id == str(user)
            )
        ).scalar_one()


def rows(h: GatewayHarness, table: type[T], pid: str) -> list[T]:
    """Rows of a table with a ``patient_id`` column for one patient, oldest first."""
    assert h.db is not None
    column = table.patient_id
    with h.db.sessions() as session:
        return list(
            session.execute(select(table).where(column == pid).order_by(table.id)).scalars()
        )


def episodes(h: GatewayHarness, pid: str) -> list[Episode]:
    """The patient's episodes, oldest first."""
    return rows(h, Episode, pid)


def safety_flags(h: GatewayHarness, pid: str) -> list[SafetyFlag]:
    """The patient's safety flags, oldest first."""
    return rows(h, SafetyFlag, pid)


def checkins(h: GatewayHarness, pid: str) -> list[CheckIn]:
    """The patient's check-ins."""
    return rows(h, CheckIn, pid)


def messages(h: GatewayHarness, pid: str, direction: str | None = None) -> list[Message]:
    """The patient's message log (both directions unless ``direction``), oldest first."""
    return [m for m in rows(h, Message, pid) if direction is None or m.direction == direction]


def fear_statements(h: GatewayHarness, pid: str) -> list[FearStatement]:
    """The patient's fear statements over all episodes, oldest first."""
    assert h.db is not None
    with h.db.sessions() as session:
        return list(
            session.execute(
                select(FearStatement)
                .join(Episode)
                .where(Episode.patient_id == pid)
                .order_by(FearStatement.id)
            ).scalars()
        )
