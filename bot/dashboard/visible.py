"""Make invisible and direction-changing characters visible in what coaches read.

A patient message (or anything else shown) may carry bidi overrides (U+202E makes the
rest of a line read backwards) or zero-width characters (hiding a word from a search or
changing how it looks). The dashboard's Jinja environment runs every printed value
through :func:`neutralise`, which shows each such character as ``[U+XXXX]``.
"""

from __future__ import annotations

import re
from typing import Any

from markupsafe import Markup

_HIDDEN = re.compile(
    "[\u061c\u115f\u1160\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069"
    "\u3164\ufeff\uffa0]"
)


def neutralise(value: Any) -> Any:
    """``value`` with bidi controls and zero-width characters shown as ``[U+XXXX]``.

    Markup (already escaped by a template) and non-strings pass through unchanged.
    """
    if not isinstance(value, str) or isinstance(value, Markup):
        return value
    return _HIDDEN.sub(lambda m: f"[U+{ord(m.group()):04X}]", value)
