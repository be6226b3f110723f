"""Turn a python-telegram-bot ``Update`` into the gateway's channel-neutral :class:`Inbound`."""

from __future__ import annotations

import logging

from telegram import Chat, Message, Update

from bot.gateway import model

logger = logging.getLogger(__name__)

CHANNEL = "telegram"

_ATTACHMENTS = (
    ("sticker", "sticker"),
    ("photo", "photo"),
    ("voice", "voice"),
    ("audio", "audio"),
    ("video", "video"),
    ("video_note", "video"),
    ("animation", "video"),
    ("document", "document"),
    ("location", "location"),
    ("venue", "location"),
    ("contact", "contact"),
)


def _kind(message: Message) -> str:
    """What kind of message this is (text, command, sticker, ...)."""
    if message.forward_origin is not None:
        return model.FORWARDED
    for attribute, kind in _ATTACHMENTS:
        if getattr(message, attribute):
            return kind
    if message.text is not None:
        entities = message.entities or ()
        if any(e.type == "bot_command" and e.offset == 0 for e in entities) or (
            message.text.startswith("/") and len(message.text) > 1
        ):
            return model.COMMAND
        return model.TEXT
    return "other"


def _mismatched(update: Update, chat: Chat, sender_id: int) -> bool:
    """A private chat whose id is not the sender's: never real, so drop it (and say so).

    In a private chat Telegram's chat id is the user's id. Replies go to the chat while the
    patient is found by the sender, so a mismatch would send one patient's data elsewhere.
    """
    if chat.type != Chat.PRIVATE or chat.id == sender_id:
        return False
    logger.warning("dropped update %s: private chat id is not the sender's id", update.update_id)
    return True


def to_inbound(update: Update) -> model.Inbound:
    """The :class:`Inbound` for ``update``; kind ``ignored`` for updates we do not act on.

    Only the Telegram runner calls this, for updates from the poller or the verified
    webhook: the update id it carries is the only kind the gateway deduplicates on.
    """
    ignored = model.Inbound(CHANNEL, "", 0, model.IGNORED, update_id=update.update_id)
    query = update.callback_query
    if query is not None:
        message = query.message
        if message is None or query.from_user is None:
            return ignored
        if _mismatched(update, message.chat, query.from_user.id):
            return ignored
        return model.Inbound(
            CHANNEL,
            str(query.from_user.id),
            message.chat.id,
            model.BUTTON,
            text=query.data,
            update_id=update.update_id,
            message_id=message.message_id,
            callback_id=query.id,
            private=message.chat.type == Chat.PRIVATE,
            language=query.from_user.language_code,
        )
    edited = update.edited_message
    message = update.message
    if (message or edited) is None:
        return ignored
    current = message or edited
    assert current is not None
    if current.from_user is None or current.from_user.is_bot:
        return ignored
    if _mismatched(update, current.chat, current.from_user.id):
        return ignored
    if current.chat.type != Chat.PRIVATE:
        if message is None:  # an edit in a group: we have already left
            return ignored
        kind = model.TEXT
    else:
        kind = model.EDITED if edited is not None else _kind(current)
    return model.Inbound(
        CHANNEL,
        str(current.from_user.id),
        current.chat.id,
        kind,
        text=current.text if current.text is not None else current.caption,
        update_id=update.update_id,
        message_id=current.message_id,
        private=current.chat.type == Chat.PRIVATE,
        language=current.from_user.language_code,
    )
