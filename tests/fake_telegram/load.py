"""Simulated patients for the gateway benchmark, run in their own process with the fake
Telegram server (and optionally the fake Rasa), so the gateway under test has its process
to itself, as it would in production.

    python -m tests.fake_telegram.load  < config JSON line >

Protocol on stdin/stdout (one JSON object per line): the process reads its config, starts
the servers and prints ``{"telegram_base_url", "token", "rasa_url"}``; once the gateway
polls it runs the patients and prints the results; it then serves until stdin closes or
says ``stop`` (the gateway may still be finishing its calls).

Latency is measured here, on the Bot API side: from the moment an update is available to
``getUpdates`` to the first ``sendMessage`` for that chat that the server handled.
"""

from __future__ import annotations

import asyncio
import json
import random
import resource
import sys
import time
from dataclasses import asdict, dataclass, field
from typing import Any

from bot.gateway.model import CONSENT_YES
from tests.fake_telegram.fake_rasa import FakeRasa
from tests.fake_telegram.server import FakeTelegram

PHRASES = (
    "hello",
    "my lower back is flaring, about a 6 out of 10",
    "I'm scared this pain means something is damaged",
    "thank you",
)
SETTLE_SECONDS = 0.3  # no further reply for this long: the answer is complete


@dataclass
class LoadConfig:
    """What the simulated patients do."""

    users: list[int]
    messages: int = 4
    think_min: float = 1.0
    think_max: float = 3.0
    reply_timeout: float = 30.0
    first_update_id: int = 1
    fake_rasa: bool = False
    seed: int = 1


@dataclass
class LoadResult:
    """What the patients saw."""

    latencies: list[float] = field(default_factory=list)
    sent: int = 0
    unanswered: int = 0
    elapsed: float = 0.0
    consent_failures: int = 0
    cpu_seconds: float = 0.0  # this process (fake server, patients, fake Rasa)


def _replies(telegram: FakeTelegram, user: int) -> int:
    return sum(1 for call in telegram.calls_for(user) if call.method == "sendMessage")


async def _settled(telegram: FakeTelegram, user: int) -> None:
    """Wait until no further reply arrives for ``user`` (answers of several messages)."""
    seen = -1
    while seen != _replies(telegram, user):
        seen = _replies(telegram, user)
        await asyncio.sleep(SETTLE_SECONDS)


async def consent(telegram: FakeTelegram, user: int, timeout: float) -> None:
    """A new user sends /start and presses yes; returns once the thanks arrived."""
    telegram.inject_text(user, "/start")

    def asked() -> bool:
        try:
            _, buttons = telegram.last_keyboard(user)
        except LookupError:
            return False
        return any(b.get("callback_data") == CONSENT_YES for b in buttons)

    await telegram.wait_for(asked, timeout)
    message_id, _ = telegram.last_keyboard(user)
    before = _replies(telegram, user)
    telegram.inject_press(user, message_id, CONSENT_YES)
    await telegram.wait_for(lambda: _replies(telegram, user) > before, timeout)
    await _settled(telegram, user)


async def _patient(
    telegram: FakeTelegram, user: int, config: LoadConfig, rng: random.Random, out: LoadResult
) -> None:
    """One patient: think, type a message, wait for the whole answer; repeat."""
    await asyncio.sleep(rng.uniform(0, config.think_max))  # people do not start in step
    for number in range(config.messages):
        before = _replies(telegram, user)
        started = time.monotonic()
        telegram.inject_text(user, PHRASES[number % len(PHRASES)])
        out.sent += 1
        try:
            await telegram.wait_for(lambda b=before: _replies(telegram, user) > b,
                                    config.reply_timeout)
        except TimeoutError:
            out.unanswered += 1
            continue
        first = next(c for c in telegram.calls_for(user)
                     if c.method == "sendMessage" and c.at >= started)
        out.latencies.append(first.at - started)
        await _settled(telegram, user)
        await asyncio.sleep(rng.uniform(config.think_min, config.think_max))


async def run_patients(telegram: FakeTelegram, config: LoadConfig) -> LoadResult:
    """Consent every user (not timed), then run the timed conversations."""
    result = LoadResult()
    consents = await asyncio.gather(
        *(consent(telegram, u, config.reply_timeout) for u in config.users),
        return_exceptions=True,
    )
    result.consent_failures = sum(isinstance(c, BaseException) for c in consents)
    rng = random.Random(config.seed)
    started = time.monotonic()
    await asyncio.gather(*(
        _patient(telegram, u, config, random.Random(rng.random()), result) for u in config.users
    ))
    result.elapsed = time.monotonic() - started
    usage = resource.getrusage(resource.RUSAGE_SELF)
    result.cpu_seconds = usage.ru_utime + usage.ru_stime
    return result


def _emit(data: dict[str, Any]) -> None:
    sys.stdout.write(json.dumps(data) + "\n")
    sys.stdout.flush()


async def _serve(config: LoadConfig) -> None:
    loop = asyncio.get_running_loop()
    reader = asyncio.StreamReader()
    await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(reader), sys.stdin)
    telegram = await FakeTelegram(first_update_id=config.first_update_id).start()
    rasa = await FakeRasa(token=None).start() if config.fake_rasa else None
    _emit({"telegram_base_url": telegram.base_url, "token": telegram.token,
           "rasa_url": rasa.url if rasa else None})
    await telegram.wait_for(lambda: bool(telegram.commands), timeout=60)  # gateway is up
    result = await run_patients(telegram, config)
    _emit({"result": asdict(result)})
    while (await reader.readline()).strip() not in (b"stop", b""):
        pass
    await telegram.stop()
    if rasa is not None:
        await rasa.stop()


def main() -> None:
    """Read the config line from stdin and run."""
    config = LoadConfig(**json.loads(sys.stdin.readline()))
    asyncio.run(_serve(config))


if __name__ == "__main__":
    main()
