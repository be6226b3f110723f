"""Rule-based entity extraction: pain severity (0-10), body location and flare trigger.

spaCy is used as a tokenizer and lookup lemmatizer only (``spacy.blank("en")`` plus
``spacy-lookups-data``; nothing is downloaded). Locations and triggers are matched with
one ``Matcher`` each on lemmas of the lowercased text, so "slept"/"sleeping" and
"knees"/"knee" match the same phrase; overlapping matches keep the longest. Severity
uses regular expressions on the lowercased text. Offsets always refer to the original
text (lowercasing keeps the length).

Canonical location values (sides are dropped: "left leg" -> "legs"):
``head, face, jaw, neck, shoulders, upper back, back, lower back, chest, stomach, pelvis,
hips, arms, wrists, hands, legs, knees, ankles, feet, joints, muscles, skin, whole body``.

Canonical trigger values are those of ``TRIGGERS`` (see docs/ARCHITECTURE.md).

Severity decisions: "15/10" means off the scale and gives 10; a range "7-8/10" gives the
rounded-up mean (8); "7.5" rounds half up to 8; with several scores the first
"N/10"-style one wins, then "pain is N"-style, then "a N"/"about N"-style; bare numbers
and numbers followed by a unit ("2 hours", "at 7pm", "for 10 years") are never scores.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from functools import lru_cache

import spacy
from spacy.language import Language
from spacy.matcher import Matcher
from spacy.tokens import Doc, Span
from spacy.util import filter_spans

SUPPRESS = "_none"  # matches with this key win overlaps and are then dropped

# Phrase mini-language: tokens separated by spaces; "a|b" alternatives (compared by
# lemma); a trailing "?" makes a token optional; "_" is any token.
LOCATIONS: dict[str, list[str]] = {
    "lower back": ["lower|low -? back", "lumbar", "tailbone|coccyx", "sacrum"],
    "upper back": ["upper|middle|mid -? back", "shoulder blade"],
    "back": ["back", "spine", "backache"],
    "neck": ["neck"],
    "shoulders": ["shoulder"],
    "head": ["head", "headache", "migraine", "scalp"],
    "jaw": ["jaw", "tmj"],
    "face": ["face", "cheek"],
    "chest": ["chest", "rib", "ribcage", "sternum"],
    "stomach": ["stomach", "belly", "tummy", "abdomen", "abdominal"],
    "pelvis": ["pelvis", "pelvic", "groin"],
    "hips": ["hip", "buttock", "glute"],
    "arms": ["arm", "forearm", "elbow"],
    "wrists": ["wrist"],
    "hands": ["hand", "finger", "thumb", "palm", "knuckle"],
    "legs": ["leg", "thigh", "calf|calves", "shin", "hamstring"],
    "knees": ["knee"],
    "ankles": ["ankle"],
    "feet": ["foot|feet", "toe", "heel"],
    "joints": ["joint"],
    "muscles": ["muscle"],
    "skin": ["skin"],
    "whole body": ["whole|entire body", "everywhere", "all over", "every part of me",
                   "head to toe"],
    SUPPRESS: ["other hand", "on one hand", "hand in|over", "all over the place",
               "out of my head"],
}

TRIGGERS: dict[str, list[str]] = {
    "stress": ["stress", "stressful", "stressed", "anxiety", "anxious", "deadline",
               "overwhelmed", "hectic", "panic attack", "pressure at|from work"],
    "poor_sleep": ["barely|hardly|not|never|badly|poorly sleep", "insomnia", "sleepless",
                   "sleep badly|poorly|terribly|little|awful|awfully",
                   "no|poor|bad|little|broken|rubbish|terrible|awful|restless sleep",
                   "lack of sleep", "bad|rough|terrible|awful|restless|long night",
                   "up|awake all night", "toss and turn", "wake up? every|several|lot",
                   "wake up? a lot", "only sleep"],
    "overexertion": ["overdo", "overexert", "overexertion", "push _? _? too hard|far|much",
                     "do too much", "housework", "heavy lifting", "lift|carry _? heavy",
                     "clean|garden|tidy|vacuum|hoover|walk|shop|dance|decorate|paint|move"
                     " _? all day", "on my? foot all day", "move house", "long|big walk|hike",
                     "workout", "gym"],
    "weather": ["weather", "rain", "rainy", "humid", "humidity", "storm", "stormy",
                "thunderstorm", "damp", "drizzle", "barometric", "pressure change|drop",
                "cold|weather front", "under the weather"],
    "cold": ["a|the? cold snap|weather|spell|air|wind|day|morning|night|water|room|house",
             "the cold", "freezing", "chilly", "frost", "frosty", "winter", "snow", "icy",
             "air conditioning|conditioner|con", "aircon"],
    "heat": ["heat", "heatwave", "heat wave", "hot weather|day|room|sun|summer", "too hot",
             "sweltering", "scorching", "summer"],
    "illness": ["a|bad|heavy|head|chest|nasty|stinking cold", "flu", "virus", "viral",
                "infection", "covid", "bug", "ill", "illness", "sick", "fever", "uti",
                "tonsillitis", "cough"],
    "menstrual_cycle": ["my|on|the period", "period pain|cramp", "time of _? month",
                        "menstrual", "menstruation", "pms", "pmt", "pmdd", "ovulation",
                        "ovulate", "hormone", "hormonal"],
    "sitting": ["sit _? _? _? for hours|ages|long", "sit _? too long", "sit all day",
                "sit at|in _? desk|computer|chair", "desk all day", "desk job", "sit still",
                "long meeting", "sedentary"],
    "travel": ["long drive|journey|flight|commute", "drive for hours|ages", "flight", "fly",
               "travel", "travelling", "journey", "road|long|work|business trip",
               "car|train|bus|coach|plane ride", "commute", "jet lag", "airport"],
    "conflict": ["argument", "argue", "fall out", "falling out", "row with", "a|big|huge row",
                 "fight with", "a|big|huge fight", "shout|yell|scream at", "conflict",
                 "disagreement", "confrontation", "tension at|with"],
    "touch": ["clothes|clothing|fabric|sheet|bedsheet|sock|shirt|jumper|sweater|waistband|bra"
              "|jeans|seam|label|tag|strap rub|touch|brush|press|scratch|itch",
              "tag|label|seam on|in _? shirt|top|clothes|jumper|dress|sock",
              "tight clothes|clothing|jeans|waistband|bra|shoes|socks", "touch", "hug",
              "brush against", "rub against"],
    "diet": ["sugar", "sugary", "alcohol", "wine", "beer", "booze", "caffeine", "coffee",
             "junk|fast|processed|spicy|fried|greasy food", "takeaway", "takeout", "gluten",
             "dairy", "diet", "skip|miss _? meal|breakfast|lunch|dinner",
             "not|forget to eat", "eat badly|junk|late"],
    "screen_time": ["screen", "screen time", "scroll", "scrolling", "gaming", "video game",
                    "social media", "on _? phone|laptop|computer|ipad|tablet"],
    "noise": ["noise", "noisy", "loud", "racket", "firework", "drilling", "construction",
              "siren", "crowd", "crowded"],
    SUPPRESS: ["sick of|to", "sick and tired", "in touch", "touch wood|base", "a touch",
               "heat|heating pad|pack|patch|wrap|lamp", "hot water bottle", "gym ball",
               "out loud"],
}

# Single-token body words that are often not body parts ("came back", "head out").
_NEEDS_CONTEXT = {"back", "head", "face"}
_BODY_BEFORE = {"my", "the", "his", "her", "their", "your", "our", "whole", "entire", "sore",
                "bad", "stiff", "ache", "pound", "upper", "low", "both", "and", ","}
_BODY_AFTER = {"pain", "ache", "hurt", "be", "spasm", "problem", "feel", "kill", "muscle",
               "injury", "flare", "throb", "burn", "sting", "tingle", "and", ",", "."}


@dataclass(frozen=True)
class EntitySpan:
    """One extracted entity with char offsets into the original text."""

    entity: str
    value: str
    start: int
    end: int
    text: str


@dataclass
class Extraction:
    """All entities found in one message (canonical values, first mention first)."""

    severity: int | None = None
    locations: list[str] = field(default_factory=list)
    triggers: list[str] = field(default_factory=list)
    spans: list[EntitySpan] = field(default_factory=list)


# Lookup-table lemmas that merge words we need apart ("worst" -> "wrong").
LEMMA_FIXES: dict[str, str] = {
    "worst": "bad", "worse": "bad", "better": "better", "best": "best", "well": "well",
    "more": "more", "most": "most", "second": "second",
}


@Language.component("flare_lemma_fixes")
def fix_lemmas(doc: Doc) -> Doc:
    """Override the few lookup lemmas in ``LEMMA_FIXES``."""
    for token in doc:
        fixed = LEMMA_FIXES.get(token.lower_)
        if fixed is not None:
            token.lemma_ = fixed
    return doc


@lru_cache(maxsize=1)
def build_nlp() -> Language:
    """Blank English pipeline with a lookup lemmatizer (built once, then cached)."""
    nlp = spacy.blank("en")
    nlp.add_pipe("lemmatizer", config={"mode": "lookup"})
    nlp.add_pipe("flare_lemma_fixes")
    nlp.initialize()
    return nlp


def lower_keep_length(text: str) -> str:
    """Lowercase every character whose lowercase form has the same length."""
    return "".join(c.lower() if len(c.lower()) == 1 else c for c in text)


def make_doc(text: str) -> Doc:
    """Tokenise and lemmatise the lowercased text (offsets match ``text``)."""
    return build_nlp()(lower_keep_length(text))


def phrase_pattern(phrase: str) -> list[dict[str, object]]:
    """Compile one phrase of the mini-language above into a Matcher token pattern."""
    nlp = build_nlp()
    pattern: list[dict[str, object]] = []
    for item in phrase.split():
        optional = len(item) > 1 and item.endswith("?")
        item = item.rstrip("?") if optional else item
        token: dict[str, object] = {}
        if item != "_":
            lemmas = {t.lemma_ for word in item.split("|") for t in nlp(word)} | {*item.split("|")}
            token["LEMMA"] = {"IN": sorted(lemmas)}
        if optional:
            token["OP"] = "?"
        pattern.append(token)
    return pattern


def build_matcher(table: dict[str, list[str]]) -> Matcher:
    """One Matcher whose match ids are the canonical values of ``table``."""
    matcher = Matcher(build_nlp().vocab)
    for value, phrases in table.items():
        matcher.add(value, [phrase_pattern(p) for p in phrases])
    return matcher


def _is_body_part(span: Span) -> bool:
    if len(span) > 1 or span[0].lemma_ not in _NEEDS_CONTEXT:
        return True
    doc, i = span.doc, span.start
    before = doc[i - 1].lemma_ if i > 0 else ""
    after = doc[i + 1].lemma_ if i + 1 < len(doc) else ""
    return before in _BODY_BEFORE or after in _BODY_AFTER


def find_spans(doc: Doc, matcher: Matcher, keep: Callable[[Span], bool] | None = None
               ) -> list[Span]:
    """Longest non-overlapping matches, without suppressors, in text order."""
    spans = [Span(doc, start, end, label=match_id) for match_id, start, end in matcher(doc)]
    return [s for s in filter_spans(spans) if s.label_ != SUPPRESS and (keep is None or keep(s))]


@lru_cache(maxsize=1)
def _matchers() -> tuple[Matcher, Matcher]:
    return build_matcher(LOCATIONS), build_matcher(TRIGGERS)


# ---- severity -------------------------------------------------------------------------
_WORDS = ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine",
          "ten", "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen",
          "eighteen", "nineteen", "twenty")
NUMBER_WORDS: dict[str, int] = {w: i for i, w in enumerate(_WORDS)}
_NUM = r"(?:\d{1,3}(?:[.,]\d+)?|" + "|".join(_WORDS) + r")"
_NOT_UNIT = (
    r"(?![\w:]|\s*-\s*[a-z]|\s*(?:am|pm|a\.m|p\.m|o'?clock|hours?|hrs?|h|mins?|minutes?"
    r"|secs?|seconds?|days?|nights?|weeks?|wks?|months?|years?|yrs?|times?|kg|lbs?|pounds?"
    r"|miles?|km|k|mg|ml|pills?|tablets?|people|steps|of|percent|x|th|st|nd|rd)\b|\s*%)"
)
_SCALE = re.compile(
    rf"(?<![\w/.,])(?P<a>{_NUM})(?:\s*(?:-|–|to|or)\s*(?P<b>{_NUM}))?"
    r"\s*(?:/|out of|outta)\s*(?:10|ten)\b(?!\s*/\s*\d|[.,]\d)"
)
_HEADED = re.compile(
    r"\b(?:pain|level|severity|score|rating|flare|i'd say|i'm at|sitting at|rate it)"
    r"(?:\s+(?:is|was|sits|feels|at|about|around|like|a|an|level|of|currently|now|still)\b)"
    rf"{{0,4}}\s*[:=]?\s*(?<![a-z])(?P<a>{_NUM}){_NOT_UNIT}"
)
_ARTICLE = re.compile(
    r"\b(?:(?:at|about|around|like|maybe|roughly|nearly|almost|solid|easy)\s+)?an?\s+"
    rf"(?P<a>{_NUM}){_NOT_UNIT}"
    r"|\b(?:about|around|like|maybe|roughly|approximately|nearly|almost)\s+"
    rf"(?P<c>{_NUM}){_NOT_UNIT}"
)


def to_number(token: str) -> Decimal:
    """Number word or digits ("7", "7.5", "7,5", "seven") as a Decimal."""
    if token in NUMBER_WORDS:
        return Decimal(NUMBER_WORDS[token])
    return Decimal(token.replace(",", "."))


def round_half_up(value: Decimal) -> int:
    """Round to the nearest integer, halves upward."""
    return int(value.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def _severity(lowered: str) -> tuple[int, int, int] | None:
    """(score, start, end) of the first score, by the precedence in the module doc."""
    for regex, clamp in ((_SCALE, True), (_HEADED, False), (_ARTICLE, False)):
        for match in regex.finditer(lowered):
            group = "a" if match.group("a") is not None else "c"
            numbers = [to_number(match.group(g)) for g in (group, "b") if match.groupdict().get(g)]
            score = round_half_up(sum(numbers, Decimal(0)) / len(numbers))
            if score > 10 and clamp:
                score = 10
            if 0 <= score <= 10:
                start = match.start(group) if regex is not _SCALE else match.start()
                return score, start, match.end() if regex is _SCALE else match.end(group)
    return None


_BARE = re.compile(rf"(?<![\w.,])(?P<a>{_NUM})(?:\s*(?:/|out of)\s*(?P<d>{_NUM}))?(?![\w]|[.,]\d)")
_NOT_ONE = re.compile(r"\b(?:this|that|the|no|any|every|some|which|each)\s+one\b|\bone\s+of\b")


def parse_score(text: str, lo: int = 0, hi: int = 10) -> int | None:
    """Read one score from a short form answer ("7", "seven", "about 6", "6/10", "8!!").

    Returns None when there is no number, more than one, or it lies outside lo..hi
    (except "N/hi" with N above hi, which means off the scale and gives hi).
    """
    lowered = _NOT_ONE.sub(" ", lower_keep_length(text))
    matches = list(_BARE.finditer(lowered))
    if len(matches) != 1:
        return None
    match = matches[0]
    score = round_half_up(to_number(match.group("a")))
    denominator = match.group("d")
    if denominator is not None and to_number(denominator) == hi and score > hi:
        score = hi
    return score if lo <= score <= hi else None


def _unique(values: list[str]) -> list[str]:
    return list(dict.fromkeys(values))


def extract(text: str) -> Extraction:
    """Extract severity, body locations and triggers from one message."""
    doc = make_doc(text)
    location_matcher, trigger_matcher = _matchers()
    spans: list[EntitySpan] = []
    for entity, matcher, keep in (("location", location_matcher, _is_body_part),
                                  ("trigger", trigger_matcher, None)):
        for span in find_spans(doc, matcher, keep):
            spans.append(EntitySpan(entity, span.label_, span.start_char, span.end_char,
                                    text[span.start_char:span.end_char]))
    found = _severity(doc.text.replace("\u2019", "'"))
    if found is not None:
        score, start, end = found
        spans.append(EntitySpan("severity", str(score), start, end, text[start:end]))
    spans.sort(key=lambda s: s.start)
    return Extraction(
        severity=found[0] if found else None,
        locations=_unique([s.value for s in spans if s.entity == "location"]),
        triggers=_unique([s.value for s in spans if s.entity == "trigger"]),
        spans=spans,
    )
