"""Pacing plan and its break reminder (actions/pacing.py, via action_yes_no)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta, timezone

from actions import common
from actions.conversation import ActionYesNo
from actions.flare import ActionStartFlare
from actions.pacing import REMINDER_MINUTES, ActionPacing
from bot.content import get_content
from bot.store.models import Episode
from bot.store.schedule import PacingReminder
from tests.actions.actions_support import (
    SENDER,
    Conversation,
    entity,
    make_tracker,
    payloads,
    rows,
    run,
    texts,
    with_buttons,
)

T0 = datetime(2024, 6, 3, 12, 0, tzinfo=timezone.utc)


async def test_pacing_sends_the_plan_and_offers_a_reminder(conversation: Conversation) -> None:
    _, dispatcher = await conversation.turn(
        ActionPacing(), "I overdid it yesterday and crashed", "boom_and_bust"
    )

    said = texts(dispatcher)
    assert said[:-1] == common.content().pacing.messages()
    (offer,) = with_buttons(dispatcher)
    assert f"{REMINDER_MINUTES} minutes" in offer["text"]
    assert payloads(offer) == ["/affirm", "/deny"]
    assert conversation.slots["pending_offer"] == "pacing_reminder"
    assert conversation.slots["pacing_minutes"] == 25.0
    assert rows(PacingReminder) == []  # nothing until the patient says yes


async def test_pacing_in_a_flare_is_recorded() -> None:
    await run(
        ActionStartFlare(),
        make_tracker("a 5 in my hips", "report_flare", entities=[entity("severity", "5")]),
    )

    await run(ActionPacing(), make_tracker("/request_pacing", "request_pacing"))

    assert rows(Episode)[0].tools_used == ["pacing"]


async def test_yes_to_the_reminder_stores_it_due_in_25_minutes(
    conversation: Conversation,
    configure: Callable[..., None],
    frozen_now: Callable[[datetime], None],
) -> None:
    configure(DEFAULT_TIMEZONE="Asia/Kolkata")  # UTC+5:30
    frozen_now(T0)
    await conversation.turn(ActionPacing(), "/request_pacing", "request_pacing")

    _, dispatcher = await conversation.turn(ActionYesNo(), "yes", "affirm")

    (reminder,) = rows(PacingReminder)
    assert reminder.patient_id == SENDER
    assert reminder.status == "pending"
    assert reminder.due_at == T0 + timedelta(minutes=25)
    assert reminder.text == get_content().phrase("pacing_reminder")
    (confirmation,) = texts(dispatcher)
    assert "17:55" in confirmation  # 12:25 UTC in the patient's own time
    assert conversation.slots["pending_offer"] is None
    assert conversation.slots["pacing_minutes"] is None


async def test_yes_to_the_reminder_uses_the_real_clock(conversation: Conversation) -> None:
    await conversation.turn(ActionPacing(), "/request_pacing", "request_pacing")
    before = datetime.now(timezone.utc)

    await conversation.turn(ActionYesNo(), "/affirm", "affirm")

    (reminder,) = rows(PacingReminder)
    due = reminder.due_at - before
    assert timedelta(minutes=24) < due < timedelta(minutes=26)


async def test_no_to_the_reminder_stores_nothing(conversation: Conversation) -> None:
    await conversation.turn(ActionPacing(), "/request_pacing", "request_pacing")

    _, dispatcher = await conversation.turn(ActionYesNo(), "no thanks", "deny")

    assert rows(PacingReminder) == []
    assert conversation.slots["pending_offer"] is None
    assert len(texts(dispatcher)) == 1
