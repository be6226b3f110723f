"""Load and validate ``content/aftercare.yml`` and ``content/coach_alerts.yml``.

Kept apart from :mod:`bot.content` (the tool content) so the alert and aftercare wording
can change without touching it. Nothing is read at import time: :func:`load_alert_content`
checks every key and placeholder and raises :class:`bot.content.ContentError` naming the
file and the problem; :func:`get_alert_content` caches it.
"""

from __future__ import annotations

import string
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from bot.content import get_content
from bot.content.loader import CONTENT_DIR, ContentError

REASONS = ("new", "high", "escalation")
KINDS = ("crisis", "red_flag")
LEVELS = ("pending", "low", "moderate", "high", "emergency", "urgent", "unknown")
CHECKBACKS = ("crisis", "red_flag")
ALERT_FIELDS = {"kind", "level", "link", "minutes"}
PATIENT_FIELDS = {"emergency"}
LINK_FIELDS = {"username"}


@dataclass(frozen=True)
class AlertContent:
    """What the assistant says to coaches and, in aftercare, to patients."""

    kinds: Mapping[str, str]
    levels: Mapping[str, str]
    telegram: Mapping[str, str]
    email_subject: Mapping[str, str]
    email_footer: str
    link: Mapping[str, str]
    checkback: Mapping[str, str]
    evening_gentle: str

    def alert_text(self, reason: str, kind: str, level: str | None, link: str,
                   minutes: int) -> str:
        """The Telegram alert (also the body of the e-mail) for one reason."""
        return self.telegram[reason].format(**self._fields(kind, level, link, minutes))

    def alert_email(self, reason: str, kind: str, level: str | None, link: str,
                    minutes: int) -> tuple[str, str]:
        """``(subject, body)`` of the alert e-mail."""
        fields = self._fields(kind, level, link, minutes)
        body = f"{self.telegram[reason].format(**fields)}\n\n{self.email_footer}"
        return self.email_subject[reason].format(**fields), body

    def _fields(self, kind: str, level: str | None, link: str, minutes: int) -> dict[str, Any]:
        return {
            "kind": self.kinds.get(kind, kind),
            "level": self.levels.get(level or "unknown", level or self.levels["unknown"]),
            "link": link,
            "minutes": minutes,
        }

    def checkback_text(self, kind: str, country: str | None) -> str:
        """The next-day check-back for a ``crisis`` or ``red_flag`` flag."""
        emergency = get_content().crisis_resources(country).emergency
        return self.checkback[kind].format(emergency=emergency)

    def patient_messages(self) -> Iterator[tuple[str, str]]:
        """Every patient-facing message, rendered with the default emergency number."""
        for kind in CHECKBACKS:
            yield f"aftercare.yml checkback {kind}", self.checkback_text(kind, None)
        yield "aftercare.yml evening_gentle", self.evening_gentle


def _text(name: str, node: Any, key: str, allowed: set[str]) -> str:
    value = node.get(key) if isinstance(node, dict) else None
    if not isinstance(value, str) or not value.strip():
        raise ContentError(f"{name}: missing text {key!r}")
    used = {field for _, field, _, _ in string.Formatter().parse(value) if field}
    if used - allowed:
        raise ContentError(f"{name}: {key!r} uses unknown placeholders {sorted(used - allowed)}")
    return " ".join(value.split())


def _section(name: str, data: Any, key: str, keys: tuple[str, ...],
             allowed: set[str]) -> dict[str, str]:
    node = data.get(key) if isinstance(data, dict) else None
    if not isinstance(node, dict):
        raise ContentError(f"{name}: missing mapping {key!r}")
    return {item: _text(f"{name}: {key}", node, item, allowed) for item in keys}


def _load(path: Path) -> Any:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ContentError(f"{path.name}: cannot read file: {exc}") from exc
    except yaml.YAMLError as exc:
        raise ContentError(f"{path.name}: invalid YAML: {exc}") from exc
    if not isinstance(data, dict):
        raise ContentError(f"{path.name}: top level must be a mapping")
    return data


def load_alert_content(root: Path = CONTENT_DIR) -> AlertContent:
    """Load and validate both files under ``root``.

    Raises:
        ContentError: a file is missing, a text is missing or uses an unknown placeholder.
    """
    alerts, care = _load(root / "coach_alerts.yml"), _load(root / "aftercare.yml")
    name = "coach_alerts.yml"
    email = alerts.get("email")
    return AlertContent(
        kinds=_section(name, alerts, "kinds", KINDS, set()),
        levels=_section(name, alerts, "levels", LEVELS, set()),
        telegram=_section(name, alerts, "telegram", REASONS, ALERT_FIELDS),
        email_subject=_section(f"{name}: email", email, "subject", REASONS, ALERT_FIELDS),
        email_footer=_text(f"{name}: email", email, "footer", set()),
        link={
            "linked": _text(f"{name}: link", alerts.get("link"), "linked", LINK_FIELDS),
            "bad_code": _text(f"{name}: link", alerts.get("link"), "bad_code", set()),
            "coach_chat": _text(f"{name}: link", alerts.get("link"), "coach_chat", set()),
        },
        checkback=_section("aftercare.yml", care, "checkback", CHECKBACKS, PATIENT_FIELDS),
        evening_gentle=_text("aftercare.yml", care, "evening_gentle", set()),
    )


@lru_cache(maxsize=1)
def get_alert_content() -> AlertContent:
    """The alert and aftercare content, loaded once on first use."""
    return load_alert_content()
