"""What the content holds: validated, immutable values with helpers that pick what to say.

Built by :mod:`bot.content.loader` from ``content/*.yml``; nothing here reads files.
"""

from __future__ import annotations

import random
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass

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
class GatewayTexts:
    """content/gateway.yml: what the gateway itself says, includes filled in."""

    texts: Mapping[str, str]  # by key; some keep {placeholders} for the code to fill
    non_text: Mapping[str, str]  # the answer to a non-text message, by kind
    commands: tuple[tuple[str, str], ...]  # the command menu: (command, description)


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
    safety_line: str  # the gateway's short "in an emergency" line, numbers filled in
    phrases: Mapping[str, str]  # content/phrases.yml, templates with {placeholders}
    tool_labels: Mapping[str, str]  # how progress messages name the tools
    gateway: GatewayTexts  # content/gateway.yml
    buttons: Mapping[str, str]  # content/buttons.yml: button titles by key

    def titled(self, pairs: tuple[tuple[str, str], ...]) -> tuple[tuple[str, str], ...]:
        """(title, payload) pairs from (button key, payload) pairs (KeyError if unknown)."""
        return tuple((self.buttons[key], payload) for key, payload in pairs)

    def phrase(self, key: str, **values: object) -> str:
        """One sentence of ``phrases.yml`` with its placeholders filled (KeyError if unknown)."""
        return self.phrases[key].format(**values)

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
        yield "crisis_lines.yml safety_line", self.safety_line
        yield from ((f"phrases.yml {key}", text) for key, text in self.phrases.items())
        yield from ((f"gateway.yml texts {key}", text) for key, text in self.gateway.texts.items())
        yield from ((f"gateway.yml non_text {key}", text)
                    for key, text in self.gateway.non_text.items())


def _fill(template: str, seconds: int) -> str:
    return template.replace("{seconds}", str(seconds))
