"""What the gateway says on the safety pathway it runs itself: ``/sos`` (before consent
too), resources for risk language before consent, the country question at consent, and
the step-by-step safety plan (``/safetyplan``).

The plan is built in the gateway rather than in a Rasa form: every typed answer is first
run through the pure-Python risk check (:func:`bot.nlu.safety_net.assess`) at intake, and
anything with risk goes to Rasa's crisis path instead of into the plan (the open question
is closed). The intake side is :mod:`bot.gateway.plan_steps`.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime

from sqlalchemy.orm import Session

from bot.content.sos import get_sos_content
from bot.gateway import plan_steps, sos, texts
from bot.gateway.delivery import Outbox
from bot.gateway.intake import Next, Taken
from bot.gateway.model import BUTTON, CONSENT_NO, CONSENT_YES, Channel, Inbound
from bot.gateway.tx import in_tx
from bot.nlu.safety_net import Risk
from bot.settings import Settings
from bot.store import safety_plans as plans
from bot.store.db import Database

logger = logging.getLogger(__name__)

STEPS = (Next.SOS, Next.PRE_CONSENT_RISK, Next.COUNTRY, Next.SAFETY_PLAN)
PREFIX = plan_steps.PLAN_PREFIX


def _menu_buttons() -> list[tuple[str, str]]:
    content = get_sos_content().plan
    buttons = [(step.title, f"{PREFIX}edit:{step.id}") for step in content.steps]
    return [*buttons, (content.edit_done_button, f"{PREFIX}done")]


class SafetyPathway:
    """Sends /sos, the country question and the safety-plan flow's messages."""

    def __init__(
        self, db: Database, outbox: Outbox, settings: Settings, now: Callable[[], datetime]
    ) -> None:
        self._db = db
        self._outbox = outbox
        self._settings = settings
        self._now = now

    async def follow_up(self, channel: Channel, inbound: Inbound, taken: Taken) -> None:
        """Answer an event whose ``taken.next`` is one of :data:`STEPS`."""
        chat, patient, reply_to = inbound.chat_id, taken.patient_id, taken.message_id
        if inbound.kind == BUTTON and inbound.message_id is not None:
            await channel.mark_chosen(chat, inbound.message_id, None)
        if taken.next is Next.SOS:
            _, args = inbound.command
            text = sos.before_consent(inbound.language, self._settings.default_country, args)
            await self._outbox.send_plain(channel, chat, None, text)
        elif taken.next is Next.PRE_CONSENT_RISK:
            # Nothing about the person is kept before consent; the log says only this.
            logger.info("crisis resources sent to a person who has not consented")
            text = sos.pre_consent_risk(inbound.language, self._settings.default_country,
                                        medical=taken.detail == Risk.RED_FLAG.value)
            await self._outbox.send_plain(channel, chat, None, text)
            await self._outbox.send_plain(
                channel, chat, None, texts.CONSENT_QUESTION,
                buttons=[(texts.CONSENT_YES, CONSENT_YES), (texts.CONSENT_NO, CONSENT_NO)],
            )
        elif taken.next is Next.COUNTRY:
            await self._outbox.send_plain(channel, chat, patient, self._country_reply(taken),
                                          reply_to=reply_to)
        elif taken.next is Next.SAFETY_PLAN:
            assert patient is not None
            await self.show(channel, chat, patient, taken.detail or "", reply_to)

    async def language_note(self, channel: Channel, inbound: Inbound) -> None:
        """Before consent, to someone whose Telegram is not in English: the resources of
        their likely country at once (the risk check reads English only)."""
        language = (inbound.language or "en").lower()
        if not language.startswith("en"):
            text = sos.before_consent(inbound.language, self._settings.default_country, [])
            await self._outbox.send_plain(channel, inbound.chat_id, None, text)

    async def ask_country(self, channel: Channel, inbound: Inbound, patient_id: str) -> None:
        """Right after consent: which country (buttons, the guessed one first)."""
        await self._outbox.send_plain(
            channel, inbound.chat_id, patient_id, get_sos_content().onboarding.country_question,
            buttons=plan_steps.country_buttons(inbound.language),
        )

    @staticmethod
    def _country_reply(taken: Taken) -> str:
        onboarding = get_sos_content().onboarding
        code = taken.detail or plan_steps.STALE
        if code == plan_steps.STALE:
            return texts.STALE_BUTTON
        if code == plan_steps.OTHER_COUNTRY:
            return onboarding.country_other
        return onboarding.country_saved.format(country=sos.country_title(code))

    async def sos(
        self, channel: Channel, chat: int, patient_id: str, args: list[str], reply_to: int | None
    ) -> None:
        """/sos for a consenting patient: resources, then their plan."""
        for text in await in_tx(self._db, sos.sos_messages, patient_id, args):
            await self._outbox.send_plain(channel, chat, patient_id, text, reply_to=reply_to)

    async def command(
        self, channel: Channel, chat: int, patient_id: str, name: str, reply_to: int | None
    ) -> None:
        """/safetyplan, or the start payload typed as a command."""
        if name == plan_steps.START_PAYLOAD.lstrip("/"):
            detail = await in_tx(self._db, plan_steps.start, patient_id, self._now())
        else:
            detail = await in_tx(self._db, plan_steps.command, patient_id, self._now())
        await self.show(channel, chat, patient_id, detail, reply_to)

    async def show(
        self, channel: Channel, chat: int, patient_id: str, detail: str, reply_to: int | None
    ) -> None:
        """Send what ``detail`` (from :mod:`bot.gateway.plan_steps`) calls for."""
        content = get_sos_content().plan

        async def say(text: str, buttons: list[tuple[str, str]] | None = None) -> None:
            await self._outbox.send_plain(channel, chat, patient_id, text,
                                          buttons=buttons or (), reply_to=reply_to)

        kind, _, step = detail.partition(":")
        if kind == "offer":
            await say(content.offer, [(content.offer_yes, f"{PREFIX}start"),
                                      (content.offer_no, f"{PREFIX}later")])
        elif kind in ("start", "ask"):
            if kind == "start":
                await say(content.intro)
            text, buttons = await in_tx(self._db, _question, patient_id, step)
            await say(text, buttons)
        elif kind in ("menu", plans.EDITED):
            plan = await in_tx(self._db, _plan_text, patient_id, True)
            first = content.edited + "\n\n" if kind == plans.EDITED else ""
            await say(first + plan + "\n\n" + content.edit_question, _menu_buttons())
        elif kind == plans.DONE:
            await say(content.done)
            await say(await in_tx(self._db, _plan_text, patient_id, False))
        else:
            simple = {"later": content.later, plans.PAUSED: content.stopped,
                      "closed": content.edit_closed}
            await say(simple.get(kind, texts.STALE_BUTTON))


def _plan_text(session: Session, patient_id: str, include_empty: bool) -> str:
    plan = plans.get_plan(session, patient_id)
    heading = get_sos_content().plan.plan_heading
    return sos.plan_text(plan, include_empty=include_empty, heading=heading)


def _question(session: Session, patient_id: str, step: str) -> tuple[str, list[tuple[str, str]]]:
    """The question for ``step`` with its buttons (edit mode shows the current answer)."""
    content = get_sos_content().plan
    plan = plans.get_plan(session, patient_id)
    text = content.step(step).question
    current = getattr(plan, step, None) if plan is not None else None
    if plan is not None and plan.asking_mode == plans.EDIT:
        buttons = [(content.keep_button, f"{PREFIX}skip:{step}")]
        if current:
            text += "\n\n" + content.current_answer.format(text=current)
            buttons.append((content.clear_button, f"{PREFIX}clear:{step}"))
        return text, buttons
    return text, [(content.skip_button, f"{PREFIX}skip:{step}"),
                  (content.stop_button, f"{PREFIX}stop:{step}")]
