"""take_in's decisions, one inbound at a time, on a real database session (no channel)."""

from __future__ import annotations

import dataclasses
from datetime import datetime, timezone

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot.gateway import model
from bot.gateway.intake import MAX_TEXT_CHARS, Next, replay, take_in, text_for_nlu
from bot.settings import Settings
from bot.store import messages as log

NOW = datetime(2024, 6, 1, 9, 0, tzinfo=timezone.utc)
USER = "777"
_update_ids = iter(range(1, 10_000))


def _in(kind: str, text: str | None = None, **kw: object) -> model.Inbound:
    kw.setdefault("update_id", next(_update_ids))
    return model.Inbound(channel="telegram", user_id=USER, chat_id=777, kind=kind, text=text,
                         **kw)  # type: ignore[arg-type]


def _take(session: Session, inbound: model.Inbound):  # type: ignore[no-untyped-def]
    return take_in(session, inbound, NOW, Settings(database_url="sqlite://"))


def _consent(session: Session) -> str:
    taken = _take(session, _in(model.BUTTON, model.CONSENT_YES))
    assert taken.next is Next.CONSENTED and taken.patient_id is not None
    return taken.patient_id


def test_before_consent_only_the_update_id_is_kept(db_session: Session) -> None:
    assert _take(db_session, _in(model.TEXT, "hello")).next is Next.NEEDS_CONSENT
    assert _take(db_session, _in(model.COMMAND, "/start")).next is Next.INTRO
    assert _take(db_session, _in(model.BUTTON, model.CONSENT_NO)).next is Next.DECLINED
    assert db_session.execute(select(func.count()).select_from(log.Message)).scalar() == 0


def test_a_redelivered_update_is_taken_in_once(db_session: Session) -> None:
    _consent(db_session)
    first = _take(db_session, _in(model.TEXT, "my back hurts", update_id=50_000))
    again = _take(db_session, _in(model.TEXT, "my back hurts", update_id=50_000))
    assert (first.next, again.next) == (Next.RASA, Next.NOTHING)


def test_groups_and_ignored_updates(db_session: Session) -> None:
    assert _take(db_session, _in(model.TEXT, "hi", private=False)).next is Next.GROUP
    assert _take(db_session, _in(model.IGNORED)).next is Next.NOTHING


def test_text_goes_to_rasa_ready_and_long_text_is_truncated(db_session: Session) -> None:
    patient_id = _consent(db_session)
    taken = _take(db_session, _in(model.TEXT, "flaring today"))
    assert taken.next is Next.RASA and taken.ready is not None
    assert taken.ready.id == taken.message_id and taken.ready.text == "flaring today"
    long = _take(db_session, _in(model.TEXT, "a" * (MAX_TEXT_CHARS + 5)))
    assert long.next is Next.RASA and long.truncated and long.ready is None  # one waits before
    (logged,) = [m for m in log.backlog(db_session, patient_id) if m.id == long.message_id]
    assert logged.payload == "a" * MAX_TEXT_CHARS


def test_a_long_repeated_sentence_reaches_the_classifier_once() -> None:
    sentence = "My knees have been burning since the walk and I cannot settle."
    assert text_for_nlu((sentence + " ") * 60) == sentence
    mixed = ("Sore all over today! " * 3) + "Worst in my hips. " + ("x" * 3000)
    assert text_for_nlu(mixed) == ("Sore all over today! Worst in my hips. " + "x" * 3000)[
        :MAX_TEXT_CHARS]


@pytest.mark.parametrize(("kind", "text", "reply_kind"), [
    (model.TEXT, "   ", "empty"),
    ("sticker", None, "sticker"),
    (model.EDITED, "changed", model.EDITED),
])
def test_fixed_replies_are_logged_received_with_their_decision(
    db_session: Session, kind: str, text: str | None, reply_kind: str
) -> None:
    """Marked processed only once answered (the gateway does it after sending)."""
    _consent(db_session)
    taken = _take(db_session, _in(kind, text))
    assert (taken.next, taken.reply_kind) == (Next.REPLY, reply_kind)
    message = db_session.get(log.Message, taken.message_id)
    assert message.status == log.RECEIVED
    assert message.decision == {"next": "reply", "reply_kind": reply_kind}
    assert replay(message, 0)[1] == dataclasses.replace(taken, ready=None)


def test_commands_checkin_goes_to_rasa_others_are_local(db_session: Session) -> None:
    _consent(db_session)
    assert _take(db_session, _in(model.COMMAND, "/checkin")).next is Next.RASA
    taken = _take(db_session, _in(model.COMMAND, "/help"))
    assert taken.next is Next.COMMAND
    message = db_session.get(log.Message, taken.message_id)
    assert (message.status, message.decision) == (log.RECEIVED, {"next": "command"})
    inbound, again = replay(message, 0)
    assert (inbound.command, again.next, again.message_id) == (("help", []), Next.COMMAND,
                                                               taken.message_id)


def test_buttons_consent_again_delete_and_stale(db_session: Session) -> None:
    _consent(db_session)
    assert _take(db_session, _in(model.BUTTON, model.CONSENT_YES)).next is Next.ALREADY_CONSENTED
    assert _take(db_session, _in(model.BUTTON, model.DELETE_YES)).next is Next.DELETE
    assert _take(db_session, _in(model.BUTTON, model.DELETE_NO)).next is Next.KEEP
    stale = _in(model.BUTTON, f"{model.RASA_BUTTON_PREFIX}0", message_id=123)
    assert _take(db_session, stale).next is Next.STALE_BUTTON


def test_a_rasa_button_is_resolved_through_the_logged_outbound(db_session: Session) -> None:
    patient_id = _consent(db_session)
    log.log_outbound(db_session, patient_id, channel="telegram", kind="text",
                     text="How bad is it?", now=NOW, telegram_message_id=900,
                     buttons=[{"title": "7", "payload": "/inform_severity"}])
    taken = _take(db_session, _in(model.BUTTON, f"{model.RASA_BUTTON_PREFIX}0", message_id=900))
    assert taken.next is Next.RASA and taken.chosen == "How bad is it?\n\n> 7"
    pressed = db_session.get(log.Message, taken.message_id)
    assert (pressed.text, pressed.payload) == ("7", "/inform_severity")
