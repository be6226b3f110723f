"""What kind of risk a message is about: the red-flag tier, and someone else at risk.

Both prefer what the NLU says (``safety.tier``, ``safety.about_other``, from the
understanding engineer's SafetyNet) and fall back on a cautious guess until it does.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

# Red flags that need a same-day check rather than an ambulance (when safety.tier is
# missing). Anything else, or a mix, is an emergency.
URGENT_REASONS = frozenset({"fell", "after_fall", "changed_pain"})


def red_flag_tier(safety: Mapping[str, object] | None) -> str:
    """``emergency`` or ``urgent`` for a medical red flag (unknown → ``emergency``)."""
    safety = safety or {}
    tier = safety.get("tier")
    if tier in ("emergency", "urgent"):
        return str(tier)
    if "tier" in safety:
        return "emergency"  # the NLU answered, and did not know: the safe side
    raw = safety.get("reasons")
    reasons = [str(r) for r in raw] if isinstance(raw, list) else []
    if reasons and all(reason in URGENT_REASONS for reason in reasons):
        return "urgent"
    return "emergency"


_OTHER_PERSON = (
    r"\b(?:my |a |our )?(?:friend|mate|son|daughter|child|kid|husband|wife|partner|boyfriend"
    r"|girlfriend|mum|mom|mother|dad|father|brother|sister|colleague|coworker|neighbou?r"
    r"|cousin|aunt|uncle|grandson|granddaughter|flatmate|roommate|student|client)\b"
    r"|\b(?:someone|somebody) i know\b"
)
_REPORTED = (
    r"\b(?:told me|said|says|saying|keeps? (?:saying|talking)|talking about|texted|messaged"
    r"|posted|wrote|mentioned|threaten\w*|wants? to|is going to|is thinking|has been"
    r"|tried to|might)\b"
)
_FIRST_PERSON_RISK = (
    r"\b(?:i|i'm|i've|i'd|i'll) (?:want|wish|am going|will|could|might|have been|feel like|"
    r"keep)\b.{0,20}\b(?:die|dead|kill|end|hurt)\b|\bmyself\b|\bkill me\b|\bwithout me\b"
)


def about_other(safety: Mapping[str, object] | None, text: str) -> bool:
    """Whether the risk is someone else's (NLU ``about_other``, else a cautious guess).

    The guess needs another person, a reported statement, and no risk in the first
    person: "my friend said she wants to die" is about the friend, "my wife would be
    better off without me" is not.
    """
    safety = safety or {}
    if isinstance(safety.get("about_other"), bool):
        return bool(safety["about_other"])
    lowered = (text or "").lower().replace("\u2019", "'")
    return (
        bool(re.search(_OTHER_PERSON, lowered))
        and bool(re.search(_REPORTED, lowered))
        and not re.search(_FIRST_PERSON_RISK, lowered)
    )
