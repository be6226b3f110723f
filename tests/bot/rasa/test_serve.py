"""``python -m bot.rasa.serve`` hands RASA_TOKEN to Rasa's own argument parser intact."""

from __future__ import annotations

import sys

import pytest

from bot.rasa import serve


@pytest.mark.parametrize("token", ["plain-token", "-starts-with-a-dash", "--double"])
def test_the_token_reaches_rasa_whatever_its_first_character(
    token: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    import rasa.__main__ as rasa_cli
    from rasa.cli import run as rasa_run  # noqa: F401  (registers the `run` sub-parser)

    parsed: dict[str, str] = {}

    def fake_main() -> None:  # Rasa's CLI, stopped after argument parsing
        parser = rasa_cli.create_argument_parser()
        parsed["auth_token"] = parser.parse_args(sys.argv[1:]).auth_token

    monkeypatch.setenv("RASA_TOKEN", token)
    monkeypatch.setattr(sys, "argv", ["serve", "--enable-api", "--port", "5005"])
    monkeypatch.setattr(rasa_cli, "main", fake_main)
    serve.main()
    assert parsed["auth_token"] == token
