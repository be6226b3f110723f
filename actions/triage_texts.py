"""The triage wording (content/triage.yml) and same-day care per country (crisis_lines.yml).

Loaded once and checked: every message must be present and fit a phone screen, every
country's ``urgent`` entry needs what to say, a source and when it was checked.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from bot.content import CONTENT_DIR, ContentError, CrisisResources, fits_phone_screen

REQUIRED = (
    "opener",
    "sos_line",
    "questions_intro",
    "retry",
    "questions.wish_dead",
    "questions.active_thoughts",
    "questions.method",
    "questions.intent",
    "questions.plan",
    "questions.behaviour",
    "answer_buttons.affirm",
    "answer_buttons.deny",
    "answer_buttons.unsure",
    "safe_buttons.safe",
    "safe_buttons.not_safe",
    "despair.validate",
    "despair.question",
    "despair.retry",
    "despair.unclear",
    "despair.no_follow",
    "outcome.high_first",
    "outcome.act_first",
    "outcome.line",
    "outcome.means",
    "outcome.validate",
    "outcome.safety_plan",
    "outcome.stay_high",
    "outcome.ask_safe",
    "outcome.ask_safe_again",
    "outcome.safe_now",
    "coach.high",
    "coach.moderate",
    "coach.low",
    "coach.red_flag",
    "red_flag.emergency_intro",
    "red_flag.emergency_action",
    "red_flag.urgent_intro",
    "red_flag.urgent_action",
    "red_flag.dont_wait",
    "red_flag.reminder_emergency",
    "red_flag.reminder_urgent",
    "red_flag.while_waiting",
    "red_flag.no_reassurance",
    "third_party.intro",
    "third_party.advice",
    "third_party.numbers",
    "third_party.about_you",
)


@dataclass(frozen=True)
class UrgentCare:
    """Same-day care for one country: what to say, where it comes from, when checked."""

    say: str
    source: str
    checked: str
    call: str | None = None


@dataclass(frozen=True)
class TriageTexts:
    """Every triage message by its dotted key, and same-day care by country."""

    messages: Mapping[str, str]
    urgent: Mapping[str, UrgentCare]
    default_urgent: UrgentCare

    def get(self, key: str, resources: CrisisResources | None = None, **extra: str) -> str:
        """The message ``key`` with {emergency}, {line} and {urgent} filled in."""
        text = self.messages[key]
        values = dict(extra)
        if resources is not None:
            values.setdefault("emergency", resources.emergency)
            values.setdefault("line", line_contact(resources))
            values.setdefault("urgent", self.urgent_for(resources.country).say)
        return text.format(**values) if values else text

    def urgent_for(self, country: str | None) -> UrgentCare:
        """Same-day care for an ISO country code (the default entry when unknown)."""
        code = (country or "").strip().upper()
        return self.urgent.get("GB" if code == "UK" else code, self.default_urgent)


def line_contact(resources: CrisisResources) -> str:
    """The crisis line in a few words: its name and the number to call or text."""
    number = resources.call or resources.text
    if number and number not in resources.line_name:
        return f"{resources.line_name} ({number})"
    return resources.line_name if number else f"{resources.line_name} ({resources.url})"


def _flatten(node: Any, prefix: str = "") -> dict[str, str]:
    flat: dict[str, str] = {}
    if isinstance(node, dict):
        for key, value in node.items():
            flat.update(_flatten(value, f"{prefix}{key}."))
    elif isinstance(node, str):
        flat[prefix.rstrip(".")] = " ".join(node.split())
    return flat


def _urgent(node: Any, where: str) -> UrgentCare:
    if not isinstance(node, dict):
        raise ContentError(f"crisis_lines.yml: {where}: missing 'urgent'")
    for key in ("say", "source", "checked"):
        if not isinstance(node.get(key), str) or not node[key].strip():
            raise ContentError(f"crisis_lines.yml: {where}: urgent needs {key!r}")
    call = node.get("call")
    return UrgentCare(node["say"], node["source"], node["checked"], str(call) if call else None)


def load_triage_texts(root: Path = CONTENT_DIR) -> TriageTexts:
    """Read and check content/triage.yml and the ``urgent`` entries of crisis_lines.yml."""
    data = yaml.safe_load((root / "triage.yml").read_text(encoding="utf-8"))
    messages = _flatten(data)
    for key in REQUIRED:
        if not messages.get(key):
            raise ContentError(f"triage.yml: missing {key!r}")
    for key, text in messages.items():
        if not fits_phone_screen(text):
            raise ContentError(f"triage.yml: {key!r} does not fit a phone screen")
    crisis = yaml.safe_load((root / "crisis_lines.yml").read_text(encoding="utf-8"))
    urgent = {
        str(code): _urgent((node or {}).get("urgent"), str(code))
        for code, node in (crisis.get("countries") or {}).items()
    }
    default = _urgent((crisis.get("default") or {}).get("urgent"), "default")
    return TriageTexts(messages, urgent, default)


@lru_cache(maxsize=1)
def texts() -> TriageTexts:
    """The triage texts, loaded once."""
    return load_triage_texts()
