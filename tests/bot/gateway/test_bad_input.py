"""Odd input gets a clear, kind answer and is still logged; nothing crashes."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from bot.gateway import texts
from bot.gateway.intake import MAX_TEXT_CHARS
from bot.store.messages import Message
from tests.fake_telegram.fake_rasa import FakeRasa
from tests.fake_telegram.harness import GatewayHarness


def _inbound(h: GatewayHarness) -> list[Message]:
    assert h.db is not None
    with h.db.sessions() as session:
        return list(session.execute(
            select(Message).where(Message.direction == "in").order_by(Message.id)
        ).scalars())


@pytest.mark.parametrize("kind", ["sticker", "photo", "voice", "document", "location", "contact"])
async def test_non_text_messages_get_a_kind_answer_and_are_logged(
    harness: GatewayHarness, fake_rasa: FakeRasa, kind: str
) -> None:
    user = await harness.consent()
    harness.telegram.inject_kind(user, kind)
    sent = await harness.telegram.wait_texts(user, 4)
    assert sent[-1] == texts.NON_TEXT[kind]
    assert harness.gateway is not None
    await harness.gateway.idle()
    assert [(m.kind, m.status) for m in _inbound(harness)] == [(kind, "processed")]
    assert fake_rasa.received == []


async def test_photo_caption_is_kept_in_the_log(harness: GatewayHarness) -> None:
    user = await harness.consent()
    harness.telegram.inject_kind(user, "photo", caption="my swollen hand")
    await harness.telegram.wait_texts(user, 4)
    assert harness.gateway is not None
    await harness.gateway.idle()
    assert [m.text for m in _inbound(harness)] == ["my swollen hand"]


async def test_edited_and_forwarded_messages(harness: GatewayHarness, fake_rasa: FakeRasa) -> None:
    user = await harness.consent()
    harness.telegram.inject_edit(user, "changed my mind")
    assert (await harness.telegram.wait_texts(user, 4))[-1] == texts.EDITED
    harness.telegram.inject_text(user, "look at this", forwarded=True)
    assert (await harness.telegram.wait_texts(user, 5))[-1] == texts.FORWARDED
    assert fake_rasa.received == []
    assert harness.gateway is not None
    await harness.gateway.idle()
    assert [m.kind for m in _inbound(harness)] == ["edited", "forwarded"]


async def test_group_chats_are_answered_once_and_left(
    harness: GatewayHarness, fake_rasa: FakeRasa
) -> None:
    group = -100123
    harness.telegram.inject_text(5, "hello bot", chat_id=group, chat_type="group")
    await harness.telegram.wait_for(lambda: harness.telegram.left_chats == [group])
    assert harness.telegram.texts_to(group) == [texts.GROUP_CHAT]
    assert fake_rasa.received == [] and _inbound(harness) == []


@pytest.mark.parametrize("text", ["", "   "])
async def test_empty_text(harness: GatewayHarness, fake_rasa: FakeRasa, text: str) -> None:
    user = await harness.consent()
    await harness.say(user, text)
    assert (await harness.telegram.wait_texts(user, 4))[-1] == texts.EMPTY_TEXT
    assert fake_rasa.received == []


async def test_very_long_text_is_truncated_politely_but_kept_whole(
    harness: GatewayHarness, fake_rasa: FakeRasa
) -> None:
    user = await harness.consent()
    long_text = "ouch " * 1000
    await harness.say(user, long_text)
    sent = await harness.telegram.wait_texts(user, 5)
    assert sent[3] == texts.TOO_LONG
    assert len(fake_rasa.received[-1].message) == MAX_TEXT_CHARS
    # the risk assessment reads the whole text
    assert fake_rasa.received[-1].metadata["full_text"] == long_text
    assert harness.gateway is not None
    await harness.gateway.idle()
    (logged,) = _inbound(harness)
    assert logged.text == long_text and logged.status == "processed"


async def test_stale_or_forged_button_data(harness: GatewayHarness, fake_rasa: FakeRasa) -> None:
    user = await harness.consent()
    await harness.say(user, "hi")
    await harness.telegram.wait_texts(user, 4)
    message_id = harness.telegram.calls_of("sendMessage")[-1]["message_id_out"]
    harness.telegram.inject_press(user, message_id, "b:9")
    assert (await harness.telegram.wait_texts(user, 5))[-1] == texts.STALE_BUTTON
    harness.telegram.inject_press(user, message_id, "garbage")
    assert (await harness.telegram.wait_texts(user, 6))[-1] == texts.STALE_BUTTON
    assert [r.message for r in fake_rasa.received] == ["hi"]
