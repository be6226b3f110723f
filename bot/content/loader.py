"""Load and validate the reviewable content in ``content/*.yml``.

Nothing is read at import time: call :func:`load_content` (tests, tools) or the cached
:func:`get_content` (actions). Structural problems raise :class:`ContentError` naming the
file, the item and the problem.
"""

from __future__ import annotations

import re
import string
from collections.abc import Mapping
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from bot.content.models import (
    MAX_MESSAGE_CHARS,
    MAX_MESSAGE_LINES,
    BreathingCue,
    BreathingScript,
    Content,
    ContentError,
    CrisisResources,
    Desensitization,
    GatewayTexts,
    Grounding,
    GroundingStep,
    PacingPlan,
    Reframe,
    Source,
    SourcedText,
    fits_phone_screen,
    normalise_text,
)

PROJECT_ROOT = Path(__file__).resolve().parents[2]
CONTENT_DIR = PROJECT_ROOT / "content"
SEEDS_DIR = PROJECT_ROOT / "docs" / "seeds"

REFRAME_KINDS = (
    "rumination",
    "magnification",
    "helplessness",
    "damage",
    "movement",
    "permanence",
    "missed_diagnosis",
)
# Every entry of content/phrases.yml and the placeholders it must have.
PHRASES: dict[str, frozenset[str]] = {
    "severity_retry": frozenset(),
    "tools_question": frozenset(),
    "listening_reminder": frozenset(),
    "tools_question_heavy": frozenset({"article", "severity"}),
    "closing_better": frozenset({"start", "end"}),
    "closing_same": frozenset({"end"}),
    "closing_worse": frozenset({"end"}),
    "closing_unknown": frozenset(),
    "crisis_instead_of_reframe": frozenset(),
    "breathing_after_reframe": frozenset(),
    "breathing_done": frozenset(),
    "pacing_reminder_offer": frozenset({"minutes"}),
    "pacing_reminder_set": frozenset({"time"}),
    "pacing_reminder": frozenset(),
    "checkin_score_retry": frozenset(),
    "checkin_yes_no_retry": frozenset(),
    "checkin_minutes_retry": frozenset(),
    "checkin_practice_done": frozenset({"minutes"}),
    "checkin_reminder": frozenset(),
    "progress_empty": frozenset(),
    "weekly_empty": frozenset(),
    "progress_header": frozenset(),
    "weekly_header": frozenset(),
    "harder_week": frozenset(),
    "steady_week": frozenset(),
    "weekly_off_hint": frozenset(),
    "progress_flares": frozenset({"flares", "before"}),
    "progress_pain_none": frozenset(),
    "progress_pain": frozenset({"average"}),
    "progress_pain_and_before": frozenset({"average", "before"}),
    "progress_recovery": frozenset({"duration"}),
    "progress_helped": frozenset({"tool", "drop", "count", "flares"}),
    "flare_noted": frozenset({"parts"}),
    "flare_noted_where": frozenset({"locations"}),
    "flare_noted_after": frozenset({"triggers"}),
    "capabilities": frozenset(),
    "tools_pick": frozenset(),
    "offer_yes_open": frozenset({"capabilities"}),
    "offer_declined": frozenset(),
    "fallback_no_letters": frozenset(),
    "not_english": frozenset({"capabilities"}),
    "not_understood": frozenset({"capabilities"}),
    "out_of_scope": frozenset({"capabilities"}),
    "chart_pain_title": frozenset(),
    "chart_flares_title": frozenset(),
}
# Every button title of content/buttons.yml (the actions pair each with a fixed payload).
BUTTONS = (
    "tool_breathing", "tool_reframe", "tool_grounding", "tool_pacing", "tool_listen",
    "breathe_yes", "ground_yes", "not_now", "remind_yes", "remind_no", "safe_yes", "safe_no",
    "calm_breathing", "calm_grounding",
)
# Every text of content/gateway.yml and the placeholders it keeps for the code to fill.
# ``{safety_line}`` (crisis_lines.yml) and ``{safety_record_note}`` are filled in at load.
GATEWAY_TEXTS: dict[str, frozenset[str]] = {
    "intro": frozenset(),
    "safety_record_note": frozenset(),
    "consent_question": frozenset(),
    "consent_yes": frozenset(),
    "consent_no": frozenset(),
    "consent_declined": frozenset(),
    "consent_pending": frozenset(),
    "invite_ok": frozenset({"coach"}),
    "invite_invalid": frozenset(),
    "already_consented": frozenset(),
    "help": frozenset(),
    "settings_usage": frozenset(),
    "settings_current": frozenset({"time", "timezone", "country", "state", "weekly"}),
    "settings_saved": frozenset({"what", "value"}),
    "weekly_on": frozenset(),
    "weekly_off": frozenset(),
    "progress_picture_name": frozenset(),
    "paused": frozenset(),
    "resumed": frozenset({"time"}),
    "stopped": frozenset(),
    "mydata_caption": frozenset(),
    "delete_question": frozenset(),
    "delete_yes": frozenset(),
    "delete_no": frozenset(),
    "deleted": frozenset(),
    "deleted_safety_kept": frozenset(),
    "delete_cancelled": frozenset(),
    "mydata_about": frozenset(),
    "holding_reply": frozenset(),
    "something_went_wrong": frozenset(),
    "empty_text": frozenset(),
    "too_long": frozenset(),
    "edited": frozenset(),
    "forwarded": frozenset(),
    "group_chat": frozenset(),
    "unknown_command": frozenset(),
    "stale_button": frozenset(),
    "button_chosen": frozenset({"title"}),
    "please_choose": frozenset(),
    "terminal_banner": frozenset(),
    "label_checkin_time": frozenset(),
    "label_timezone": frozenset(),
    "label_country": frozenset(),
}
GATEWAY_NON_TEXT = (
    "sticker", "photo", "voice", "audio", "video", "document", "location", "contact", "other",
)
GATEWAY_INCLUDES = ("safety_line", "safety_record_note")
VALIDATION_CONTEXTS = (
    "flare",
    "flare_high",
    "fear",
    "despair_no",
    "checkin_done",
    "just_listen",
    "listening",
    "listening_flare",
)
GROUNDING_ORDER = ((5, "see"), (4, "feel"), (3, "hear"), (2, "smell"), (1, "taste"))
MIN_REFRAMES_PER_KIND = 5


class _File:
    """One YAML content file being parsed; builds errors that name the file and item."""

    def __init__(self, path: Path, seeds_dir: Path | None, ids: set[str]) -> None:
        self.name, self.seeds_dir, self.ids = path.name, seeds_dir, ids
        try:
            self.data: Any = yaml.safe_load(path.read_text(encoding="utf-8"))
        except OSError as exc:
            raise ContentError(f"{path.name}: cannot read file: {exc}") from exc
        except yaml.YAMLError as exc:
            raise ContentError(f"{path.name}: invalid YAML: {exc}") from exc
        if not isinstance(self.data, dict):
            raise ContentError(f"{path.name}: top level must be a mapping")

    def error(self, where: str, problem: str) -> ContentError:
        return ContentError(f"{self.name}: {where}: {problem}")

    def get(self, node: Any, key: str, where: str, kind: type | tuple[type, ...]) -> Any:
        value = node.get(key) if isinstance(node, dict) else None
        if value is None or value == "" or value == [] or value == {}:
            raise self.error(where, f"missing {key!r}")
        if not isinstance(value, kind) or isinstance(value, bool):
            raise self.error(where, f"{key!r} has the wrong type ({type(value).__name__})")
        return value

    def opt(self, node: dict[str, Any], key: str, where: str) -> str | None:
        return str(self.get(node, key, where, (str, int))) if node.get(key) else None

    def text(self, node: Any, key: str, where: str) -> str:
        value = self.get(node, key, where, str).strip()
        if not fits_phone_screen(value):
            raise self.error(
                where,
                f"{key!r} too long ({len(value)} chars, {len(value.splitlines())} lines;"
                f" max {MAX_MESSAGE_CHARS} chars, {MAX_MESSAGE_LINES} lines)",
            )
        return value

    def integer(self, node: Any, key: str, where: str, low: int, high: int) -> int:
        value = self.get(node, key, where, int)
        if not low <= value <= high:
            raise self.error(where, f"{key!r} must be between {low} and {high}, got {value}")
        return int(value)

    def item_id(self, node: Any, where: str) -> str:
        item_id = self.get(node, "id", where, str)
        if item_id in self.ids:
            raise self.error(item_id, "duplicate id")
        self.ids.add(item_id)
        return str(item_id)

    def source(self, node: Any, where: str) -> Source:
        if not isinstance(node, dict) or not node.get("source"):
            raise self.error(where, "missing source")
        raw = self.get(node, "source", where, dict)
        seed = self.get(raw, "seed", f"{where} source", str)
        quote = self.get(raw, "quote", f"{where} source", str)
        if self.seeds_dir is not None:
            path = self.seeds_dir / seed
            if not path.is_file():
                raise self.error(where, f"source seed {seed!r} not found in {self.seeds_dir}")
            if normalise_text(quote) not in normalise_text(path.read_text(encoding="utf-8")):
                raise self.error(where, f"source quote not found in {seed}")
        return Source(seed, normalise_text(quote))

    def sourced(self, key: str) -> tuple[SourcedText, ...]:
        items = []
        for index, item in enumerate(self.get(self.data, key, key, list)):
            item_id = self.item_id(item, f"{key}[{index}]")
            items.append(
                SourcedText(item_id, self.text(item, "text", item_id), self.source(item, item_id))
            )
        return tuple(items)


def _reframes(f: _File) -> dict[str, tuple[Reframe, ...]]:
    pools: dict[str, list[Reframe]] = {kind: [] for kind in REFRAME_KINDS}
    for index, item in enumerate(f.get(f.data, "reframes", "reframes", list)):
        item_id = f.item_id(item, f"reframes[{index}]")
        kind = f.get(item, "kind", item_id, str)
        if kind not in pools:
            raise f.error(item_id, f"unknown kind {kind!r} (expected one of {REFRAME_KINDS})")
        pools[kind].append(
            Reframe(item_id, kind, f.text(item, "text", item_id), f.source(item, item_id))
        )
    for kind, pool in pools.items():
        if len(pool) < MIN_REFRAMES_PER_KIND:
            raise f.error(kind, f"only {len(pool)} reframes, need {MIN_REFRAMES_PER_KIND}")
    return {kind: tuple(pool) for kind, pool in pools.items()}


def _validations(f: _File) -> dict[str, tuple[str, ...]]:
    node = f.get(f.data, "validations", "validations", dict)
    unknown = set(node) - set(VALIDATION_CONTEXTS)
    if unknown:
        raise f.error("validations", f"unknown contexts {sorted(unknown)}")
    return {
        ctx: tuple(
            f.text({"text": t}, "text", f"{ctx}[{i}]")
            for i, t in enumerate(f.get(node, ctx, ctx, list))
        )
        for ctx in VALIDATION_CONTEXTS
    }


def _breathing(f: _File) -> tuple[BreathingScript, ...]:
    scripts = []
    for index, item in enumerate(f.get(f.data, "scripts", "scripts", list)):
        sid = f.item_id(item, f"scripts[{index}]")
        inhale, exhale = (
            f.integer(item, "inhale", sid, 2, 10),
            f.integer(item, "exhale", sid, 2, 12),
        )
        if exhale <= inhale:
            raise f.error(sid, f"exhale ({exhale}s) must be longer than inhale ({inhale}s)")
        cues = tuple(
            BreathingCue(
                f.text(c, "inhale", f"{sid} cues[{i}]"), f.text(c, "exhale", f"{sid} cues[{i}]")
            )
            for i, c in enumerate(f.get(item, "cues", sid, list))
        )
        scripts.append(
            BreathingScript(
                id=sid,
                name=f.get(item, "name", sid, str),
                inhale=inhale,
                exhale=exhale,
                rounds=f.integer(item, "rounds", sid, 1, 10),
                intro=f.text(item, "intro", sid),
                cues=cues,
                closing=f.text(item, "closing", sid),
                source=f.source(item, sid),
            )
        )
    return tuple(scripts)


def _grounding(f: _File) -> Grounding:
    steps = []
    for index, item in enumerate(f.get(f.data, "steps", "steps", list)):
        where = f"steps[{index}]"
        steps.append(
            GroundingStep(
                f.integer(item, "count", where, 1, 5),
                f.get(item, "sense", where, str),
                f.text(item, "text", where),
            )
        )
    if tuple((s.count, s.sense) for s in steps) != GROUNDING_ORDER:
        raise f.error("steps", f"must be exactly {GROUNDING_ORDER} in that order")
    return Grounding(
        f.text(f.data, "intro", "intro"),
        tuple(steps),
        f.text(f.data, "close", "close"),
        f.source(f.data, "grounding"),
    )


def _crisis(f: _File) -> tuple[dict[str, CrisisResources], CrisisResources]:
    def entry(code: str | None, node: Any) -> CrisisResources:
        where = code or "default"
        line = f.get(node, "line", where, dict)
        res = CrisisResources(
            code,
            str(f.get(node, "emergency", where, (str, int))),
            f.get(line, "name", where, str),
            f.opt(line, "call", where),
            f.opt(line, "text", where),
            f.opt(line, "url", where),
        )
        if not (res.call or res.text or res.url):
            raise f.error(where, "crisis line needs call, text or url")
        return res

    countries = f.get(f.data, "countries", "countries", dict)
    for code in countries:
        if not re.fullmatch(r"[A-Z]{2}", str(code)):
            raise f.error(str(code), "country must be an upper-case ISO 3166 alpha-2 code")
    default = entry(None, f.get(f.data, "default", "default", dict))
    return {code: entry(code, node) for code, node in countries.items()}, default


def placeholders(template: str) -> frozenset[str]:
    """The ``{names}`` a template asks for."""
    return frozenset(name for _, name, _, _ in string.Formatter().parse(template) if name)


def _phrases(f: _File) -> dict[str, str]:
    node = f.get(f.data, "phrases", "phrases", dict)
    unknown = sorted(set(node) - set(PHRASES))
    if unknown:
        raise f.error("phrases", f"unknown phrases {unknown} (add them to PHRASES)")
    found = {}
    for key, fields in PHRASES.items():
        text = f.text(node, key, key)
        if placeholders(text) != fields:
            wrong = sorted(placeholders(text))
            raise f.error(key, f"placeholders must be {sorted(fields)}, not {wrong}")
        found[key] = text
    return found


def _tool_labels(f: _File) -> dict[str, str]:
    node = f.get(f.data, "tool_labels", "tool_labels", dict)
    return {str(tool): f.text(node, tool, f"tool_labels {tool}") for tool in node}


def _buttons(f: _File) -> dict[str, str]:
    node = f.get(f.data, "buttons", "buttons", dict)
    if set(node) != set(BUTTONS):
        raise f.error("buttons", f"titles must be exactly {sorted(BUTTONS)}")
    return {key: f.text(node, key, f"buttons {key}") for key in BUTTONS}


def _safety_line(f: _File, countries: Mapping[str, CrisisResources]) -> str:
    """The gateway's safety line, its ``{CC}`` placeholders filled with emergency numbers."""
    template = f.text(f.data, "safety_line", "safety_line")
    codes = placeholders(template)
    if not codes or not codes <= set(countries):
        raise f.error("safety_line", "placeholders must be country codes listed above")
    return template.format(**{code: countries[code].emergency for code in codes})


def _raw_text(f: _File, node: Any, key: str, where: str) -> str:
    """A gateway text as written (not stripped: some start or end with blank lines)."""
    value = f.get(node, key, where, str)
    if not value.strip():
        raise f.error(where, f"{key!r} is blank")
    return str(value)


def _gateway(f: _File, safety_line: str) -> GatewayTexts:
    node = f.get(f.data, "texts", "texts", dict)
    unknown = sorted(set(node) - set(GATEWAY_TEXTS))
    if unknown:
        raise f.error("texts", f"unknown texts {unknown} (add them to GATEWAY_TEXTS)")
    raw = {key: _raw_text(f, node, key, key) for key in GATEWAY_TEXTS}
    includes = {"safety_line": safety_line, "safety_record_note": raw["safety_record_note"]}
    found = {}
    for key, fields in GATEWAY_TEXTS.items():
        text = raw[key]
        wrong = sorted(placeholders(text) - set(GATEWAY_INCLUDES))
        if set(wrong) != fields:
            raise f.error(key, f"placeholders must be {sorted(fields)}, not {wrong}")
        for name, value in includes.items():
            if name != key:
                text = text.replace("{" + name + "}", value)
        found[key] = text
    non_text = f.get(f.data, "non_text", "non_text", dict)
    if set(non_text) != set(GATEWAY_NON_TEXT):
        raise f.error("non_text", f"kinds must be exactly {sorted(GATEWAY_NON_TEXT)}")
    commands = tuple(
        (
            f.get(item, "command", f"commands[{i}]", str),
            f.get(item, "description", f"commands[{i}]", str),
        )
        for i, item in enumerate(f.get(f.data, "commands", "commands", list))
    )
    return GatewayTexts(
        texts=found,
        non_text={kind: f.text(non_text, kind, f"non_text {kind}") for kind in GATEWAY_NON_TEXT},
        commands=commands,
    )


def load_content(root: Path = CONTENT_DIR, seeds_dir: Path | None = None) -> Content:
    """Load and validate every content file under ``root``.

    Args:
        root: folder holding the ``*.yml`` content files.
        seeds_dir: if given, every source quote must appear in the named seed file there.

    Raises:
        ContentError: a file is missing, malformed or breaks a content rule.
    """
    ids: set[str] = set()

    def open_(name: str) -> _File:
        return _File(root / name, seeds_dir, ids)

    crisis_file, phrases_file = open_("crisis_lines.yml"), open_("phrases.yml")
    crisis, default_crisis = _crisis(crisis_file)
    safety_line = _safety_line(crisis_file, crisis)
    pacing, desens = open_("pacing.yml"), open_("desensitization.yml")
    return Content(
        reframes=_reframes(open_("reframes.yml")),
        validations=_validations(open_("validations.yml")),
        breathing=_breathing(open_("breathing.yml")),
        pacing=PacingPlan(
            pacing.text(pacing.data, "intro", "intro"),
            pacing.sourced("steps"),
            pacing.text(pacing.data, "closing", "closing"),
            pacing.text(pacing.data, "gentle_intro", "gentle_intro"),
        ),
        grounding=_grounding(open_("grounding.yml")),
        desensitization=Desensitization(
            desens.text(desens.data, "intro", "intro"),
            desens.sourced("steps"),
            desens.sourced("cautions"),
            desens.text(desens.data, "closing", "closing"),
            desens.text(desens.data, "in_flare", "in_flare"),
        ),
        crisis=crisis,
        default_crisis=default_crisis,
        safety_line=safety_line,
        phrases=_phrases(phrases_file),
        tool_labels=_tool_labels(phrases_file),
        gateway=_gateway(open_("gateway.yml"), safety_line),
        buttons=_buttons(open_("buttons.yml")),
    )


@lru_cache(maxsize=1)
def get_content() -> Content:
    """The content under ``content/``, loaded once on first use and then cached."""
    return load_content()
