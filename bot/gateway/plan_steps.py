"""The intake side of the country question and the safety-plan flow (inside the intake
transaction): turn a button press, a payload or a typed answer into stored state and a
short ``detail`` string saying what to send next (see :mod:`bot.gateway.plan_flow`).

Details: ``start:<step>`` (intro, then the question), ``ask:<step>`` (the question),
``done``, ``edited``, ``paused``, ``later``, ``menu`` (the plan and the step buttons),
``closed``, ``offer``, ``stale``; for a country press, the ISO code.
"""

from __future__ import annotations

import re
from datetime import datetime

from sqlalchemy.orm import Session

from bot.content.sos import OTHER, get_sos_content
from bot.store import messages as log
from bot.store import safety_plans as plans
from bot.store.models import Patient

COUNTRY_PREFIX = "k:"
OTHER_COUNTRY = OTHER  # "somewhere else": the default crisis lines
PLAN_PREFIX = "sp:"
# Payloads another part of the bot (e.g. the triage dialogue) may put on its buttons, or a
# patient may type as a command: the gateway handles them and they never reach Rasa.
START_PAYLOAD = "/start_safety_plan"
LATER_PAYLOAD = "/safety_plan_later"
PAYLOADS = (START_PAYLOAD, LATER_PAYLOAD)
# Typed instead of pressing a button.
TYPED_SKIP = ("skip", "skip this step", "skip it", "pass", "next")
TYPED_STOP = ("stop", "stop for now", "not now", "later")
STALE = plans.STALE


def consent_country(language: str | None, default_country: str) -> str:
    """The country stored at consent: guessed from the Telegram language, else the default."""
    return get_sos_content().onboarding.guess_country(language) or default_country


def country_buttons(language: str | None) -> list[tuple[str, str]]:
    """The country question's buttons, the guessed country first, then "somewhere else"."""
    onboarding = get_sos_content().onboarding
    buttons = [
        (onboarding.countries[code], COUNTRY_PREFIX + code)
        for code in onboarding.country_order(language)
    ]
    return [*buttons, (onboarding.other_button, COUNTRY_PREFIX + OTHER_COUNTRY)]


def choose_country(session: Session, patient_id: str, data: str) -> str:
    """Store the pressed country on the patient; returns its code (STALE if unknown)."""
    code = data.removeprefix(COUNTRY_PREFIX).upper()
    if code != OTHER_COUNTRY and code not in get_sos_content().onboarding.countries:
        return STALE
    patient = session.get(Patient, patient_id)
    if patient is None:
        raise LookupError(f"patient {patient_id} vanished")
    patient.country = code
    return code


def typed_country(session: Session, patient_id: str, text: str) -> str | None:
    """A typed answer to the country question ("UK", "i'm in spain"): stored like a press.

    Only while the country question is the latest thing the bot said, and only when the
    whole message names a listed country (or "somewhere else"); None otherwise, and the
    message goes on as usual.
    """
    onboarding = get_sos_content().onboarding
    code = onboarding.typed_country(text)  # no query for the many messages that name none
    if code is None:
        return None
    last = log.last_outbound(session, patient_id)
    if last is None or last.text != onboarding.country_question:
        return None
    return choose_country(session, patient_id, COUNTRY_PREFIX + code)


def button_title(data: str) -> str:
    """What a gateway button said, for the message log (the coach's transcript)."""
    onboarding, content = get_sos_content().onboarding, get_sos_content().plan
    if data.startswith(COUNTRY_PREFIX):
        code = data.removeprefix(COUNTRY_PREFIX)
        return onboarding.countries.get(code, onboarding.other_button)
    action = data.removeprefix(PLAN_PREFIX).split(":")
    titles = {
        "start": content.offer_yes, "later": content.offer_no, "skip": content.skip_button,
        "clear": content.clear_button, "stop": content.stop_button,
        "done": content.edit_done_button,
    }  # fmt: skip
    if action[0] == "edit" and len(action) == 2 and action[1] in plans.STEPS:
        return content.step(action[1]).title
    return titles.get(action[0], data)


def _reask(session: Session, patient_id: str, now: datetime) -> str | None:
    """The open question, asked again from now (None if none is open)."""
    step = plans.asking(session, patient_id, now)
    if step is not None:
        plans.refresh(session, patient_id, now)
        return "ask:" + step
    return None


def start(session: Session, patient_id: str, now: datetime) -> str:
    """Start (or carry on with) a plan; a finished plan is shown with the step buttons."""
    open_question = _reask(session, patient_id, now)
    if open_question is not None:
        return open_question
    plan = plans.get_plan(session, patient_id)
    if plan is not None and plan.completed_at is not None:
        return "menu"
    fresh = not plans.has_content(plan)
    return ("start:" if fresh else "ask:") + plans.start(session, patient_id, now)


def command(session: Session, patient_id: str, now: datetime) -> str:
    """/safetyplan: the open question again, the next step of an unfinished plan, the
    finished plan with its step buttons, or (no plan yet) the offer."""
    open_question = _reask(session, patient_id, now)
    if open_question is not None:
        return open_question
    plan = plans.get_plan(session, patient_id)
    if plan is None or (plan.completed_at is None and not plans.has_content(plan)):
        return "offer"
    if plan.completed_at is not None:
        return "menu"
    return "ask:" + plans.start(session, patient_id, now)


def _after(result: str) -> str:
    return result if result in (plans.DONE, plans.EDITED, plans.PAUSED, STALE) else "ask:" + result


def payload(session: Session, patient_id: str, value: str, now: datetime) -> str:
    """A Rasa button or typed command carrying one of :data:`PAYLOADS`."""
    if value == LATER_PAYLOAD:
        plans.pause(session, patient_id)
        return "later"
    return start(session, patient_id, now)


def press(session: Session, patient_id: str, data: str, now: datetime) -> str:
    """A press on one of the flow's own buttons (``sp:...``)."""
    action, _, step = data.removeprefix(PLAN_PREFIX).partition(":")
    if action == "start":
        return start(session, patient_id, now)
    if action == "later":
        return payload(session, patient_id, LATER_PAYLOAD, now)
    if action == "done":
        plans.pause(session, patient_id)
        return "closed"
    if step not in plans.STEPS:
        return STALE
    if action == "edit":
        return "ask:" + plans.edit(session, patient_id, step, now)
    if action in ("skip", "clear"):
        return _after(plans.skip(session, patient_id, step, now, clear=action == "clear"))
    if action == "stop":
        return plans.stop(session, patient_id, step, now)
    return STALE


def answer(session: Session, patient_id: str, text: str, now: datetime) -> str:
    """A typed answer to the open question (the caller checked there is one, and no risk).

    A typed "skip" or "stop" works like the button of that name.
    """
    word = re.sub(r"[^a-z ]", "", text.lower()).strip()
    step = plans.asking(session, patient_id, now)
    if step is not None and word in TYPED_SKIP:
        return _after(plans.skip(session, patient_id, step, now))
    if step is not None and word in TYPED_STOP:
        return plans.stop(session, patient_id, step, now)
    return _after(plans.answer(session, patient_id, text, now))
