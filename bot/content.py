"""Load and validate the reviewable content in ``content/*.yml``.

Nothing is read at import time: call :func:`load_content` (tests, tools) or the cached
:func:`get_content` (actions). Structural problems raise :class:`ContentError` naming the
file, the item and the problem.
"""

from __future__ import annotations

import random
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

PROJECT_ROOT = Path(__file__).resolve().parent.parent
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
VALIDATION_CONTEXTS = ("flare", "flare_high", "fear", "despair_no", "checkin_done", "just_listen")
GROUNDING_ORDER = ((5, "see"), (4, "feel"), (3, "hear"), (2, "smell"), (1, "taste"))
MIN_REFRAMES_PER_KIND = 5
MAX_MESSAGE_CHARS = 450
MAX_MESSAGE_LINES = 8
INTRO_PAUSE_SECONDS = 3.0
_COUNTRY_ALIASES = {"UK": "GB"}
_QUOTE_MARKS = str.maketrans({"\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"'})


class ContentError(ValueError):
    """A content file is missing, malformed or breaks a content rule."""


def normalise_text(text: str) -> str:
    """Straighten curly quotes and collapse whitespace (for comparing quotes with seeds)."""
    return re.sub(r"\s+", " ", text.translate(_QUOTE_MARKS)).strip()


def fits_phone_screen(text: str) -> bool:
    """Whether one message fits a phone screen (character and line limits)."""
    return len(text) <= MAX_MESSAGE_CHARS and len(text.splitlines()) <= MAX_MESSAGE_LINES


@dataclass(frozen=True)
class Source:
    """Where a fact comes from: a seed file in ``docs/seeds/`` and an exact phrase of it."""

    seed: str
    quote: str


@dataclass(frozen=True)
class Reframe:
    """One reframe for a kind of fear-laden thought."""

    id: str
    kind: str
    text: str
    source: Source


@dataclass(frozen=True)
class SourcedText:
    """A message stating a fact, with its source (pacing and desensitization steps)."""

    id: str
    text: str
    source: Source


@dataclass(frozen=True)
class BreathingCue:
    """Inhale and exhale lines for one round; ``{seconds}`` is filled in."""

    inhale: str
    exhale: str


@dataclass(frozen=True)
class BreathingStep:
    """A message to send, then how many seconds to pause before the next one."""

    text: str
    pause: float


@dataclass(frozen=True)
class BreathingScript:
    """A paced-breathing script whose exhale is longer than its inhale."""

    id: str
    name: str
    inhale: int
    exhale: int
    rounds: int
    intro: str
    cues: tuple[BreathingCue, ...]
    closing: str
    source: Source

    def steps(self) -> list[BreathingStep]:
        """The whole sequence: intro, one inhale and one exhale per round, closing."""
        steps = [BreathingStep(self.intro, INTRO_PAUSE_SECONDS)]
        for index in range(self.rounds):
            cue = self.cues[index % len(self.cues)]
            steps.append(BreathingStep(_fill(cue.inhale, self.inhale), float(self.inhale)))
            steps.append(BreathingStep(_fill(cue.exhale, self.exhale), float(self.exhale)))
        steps.append(BreathingStep(self.closing, 0.0))
        return steps


@dataclass(frozen=True)
class PacingPlan:
    """Boom-and-bust pacing plan: intro, ordered steps, closing."""

    intro: str
    steps: tuple[SourcedText, ...]
    closing: str
    gentle_intro: str = ""

    def messages(self, gentle: bool = False) -> list[str]:
        """All messages in the order they are sent (``gentle``: in a flare or after despair)."""
        intro = self.gentle_intro if gentle and self.gentle_intro else self.intro
        return [intro, *(step.text for step in self.steps), self.closing]


@dataclass(frozen=True)
class GroundingStep:
    """One 5-4-3-2-1 step (count and sense, e.g. 5 see)."""

    count: int
    sense: str
    text: str


@dataclass(frozen=True)
class Grounding:
    """The 5-4-3-2-1 grounding exercise."""

    intro: str
    steps: tuple[GroundingStep, ...]
    close: str
    source: Source

    def messages(self) -> list[str]:
        """All messages in the order they are sent."""
        return [self.intro, *(step.text for step in self.steps), self.close]


@dataclass(frozen=True)
class Desensitization:
    """Graded-texture practice for touch sensitivity, with its cautions."""

    intro: str
    steps: tuple[SourcedText, ...]
    cautions: tuple[SourcedText, ...]
    closing: str
    in_flare: str = ""

    def messages(self) -> list[str]:
        """All messages in the order they are sent: the cautions before the steps."""
        return [self.intro, *(s.text for s in self.cautions + self.steps), self.closing]


@dataclass(frozen=True)
class CrisisResources:
    """Emergency number and crisis line for one country (``country`` None = default)."""

    country: str | None
    emergency: str
    line_name: str
    call: str | None = None
    text: str | None = None
    url: str | None = None

    def describe(self) -> str:
        """A short message listing the emergency number and the crisis line."""
        if self.call and self.call == self.text:
            ways = [f"call or text {self.call}"]
        else:
            ways = [
                f"{verb} {number}"
                for verb, number in (("call", self.call), ("text", self.text))
                if number
            ]
        contact = f"{self.line_name}: {' or '.join(ways)}" if ways else self.line_name
        lines = [
            f"If you are in danger or might act on these thoughts, call {self.emergency} now.",
            f"You can also talk to {contact}.",
        ]
        if self.url:
            lines.append(self.url)
        return "\n".join(lines)


@dataclass(frozen=True)
class Content:
    """All validated content, with helpers that pick what to say."""

    reframes: Mapping[str, tuple[Reframe, ...]]
    validations: Mapping[str, tuple[str, ...]]
    breathing: tuple[BreathingScript, ...]
    pacing: PacingPlan
    grounding: Grounding
    desensitization: Desensitization
    crisis: Mapping[str, CrisisResources]
    default_crisis: CrisisResources

    def pick_reframe(
        self, kind: str, used_ids: set[str], rng: random.Random | None = None
    ) -> Reframe:
        """Pick a reframe of ``kind`` not in ``used_ids``; once all are used, any of them.

        Raises:
            KeyError: unknown kind.
        """
        if kind not in self.reframes:
            raise KeyError(f"unknown reframe kind {kind!r}")
        pool = self.reframes[kind]
        fresh = [reframe for reframe in pool if reframe.id not in used_ids] or list(pool)
        return (rng or random.Random()).choice(fresh)

    def validation(self, context: str, rng: random.Random | None = None) -> str:
        """A random validating opener for ``context`` (KeyError if unknown)."""
        if context not in self.validations:
            raise KeyError(f"unknown validation context {context!r}")
        return (rng or random.Random()).choice(self.validations[context])

    def breathing_script(self, script_id: str | None = None) -> BreathingScript:
        """The script with ``script_id``, or the first one (KeyError if unknown)."""
        if script_id is None:
            return self.breathing[0]
        for script in self.breathing:
            if script.id == script_id:
                return script
        raise KeyError(f"unknown breathing script {script_id!r}")

    def crisis_resources(self, country: str | None) -> CrisisResources:
        """Crisis resources for an ISO country code, falling back to the default entry."""
        code = (country or "").strip().upper()
        return self.crisis.get(_COUNTRY_ALIASES.get(code, code), self.default_crisis)

    def all_messages(self) -> Iterator[tuple[str, str]]:
        """Every message the content can produce, as ``(where, text)`` (for linting)."""
        for kind, pool in self.reframes.items():
            yield from ((f"reframes.yml {kind} {r.id}", r.text) for r in pool)
        for context, texts in self.validations.items():
            yield from ((f"validations.yml {context}", text) for text in texts)
        for script in self.breathing:
            yield from ((f"breathing.yml {script.id}", s.text) for s in script.steps())
        yield from (("pacing.yml", text) for text in self.pacing.messages())
        yield "pacing.yml gentle_intro", self.pacing.gentle_intro
        yield from (("grounding.yml", text) for text in self.grounding.messages())
        yield from (("desensitization.yml", text) for text in self.desensitization.messages())
        yield "desensitization.yml in_flare", self.desensitization.in_flare
        for res in (*self.crisis.values(), self.default_crisis):
            yield f"crisis_lines.yml {res.country or 'default'}", res.describe()


def _fill(template: str, seconds: int) -> str:
    return template.replace("{seconds}", str(seconds))


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

    crisis, default_crisis = _crisis(open_("crisis_lines.yml"))
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
    )


@lru_cache(maxsize=1)
def get_content() -> Content:
    """The content under ``content/``, loaded once on first use and then cached."""
    return load_content()
