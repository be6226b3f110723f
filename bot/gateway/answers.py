"""What the gateway does after taking an inbound event in: one handler per :class:`Next`.

:func:`bot.gateway.intake.take_in` decides (inside the transaction that stores the event);
:data:`HANDLERS` maps each decision to the coroutine that carries it out (in the patient's
queue, after the transaction). A new kind of inbound is a new ``Next`` value plus its
handler here; the import-time check below fails loudly if one is missing.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING

from bot.gateway import texts
from bot.gateway.intake import Next, Taken
from bot.gateway.model import CONSENT_NO, CONSENT_YES, Channel, Inbound
from bot.gateway.plan_flow import STEPS as SAFETY_PATHWAY_STEPS

if TYPE_CHECKING:
    from bot.gateway.core import Gateway

Handler = Callable[["Gateway", Channel, Inbound, Taken], Awaitable[None]]


async def _nothing(gw: Gateway, channel: Channel, inbound: Inbound, taken: Taken) -> None:
    """A duplicate update, or nothing to answer."""


async def _group(gw: Gateway, channel: Channel, inbound: Inbound, taken: Taken) -> None:
    await gw.outbox.send_plain(channel, inbound.chat_id, None, texts.GROUP_CHAT)
    await channel.leave_chat(inbound.chat_id)


async def _coach(gw: Gateway, channel: Channel, inbound: Inbound, taken: Taken) -> None:
    """A coach's own chat (``/coach CODE`` or anything later): nothing logged, nothing to Rasa."""
    await gw.outbox.send_plain(channel, inbound.chat_id, None, taken.answer or "")


async def _ask_consent(gw: Gateway, channel: Channel, inbound: Inbound, taken: Taken) -> None:
    first = texts.INTRO if taken.next is Next.INTRO else texts.CONSENT_PENDING
    await gw.outbox.send_plain(channel, inbound.chat_id, None, first)
    await gw.safety.language_note(channel, inbound)
    await gw.outbox.send_plain(
        channel, inbound.chat_id, None, texts.CONSENT_QUESTION,
        buttons=[(texts.CONSENT_YES, CONSENT_YES), (texts.CONSENT_NO, CONSENT_NO)],
    )


async def _consent_answer(gw: Gateway, channel: Channel, inbound: Inbound, taken: Taken) -> None:
    if inbound.message_id is not None:
        await channel.mark_chosen(inbound.chat_id, inbound.message_id, None)
    if taken.next is Next.CONSENTED:
        assert taken.patient_id is not None
        await gw.safety.ask_country(channel, inbound, taken.patient_id)
    else:
        await gw.outbox.send_plain(channel, inbound.chat_id, taken.patient_id,
                                   texts.CONSENT_DECLINED)


async def _safety_pathway(gw: Gateway, channel: Channel, inbound: Inbound, taken: Taken) -> None:
    """/sos, pre-consent risk, the country question and the safety plan's steps."""
    await gw.safety.follow_up(channel, inbound, taken)


def _fixed(text_name: str) -> Handler:
    """A handler that sends one of the gateway's texts (looked up when it runs)."""

    async def handler(gw: Gateway, channel: Channel, inbound: Inbound, taken: Taken) -> None:
        text = getattr(texts, text_name)
        await gw.outbox.send_plain(channel, inbound.chat_id, taken.patient_id, text)

    return handler


async def _delete_answer(gw: Gateway, channel: Channel, inbound: Inbound, taken: Taken) -> None:
    chat, patient = inbound.chat_id, taken.patient_id
    if inbound.message_id is not None:
        await channel.mark_chosen(chat, inbound.message_id, None)
    if taken.next is Next.DELETE:
        assert patient is not None
        await gw.commands.erase(channel, chat, patient)
    else:
        await gw.outbox.send_plain(channel, chat, patient, texts.DELETE_CANCELLED,
                                   reply_to=taken.message_id)


async def _command(gw: Gateway, channel: Channel, inbound: Inbound, taken: Taken) -> None:
    assert taken.patient_id is not None
    name, args = inbound.command
    await gw.commands.run(channel, inbound.chat_id, taken.patient_id, name, args,
                          taken.message_id)


async def _reply(gw: Gateway, channel: Channel, inbound: Inbound, taken: Taken) -> None:
    kind = taken.reply_kind or "other"
    text = {
        "empty": texts.EMPTY_TEXT, "edited": texts.EDITED, "forwarded": texts.FORWARDED,
    }.get(kind) or texts.NON_TEXT.get(kind, texts.NON_TEXT["other"])
    await gw.outbox.send_plain(channel, inbound.chat_id, taken.patient_id, text,
                               reply_to=taken.message_id)


async def _rasa(gw: Gateway, channel: Channel, inbound: Inbound, taken: Taken) -> None:
    chat, patient = inbound.chat_id, taken.patient_id
    assert patient is not None
    if taken.chosen is not None and inbound.message_id is not None:
        await channel.mark_chosen(chat, inbound.message_id, taken.chosen)
    if taken.truncated:
        await gw.outbox.send_plain(channel, chat, patient, texts.TOO_LONG,
                                   reply_to=taken.message_id)
    await gw.drain(patient, channel, chat, up_to=taken.message_id, ready=taken.ready)


HANDLERS: dict[Next, Handler] = {
    Next.NOTHING: _nothing,
    Next.GROUP: _group,
    Next.COACH: _coach,
    Next.NEEDS_CONSENT: _ask_consent,
    Next.INTRO: _ask_consent,
    Next.CONSENTED: _consent_answer,
    Next.DECLINED: _consent_answer,
    Next.RASA: _rasa,
    Next.COMMAND: _command,
    Next.REPLY: _reply,
    Next.STALE_BUTTON: _fixed("STALE_BUTTON"),
    Next.ALREADY_CONSENTED: _fixed("ALREADY_CONSENTED"),
    Next.DELETE: _delete_answer,
    Next.KEEP: _delete_answer,
    **{step: _safety_pathway for step in SAFETY_PATHWAY_STEPS},
}

_missing = set(Next) - set(HANDLERS)
if _missing:  # pragma: no cover - a programming error, caught by every test run
    raise RuntimeError(f"no handler for {sorted(n.name for n in _missing)}")
