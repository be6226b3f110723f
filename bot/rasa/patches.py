"""The one place where we change Rasa's own classes at run time.

:func:`apply_rasa_patches` is called once when the Rasa server loads our graph components
(:mod:`bot.rasa.components`). Everything it does, and every other place in this package that
relies on a Rasa internal, was written for :data:`RASA_VERSION` and is listed in
``docs/ARCHITECTURE.md`` ("Rasa internals we rely on").
"""

from __future__ import annotations

import rasa

from bot.rasa import once, slim_tracker, speedups, turns

RASA_VERSION = "3.6.21"


class RasaVersionError(RuntimeError):
    """The installed Rasa is not the version our plugins were written for."""


def check_rasa_version(installed: str | None = None) -> None:
    """Raise :class:`RasaVersionError` unless Rasa is :data:`RASA_VERSION`."""
    found = installed if installed is not None else rasa.__version__
    if found != RASA_VERSION:
        raise RasaVersionError(
            f"bot.rasa was written for Rasa {RASA_VERSION}, found {found}: re-check every "
            "place listed under 'Rasa internals we rely on' in docs/ARCHITECTURE.md"
        )


def apply_rasa_patches() -> None:
    """Check the Rasa version, then install our run-time changes (idempotent).

    - ``RemoteAction._validate_action_result``: a cached JSON-schema validator
      (:mod:`bot.rasa.speedups`).
    - sessions end with the episode or after ``RASA_SESSION_MAX_TURNS`` turns, and action
      calls keep one HTTP session (:mod:`bot.rasa.turns`).
    - a message the gateway resends after Rasa already answered it is answered from the
      tracker, not processed twice (:mod:`bot.rasa.once`).
    - ``RemoteAction._action_call_format``: custom-action calls carry the current turn's
      events instead of the whole conversation (:mod:`bot.rasa.slim_tracker`).
    """
    check_rasa_version()
    speedups.apply()
    turns.apply()
    once.apply()
    slim_tracker.apply()
