"""Rule-based risk classifier for user messages (pure Python, no Rasa import).

``assess(text)`` returns one of four levels, highest first:

- ``CRISIS``: self-harm or suicide language, including passive ideation about death
  ("I wish I wouldn't wake up", "everyone would be better off without me"), means and
  methods (rope, jumping, a gun, saved-up pills, blades, driving into a wall), plans and
  timing ("I've decided how", "tonight's the night"), preparations and goodbyes ("for when
  I'm gone", "my will is sorted", "this is my last message").
- ``RED_FLAG``: symptoms that may be a medical emergency (sudden weakness, loss of
  bladder control or retention, saddle numbness, chest pain, worst headache of my life,
  a hot swollen calf, a fall or head injury, ...).
- ``AMBIGUOUS``: despair without clear death wording ("I can't go on", "what's the
  point"), and negated risk language ("I'm not suicidal"), both answered with a
  gentle safety question.
- ``NONE``.

The pattern tables live in ``bot.nlu.safety_patterns``. Every pattern uses word
boundaries on normalised text, never bare substrings, so "diet", "died down", "studied"
or "subside" never match. Figures of speech about pain ("my feet are killing me", "I'd
kill for a nap") are listed in ``IDIOMS``; their spans are blanked out before the crisis
and despair patterns run, so an idiom never hides real risk language elsewhere.

Decisions worth knowing:
- Chest pain, pressure or tightness is always a red flag, even "with stress": text
  cannot tell a flare from a heart problem, and the red-flag answer only says to get
  urgent care if it is new, different or severe.
- Weak or heavy legs are a red flag only with sudden/new/can't wording; plain
  "confused" (fibro fog) only with sudden/new wording; a leg or knee that "gives way"
  only with "... and I can't lift/move ...".
- "I wish I could disappear" and "tired of living like this" are ambiguous; "tired of
  living" / "tired of being alive" without "like this" are crisis.
- "I want it all to end" / "I wish everything would stop" are ambiguous (despair about
  the pain as often as about life): the safety question settles it. They are crisis
  with "forever", "for good", "tonight" or "my life". "I want to sleep forever" is
  ambiguous too (exhaustion is a core symptom); "sleep and never wake up" is crisis.
- "I'm just a burden" alone is ambiguous; burdensomeness with absence ("they'd be
  better off / cope / be happier without me / if I wasn't here", "nobody would miss
  me") is crisis.
- A bare "I've made a plan" (the bot also talks about pacing plans) and buying or
  loading a gun are ambiguous; a plan, "tonight's the night" or "I'm finally going to
  do it" next to death, means or goodbye words is crisis.
- Talking about one's medicine routinely ("I take all my pills with food", "took all
  my meds this morning", "how many tablets can I take a day") is not an overdose;
  "take all my pills", "the whole bottle", saved-up or stockpiled pills are.
- Rope, razors and knives alone are everyday objects: they count only with a neck,
  beam, wrist, "myself" or bleeding nearby (and razors never with shaving).
- A bare "I'm done" is not flagged: it is how people answer "tell me when you are done"
  after an exercise. "I'm so done", "I'm done with everything/life/it all" are.
- Falls and accidents are red flags unless the text dates them ("years ago", "since
  then", "my pain started after ..."): many chronic pain stories begin with an accident.
  A numb bottom "from sitting" is not saddle numbness.
- "hurt myself" alone is usually an injury ("hurt myself lifting a box"); it is crisis
  only with intent wording ("want to / thinking of hurting myself", "on purpose").
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from bot.nlu.risk_patterns import (
    ACCIDENTAL_DOSE,
    EXTRA_AMBIGUOUS_PATTERNS,
    EXTRA_CRISIS_PATTERNS,
    NEGATED_THEN_MEANS,
    OTHER_LANGUAGE_RED_FLAGS,
    ROUND4_CRISIS_PATTERNS,
    ROUND5_CRISIS_PATTERNS,
    ROUND5_RED_FLAGS,
)
from bot.nlu.safety_patterns import (
    AMBIGUOUS_PATTERNS,
    CRISIS_PATTERNS,
    IDIOMS,
    NEGATION_PATTERNS,
    NORMALISE,
    PATTERNS,
    RED_FLAG_IDIOMS,
    RED_FLAG_PATTERNS,
    RISK_ORDER,
    Pattern,
    Risk,
)

__all__ = [
    "AMBIGUOUS_PATTERNS",
    "CRISIS_PATTERNS",
    "IDIOMS",
    "NEGATION_PATTERNS",
    "PATTERNS",
    "RED_FLAG_IDIOMS",
    "RED_FLAG_PATTERNS",
    "RISK_ORDER",
    "Pattern",
    "Risk",
    "RiskAssessment",
    "assess",
    "mentions_other",
    "normalise",
    "without_idioms",
]

_CRISIS_TABLE = (
    CRISIS_PATTERNS + EXTRA_CRISIS_PATTERNS + ROUND4_CRISIS_PATTERNS + ROUND5_CRISIS_PATTERNS
)
_RED_FLAG_TABLE = (
    RED_FLAG_PATTERNS + OTHER_LANGUAGE_RED_FLAGS + (ACCIDENTAL_DOSE,) + ROUND5_RED_FLAGS
)


@dataclass(frozen=True)
class RiskAssessment:
    """Result of ``assess``: the level, the matched pattern names and any idioms."""

    risk: Risk
    reasons: tuple[str, ...]
    idioms: tuple[str, ...] = ()


# One message's text is normalised by three calls in a row (the risk step's
# ``without_idioms``, the SafetyNet's ``assess`` and ``mentions_other``): the last few
# results are kept, so it is done once (scripts/bench_safety_net.py). A pure function of
# the text; a few recent texts stay in this process's memory, which holds them anyway.
NORMALISED_KEPT = 16


@lru_cache(maxsize=NORMALISED_KEPT)
def normalise(text: str) -> str:
    """Lowercase, unify apostrophes and quotes, collapse whitespace, fix slang."""
    text = unicodedata.normalize("NFKC", text).lower()
    text = re.sub(r"[\u2018\u2019\u201b\u02bc\u0060\u00b4]", "'", text)
    text = re.sub(r"[\u201c\u201d\u201e]", '"', text)
    text = re.sub(r"\s+", " ", text).strip()
    for pattern, repl in NORMALISE:
        text = pattern.sub(repl, text)
    return text


def _blank(text: str, patterns: tuple[Pattern, ...]) -> tuple[str, list[str]]:
    """Replace every match of ``patterns`` with a separator; return text and names."""
    names: list[str] = []
    for pattern in patterns:
        if pattern.search(text):
            names.append(pattern.name)
            text = pattern.regex.sub(" | ", text)
    return text, names


def _matches(text: str, patterns: tuple[Pattern, ...]) -> list[str]:
    return [p.name for p in patterns if p.search(text)]


def assess(text: str) -> RiskAssessment:
    """Classify the risk in one user message.

    Args:
        text: The raw message text.

    Returns:
        The highest matched risk level, the names of all matched patterns (highest
        level first) and the names of the idioms found.
    """
    normal = normalise(text)
    stripped, idioms = _blank(normal, IDIOMS)
    flag_text, flag_idioms = _blank(normal, RED_FLAG_IDIOMS)
    negation_then_means = _matches(stripped, (NEGATED_THEN_MEANS,))
    stripped, negated = _blank(stripped, NEGATION_PATTERNS)
    found = {
        Risk.CRISIS: _matches(stripped, _CRISIS_TABLE) + negation_then_means,
        Risk.RED_FLAG: _matches(flag_text, _RED_FLAG_TABLE),
        Risk.AMBIGUOUS: _matches(stripped, AMBIGUOUS_PATTERNS + EXTRA_AMBIGUOUS_PATTERNS) + negated,
    }
    reasons = tuple(dict.fromkeys(name for level in RISK_ORDER[:-1] for name in found[level]))
    risk = next((level for level in RISK_ORDER[:-1] if found[level]), Risk.NONE)
    return RiskAssessment(risk=risk, reasons=reasons, idioms=tuple(idioms + flag_idioms))


def without_idioms(text: str) -> str | None:
    """The message with the idioms' own words removed (for the risk model), or None when
    it has no idiom. An idiom removes its own words, nothing more: the rest of the
    message is scored as it is."""
    normal = normalise(text)
    stripped, names = _blank(normal, IDIOMS)
    stripped, flag_names = _blank(stripped, RED_FLAG_IDIOMS)
    if not names and not flag_names:
        return None
    return re.sub(r"\s+", " ", stripped.replace("|", " ")).strip()


_OTHER_PERSON = re.compile(
    r"\b(?:he|she|they|him|her|them|his|hers|their|theirs|himself|herself|themselves"
    r"|someone|somebody|anyone|anybody|everyone|people|friend|friends|mate|partner|husband"
    r"|wife|boyfriend|girlfriend|ex|son|daughter|mum|mom|mam|mother|dad|father|parents?|nan"
    r"|nana|gran|grandma|grandad|grandpa|granny|grandson|granddaughter|grandkids?|brother"
    r"|sister|aunt|auntie|uncle|cousin|niece|nephew|colleague|neighbou?r|flatmate|carer"
    r"|child|children|kids?|baby|toddler|teen|teenager|lady|man|woman|guy|girl|boy|patient"
    r"|member|family|relative|fiancée?|spouse|student|client|resident)\b"
    r"|\bmy (?:bf|gf|hubby|hubs|missus|wifey|other half|oh|bestie|bff|best friend|in-laws?"
    r"|\w+-in-law|step\w+|mil|fil)\b|\bmy \w+ (?:said|says|told|texted|posted|keeps|wants"
    r"|took|has been|is going)\b"
    r"|\b(?:mi|ma|mon|mein|meine|mijn) \w+|\b(?:él|ella|il|elle|er|sie|hij|zij)\b"
)


def mentions_other(text: str) -> bool:
    """Whether the message names or points to someone other than the patient (a message
    that does not cannot be about someone else at risk)."""
    return _OTHER_PERSON.search(normalise(text)) is not None
