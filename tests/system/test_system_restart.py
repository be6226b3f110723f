"""A gateway restart on the real stack while an update is unconfirmed: answered exactly once.

Telegram keeps an update until a later ``getUpdates`` offset confirms it. ``LossyTelegram``
can lose those confirmations, so an update that the first gateway already stored is still
unconfirmed when it stops, and Telegram hands it to the next gateway again.
"""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from bot.services import Stack
from tests.fake_telegram.server import FakeTelegram
from tests.system.system_support import WAIT_SECONDS, Gateways, messages, new_patient, say

pytestmark = pytest.mark.slow


class LossyTelegram(FakeTelegram):
    """A fake Bot API that ignores ``getUpdates`` offsets while ``lose_confirmations``."""

    lose_confirmations = False

    async def _api_getUpdates(self, params: dict[str, Any]) -> list[dict[str, Any]]:
        if self.lose_confirmations:
            params = {key: value for key, value in params.items() if key != "offset"}
        return await super()._api_getUpdates(params)


async def _lossy(gateways: Gateways) -> LossyTelegram:
    return await gateways.telegram(LossyTelegram)


def _rasa_user_texts(stack: Stack, pid: str) -> list[str]:
    response = httpx.get(
        f"{stack.rasa_url}/conversations/{pid}/tracker",
        params={"token": stack.token},
        timeout=30.0,
    )
    response.raise_for_status()
    return [e.get("text") for e in response.json()["events"] if e["event"] == "user"]


async def test_stored_but_unanswered_message_is_answered_once_after_restart(
    gateways: Gateways, stack: Stack
) -> None:
    telegram = await _lossy(gateways)
    first = await gateways.start(telegram=telegram)
    user, pid = await new_patient(first)
    await first.say(user, "can you walk me through some breathing")
    before = len(telegram.texts_to(user))
    await telegram.wait_texts(user, before + 1, WAIT_SECONDS)  # the intro; now it pauses

    telegram.lose_confirmations = True
    await first.say(user, "thank you")
    await telegram.wait_for(
        lambda: [m.text for m in messages(first, pid, "in")][-1:] == ["thank you"], WAIT_SECONDS
    )
    assert messages(first, pid, "in")[-1].status == "received"  # queued behind the pause
    assert telegram.pending_updates == 1  # stored, never confirmed
    await gateways.stop(first)
    stopped_at = len(telegram.texts_to(user))

    telegram.lose_confirmations = False
    second = await gateways.start(telegram=telegram)
    await telegram.wait_for(
        lambda: messages(second, pid, "in")[-1].status == "processed", WAIT_SECONDS
    )
    assert second.gateway is not None
    await second.gateway.idle()
    await telegram.wait_for(lambda: telegram.pending_updates == 0, WAIT_SECONDS)

    inbound = messages(second, pid, "in")
    assert [m.text for m in inbound] == ["can you walk me through some breathing", "thank you"]
    assert stopped_at - before >= 1  # the stop cut the breathing answer short
    outbound = messages(second, pid, "out")
    breathing = [m.text for m in outbound if m.reply_to_id == inbound[0].id]
    answer = outbound[-1]
    assert answer.reply_to_id == inbound[-1].id and answer.status == "sent"
    assert [m for m in outbound if m.reply_to_id == inbound[-1].id] == [answer]  # one answer
    # The second gateway finishes the breathing answer the stop cut (each message once, in
    # order), then answers "thank you"; Rasa saw "thank you" once.
    assert telegram.texts_to(user)[before:] == [*breathing, answer.text]
    assert _rasa_user_texts(stack, pid).count("thank you") == 1


async def test_answered_but_unconfirmed_update_is_not_answered_again(
    gateways: Gateways, stack: Stack
) -> None:
    telegram = await _lossy(gateways)
    first = await gateways.start(telegram=telegram)
    user, pid = await new_patient(first)

    telegram.lose_confirmations = True
    sent = await say(first, user, "my feet are killing me 7/10")
    assert "7 out of 10" in sent[-1]
    assert telegram.pending_updates == 1
    await gateways.stop(first)

    telegram.lose_confirmations = False
    second = await gateways.start(telegram=telegram)
    await telegram.wait_for(lambda: telegram.pending_updates == 0, WAIT_SECONDS)
    sent = await say(second, user, "thank you")
    assert not any("7 out of 10" in text for text in sent)

    offers = [text for text in telegram.texts_to(user) if "7 out of 10" in text]
    assert len(offers) == 1
    inbound = messages(second, pid, "in")
    assert [(m.text, m.status) for m in inbound] == [
        ("my feet are killing me 7/10", "processed"),
        ("thank you", "processed"),
    ]
    assert _rasa_user_texts(stack, pid).count("my feet are killing me 7/10") == 1
