"""The safety plan, /sos and the country at consent on the real stack (real Rasa, real
actions, one database): a crisis in the middle of the plan gets the real crisis path."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from actions.safety import SAFE_BUTTONS
from bot.content import get_content
from bot.content.sos import get_sos_content
from bot.gateway import texts
from bot.store import safety_plans as plans
from bot.store.models import ChannelIdentity
from tests.fake_telegram.harness import GatewayHarness
from tests.system.system_support import keyboard, new_user_id, patient_id, press, safety_flags, say

pytestmark = pytest.mark.slow

PLAN = get_sos_content().plan
CRISIS = "I want to kill myself"


def _plan(h: GatewayHarness, pid: str) -> plans.SafetyPlan | None:
    assert h.db is not None
    with h.db.sessions() as session:
        return plans.get_plan(session, pid)


async def test_plan_built_with_a_crisis_in_the_middle(system: GatewayHarness) -> None:
    h = system
    user = new_user_id()
    h.telegram.languages[user] = "en-GB"
    await h.consent(user)
    assert keyboard(h, user)[0] == "United Kingdom"
    pid = patient_id(h, user)
    await press(h, user, "United Kingdom")

    assert await say(h, user, "/safetyplan") == [PLAN.offer]
    assert await press(h, user, PLAN.offer_yes) == [PLAN.intro, PLAN.step("warning_signs").question]
    assert await say(h, user, "I stop sleeping and cancel everything") == [
        PLAN.step("coping").question
    ]
    # A crisis instead of an answer: the real crisis path (the stepped triage questions),
    # ending with the UK numbers; the plan's open question is closed, not answered.
    sent = await say(h, user, CRISIS)
    assert keyboard(h, user) == ["Yes", "No", "Not sure"]  # a triage question
    assert PLAN.step("distractions").question not in sent
    plan = _plan(h, pid)
    assert plan is not None and plan.asking is None and plan.coping is None
    seen = list(sent)
    for _ in range(6):  # "No" to each remaining question until the outcome
        if "Are you safe right now?" in seen:
            break
        seen += await press(h, user, "No")
    samaritans = get_content().crisis_resources("GB")
    assert any(samaritans.line_name in text for text in seen)
    assert any(samaritans.emergency in text for text in seen)
    assert seen[-1] == "Are you safe right now?"
    assert keyboard(h, user) == [title for title, _ in SAFE_BUTTONS]
    (flag,) = safety_flags(h, pid)
    assert flag.kind == "crisis" and flag.text == CRISIS

    await press(h, user, "I'm safe right now")
    # The patient carries on later, from the step that was open.
    assert await say(h, user, "/safetyplan") == [PLAN.step("coping").question]
    for answer in ("breathing and a shower", "my allotment", "my brother Sam",
                   "my GP", "ask Sam to hold my spare medicines"):
        sent = await say(h, user, answer)
    assert sent[0] == PLAN.done and "my brother Sam" in sent[1]

    resources, shown = await say(h, user, "/sos")
    assert samaritans.line_name in resources and "911" not in resources
    assert "ask Sam to hold my spare medicines" in shown


async def test_crisis_before_consent_gets_resources_and_nothing_is_kept(
    system: GatewayHarness,
) -> None:
    h = system
    user = new_user_id()
    h.telegram.languages[user] = "en-GB"
    await h.say(user, CRISIS)
    sent = await h.telegram.wait_texts(user, 2)
    assert get_content().crisis_resources("GB").line_name in sent[0]
    assert sent[1] == texts.CONSENT_QUESTION
    assert h.db is not None and h.gateway is not None
    await h.gateway.idle()
    with h.db.sessions() as session:
        linked = session.execute(
            select(ChannelIdentity).where(ChannelIdentity.external_id == str(user))
        ).first()
    assert linked is None
