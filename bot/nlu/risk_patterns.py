"""More crisis patterns for ``bot.nlu.safety_net`` (the rule floor under the risk model).

Categories the first tables did not cover: not being able to stay safe, an act already
taken (a count of tablets), danger from another person, a negation followed by a plan,
means or timing ("I'm not going to do anything stupid, but the pills are right here"),
and risk words in Spanish, French, German and Dutch (the bot answers in English, but these
get the crisis resources). ``NEGATED_THEN_MEANS`` runs on the text before negations are
blanked (the negation is part of its evidence); the others after, like the first tables.
"""

from __future__ import annotations

from bot.nlu.safety_patterns import Pattern, Risk, _p

_MED = (
    r"(?:pills?|tablets?|tabs|capsules?|meds|medication|painkillers?|tramadol|co-?codamol|"
    r"paracetamol|pregabalin|lyrica|gabapentin|amitriptyline|nortriptyline|oxycodone|"
    r"oxycontin|morphine|oramorph|codeine|fentanyl|diazepam|sleeping tablets|patches)"
)
_MANY = (
    r"(?:[1-9]\d+|twenty|thirty|forty|fifty|sixty"
    r"|a (?:whole )?(?:handful|load|bunch|box|packet|bottle))"
)
_MEANS_OR_TIME = (
    r"(?:pills?|tablets?|meds|rope|knife|blade|gun|bridge|tonight|plan|drawer|saved|"
    r"stockpiled?|right here|in front of me|ready|decided|picked|letters?|goodbye|in my hand)"
)

EXTRA_CRISIS_PATTERNS: tuple[Pattern, ...] = (
    _p(
        "self_harm_habit",
        Risk.CRISIS,
        r"\b(?:hit|hitting|bang|banging|punch|punching|smash|smashing) my (?:head|fists?|arms?)"
        r" (?:against|into) (?:the |a )?(?:wall|door|floor)\b"
        r"(?=.{0,60}\b(?:when|again|until|on purpose|every time|to feel|to stop)\b)",
        r"\b(?:got|getting|had|took) the (?:razor|blade|knife) out again\b",
    ),
    _p(
        "not_around_much_longer",
        Risk.CRISIS,
        r"\b(?:won't|wont|will not|don't|dont) (?:have to|need to) (?:deal with|put up with|"
        r"worry about|look after) me (?:much |for much )?(?:longer|anymore|for long)\b",
        r"\bwon't be (?:a burden|around|here) (?:for )?(?:much|very) (?:longer|long)\b",
    ),
    _p(
        "unable_to_stay_safe",
        Risk.CRISIS,
        r"\bcan't (?:keep|stay) (?:myself )?safe\b",
        r"\bcan't promise (?:i'll|i will|to) (?:be|stay|keep) safe\b",
        r"\bi'm not safe\b(?! (?:to drive|driving|on the stairs))",
        r"\b(?:don't|do not) trust myself (?:tonight|right now|anymore|at the moment|with)\b",
        r"\b(?:scared|afraid|frightened|worried) (?:of )?what i(?:'ll| will| might| could) do"
        r" to myself\b",
        r"\b(?:scared|afraid|frightened|worried) i(?:'ll| will| might) (?:act on|do something"
        r" to myself|take (?:all|them all))",
    ),
    _p(
        "act_taken",
        Risk.CRISIS,
        rf"\b(?:took|taken|swallowed|had) (?:about |like |maybe )?{_MANY} (?:of )?(?:my |the )?"
        rf"(?:\w+ )?{_MED}",
        rf"\b(?:took|taken|swallowed) (?:all|the lot|everything|the whole \w+)(?: of)?(?: my| the)?"
        rf" {_MED}"
        r"(?! (?:this morning|for today|today|with|on time|as (?:normal|usual|prescribed)))",
        r"\b(?:yes|yeah|yep)\b,? i (?:did|have|already)\b.{0,40}\b(?:took|taken|swallowed|done it"
        r"|cut|hurt myself|them all)\b",
    ),
    _p(
        "danger_from_other",
        Risk.CRISIS,
        r"\b(?:he|she|my (?:partner|husband|wife|boyfriend|girlfriend|ex|dad|father|mum|"
        r"mother|son|daughter|carer|brother))(?: \w+)? (?:hits|hit|beats|beat|strangled|choked|"
        r"kicked|pushed|threatens|threatened|attacked) me\b",
        r"\b(?:he|she|they)(?:'ll| will| would|'s going to|said he'd|said she'd) kill me\b",
        r"\bsaid (?:he|she)(?:'d|'ll| will| would) kill me\b",
        r"\bnot safe at home\b",
        r"\bscared to go home\b",
    ),
    _p(
        "other_language",
        Risk.CRISIS,
        # es
        r"\bsuicid(?:arme|arse|io)\b", r"\b(?:me )?quiero morir(?:me)?\b", r"\bmatarme\b",
        r"\bquitarme la vida\b", r"\bno quiero (?:vivir|seguir viviendo)\b",
        r"\bacabar con (?:todo|mi vida)\b",
        # fr
        r"\bme suicider\b", r"\bje veux mourir\b", r"\bme tuer\b",
        r"\bne (?:veux|veut) plus vivre\b", r"\ben finir\b",
        r"\bmettre fin à (?:mes jours|ma vie)\b",
        r"\bc'est (?:pour )?ce soir\b.{0,40}\btout (?:préparé|prévu|organisé)\b",
        r"\bheute nacht\b.{0,40}\b(?:mache ich es|ist es so weit|tue ich es)\b",
        r"\besta noche\b.{0,40}\b(?:lo hago|lo haré|se acaba)\b",
        r"\bvannacht\b.{0,40}\b(?:doe ik het|is het zover)\b",
        # de
        r"\bselbstmord\b", r"\bsuizid\w*", r"\bumbringen\b", r"\b(?:will|möchte|wollte) sterben\b",
        r"\bnicht mehr leben\b", r"\bmich (?:selbst )?töten\b", r"\bdas leben nehmen\b",
        # nl
        r"\bzelfmoord\b", r"\bwil dood\b", r"\bniet meer (?:leven|verder)\b",
        r"\bmezelf (?:van kant maken|doden|iets aandoen)\b", r"\ber een eind aan maken\b",
        r"\bmijn leven beëindigen\b",
    ),
)

NEGATED_THEN_MEANS = _p(
    "negated_then_means",
    Risk.CRISIS,
    r"\bnot (?:going to|planning to|about to|gonna) do anything(?: stupid| silly| daft)?\b"
    rf".{{0,60}}\bbut\b.{{0,80}}\b{_MEANS_OR_TIME}\b",
    rf"\b(?:not|never) (?:feeling )?suicidal\b.{{0,40}}\bbut\b.{{0,80}}\b{_MEANS_OR_TIME}\b",
    rf"\bwon't do anything\b.{{0,40}}\bbut\b.{{0,80}}\b{_MEANS_OR_TIME}\b",
    r"\bi'm not (?:suicidal|planning anything)\b.{0,10},? (?:i've|i have) (?:just )?"
    r"(?:decided|picked|chosen)\b",
)
