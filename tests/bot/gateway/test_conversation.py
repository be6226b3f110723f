"""Text, buttons, pauses, long replies and consent through the real client and fake server."""

from __future__ import annotations

from sqlalchemy import select

from bot.content.sos import get_sos_content
from bot.gateway import texts
from bot.gateway.delivery import TYPING_AFTER
from bot.store.messages import METADATA_MESSAGE_ID, Message
from bot.store.models import ChannelIdentity, Patient
from tests.fake_telegram.fake_rasa import FakeRasa
from tests.fake_telegram.harness import GatewayHarness


def _patient_id(h: GatewayHarness, user: int) -> str:
    assert h.db is not None
    with h.db.sessions() as session:
        return session.execute(
            select(ChannelIdentity.patient_id).where(ChannelIdentity.external_id == str(user))
        ).scalar_one()


def _log(h: GatewayHarness, patient_id: str) -> list[Message]:
    assert h.db is not None
    with h.db.sessions() as session:
        return list(session.execute(
            select(Message).where(Message.patient_id == patient_id).order_by(Message.id)
        ).scalars())


async def test_text_goes_to_rasa_under_a_pseudonym_and_is_logged(
    harness: GatewayHarness, fake_rasa: FakeRasa
) -> None:
    user = await harness.consent()
    fake_rasa.delay = 2 * TYPING_AFTER  # slow enough for the typing indicator
    await harness.say(user, "my back is flaring")
    texts_seen = await harness.telegram.wait_texts(user, 4)
    assert texts_seen[-1] == "You said: my back is flaring"
    patient_id = _patient_id(harness, user)
    assert str(user) not in patient_id
    assert fake_rasa.messages_from(patient_id) == ["my back is flaring"]
    assert fake_rasa.unauthorised == 0
    await harness.gateway.idle()
    log = _log(harness, patient_id)
    inbound = [m for m in log if m.direction == "in"]
    assert [(m.kind, m.text, m.status) for m in inbound] == [
        ("text", "my back is flaring", "processed")
    ]
    assert inbound[0].update_id is not None and inbound[0].chat_id == user
    assert log[-1].direction == "out" and log[-1].status == "sent"
    assert log[-1].text == "You said: my back is flaring" and log[-1].reply_to_id == inbound[0].id
    assert harness.telegram.sent_to(user, "sendChatAction")


async def test_nothing_is_kept_before_consent_and_no_means_nothing(
    harness: GatewayHarness, fake_rasa: FakeRasa
) -> None:
    user = 4242
    await harness.say(user, "hello there")
    sent = await harness.telegram.wait_texts(user, 2)
    assert sent == [texts.CONSENT_PENDING, texts.CONSENT_QUESTION]
    await harness.press(user, texts.CONSENT_NO)
    sent = await harness.telegram.wait_texts(user, 3)
    assert sent[-1] == texts.CONSENT_DECLINED
    assert harness.db is not None
    with harness.db.sessions() as session:
        assert session.execute(select(Patient)).first() is None
        assert session.execute(select(Message)).first() is None
    assert fake_rasa.received == []
    assert harness.telegram.sent_to(user, "editMessageReplyMarkup")


async def test_start_explains_and_asks_consent_with_buttons(harness: GatewayHarness) -> None:
    user = 77
    await harness.say(user, "/start")
    sent = await harness.telegram.wait_texts(user, 2)
    assert sent[0] == texts.INTRO
    assert "not a doctor" in sent[0] and "emergency" in sent[0]
    _, buttons = harness.telegram.last_keyboard(user)
    assert [b["text"] for b in buttons] == [texts.CONSENT_YES, texts.CONSENT_NO]
    await harness.press(user, texts.CONSENT_YES)
    sent = await harness.telegram.wait_texts(user, 3)
    assert sent[-1] == get_sos_content().onboarding.country_question
    assert _patient_id(harness, user).startswith("p")


async def test_buttons_become_a_keyboard_and_presses_go_back_as_payloads(
    harness: GatewayHarness, fake_rasa: FakeRasa
) -> None:
    user = await harness.consent()
    await harness.say(user, "buttons")
    await harness.telegram.wait_texts(user, 4)
    _, buttons = harness.telegram.last_keyboard(user)
    assert [b["text"] for b in buttons] == ["3", "7"]
    await harness.press(user, "7")
    await harness.telegram.wait_texts(user, 5)
    patient_id = _patient_id(harness, user)
    assert fake_rasa.messages_from(patient_id)[-1] == '/inform_severity{"severity":"7"}'
    edits = harness.telegram.sent_to(user, "editMessageText")
    assert edits and edits[-1]["text"].endswith("> 7") and not edits[-1].get("reply_markup")
    assert harness.telegram.calls_of("answerCallbackQuery")
    await harness.gateway.idle()
    pressed = [m for m in _log(harness, patient_id) if m.kind == "button"]
    assert [(m.text, m.payload, m.status) for m in pressed] == [
        ("7", '/inform_severity{"severity":"7"}', "processed")
    ]


async def test_pauses_keep_order_without_holding_up_other_patients(
    harness: GatewayHarness, fake_rasa: FakeRasa
) -> None:
    fake_rasa.pause = 8.0  # the other patient is answered meanwhile, even on a loaded machine
    slow = await harness.consent()
    quick = await harness.consent()
    await harness.say(slow, "breathe")
    await harness.telegram.wait_texts(slow, 4)  # "Breathe in slowly." is out, the pause runs
    await harness.say(quick, "hi")
    await harness.telegram.wait_texts(quick, 4)
    assert harness.telegram.texts_to(slow)[-1] == "Breathe in slowly."  # still pausing
    sent = await harness.telegram.wait_texts(slow, 5)
    assert sent[-2:] == ["Breathe in slowly.", "And breathe out."]


async def test_long_replies_are_split_under_the_limit(harness: GatewayHarness) -> None:
    user = await harness.consent()
    await harness.say(user, "long")
    sent = await harness.telegram.wait_texts(user, 6)
    parts = sent[3:]
    assert all(len(part) <= 4096 for part in parts)
    assert " ".join(parts) == ("word " * 1800).strip()


async def test_each_message_goes_to_rasa_with_its_log_id_in_the_metadata(
    harness: GatewayHarness, fake_rasa: FakeRasa
) -> None:
    user = await harness.consent()
    await harness.say(user, "my knees hurt")
    await harness.telegram.wait_texts(user, 4)
    patient_id = _patient_id(harness, user)
    await harness.gateway.idle()
    (inbound,) = [m for m in _log(harness, patient_id) if m.direction == "in"]
    (received,) = [r for r in fake_rasa.received if r.sender == patient_id]
    assert received.metadata[METADATA_MESSAGE_ID] == inbound.id
    assert received.metadata["channel"] == "telegram"
