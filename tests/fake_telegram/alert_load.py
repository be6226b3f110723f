"""The gateway load of :mod:`tests.fake_telegram.load` plus patients in crisis and a coach.

    python -m tests.fake_telegram.alert_load  < config JSON line >

Same protocol as ``load``: read the config line, start the fake Bot API server, print
``{"telegram_base_url", "token"}``; once the gateway polls, the coach links their Telegram
account (``/coach CODE``), every patient consents, the ordinary patients talk as in the
gateway benchmark and each crisis patient sends one crisis message at a random moment of
the load. Then it waits for the coach's alerts and prints, on the Bot API side's clock,
when each crisis message was made available and every message the coach's chat got.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import random
import sys
import time
from dataclasses import dataclass, field
from typing import Any

from tests.fake_telegram.load import LoadConfig, LoadResult, _emit, _patient, _replies, consent
from tests.fake_telegram.server import FakeTelegram

CRISIS_TEXT = "I want to kill myself, I can't go on"


@dataclass
class AlertLoadConfig(LoadConfig):
    """The ordinary load, plus crisis patients and the coach who gets their alerts."""

    crisis_users: list[int] = field(default_factory=list)
    coach_user: int = 0
    coach_code: str = ""
    crisis_window: float = 20.0  # crisis messages go out 2 s .. this many s into the load
    alert_timeout: float = 120.0


async def _crisis_patient(telegram: FakeTelegram, user: int, config: AlertLoadConfig,
                          rng: random.Random, sent: dict[int, float]) -> None:
    """Wait a random while, send the crisis message, wait for the answer."""
    await asyncio.sleep(rng.uniform(2.0, config.crisis_window))
    before = _replies(telegram, user)
    sent[user] = time.monotonic()
    telegram.inject_text(user, CRISIS_TEXT)
    await telegram.wait_for(lambda: _replies(telegram, user) > before, config.reply_timeout)


async def run(telegram: FakeTelegram, config: AlertLoadConfig) -> dict[str, Any]:
    """Link the coach, consent everyone, run the load with the crisis messages in it."""
    telegram.inject_text(config.coach_user, f"/coach {config.coach_code}")
    await telegram.wait_for(lambda: _replies(telegram, config.coach_user) > 0, 30)
    linked_replies = _replies(telegram, config.coach_user)
    everyone = [*config.users, *config.crisis_users]
    consents = await asyncio.gather(
        *(consent(telegram, u, config.reply_timeout) for u in everyone), return_exceptions=True
    )
    result = LoadResult(consent_failures=sum(isinstance(c, BaseException) for c in consents))
    rng = random.Random(config.seed)
    sent: dict[int, float] = {}
    started = time.monotonic()
    await asyncio.gather(
        *(_patient(telegram, u, config, random.Random(rng.random()), result)
          for u in config.users),
        *(_crisis_patient(telegram, u, config, random.Random(rng.random()), sent)
          for u in config.crisis_users),
        return_exceptions=True,
    )
    result.elapsed = time.monotonic() - started
    expected = linked_replies + len(sent)
    with contextlib.suppress(TimeoutError):  # missing alerts are reported, not raised
        await telegram.wait_for(lambda: _replies(telegram, config.coach_user) >= expected,
                                config.alert_timeout)
    coach = [
        {"at": call.at, "text": call.params.get("text", "")}
        for call in telegram.calls_for(config.coach_user) if call.method == "sendMessage"
    ][linked_replies:]
    return {"load": result.__dict__, "crisis_sent": {str(k): v for k, v in sent.items()},
            "coach_messages": coach}


async def _serve(config: AlertLoadConfig) -> None:
    loop = asyncio.get_running_loop()
    reader = asyncio.StreamReader()
    await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(reader), sys.stdin)
    telegram = await FakeTelegram(first_update_id=config.first_update_id).start()
    _emit({"telegram_base_url": telegram.base_url, "token": telegram.token, "rasa_url": None})
    await telegram.wait_for(lambda: bool(telegram.commands), timeout=60)  # gateway is up
    _emit({"result": await run(telegram, config)})
    while (await reader.readline()).strip() not in (b"stop", b""):
        pass
    await telegram.stop()


def main() -> None:
    """Read the config line from stdin and run."""
    config = AlertLoadConfig(**json.loads(sys.stdin.readline()))
    asyncio.run(_serve(config))


if __name__ == "__main__":
    main()
