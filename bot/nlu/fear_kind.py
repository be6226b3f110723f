"""Which kind of fear a fear-laden message expresses, so the right reframe can be chosen.

Each kind has phrases (the mini-language of ``bot.nlu.extract.phrase_pattern``, matched on
lemmas). A message scores one point per token of every non-overlapping match, so longer,
more specific phrases weigh more. The highest score wins; ties go to the more specific
kind (``_TIE_ORDER``); with no match the answer is "magnification" (the general "this is
terrible" worry).
"""

from __future__ import annotations

from functools import lru_cache

from spacy.matcher import Matcher

from bot.nlu.extract import build_matcher, find_spans, make_doc

FEAR_KINDS: tuple[str, ...] = (
    "rumination", "magnification", "helplessness", "damage", "movement", "permanence",
    "missed_diagnosis",
)
DEFAULT_KIND = "magnification"

# Specific kinds first: they point at a more targeted reframe.
_TIE_ORDER: tuple[str, ...] = (
    "missed_diagnosis", "damage", "movement", "permanence", "helplessness", "rumination",
    "magnification",
)

PHRASES: dict[str, list[str]] = {
    "rumination": [
        "not stop think|worry|obsess", "keep think|worry|obsess|check|googling",
        "think about _? pain|it", "all i think about", "all i can think about", "on my mind",
        "obsess", "obsessing", "dwell", "ruminate", "over and over", "go round|around _? head",
        "out of my head", "preoccupied", "constantly think|worry",
    ],
    "magnification": [
        "worst", "unbearable", "excruciating", "agony", "agonising", "terrible", "horrible",
        "awful", "so bad", "too much", "can|ca not bear|stand", "overwhelming", "out of control",
        "never be|been this bad", "catastrophe", "disaster", "nightmare",
    ],
    "helplessness": [
        "nothing i can do", "nothing i can do about", "nothing _? _? help", "nothing work",
        "can|ca not do anything", "helpless", "powerless", "no control", "out of my hand",
        "do not know what to do", "at the mercy", "no way to stop", "nothing anyone can do",
        "can|ca not control", "can|ca not fix", "can|ca not cope",
    ],
    "damage": [
        "damage", "damaging", "torn", "tear", "rip", "ripped", "broken", "break", "injury",
        "injure", "harm", "harming", "crumble", "crumbling", "wear out", "wearing out",
        "wear and tear", "degenerate", "degenerating", "slip _? disc",
        "ruin", "ruining", "something be wrong with my|the", "rupture",
    ],
    "movement": [
        "if i move", "when i move", "scared|afraid|frightened|terrified|fear|worry to"
        " move|exercise|walk|bend|lift|stretch", "scared|afraid|frightened of move|moving"
        "|exercise|exercising|walking|bending|lifting", "avoid move|moving|exercise|exercising"
        "|walking|bending", "make it bad|worse", "exercise", "moving", "movement", "bend",
        "bending", "lift", "lifting", "stay in bed", "not dare", "keep still", "stay still",
        "not safe", "unsafe", "dangerous", "activity", "active", "physio", "gym", "walk",
        "walking", "rest", "resting", "careful",
    ],
    "permanence": [
        "never end", "forever", "rest of my life", "never get well|better", "always be like this",
        "never go away", "never stop",
        "never _? _? go away", "never _? _? end|stop", "never be the same", "no end",
        "like this forever",
        "permanent", "permanently", "stuck like this", "never improve", "never recover",
        "will never", "always be",
    ],
    "missed_diagnosis": [
        "doctor|doctors|gp|they|specialist miss", "miss something",
        "cancer", "tumour", "tumor", "ms", "multiple sclerosis", "something serious",
        "something more serious",
        "scan|mri|xray|test|result _? _? wrong", "x - ray _? _? wrong", "misdiagnose",
        "misdiagnosed",
        "undiagnosed", "wrong diagnosis", "not fibro|fibromyalgia", "rare disease",
        "something else go on", "something they|doctor have? not find|found",
        "should have find|found", "nobody|no one believe", "second opinion",
    ],
}


@lru_cache(maxsize=1)
def _matchers() -> dict[str, Matcher]:
    return {kind: build_matcher({kind: PHRASES[kind]}) for kind in FEAR_KINDS}


def score_fears(text: str) -> dict[str, int]:
    """Score of every fear kind for ``text`` (tokens covered by its matches)."""
    doc = make_doc(text)
    return {kind: sum(len(s) for s in find_spans(doc, m)) for kind, m in _matchers().items()}


def classify_fear(text: str) -> str:
    """The most likely fear kind of ``text``, ``DEFAULT_KIND`` when nothing matches."""
    scores = score_fears(text)
    best = max(scores.values())
    if best == 0:
        return DEFAULT_KIND
    return next(kind for kind in _TIE_ORDER if scores[kind] == best)
