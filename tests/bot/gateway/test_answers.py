"""The inbound state machine is one table: every decision of take_in has its handler."""

from __future__ import annotations

from bot.gateway.answers import HANDLERS
from bot.gateway.intake import Next


def test_every_next_value_has_a_handler() -> None:
    assert set(HANDLERS) == set(Next)
    assert all(callable(handler) for handler in HANDLERS.values())
