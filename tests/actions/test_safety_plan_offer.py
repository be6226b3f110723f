"""The safety-plan offer that the triage dialogue sends: text and gateway-handled payloads."""

from __future__ import annotations

from rasa_sdk.executor import CollectingDispatcher

from actions.safety_plan import offer_safety_plan
from bot.content.sos import get_sos_content
from bot.gateway.plan_steps import PAYLOADS


def test_the_offer_has_the_text_and_the_two_payloads() -> None:
    dispatcher = CollectingDispatcher()
    offer_safety_plan(dispatcher)
    (message,) = dispatcher.messages
    plan = get_sos_content().plan
    assert message["text"] == plan.offer
    assert [b["title"] for b in message["buttons"]] == [plan.offer_yes, plan.offer_no]
    assert tuple(b["payload"] for b in message["buttons"]) == PAYLOADS
