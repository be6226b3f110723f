"""Tests for bot.nlu.safety_net: every pattern, every idiom, every substring trap."""

from __future__ import annotations

import pytest

from bot.nlu.safety_net import IDIOMS, PATTERNS, Risk, assess, normalise

# Positive examples for every pattern in PATTERNS, keyed by pattern name.
EXAMPLES: dict[str, list[str]] = {
    # crisis
    "suicide": ["I feel suicidal", "I keep having suicidal thoughts", "thinking about suicde",
                "im sucidal tonight", "Is suicide the only way out"],
    "kill_myself": ["I want to kill myself", "gonna kil myself", "I might just kms",
                    "I want to unalive myself", "thinking of offing myself",
                    "I'm going to kill my self"],
    "hurt_myself_intent": ["I want to hurt myself", "I keep thinking about harming myself",
                           "I have urges to hurt myself", "I hurt myself on purpose last night",
                           "I'm going to hurt myself tonight", "I've been harming myself",
                           "I hurt myself to cope"],
    "self_harm": ["I've started to self harm again", "selfharm is the only thing that helps",
                  "I'm self-harming", "thinking about Self Harm", "I relapsed on sh",
                  "I've started cutting again"],
    "cut_myself": ["I cut myself last night", "I've been cutting myself again",
                   "I want to burn myself", "I burned myself on purpose",
                   "I keep punching myself"],
    "overdose": ["I'm going to overdose", "I could od on my pills", "I want to take all my pills",
                 "thinking about overdosing", "I swallowed all my tablets",
                 "I've been stockpiling my meds", "gonna od tonight"],
    "want_to_die": ["I want to die", "I just wanna die", "I'm ready to die",
                    "I want to be dead", "I deserve to die"],
    "wish_dead": ["I wish I were dead", "I wish I was dead", "I wish I could just die",
                  "I wish I'd never been born", "I wish that I'd be dead",
                  "I'd rather be dead than live like this",
                  "everyone would be better off dead", "I wish I didn't exist"],
    "end_my_life": ["I plan to end my life", "I'm thinking of taking my own life"],
    "end_it_all": ["I want to end it all", "Maybe I should just end it all",
                   "I'm going to end it", "planning to end things on Friday"],
    "not_wake_up": ["I don't want to wake up tomorrow", "I wish I wouldn't wake up",
                    "I hope I don't wake up", "I want to go to sleep and never wake up"],
    "better_off_without_me": ["everyone would be better off without me",
                              "my family would be better off if I was gone",
                              "they'd be happier if I were dead",
                              "nobody would notice if I disappeared"],
    "no_reason_to_live": ["there's no reason to live", "I have nothing left to live for",
                          "no point in living", "life isn't worth living",
                          "death is the only escape"],
    "dont_want_to_live": ["I don't want to be alive", "I dont want to live anymore",
                          "I don't want to exist", "I don't want to be here anymore"],
    "tired_of_living": ["I'm tired of living", "I'm so tired of being alive", "sick of life",
                        "I'm done with life"],
    "method": ["I want to jump off a bridge", "I thought about hanging myself",
               "I could step in front of a train", "I want to slit my wrists",
               "I've worked out how I'll do it", "I'll drive into a tree"],
    "goodbye_note": ["I've written a goodbye letter", "I wrote a suicide note",
                     "I've given away all my things"],
    # red flags
    "sudden_weakness": ["I suddenly have weakness in my left leg",
                        "my arm went numb all of a sudden", "sudden numbness in my face",
                        "new weakness in both legs", "my face has gone numb",
                        "my arms are suddenly much weaker"],
    "cant_move_limbs": ["I can't move my legs", "I cannot feel my legs",
                        "I can't lift my arm", "I have foot drop", "I can't grip my cup"],
    "bladder_bowel": ["I've lost control of my bladder", "loss of control over my bowels",
                      "I wet myself and didn't notice", "I can't pee",
                      "I can't control my bowels"],
    "saddle_numbness": ["I have numbness in my groin", "it's numb between my legs",
                        "numb around my saddle area", "I can't feel the toilet paper"],
    "chest_pain": ["I have chest pain", "crushing pressure in my chest",
                   "my chest feels tight with stress", "tightness across my chest"],
    "pain_to_arm_jaw": ["the pain is spreading down my left arm", "it's radiating to my jaw"],
    "breathing": ["I can't breathe", "I'm struggling to breathe", "I'm short of breath",
                  "gasping for breath"],
    "stroke_signs": ["my face is drooping", "my speech is slurred", "I'm slurring my words"],
    "thunderclap_headache": ["this is the worst headache of my life",
                             "a sudden severe headache hit me", "thunderclap headache",
                             "my headache felt like my head exploded"],
    "fever_back_neck": ["I have a fever and my back is agony", "stiff neck and a high temperature",
                        "night sweats and back pain"],
    "after_fall": ["new pain after a fall yesterday", "I was in a car accident this morning",
                   "someone rear-ended me and my neck hurts"],
    "fell": ["I fell down the stairs", "I fell over in the garden and my hip hurts",
             "I slipped on the wet floor"],
    "head_injury": ["I hit my head on the cupboard"],
    "fainted": ["I fainted at the shops", "I passed out this morning", "I feel faint",
                "I collapsed in the kitchen", "I keep passing out"],
    "blood": ["I'm coughing up blood", "I vomited blood", "there's blood in my urine"],
    "calf_swelling": ["my calf is swollen red and hot", "swelling in my left calf",
                      "one leg is much bigger than the other"],
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
                     "I'm at breaking point", "at the end of my tether"],
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
    "dont_want_to_live_like_this": ["I don't want to live like this"],
    "disappear": ["I wish I could disappear", "I just want to vanish"],
    "burden": ["I'm such a burden", "I'm just a burden to everyone", "I feel worthless"],
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
    "to_death": ["I'm bored to death", "that noise scared me to death",
                 "I'm sick to death of this flare"],
    "overworking": ["I've been killing myself at work", "working myself to death"],
    "dead_tired": ["I'm dead tired"],
    "die_of_laughing": ["I was dying of laughter", "I could die of embarrassment"],
    "accidental_injury": ["I cut myself while cooking", "I accidentally burned myself"],
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
