"""Everything the gateway itself says (not Rasa), read from ``content/gateway.yml``.

The sentences live in that file (loaded and checked with the rest of the content, see
bot/content/loader.py ``GATEWAY_TEXTS``); this module only names them:
``texts.CONSENT_QUESTION`` is the ``consent_question`` text, ``texts.NON_TEXT`` the answers to
non-text messages by kind, ``texts.COMMANDS`` the command menu and ``texts.SAFETY_LINE`` the
safety line of content/crisis_lines.yml. Nothing is read at import time.
"""

from __future__ import annotations

from typing import Any

from bot.content import get_content
from bot.content.loader import GATEWAY_TEXTS


def _ends_with_safety_line() -> tuple[str, ...]:
    """The names of the texts that end with the safety line (and the line itself)."""
    content = get_content()
    return ("SAFETY_LINE", *(
        key.upper() for key, text in content.gateway.texts.items()
        if text.endswith(content.safety_line)
    ))


def __getattr__(name: str) -> Any:
    """One of the gateway's texts, by its upper-case name (AttributeError if unknown)."""
    content = get_content()
    if name == "SAFETY_LINE":
        return content.safety_line
    if name == "NON_TEXT":
        return dict(content.gateway.non_text)
    if name == "COMMANDS":
        return content.gateway.commands
    if name == "_ENDS_WITH_SAFETY_LINE":
        return _ends_with_safety_line()
    if name.isupper() and name.lower() in GATEWAY_TEXTS:
        return content.gateway.texts[name.lower()]
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(
        [*globals(), "SAFETY_LINE", "NON_TEXT", "COMMANDS", *(k.upper() for k in GATEWAY_TEXTS)]
    )
