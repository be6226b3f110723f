"""The safety plan built in chat: step by step, skippable, editable, shown with /sos, in
/mydata, erased by /delete, and never in the way of the crisis path."""

from __future__ import annotations

import json
from datetime import timedelta

from sqlalchemy import select

from bot.content.sos import get_sos_content
from bot.gateway import texts
from bot.store import safety_plans as plans
from bot.store.models import ChannelIdentity, Patient
from bot.store.safety_plans import SafetyPlan
from tests.fake_telegram.fake_rasa import FakeRasa
from tests.fake_telegram.harness import GatewayHarness

PLAN = get_sos_content().plan
ONBOARDING = get_sos_content().onboarding
ANSWERS = {
    "warning_signs": "I stop answering my phone and the pain feels endless",
    "coping": "slow breathing, a hot water bottle, my playlist",
    "helpers": "my sister Jo, 07700 900123",
    "professionals": "my GP and the pain clinic nurse",
    "environment": "ask Jo to keep my spare medicines at her place",
}


def _patient_id(h: GatewayHarness, user: int) -> str:
    assert h.db is not None
    with h.db.sessions() as session:
        return str(session.execute(
            select(Patient.id).join(ChannelIdentity).where(ChannelIdentity.external_id == str(user))
        ).scalar_one())


def _plan(h: GatewayHarness, user: int) -> SafetyPlan | None:
    assert h.db is not None
    with h.db.sessions() as session:
        return plans.get_plan(session, _patient_id(h, user))


async def _say(h: GatewayHarness, user: int, text: str, replies: int = 1) -> list[str]:
    before = len(h.telegram.texts_to(user))
    await h.say(user, text)
    return (await h.telegram.wait_texts(user, before + replies))[before:]


async def _press(h: GatewayHarness, user: int, title: str, replies: int = 1) -> list[str]:
    before = len(h.telegram.texts_to(user))
    await h.press(user, title)
    return (await h.telegram.wait_texts(user, before + replies))[before:]


def _titles(h: GatewayHarness, user: int) -> list[str]:
    return [b["text"] for b in h.telegram.last_keyboard(user)[1]]


async def _build(h: GatewayHarness, user: int) -> list[str]:
    """Build a plan: every step answered except "distractions", which is skipped."""
    assert await _say(h, user, "/safetyplan") == [PLAN.offer]
    assert _titles(h, user) == [PLAN.offer_yes, PLAN.offer_no]
    intro, first = await _press(h, user, PLAN.offer_yes, replies=2)
    assert intro == PLAN.intro and first == PLAN.step("warning_signs").question
    assert _titles(h, user) == [PLAN.skip_button, PLAN.stop_button]
    sent: list[str] = []
    for step in plans.STEPS:
        if step in ANSWERS:
            sent += await _say(h, user, ANSWERS[step], replies=1 if step != "environment" else 2)
        else:
            sent += await _press(h, user, PLAN.skip_button)
    return sent


async def test_the_plan_is_built_step_by_step_and_shown_with_sos(
    harness: GatewayHarness, fake_rasa: FakeRasa
) -> None:
    user = await harness.consent()
    sent = await _build(harness, user)
    questions = [PLAN.step(step).question for step in plans.STEPS[1:]]
    assert sent[:5] == questions
    assert sent[5] == PLAN.done
    assert sent[6].startswith(PLAN.plan_heading) and ANSWERS["helpers"] in sent[6]
    assert "distract" not in sent[6]  # the skipped step is left out
    plan = _plan(harness, user)
    assert plan is not None and plan.completed_at is not None and plan.asking is None
    assert plan.coping == ANSWERS["coping"] and plan.distractions is None
    assert fake_rasa.received == []  # the answers never went to Rasa
    resources, shown = await _say(harness, user, "/sos", replies=2)
    assert "If you are in danger" in resources
    assert shown.startswith(ONBOARDING.sos_plan_heading)
    assert all(answer in shown for answer in ANSWERS.values())
    # After the plan, ordinary messages go to Rasa again.
    assert await _say(harness, user, "my back hurts") == ["You said: my back hurts"]


async def test_a_step_is_edited_later(harness: GatewayHarness) -> None:
    user = await harness.consent()
    await _build(harness, user)
    (menu,) = await _say(harness, user, "/safetyplan")
    assert menu.endswith(PLAN.edit_question) and PLAN.empty_step in menu
    assert _titles(harness, user) == [s.title for s in PLAN.steps] + [PLAN.edit_done_button]
    (question,) = await _press(harness, user, PLAN.step("coping").title)
    assert question.startswith(PLAN.step("coping").question)
    assert PLAN.current_answer.format(text=ANSWERS["coping"]) in question
    assert _titles(harness, user) == [PLAN.keep_button, PLAN.clear_button]
    (saved,) = await _say(harness, user, "a warm shower and my cat")
    assert saved.startswith(PLAN.edited) and "a warm shower and my cat" in saved
    plan = _plan(harness, user)
    assert plan is not None and plan.coping == "a warm shower and my cat"
    assert plan.warning_signs == ANSWERS["warning_signs"] and plan.asking is None
    (question,) = await _press(harness, user, PLAN.step("distractions").title)
    assert _titles(harness, user) == [PLAN.keep_button]  # nothing there to clear
    await _say(harness, user, "the allotment, my book club")
    await _press(harness, user, PLAN.step("helpers").title)
    (cleared,) = await _press(harness, user, PLAN.clear_button)
    plan = _plan(harness, user)
    assert plan is not None and plan.helpers is None and plan.distractions is not None
    assert await _press(harness, user, PLAN.edit_done_button) == [PLAN.edit_closed]


async def test_a_crisis_in_the_middle_gets_the_crisis_path_not_the_plan(
    harness: GatewayHarness, fake_rasa: FakeRasa
) -> None:
    user = await harness.consent()
    await _say(harness, user, "/safetyplan")
    await _press(harness, user, PLAN.offer_yes, replies=2)
    await _say(harness, user, "I get snappy and stop sleeping")
    crisis = "I want to kill myself tonight"
    assert await _say(harness, user, crisis) == [f"You said: {crisis}"]
    patient_id = _patient_id(harness, user)
    assert fake_rasa.messages_from(patient_id) == [crisis]
    plan = _plan(harness, user)
    assert plan is not None and plan.asking is None and plan.coping is None
    assert plan.warning_signs == "I get snappy and stop sleeping"
    # The open question is closed: the next message goes to Rasa too.
    assert await _say(harness, user, "ok") == ["You said: ok"]
    # The plan carries on where it stopped, when the patient wants.
    (question,) = await _say(harness, user, "/safetyplan")
    assert question == PLAN.step("coping").question  # the first step not filled in


async def test_stop_for_now_and_a_stale_question(harness: GatewayHarness) -> None:
    user = await harness.consent()
    await _say(harness, user, "/safetyplan")
    await _press(harness, user, PLAN.offer_yes, replies=2)
    assert await _say(harness, user, "Skip!") == [PLAN.step("coping").question]
    assert await _press(harness, user, PLAN.stop_button) == [PLAN.stopped]
    assert await _say(harness, user, "hello") == ["You said: hello"]
    await _say(harness, user, "/safetyplan")  # nothing saved yet: the offer
    await _press(harness, user, PLAN.offer_yes, replies=2)
    assert await _say(harness, user, "stop for now") == [PLAN.stopped]
    # A question left unanswered lapses: a message an hour later goes to Rasa.
    await _say(harness, user, "/safetyplan")  # nothing saved yet: the offer
    await _press(harness, user, PLAN.offer_yes, replies=2)
    assert harness.db is not None
    with harness.db.sessions.begin() as session:
        plan = plans.get_plan(session, _patient_id(harness, user))
        assert plan is not None and plan.asked_at is not None
        plan.asked_at = plan.asked_at - plans.ASK_TIMEOUT - timedelta(minutes=1)
    assert await _say(harness, user, "my feet hurt") == ["You said: my feet hurt"]


async def test_rasa_can_offer_the_plan_with_payload_buttons(
    harness: GatewayHarness, fake_rasa: FakeRasa
) -> None:
    user = await harness.consent()
    await _say(harness, user, "offer plan")
    assert await _press(harness, user, "Not now") == [PLAN.later]
    await _say(harness, user, "offer plan")
    intro, first = await _press(harness, user, "Yes", replies=2)
    assert (intro, first) == (PLAN.intro, PLAN.step("warning_signs").question)
    patient_id = _patient_id(harness, user)
    assert fake_rasa.messages_from(patient_id) == ["offer plan", "offer plan"]
    assert (await _say(harness, user, "/start_safety_plan")) == [first]  # asked again


async def test_the_plan_is_in_mydata_and_erased_by_delete(harness: GatewayHarness) -> None:
    user = await harness.consent()
    await _build(harness, user)
    before = len(harness.telegram.documents)
    await harness.say(user, "/mydata")
    await harness.telegram.wait_for(lambda: len(harness.telegram.documents) > before)
    exported = json.loads(harness.telegram.documents[-1]["document"]["data"])
    (row,) = exported["safety_plans"]
    assert row["coping"] == ANSWERS["coping"] and row["distractions"] is None
    patient_id = _patient_id(harness, user)
    await _say(harness, user, "/delete")
    assert await _press(harness, user, texts.DELETE_YES) == [texts.DELETED]
    assert harness.db is not None
    with harness.db.sessions() as session:
        assert plans.get_plan(session, patient_id) is None
        assert session.execute(select(SafetyPlan)).first() is None


async def test_sos_mid_plan_keeps_the_question_and_checkin_closes_it(
    harness: GatewayHarness, fake_rasa: FakeRasa
) -> None:
    user = await harness.consent()
    await _say(harness, user, "/safetyplan")
    await _press(harness, user, PLAN.offer_yes, replies=2)
    resources, partial = await _say(harness, user, "/sos", replies=2)
    assert "If you are in danger" in resources and partial == ONBOARDING.sos_no_plan
    assert await _say(harness, user, "I go quiet") == [PLAN.step("coping").question]
    resources, partial = await _say(harness, user, "/sos", replies=2)
    assert "I go quiet" in partial  # a plan in progress is shown too
    (checkin,) = await _say(harness, user, "/checkin")
    assert checkin.startswith("Evening check-in")
    plan = _plan(harness, user)
    assert plan is not None and plan.asking is None
    assert await _say(harness, user, "5") == ["You said: 5"]  # the answer goes to Rasa
