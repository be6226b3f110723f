"""Odd input through the real stack: a clear answer each, nothing crashes, all of it logged."""

from __future__ import annotations

import pytest

from bot.content import load_questions
from bot.gateway import texts
from bot.gateway.intake import text_for_nlu
from bot.services import Stack
from tests.fake_telegram.harness import GatewayHarness
from tests.system.system_support import exchange, messages, new_patient, say

pytestmark = pytest.mark.slow

EMOJI_ONLY = "😣😣😣"
SPANISH = "Hoy me duele mucho la espalda y no puedo dormir por la noche"
LONG_TEXT = ("My back has been flaring all week and I keep going over everything I did. " * 80)[
    :5000
]


async def test_odd_input_gets_clear_answers_and_is_all_logged(
    system: GatewayHarness, stack: Stack
) -> None:
    h = system
    user, pid = await new_patient(h)

    sent = await exchange(h, user, lambda: h.telegram.inject_kind(user, "sticker"))
    assert sent == [texts.NON_TEXT["sticker"]]

    sent = await say(h, user, EMOJI_ONLY)  # what it says: test_emoji_only_is_not_read_as_yes
    assert len(sent) == 1 and len(sent[0]) > 20

    sent = await say(h, user, SPANISH)  # what it says: test_other_language_hears_english_only
    assert len(sent) == 1 and len(sent[0]) > 20

    sent = await say(h, user, LONG_TEXT)
    assert sent[0] == texts.TOO_LONG and len(sent) >= 2
    assert sent[-1] == load_questions()["severity_start"]["text"]  # read as a flare report
    assert all(len(text) <= 4096 for text in sent)

    assert all(process.poll() is None for process in stack.processes)
    inbound = messages(h, pid, "in")
    assert [(m.kind, m.text, m.status) for m in inbound] == [
        ("sticker", None, "processed"),
        ("text", EMOJI_ONLY, "processed"),
        ("text", SPANISH, "processed"),
        ("text", LONG_TEXT, "processed"),
    ]
    assert inbound[-1].payload == text_for_nlu(LONG_TEXT)  # the repeated sentence, once
    assert all(m.update_id is not None for m in inbound)
    outbound = messages(h, pid, "out")
    assert {m.status for m in outbound} == {"sent"}
    replies = [m for m in outbound if m.id > inbound[0].id]
    assert len(replies) == len(h.telegram.texts_to(user)) - 3  # after intro, consent, thanks
    assert {m.reply_to_id for m in replies} == {m.id for m in inbound}


async def test_emoji_only_is_not_read_as_yes(system: GatewayHarness) -> None:
    h = system
    user, _ = await new_patient(h)
    sent = await say(h, user, EMOJI_ONLY)
    assert len(sent) == 1 and "in a few words" in sent[0]


async def test_other_language_hears_english_only(system: GatewayHarness) -> None:
    h = system
    user, _ = await new_patient(h)
    sent = await say(h, user, SPANISH)
    assert len(sent) == 1 and "English" in sent[0]
