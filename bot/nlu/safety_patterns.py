"""Pattern tables for ``bot.nlu.safety_net`` (data only: see that module for the rules).

Every regex runs on text already passed through ``NORMALISE`` (lowercase, "im" -> "i'm",
"cant" -> "can't", ...), uses word boundaries, and is grouped by risk category so that
the reasons reported for a message name the category ("overdose", "hanging", "plan").
"""

from __future__ import annotations

import re
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


def _near(a: str, b: str, gap: int = 80) -> str:
    """Regex for ``a`` and ``b`` in either order, at most ``gap`` characters apart."""
    return rf"\b{a}\b.{{0,{gap}}}\b{b}\b|\b{b}\b.{{0,{gap}}}\b{a}\b"


# Spelling, slang and contraction fixes, applied in order after lowercasing.
NORMALISE: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(pattern), repl)
    for pattern, repl in (
        (r"\b(?:suicde|sucide|suiside|suicid|suecide|suicie|sewerslide|ctb)\b", "suicide"),
        (r"\b(?:sucidal|suicidel|suisidal|suacidal|suicidial|suicdal|sucidial)\b", "suicidal"),
        (r"\bmy ?s(?:el|le)f\b|\bmyselfe\b|\bmys[el]{1,2}f\b|\bmyslef\b", "myself"),
        (r"\bkms\b", "kill myself"),
        (r"\bunaliv(?:e|ing|ed)(?: myself| me)?\b", "kill myself"),
        (r"\bwnat\b", "want"),
        (r"\bk[i1]l+(?=\s+myself\b)", "kill"),
        (r"\boff(?:ing)? myself\b", "kill myself"),
        (r"\btop(?:ping|ped)? myself\b", "kill myself"),
        (r"\bself[\s-]*harm", "self-harm"),
        (r"\bo\.?d\.?(?:'?d|ing)?(?= on\b| tonight\b)", "overdose"),
        (r"\bwann?a\b", "want to"),
        (r"\bgonn?a\b|\bgunna\b", "going to"),
        (r"\bi am\b|\bim\b", "i'm"),
        (r"\bi'?d\b(?= (?:rather|kill|love|be|never|do|like))", "i'd"),
        (r"\bi'?ll\b(?= (?:be|do|never|end|take|jump|just|finally))", "i'll"),
        (r"\bthey'?d\b", "they'd"),
        (r"\bcan ?not\b|\bcant\b|\bcnt\b|\bcarnt\b|\bcannae\b", "can't"),
        # Breathe / breath misspelt ("cant breath", "short of breth", "cnt brethe").
        (r"\b(?:brethe|breeth|breathe|braethe|breahte|breathh)\b", "breathe"),
        (r"\b(?:breth|brath|breat|braeth|bref)\b", "breath"),
        (r"\bdo not\b|\bdont\b", "don't"),
        (r"\bdid not\b|\bdidnt\b", "didn't"),
        (r"\bwill not\b|\bwont\b", "won't"),
        (r"\bwould not\b|\bwouldnt\b", "wouldn't"),
        (r"\bhave not\b|\bhavent\b", "haven't"),
        (r"\bwas not\b|\bwasnt\b", "wasn't"),
        (r"\bwere not\b|\bwerent\b", "weren't"),
        (r"\bwhat is\b|\bwhats\b", "what's"),
        (r"\btonight is\b|\btonights\b", "tonight's"),
        (r"\bi'?ve\b", "i've"),
        (r"\bany ?more\b", "anymore"),
        (r"\bno[- ]?one\b|\bnobody\b", "no one"),
        (r"\bgood[- ]?bye?\b|\bgoodby\b", "goodbye"),
        (r"\b(?:tonite|2nite|tonigh)\b", "tonight"),
        (r"\b(?:tmrw|tmr|tomoz|2moro|tomorow|tommorow|tommorrow)\b", "tomorrow"),
        (r"\b(?:pils|pillz)\b", "pills"),
    )
)

_DIE = r"(?:die|be dead|not be alive|not exist|stop existing)"
_BACK_NECK = (
    r"(?:my back|back pain|backache|my spine|spine|stiff neck|my neck|neck pain|neck is stiff"
    r"|lower back|back is|back hurts|kidneys?)"
)
_FEVER = (
    r"(?:fever|feverish|high temperature|a temperature|chills|night sweats|sweats|burning up"
    r"|boiling hot|roasting hot|shivery|shivering|hot and cold|hot then cold|running a temp)"
)
_TEMP = r"(?:3[89]|4[0-2]|10[0-5])"  # a fever in C or F, whole degrees
_OLD_EVENT = r"\b(?:years?|months?) ago\b|\bin (?:19|20)\d\d\b|\bsince then\b|\bstarted after\b"
_LONGER = r"(?:anymore|any longer|much longer|much more)"
_PILLS = (
    r"(?:pills|meds|tablets|medication|medications|medicine|painkillers|pain killers"
    r"|paracetamol|acetaminophen|tylenol|ibuprofen|aspirin|codeine|co-codamol|cocodamol"
    r"|tramadol|oxycodone|morphine|opioids|opiates|fentanyl|gabapentin|pregabalin|lyrica"
    r"|amitriptyline|sleeping pills|sleeping tablets|antidepressants|insulin|diazepam|valium)"
)
_UNIT = r"(?:bottle|box|pack|packet|strip|tub|blister pack|jar|supply)s?"
# Routine ways of talking about taking one's medication ("took all my meds this morning").
_ROUTINE = (
    r"(?!\s+(?:this morning|today|earlier|already|on time|as prescribed|as usual|as normal"
    r"|like normal|like i'm (?:told|supposed to)|for (?:the day|today|the week)|in the morning"
    r"|at (?:breakfast|lunch|dinner|bedtime|night|the right time|\d)|before (?:bed|breakfast)"
    r"|with (?:food|water|breakfast|lunch|dinner|tea|a meal|meals|my meal)|every (?:day|morning"
    r"|night)|each (?:day|morning|night)|but\b|and (?:they|it|still|the pain|nothing)|yet\b))"
)
_GONE = r"(?:gone|dead|not here|no longer here|not around|no longer around)"
# Words that turn a vague plan ("I'm finally going to do it") into risk language.
_CONTEXT = (
    rf"(?:{_PILLS}|rope|noose|gun|bridge|cliff|roof|ledge|tracks|railway|blades?|razor|knife"
    r"|goodbye|goodbyes|note|letters?|for good|forever|end it|end things|die|dead|death"
    r"|never wake|not wake|last message|overdose|hang)"
)
_DO_IT = (
    r"(?:finally|going to|ready to|about to|time to|decided to|i'll|i will|i'm|tonight i)"
    r" (?:finally |just |actually |really )?(?:do it|doing it|go through with it"
    r"|going through with it)"
)

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
        r"\bmake myself bleed\b",
    ),
    _p("self_harm", Risk.CRISIS, r"\bself-harm(?:ing|ed)?\b",
       r"\b(?:relapsed?|relapsing) (?:on|with|into) (?:sh|cutting)\b",
       r"\b(?:been|started|start) cutting again\b|\bcutting again\b"),
    _p(
        "cut_myself",
        Risk.CRISIS,
        r"\b(?:cut|cutting|burn|burned|burnt|burning|slash\w*|carv\w*|stab\w*) myself\b"
        r"(?!\s+(?:off|out)\b)",
        r"\b(?:hitting|punching) myself\b",
        r"\b(?:cut|cutting|slit|slitting|slash\w*|slic\w*) (?:into |open )?my (?:own )?wrists?\b",
        r"\b(?:want|wanted|going|urge|urges|tempted|need|needed|started|start|been|keep|kept"
        r"|thinking about|thought about)(?: to)? (?:cut|cutting|burn|burning|slash|slashing)"
        r" (?:into )?my (?:arms?|thighs?|skin|legs?|stomach|belly|wrists?)\b",
        r"\b(?:cut|cutting|burn|burning|burned|burnt) (?:into )?my (?:arms?|thighs?|skin|legs?"
        r"|stomach|wrists?) (?:on purpose|again|to (?:cope|feel|punish)|with (?:a |the |my )?"
        r"(?:razor|blade|knife|lighter|cigarette|scissors|glass))",
        r"\b(?:urge|urges|tempted)(?: to)? (?:cut|burn)\b(?!\s+(?:back|down|out|off|up|the|my"
        r" hair|corners|costs|calories|it|things|ties|through)\b)",
    ),
    _p(
        "blade",
        Risk.CRISIS,
        r"\b(?:razor|razors|blade|blades|knife|scissors|glass|lighter|cigarette) (?:to|on|against"
        r"|across|into|over) my (?:wrists?|arms?|thighs?|skin|legs?|stomach|throat|neck)\b",
        _near(r"(?:razor|razors|blade|blades)", r"(?:myself|my wrists?|bleed|cut my arms?)", 40),
        exclude=r"\bshav(?:e|ed|es|ing)\b",
    ),
    _p(
        "overdose",
        Risk.CRISIS,
        r"\boverdos(?:e|ed|es|ing)\b",
        r"(?:^|\b(?:want to|wanted to|going to|ready to|about to|tempted to|plan(?:ning)? to"
        r"|thinking (?:about|of)|thought (?:about|of)|urge to|could|might|will|i'll|i'd|should"
        r"|just|and))\s*(?:just |go and |finally )?(?:take|taking|swallow|swallowing|down"
        r"|neck|necking) (?:all|every (?:last )?one|everything) (?:of )?(?:my |the |these"
        rf" |those )?(?:\w+ )?{_PILLS}\b{_ROUTINE}",
        rf"\b(?:took|taken) (?:all|every (?:last )?one) (?:of )?(?:my |the )?(?:\w+ )?{_PILLS}\b"
        rf"{_ROUTINE}",
        rf"\b(?:swallowed|downed|necked) (?:all|every (?:last )?one) (?:of )?(?:my |the )?"
        rf"(?:\w+ )?{_PILLS}\b",
        rf"\b(?:take|taking|took|taken|swallow\w*|down|downed|neck\w*) (?:a|the) whole {_UNIT}"
        rf"(?! of (?!(?:my |the )?(?:\w+ )?{_PILLS}\b))",
        rf"\b(?:take|taking|took|taken|swallow\w*) (?:a )?handfuls? of (?:my |the )?(?:\w+ )?"
        rf"{_PILLS}\b",
        rf"\b(?:stockpil\w*|hoard\w*|stash\w*)\b.{{0,30}}\b{_PILLS}\b",
        rf"\b{_PILLS}\b.{{0,20}}\b(?:stockpiled|hoarded|stashed|saved up|hidden away|put aside"
        r"|lined up|laid out|in front of me)\b",
        r"\b(?:sav(?:ed|ing|e)|put|putting|set|setting|kept|keeping) (?:up |aside |away |by )"
        rf"(?:all |enough |some |a lot of |loads of )?(?:of )?(?:my |the )?(?:\w+ )?{_PILLS}\b",
        rf"\bbeen sav(?:ed|ing) (?:up )?(?:all )?(?:my |the )(?:\w+ )?{_PILLS}\b(?! for (?:a )?"
        r"(?:bad|worse|the worst|flare|emergenc|later|night))",
        rf"\benough {_PILLS}\b(?: \w+){{0,3}} (?:to (?:kill|die|end|do it|overdose|not wake"
        r"|never wake|make sure)|saved|stored|stockpiled|hidden|put away)",
        rf"\bhow (?:many|much) {_PILLS}\b.{{0,30}}\b(?:would it take|does it take|it would take"
        r"|it takes|to (?:kill|die|overdose|end|not wake|never wake|be fatal|be lethal)"
        r"|would kill|is (?:a )?(?:lethal|fatal|deadly))",
        r"\b(?:lethal|fatal|deadly) (?:dose|amount|overdose)\b",
        r"\b(?:take|taking|took|swallow\w*|down|neck) (?:every (?:single |last )?(?:pill|tablet)"
        r"|everything in the (?:medicine )?(?:cabinet|cupboard))\b",
        rf"\btoo many (?:of )?(?:my )?(?:\w+ )?{_PILLS}\b.{{0,20}}\bon purpose\b",
    ),
    _p("want_to_die", Risk.CRISIS, rf"\b(?:want|wanted|wanting|wish|ready|deserve) to {_DIE}\b",
       r"\b(?:want|wish|need) to (?:not|never) (?:exist|be alive|wake up)\b"),
    _p(
        "wish_dead",
        Risk.CRISIS,
        r"\bwish (?:that )?i(?: was| were|'d be| would be| could be) dead\b",
        rf"\bwish i could (?:just )?{_DIE}\b",
        r"\bwish i(?: had|'d| was| were)? (?:never|not) (?:been )?born\b",
        r"\bwish i hadn't been born\b|\b(?:should|shouldn't) (?:never )?have been born\b",
        r"\bwish i (?:didn't|did not) exist\b|\bwish i (?:wasn't|weren't) alive\b",
        r"\b(?:i'd|i would) rather (?:be dead|die|not be alive|not exist)\b(?! than (?:go(?! on)"
        r"|going(?! on)|do|doing|see|seeing|wear|eat|ask|have|sit|call|phone|ring|visit|admit"
        r"|watch|listen|get|wait|take)\b)",
        r"\bbetter off dead\b",
    ),
    _p("end_my_life", Risk.CRISIS, r"\b(?:end|ending|take|taking) my (?:own )?life\b",
       r"\bwant (?:my life|life|my existence) to (?:end|be over|stop)\b"),
    _p("end_it_all", Risk.CRISIS, r"\bend(?:ing)? it all\b",
       r"\b(?:going to|want to|plan(?:ning)? to|thinking (?:about|of)|so i can|ready to|about to"
       r"|i'll|i will) end(?:ing)? (?:it|things|everything)\b(?!\s+(?:with|off)\b)",
       r"\bwant (?:it all|everything|all of this|it) to (?:end|be over|stop) (?:forever|for good"
       r"|permanently|tonight)\b"),
    _p(
        "not_wake_up",
        Risk.CRISIS,
        r"\bdon't want to wake up\b(?!\s+(?:my|the|him|her|them|us|early|at|with|in (?:pain"
        r"|agony|a flare)|feeling|stiff|sore|aching|so|too|every|to|like)\b)",
        r"\b(?:wish|hope|pray) i (?:wouldn't|won't|don't|didn't|never|would never|do not)"
        r" (?:ever )?wake(?: up\b|\b(?! up\b))(?!\s+(?:in (?:pain|agony|a flare|the night)|with"
        r"|stiff|sore|aching|feeling|early|at|during|too|so|as|hurting|like|every)\b)",
        r"\b(?:go to sleep|fall asleep|sleep|close my eyes|drift off|go to bed)(?: tonight)?"
        r" and (?:just )?(?:never|not|don't|didn't|wouldn't) (?:wake|open|come back)",
        r"\bnever wake up again\b",
    ),
    _p(
        "better_off_without_me",
        Risk.CRISIS,
        r"\b(?:better|happier|easier|lighter|better off|freer|relieved)(?: \S+){0,5}? without me\b",
        r"\b(?:better|happier|easier|lighter|better off|freer|relieved|fine|ok|okay|cope|manage"
        r"|move on)(?: \S+){0,5}? (?:if i (?:was|were|wasn't|weren't|'m not|was no longer"
        r"|were no longer) (?:here|around|alive|gone|dead|in the picture)|if i (?:died"
        r"|disappeared|didn't exist|never existed)|(?:when|once|after) i'm (?:gone|dead)"
        r"|with me (?:gone|dead|out of the (?:way|picture)))\b",
        r"\bno one (?:would|will|'d|is going to)(?: even| really| ever)? (?:miss me|(?:notice|care)"
        r" (?:if|when) i(?: died|'m gone| was gone| were gone| wasn't here| weren't here"
        r"| disappeared| vanished| didn't wake up)|notice i'm gone)",
        r"\b(?:would|will) (?:anyone|anybody|they|people|my family)(?: even| actually| really)?"
        r" (?:miss me|notice if i|care if i (?:died|was gone))\b",
        r"\bwho would (?:even )?miss me\b",
        r"\b(?:they|everyone|my family|my kids|people)(?:'d| would) (?:all )?be better off"
        r"\s*(?:[.!?,]|$)",
        r"\bdoing (?:them|everyone|my family|you all) a favou?r (?:by|if i)"
        r" (?:dying|going|leaving|ending|disappearing|die|died|disappeared|went|left|ended"
        r"|was gone|wasn't here)\b",
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
        r"\bdon't want to (?:live|be alive|exist|carry on living|go on living)\b"
        r"(?!\s+(?:anymore\s+)?(?:like|with|in|this way|if)\b)",
        r"\bdon't want to be (?:here|around|alive) (?:anymore|any longer)\b",
        r"\bdon't want to be (?:on this (?:earth|planet)|in this world)\b",
    ),
    _p("tired_of_living", Risk.CRISIS,
       r"\b(?:tired|sick|weary|exhausted) of (?:living|being alive|life|existing)\b"
       r"(?!\s+(?:like|with|in|this way))",
       r"\bi'm done (?:living|with life|with living|being alive)\b"),
    _p(
        "hanging",
        Risk.CRISIS,
        r"\b(?:hang|hanging|hanged|hung|string) myself\b(?: up)?",
        r"\bnoose\b|\bligature\b|\brope (?:round|around) my neck\b",
        _near(r"(?:rope|cord|belt|cable)", r"(?:my neck|a beam|the beam|hang|do it|end it)", 40),
        # Means made ready: "got the rope ready", "the rope is in the garage".
        r"\b(?:got|bought|have|found|keep|hid|hidden|tied|put) (?:a |the |some )?rope"
        r"(?: \S+){0,3} (?:ready|in the (?:garage|shed|loft|attic|car)|hidden|for (?:tonight"
        r"|later|when))\b",
        r"\bthe rope (?:is|'s) (?:ready|waiting)\b",
    ),
    _p(
        "jumping",
        Risk.CRISIS,
        r"\b(?:jump|jumping|jumped|leap|leaping|throw myself|throwing myself|threw myself)"
        r" (?:off|from|out of) (?:the top of )?(?:a |an |the |my |this |that )?(?:\w+ )?"
        r"(?:bridge|building|roof|rooftop|cliff|balcony|tower|ledge|car park|multi-?storey"
        r"|window|top floor|flyover|overpass|viaduct|pier)\b",
        r"\b(?:jump|jumping|leap|step|stepping|throw myself|throwing myself|lie down|lying down"
        r"|lay down|walk|walking|run|running)(?: out)? in front of (?:a|the|an) (?:\w+ )?"
        r"(?:train|bus|car|truck|lorry|tube|van|traffic)\b",
        r"\b(?:throw|throwing|threw|jump|jumping|step|stepping|lie|lying|lay)(?: myself)? under"
        r" (?:a|the) (?:train|bus|lorry|truck|tube)\b",
        r"\b(?:lie|lying|lay|laying|stand|standing|sit|sitting|walk|walking|wait|waiting)"
        r"(?: down)? on (?:the )?(?:(?:train|railway|rail) (?:tracks|line|lines)|tracks|rails)\b",
        r"\b(?:standing|sitting|i'm) on (?:the|a|top of the) (?:roof|ledge|bridge|cliff edge)\b",
        r"\b(?:standing|sitting|i'm) (?:on|at) the edge of (?:the|a) (?:roof|cliff|bridge"
        r"|building|platform)\b",
        r"\bat the (?:train |railway )?tracks\b",
    ),
    _p(
        "firearm",
        Risk.CRISIS,
        r"\b(?:shoot|shooting|shot) myself\b|\bblow(?:ing)? my (?:brains|head) out\b",
        r"\b(?:gun|pistol|revolver|rifle|shotgun|firearm)\b.{0,15}\b(?:to|against|in) my"
        r" (?:head|temple|mouth|chest)\b",
        _near(r"(?:gun|pistol|revolver|rifle|shotgun|firearm)",
              r"(?:myself|die|end it|end things|do it|goodbye|kill|dead|tonight's the night)", 60),
    ),
    _p(
        "vehicle",
        Risk.CRISIS,
        r"\b(?:drive|driving|steer|steering|swerve|swerving|crash|crashing)(?: (?:my|the)"
        r" (?:car|van))? (?:straight )?(?:into|off) (?:a |the )?(?:wall|tree|lorry|truck"
        r"|oncoming traffic|bridge|river|sea|canal|cliff)\b",
        r"\b(?:drove|crashed|steered|swerved)\b.{0,30}\bon purpose\b",
        r"\bwalk(?:ing)? (?:out )?into (?:oncoming )?traffic\b",
    ),
    _p(
        "method",
        Risk.CRISIS,
        r"\b(?:drown|drowning|gas|gassing|poison|poisoning|suffocate|suffocating) myself\b",
        r"\buse it on myself\b",
    ),
    _p(
        "plan",
        Risk.CRISIS,
        r"\bhow i(?:'d| would|'m going to| will|'ll) (?:do it|end it|end things)\b",
        r"\b(?:decided|planned|worked out|figured out|know|knew|chosen|chose|picked)"
        r" (?:exactly |precisely )?(?:how|when|where) (?:i'?ll|i'm going to|i will|i would|i'd"
        r"|to|i want to|it will|it's going to) (?:do it|end it|die|end (?:it all|things"
        r"|everything|my life)|kill myself|go through with it)\b",
        r"\bi've decided how\s*(?:[.!?,]|$)",
        r"\b(?:made|got|have|making|come up with|worked out) (?:a|the|my) plan\b(?: \w+){0,4}?"
        r" (?:to |for |of )?(?:end (?:it|things|everything|my life)|die|kill|do it|go through"
        r"|overdose|hang|jump|not be here)\b",
        r"\btonight's the night\b(?=\s*(?:[.!?,;]|$))",
        _near(r"(?:tonight's the night|i've (?:made|got) a plan|i have a plan)", _CONTEXT),
        _near(_DO_IT, _CONTEXT),
    ),
    _p(
        "last_message",
        Risk.CRISIS,
        r"\b(?:this|it) (?:is|will be|'ll be|is going to be) my (?:last|final) (?:message|text"
        r"|post|words|goodbye|time (?:talking|writing|messaging))\b",
        r"\bmy (?:last|final) (?:message|words) (?:to you|to anyone|ever|before i)\b",
        r"\b(?:you won't|you will not|no one will|you'll never) (?:ever )?(?:hear from|see|talk"
        r" to) me again\b",
        r"\b(?:won't|might not|may not|not going to|don't think i'll|don't think i will) be"
        r" (?:here|around|alive) (?:for )?(?:much |very )?(?:longer|long)\b",
        r"\b(?:won't|might not|may not|not going to|don't think i'll) be (?:here|around|alive)"
        r" (?:by|in|tomorrow|next week|after tonight|after today|to see)\b(?!\s*(?:for\b|because"
        r"|as\b|since|cos|,? ?(?:i'm|i'll|i've|we're|we'll|i have|at|away|out|visiting|working"
        r"|travel)\b))",
        r"\b(?:won't|not going to) be alive\b",
        r"\bbecause i (?:won't|will not) be (?:here|around)\s*(?:[.!?,]|$|anymore|much longer)",
        r"\b(?:i'll|i will|i'm) be gone (?:by|before) (?:the )?(?:morning|tomorrow|then)\b",
        r"\b(?:i'll|i will|i'm) (?:be )?gone (?:for good|forever)\b",
        exclude=r"\b(?:uninstall\w*|delet\w* (?:the|this) (?:app|bot|chat)|stop using|off to"
        r" (?:bed|sleep)|going to bed|for (?:now|today|tonight)|(?:speak|talk|see you) tomorrow)\b",
    ),
    _p(
        "preparation",
        Risk.CRISIS,
        rf"\bfor (?:when|after) i'm {_GONE}\b",
        r"\bmy will (?:is |'s )?(?:all )?(?:sorted|written|done|ready|in order|up to date"
        r"|finished|signed)\b",
        r"\b(?:sorted|written|wrote|made|updated|finished|signed|finalised|finalized|sorting"
        r"|writing|making|updating|finalising|finalizing) (?:out )?my will\b",
        r"\b(?:put|putting|got|get|getting|have|sorted|sorting) (?:out )?(?:all )?my affairs"
        r"(?: in order)?\b",
        r"(?<!had to )(?<!have to )\b(?:giv(?:e|ing)|given|gave) away (?:all (?:of )?|most of"
        r" |the rest of )?(?:my )?(?:things|stuff|belongings|possessions|everything)\b",
        r"(?<!had to )(?<!have to )(?<!having to )\b(?:giv(?:e|ing|en)|gave) away my"
        r" (?:cat|dog|pets?|cats|dogs)(?=\s*(?:[.!?,]|$|so\b|before\b"
        r"|because i (?:won't|can't be)))",
        r"\bwon't need (?:them|it|my \w+|any of (?:this|it|them)|anything) (?:anymore |any longer"
        r" )?(?:where i'm going|after (?:tonight|today|tomorrow))",
    ),
    _p(
        "when_im_gone",
        Risk.CRISIS,
        _near(rf"(?:when|after|once|if) (?:i'm {_GONE}|i die|i've gone)",
              r"(?:letters?|notes?|my will|wrote|written|writing|leave|leaving|left|sorted|give"
              r"|giving|gave|take care|look after|looking after|care for|have my|rehom\w*"
              r"|new home|make sure|promise)"),
        exclude=r"\b(?:who (?:will|would|'ll)|what (?:will|would) happen|what happens|worr\w*"
        r"|scared|afraid|frightened|one day|someday|eventually)\b",
    ),
    _p(
        "goodbye_note",
        Risk.CRISIS,
        r"\b(?:suicide|goodbye|farewell|final|last) (?:note|letter)s?\b",
        r"\b(?:saying|say|said|to say) (?:my )?goodbyes? to (?:everyone|everybody|you all|all of"
        r" you|the world|this world|my loved ones|everyone i love)\b",
        r"\b(?:saying|say|to say) (?:my )?goodbyes? to (?:my )?(?:family|kids|children|friends"
        r"|wife|husband|partner|mum|mom|dad|parents)\b",
        r"\b(?:said|saying|say) (?:all )?my goodbyes\b|\bthis is goodbye\b|\bgoodbye cruel world\b",
        r"\bgoodbye (?:forever|for good|for ever|for the last time|everyone)\b",
        r"\bmy (?:final|last) goodbye\b",
        r"\b(?:written|wrote|writing|finished|left) (?:my|the) (?:note|letters?)\s*(?:[.!?,]|$)",
        r"\b(?:letters?|notes?)\b.{0,40}\b(?:explaining why|to say (?:goodbye|sorry)"
        r"|saying (?:goodbye|sorry))\b",
        # Letters (plural) written to the people they would leave behind.
        r"\b(?:written|wrote|writing|left|finished) (?:\w+ )?letters (?:to|for) (?:each of )?"
        r"(?:my|the) (?:kids|children|family|loved ones|boys|girls|grandkids|parents)\b",
    ),
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
        r"(?:legs?|arms?|feet|foot|face|hands?)\b"
        # Movement the pain limits ("can't lift my arm above my head without a jolt") is not
        # weakness.
        r"(?!\s+(?:above|over|past|higher than) my (?:head|shoulder)\b)"
        r"(?!.{0,40}\b(?:without (?:a jolt|pain|it hurting|wincing|screaming)|because (?:of the"
        r" pain|it hurts)|it hurts too much)\b)",
        r"\bfoot drop\b|\bdropped foot\b|\bfoot (?:keeps |is )?(?:dragging|slapping|floppy)\b"
        r"|\bcan't grip\b",
        r"\b(?:legs?|knees?) (?:gave|gives|giving|give) (?:way|out)\b.{0,40}\b(?:can't|couldn't"
        r"|cannot) (?:move|lift|feel|stand|walk|get up)\b",
    ),
    _p(
        "bladder_bowel",
        Risk.RED_FLAG,
        r"\b(?:lost|losing|loss of|no|can't) control (?:of |over )?(?:my )?(?:bladder|bowels?)\b",
        r"\b(?:lost|losing|loss of|no) (?:my )?(?:bladder|bowel) control\b",
        r"\b(?:wet|soiled|pooed|peed) myself\b",
        r"\bincontinen(?:t|ce)\b",
        r"\bcan't (?:pee|urinate|wee|pass (?:urine|water)|empty my bladder)\b"
        r"(?!\s+without (?:it )?(?:hurting|burning|stinging|pain))",
        r"\b(?:haven't|not|didn't|couldn't) (?:been able to |had a )?(?:pee|peed|wee|weed|urinate"
        r"|urinated|passed (?:urine|water)|pass (?:urine|water))\b.{0,20}\b(?:since|for|all day"
        r"|all night|in (?:\d+|hours|a day|ages))\b",
        r"\b(?:unable|not able) to (?:pee|wee|urinate|pass (?:urine|water))\b",
        r"\b(?:urinary )?retention\b",
    ),
    _p(
        "saddle_numbness",
        Risk.RED_FLAG,
        r"\bnumb(?:ness)?\b(?:\s+\S+){0,5}?\s+(?:groin|saddle|between (?:my )?legs|genitals?"
        r"|private parts|privates|buttocks|bottom|bum|backside|back passage|anus|perineum)\b",
        r"\b(?:groin|saddle|genitals?|private parts|privates|buttocks|bum|backside|back passage"
        r"|anus|perineum)\b(?:\s+\S+){0,4}?\s+(?:is |are |feels |gone |has gone )?numb(?:ness)?\b",
        r"\bcan't feel (?:the )?toilet paper\b",
        r"\bcan't feel (?:my )?(?:bum|bottom|back passage|groin|genitals|privates)\b",
        exclude=r"\b(?:from|after|when|while) (?:sitting|cycling|riding)\b",
    ),
    _p(
        "chest_pain",
        Risk.RED_FLAG,
        r"\bchest\b(?:\s+\S+){0,4}?\s+(?:pain|pains|pressure|tight|tightness|tightening"
        r"|crushing|squeezing|heavy|heaviness|hurts?|hurting|ache|aches|aching|killing)\b",
        r"\b(?:pain|pressure|tightness|crushing|squeezing|heaviness)\s+(?:in|on|across|around)"
        r" (?:my |the )?chest\b",
        # The patient's known costochondritis, sore where they press, nothing else new: not
        # a flag (chest pain with any heart or breathing sign still is, by the other rules).
        exclude=r"^(?=.*\bcostochondritis\b)(?=.*\b(?:press|presses|pressed|pressing|push"
        r"|pushing|touch|touching|prod|prodding)\b)(?=.*\b(?:usual|always|known|same|again"
        r"|diagnosed|doctor said|my)\b)(?!.*\b(?:crushing|squeez\w*|sweat\w*|clammy|arm|jaw"
        r"|breath\w*|faint\w*|sick|different|new|never)\b)",
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
        r"\bworst headache (?:ever|i've ever had|i have ever had|i've ever)\b",
        r"\bthunderclap\b",
        r"\bsudden\w* (?:severe|excruciating|explosive|blinding|awful) headache\b",
        r"\bheadache\b.{0,30}\b(?:explosion|exploded|exploding)\b",
        _near(r"(?:vomit\w*|throwing up|being sick|puk\w*)",
              r"(?:worst|severe|sudden|blinding|excruciating|explosive) headache", 40),
    ),
    _p(
        "fever_back_neck",
        Risk.RED_FLAG,
        rf"\b{_FEVER}\b.{{0,60}}\b{_BACK_NECK}\b",
        rf"\b{_BACK_NECK}\b.{{0,60}}\b{_FEVER}\b",
    ),
    _p(
        # A temperature in numbers: 38.0-42.9 C (or 100.4-105.9 F) with back or neck pain;
        # not the weather, a room, a bath or an oven (no body-temperature word with them).
        "fever_back_neck",
        Risk.RED_FLAG,
        rf"(?<![\d.])(?:{_TEMP}[.,]\d|{_TEMP}\s*(?:°|degrees?\b|c\b|f\b))"
        rf".{{0,60}}\b{_BACK_NECK}\b",
        rf"\b{_BACK_NECK}\b.{{0,60}}(?:temp\w*|fever|thermometer)\D{{0,20}}"
        rf"{_TEMP}(?:[.,]\d)?(?![\d])",
        rf"\b(?:temp\w*|fever|thermometer)\D{{0,20}}{_TEMP}(?:[.,]\d)?(?![\d]).{{0,60}}"
        rf"\b{_BACK_NECK}\b",
        exclude=rf"^(?!.*\b(?:temp|temps|temperature|fever\w*|thermometer|{_FEVER})\b).*\b"
        r"(?:outside|out there|weather|forecast|heatwave|heat wave|sunny|the sun|in the shade"
        r"|room|bedroom|office|indoors|in here|in the house|house|flat|car|bath|shower|hot tub"
        r"|jacuzzi|sauna|pool|water|oven|thermostat|greenhouse|holiday|abroad|spain)\b",
    ),
    _p(
        "weight_loss_back",
        Risk.RED_FLAG,
        r"\b(?:weight|pounds|kilos|stone)\b.{0,30}"
        r"\b(?:falling off|dropping off|dropped|lost|losing)\b.{0,60}\bback\b",
        r"\b(?:losing|lost) (?:a lot of |loads of )?weight\b.{0,60}\bback\b",
        r"\bback\b.{0,60}\b(?:losing|lost) (?:a lot of |loads of )?weight\b",
        # A diet or trying to lose weight explains it; "not dieting", "without trying"
        # do not.
        exclude=r"\bon purpose\b|(?<!not )(?<!no )(?<!without )(?<!wasn't )(?<!haven't been )"
        r"(?<!not been )(?<!not on a )\bdiet|(?<!not )\btrying to lose\b|\bslimming\b|\bgym\b",
    ),
    _p(
        "after_fall",
        Risk.RED_FLAG,
        r"\b(?:after|since|from) (?:a|the|my) (?:bad )?(?:fall|accident|car crash|crash"
        r"|collision|car accident)\b",
        r"\b(?:after|since) i (?:fell|had a fall|tripped|slipped|came off)\b",
        r"\b(?:was in|had|been in) (?:a|an) (?:car |road |bike )?(?:crash|accident|collision)\b",
        r"\brear[- ]?ended\b",
        exclude=_OLD_EVENT,
    ),
    _p("fell", Risk.RED_FLAG, r"\b(?:fell|tripped|slipped|have fallen|had a fall)"
       r"(?: and fell)? (?:down|off|over|on|badly|again|today|this|yesterday|last night"
       r"|earlier|and)\b",
       r"\b(?:fell|tripped|slipped) (?:in|at) (?:the|my)\b", exclude=_OLD_EVENT),
    _p("head_injury", Risk.RED_FLAG,
       r"\b(?:hit|banged|bumped|knocked|whacked|smacked|cracked|bashed) my head\b",
       r"\bhead injury\b"),
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
        r"\b(?:behind|back of) (?:my |the )?knee\b.{0,40}\b(?:swollen|swelling|red|hot|warm)\b",
        r"\b(?:swollen|swelling|red|hot|warm)\b.{0,40}\b(?:behind|back of) (?:my |the )?knee\b",
        r"\b(?:calf|calves|lower leg|shin|leg)\b.{0,30}\b(?:hot|warm|red) and (?:hot|warm|red"
        r"|tender|swollen)\b",
        r"\b(?:hot|warm|red|swollen),? (?:hot|warm|red|tender|swollen)(?: and \w+)? (?:calf"
        r"|calves|lower leg)\b",
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
       r"\bdon't want to (?:live|be alive|exist) (?:like|with|in|this way)",
       r"\bdon't want to be here\s*(?:[.!?,]|$)"),
    _p("after_im_gone", Risk.AMBIGUOUS, r"\b(?:when|after|once) i'm (?:gone|dead)\b"),
    _p("disappear", Risk.AMBIGUOUS,
       r"\b(?:wish|want) (?:i could|to) (?:just )?(?:disappear|vanish)\b"),
    _p("want_it_to_end", Risk.AMBIGUOUS,
       r"\b(?:want|wish|need)(?: for)? (?:it all|everything|all of (?:it|this)|all this|this all)"
       r" to (?:just )?(?:end|stop|be over)\b",
       r"\bwish (?:it|everything|it all) (?:would|could) (?:all )?(?:just )?(?:end|be over)\b",
       r"\b(?:want|wish i could) (?:to )?(?:go to )?sleep forever\b"),
    _p("plan_unclear", Risk.AMBIGUOUS,
       r"\b(?:i've|i have) (?:made |got )?a plan\s*(?:[.!?]|$)",
       r"\b(?:bought|buying|get|getting|got|load|loaded|loading) (?:(?:a|the|my|his|\w+'s) ){0,2}"
       r"(?:gun|pistol|revolver|shotgun|firearm)\b"),
    _p("burden", Risk.AMBIGUOUS,
       r"\b(?:i'm|i feel like|feel like|feeling like|i've become|being|becoming) (?:such |just "
       r"|only |nothing but |a huge |a big |a massive |a total )*a (?:burden|drain|waste of"
       r" (?:space|oxygen|air))\b",
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

# Figures of speech and everyday wording that look like risk language; their spans are
# blanked before the crisis and despair patterns run.
IDIOMS: tuple[Pattern, ...] = (
    _p("killing_me", Risk.NONE, r"\b(?:killing|murdering|destroying) me\b"),
    _p("dying_to", Risk.NONE, r"(?<!assisted )\bdying (?:to|for)\b"),
    # "If I have to sit through one more meeting I'll shoot myself 🙄": only with both the
    # "one more X" frame and a joking marker right after; the model score still counts.
    _p("one_more_hyperbole", Risk.NONE,
       r"\bif i (?:have to|had to|must) (?:\w+ ){0,4}(?:one more|another)\b.{0,50}\b(?:shoot|kill)"
       r" myself\b(?=\W{0,4}(?:🙄|😂|🤣|😩|😤|lol|haha|lmao|jk|anyway)\b|\s*(?:🙄|😂|🤣|😩|😤))"),
    _p("song_hyperbole", Risk.NONE,
       r"\bif i (?:hear|see|listen to) (?:that|this|the) (?:song|advert|ad|jingle|word|phrase)"
       r"\b.{0,40}\b(?:shoot|kill) myself\b"),
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

# Round 4 (issue 11): hyperbole with death, kill or overdose words about food, puzzles,
# laughing and sport. Each removes only its own words ("killed myself laughing", not the
# rest of the message), so "killed myself laughing earlier but tonight i want to die"
# still has its risk words, and the risk model scores the message without these words.
IDIOMS += (
    _p(
        "overdosed_on_treat",
        Risk.NONE,
        r"\boverdos(?:e|ed|ing) on (?:(?:the|all the|too much|way too much|so much) )?"
        r"(?:chocolate|choc|sugar|sweets|candy|cake|cakes|biscuits|cookies|crisps|chips|cheese"
        r"|carbs|pizza|ice cream|easter eggs|mince pies|coffee|caffeine|tea|fizzy drinks|sun"
        r"|sunshine|netflix|telly|tv|box sets|reality tv|christmas|nostalgia|cuteness|puns"
        r"|podcasts|gossip|festive \w+|baking|crafts|sleep|naps|exercise|vitamin c)\b",
    ),
    _p(
        "death_of_me",
        Risk.NONE,
        r"\b(?:will|'ll|is going to|going to|gonna|would|'d|could|may|might) (?:honestly |actually"
        r" |literally |surely )?be the (?:death|end) of me\b",
        r"\b(?:is|are|was) (?:literally |honestly )?the death of me\b",
    ),
    _p(
        "laughing_hyperbole",
        Risk.NONE,
        r"\b(?:killed|killing|kill|nearly killed|almost killed) myself (?:laughing|with"
        r" laughter|giggling|cackling)\b",
        r"\b(?:nearly|almost) (?:wet|peed|pee'd|weed) myself (?:laughing|with laughter)\b",
        r"\b(?:wet|peed|weed) myself laughing\b",
    ),
    _p(
        "knife_edge",
        Risk.NONE,
        r"\b(?:on a |on the )?knife[- ]?edge\b",
        r"\b(?:on )?the edge of my seat\b",
        r"\b(?:went|go|going|goes) (?:right )?(?:down )?to the wire\b",
    ),
    # Chronic pain said as lasting a lifetime: "pain till I die" is about how long, not a
    # wish (the rest of the message is still read, by the rules and the model).
    _p(
        "till_i_die",
        Risk.NONE,
        r"\b(?:till|until|til|'til) (?:the day )?i die\b",
        # Only its own words, and only where the message talks about pain.
        exclude=r"^(?!.*\b(?:pain|painful|hurt\w*|ache|aching|agony|suffer\w*|flares?|fibro"
        r"|condition|back|crps|neuropathy|sciatica|arthritis)\b)",
    ),
    _p(
        "slang_dead",
        Risk.NONE,
        r"\bi'm (?:literally |actually |so |absolutely |deadass )?(?:dead|deceased|ded)\b"
        r"(?=\W*(?:💀|😂|🤣|😭|☠|lol|lmao|lmfao|haha|hahaha|omg|rofl)|\s*(?:💀|😂|🤣|😭|☠))",
        r"💀+",
    ),
)

# Round 5 (issue 11): hyperbole set D showed as false alarms. Each removes only its own
# words; the rest of the message is still read by the rules and the risk model.
IDIOMS += (
    _p(
        # "I'll kill myself getting the flat ready, help me pace it": only with a request
        # for help, pacing or a plan in the same message.
        "chore_hyperbole",
        Risk.NONE,
        r"\b(?:kill|killing|killed) myself (?:getting|trying to get|doing|cleaning|cooking"
        r"|tidying|decorating|preparing|sorting|organising|organizing|running around|rushing"
        r"|baking|packing|hoovering)\b(?=.{0,80}\b(?:help me|can you help|pace|pacing|plan it"
        r"|plan the|break it (?:up|down)|spread it out|how do i)\b)",
    ),
    _p("shoot_my_shot", Risk.NONE, r"\b(?:shoot|shooting|shot|shoots) (?:my|your|his|her) shot\b"),
    _p("lifesaver", Risk.NONE, r"\blife[- ]?saver\b",
       r"\b(?:you|this|that|it|the app|the bot)(?: \w+)? (?:literally |honestly |actually )?"
       r"saved my life\b(?= (?:today|there|with|lol|haha|thanks|thank)\b|\W*$)"),
    _p(
        # es / fr / de / nl figures of speech: work "kills me", bored or laughing "to death".
        "other_language_hyperbole",
        Risk.NONE,
        r"\bme (?:mata|matan|está matando) (?:la curiosidad|el calor|la espalda|el trabajo|este"
        r" trabajo|la risa|los pies|el sueño|el hambre)\b",
        r"\b(?:me )?muero de (?:risa|curiosidad|hambre|sueño|ganas|calor|frío|vergüenza"
        r"|aburrimiento)\b",
        r"\b(?:ce|mon|le|la|cette|ces|les) (?:boulot|travail|job|taf|chaleur|bruit|trajet"
        r"|réunions?|patron|cheffe?|boss|enfants|gosses|voisins|lundis?) me (?:tue|tuent)"
        r"(?: littéralement)?\b",
        r"\b(?:morte?s?|meurs) de (?:rire|fatigue|faim|froid|peur|honte|chaud)\b",
        r"\b(?:lach|lache|lachte|lachten|lachen) (?:mich|uns|dich|sich) (?:tot|kaputt|schlapp"
        r"|krumm|scheckig)\b|\bzu tode (?:gelangweilt|erschrocken|gelacht)\b"
        r"|\blangweile mich zu tode\b",
        r"\b(?:verveel|verveelde) (?:me|mij|ons|je) (?:dood|kapot|te pletter|rot)\b"
        r"|\b(?:schrok|schrik|schrokken) (?:me|mij|ons|je) (?:dood|kapot|rot|een hoedje)\b"
        r"|\b(?:lach|lachte) (?:me|mij|ons|je) (?:dood|kapot|rot|een ongeluk|slap)\b",
    ),
)

# Everyday wording with medical red-flag words: blanked before the red-flag rules (their
# own words only), and, like every idiom, they never raise a flag the classifier alone
# predicted.
RED_FLAG_IDIOMS: tuple[Pattern, ...] = (
    _p(
        "fright_attack",
        Risk.NONE,
        r"\b(?:nearly|almost|practically|literally|about to) (?:had|have|having) (?:a |an )?"
        r"(?:heart attack|coronary|stroke|seizure|fit|aneurysm|hernia)\b",
        r"\b(?:gave|give|giving|gives) (?:me|us|him|her|everyone) (?:a |an )?(?:heart attack"
        r"|coronary|stroke|seizure|fit)\b",
    ),
    _p(
        "limb_fell_asleep",
        Risk.NONE,
        r"\b(?:legs?|foot|feet|arms?|hands?)(?:'s| has| have| is| are)? (?:gone |went"
        r" |fallen |fell )?(?:dead|to sleep|asleep|numb)\b(?=.{0,40}\b(?:from sitting|from"
        r" kneeling|from lying|sitting (?:on it|on them|on my \w+|cross-legged|awkwardly)|sat on"
        r" (?:it|them|my \w+)|slept on|lying on"
        r"|kneeling|cross-legged|pins and needles|sleeping on it|slept on it|lying on it"
        r"|sitting on it|after sleeping|the way i slept)\b)",
        r"\bpins and needles (?:from|after) (?:sitting|kneeling|lying|sleeping)\b",
        # Never next to saddle, bladder or sudden words (cauda equina, stroke).
        exclude=r"\b(?:groin|saddle|between (?:my )?legs|bum|bottom|buttocks|genitals|privates"
        r"|bladder|bowels?|down there|sudden\w*|face|speech|slurr\w*)\b",
    ),
    _p(
        "thing_blew_up",
        Risk.NONE,
        r"\b(?:kettle|toaster|microwave|phone|boiler|fuse|tyre|tire|printer|washing machine"
        r"|dishwasher|inbox|group chat|notifications|twitter|email|laptop|bulb|pipe|pan)'?s?\b"
        r"(?:\W+(?:has|have|had|just|finally|completely|totally|gone|went|and|is|was|nearly"
        r"|almost|literally|only))*\W+(?:blown up|blew up|exploded|exploding|blowing up)\b",
        r"\bmy (?:head|brain|mind) (?:nearly |almost |just |literally )?(?:exploded|blew up|is"
        r" going to explode|will explode|is exploding)\b(?=.{0,50}\b(?:when|at|with|trying|reading"
        r"|thinking|maths|figuring|working out|form|forms|lol|haha|instructions|news)\b)",
        r"\b(?:curry|chilli|chili|vindaloo|pepper|hot sauce|wasabi|phaal)\b.{0,25}\b(?:blew|blow"
        r"|blown) my head off\b",
    ),
    _p(
        "wet_laughing",
        Risk.NONE,
        r"\b(?:nearly |almost |practically )?(?:wet|peed|pee'd|weed) myself (?:laughing|with"
        r" laughter|giggling)\b",
    ),
    _p(
        "thing_fell",
        Risk.NONE,
        r"\b(?:the|my|our|his|her|a) (?:cat|cats|dog|dogs|kitten|puppy|hamster|rabbit|bird|parrot"
        r"|phone|tv|telly|picture|shelf|vase|plant|pan|cup|glass|bike|tree|fence|tent|cake"
        r"|souffle|soufflé|tower|team|share price|shares|pound|wifi)(?: just| has| had| nearly"
        r"| almost)? (?:fell|tripped|slipped|collapsed|fainted)\b(?: (?:off|over|down|on|in|out"
        r" of)(?: the| my| a)? \w+)?",
    ),
)

PATTERNS: tuple[Pattern, ...] = (
    CRISIS_PATTERNS + RED_FLAG_PATTERNS + AMBIGUOUS_PATTERNS + NEGATION_PATTERNS
)
