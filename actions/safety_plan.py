"""The safety-plan offer, for the triage dialogue to send once the patient is safe.

The plan itself is built step by step by the gateway (``bot/gateway/plan_flow.py``), not
by a Rasa form. The offer's buttons carry the payloads ``/start_safety_plan`` and
``/safety_plan_later``: the gateway handles both itself and never passes them to Rasa, so
no intent, rule or slot is needed for them. The words come from content/safety_plan.yml.
"""

from __future__ import annotations

from typing import Any

from rasa_sdk.executor import CollectingDispatcher

from bot.content.sos import get_sos_content
from bot.gateway.plan_steps import LATER_PAYLOAD, START_PAYLOAD


def offer_message() -> dict[str, Any]:
    """The offer as one bot message: text and two buttons (start / not now)."""
    plan = get_sos_content().plan
    return {
        "text": plan.offer,
        "buttons": [
            {"title": plan.offer_yes, "payload": START_PAYLOAD},
            {"title": plan.offer_no, "payload": LATER_PAYLOAD},
        ],
    }


def offer_safety_plan(dispatcher: CollectingDispatcher) -> None:
    """Send the offer from inside any action (e.g. after "I'm safe right now")."""
    message = offer_message()
    dispatcher.utter_message(text=message["text"], buttons=message["buttons"])
