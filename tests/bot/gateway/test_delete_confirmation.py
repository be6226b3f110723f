"""The /delete confirmation survives a worker that dies after the erasure committed.

The confirmation is written in the erasing transaction (bot/store/notices.py); here the
first worker dies while resetting Rasa's tracker, after the commit and before the send,
and a new gateway on the same database sends the confirmation, once. On each backend
(``fresh_database_url``: SQLite and PostgreSQL).
"""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta, timezone

from sqlalchemy import select

from bot.gateway import texts
from bot.store import notices
from bot.store.db import Database
from bot.store.models import ChannelIdentity, Patient
from tests.fake_telegram.fake_rasa import FakeRasa
from tests.fake_telegram.harness import GatewayHarness


async def test_a_worker_dying_after_the_erase_leaves_the_confirmation_to_the_next(
    fresh_database_url: str,
) -> None:
    rasa = await FakeRasa().start()
    first = await GatewayHarness(fresh_database_url, rasa.url, rasa.token).start()
    telegram = first.telegram
    second: GatewayHarness | None = None
    try:
        user = await first.consent()
        await first.say(user, "/delete")
        await telegram.wait_for(lambda: texts.DELETE_QUESTION in telegram.texts_to(user))
        assert first.gateway is not None and first.db is not None
        died = asyncio.Event()

        async def die(patient_id: str) -> None:  # the erase has committed by now
            died.set()
            raise asyncio.CancelledError  # the worker is killed here

        first.gateway.commands._rasa.reset_conversation = die  # type: ignore[method-assign]
        await first.press(user, texts.DELETE_YES)
        await asyncio.wait_for(died.wait(), 30)
        await first.stop()  # the rest of that worker never runs
        database = Database.from_url(fresh_database_url)
        with database.sessions() as session:  # erased, and nothing was said
            assert session.execute(select(Patient)).first() is None
            assert session.execute(select(ChannelIdentity)).first() is None
        database.dispose()
        assert texts.DELETED not in telegram.texts_to(user)

        await telegram.start(port=telegram.port)
        second = await GatewayHarness(fresh_database_url, rasa.url, rasa.token,
                                      telegram=telegram).start()
        await telegram.wait_for(lambda: texts.DELETED in telegram.texts_to(user))
        assert second.gateway is not None and second.db is not None
        for _ in range(3):  # later passes find nothing more to send
            await second.gateway.retry_pending()
            await second.gateway.idle()
        assert telegram.texts_to(user).count(texts.DELETED) == 1
        with second.db.sessions() as session:  # nothing about the chat is kept
            assert session.execute(select(notices.OutgoingNotice)).first() is None
    finally:
        if second is not None:
            await second.stop()
        await telegram.stop()
        await rasa.stop()


def test_a_notice_is_claimed_once_and_again_only_after_its_lease(db: Database) -> None:
    now = datetime(2026, 12, 2, 0, 0, tzinfo=timezone.utc)
    with db.sessions.begin() as session:
        notice_id = notices.add(session, "telegram", 42, "gone", now)
    with db.sessions.begin() as session:
        assert notices.due(session, now) == [notice_id]
        claimed = notices.claim(session, notice_id, now)
        assert claimed is not None and (claimed.chat_id, claimed.text) == (42, "gone")
    with db.sessions.begin() as session:  # another worker, while the first one sends
        assert notices.due(session, now + timedelta(seconds=30)) == []
        assert notices.claim(session, notice_id, now + timedelta(seconds=30)) is None
    later = now + notices.LEASE + timedelta(seconds=1)  # the first worker died meanwhile
    with db.sessions.begin() as session:
        assert notices.claim(session, notice_id, later) is not None
        notices.sent(session, notice_id)
    with db.sessions.begin() as session:
        assert notices.due(session, later + notices.LEASE * 2) == []


def test_a_notice_the_channel_could_not_deliver_is_tried_again_then_given_up(
    db: Database,
) -> None:
    now = datetime(2026, 12, 2, 0, 0, tzinfo=timezone.utc)
    with db.sessions.begin() as session:
        notice_id = notices.add(session, "telegram", 42, "gone", now)
    for attempt in range(1, notices.MAX_ATTEMPTS + 1):
        with db.sessions.begin() as session:
            assert notices.claim(session, notice_id, now) is not None
            assert notices.failed(session, notice_id) is (attempt < notices.MAX_ATTEMPTS)
    with db.sessions.begin() as session:
        assert notices.due(session, now) == []
