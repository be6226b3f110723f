"""Combine the rules (``safety_net.assess``), the risk model and the intent classifier.

Pure Python, so it is tested without Rasa. ``decide`` returns the intent to force (or
None to keep the classifier's) and the ``safety`` dict of the parse data::

    {"risk": "crisis" | "red_flag" | "ambiguous" | "none",   # the combined level
     "reasons": [...], "idioms": [...],                      # matched rule names
     "model_intent": "<the classifier's intent>",
     "category": "<crisis category>" | None,
     "tier": "emergency" | "urgent" | None,
     "about_other": bool,                                    # third_party_risk
     "score": <risk model crisis probability>,
     "source": "rules" | "model" | "both" | None}

Order of decisions (safety first, recall before precision):

1. Someone else at risk (the risk model's third-party class, or the classifier's
   ``third_party_risk``) -> ``third_party_risk``, unless the message carries first-person
   risk: a model crisis score >= ``crisis_at``, or a crisis rule that can only be about
   the patient (``FIRST_PERSON_RULES``: danger from another person to "me", "myself"
   words, "I can't stay safe"), or the message is a red flag (a relative's emergency is a
   red flag with ``about_other``). "My partner pushed me down the stairs" is the
   patient's own risk; "my sister said she wants to die" stays ``third_party_risk``.
2. Crisis rules, or a model crisis score >= ``crisis_at`` -> ``crisis``; but an accident
   with medicine (``ACCIDENT_RULES``: a double dose or the wrong box taken by mistake, a
   child who swallowed the patient's tablets) and no crisis rule is a red flag
   (emergency) even when the model's crisis score is high: the emergency answer is the
   right one for an accident, and a crisis rule ("on purpose", a plan) still wins. An idiom only
   removed its own words before the rules ran; it never lowers a model score.
3. Red-flag rules, or the model's red-flag probability >= ``red_flag_at`` (real
   confidence for a model-only flag) -> ``medical_red_flag`` with a tier.
4. The classifier's crisis with an idiom, and nothing else (model score below ``ask_at``,
   no ambiguous rule): not risk; the next non-risk intent in the ranking ("my feet are
   killing me" -> a flare, "this crossword will be the death of me" -> out of scope). An
   idiom that hid "kill/shoot myself" words (``SELF_WORD_IDIOMS``) gets the safety
   question instead.
5. A model crisis score in the uncertain band [``ask_at``, ``crisis_at``), ambiguous
   rules, or the classifier's crisis below ``classifier_crisis_at`` -> ``express_despair``
   (the direct safety question, never a reframe).
6. The classifier's ``medical_red_flag`` that neither rules nor risk model back, below
   ``classifier_red_flag_at`` or with a risk-model red-flag probability below
   ``red_flag_backing_at``: the next intent in the ranking instead (an idiom such as
   "I could kill for a pizza" never raises a flag); with an idiom, none of the risk
   intents (crisis, red flag, third party) is taken from the ranking.

With an idiom, the risk model's scores are those of the message without the idiom's own
words (``model["without_idioms"]``, set by the risk step), the same text the rules read:
an idiom removes its own words, nothing more. If the model still sees risk in what is
left, the message gets the crisis pathway or the safety question, never a flare.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from bot.nlu.safety_patterns import Risk

CRISIS, RED_FLAG, DESPAIR, FLARE, THIRD_PARTY = (
    "crisis", "medical_red_flag", "express_despair", "report_flare", "third_party_risk"
)

RULE_CATEGORY = {
    "suicide": "active_thoughts", "kill_myself": "active_thoughts",
    "end_my_life": "active_thoughts", "end_it_all": "active_thoughts",
    "want_to_die": "passive_wish", "wish_dead": "passive_wish", "not_wake_up": "passive_wish",
    "better_off_without_me": "passive_wish", "no_reason_to_live": "passive_wish",
    "dont_want_to_live": "passive_wish", "tired_of_living": "passive_wish",
    "hurt_myself_intent": "self_harm", "self_harm": "self_harm", "cut_myself": "self_harm",
    "blade": "self_harm", "overdose": "method_means", "hanging": "method_means",
    "jumping": "method_means", "firearm": "method_means", "vehicle": "method_means",
    "method": "method_means", "plan": "intent_timing", "last_message": "preparation",
    "preparation": "preparation", "when_im_gone": "preparation", "goodbye_note": "preparation",
    "act_taken": "act_taken", "negated_then_means": "method_means",
    "unable_to_stay_safe": "unable_to_stay_safe", "other_language": "active_thoughts",
    "danger_from_other": "danger_from_other", "self_harm_habit": "self_harm",
    "not_around_much_longer": "passive_wish", "giving_things_away": "preparation",
    "timing_named": "intent_timing", "self_harm_for_pain": "self_harm",
    "firearm_access": "method_means", "suicidal_me": "active_thoughts",
    "taken_in_sleep": "passive_wish", "last_night": "preparation",
    "surgery_wish": "passive_wish", "terse_self_harm": "self_harm",
    "other_language_self_harm": "self_harm", "method_question": "method_means",
    "means_in_reserve": "method_means", "self_harm_relief": "self_harm",
    "disguised_giving_away": "preparation", "act_taken_liquid": "act_taken",
    "stalked_by_other": "danger_from_other", "would_anyone_notice": "passive_wish",
}
# Crisis rules whose words can only be about the patient ("me", "myself", "I can't stay
# safe"): they win over the third-party branch. A rule such as "want_to_die" also
# matches "my sister wants to die", so it does not.
FIRST_PERSON_RULES = frozenset(
    {"kill_myself", "hurt_myself_intent", "cut_myself", "danger_from_other",
     "unable_to_stay_safe", "self_harm_habit", "not_around_much_longer",
     "better_off_without_me", "wish_dead", "end_my_life", "self_harm_for_pain",
     "suicidal_me", "taken_in_sleep", "last_night", "giving_things_away", "timing_named",
     "terse_self_harm", "self_harm_relief", "disguised_giving_away", "stalked_by_other",
     "would_anyone_notice"}
)
# Idioms that remove "kill/shoot myself" words ("if I have to sit through one more meeting
# I'll shoot myself 🙄"): with the classifier's crisis they get the safety question, never
# a flare (real risk words are never reframed).
SELF_WORD_IDIOMS = frozenset({"one_more_hyperbole", "song_hyperbole"})
URGENT_RULES = frozenset(
    {"fever_back_neck", "after_fall", "fell", "calf_swelling", "changed_pain", "weight_loss_back",
     "other_language_dvt", "foot_drop"}
)
# Medicine accidents: a medical emergency, not self-harm (step 2).
ACCIDENT_RULES = frozenset({"exact_double_dose", "child_ingestion"})
_SCORES = ("crisis", "despair", "red_flag", "third_party")
# Intents an idiom alone never leaves standing (steps 4 and 6).
RISK_INTENTS = frozenset({CRISIS, RED_FLAG, THIRD_PARTY})


@dataclass(frozen=True)
class Thresholds:
    """Decision thresholds (config.yml, SafetyNet), chosen for recall on the tuning data."""

    crisis_at: float = 0.8
    ask_at: float = 0.4
    red_flag_at: float = 0.8
    third_party_at: float = 0.5
    classifier_crisis_at: float = 0.8
    classifier_red_flag_at: float = 0.8
    # A red flag the classifier alone predicted needs the risk model to agree this much.
    red_flag_backing_at: float = 0.3


@dataclass
class Decision:
    """The intent to force (None: keep the classifier's) and the safety dict."""

    intent: str | None
    safety: dict[str, Any] = field(default_factory=dict)
    # With intent "": every intent named here leaves the ranking too, and the next one
    # left is the intent (empty: only the classifier's own intent leaves).
    drop: frozenset[str] = frozenset()


def _rule_tier(reasons: list[str]) -> str:
    return "urgent" if reasons and all(r in URGENT_RULES for r in reasons) else "emergency"


def decide(
    rules_risk: Risk,
    reasons: list[str],
    idioms: list[str],
    model: dict[str, Any] | None,
    intent: str | None,
    confidence: float,
    t: Thresholds = Thresholds(),  # noqa: B008 (frozen dataclass)
    *,
    other_person: bool = False,
) -> Decision:
    """Decide the risk of one message (see the module docstring for the order)."""
    if model and idioms and isinstance(model.get("without_idioms"), dict):
        # The idioms' own words removed: the model must see the risk in the rest too
        # (the lower of the two scores), so neither the idiom's words nor a fragment left
        # without them ("... when I opened the gas bill") raises it alone.
        rest = model["without_idioms"]
        model = {**model, **{k: min(float(model[k]), float(rest[k])) for k in _SCORES if k in rest}}
    score = float(model["crisis"]) if model else 0.0
    flag = float(model["red_flag"]) if model else 0.0
    other = float(model["third_party"]) if model else 0.0
    crisis_reasons = [r for r in reasons if r in RULE_CATEGORY]
    flag_reasons = [r for r in reasons if r not in RULE_CATEGORY and not r.startswith("negated")]
    safety: dict[str, Any] = {
        "risk": Risk.NONE.value, "reasons": list(reasons), "idioms": list(idioms),
        "model_intent": intent, "category": None, "tier": None, "about_other": False,
        "score": round(score, 4), "red_flag_score": round(flag, 4), "source": None,
    }
    rules_crisis = rules_risk is Risk.CRISIS
    rules_flag = rules_risk is Risk.RED_FLAG
    accident = rules_flag and any(r in ACCIDENT_RULES for r in reasons)
    model_crisis = score >= t.crisis_at and not accident
    model_flag = flag >= t.red_flag_at
    # ``other_person``: the message names someone else (``safety_net.mentions_other``,
    # passed by the SafetyNet). By default a message is about the patient: "took a load
    # of pills, feeling sleepy" names nobody, so it is the patient's own.
    third_party = other_person and (other >= t.third_party_at or intent == THIRD_PARTY)
    first_person = model_crisis or any(r in FIRST_PERSON_RULES for r in crisis_reasons)
    if third_party and not first_person and (rules_crisis or not (rules_flag or model_flag)):
        safety.update(risk=Risk.CRISIS.value if rules_crisis else Risk.AMBIGUOUS.value,
                      about_other=True, source="both" if rules_crisis else "model")
        return Decision(THIRD_PARTY, safety)
    if rules_crisis or model_crisis:
        category = (model or {}).get("category") if model_crisis or not crisis_reasons else None
        category = category or RULE_CATEGORY.get(crisis_reasons[0] if crisis_reasons else "")
        source = "both" if rules_crisis and model_crisis else "rules" if rules_crisis else "model"
        safety.update(risk=Risk.CRISIS.value, category=category, source=source)
        return Decision(CRISIS, safety)
    if rules_flag or model_flag:
        tier = _rule_tier(flag_reasons) if rules_flag else (model or {}).get("tier")
        source = "both" if rules_flag and model_flag else "rules" if rules_flag else "model"
        safety.update(risk=Risk.RED_FLAG.value, tier=tier, source=source, about_other=third_party)
        return Decision(RED_FLAG, safety)
    band = score >= t.ask_at or rules_risk is Risk.AMBIGUOUS
    band = band or (intent == CRISIS and any(i in SELF_WORD_IDIOMS for i in idioms))
    if intent == CRISIS and idioms and not band:
        return Decision("", safety, drop=RISK_INTENTS)
    classifier_unsure_crisis = intent == CRISIS and confidence < t.classifier_crisis_at
    if band or classifier_unsure_crisis:
        by_rules = rules_risk is Risk.AMBIGUOUS
        by_model = score >= t.ask_at or classifier_unsure_crisis
        safety.update(risk=Risk.AMBIGUOUS.value,
                      category=(model or {}).get("category") if score >= t.ask_at else None,
                      source="both" if by_rules and by_model else "rules" if by_rules else "model")
        if intent == CRISIS and not classifier_unsure_crisis and not idioms:
            safety.update(risk=Risk.CRISIS.value, source="model")
            return Decision(None, safety)
        return Decision(DESPAIR, safety)
    if intent == RED_FLAG and idioms:
        return Decision("", safety, drop=RISK_INTENTS)  # an idiom never raises a flag
    unbacked = model is not None and flag < t.red_flag_backing_at
    if intent == RED_FLAG and (confidence < t.classifier_red_flag_at or unbacked):
        return Decision("", safety)  # "": take the next intent in the ranking
    if intent == RED_FLAG:
        safety.update(risk=Risk.RED_FLAG.value, tier=(model or {}).get("tier"), source="model")
    if intent == CRISIS:
        safety.update(risk=Risk.CRISIS.value, source="model")
    return Decision(None, safety)
