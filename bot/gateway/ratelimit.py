"""Telegram's sending limits, shared by every gateway worker (Redis) or kept in-process.

Telegram allows about one message per second in one chat (short bursts pass) and about 30
per second for the whole bot, and answers 429 with ``retry_after`` beyond that. The bot-wide
limit here is 25/s with a burst of 3: never more than 27 in any one second. Each send
first reserves a slot: the time it may go out is the latest of now, the chat's and the
bot's next free slot (a generic cell rate algorithm: ``rate`` per second with a ``burst``
allowance), and a bot-wide pause. A 429 sets that pause for everybody: with several
workers the state lives in Redis (one Lua script per reservation, atomic, Redis's own
clock), so all workers honour one ``retry_after`` at once; with one process an in-process
limiter does the same. A reservation is made once the sender is ready to send, so waiting
for a slot never holds a database connection.

A sender that waited for its slot looks at the pause again before it sends: a 429 that
another worker got while it slept holds it too (its slot is given up, a new one taken
after the pause). The HTTP request class looks at it once more just before the write
(:meth:`RedisLimiter.paused_left`, :mod:`bot.gateway.telegram.wire`): a pause that began
between the grant and the write (the event loop busy, a pooled connection awaited) holds
that send too. For benchmarks, ``TELEGRAM_SEND_LOG=1`` makes the Redis limiter append
every slot it grants (``<granted at> <slot> <chat>``, Redis's clock) to
``flare:tg:<bot>:grants`` and every pause to ``flare:tg:<bot>:pauses`` (``<set at>
<until>``), and every send held at the write to ``flare:tg:<bot>:held`` (``<at>``), so
the limiter's own rate can be compared with what Telegram receives.
"""

from __future__ import annotations

import asyncio
import logging
import time
from dataclasses import dataclass
from typing import Any, Protocol

CHAT_RATE = 1.0  # messages per second in one chat
CHAT_BURST = 3  # a reply of up to three messages goes out at once
# Telegram's "about 30 a second" counted in any one second: a GCRA grants up to
# rate + burst - 1 there (30/s with a burst of 10 granted 39-40), so 25/s with a burst of 3
# grants at most 27, leaving room for the jitter between the slot and the wire.
BOT_RATE = 25.0
BOT_BURST = 3
MAX_WAIT = 60.0
REDIS_TIMEOUT = 0.5  # seconds to connect to / hear from Redis before limiting in-process
REDIS_RETRY_SECONDS = 5.0

logger = logging.getLogger(__name__)


class SendLimiter(Protocol):
    """What :class:`~bot.gateway.telegram.channel.TelegramChannel` needs."""

    async def acquire(self, chat_id: int) -> float:
        """Wait for a slot to send to ``chat_id``; returns the seconds waited."""

    async def pause(self, seconds: float) -> None:
        """Telegram said 429: nobody sends for ``seconds``."""

    async def paused_left(self) -> float:
        """Seconds left of the bot-wide pause now (0: none), looked at before a write."""


@dataclass(frozen=True)
class Limits:
    """Rates and bursts (messages per second, messages)."""

    chat_rate: float = CHAT_RATE
    chat_burst: int = CHAT_BURST
    bot_rate: float = BOT_RATE
    bot_burst: int = BOT_BURST


def reserve(now: float, chat_tat: float, bot_tat: float, paused_until: float,
            limits: Limits) -> tuple[float, float, float]:
    """One reservation: (send at, new chat TAT, new bot TAT) for the GCRA state given.

    TAT is the "theoretical arrival time" of the next message at the nominal rate; a send
    may go ``burst - 1`` intervals ahead of it.
    """
    chat_step, bot_step = 1.0 / limits.chat_rate, 1.0 / limits.bot_rate
    at = max(now, paused_until, chat_tat - (limits.chat_burst - 1) * chat_step,
             bot_tat - (limits.bot_burst - 1) * bot_step)
    return at, max(chat_tat, at) + chat_step, max(bot_tat, at) + bot_step


class LocalLimiter:
    """The limits for one gateway process."""

    def __init__(self, limits: Limits = Limits(), clock: Any = time.monotonic,
                 sleep: Any = asyncio.sleep) -> None:
        self.limits = limits
        self._clock = clock
        self._sleep = sleep
        self._chats: dict[int, float] = {}
        self._bot = 0.0
        self._paused_until = 0.0

    async def acquire(self, chat_id: int) -> float:
        """Reserve and wait; after a wait, a pause set meanwhile holds this send too."""
        waited = 0.0
        while True:  # until no pause set during the wait holds the slot, or MAX_WAIT
            now = self._clock()
            at, self._chats[chat_id], self._bot = reserve(
                now, self._chats.get(chat_id, 0.0), self._bot, self._paused_until, self.limits)
            if len(self._chats) > 10_000:  # forget chats whose slots are long past
                self._chats = {c: t for c, t in self._chats.items() if t > now}
            wait = min(at - now, MAX_WAIT)
            if wait <= 0:
                break
            await self._sleep(wait)
            waited += wait
            if self._paused_until <= at or waited >= MAX_WAIT:  # no 429 meanwhile holds it
                break
        return waited

    async def pause(self, seconds: float) -> None:
        """Hold every send for ``seconds``."""
        self._paused_until = max(self._paused_until, self._clock() + seconds)

    async def paused_left(self) -> float:
        """Seconds left of the pause now (0: none)."""
        return max(0.0, self._paused_until - self._clock())


# KEYS: chat TAT, bot TAT, pause, grant log; ARGV: chat step, chat burst, bot step, bot
# burst, ttl, log ('1': append the grant), chat id. Times as '%.6f': tostring() keeps only
# 14 digits, a tenth of a millisecond on the Unix clock.
_RESERVE = """
local t = redis.call('TIME')
local now = tonumber(t[1]) + tonumber(t[2]) / 1e6
local chat = tonumber(redis.call('GET', KEYS[1]) or '0')
local bot = tonumber(redis.call('GET', KEYS[2]) or '0')
local pause = tonumber(redis.call('GET', KEYS[3]) or '0')
local cs, cb, bs, bb = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4])
local at = math.max(now, pause, chat - (cb - 1) * cs, bot - (bb - 1) * bs)
redis.call('SET', KEYS[1], string.format('%.6f', math.max(chat, at) + cs), 'EX', ARGV[5])
redis.call('SET', KEYS[2], string.format('%.6f', math.max(bot, at) + bs), 'EX', ARGV[5])
if ARGV[6] == '1' then
  redis.call('RPUSH', KEYS[4], string.format('%.6f %.6f %s', now, at, ARGV[7]))
  redis.call('EXPIRE', KEYS[4], 86400)
end
return string.format('%.6f %.6f', at - now, at)
"""
# KEYS: pause, pause log; ARGV: seconds, log.
_PAUSE = """
local t = redis.call('TIME')
local now = tonumber(t[1]) + tonumber(t[2]) / 1e6
local old = tonumber(redis.call('GET', KEYS[1]) or '0')
local new = math.max(old, now + tonumber(ARGV[1]))
redis.call('SET', KEYS[1], string.format('%.6f', new), 'EX', math.ceil(tonumber(ARGV[1])) + 5)
if ARGV[2] == '1' then
  redis.call('RPUSH', KEYS[2], string.format('%.6f %.6f', now, new))
  redis.call('EXPIRE', KEYS[2], 86400)
end
return string.format('%.6f', new - now)
"""
# KEYS: pause, dropped-slot log; ARGV: the slot, log, chat id. How far a pause set after
# the slot was granted reaches beyond it (0: none); a slot given up for it is logged.
_PAUSED = """
local t = redis.call('TIME')
local now = tonumber(t[1]) + tonumber(t[2]) / 1e6
local left = math.max(0, tonumber(redis.call('GET', KEYS[1]) or '0') - tonumber(ARGV[1]))
if left > 0 and ARGV[2] == '1' then
  redis.call('RPUSH', KEYS[2], string.format('%.6f %s', now, ARGV[3]))
  redis.call('EXPIRE', KEYS[2], 86400)
end
return string.format('%.6f', left)
"""

# KEYS: pause, held log; ARGV: log. Seconds left of the pause now (0: none); a send held
# for it at the write is logged.
_PAUSE_LEFT = """
local t = redis.call('TIME')
local now = tonumber(t[1]) + tonumber(t[2]) / 1e6
local left = math.max(0, tonumber(redis.call('GET', KEYS[1]) or '0') - now)
if left > 0 and ARGV[1] == '1' then
  redis.call('RPUSH', KEYS[2], string.format('%.6f', now))
  redis.call('EXPIRE', KEYS[2], 86400)
end
return string.format('%.6f', left)
"""


def _text(answer: Any) -> str:
    return answer.decode() if isinstance(answer, bytes) else str(answer)


class RedisLimiter:
    """The limits shared by all workers through Redis (``RATE_LIMIT_REDIS_URL``).

    Args:
        url: e.g. ``redis://127.0.0.1:6379/0``.
        bot_key: keeps bots apart on one Redis (e.g. the bot's numeric id).
        limits: rates and bursts.
        log: append every grant and pause to lists in Redis (benchmarks; see the module
            docstring).
    """

    def __init__(self, url: str, bot_key: str = "bot", limits: Limits = Limits(),
                 sleep: Any = asyncio.sleep, clock: Any = time.monotonic,
                 log: bool = False) -> None:
        from redis import asyncio as aioredis

        # Short timeouts: a Redis host that vanished must not hold a send for minutes.
        self._redis = aioredis.from_url(url, socket_connect_timeout=REDIS_TIMEOUT,
                                        socket_timeout=REDIS_TIMEOUT)
        self._prefix = f"flare:tg:{bot_key}"
        self.limits = limits
        self._sleep = sleep
        self._reserve = self._redis.register_script(_RESERVE)
        self._pause = self._redis.register_script(_PAUSE)
        self._paused = self._redis.register_script(_PAUSED)
        self._pause_left = self._redis.register_script(_PAUSE_LEFT)
        self.log = log
        self.fallback = LocalLimiter(limits, sleep=sleep)  # while Redis is unreachable
        self._clock = clock
        self._down = False
        self._retry_at = 0.0  # while Redis is down: when to try it again

    async def acquire(self, chat_id: int) -> float:
        """Reserve a slot in Redis and wait for it (in-process limits if Redis is down).

        Redis down: this worker fails open to its own in-process limits (sending goes on;
        with K workers the bot-wide rate may reach K times the limit until Redis is back,
        and a 429 then pauses the worker that got it) and tries Redis again every
        ``REDIS_RETRY_SECONDS`` instead of on every send.
        """
        if self._clock() >= self._retry_at:
            try:
                wait = await self._acquire(chat_id)
            except Exception as exc:  # redis errors of any kind: keep sending, within limits
                if not self._down:
                    logger.warning("rate limiter: Redis unavailable (%s); limiting in-process",
                                   exc)
                self._down = True
                self._retry_at = self._clock() + REDIS_RETRY_SECONDS
            else:
                if self._down:
                    logger.warning("rate limiter: Redis is back; limits shared again")
                self._down = False
                return wait
        return await self.fallback.acquire(chat_id)

    async def _acquire(self, chat_id: int) -> float:
        limits, log = self.limits, "1" if self.log else "0"
        waited = 0.0
        while True:  # a storm of 429s holds the send through every pause, up to MAX_WAIT
            answer = await self._reserve(
                keys=[f"{self._prefix}:chat:{chat_id}", f"{self._prefix}:bot",
                      f"{self._prefix}:pause", f"{self._prefix}:grants"],
                args=[1.0 / limits.chat_rate, limits.chat_burst, 1.0 / limits.bot_rate,
                      limits.bot_burst, 120, log, chat_id])
            ahead, at = (float(x) for x in _text(answer).split())
            wait = min(ahead, MAX_WAIT)
            if wait <= 0:
                break
            await self._sleep(wait)
            waited += wait
            # Another worker may have got a 429 while this one slept: then its slot is
            # given up and a new one taken after the pause.
            if waited >= MAX_WAIT or float(await self._paused(
                    keys=[f"{self._prefix}:pause", f"{self._prefix}:dropped"],
                    args=[f"{at:.6f}", log, chat_id])) <= 0:
                break
        return waited

    async def pause(self, seconds: float) -> None:
        """Make every worker hold its sends for ``seconds``."""
        await self.fallback.pause(seconds)
        try:
            await self._pause(keys=[f"{self._prefix}:pause", f"{self._prefix}:pauses"],
                              args=[seconds, "1" if self.log else "0"])
        except Exception as exc:  # redis errors of any kind: this worker still pauses
            logger.warning("rate limiter: could not share a pause (%s)", exc)

    async def paused_left(self) -> float:
        """Seconds left of the shared pause now (0: none); this worker's own pause while
        Redis is unreachable."""
        local = await self.fallback.paused_left()
        if self._down and self._clock() < self._retry_at:
            return local
        try:
            shared = float(_text(await self._pause_left(
                keys=[f"{self._prefix}:pause", f"{self._prefix}:held"],
                args=["1" if self.log else "0"])))
        except Exception as exc:  # redis errors of any kind: the send goes on, as acquire's
            logger.info("rate limiter: could not read the pause (%s)", exc)
            return local
        return max(shared, local)

    async def aclose(self) -> None:
        """Close the Redis connection."""
        await self._redis.close()
