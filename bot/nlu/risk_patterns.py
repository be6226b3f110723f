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
_DAY = (
    r"(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday|tonight|tomorrow|this weekend"
    r"|the weekend|next week|my birthday|the anniversary)"
)
_GUN = r"(?:gun|guns|pistol|revolver|rifle|shotgun|firearm|handgun)"
_BODY = (
    r"(?:legs?|knees?|thighs?|arms?|hands?|shins?|head|fists?|skin|wrists?|feet|foot|ribs?"
    r"|hips?|fingers?|stomach)"
)
_MEANS_OR_TIME = (
    r"(?:pills?|tablets?|meds|rope|knife|blade|gun|bridge|tonight|plan|drawer|saved|"
    r"stockpiled?|right here|in front of me|ready|decided|picked|letters?|goodbye|in my hand)"
)

EXTRA_CRISIS_PATTERNS: tuple[Pattern, ...] = (
    _p(
        # "I have been having suicidal thoughts": said of oneself, so it is never about
        # someone else even when another person is named ("since the consultant said").
        "suicidal_me",
        Risk.CRISIS,
        r"\bi(?:'m| am|'ve| have| feel| keep| get| had|'ve had)\b(?: \w+){0,3}? (?:suicidal"
        r"|suicide thoughts|thoughts of (?:suicide|killing myself|ending it|dying))\b",
    ),
    _p(
        # A wish to be taken in one's sleep, in religious words.
        "taken_in_sleep",
        Risk.CRISIS,
        r"\b(?:pray|praying|prayed|hope|hoping|wish|wishing|ask|asking)\b(?: \w+){0,5}?"
        r" (?:god|the lord|the good lord|jesus|death) (?:would |will |could"
        r" |to |just |finally )*(?:takes?|took|taking|come for) me\b",
        r"\btake me in my sleep\b",
    ),
    _p(
        "last_night",
        Risk.CRISIS,
        r"\b(?:this is|tonight is|tonight's) my (?:last|final) (?:night|day)\b"
        r"(?!\s+(?:in|at|on|of|before|with|here|off|working|shift|of (?:the|my) holiday)\b)",
    ),
    _p(
        # Preparation without method words: belongings handed out.
        "giving_things_away",
        Risk.CRISIS,
        r"(?<!had to )(?<!have to )\b(?:giv(?:e|ing|en)|gave|hand(?:ing|ed|s)?(?: out| over)?)"
        r" (?:all |most of )?my (?:stuff|things|belongings|possessions|jewellery|jewelry"
        r"|records|books|clothes|treasures|valuables)(?: \w+){0,2}? (?:away|out|to (?:people"
        r"|friends|everyone|family))\b",
        exclude=r"\b(?:charity shop|declutter\w*|moving (?:house|flat)|downsiz\w*|car boot)\b",
    ),
    _p(
        # Timing without method words: "you won't hear from me after Friday", "Sunday is it".
        "timing_named",
        Risk.CRISIS,
        r"\byou (?:won't|will not|'ll not) (?:be )?hear(?:ing)? (?:from|anything from) me"
        r" (?:again |anymore )?(?:after|past|beyond|from|once)\b",
        r"\b(?:this is|it's) the last (?:week|day|night|time) you(?:'ll| will) (?:ever )?hear"
        r" from me\b",
        rf"\b{_DAY}(?: night| morning)? (?:is|will be) it(?: for me)?\s*(?:[.!?,;]|$)",
        rf"\b{_DAY}(?: night)? is the (?:day|night)\b(?=\s*(?:[.!?;]|$)|,? (?:it's |it is |all |"
        r"everything(?:'s| is) )?(?:all )?(?:arranged|sorted|decided|planned|ready|set)\b)",
        r"\bthat's when (?:it|i) (?:ends?|happens|will be over|go|finish it)\b",
        r"\b(?:no one|nobody) will (?:need|have) to worry about me (?:after|from|once|anymore)\b",
    ),
    _p(
        # Self-harm to move, distract from or drown out the pain.
        "self_harm_for_pain",
        Risk.CRISIS,
        rf"\b(?:hit|hits|hitting|bash\w*|whack\w*|smash\w*|slam\w*|punch\w*|beat|beating"
        rf"|burn|burns|burning|scald\w*|dig\w*) (?:myself|my (?:nails )?(?:into )?(?:own )?"
        rf"(?:\w+ )?{_BODY}|my nails into (?:my )?(?:\w+ )?{_BODY})\b.{{0,60}}\b(?:on purpose"
        r"|till|until|when the (?:pain|flare)|so (?:that )?(?:i|the (?:other )?pain|it)"
        r"|to (?:distract|drown|switch|move"
        r"|take my mind|feel (?:something|that)|stop feeling|block|cope))\b",
        r"\b(?:lighter|match|matches|iron|kettle|hot water|cigarette)\b.{0,30}\b(?:to|on|against"
        rf"|onto) my (?:\w+ )?{_BODY}\b.{{0,60}}\b(?:so|to|till|until|instead)\b",
        exclude=r"\b(?:massage|foam roll\w*|tens|heat pad|hot water bottle|ice pack|gently"
        r"|tapping|by accident|accidentally|by mistake)\b",
    ),
    _p(
        # A firearm at hand and the thought of using it.
        "firearm_access",
        Risk.CRISIS,
        rf"\b{_GUN}\b.{{0,60}}\b(?:keep thinking about (?:it|using)|thinking about using|keep"
        r" picturing|picturing using|been looking at it|took it out|loaded it|nobody would stop"
        r" me|know where the key is)\b",
        rf"\b(?:took|got|get|getting|have taken) (?:the |my |his |her |dad's |a )?{_GUN} out of"
        r" the (?:safe|cabinet|cupboard|locker)\b",
        rf"\bkeep (?:thinking|looking) (?:about|at) (?:the|my|his|her|dad's) {_GUN}\b",
    ),
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
        r"\b(?:he|she|they)(?:'ll| will| would|'s going to|said he'd|said she'd) (?:kill|hurt)"
        r" me\b",
        r"\b(?:said|says|swore|told me) (?:that )?(?:he|she|they)(?:'d|'ll| will| would|'s going"
        r" to) (?:kill|hurt|beat|strangle) me\b",
        r"\b(?:he|she|my (?:partner|husband|wife|boyfriend|girlfriend|ex))(?: \w+)?"
        r" (?:pushed|threw)"
        r" me (?:down|into|against|across|out of)\b",
        r"\b(?:he|she|my (?:partner|husband|wife|boyfriend|girlfriend|ex|dad|father|mum|mother|son"
        r"|daughter|carer|brother))(?: \w+)? (?:shoved|pushed|threw|dragged|kicked) me\b",
        r"\b(?:(?:my|the|our) )?(?:partner|husband|wife|boyfriend|girlfriend|ex|dad|father|mum"
        r"|mother|son|daughter|carer|brother|sister|he|she)(?: \w+){0,2}?"
        r" (?:slapped|slaps|grabbed|grabs|shoved|shoves|punched|punches|kicks|kicked|pushes"
        r"|chokes|beats) me\b",
        r"\b(?:grabbed|twisted|yanked|squeezed|pulled) my (?:bad |sore )?(?:arm|wrist|hair|hand"
        r"|neck)\b.{0,20}\bon purpose\b",
        r"\b(?:frightened|scared|afraid|terrified) of (?:him|her|my (?:partner|husband|wife|son"
        r"|daughter|boyfriend|girlfriend|ex|carer|dad|mum))\b",
        # es / fr / de / nl
        r"\b(?:me pega|me golpea|me pegó|me frappe|m'a frappée?|schlägt mich|hat mich geschlagen"
        r"|slaat me|slaat mij|schopt me|heeft me geslagen)\b",
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
        # method questions
        r"\b(?:damit|dass) man nicht (?:mehr )?überlebt\b|\bum nicht zu überleben\b",
        r"\bwie viele? tabletten\b.{0,40}\b(?:tödlich|sterben|tot)\b",
        r"\bhoeveel (?:pillen|tabletten)\b.{0,40}\b(?:dodelijk|dood|sterven)\b",
        r"\bcuántas pastillas\b.{0,40}\b(?:morir|mortal|letal)\b",
        r"\bcombien de (?:cachets|comprimés|médicaments)\b.{0,40}\b(?:mourir|mortel|mortelle)\b",
    ),
)

# Round 4 (issue 11): kinds set C showed missing.
ROUND4_CRISIS_PATTERNS: tuple[Pattern, ...] = (
    _p(
        # A passive wish said through surgery or an anaesthetic: hoping not to wake up or
        # come round after the operation, or that it goes wrong.
        "surgery_wish",
        Risk.CRISIS,
        r"\b(?:hope|hoping|hopes|wish|wishing|pray|praying|part of me|secretly|wouldn't mind"
        r"|would not mind|don't mind|won't mind)\b.{0,60}\b(?:op|operation|surgery|anaesthetic"
        r"|anesthetic|general|procedure|theatre|put under|put me under|under)\b.{0,60}\b(?:don't"
        r"|do not|won't|will not|wouldn't|never|not|didn't) (?:ever )?(?:wake up|wake|come round"
        r"|come around|come to|come back|make it|survive|pull through)\b",
        r"\b(?:hope|hoping|hopes|wish|pray|praying|part of me wants)\b.{0,30}\b(?:the |my )?"
        r"(?:op|operation|surgery|anaesthetic|anesthetic|procedure) (?:goes|go|will go|went)"
        r" (?:wrong|badly wrong|horribly wrong)\b",
        r"\b(?:hope|hoping|hopes|wish|wishing|pray|praying|part of me|secretly|wouldn't mind"
        r"|would not mind|don't mind|won't mind)\b.{0,40}\b(?:don't|do not|won't|will not"
        r"|wouldn't|never|not|didn't) (?:ever )?(?:wake up|wake|come round|come around|come to"
        r"|come back|make it|survive|pull through)\b.{0,20}\b(?:from|after|during|in) (?:the |my"
        r" |this |that )?(?:op|operation|surgery|anaesthetic|anesthetic|general|procedure"
        r"|theatre)\b",
        r"\b(?:want|wants|wanting)\b.{0,20}\b(?:the |my )?(?:op|operation|surgery|anaesthetic"
        r"|anesthetic|procedure) to go (?:wrong|badly wrong|horribly wrong)\b",
        r"\b(?:hope|hoping|wish|pray)\b.{0,20}\b(?:they|the surgeons?|the anaesthetists?)"
        r" (?:don't|won't|never) (?:wake|bring) me (?:up|back|round)\b",
    ),
    _p(
        # A terse report of self-harm: the whole message is "cut again" or "burned myself
        # again", perhaps with an apology.
        "terse_self_harm",
        Risk.CRISIS,
        r"^\W*(?:i've |i have |i )?(?:just |went and )?(?:cut|cutting|burnt|burned|burning"
        r"|scratched|hurt|harmed|hit|relapsed|slipped|sh'd|sh)(?: myself| me)?(?: up)? (?:again"
        r"|tonight|last night|today)\b\W*(?:(?:i'm |so |really )*sorry\W*|again\W*|😔\W*"
        r"|😞\W*|😢\W*|please don't be (?:mad|angry)\W*)*$",
    ),
    _p(
        # Self-harm in es / fr / de / nl.
        "other_language_self_harm",
        Risk.CRISIS,
        r"\bme (?:he|e) (?:vuelto a )?cortar\b|\bme corto\b|\bme he cortado\b"
        r"|\bautolesi\w+|\bme (?:suis|suis encore) (?:coupée?|scarifiée?|brûlée?)\b|\bme"
        r" scarifier\b|\bautomutil\w+|\bmich (?:\w+ ){0,2}geritzt\b|\bmich selbst verletzt\b"
        r"|\bmich (?:wieder|selbst|absichtlich)(?: \w+)? geschnitten\b"
        r"|\britze mich\b|\bselbstverletz\w+|\bmezelf (?:weer )?(?:gesneden|snijden|pijn gedaan)\b"
        r"|\bzelfbeschadig\w+",
        r"\bmir (?:heute nacht |heute |etwas |was )*(?:nichts )?antue\b|\bmir etwas antun\b",
    ),
    _p(
        # Method questions: the height of a bridge or building, a lethal dose; in English,
        # Spanish, French, German and Dutch.
        "method_question",
        Risk.CRISIS,
        r"\bhow (?:high|tall|far up) (?:does|do|would|should|must|has|have) (?:a |the |you |it"
        r" )?(?:bridge|building|roof|cliff|balcony|car park|block of flats|drop|fall|jump)"
        r"(?: \w+){0,2}? (?:need to be|have to be|to be|be)\b",
        r"\bhow (?:high|far) (?:would|do) (?:i|you) (?:need|have) to (?:jump|fall)\b",
        r"\bwie hoch muss (?:eine?|die|der|das) (?:brücke|gebäude|haus|hochhaus|dach|klippe"
        r"|balkon)\b|\b(?:aus|ab) welcher höhe\b",
        r"\b(?:qué|que) (?:altura|tan alto)\b.{0,30}\b(?:puente|edificio|balcón|azotea|acantilado)"
        r"\b|\bdesde (?:qué|que) altura\b",
        r"\bquelle hauteur\b.{0,30}\b(?:pont|immeuble|bâtiment|balcon|falaise)\b|\b(?:de|à partir"
        r" de) quelle hauteur\b",
        r"\bhoe hoog (?:moet|is) (?:een|de|het) (?:brug|gebouw|flat|dak|balkon|klif)\b"
        r"|\bvanaf welke hoogte\b",
        r"\b(?:tödliche|letale) dosis\b|\bdosis (?:letal|mortal)\b|\bdose (?:mortelle|létale)\b"
        r"|\bdodelijke dosis\b",
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


# Medical red flags in Spanish, French, German and Dutch: chest pain and its spread to the
# arm or jaw, breathlessness, stroke signs, a swollen hot leg after travel.
OTHER_LANGUAGE_RED_FLAGS: tuple[Pattern, ...] = (
    _p(
        "other_language_chest",
        Risk.RED_FLAG,
        r"\bdolor(?:es)? (?:\w+ )?(?:en el|del) pecho\b|\bopresión en el pecho\b"
        r"|\bpecho\b.{0,40}\bbrazo izquierdo\b|\b(?:se (?:va|extiende|irradia|baja)) al brazo\b",
        r"\bdouleurs? (?:\w+ )?(?:à|dans) la poitrine\b|\boppression (?:thoracique|dans la"
        r" poitrine)\b|\bpoitrine\b.{0,40}\bbras gauche\b",
        r"\bbrustschmerz\w*|\bschmerz\w* (?:\w+ )?in der brust\b|\b(?:engegefühl|druck) (?:in|auf)"
        r" der brust\b|\bbrust\b.{0,40}\blinken arm\b",
        r"\bpijn (?:\w+ )?op (?:de|mijn) borst\b|\bdruk op (?:de|mijn) borst\b|\bborst\b.{0,40}"
        r"\blinkerarm\b|\bborst\b.{0,40}\blinker arm\b",
    ),
    _p(
        "other_language_breathing",
        Risk.RED_FLAG,
        r"\bno puedo respirar\b|\bme falta el aire\b|\bme ahogo\b",
        r"\b(?:je )?(?:n'arrive|ne peux) (?:pas|plus) (?:à )?respirer\b|\bj'étouffe\b",
        r"\bkann (?:nicht|kaum) (?:mehr )?atmen\b|\b(?:bekomme|kriege|krieg) (?:keine|kaum) luft\b",
        r"\bkan (?:niet|nauwelijks) (?:meer )?ademen\b|\bkrijg (?:geen|nauwelijks) lucht\b",
    ),
    _p(
        "other_language_stroke",
        Risk.RED_FLAG,
        r"\b(?:cara|boca) (?:caída|torcida)\b|\bno puedo hablar bien\b",
        r"\bvisage (?:paralysé|affaissé|tombant)\b|\bbouche de travers\b",
        r"\bgesicht (?:hängt|ist schief)\b|\bmundwinkel hängt\b|\bkann nicht (?:mehr )?(?:richtig"
        r" )?sprechen\b",
        r"\bscheve mond\b|\bgezicht (?:hangt|is scheef)\b|\bkan niet (?:goed )?(?:meer )?praten\b",
    ),
    _p(
        # A swollen hot calf or leg, in es / fr / de / nl (a clot after travel).
        "other_language_dvt",
        Risk.RED_FLAG,
        r"\b(?:pierna|pantorrilla|gemelo)\b.{0,30}\b(?:hinchad[ao]|inflamad[ao])\b",
        r"\b(?:mollet|jambe)\b.{0,30}\b(?:gonflée?|enflée?)\b",
        r"\b(?:bein|wade|unterschenkel)\b.{0,30}\b(?:geschwollen|dick|angeschwollen)\b",
        r"\b(?:kuit|been)\b.{0,30}\b(?:gezwollen|dik|opgezet)\b",
    ),
)


# An accidental double dose of pain medicine (the patient's or a relative's): a medical
# emergency for whoever took it, not self-harm.
ACCIDENTAL_DOSE = _p(
    "accidental_double_dose",
    Risk.RED_FLAG,
    r"\b(?:took|taken|had|given|gave|swallowed|put on|used)\b.{0,50}\b(?:twice|double"
    r"|two doses|a second dose|an extra dose|extra|too many|too much|two lots)\b.{0,40}"
    r"\b(?:by (?:accident|mistake)|accidentally|forgot|without realising|without realizing"
    r"|mixed up|muddled)\b",
    r"\b(?:by (?:accident|mistake)|accidentally|mistakenly|forgot (?:she|he|i|they)(?:'d| had)"
    r" (?:already )?(?:taken|had) (?:it|them|her|his|my))\b.{0,50}\b(?:twice|double|two doses"
    r"|a second dose|an extra dose|extra|too many|too much|two lots)\b",
)

# Not a crisis by themselves, but a question about suicide is the right answer: the safety
# question (``express_despair``), whose unclear answer is never a no.
EXTRA_AMBIGUOUS_PATTERNS: tuple[Pattern, ...] = (
    _p(
        # Assisted dying asked about in a personal frame ("for me", "for my pain").
        "assisted_dying_personal",
        Risk.AMBIGUOUS,
        r"\b(?:assisted (?:dying|suicide|death)|euthanas\w*|dignitas|die with dignity|right to"
        r" die|a clinic abroad to end)\b",
        exclude=r"^(?!.*\b(?:i|i'm|i've|me|my|myself|someone like me)\b)",
    ),
    _p(
        # Access to a firearm, said unprompted.
        "firearm_at_hand",
        Risk.AMBIGUOUS,
        rf"\b(?:access to|know where|there's|there is|got|have|keeps?)"
        rf" (?:a |the |my \w+'s |his |her"
        rf" |dad's |\w+'s )?{_GUN}\b",
        exclude=r"\b(?:toy|water|nerf|glue|heat|massage|staple|spray|paint|photo|camera|starting)"
        r" gun\b|\b(?:shooting club|clay pigeon|range)\b",
    ),
    _p(
        # Indirect wish not to be here, in Spanish, French, German and Dutch.
        "other_language_indirect",
        Risk.AMBIGUOUS,
        r"\bnicht mehr (?:da|hier) (?:sein|wäre)\b|\bwäre ich nicht mehr (?:da|hier)\b"
        r"|\bnicht mehr aufwachen\b|\bwenn es mich nicht"
        r" (?:gäbe|mehr gäbe)\b|\bbesser ohne mich\b",
        r"\bniet meer zitten\b|\ber niet meer (?:zijn|willen zijn)\b|\bhoeft (?:voor mij )?niet"
        r" meer\b|\bbeter af zonder mij\b",
        r"\bmejor sin mí\b|\bdesaparecer para siempre\b|\bno (?:le )?veo sentido a seguir\b",
        r"\bmieux sans moi\b|\bdisparaître pour (?:de bon|toujours)\b|\bl'intérêt de continuer\b",
    ),
)


# Round 5 (issue 11): the kinds set D showed missing. Every alternative needs its own
# evidence next to the object (a stash "and I know why", rope "don't ask"), so everyday
# talk about medicine, rope, walls or giving things to charity stays out.
_LIQUID_OPIOID = (
    r"(?:oramorph|oromorph|liquid morphine|morphine(?: liquid| solution| syrup)?|methadone"
    r"|codeine linctus|linctus|oxycodone liquid|oxynorm(?: liquid)?|sleeping (?:liquid|syrup))"
)
_KID = (
    r"(?:toddler|baby|little one|little boy|little girl|kid|kids|child|grandchild|grandson"
    r"|granddaughter|grandkids?|grandchildren|children|niece|nephew|son|daughter"
    r"|\d+ ?(?:year|yr)[- ]old)"
)
ROUND5_CRISIS_PATTERNS: tuple[Pattern, ...] = (
    _p(
        # Means held in reserve without a method verb: a growing stash, the tablets "all in
        # one place now", rope bought "don't ask".
        "means_in_reserve",
        Risk.CRISIS,
        rf"\b{_MED}\b.{{0,15}}\b(?:stash|stockpile|hoard|collection|pile|supply)\b.{{0,60}}"
        r"\b(?:grow\w*|getting bigger|bigger|know why|no one knows|hidden|secret|just in case"
        r"|for when|for one day)\b",
        rf"\b{_MED}\b(?: \w+){{0,3}} (?:is |are )?(?:all )?(?:in one place|together in one place"
        r"|gathered up|collected up|all together)(?: now)?\b",
        r"^\W*(?:i've |i )?(?:bought|got|picked up|ordered) (?:some |a |the )?(?:rope|a noose"
        r"|a hose(?:pipe)?)(?: today| earlier| tonight| yesterday| this morning)?\W*(?:don't ask"
        r"|no questions|you know why|just in case|nobody knows|no one knows)?\W*$",
        r"\b(?:bought|got|picked up|ordered) (?:some |a |the )?rope\b.{0,30}\b(?:don't ask"
        r"|no questions|you know why|just in case|nobody knows|no one knows|for me)\b",
        exclude=r"\b(?:dosette|organi[sz]er|pill ?box|blister packs?|tray|weekly|pharmacist"
        r"|chemist|prescription|app|list|spreadsheet|chart|for the week|bin|dispos\w*"
        r"|take back|return\w*|handed in)\b",
    ),
    _p(
        # Self-harm as the only relief: punching walls till the knuckles bleed.
        "self_harm_relief",
        Risk.CRISIS,
        r"\b(?:punch\w*|hit|hits|hitting|smash\w*|bang\w*|thump\w*) (?:the |a )?walls?\b.{0,50}"
        r"\b(?:till|until|knuckles?|bleed\w*|bled|bloody|split|only (?:thing|way|relief|time)"
        r"|on purpose|helps|relief)\b",
        r"\b(?:hit|hits|hitting|punch\w*|slap\w*|thump\w*|scratch\w*|bit|bite|biting|pinch\w*)"
        r" myself\b.{0,60}\b(?:only (?:thing|way|relief|time)|the relief|relief|helps|stops"
        r" (?:it|the)|makes (?:it|the \w+) stop|shuts? (?:it|my head) up|hard|again|bleed\w*"
        r"|bruis\w*)\b",
        exclude=r"\b(?:by accident|accidentally|by mistake|a mosquito|mosquitoes|the gym)\b",
    ),
    _p(
        # Giving belongings away while others are told, or think, it is a clear-out.
        "disguised_giving_away",
        Risk.CRISIS,
        r"\b(?:giv\w*|gave|hand\w*)(?: out| over)? (?:all |most of |loads of )?(?:my |of my )?"
        r"(?:stuff|things|belongings|possessions|jewellery|jewelry|records|books|clothes"
        r"|treasures|valuables|everything)\b.{0,60}\b(?:they|everyone|people|he|she|my \w+)"
        r" (?:think|thinks|assume|assumes|reckon|reckons|believe|believes|just think)"
        r" (?:i'm|it's|i am) (?:just |only )?(?:decluttering|having a clear[- ]?out|clearing"
        r" out|downsizing|tidying|being generous|spring cleaning)\b",
        r"\b(?:told|telling|tell) (?:everyone|people|them|my \w+) (?:i'm|it's) (?:just )?"
        r"(?:decluttering|a clear[- ]?out|downsizing)\b.{0,40}\b(?:but|really|actually)\b",
    ),
    _p(
        # An act taken with a liquid opioid: a whole bottle drunk.
        "act_taken_liquid",
        Risk.CRISIS,
        r"\b(?:drank|drunk|downed|swallowed|necked|finished|gulped)\b (?:off |down )?(?:the |a |my"
        r" )?(?:whole |entire |full |rest of (?:the |my )?|remainder of (?:the |my )?|all (?:of )?"
        rf"(?:the |my )?|half (?:a |the |my )?)(?:bottle of )?(?:my )?{_LIQUID_OPIOID}\b",
        rf"\b(?:drank|drunk|downed|swallowed|necked|gulped)\b (?:the |a |my )?{_LIQUID_OPIOID}"
        r"(?: bottle)?\b.{0,20}\b(?:in one go|the lot|all of it|whole bottle|straight from the"
        r" bottle)\b",
        rf"\b(?:drank|drunk|downed|necked)\b (?:the |a |my )?(?:whole |entire |full )?bottle of"
        rf" (?:my )?{_LIQUID_OPIOID}\b",
        rf"\b(?:drank|drunk|downed|necked|finished)\b (?:off )?(?:the |a |my )?(?:whole |entire"
        rf" |full |rest of the |rest of my )?{_LIQUID_OPIOID} bottle\b",
    ),
    _p(
        # Danger from another person who follows the patient home: knows where they sleep.
        "stalked_by_other",
        Risk.CRISIS,
        r"\b(?:my ex|ex-\w+|he|she|my (?:ex-?)?(?:partner|husband|wife|boyfriend|girlfriend))\b"
        r".{0,60}\b(?:knows|found out|worked out|figured out) (?:where i (?:live|sleep|am|stay"
        r"|moved)|which (?:room|bed|window|flat|house) i(?:'m| sleep| stay| live)|my (?:new )?"
        r"(?:address|room))\b",
        r"\b(?:my ex|ex-\w+|my (?:ex-?)?(?:partner|husband|boyfriend|girlfriend|wife))\b"
        r" (?:keeps|kept|has been|is|was|started) (?:turning up|showing up|hanging around|waiting"
        r"|watching|following me|sitting outside|parking outside)\b.{0,40}\b(?:outside"
        r"|at (?:my|the) (?:door|window|house|flat|work)|every night|at night"
        r"|scared|frightened|won't leave|again)\b",
    ),
    _p(
        # Whether anyone would notice if "someone like me" disappeared.
        "would_anyone_notice",
        Risk.CRISIS,
        r"\b(?:would|will|does|do|did|is) (?:anyone|anybody|people|the world|my family|they)"
        r"(?: \w+){0,2} (?:notice|care|miss|realise|realize)\b.{0,6}\b(?:if|when|that)"
        r" (?:someone like me|people like me|a person like me|i|me)(?: just| simply| quietly)?"
        r" (?:disappeared|disappears|vanished|vanishes|was gone|were gone|wasn't here"
        r"|weren't here|died|dies|stopped existing|didn't wake up|was no longer here)\b",
    ),
)

ROUND5_RED_FLAGS: tuple[Pattern, ...] = (
    _p(
        # Breathlessness without the word "breathe", and blue lips.
        "breathing",
        Risk.RED_FLAG,
        r"\bcan't get (?:any |enough )?(?:air|breath) (?:in|into my lungs|down)\b",
        r"\bcan't (?:get|draw|catch) (?:my |a )?breath\b",
        r"\b(?:no air|air won't) (?:going|go|get) in\b",
        r"\b(?:lips|mouth|face)\b (?:are |is |have |has )?(?:going|gone|turning|turned|look|looks"
        r"|looking|went)(?: a bit| slightly| really| a little)? (?:blue|grey|gray)\b",
        r"\bblue (?:lips|around the (?:lips|mouth))\b",
    ),
    _p(
        # Sepsis in lay words: a fever word and a skin, mind or wound sign together.
        "sepsis_signs",
        Risk.RED_FLAG,
        r"^(?=.*\b(?:fever|feverish|high temperature|a temperature|temp of|burning (?:up|hot)"
        r"|boiling hot|roasting hot|red hot|shivering|shivery|shaking|chills|rigors|hot and cold"
        r"|hot then cold|freezing and boiling|boiling and freezing|freezing then boiling"
        r"|running a temp|(?:temp\w* (?:is |of )?)(?:3[89]|4[01])(?:[.,]\d)?)\b)"
        r"(?=.*\b(?:blotchy|mottled|blotches|purple (?:patches|spots)|rash (?:that )?(?:doesn't"
        r"|won't) fade|mumbl\w*|talking (?:nonsense|rubbish|gibberish)|not making sense"
        r"|confused(?! (?:about|by|with|why|how|what|as to))|muddled(?! (?:about|by|with|up))"
        r"|can't think straight|drowsy|so sleepy|very sleepy|really sleepy"
        r"|can (?:barely|hardly) keep (?:my|his|her|their) eyes open|hard to wake|won't wake"
        r"|can't wake|(?:wound|sore|cut|scar|incision|ulcer|bite|blister)\b.{0,20}\b(?:red and"
        r" hot|hot and red|red hot|oozing|pus|hot and swollen|angry))\b)",
        exclude=r"\b(?:hot flush\w*|hot flash\w*|menopaus\w*|weather|heatwave|sauna|heating"
        r"|boiler|snow\w*|swim\w*|cold (?:house|room|flat|outside))\b",
    ),
    _p(
        # Saddle numbness told as a story ("on the loo I couldn't feel down there").
        "saddle_numbness",
        Risk.RED_FLAG,
        r"\b(?:can't|couldn'?t|could not|cannot) (?:really |properly |quite )?feel (?:anything )?"
        r"(?:down there|my (?:bits|privates|bum|bottom|backside)|when i wipe|it when i wipe"
        r"|the (?:toilet )?paper|myself wiping)\b",
        r"\bnumb\w* down there\b|\bdown there\b.{0,20}\bnumb\w*",
        r"\binside of (?:my |both )?(?:legs|thighs)\b.{0,20}\bnumb\w*",
        exclude=r"\b(?:cycling|riding|the bike|bike seat|spinning class)\b",
    ),
    _p(
        # A child who swallowed the patient's medicine: someone else's emergency.
        "child_ingestion",
        Risk.RED_FLAG,
        rf"\b{_KID}\b.{{0,30}}\b(?:got into|ate|eaten|swallowed|chewed|drank|drunk|has had"
        rf"|might have had|may have had|had some of)\b.{{0,30}}\b{_MED}",
        rf"\b{_KID}\b.{{0,40}}\bnot sure how many\b",
    ),
    _p(
        # A dose counted exactly and taken by mistake (twice, double, the wrong box): a
        # medical emergency, not self-harm, even when the risk model reads crisis
        # (``risk_decision.ACCIDENT_RULES``). "Too many ... lost count" is not exact.
        "exact_double_dose",
        Risk.RED_FLAG,
        r"\b(?:took|taken|had|given|gave|swallowed|used)\b.{0,50}\b(?:twice|double|two doses"
        r"|a second dose|two lots)\b.{0,40}\b(?:by (?:accident|mistake)|accidentally"
        r"|without realising|without realizing|mixed up|muddled)\b",
        r"\b(?:by (?:accident|mistake)|accidentally|mistakenly)\b.{0,50}\b(?:twice|double"
        r"|two doses|a second dose|two lots)\b",
        r"\b(?:mixed up|muddled up|got mixed up|got muddled|grabbed the wrong|picked up the wrong"
        r"|took the wrong|opened the wrong|wrong (?:box|bottle|packet|pills|tablets|meds))\b.{0,80}"
        r"\b(?:took|taken|had|swallowed|instead of|double|twice|drowsy|woozy|sleepy|dizzy)\b",
        rf"\b(?:took|taken|swallowed|had|given|gave)\b (?:my |the |her |his )?(?:\w+ )?{_MED}?"
        r"\s*instead of (?:my |the |her |his )?\w+\b.{0,60}\b(?:double|twice|drowsy|woozy|sleepy"
        r"|dizzy|groggy|out of it|spaced)\b",
        exclude=r"\b(?:on purpose|meant to|wanted to|deliberately|too many|too much|lost"
        r" count|how many)\b",
    ),
    _p(
        # Foot drop in plain words (urgent).
        "foot_drop",
        Risk.RED_FLAG,
        r"\b(?:toes?|foot|feet)\b (?:keeps? |are |is |have been |has been |started |keep on )?"
        r"(?:dragging|catching|scuffing|slapping|flopping|scraping)\b",
        r"\bcan't (?:walk|stand|go) on (?:my )?(?:heels?|tip ?toes?|tiptoes)\b",
        r"\bcan't (?:lift|raise|pull up|bring up|point) (?:my )?(?:left |right )?(?:foot|toes)"
        r"(?: up)?\b",
        exclude=r"\b(?:because|cos|coz) (?:of )?(?:the )?(?:pain|it hurts)|too (?:painful|sore)"
        r"|hurts too much|blisters?|bunions?|plantar|heels? (?:pain|spurs?)|verruca\b"
        r"|\b(?:less|better|improv\w*|no longer|used to|anymore since)\b",
    ),
    _p(
        # Weight loss without dieting (clothes falling off) with back ache (urgent).
        "weight_loss_back",
        Risk.RED_FLAG,
        r"\b(?:clothes|trousers|jeans|skirts?|dresses|belt)\b.{0,20}\b(?:falling|hanging|dropping"
        r"|slipping) off me\b.{0,80}\bback\b",
        r"\b(?:dropped|gone down|lost) (?:two |three |a |\d )?(?:dress |jean )?sizes?\b.{0,80}"
        r"\bback\b",
        r"\bback\b.{0,80}\b(?:clothes|trousers|jeans)\b.{0,20}\b(?:falling|hanging) off me\b",
        exclude=r"\bon purpose\b|(?<!not )(?<!no )(?<!without )(?<!wasn't )(?<!haven't been )"
        r"(?<!not been )(?<!not on a )\bdiet|(?<!not )\btrying to lose\b|\bslimming\b|\bgym\b",
    ),
)
