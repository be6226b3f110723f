"""The form questions (actions/asks.py): text, buttons, and buttons the forms accept."""

from __future__ import annotations

from typing import Any

import pytest
from rasa_sdk.executor import CollectingDispatcher

from actions import asks
from actions.checkin import ValidateCheckinForm
from actions.flare import ValidateFlareForm, ValidateFollowupForm
from tests.actions.actions_support import make_tracker, payloads, run

FORM_VALIDATORS: dict[str, Any] = {
    "severity_start": ValidateFlareForm,
    "severity_end": ValidateFollowupForm,
    "checkin_pain": ValidateCheckinForm,
    "checkin_sleep": ValidateCheckinForm,
    "checkin_stress": ValidateCheckinForm,
    "checkin_paced": ValidateCheckinForm,
    "checkin_practice": ValidateCheckinForm,
    "checkin_note": ValidateCheckinForm,
}
ASK_ACTIONS = {cls.slot: cls for cls in asks.AskAction.__subclasses__()}


def test_every_form_slot_has_an_ask_action() -> None:
    assert set(ASK_ACTIONS) == set(FORM_VALIDATORS)


@pytest.mark.parametrize("slot", sorted(FORM_VALIDATORS))
async def test_ask_action_sends_the_question_with_its_buttons(slot: str) -> None:
    action = ASK_ACTIONS[slot]()
    assert action.name() == f"action_ask_{slot}"

    events, dispatcher = await run(action, make_tracker("", None))

    (message,) = dispatcher.messages
    assert message["text"] == asks.load_questions()[slot]["text"]
    assert "?" in message["text"]
    assert events == []
    if slot.startswith("severity") or slot in ("checkin_pain", "checkin_sleep"):
        assert payloads(message)[:11] == [str(n) for n in range(11)]


@pytest.mark.parametrize("slot", sorted(FORM_VALIDATORS))
async def test_every_answer_button_passes_its_validator(slot: str) -> None:
    _, asked = await run(ASK_ACTIONS[slot](), make_tracker("", None))
    validator = FORM_VALIDATORS[slot]()

    for payload in payloads(asked.messages[0]):
        dispatcher = CollectingDispatcher()
        result = getattr(validator, f"validate_{slot}")(
            payload, dispatcher, make_tracker(payload, None), {}
        )
        assert result[slot] is not None, f"button {payload!r} is re-asked"
        assert dispatcher.messages == []
