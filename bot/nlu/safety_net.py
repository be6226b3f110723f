"""Rule-based risk classifier for user messages (pure Python, no Rasa import).

``assess(text)`` returns one of four levels, highest first:

- ``CRISIS``: self-harm or suicide language, including passive ideation about death
  ("I wish I wouldn't wake up", "everyone would be better off without me").
- ``RED_FLAG``: symptoms that may be a medical emergency (sudden weakness, loss of
  bladder control, chest pain, worst headache of my life, ...).
- ``AMBIGUOUS``: despair without clear death wording ("I can't go on", "what's the
  point"), and negated risk language ("I'm not suicidal"), both answered with a
  gentle safety question.
- ``NONE``.

Every pattern uses word boundaries on normalised text, never bare substrings, so
"diet", "died down", "studied" or "subside" never match. Figures of speech about pain
("my feet are killing me", "I'd kill for a nap") are listed in ``IDIOMS``; their spans
are blanked out before the crisis and despair patterns run, so an idiom never hides
real risk language elsewhere in the message.

Decisions worth knowing:
- Chest pain, pressure or tightness is always a red flag, even "with stress": text
  cannot tell a flare from a heart problem, and the red-flag answer only says to get
  urgent care if it is new, different or severe.
- Weak or heavy legs are a red flag only with sudden/new/can't wording; plain
  "confused" (fibro fog) only with sudden/new wording.
- "I wish I could disappear" and "tired of living like this" are ambiguous; "tired of
  living" / "tired of being alive" without "like this" are crisis.
- A bare "I'm done" is not flagged: it is how people answer "tell me when you are done"
  after an exercise. "I'm so done", "I'm done with everything/life/it all" are.
- Falls and accidents are red flags unless the text dates them ("years ago", "since
  then", "my pain started after ..."): many chronic pain stories begin with an accident.
- "hurt myself" alone is usually an injury ("hurt myself lifting a box"); it is crisis
  only with intent wording ("want to / thinking of hurting myself", "on purpose").
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from enum import Enum


class Risk(str, Enum):
    """Risk level of one message, ordered by precedence in ``RISK_ORDER``."""

    NONE = "none"
    AMBIGUOUS = "ambiguous"
    RED_FLAG = "red_flag"
    CRISIS = "crisis"


RISK_ORDER: tuple[Risk, ...] = (Risk.CRISIS, Risk.RED_FLAG, Risk.AMBIGUOUS, Risk.NONE)


@dataclass(frozen=True)
class RiskAssessment:
    """Result of ``assess``: the level, the matched pattern names and any idioms."""

    risk: Risk
    reasons: tuple[str, ...]
    idioms: tuple[str, ...] = ()


@dataclass(frozen=True)
class Pattern:
    """One named regular expression run on normalised text."""

    name: str
    risk: Risk
    regex: re.Pattern[str]
    exclude: re.Pattern[str] | None = None  # no match when this occurs anywhere in the text

    def search(self, text: str) -> bool:
        """Whether the pattern occurs in ``text`` (and its exclusion, if any, does not)."""
        found = self.regex.search(text) is not None
        return found and (self.exclude is None or self.exclude.search(text) is None)


def _p(name: str, risk: Risk, *alternatives: str, exclude: str | None = None) -> Pattern:
    regex = re.compile("|".join(f"(?:{a})" for a in alternatives))
    return Pattern(name, risk, regex, re.compile(exclude) if exclude else None)


# Spelling, slang and contraction fixes, applied in order after lowercasing.
_NORMALISE: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(pattern), repl)
    for pattern, repl in (
        (r"\b(?:suicde|sucide|suiside|suicid|suecide|suicie|sewerslide|ctb)\b", "suicide"),
        (r"\b(?:sucidal|suicidel|suisidal|suacidal|suicidial|suicdal|sucidial)\b", "suicidal"),
        (r"\bmy ?s(?:el|le)f\b|\bmyselfe\b", "myself"),
        (r"\bkms\b", "kill myself"),
        (r"\bunaliv(?:e|ing|ed)(?: myself| me)?\b", "kill myself"),
        (r"\bwnat\b", "want"),
        (r"\bk[i1]l+(?=\s+myself\b)", "kill"),
        (r"\boff(?:ing)? myself\b", "kill myself"),
        (r"\bself[\s-]*harm", "self-harm"),
        (r"\bo\.?d\.?(?:'?d|ing)?(?= on\b| tonight\b)", "overdose"),
        (r"\bwanna\b", "want to"),
        (r"\bgonna\b", "going to"),
        (r"\bi am\b|\bim\b", "i'm"),
        (r"\bi'?d\b(?= (?:rather|kill|love|be))", "i'd"),
        (r"\bcan ?not\b|\bcant\b", "can't"),
        (r"\bdo not\b|\bdont\b", "don't"),
        (r"\bdid not\b|\bdidnt\b", "didn't"),
        (r"\bwill not\b|\bwont\b", "won't"),
        (r"\bwould not\b|\bwouldnt\b", "wouldn't"),
        (r"\bwhat is\b|\bwhats\b", "what's"),
        (r"\bi'?ve\b", "i've"),
        (r"\bany ?more\b", "anymore"),
    )
)

_DIE = r"(?:die|be dead|not be alive|not exist|stop existing)"
_BACK_NECK = r"(?:my back|back pain|backache|my spine|stiff neck|my neck|neck pain)"
_FEVER = r"(?:fever|high temperature|a temperature|chills|night sweats|sweats)"
_OLD_EVENT = r"\b(?:years?|months?) ago\b|\bin (?:19|20)\d\d\b|\bsince then\b|\bstarted after\b"
_LONGER = r"(?:anymore|any longer|much longer|much more)"

CRISIS_PATTERNS: tuple[Pattern, ...] = (
    _p("suicide", Risk.CRISIS, r"\bsuicid(?:e|al|ality)\b"),
    _p("kill_myself", Risk.CRISIS, r"\bkill(?:ing|ed)? myself\b"),
    _p(
        "hurt_myself_intent",
        Risk.CRISIS,
        r"\b(?:want|wanting|going|plan|planning|thinking|thought|thoughts|urge|urges|tempted"
        r"|feel like)\b(?:\s+\w+){0,3}\s+(?:hurt|harm)(?:ing)? myself\b"
        r"(?!\s+(?:if|when|by|doing|lifting|exercising|moving|walking)\b)",
        r"\b(?:hurt|harm)(?:ing)? myself (?:on purpose|to cope)\b",
        r"\b(?:been|keep|started|start) (?:hurting|harming) myself\b"
        r"(?!\s+(?:if|when|by|doing|lifting|exercising|moving|walking)\b)",
    ),
    _p("self_harm", Risk.CRISIS, r"\bself-harm(?:ing|ed)?\b",
       r"\b(?:relapsed?|relapsing) (?:on|with|into) (?:sh|cutting)\b",
       r"\b(?:been|started|start) cutting again\b|\bcutting again\b"),
    _p("cut_myself", Risk.CRISIS,
       r"\b(?:cut|cutting|burn|burned|burnt|burning) myself\b(?!\s+(?:off|out)\b)",
       r"\b(?:hitting|punching) myself\b"),
    _p(
        "overdose",
        Risk.CRISIS,
        r"\boverdos(?:e|ed|ing)\b",
        r"\btake (?:all|a whole bottle|the whole bottle|a whole pack|the whole box)"
        r" (?:of )?(?:my )?(?:pills|meds|tablets|medication)\b",
        r"\b(?:took|swallowed|taken|take|swallow) (?:a whole|the whole|all (?:of )?(?:my|the))"
        r" (?:(?:packet|bottle|box|pack|strip)s? of )?(?:my )?(?:pills|meds|tablets|medication"
        r"|paracetamol|painkillers|ibuprofen|codeine|co-codamol|tramadol|sleeping pills)\b",
        r"\b(?:sav(?:ed|ing) up|stockpil\w*|hoard\w*) (?:my |the )?(?:pills|meds|tablets"
        r"|medication)\b",
        r"\b(?:pills|meds|tablets) (?:saved up|stockpiled|in front of me)\b",
        r"\bhow many (?:pills|tablets)\b.{0,25}\b(?:take|kill)\b",
    ),
    _p("want_to_die", Risk.CRISIS, rf"\b(?:want|wanted|wanting|wish|ready|deserve) to {_DIE}\b"),
    _p(
        "wish_dead",
        Risk.CRISIS,
        r"\bwish (?:that )?i(?: was| were|'d be| would be| could be) dead\b",
        rf"\bwish i could (?:just )?{_DIE}\b",
        r"\bwish i(?: had|'d) never been born\b",
        r"\bwish i (?:didn't|did not) exist\b",
        r"\b(?:i'd|i would) rather (?:be dead|die|not be alive|not exist)\b",
        r"\bbetter off dead\b",
    ),
    _p("end_my_life", Risk.CRISIS, r"\b(?:end|ending|take|taking) my (?:own )?life\b"),
    _p("end_it_all", Risk.CRISIS, r"\bend(?:ing)? it all\b",
       r"\b(?:going to|want to|plan(?:ning)? to|thinking (?:about|of)|so i can|ready to|about to"
       r"|i'll|i will) end(?:ing)? (?:it|things|everything)\b(?!\s+(?:with|off)\b)"),
    _p(
        "not_wake_up",
        Risk.CRISIS,
        r"\bdon't want to wake up\b",
        r"\b(?:wish|hope) i (?:wouldn't|won't|don't|didn't|never|would never) wake up\b",
        r"\bgo to sleep and (?:never|not) wake up\b",
    ),
    _p(
        "better_off_without_me",
        Risk.CRISIS,
        r"\bbetter off without me\b",
        r"\bbetter off if i(?: was| were| wasn't| weren't|'m| was not| were not)"
        r" (?:dead|gone|here|around|alive)\b",
        r"\b(?:be|cope|feel) (?:better|happier|better off) (?:without me|if i(?: was| were"
        r"| wasn't| weren't| was not| were not|'m not|'m) (?:dead|gone|here|around|alive))\b",
        r"\b(?:no one|nobody) would (?:even )?(?:notice|care|miss me) if i (?:died|was gone"
        r"|were gone|wasn't here|disappeared)\b",
    ),
    _p(
        "no_reason_to_live",
        Risk.CRISIS,
        r"\bno (?:reason|point) (?:to|in) (?:live|living|being alive|go on living)\b",
        r"\bnothing (?:left )?to live for\b",
        r"\b(?:life|it)(?: is|'s| isn't| is not|'s not)? (?:not )?worth living\b",
        r"\bdeath is the (?:only )?(?:way out|answer|escape)\b",
    ),
    _p(
        "dont_want_to_live",
        Risk.CRISIS,
        r"\bdon't want to (?:live|be alive|exist)\b"
        r"(?!\s+(?:anymore\s+)?(?:like|with|in|this way|if)\b)",
        r"\bdon't want to be here anymore\b",
    ),
    _p("tired_of_living", Risk.CRISIS,
       r"\b(?:tired|sick|weary|exhausted) of (?:living|being alive|life|existing)\b"
       r"(?!\s+(?:like|with|in|this way))",
       r"\bi'm done (?:living|with life|with living|being alive)\b"),
    _p(
        "method",
        Risk.CRISIS,
        r"\bjump(?:ing)? (?:off|from) (?:a|the|my)? ?(?:bridge|building|roof|cliff|balcony"
        r"|tower|ledge|car park)\b",
        r"\b(?:jump|step|throw myself)(?:ing)? in front of (?:a|the)"
        r" (?:train|bus|car|truck|lorry)\b",
        r"\b(?:hang|hanging|shoot|shooting|drown|drowning|gas|gassing|poison|poisoning) myself\b",
        r"\bslit(?:ting)? my wrists?\b",
        r"\bhow i(?:'d| would|'m going to| will|'ll) do it\b",
        r"\buse it on myself\b",
        r"\bdrive (?:my car |the car )?into a (?:wall|tree)\b",
        r"\b(?:standing|i'm) on (?:the|a) (?:roof|ledge|bridge)\b",
        r"\bat the (?:train )?tracks\b",
    ),
    _p("goodbye_note", Risk.CRISIS, r"\b(?:suicide|goodbye|farewell) (?:note|letter)s?\b",
       r"\bsaying goodbye to (?:everyone|you all|all of you|my family)\b",
       r"\bmy last message\b",
       r"\bgiven away (?:all )?my (?:things|stuff|belongings)\b"),
)

RED_FLAG_PATTERNS: tuple[Pattern, ...] = (
    _p(
        "sudden_weakness",
        Risk.RED_FLAG,
        r"\bnew (?:weakness|numbness)\b",
        r"\b(?:sudden(?:ly)?|out of nowhere|all of a sudden)\b(?:\s+\S+){0,6}?\s+"
        r"(?:weak|weaker|weakness|numb|numbness|paraly[sz]ed|paralysis|gave way|gave out)\b",
        r"\b(?:weak|weakness|numb|numbness)\b(?:\s+\S+){0,6}?\s+"
        r"(?:sudden(?:ly)?|out of nowhere|all of a sudden)\b",
        r"\b(?:face|arm|leg) (?:has )?(?:gone|went|is) (?:numb|weak|floppy)\b",
    ),
    _p(
        "cant_move_limbs",
        Risk.RED_FLAG,
        r"\bcan't (?:move|feel|lift|stand on|walk on) (?:my |either |both )?"
        r"(?:legs?|arms?|feet|foot|face|hands?)\b",
        r"\bfoot drop\b|\bfoot (?:keeps |is )?dragging\b|\bcan't grip\b",
    ),
    _p(
        "bladder_bowel",
        Risk.RED_FLAG,
        r"\b(?:lost|losing|loss of|no|can't) control (?:of |over )?(?:my )?(?:bladder|bowels?)\b",
        r"\b(?:wet|soiled|pooed|peed) myself\b",
        r"\bincontinen(?:t|ce)\b",
        r"\bcan't (?:pee|urinate|wee)\b",
    ),
    _p(
        "saddle_numbness",
        Risk.RED_FLAG,
        r"\bnumb(?:ness)?\b(?:\s+\S+){0,5}?\s+(?:groin|saddle|between (?:my )?legs|genitals?"
        r"|private parts|buttocks|bottom)\b",
        r"\b(?:groin|saddle|genitals?|private parts|buttocks)\b(?:\s+\S+){0,4}?\s+numb(?:ness)?\b",
        r"\bcan't feel (?:the )?toilet paper\b",
    ),
    _p(
        "chest_pain",
        Risk.RED_FLAG,
        r"\bchest\b(?:\s+\S+){0,4}?\s+(?:pain|pains|pressure|tight|tightness|tightening"
        r"|crushing|squeezing|heavy|heaviness|hurts?|hurting|ache|aches|aching|killing)\b",
        r"\b(?:pain|pressure|tightness|crushing|squeezing|heaviness)\s+(?:in|on|across|around)"
        r" (?:my |the )?chest\b",
    ),
    _p(
        "pain_to_arm_jaw",
        Risk.RED_FLAG,
        r"\b(?:spread\w*|radiat\w*|going|moving|shoot\w*) (?:down|up|into|to) (?:my )?"
        r"(?:left arm|jaw)\b",
    ),
    _p(
        "breathing",
        Risk.RED_FLAG,
        r"\bcan't (?:breathe|breath|catch my breath|get (?:enough )?air)\b",
        r"\b(?:struggling|hard|difficult|trouble|difficulty|fighting) (?:to )?breath(?:e|ing)\b",
        r"\bshort(?:ness)? of breath\b",
        r"\bgasping for (?:air|breath)\b",
    ),
    _p(
        "stroke_signs",
        Risk.RED_FLAG,
        r"\bface\b(?:\s+\S+){0,3}?\s+droop\w*",
        r"\bdroop\w* (?:face|mouth|eye|eyelid)\b",
        r"\bslurr\w*\b",
        r"\bcan't (?:speak|talk) properly\b",
    ),
    _p(
        "thunderclap_headache",
        Risk.RED_FLAG,
        r"\bworst headache (?:of|in) my life\b",
        r"\bthunderclap\b",
        r"\bsudden\w* (?:severe|excruciating|explosive|blinding|awful) headache\b",
        r"\bheadache\b.{0,30}\b(?:explosion|exploded|exploding)\b",
    ),
    _p(
        "fever_back_neck",
        Risk.RED_FLAG,
        rf"\b{_FEVER}\b.{{0,60}}\b{_BACK_NECK}\b",
        rf"\b{_BACK_NECK}\b.{{0,60}}\b{_FEVER}\b",
    ),
    _p(
        "after_fall",
        Risk.RED_FLAG,
        r"\b(?:after|since|from) (?:a|the|my) (?:bad )?(?:fall|accident|car crash|crash"
        r"|collision|car accident)\b",
        r"\b(?:was in|had|been in) (?:a|an) (?:car |road |bike )?(?:crash|accident|collision)\b",
        r"\brear[- ]?ended\b",
        exclude=_OLD_EVENT,
    ),
    _p("fell", Risk.RED_FLAG, r"\b(?:fell|tripped|slipped|have fallen|had a fall)"
       r"(?: and fell)? (?:down|off|over|on|badly|again|today|this)\b", exclude=_OLD_EVENT),
    _p("head_injury", Risk.RED_FLAG, r"\b(?:hit|banged|bumped) my head\b"),
    _p(
        "fainted",
        Risk.RED_FLAG,
        r"\b(?:fainted|fainting|passed out|passing out|blacked out|lost consciousness)\b",
        r"\bcollapsed\b(?!\s+(?:on|onto|into|in) (?:the |my |a )?(?:sofa|couch|bed|chair)\b)",
        r"\b(?:feel|feeling|felt|going to|about to) faint\b",
    ),
    _p(
        "blood",
        Risk.RED_FLAG,
        r"\b(?:cough\w*|vomit\w*|threw|throwing|spit\w*|puk\w*) (?:up )?blood\b",
        r"\bblood in (?:my )?(?:vomit|stool|poo|urine|pee|sick|phlegm)\b",
    ),
    _p(
        "calf_swelling",
        Risk.RED_FLAG,
        r"\bcal(?:f|ves)\b(?:\s+\S+){0,6}?\s+(?:swollen|swelling|red and hot|hot and red)\b",
        r"\b(?:swollen|swelling)\b(?:\s+\S+){0,4}?\s+cal(?:f|ves)\b",
        r"\b(?:one|my \w+) leg is (?:suddenly )?(?:much |a lot )?(?:bigger|more swollen|fatter)"
        r" than the other\b",
    ),
    _p(
        "seizure",
        Risk.RED_FLAG,
        r"\b(?:seizure|seizures|convulsion|convulsions|convulsing)\b",
        r"\bhad a fit\b",
    ),
    _p(
        "confusion",
        Risk.RED_FLAG,
        r"\b(?:sudden(?:ly)?|new|very)(?: really| so| very)? (?:confused|confusion|disoriented"
        r"|disorientated)\b",
        r"\bdon't know where i'm\b",
    ),
    _p(
        "vision_loss",
        Risk.RED_FLAG,
        r"\b(?:sudden(?:ly)?|lost|losing|loss of) (?:my )?(?:vision|sight|eyesight)\b",
        r"\bsudden(?:ly)? (?:double|blurred) vision\b",
        r"\blost (?:the )?sight in\b",
    ),
    _p("changed_pain", Risk.RED_FLAG,
       r"\b(?:completely|totally) (?:different|new) (?:kind of |type of )?pain\b",
       r"\b(?:different|not like) (?:from |to )?my usual (?:pain|flares?)\b"),
    _p("rigid_abdomen", Risk.RED_FLAG,
       r"\b(?:belly|stomach|abdomen|tummy) is (?:rigid|hard as a board)\b"),
)

AMBIGUOUS_PATTERNS: tuple[Pattern, ...] = (
    _p("cant_go_on", Risk.AMBIGUOUS,
       r"\bcan't (?:go on|keep going|carry on)\b"
       r"(?!\s+(?:with|to|at|walking|working|the|doing)\b)",
       r"\bcan't keep (?:living|doing this|doing it)\b",
       r"\bi (?:just )?can't anymore\b",
       r"\bcan't fight (?:this |it )?anymore\b|\b(?:no|don't have any) fight left\b",
       r"\b(?:barely|only just) hanging on\b"),
    _p(
        "cant_take_it",
        Risk.AMBIGUOUS,
        rf"\bcan't (?:take|handle|stand|bear|cope with|deal with|do) (?:this|it|any of this"
        rf"|the pain|this pain|life)(?: \w+){{0,2}} {_LONGER}\b",
        rf"\bcan't cope {_LONGER}\b",
        r"\bcan't cope\s*(?:[.!?,]|$)",
        r"\b(?:at|reached|past) (?:my )?(?:breaking point|wits'? end"
        r"|the end of my (?:rope|tether))",
    ),
    _p(
        "whats_the_point",
        Risk.AMBIGUOUS,
        r"\bwhat's (?:even )?the point\b(?!\s+(?:of|in)\s+(?!(?:anything|living|trying|going on"
        r"|life|it all|any of it|any of this|getting up|carrying on|being here|me)\b))",
        r"\bis there (?:even )?any point\b(?!\s+(?:of|in)\s+(?!(?:anything|living|trying"
        r"|going on|life)\b))",
    ),
    _p(
        "give_up",
        Risk.AMBIGUOUS,
        r"(?<!not )(?<!never )\b(?:i|i'm|i just|i'm just|ready to|want to|going to|about to"
        r"|feel like)"
        r" (?:give|giving|gave) up"
        r"(?=\s*(?:[.!?,;]|$|now\b|anymore\b|completely\b|on (?:life|everything|myself|living"
        r"|it all|me)\b))",
    ),
    _p(
        "im_done",
        Risk.AMBIGUOUS,
        r"\bi'm (?:so|just|completely|totally|absolutely) done\b",
        r"\bi'm done (?:with (?:everything|it all|all of this|all this|this life"
        r"|the pain|this pain|this)|trying|fighting)\b",
    ),
    _p("nothing_will_help", Risk.AMBIGUOUS,
       r"\bnothing (?:will |is going to |'s going to )?ever (?:help|helps|work|works|change)\b"),
    _p("tired_of_living_like_this", Risk.AMBIGUOUS,
       r"\b(?:tired|sick|weary|exhausted) of (?:living|life|existing) (?:like|with|in|this way)",
       r"\b(?:so )?tired of everything\b", r"\bhad enough of (?:everything|life|it all)\b"),
    _p("dont_want_to_live_like_this", Risk.AMBIGUOUS,
       r"\bdon't want to (?:live|be alive|exist) (?:like|with|in|this way)"),
    _p("disappear", Risk.AMBIGUOUS,
       r"\b(?:wish|want) (?:i could|to) (?:just )?(?:disappear|vanish)\b"),
    _p("burden", Risk.AMBIGUOUS, r"\bi'm (?:such |just |only )?a (?:burden|drain)\b",
       r"\b(?:i feel|i'm|feeling) (?:so |completely |totally )?worthless\b"),
    _p("hopeless", Risk.AMBIGUOUS,
       r"\b(?:feel|feeling|felt|i'm|so|completely|totally|utterly) (?:hopeless|defeated)\b"
       r"(?!\s+at\b)"),
    _p("no_way_out", Risk.AMBIGUOUS, r"\bno way out\b",
       r"\b(?:can't|don't) see (?:a|any) (?:way forward|future|way out)\b",
       r"\b(?:feel|feeling) trapped\b(?!\s+(?:at|in traffic|in a lift|in the lift)\b)"),
    _p("lost_hope", Risk.AMBIGUOUS, r"\b(?:losing|lost|no|given up) (?:all )?hop(?:e|ing)\b",
       r"\bnothing to look forward to\b"),
    _p("pointless", Risk.AMBIGUOUS,
       r"\b(?:everything|life|it all)(?: \w+)? (?:feels|is|seems) (?:so )?(?:pointless"
       r"|meaningless)\b",
       r"\bnothing matters anymore\b", r"\bwhy (?:do|should) i (?:even )?(?:bother|try)\b"),
)

# Negated risk language: ambiguous, and its span hides the crisis words inside it.
NEGATION_PATTERNS: tuple[Pattern, ...] = (
    _p("negated_suicidal", Risk.AMBIGUOUS,
       r"\b(?:i'm|i was|i've never been|i am) (?:not|never) (?:feeling )?suicidal\b",
       r"\bnot (?:feeling )?suicidal\b"),
    _p(
        "negated_self_harm",
        Risk.AMBIGUOUS,
        r"\b(?:i )?(?:would|will|could)? ?never (?:ever )?(?:hurt|harm|kill|cut) myself\b",
        r"\b(?:i'm |i am )?not (?:going|planning|about|trying) to (?:hurt|harm|kill|cut) myself\b",
        rf"\bdon't (?:want|plan|intend) to (?:hurt myself|harm myself|kill myself|{_DIE}"
        r"|end (?:my life|it all))\b",
        r"\bno (?:plans?|intention|intentions) (?:to|of) (?:hurt|harm|kill|end)\w*"
        r" (?:myself|my life|it all)\b",
    ),
)

IDIOMS: tuple[Pattern, ...] = (
    _p("killing_me", Risk.NONE, r"\b(?:killing|murdering|destroying) me\b"),
    _p("dying_to", Risk.NONE, r"\bdying (?:to|for)\b"),
    _p("to_die_for", Risk.NONE, r"(?<!want )(?<!wish )(?<!ready )\bto die for\b"),
    _p("kill_for", Risk.NONE, r"\b(?:i'd|i would|i could) (?:kill|murder) for\b"),
    _p("to_death", Risk.NONE,
       r"\b(?:bored|scared|frightened|worried|sick|tired|freezing|frozen|terrified)"
       r" (?:me |myself |us )?to death\b"),
    _p("overworking", Risk.NONE,
       r"\b(?:killing|working) myself (?:at work|at the gym|trying to|to (?:get|finish|keep)"
       r"|to death|over)\b"),
    _p("dead_tired", Risk.NONE, r"\bdead (?:tired|beat|exhausted|on my feet)\b"),
    _p("die_of_laughing", Risk.NONE,
       r"\b(?:die|died|dying) (?:of|with|from) (?:laughter|laughing|embarrassment|shame"
       r"|boredom)\b"),
    _p("accidental_injury", Risk.NONE,
       r"\b(?:cut|burn|burnt|burned) myself (?:while|when|on(?! purpose)|shaving|cooking|chopping"
       r"|accidentally|by accident)\b",
       r"\baccidentally (?:cut|burn|burnt|burned|hurt) myself\b"),
)

PATTERNS: tuple[Pattern, ...] = (
    CRISIS_PATTERNS + RED_FLAG_PATTERNS + AMBIGUOUS_PATTERNS + NEGATION_PATTERNS
)


def normalise(text: str) -> str:
    """Lowercase, unify apostrophes and quotes, collapse whitespace, fix slang."""
    text = unicodedata.normalize("NFKC", text).lower()
    text = re.sub(r"[\u2018\u2019\u201b\u02bc\u0060\u00b4]", "'", text)
    text = re.sub(r"[\u201c\u201d\u201e]", '"', text)
    text = re.sub(r"\s+", " ", text).strip()
    for pattern, repl in _NORMALISE:
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
    stripped, negated = _blank(stripped, NEGATION_PATTERNS)
    found = {
        Risk.CRISIS: _matches(stripped, CRISIS_PATTERNS),
        Risk.RED_FLAG: _matches(normal, RED_FLAG_PATTERNS),
        Risk.AMBIGUOUS: _matches(stripped, AMBIGUOUS_PATTERNS) + negated,
    }
    reasons = tuple(name for level in RISK_ORDER[:-1] for name in found[level])
    risk = next((level for level in RISK_ORDER[:-1] if found[level]), Risk.NONE)
    return RiskAssessment(risk=risk, reasons=reasons, idioms=tuple(idioms))
