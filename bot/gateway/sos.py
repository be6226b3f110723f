"""``/sos``: the emergency number and crisis line for the patient's country, and their plan.

Works before consent too. Then nothing is stored and no patient exists: the country is
guessed from the Telegram language ("en-GB" -> GB) or is the default country, and the
answer says so and points to the worldwide directory and ``/sos XX``. All sentences come
from ``content/onboarding.yml`` and ``content/safety_plan.yml``; every number from
``content/crisis_lines.yml``.
"""

from __future__ import annotations

import re

from sqlalchemy.orm import Session

from bot.content import CrisisResources, get_content
from bot.content.sos import get_sos_content
from bot.gateway import texts
from bot.store import safety_plans as plans
from bot.store.models import Patient

_CODE = re.compile(r"^[A-Za-z]{2}$")


def country_title(code: str) -> str:
    """The country's name as on the buttons (the code itself if not listed)."""
    return get_sos_content().onboarding.countries.get(code.upper(), code.upper())


def resources_text(country: str | None, *, known: bool = True) -> str:
    """Heading, emergency number and crisis line; for an unknown country, the way on."""
    onboarding = get_sos_content().onboarding
    resources: CrisisResources = get_content().crisis_resources(country)
    parts = [onboarding.sos_heading]
    listed = resources.country is not None
    if not known and listed:
        parts.append(onboarding.sos_unknown_country.format(country=country_title(str(country))))
    parts.append(resources.describe())
    if not known and listed:
        default = get_content().default_crisis
        parts.append(onboarding.sos_elsewhere.format(name=default.line_name, url=default.url))
    return "\n\n".join(parts)


def plan_text(plan: plans.SafetyPlan | None, *, include_empty: bool, heading: str) -> str:
    """The plan as one message: a heading, then one line per step."""
    content = get_sos_content().plan
    lines = [heading]
    for entry in plans.entries(plan):
        if entry.text or include_empty:
            text = entry.text or content.empty_step
            lines.append(f"• {content.step(entry.step).title}: {text}")
    return "\n".join(lines)


def sos_messages(session: Session, patient_id: str, args: list[str]) -> list[str]:
    """What /sos says to a consenting patient: resources, then the plan (or how to make one)."""
    patient = session.get(Patient, patient_id)
    country = args[0] if args and _CODE.match(args[0]) else (patient.country if patient else None)
    plan = plans.get_plan(session, patient_id)
    onboarding = get_sos_content().onboarding
    if plans.has_content(plan):
        second = plan_text(plan, include_empty=False, heading=onboarding.sos_plan_heading)
    else:
        second = onboarding.sos_no_plan
    return [resources_text(country), second]


def before_consent(language: str | None, default_country: str, args: list[str]) -> str:
    """What /sos says before consent (nothing is stored, no plan can exist)."""
    if args and _CODE.match(args[0]):
        return resources_text(args[0])
    guess = get_sos_content().onboarding.guess_country(language)
    return resources_text(guess or default_country, known=False)


def pre_consent_risk(language: str | None, default_country: str, *, medical: bool = False) -> str:
    """The answer to risk language before consent: a kind line, then the resources.

    A possible medical emergency gets the emergency number first, with the reason.
    """
    onboarding = get_sos_content().onboarding
    resources = before_consent(language, default_country, [])
    if medical:
        country = get_sos_content().onboarding.guess_country(language) or default_country
        emergency = get_content().crisis_resources(country).emergency
        return onboarding.pre_consent_red_flag.format(emergency=emergency) + "\n\n" + resources
    return onboarding.pre_consent_risk + "\n\n" + resources


def help_text() -> str:
    """/help: the /sos and /safetyplan lines first, then the gateway's help."""
    return get_sos_content().onboarding.help_lines + "\n\n" + texts.HELP


def command_menu() -> list[tuple[str, str]]:
    """The command menu (setMyCommands): /sos and /safetyplan right after /help."""
    menu = get_sos_content().onboarding.menu
    ours = [("sos", menu["sos"]), ("safetyplan", menu["safetyplan"])]
    result: list[tuple[str, str]] = []
    for name, description in texts.COMMANDS:
        result.append((name, description))
        if name == "help":
            result.extend(ours)
    return result
