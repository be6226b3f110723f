"""Load and validate ``content/onboarding.yml`` and ``content/safety_plan.yml``.

They hold what the gateway says for the country question at consent, ``/sos`` and the
safety-plan flow. Validated like the other content files (same :class:`ContentError`,
phone-screen limits) and checked against ``content/crisis_lines.yml`` (one button title
per listed country) and ``bot.store.safety_plans.STEPS`` (one entry per step, in order).
Nothing is read at import time.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from bot.content.loader import CONTENT_DIR, ContentError, _File, load_content
from bot.store.safety_plans import STEPS


@dataclass(frozen=True)
class Onboarding:
    """The country question and the /sos texts (``{placeholders}`` filled by the gateway)."""

    countries: Mapping[str, str]  # ISO code -> button title, in the order offered
    other_button: str
    languages: Mapping[str, str]  # language code -> ISO country code
    country_question: str
    country_saved: str
    country_other: str
    sos_heading: str
    sos_unknown_country: str
    sos_elsewhere: str
    sos_no_plan: str
    sos_plan_heading: str
    sos_not_kept: str
    pre_consent_risk: str
    pre_consent_red_flag: str
    help_lines: str
    menu: Mapping[str, str]  # command -> description for the command menu
    # typed answer (normalised, see ``typed_country``) -> ISO code, or OTHER for "somewhere else"
    typed: Mapping[str, str] = field(default_factory=dict)

    def guess_country(self, language: str | None) -> str | None:
        """The listed country a Telegram ``language_code`` points to ("en-GB" -> "GB")."""
        if not language:
            return None
        parts = language.replace("_", "-").split("-")
        region = parts[1].upper() if len(parts) > 1 else ""
        if region in self.countries:
            return region
        return self.languages.get(parts[0].lower())

    def typed_country(self, text: str) -> str | None:
        """The country a typed answer names as a whole ("UK", "i'm in spain"), else None.

        ``OTHER`` for the "somewhere else" button's title. Only the whole message counts, so
        a sentence that merely mentions a country is not an answer.
        """
        return self.typed.get(_typed_key(text))

    def country_order(self, language: str | None) -> list[str]:
        """The listed countries, the one guessed from ``language`` first."""
        guess = self.guess_country(language)
        rest = [code for code in self.countries if code != guess]
        return [guess, *rest] if guess else rest


@dataclass(frozen=True)
class PlanStep:
    """One step of the safety plan: its id, title and question."""

    id: str
    title: str
    question: str


@dataclass(frozen=True)
class SafetyPlanText:
    """Everything the safety-plan flow says."""

    offer: str
    offer_yes: str
    offer_no: str
    later: str
    intro: str
    steps: tuple[PlanStep, ...]
    skip_button: str
    keep_button: str
    clear_button: str
    stop_button: str
    edit_done_button: str
    current_answer: str
    stopped: str
    done: str
    edited: str
    plan_heading: str
    empty_step: str
    edit_question: str
    edit_closed: str

    def step(self, step_id: str) -> PlanStep:
        """The step with ``step_id`` (KeyError if unknown)."""
        for step in self.steps:
            if step.id == step_id:
                return step
        raise KeyError(step_id)


@dataclass(frozen=True)
class SosContent:
    """The validated onboarding and safety-plan content."""

    onboarding: Onboarding
    plan: SafetyPlanText

    def all_messages(self) -> Iterator[tuple[str, str]]:
        """Every sentence, as ``(where, text)`` (for the content lint)."""
        for name, value in vars(self.onboarding).items():
            if isinstance(value, str):
                yield f"onboarding.yml {name}", value
        for name, value in vars(self.plan).items():
            if isinstance(value, str):
                yield f"safety_plan.yml {name}", value
        for step in self.plan.steps:
            yield f"safety_plan.yml {step.id}", step.question


OTHER = "ZZ"  # ISO 3166 user-assigned code: "somewhere else" (the default crisis lines)
_TYPED_PREFIX = re.compile(r"^(?:i am|i'm|im|i live|we are|we're|in|from|the)\s+")


def _typed_key(text: str) -> str:
    """Lower case, punctuation and emoji dropped, "i'm in"-like openings removed."""
    key = re.sub(r"[^\w' ]+", " ", text.lower().replace("\u2019", "'"))
    key = " ".join(key.split())
    while (shorter := _TYPED_PREFIX.sub("", key)) != key:
        key = shorter
    return key


_ONBOARDING_TEXTS = (
    "other_button", "country_question", "country_saved", "country_other", "sos_heading",
    "sos_unknown_country", "sos_elsewhere", "sos_no_plan", "sos_plan_heading", "sos_not_kept",
    "pre_consent_risk", "pre_consent_red_flag", "help_lines",
)  # fmt: skip
_PLAN_TEXTS = (
    "offer", "offer_yes", "offer_no", "later", "intro", "skip_button", "keep_button",
    "clear_button", "stop_button", "edit_done_button", "current_answer", "stopped", "done",
    "edited", "plan_heading", "empty_step", "edit_question", "edit_closed",
)  # fmt: skip
MAX_BUTTON_CHARS = 40
MENU_COMMANDS = ("sos", "safetyplan")


def _onboarding(f: _File, crisis_codes: list[str]) -> Onboarding:
    countries = f.get(f.data, "countries", "countries", dict)
    unknown = [code for code in countries if code not in crisis_codes]
    if unknown:
        raise f.error("countries", f"{unknown} not in crisis_lines.yml")
    titles = {code: f.get(countries, code, f"countries {code}", str) for code in countries}
    # A country added to crisis_lines.yml without a title here is still offered (by its
    # code); the content tests insist on a title for each.
    titles.update({code: code for code in crisis_codes if code not in titles})
    languages = f.get(f.data, "languages", "languages", dict)
    for language, code in languages.items():
        if code not in titles:
            raise f.error(f"languages {language}", f"{code!r} is not a listed country")
    menu = f.get(f.data, "menu", "menu", dict)
    if set(menu) != set(MENU_COMMANDS):
        raise f.error("menu", f"must describe exactly {MENU_COMMANDS}")
    texts = {key: f.text(f.data, key, key) for key in _ONBOARDING_TEXTS}
    typed = {_typed_key(texts["other_button"]): OTHER}
    for code, title in titles.items():
        typed[_typed_key(code)] = code
        typed[_typed_key(title)] = code
    for code, names in f.get(f.data, "typed_countries", "typed_countries", dict).items():
        if code not in titles or not isinstance(names, list):
            raise f.error(f"typed_countries {code}", "needs a listed country and a list")
        for name in names:
            key = _typed_key(str(name))
            if typed.get(key, code) != code:
                raise f.error(f"typed_countries {code}", f"{name!r} already names {typed[key]}")
            typed[key] = code
    return Onboarding(
        typed=typed,
        countries=titles,
        languages={str(k).lower(): str(v) for k, v in languages.items()},
        menu={name: f.get(menu, name, f"menu {name}", str) for name in MENU_COMMANDS},
        **texts,
    )


def _plan(f: _File) -> SafetyPlanText:
    steps = []
    for index, item in enumerate(f.get(f.data, "steps", "steps", list)):
        step_id = f.item_id(item, f"steps[{index}]")
        title = f.get(item, "title", step_id, str)
        if len(title) > MAX_BUTTON_CHARS:
            raise f.error(step_id, f"title longer than {MAX_BUTTON_CHARS} characters")
        steps.append(PlanStep(step_id, title, f.text(item, "question", step_id)))
    if tuple(step.id for step in steps) != STEPS:
        raise f.error("steps", f"must be exactly {STEPS} in that order")
    texts = {key: f.text(f.data, key, key) for key in _PLAN_TEXTS}
    return SafetyPlanText(steps=tuple(steps), **texts)


def load_sos_content(root: Path = CONTENT_DIR) -> SosContent:
    """Load and validate both files under ``root`` (crisis lines too, for the country list).

    Raises:
        ContentError: a file is missing, malformed or breaks a content rule.
    """
    crisis_codes = list(load_content(root).crisis)
    ids: set[str] = set()
    onboarding = _onboarding(_File(root / "onboarding.yml", None, ids), crisis_codes)
    return SosContent(onboarding, _plan(_File(root / "safety_plan.yml", None, ids)))


@lru_cache(maxsize=1)
def get_sos_content() -> SosContent:
    """The content under ``content/``, loaded once on first use and then cached."""
    return load_sos_content()


__all__ = ["ContentError", "Onboarding", "PlanStep", "SafetyPlanText", "SosContent",
           "get_sos_content", "load_sos_content"]
