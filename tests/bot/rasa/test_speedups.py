"""The cached action-response validator accepts and rejects exactly what Rasa's does."""

from __future__ import annotations

import pytest
from jsonschema import ValidationError
from jsonschema import validate as reference_validate
from rasa.core.actions.action import RemoteAction

from bot.rasa import speedups as rasa_speedups

GOOD = {"events": [{"event": "slot", "name": "x", "value": 1}], "responses": [{"text": "hi"}]}
BAD = [{"events": "not a list"}, {"responses": "nope"}, {"events": [1]}]


def test_installed_by_the_components_module() -> None:
    import bot.rasa.components  # noqa: F401

    assert RemoteAction._validate_action_result is rasa_speedups._validate_action_result


def test_accepts_a_valid_response() -> None:
    rasa_speedups.apply()
    assert RemoteAction._validate_action_result(None, GOOD) is True  # type: ignore[arg-type]


@pytest.mark.parametrize("result", BAD)
def test_rejects_what_rasa_rejects(result: dict) -> None:
    schema = RemoteAction.action_response_format_spec()
    with pytest.raises(ValidationError) as reference:
        reference_validate(result, schema)
    rasa_speedups.apply()
    with pytest.raises(ValidationError) as ours:
        RemoteAction._validate_action_result(None, result)  # type: ignore[arg-type]
    assert ours.value.message.startswith(reference.value.message)
    assert "Failed to validate Action server response" in ours.value.message
