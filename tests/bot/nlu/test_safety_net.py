"""Tests for bot.nlu.safety_net: every pattern, every idiom, every substring trap."""

from __future__ import annotations

import pytest

from bot.nlu.safety_net import IDIOMS, PATTERNS, Risk, assess, normalise

# Positive examples for every pattern in PATTERNS, keyed by pattern name.
EXAMPLES: dict[str, list[str]] = {
    "weight_loss_back": ["weight is falling off me and my back aches all the time"],
    # crisis
    "suicide": ["I feel suicidal", "I keep having suicidal thoughts", "thinking about suicde",
                "im sucidal tonight", "Is suicide the only way out"],
    "kill_myself": ["I want to kill myself", "gonna kil myself", "I might just kms",
                    "I want to unalive myself", "thinking of offing myself",
                    "I'm going to kill my self"],
    "hurt_myself_intent": ["I want to hurt myself", "I keep thinking about harming myself",
                           "I have urges to hurt myself", "I hurt myself on purpose last night",
                           "I'm going to hurt myself tonight", "I've been harming myself",
                           "I hurt myself to cope", "I scratch until I make myself bleed"],
    "self_harm": ["I've started to self harm again", "selfharm is the only thing that helps",
                  "I'm self-harming", "thinking about Self Harm", "I relapsed on sh",
                  "I've started cutting again"],
    "cut_myself": ["I cut myself last night", "I've been cutting myself again",
                   "I want to burn myself", "I burned myself on purpose",
                   "I keep punching myself", "I want to slit my wrists",
                   "thinking about cutting my arms", "I burnt my arm with a lighter",
                   "the urge to cut is so strong tonight", "I've been cutting my thighs",
                   "I cut my skin on purpose"],
    "blade": ["I held a razor to my wrist", "I've hidden razor blades to use on myself",
              "I keep the blade in my drawer so I can cut my arm", "knife against my skin"],
    "overdose": ["I'm going to overdose", "I could od on my pills", "I want to take all my pills",
                 "thinking about overdosing", "I swallowed all my tablets",
                 "I've been stockpiling my meds", "gonna od tonight",
                 "I could just take the whole bottle", "I took a whole box of paracetamol",
                 "I've saved up my tramadol", "I have enough pills saved to do it",
                 "I've got a stash of painkillers", "my pills are lined up in front of me",
                 "how many co-codamol would it take", "what's a lethal dose of amitriptyline",
                 "I took too many tablets on purpose", "I'm going to swallow a handful of pills",
                 "take all my pills at once", "I've been saving my pills",
                 "I'm going to swallow every pill in the house"],
    "want_to_die": ["I want to die", "I just wanna die", "I'm ready to die",
                    "I want to be dead", "I deserve to die", "I want to not exist"],
    "wish_dead": ["I wish I were dead", "I wish I was dead", "I wish I could just die",
                  "I wish I'd never been born", "I wish that I'd be dead",
                  "I'd rather be dead than live like this",
                  "everyone would be better off dead", "I wish I didn't exist",
                  "I wish I hadn't been born", "I should never have been born",
                  "wish i was never born"],
    "end_my_life": ["I plan to end my life", "I'm thinking of taking my own life",
                    "I want my life to be over"],
    "end_it_all": ["I want to end it all", "Maybe I should just end it all",
                   "I'm going to end it", "planning to end things on Friday",
                   "I want it all to end for good"],
    "not_wake_up": ["I don't want to wake up tomorrow", "I wish I wouldn't wake up",
                    "I hope I don't wake up", "I want to go to sleep and never wake up",
                    "I wish I could fall asleep and not wake up", "I hope I never wake up again",
                    "I just want to close my eyes and never open them"],
    "better_off_without_me": ["everyone would be better off without me",
                              "my family would be better off if I was gone",
                              "they'd be happier if I were dead",
                              "nobody would notice if I disappeared",
                              "my kids would cope better if I wasn't here",
                              "my husband would be happier without me",
                              "it would be easier for everyone if I weren't around",
                              "my family would be fine once I'm gone", "no one would miss me",
                              "nobody would even miss me", "who would even miss me",
                              "I'd be doing them a favour if I died",
                              "I'm such a burden, they'd be better off."],
    "no_reason_to_live": ["there's no reason to live", "I have nothing left to live for",
                          "no point in living", "life isn't worth living",
                          "death is the only escape"],
    "dont_want_to_live": ["I don't want to be alive", "I dont want to live anymore",
                          "I don't want to exist", "I don't want to be here anymore",
                          "I don't want to go on living", "I don't want to be on this earth"],
    "tired_of_living": ["I'm tired of living", "I'm so tired of being alive", "sick of life",
                        "I'm done with life"],
    "hanging": ["I thought about hanging myself", "I've tied a noose", "I bought a rope to hang",
                "I keep thinking of a rope around my neck", "I'm going to hang myself tonight",
                "there's a belt and the beam in the garage, I could do it"],
    "jumping": ["I want to jump off a bridge", "I could step in front of a train",
                "thinking of jumping off the multi-storey car park",
                "I'll throw myself off the cliff", "I'm going to jump out of the window",
                "I could lie down on the train tracks", "I'm standing on the edge of the roof",
                "I want to throw myself under a bus", "I keep thinking of jumping from the "
                "motorway bridge"],
    "firearm": ["I want to shoot myself", "I put the gun to my head",
                "my dad's gun is in the loft and I want to die", "I'll blow my brains out"],
    "vehicle": ["I'll drive into a tree", "I want to drive my car into a wall",
                "I keep thinking of swerving into a lorry", "I crashed the car on purpose",
                "I could walk into oncoming traffic"],
    "method": ["I'm going to drown myself", "I've got a knife and I'll use it on myself"],
    "plan": ["I've worked out how I'll do it", "I know how I'd do it",
             "I've decided how I'm going to end it", "I've decided how.",
             "I've made a plan to end things", "tonight's the night.",
             "tonights the night, I've got the pills ready",
             "I'm finally going to do it, goodbye everyone",
             "I have a plan and the rope is in the shed",
             "I'm ready to do it, the pills are on the table"],
    "last_message": ["this is my last message", "This will be my last message to you",
                     "you won't hear from me again", "I won't be here tomorrow",
                     "I won't be here much longer", "I don't think I'll be around much longer",
                     "I won't be alive by the morning", "I'll be gone by morning",
                     "I'm giving my cat to my neighbour because I won't be here"],
    "preparation": ["I've written letters for when I'm gone",
                    "I've given away all my things", "my will is sorted",
                    "I've updated my will and I'm ready",
                    "I'm putting my affairs in order",
                    "I've been giving away my stuff", "I gave away my dog.",
                    "I won't need them where I'm going"],
    "when_im_gone": ["please take care of my cat when I'm gone",
                     "I need someone to look after my kids after I'm dead",
                     "I've left notes for my family for after I've gone",
                     "make sure my dog gets a new home when I'm gone"],
    "goodbye_note": ["I've written a goodbye letter", "I wrote a suicide note",
                     "I'm saying goodbye to everyone", "this is goodbye",
                     "I've said my goodbyes", "goodbye forever",
                     "I want to say goodbye to my kids", "I've written my note.",
                     "I left letters explaining why"],
    # red flags
    "sudden_weakness": ["I suddenly have weakness in my left leg",
                        "my arm went numb all of a sudden", "sudden numbness in my face",
                        "new weakness in both legs", "my face has gone numb",
                        "my arms are suddenly much weaker"],
    "cant_move_limbs": ["I can't move my legs", "I cannot feel my legs",
                        "I can't lift my arm", "I have foot drop", "I can't grip my cup",
                        "my leg gave way and I can't lift my foot", "my foot keeps dragging",
                        "my knee gave out and now I can't stand"],
    "bladder_bowel": ["I've lost control of my bladder", "loss of control over my bowels",
                      "I wet myself and didn't notice", "I can't pee",
                      "I can't control my bowels", "I lost bladder control",
                      "I haven't peed since yesterday", "I haven't been able to wee all day",
                      "haven't had a wee since this morning",
                      "I'm unable to pass urine", "I think I have urinary retention"],
    "saddle_numbness": ["I have numbness in my groin", "it's numb between my legs",
                        "numb around my saddle area", "I can't feel the toilet paper",
                        "I'm numb around my bum", "numbness around my back passage",
                        "my backside has gone numb", "I can't feel my bottom"],
    "chest_pain": ["I have chest pain", "crushing pressure in my chest",
                   "my chest feels tight with stress", "tightness across my chest"],
    "pain_to_arm_jaw": ["the pain is spreading down my left arm", "it's radiating to my jaw"],
    "breathing": ["I can't breathe", "I'm struggling to breathe", "I'm short of breath",
                  "gasping for breath"],
    "stroke_signs": ["my face is drooping", "my speech is slurred", "I'm slurring my words"],
    "thunderclap_headache": ["this is the worst headache of my life",
                             "a sudden severe headache hit me", "thunderclap headache",
                             "my headache felt like my head exploded",
                             "vomiting with the worst headache",
                             "worst headache I've ever had",
                             "I've got a blinding headache and keep being sick"],
    "fever_back_neck": ["I have a fever and my back is agony", "stiff neck and a high temperature",
                        "night sweats and back pain", "high fever and stiff neck",
                        "I have a fever and my neck is stiff"],
    "after_fall": ["new pain after a fall yesterday", "I was in a car accident this morning",
                   "someone rear-ended me and my neck hurts", "new pain after I fell",
                   "my wrist has hurt since I slipped"],
    "fell": ["I fell down the stairs", "I fell over in the garden and my hip hurts",
             "I slipped on the wet floor", "I fell yesterday and now my back is worse",
             "I fell in the shower"],
    "head_injury": ["I hit my head on the cupboard", "I hit my head", "I knocked my head",
                    "I think I have a head injury"],
    "fainted": ["I fainted at the shops", "I passed out this morning", "I feel faint",
                "I collapsed in the kitchen", "I keep passing out"],
    "blood": ["I'm coughing up blood", "I vomited blood", "there's blood in my urine"],
    "calf_swelling": ["my calf is swollen red and hot", "swelling in my left calf",
                      "one leg is much bigger than the other",
                      "swollen, warm and red behind the knee",
                      "my leg is swollen and warm and red behind the knee",
                      "swollen behind my knee", "my calf is hot and tender",
                      "hot red swollen calf"],
    "seizure": ["I think I had a seizure", "I had a fit earlier"],
    "confusion": ["I'm suddenly confused", "I don't know where I am",
                  "she's suddenly very disoriented"],
    "vision_loss": ["I suddenly lost my vision in one eye", "sudden double vision",
                    "I lost the sight in my left eye"],
    "changed_pain": ["this is a totally new kind of pain", "it's not like my usual flares"],
    "rigid_abdomen": ["my belly is rigid and agony"],
    # ambiguous despair
    "cant_go_on": ["I can't go on", "I cannot keep going like this", "I can't carry on",
                   "I can't keep living like this", "I just can't anymore",
                   "I have no fight left", "only just hanging on"],
    "cant_take_it": ["I can't take this anymore", "I can't do this anymore",
                     "I can't take it any longer", "I can't cope anymore",
                     "I cant handle the pain any more", "I can't cope.",
                     "I'm at breaking point", "at the end of my tether",
                     "I'm at the end of my rope"],
    "whats_the_point": ["what's the point", "Whats the point anymore?",
                        "what's the point of anything", "is there even any point"],
    "give_up": ["I give up", "I'm giving up.", "I just want to give up on everything",
                "I feel like giving up"],
    "im_done": ["I'm so done", "I'm done with everything", "im done with this life",
                "I'm just done"],
    "nothing_will_help": ["nothing will ever help", "nothing ever works"],
    "tired_of_living_like_this": ["I'm so tired of living like this",
                                  "sick of living with this pain", "so tired of everything",
                                  "I've had enough of it all"],
    "dont_want_to_live_like_this": ["I don't want to live like this",
                                    "I just don't want to be here."],
    "after_im_gone": ["who will look after my kids when I'm gone",
                      "I worry about my partner when I'm gone"],
    "disappear": ["I wish I could disappear", "I just want to vanish"],
    "want_it_to_end": ["I want it all to end", "I just want everything to stop",
                       "I wish it would all just end", "I need all of this to be over",
                       "I just want to sleep forever"],
    "plan_unclear": ["I've made a plan.", "I have a plan", "I bought a gun last week",
                     "I loaded my dad's shotgun"],
    "burden": ["I'm such a burden", "I'm just a burden to everyone", "I feel worthless",
               "I feel like a burden to my family", "I'm nothing but a burden",
               "I've become a waste of space"],
    "hopeless": ["I feel hopeless", "everything is so hopeless", "I feel utterly defeated"],
    "no_way_out": ["there's no way out of this", "I can't see any future",
                   "I feel trapped"],
    "lost_hope": ["I'm losing hope", "I've lost all hope", "nothing to look forward to"],
    "pointless": ["life feels so pointless", "everything is meaningless",
                  "nothing matters anymore", "why should I even bother"],
    # negated
    "negated_suicidal": ["I'm not suicidal", "I am not suicidal, just exhausted"],
    "negated_self_harm": ["I would never hurt myself", "I'm not going to kill myself",
                          "I don't want to die", "I have no plans to end my life"],
}

IDIOM_EXAMPLES: dict[str, list[str]] = {
    "killing_me": ["my feet are killing me", "this pain is killing me",
                   "my back is murdering me", "My hips are absolutely killing me today"],
    "dying_to": ["I'm dying to get some sleep", "dying for a cup of tea"],
    "to_die_for": ["that cake was to die for"],
    "kill_for": ["I'd kill for a nap", "I would kill for a hot bath"],
    "song_hyperbole": ["if i hear that song one more time i'll shoot myself"],
    "one_more_hyperbole": ["if i have to fill in one more benefits form i'll shoot myself 🙄",
                           "if i must answer another survey i'll kill myself lol"],
    "to_death": ["I'm bored to death", "that noise scared me to death",
                 "I'm sick to death of this flare"],
    "overworking": ["I've been killing myself at work", "working myself to death"],
    "dead_tired": ["I'm dead tired"],
    "die_of_laughing": ["I was dying of laughter", "I could die of embarrassment"],
    "accidental_injury": ["I cut myself while cooking", "I accidentally burned myself"],
    # Round 4 (own phrasings, none from a blind set).
    "overdosed_on_treat": [
        "i overdosed on mince pies at the works do",
        "we all overdosed on box sets over the holidays",
    ],
    "death_of_me": [
        "this sudoku is going to be the death of me",
        "the school run will be the death of me",
    ],
    "laughing_hyperbole": ["nearly killed myself laughing at the panto"],
    "knife_edge": [
        "the final was on a knife edge right to the end",
        "that thriller had me on the edge of my seat",
    ],
    "till_i_die": ["i'll be hurting with this back till the day i die",
                   "fibro is a life sentence, aching until i die"],
    "slang_dead": ["i'm literally dead 😂 my nan just sent a meme", "💀💀💀"],
    "chore_hyperbole": ["i'll kill myself baking for the fete, can you help me plan it"],
    "shoot_my_shot": ["might shoot my shot at the karaoke audition"],
    "lifesaver": ["that breathing tip was a life-saver"],
    "other_language_hyperbole": ["esta reunión, me muero de sueño", "wir lachten uns kaputt"],
}

# Harmless text that a substring or loose regex would flag.
TRAPS: list[str] = [
    "I'm on a new diet", "the pain died down after an hour", "I studied all evening",
    "I want to dye my hair", "pacing is a useful skill", "killer workout yesterday",
    "I have a deadline at work", "I bought a new cutting board", "cutting back on sugar",
    "waiting for the pain to subside", "my dad died last year", "painkillers barely help",
    "I hurt myself lifting a box", "I feel dead on my feet", "what's the point of pacing?",
    "I'm done with the breathing exercise", "I'm done", "I gave up sugar",
    "I'm not going to give up", "I've cut myself off from friends",
    "I keep burning myself out", "my legs feel weak and heavy during a flare",
    "brain fog makes me confused", "I collapsed on the sofa after work",
    "my pain started after a car accident five years ago", "I fell asleep early",
    "a faint tingling in my toes", "I'm hopeless at maths", "I can't continue the exercise",
    "I can't carry on with the housework today", "the doctor said it's not serious",
    "I'm worried I'll hurt myself if I exercise", "I'm going to hurt myself if I lift that",
    "I can't do the stairs anymore", "I don't want to be here at the dentist",
    "I've had a fever this week", "my back hurts", "I slept badly",
    "I took all the kids to school", "I want to end things with my boyfriend",
    "I fell off my bike in 2015 and my back has hurt since then", "I hope it helps",
    "this cake is to die for", "I can't cope with the noise today", "I feel trapped at work",
    "the sheets scratch my skin", "I tripped over years ago", "I hit myself on the door",
]

# Near misses of the means, plans, goodbyes, burden and red-flag patterns: everyday
# wording about medicine, travel, chores, pets, sleep and flares.
NEAR_MISSES: list[str] = [
    "my feet are killing me", "I'd kill for a coffee", "that chocolate cake is to die for",
    "this pain is killing me", "the pain died down after an hour", "I'm on a new diet",
    "I'm dying to see my grandkids", "the bridge of my nose hurts",
    "pills for my pain didn't work", "the pills for my pain didn't work at all",
    "I burned my hand cooking", "I lost my train of thought", "the kids love the rope swing",
    "my last message was unclear", "sorry, my last message didn't make sense",
    "cutting back on sugar", "I gave away my old clothes", "I take all my pills with food",
    "I took all my meds this morning", "I forgot to take all my tablets today",
    "did I take all my pills?", "how many tablets can I take in a day",
    "how many paracetamol can I take with co-codamol", "I took a whole bottle of water to the gym",
    "I drank a whole bottle of wine last night", "I'm saving money on my prescriptions",
    "I've been saving my painkillers for bad days", "I keep my pills in the kitchen",
    "I've got enough pills to last the weekend", "I picked up my prescription",
    "my meds are making me drowsy", "I hope I don't wake up in pain tomorrow",
    "I don't want to wake up my husband", "I hope I don't wake up stiff again",
    "I didn't wake up until ten", "I could sleep for a week", "I'm so tired I could sleep forever",
    "I crossed the bridge on my walk", "we drove over the bridge to see my mum",
    "I had to jump off the bus quickly and my knee hurts",
    "I jumped off the sofa and my back twinged", "I walked past the train station",
    "the train was late again", "I'm driving into town later", "I'm driving into work tomorrow",
    "I hit a wall with my energy today", "my energy hit a wall", "I bought a new razor",
    "I cut myself shaving", "razor burn after shaving my legs", "I cut my finger chopping onions",
    "I cut my leg on the car door", "my skin is burning", "burning pain in my arms",
    "the cream burns my skin", "I need to cut my nails", "I want to cut down on caffeine",
    "I want to burn some calories", "I'm going to finally do it and book a physio appointment",
    "I'll do it tonight after dinner", "I'm finally going to do it, the pacing plan you suggested",
    "tonight's the night I try sleeping without the brace", "tonight is the night of the concert",
    "I've made a plan for my week", "I've made a plan to pace my housework",
    "I've decided how to pace my week", "I know how to do the breathing exercise",
    "I know how I'll manage the shopping", "I won't be here tomorrow for the check-in",
    "I won't be here tomorrow, I'm at my mum's", "I won't be around tomorrow because I'm working",
    "this will be my last message tonight, I'm off to bed", "I'll be gone for the weekend",
    "my pain is gone for good I hope", "I wrote a note for my husband about dinner",
    "I left a note to remind myself", "I'm writing a letter to my GP",
    "I need to update my will at some point", "against my will", "my willpower is gone",
    "I had to give away my dog because I can't walk him anymore", "I had to give away my dog.",
    "I gave away some books", "we're giving away the kittens", "goodbye",
    "bye, thanks for your help", "I said goodbye to my family at the airport",
    "I'm saying goodbye for tonight", "I just wanted to say goodbye and thanks",
    "my family would be better off if I got a diagnosis",
    "my kids would be happier if I wasn't in pain all the time",
    "I'd be better off without my meds", "my team manages fine without me when I'm off sick",
    "nobody would notice the difference", "no one would notice if I left the party early",
    "nobody misses the old me", "I miss my old life", "my husband helps a lot",
    "my leg is heavy and tired", "my legs feel swollen during a flare",
    "I put a warm pack on my calf", "my calf muscle is tight and sore",
    "my knee is swollen after the walk", "crps hand is swollen and burning",
    "my crps leg is so hot and sensitive today", "my bum is numb from sitting all day",
    "I can't pee without it burning", "I peed a lot today", "I fell asleep on the sofa",
    "I fell behind on work", "I fell in love with swimming again", "my knee gives way sometimes",
    "I'm banging my head against a brick wall with the GP", "headache and feeling sick today",
    "migraine with vomiting again", "I have a fever", "my neck is stiff from sleeping funny",
    "I gave up sugar", "the end of the world won't come from this", "I want the pain to stop",
    "I just want it to stop", "this flare will never end", "I'm tired of this flare",
    "I want it over with, the appointment I mean", "the knife slipped while I was cooking",
    "I've been cutting my hair short", "the noise from next door", "a rope bridge on holiday",
    "I skip with a rope for exercise", "I tied a rope to the banister to help me up the stairs",
    "my son has a toy gun", "he shot a great photo", "I went shooting with my dad years ago",
    "our vet put my cat down last year", "my grandmother died when I was little",
    "I'm dead on my feet", "dead tired tonight",
    "this is the last time I do the stairs without a break", "that was the last straw",
    "I'd rather die than go back to that physio",
]


def _cases(table: dict[str, list[str]]) -> list[tuple[str, str]]:
    return [(name, text) for name, texts in table.items() for text in texts]


def test_every_pattern_has_examples() -> None:
    assert set(EXAMPLES) == {p.name for p in PATTERNS}


def test_every_idiom_has_examples() -> None:
    assert set(IDIOM_EXAMPLES) == {p.name for p in IDIOMS}


@pytest.mark.parametrize(("name", "text"), _cases(EXAMPLES))
def test_pattern_matches_its_examples(name: str, text: str) -> None:
    expected = next(p.risk for p in PATTERNS if p.name == name)
    result = assess(text)
    assert name in result.reasons
    assert result.risk == expected


@pytest.mark.parametrize(("name", "text"), _cases(IDIOM_EXAMPLES))
def test_idioms_are_not_risk(name: str, text: str) -> None:
    result = assess(text)
    assert result.risk == Risk.NONE
    assert result.reasons == ()
    assert name in result.idioms


@pytest.mark.parametrize("text", TRAPS)
def test_traps_are_not_risk(text: str) -> None:
    assert assess(text) == assess(text)  # deterministic
    assert assess(text).risk == Risk.NONE, assess(text).reasons


@pytest.mark.parametrize("text", NEAR_MISSES)
def test_near_misses_are_not_risk(text: str) -> None:
    assert assess(text).risk == Risk.NONE, assess(text).reasons


@pytest.mark.parametrize(
    "text",
    [
        "I want it all to end",
        "I've made a plan.",
        "I'm just a burden",
        "who will look after my kids when I'm gone",
        "I bought a gun",
        "I just want to sleep forever",
    ],
)
def test_documented_ambiguous_cases_are_not_crisis(text: str) -> None:
    assert assess(text).risk == Risk.AMBIGUOUS


@pytest.mark.parametrize(
    "text",
    [
        "I want it all to end tonight",
        "I've made a plan and I've got the pills",
        "I'm just a burden, my family would be better off without me",
        "I bought a gun so I can end it",
        "I just want to sleep and never wake up",
        "my feet are killing me and this is my last message",
    ],
)
def test_context_turns_ambiguous_into_crisis(text: str) -> None:
    assert assess(text).risk == Risk.CRISIS


@pytest.mark.parametrize(
    "text",
    [
        "my back is killing me and I want to kill myself",
        "I'm dying to sleep but honestly I want to die",
        "I'm not suicidal but I wish I were dead",
        "I'd kill for a nap. I don't want to wake up though",
    ],
)
def test_idiom_does_not_hide_crisis(text: str) -> None:
    assert assess(text).risk == Risk.CRISIS


def test_idiom_and_despair_is_ambiguous() -> None:
    result = assess("My feet are killing me and I can't take it anymore")
    assert result.risk == Risk.AMBIGUOUS
    assert result.idioms == ("killing_me",)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("I want to kill myself and I have chest pain", Risk.CRISIS),
        ("chest pain and I can't go on", Risk.RED_FLAG),
        ("I'm not suicidal, I just can't go on", Risk.AMBIGUOUS),
        ("hello, my knees hurt today", Risk.NONE),
        ("", Risk.NONE),
    ],
)
def test_precedence(text: str, expected: Risk) -> None:
    assert assess(text).risk == expected


def test_reasons_list_every_match_highest_first() -> None:
    result = assess("I want to kill myself, I can't breathe, I can't go on")
    assert result.reasons == ("kill_myself", "breathing", "cant_go_on")


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("I\u2019m   NOT\tsuicidal", "i'm not suicidal"),
        ("I am so done", "i'm so done"),
        ("cant go on", "can't go on"),
        ("self harm", "self-harm"),
        ("kms", "kill myself"),
    ],
)
def test_normalise(raw: str, expected: str) -> None:
    assert normalise(raw) == expected


@pytest.mark.parametrize(
    "text",
    [
        "i've got the rope ready in the garage",
        "the rope is ready",
        "bought a rope for tonight",
        "i've written letters to my kids, just want to say thanks for trying",
        "wrote goodbye letters to my family last night",
    ],
)
def test_means_made_ready_and_letters_to_family_are_crisis(text: str) -> None:
    assert assess(text).risk is Risk.CRISIS


@pytest.mark.parametrize(
    "text",
    [
        "i bought a rope for the tent",
        "we tied the rope up for the swing",
        "skipping rope in the garage",
        "i wrote a letter to my mum about my diagnosis",
        "my kids wrote letters to santa",
    ],
)
def test_ordinary_ropes_and_letters_are_not_crisis(text: str) -> None:
    assert assess(text).risk is not Risk.CRISIS
