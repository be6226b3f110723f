"""Take one inbound event in: dedupe, find the patient, log it, decide what happens next.

Runs inside one database transaction, so the update id, the consent and the inbound
message are stored together or not at all; only then may the caller confirm the update to
Telegram. Before consent nothing about the person is stored (only the bare update id).
"""

from __future__ import annotations

import dataclasses
import enum
import re
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from bot.gateway import model, plan_steps, texts
from bot.gateway.coach_link import take_coach
from bot.nlu.safety_net import Risk, assess
from bot.settings import Settings
from bot.store import messages as log
from bot.store import safety_plans
from bot.store.patients import ensure_patient_for_identity, patient_for_identity

MAX_TEXT_CHARS = 2000
_SENTENCE_END = re.compile(r"(?<=[.!?…])\s+")


def text_for_nlu(text: str) -> str:
    """What the classifiers read of a message over ``MAX_TEXT_CHARS``: a sentence repeated
    many times (a paste gone wrong, a held key) is kept once, then the text is cut.

    Repetition would otherwise multiply the n-gram counts and tip the intent classifier to
    whatever the repeated words lean to. The risk rules still read the full text (Rasa gets
    it in the metadata, ``bot/rasa/risk_step.full_text``).
    """
    seen: set[str] = set()
    kept: list[str] = []
    for sentence in _SENTENCE_END.split(text):
        key = " ".join(sentence.lower().split())
        if key and key not in seen:
            seen.add(key)
            kept.append(sentence.strip())
    return " ".join(kept)[:MAX_TEXT_CHARS]
TELEGRAM_CHANNEL = "telegram"
CHECKIN_COMMAND = "checkin"
STOP_COMMAND = "stop"
SOS_COMMAND = "sos"


class Next(enum.Enum):
    """What the gateway does after taking an event in."""

    NOTHING = "nothing"  # duplicate update or nothing to answer
    GROUP = "group"  # not a private chat: explain and leave
    NEEDS_CONSENT = "needs_consent"  # unknown or not yet consenting person
    INTRO = "intro"  # /start before consent: introduce and ask
    CONSENTED = "consented"
    DECLINED = "declined"
    RASA = "rasa"  # a logged inbound message waits for Rasa
    COMMAND = "command"  # a local command (logged, processed)
    REPLY = "reply"  # a fixed kind answer (empty text, sticker, edited, ...)
    STALE_BUTTON = "stale_button"
    ALREADY_CONSENTED = "already_consented"
    DELETE = "delete"
    KEEP = "keep"
    SOS = "sos"  # /sos before consent (nothing stored)
    PRE_CONSENT_RISK = "pre_consent_risk"  # risk language before consent (nothing stored)
    COUNTRY = "country"  # a country button (detail: the code)
    SAFETY_PLAN = "safety_plan"  # a safety-plan step (detail: see bot.gateway.plan_steps)
    COACH = "coach"  # /coach CODE, or anything from a coach's linked account: never a patient


@dataclass(frozen=True)
class Taken:
    """The outcome of :func:`take_in`."""

    next: Next
    patient_id: str | None = None
    message_id: int | None = None  # the logged inbound message
    reply_kind: str | None = None  # for Next.REPLY: which answer
    truncated: bool = False
    chosen: str | None = None  # for a Rasa button: the text marking the choice
    ready: log.Message | None = None  # the message, when nothing older waits before it
    detail: str | None = None  # for COUNTRY and SAFETY_PLAN: what to say next
    answer: str | None = None  # for Next.COACH: the fixed answer


def telegram_update_id(inbound: model.Inbound) -> int | None:
    """The update id to deduplicate on: only Telegram's own, from the Telegram runner.

    The runner feeds updates from the poller or the webhook that verified Telegram's
    secret; an id on an event from any other channel is ignored, so nothing but Telegram
    can mark an id as taken and make the real update with that id be dropped.
    """
    return inbound.update_id if inbound.channel == TELEGRAM_CHANNEL else None


def _log(
    session: Session, patient_id: str, inbound: model.Inbound, now: datetime, **kw: object
) -> int:
    message = log.log_inbound(
        session,
        patient_id,
        channel=inbound.channel,
        now=now,
        chat_id=inbound.chat_id,
        telegram_message_id=inbound.message_id,
        update_id=inbound.update_id,
        **kw,  # type: ignore[arg-type]
    )
    return int(message.id)


def _own(
    session: Session, patient_id: str, inbound: model.Inbound, now: datetime, next_: Next,
    **kw: object,
) -> Taken:
    """Log a message the gateway answers itself: ``received``, with the decision on it
    (``kw``: the columns, plus ``reply_kind``/``detail`` for the handler), so that a
    worker that dies before answering leaves it for the retry loop (:func:`replay`)."""
    reply_kind, detail = kw.pop("reply_kind", None), kw.pop("detail", None)
    decision = {"next": next_.value}
    if reply_kind is not None:
        decision["reply_kind"] = str(reply_kind)
    if detail is not None:
        decision["detail"] = str(detail)
    message_id = _log(session, patient_id, inbound, now, decision=decision, **kw)
    return Taken(next_, patient_id, message_id,
                 reply_kind=None if reply_kind is None else str(reply_kind),
                 detail=None if detail is None else str(detail))


def replay(message: log.Message, chat_id: int) -> tuple[model.Inbound, Taken]:
    """The event and decision stored on a message the gateway answers itself, to run its
    handler again after a worker died before answering (no button to answer then);
    ``chat_id``: the patient's chat, if the row has none."""
    decision = message.decision or {}
    inbound = model.Inbound(
        channel=message.channel, user_id="", chat_id=int(message.chat_id or chat_id),
        kind=message.kind, text=message.text, update_id=message.update_id,
        message_id=message.telegram_message_id,
    )
    return inbound, Taken(Next(decision["next"]), message.patient_id, message.id,
                          reply_kind=decision.get("reply_kind"), detail=decision.get("detail"))


def _button(session: Session, patient_id: str, inbound: model.Inbound, now: datetime) -> Taken:
    """A press on a Rasa button: resolve its payload through the logged outbound message."""
    data = inbound.text or ""
    if data in (model.CONSENT_YES, model.CONSENT_NO):
        return Taken(Next.ALREADY_CONSENTED, patient_id)
    if data in (model.DELETE_YES, model.DELETE_NO):
        return _own(session, patient_id, inbound, now,
                    Next.DELETE if data == model.DELETE_YES else Next.KEEP,
                    kind=model.BUTTON, text=data)
    if data.startswith((plan_steps.COUNTRY_PREFIX, plan_steps.PLAN_PREFIX)):
        country = data.startswith(plan_steps.COUNTRY_PREFIX)
        detail = (plan_steps.choose_country(session, patient_id, data) if country
                  else plan_steps.press(session, patient_id, data, now))
        return _own(session, patient_id, inbound, now,
                    Next.COUNTRY if country else Next.SAFETY_PLAN, kind=model.BUTTON,
                    text=plan_steps.button_title(data), detail=detail)
    source = log.find_outbound(session, patient_id, inbound.message_id)
    index = data.removeprefix(model.RASA_BUTTON_PREFIX)
    buttons = source.buttons if source is not None and source.buttons else []
    if not index.isdigit() or int(index) >= len(buttons):
        return Taken(Next.STALE_BUTTON, patient_id)
    button = buttons[int(index)]
    if button["payload"] in plan_steps.PAYLOADS:
        detail = plan_steps.payload(session, patient_id, button["payload"], now)
        return _own(session, patient_id, inbound, now, Next.SAFETY_PLAN, kind=model.BUTTON,
                    text=button["title"], payload=button["payload"], detail=detail)
    safety_plans.pause(session, patient_id)  # an answer to Rasa closes an open plan question
    message_id = _log(session, patient_id, inbound, now, kind=model.BUTTON,
                      text=button["title"], payload=button["payload"])
    chosen = (f"{source.text}{texts.BUTTON_CHOSEN.format(title=button['title'])}"
              if source is not None else None)
    return Taken(Next.RASA, patient_id, message_id, chosen=chosen)


def take_in(
    session: Session, inbound: model.Inbound, now: datetime, defaults: Settings
) -> Taken:
    """Store ``inbound`` as needed and say what to do next (see the module docstring).

    A message for Rasa with nothing older waiting (no older message, no answer still
    being sent) comes back as ``ready``, so the worker can send it on without reading the
    backlog again.
    """
    taken = _take_in(session, inbound, now, defaults)
    if taken.next is Next.RASA and taken.patient_id is not None:
        waiting = log.backlog(session, taken.patient_id)
        if len(waiting) == 1 and waiting[0].id == taken.message_id \
                and not log.has_unsent(session, taken.patient_id):
            return dataclasses.replace(taken, ready=waiting[0])
    return taken


def _take_in(
    session: Session, inbound: model.Inbound, now: datetime, defaults: Settings
) -> Taken:
    update_id = telegram_update_id(inbound)
    if update_id is not None and not log.claim_update(session, update_id, now):
        return Taken(Next.NOTHING)
    if inbound.kind == model.IGNORED:
        return Taken(Next.NOTHING)
    if not inbound.private:
        return Taken(Next.GROUP)
    coach = take_coach(session, inbound, now)
    if coach is not None:
        return Taken(Next.COACH, reply_kind=coach[0], answer=coach[1])
    patient = patient_for_identity(session, inbound.channel, inbound.user_id)
    consented = patient is not None and patient.consent_given_at is not None
    if not consented:
        if inbound.kind == model.BUTTON and inbound.text == model.CONSENT_YES:
            patient = ensure_patient_for_identity(
                session, inbound.channel, inbound.user_id, now=now, defaults=defaults
            )
            patient.consent_given_at = now
            patient.country = plan_steps.consent_country(inbound.language,
                                                         defaults.default_country)
            session.flush()
            return Taken(Next.CONSENTED, patient.id)
        if inbound.kind == model.BUTTON and inbound.text == model.CONSENT_NO:
            return Taken(Next.DECLINED)
        if inbound.kind == model.COMMAND and inbound.command[0] == "start":
            return Taken(Next.INTRO)
        if inbound.kind == model.COMMAND and inbound.command[0] == SOS_COMMAND:
            return Taken(Next.SOS)
        if inbound.kind not in (model.BUTTON, model.COMMAND) and inbound.text and (
            assess(inbound.text).risk is not Risk.NONE
        ):  # text, an edit, a forward or a caption; the text is not kept
            return Taken(Next.PRE_CONSENT_RISK, detail=assess(inbound.text).risk.value)
        return Taken(Next.NEEDS_CONSENT)

    assert patient is not None
    name, _ = inbound.command if inbound.kind == model.COMMAND else ("", [])
    if name != STOP_COMMAND:
        log.clear_stopped(session, patient.id)
    if inbound.kind == model.BUTTON:
        return _button(session, patient.id, inbound, now)
    if inbound.kind == model.COMMAND:
        if name == CHECKIN_COMMAND:
            safety_plans.pause(session, patient.id)
            message_id = _log(session, patient.id, inbound, now, kind=model.COMMAND,
                              text=inbound.text)
            return Taken(Next.RASA, patient.id, message_id)
        return _own(session, patient.id, inbound, now, Next.COMMAND, kind=model.COMMAND,
                    text=inbound.text)
    if inbound.kind == model.TEXT:
        text = inbound.text or ""
        if not text.strip():
            return _own(session, patient.id, inbound, now, Next.REPLY, kind=model.TEXT,
                        text=text, reply_kind="empty")
        if (country := plan_steps.typed_country(session, patient.id, text)) is not None:
            return _own(session, patient.id, inbound, now, Next.COUNTRY, kind=model.TEXT,
                        text=text, detail=country)
        if safety_plans.asking(session, patient.id, now) is not None:
            if assess(text).risk is Risk.NONE:
                detail = plan_steps.answer(session, patient.id, text, now)
                return _own(session, patient.id, inbound, now, Next.SAFETY_PLAN,
                            kind=model.TEXT, text=text, detail=detail)
            safety_plans.pause(session, patient.id)  # risk: the crisis path, not the plan
        truncated = len(text) > MAX_TEXT_CHARS
        payload = text_for_nlu(text) if truncated else None
        message_id = _log(session, patient.id, inbound, now, kind=model.TEXT, text=text,
                          payload=payload)
        return Taken(Next.RASA, patient.id, message_id, truncated=truncated)
    return _own(session, patient.id, inbound, now, Next.REPLY, kind=inbound.kind,
                text=inbound.text, reply_kind=inbound.kind)
