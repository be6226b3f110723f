"""Coaches' Telegram chats: ``/coach CODE`` links one, and a linked chat is never a patient's.

A coach makes a one-time code on the dashboard's alerts page and sends ``/coach CODE`` to
the bot; the gateway records the coach's Telegram account and chat, and from then on every
message from that account gets a short fixed answer (nothing is logged, nothing reaches
Rasa, no patient row is made). Alerts go to that chat (:mod:`bot.scheduler.alerts`).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from bot.content.alerts import get_alert_content
from bot.gateway import model
from bot.store import coach_contacts
from bot.store.coaches import Coach

COMMAND = "coach"
LINKED, BAD_CODE, COACH_CHAT = "linked", "bad_code", "coach_chat"
TELEGRAM = "telegram"


def take_coach(session: Session, inbound: model.Inbound, now: datetime) -> tuple[str, str] | None:
    """Handle ``/coach CODE`` and any message from a linked coach account.

    Returns ``(outcome, text to answer)``, or None when this is not a coach matter (the
    patient path goes on as before).
    """
    if inbound.channel != TELEGRAM or not inbound.private:
        return None
    content = get_alert_content()
    if inbound.kind == model.COMMAND and inbound.command[0] == COMMAND:
        args = inbound.command[1]
        code = " ".join(args)
        coach_id = (
            coach_contacts.redeem_link_code(session, code, inbound.chat_id, inbound.user_id, now)
            if code else None
        )
        if coach_id is None:
            return BAD_CODE, content.link[BAD_CODE]
        coach = session.get(Coach, coach_id)
        username = coach.username if coach is not None else "?"
        return LINKED, content.link[LINKED].format(username=username)
    if coach_contacts.coach_for_telegram_user(session, inbound.user_id) is not None:
        return COACH_CHAT, content.link[COACH_CHAT]
    return None
