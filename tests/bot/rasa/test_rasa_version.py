"""The Rasa version our plugins in bot/rasa/ were written for (see docs/ARCHITECTURE.md)."""

from __future__ import annotations

import pytest
import rasa

from bot.rasa.patches import RASA_VERSION, RasaVersionError, check_rasa_version


def test_installed_rasa_is_the_version_the_plugins_were_written_for() -> None:
    assert rasa.__version__ == "3.6.21"
    assert RASA_VERSION == "3.6.21"
    check_rasa_version()


def test_another_rasa_version_fails_loudly() -> None:
    with pytest.raises(RasaVersionError, match="3.6.21"):
        check_rasa_version("3.7.0")
