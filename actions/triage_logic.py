"""Stepped risk triage: which question comes next, and what level the answers give.

Pure functions, no Rasa and no database, so every branch is unit-tested
(tests/actions/test_triage_logic.py). The questions follow the order of the C-SSRS
screener (Columbia Suicide Severity Rating Scale, screen version):

1. ``wish_dead``         wished you were dead or could go to sleep and not wake up
2. ``active_thoughts``   actually had thoughts of killing yourself
3. ``method``            thought about how you might do it        (only after 2 = yes)
4. ``intent``            had any intention of acting on them      (only after 2 = yes)
5. ``plan``              worked out the details / a plan          (only after 2 = yes)
6. ``behaviour``         done anything to end your life or hurt yourself, past three months

Levels: ``low`` (a passive wish, or every answer no), ``moderate`` (active thoughts or
thoughts of a method), ``high`` (intent, a plan, something done in the past three months,
an act already taken, or "I can't keep myself safe"). Once the level is ``high`` no
further question is asked.

The unclear-answer rule: an answer that is hedged, refused or unclear ("not really",
"I don't think so", "rather not say", "maybe", "...") is never a "no". The question is
asked once more, gently; a second unclear answer counts as a yes to that question (so it
sets at least the level a yes would, and the questions carry on as after a yes), and an
unclear answer to an active-thoughts question never gives less than ``moderate``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

# Re-exported, so the actions need one import for the whole triage logic.
from actions.triage_signals import about_other, red_flag_tier  # noqa: F401

YES, NO, UNSURE = "yes", "no", "unsure"
ACT = "act"  # "I took 20", "I've overdosed": something was already done
UNSAFE = "unsafe"  # "I can't keep myself safe", "I'm not safe": high at once

QUESTIONS = ("wish_dead", "active_thoughts", "method", "intent", "plan", "behaviour")
# Asked only when active thoughts were a yes (or unclear twice).
AFTER_ACTIVE = ("method", "intent", "plan")
LEVELS = ("pending", "low", "moderate", "high")
LEVEL_OF_YES = {
    "wish_dead": "low",
    "active_thoughts": "moderate",
    "method": "moderate",
    "intent": "high",
    "plan": "high",
    "behaviour": "high",
}
# Questions about active thoughts: an unclear answer gives at least this level.
ACTIVE_FLOOR = "moderate"

# What the NLU safety category of the first message already answers.
CATEGORY_ANSWERS: Mapping[str, Mapping[str, str]] = {
    "passive_wish": {"wish_dead": YES},
    "active_thoughts": {"wish_dead": YES, "active_thoughts": YES},
    "method_means": {"wish_dead": YES, "active_thoughts": YES, "method": YES},
    "self_harm": {},
}
# Categories that are high at once: the questions are skipped.
HIGH_CATEGORIES = frozenset({"act_taken", "unable_to_stay_safe", "intent_timing", "preparation"})
# Until the understanding engineer's ``category`` is there: the SafetyNet reasons.
REASON_CATEGORIES: Mapping[str, str] = {
    "suicide": "active_thoughts",
    "kill_myself": "active_thoughts",
    "end_my_life": "active_thoughts",
    "end_it_all": "active_thoughts",
    "overdose": "method_means",
    "hanging": "method_means",
    "jumping": "method_means",
    "blade": "method_means",
    "want_to_die": "passive_wish",
    "wish_dead": "passive_wish",
    "not_wake_up": "passive_wish",
    "better_off_without_me": "passive_wish",
    "no_reason_to_live": "passive_wish",
    "dont_want_to_live": "passive_wish",
    "tired_of_living": "passive_wish",
    "self_harm": "self_harm",
    "cut_myself": "self_harm",
    "hurt_myself_intent": "self_harm",
}
_PILLS = r"(?:pills?|tablets?|capsules?|meds|medicines?|medication|painkillers?|doses?)"
_ACT_PATTERNS = (
    rf"\b(?:took|taken|swallowed|downed|had|necked)\b.{{0,30}}\b(?:\d+|all|lots|loads|a lot|"
    rf"handfuls?|many|too many|whole)\b.{{0,20}}{_PILLS}",
    rf"\b\d+\s*(?:of (?:my |the )?)?{_PILLS}\b",
    r"\b(?:overdosed|i've overdosed|i have overdosed|already (?:done|did|taken|took) it)\b",
    r"\b(?:i did|i have|i've) (?:already )?(?:cut|hurt|burned|burnt) myself\b",
    r"\b(?:just now|an hour ago|earlier today|tonight|this morning)\b.{0,30}\b(?:took|cut|did)\b",
)
_UNSURE_PATTERNS = (
    r"\bnot really\b",
    r"\bnot sure\b",
    r"\bunsure\b",
    r"\b(?:i )?don'?t think so\b",
    r"\bi (?:don'?t|do not) know\b",
    r"\bdunno\b",
    r"\bidk\b",
    r"\bmaybe\b",
    r"\bperhaps\b",
    r"\bpossibly\b",
    r"\b(?:rather|prefer(?:red)?) not\b",
    r"\b(?:don'?t|do not) want to (?:say|talk|answer)\b",
    r"\bnone of your business\b",
    r"\bhard to say\b",
    r"\bcan'?t (?:say|answer)\b",
    r"\bnot (?:exactly|as such|that i know)\b",
    r"\bwhat does it matter\b",
    r"\bwhatever\b",
    r"\bskip\b",
    r"\bpass\b",
)
# Hedges that lean to yes: counted as a yes straight away (risk is not talked down).
_LEANS_YES = (
    r"\bsometimes\b",
    r"\b(?:a )?(?:bit|little)\b",
    r"\b(?:kind|sort) of\b",
    r"\bkinda\b",
    r"\bsorta\b",
    r"\bi guess\b",
    r"\bi (?:think|suppose) so\b",
    r"\bprobably\b",
    r"\bnow and then\b",
    r"\bon and off\b",
    r"\boccasionally\b",
)
_YES = (
    r"^\s*(?:yes|yeah|yea|yep|yup|ya|y|aye|sure|true|correct|right|definitely|i am|i do"
    r"|i have|i did|i will|i'm going to)\b",
    r"\ball the time\b",
    r"\bevery day\b",
    r"\bconstantly\b",
)
_UNSAFE = (
    r"\b(?:can'?t|cannot|can not|unable to|don'?t think i can) (?:keep|stay)(?: myself)? safe\b",
    r"\b(?:i feel|not feeling|don'?t feel) (?:un)?safe\b(?<!\bi feel safe)",
    r"\bnot safe\b",
    r"\bunsafe\b",
)
_NO = (
    r"^\s*(?:no|nope|nah|n|never|not at all|definitely not|absolutely not|no way|i haven'?t"
    r"|i have not|i don'?t|i do not|i didn'?t|i did not|i'm not|i am not|i won'?t)\b",
)
PAYLOAD_ANSWERS = {"/affirm": YES, "/deny": NO, "/skip": UNSURE}
INTENT_ANSWERS = {"affirm": YES, "deny": NO}


def _any(patterns: tuple[str, ...], text: str) -> bool:
    return any(re.search(pattern, text) for pattern in patterns)


def classify_answer(text: str, intent: str | None = None) -> str:
    """``yes``, ``no``, ``unsure``, ``act`` or ``unsafe`` for an answer to a question.

    Button payloads are taken as they are. Typed text is read for an act already taken
    first, then hedges (never a no), then a plain yes or no; the NLU intent is used only
    when the words say nothing clear, and anything else is ``unsure``.
    """
    raw = (text or "").strip()
    if raw.split("{")[0] in PAYLOAD_ANSWERS:
        return PAYLOAD_ANSWERS[raw.split("{")[0]]
    lowered = raw.lower().replace("\u2019", "'")
    if not re.search(r"[a-z0-9]", lowered):
        return UNSURE  # emoji, "...", "?", silence-ish answers
    if _any(_ACT_PATTERNS, lowered):
        return ACT
    if _any(_UNSAFE, lowered):
        return UNSAFE
    if _any(_LEANS_YES, lowered):
        return YES
    if _any(_UNSURE_PATTERNS, lowered):
        return UNSURE
    if _any(_YES, lowered):
        return YES
    if _any(_NO, lowered):
        return NO
    return INTENT_ANSWERS.get(intent or "", UNSURE)


def says_safe(text: str) -> bool:
    """Whether an answer to "are you safe right now?" says plainly that they are safe."""
    lowered = (text or "").lower().replace("\u2019", "'")
    return bool(
        re.match(
            r"^\s*(?:(?:yes|yeah|yep)[,.!]?\s*)?(?:i'm|i am|im) (?:safe|ok|okay|fine|alright)\b",
            lowered,
        )
    ) and not _any(_UNSAFE, lowered)


def category_of(safety: Mapping[str, object] | None) -> str | None:
    """The NLU safety category, or one guessed from the SafetyNet reasons."""
    safety = safety or {}
    category = safety.get("category")
    if isinstance(category, str) and category:
        return category
    reasons = safety.get("reasons") or []
    if not isinstance(reasons, list):
        return None
    for reason in reasons:
        if str(reason) in REASON_CATEGORIES:
            return REASON_CATEGORIES[str(reason)]
    return None


def known_answers(category: str | None) -> dict[str, str]:
    """The answers the first message already gave (so they are not asked again)."""
    return dict(CATEGORY_ANSWERS.get(category or "", {}))


def skips_questions(category: str | None, text: str = "") -> bool:
    """Whether the first message is high at once (an act taken, intent, a plan, not safe)."""
    if category in HIGH_CATEGORIES:
        return True
    lowered = (text or "").lower().replace("\u2019", "'")
    return category == "method_means" and bool(
        re.search(
            rf"\b(?:took|taken|swallowed|overdosed)\b.{{0,40}}{_PILLS}|\boverdosed\b", lowered
        )
    )


def max_level(*levels: str | None) -> str:
    """The highest of the levels given (None and unknown count as pending)."""
    rank = {level: index for index, level in enumerate(LEVELS)}
    known = [level for level in levels if level in rank]
    return max(known, key=rank.__getitem__) if known else "pending"


def counts_as_yes(answer: str | None) -> bool:
    """Yes, an act, or an unclear answer given twice (stored as ``unsure``)."""
    return answer in (YES, ACT, UNSURE)


def level_of(answers: Mapping[str, str | None], done: bool = False) -> str:
    """The level the answers so far give (``pending`` until one is clear or ``done``)."""
    level = "pending"
    for question in QUESTIONS:
        answer = answers.get(question)
        if answer in (ACT, UNSAFE):
            level = max_level(level, "high")
        elif counts_as_yes(answer):
            level = max_level(level, LEVEL_OF_YES[question])
            if answer == UNSURE and question in ("active_thoughts", *AFTER_ACTIVE):
                level = max_level(level, ACTIVE_FLOOR)
    if level == "pending" and done:
        return "low"
    return level


def next_question(answers: Mapping[str, str | None]) -> str | None:
    """The next question to ask, or None once the level is clear."""
    if level_of(answers) == "high":
        return None
    for question in QUESTIONS:
        if answers.get(question) is not None:
            continue
        if question in AFTER_ACTIVE and not counts_as_yes(answers.get("active_thoughts")):
            continue
        return question
    return None


def questions_asked(answers: Mapping[str, str | None]) -> list[str]:
    """The questions answered so far, in order, followed by the next one (if any)."""
    asked = [q for q in QUESTIONS if answers.get(q) is not None]
    upcoming = next_question(answers)
    return asked + ([upcoming] if upcoming else [])


def final_level(answers: Mapping[str, str | None]) -> str:
    """The level once no question is left."""
    return level_of(answers, done=True)
