"""The terminal chat goes through the same gateway: log, Rasa client, numbered buttons, pauses."""

from __future__ import annotations

import io

from sqlalchemy import select

from bot.content.sos import get_sos_content
from bot.gateway import texts
from bot.gateway.app import create_gateway
from bot.gateway.terminal import TerminalChannel, run_chat
from bot.settings import Settings
from bot.store.db import Database
from bot.store.messages import Message
from tests.fake_telegram.fake_rasa import FakeRasa


async def test_terminal_chat_end_to_end(fake_rasa: FakeRasa, database_url: str) -> None:
    lines = iter(["/start", "1", "buttons", "7", "breathe", "/quit", "never read"])

    def read_line() -> str:
        return next(lines)

    settings = Settings(database_url=database_url, rasa_url=fake_rasa.url,
                        rasa_token=fake_rasa.token)
    db = Database.from_url(database_url)
    db.migrate()
    gateway = create_gateway(settings, db, rasa_timeout=10.0)
    await gateway.start()
    out = io.StringIO()
    try:
        await run_chat(gateway, TerminalChannel(out), read_line, "local-tester")
    finally:
        await gateway.close()
        await gateway.rasa.aclose()
    shown = out.getvalue()
    assert texts.CONSENT_QUESTION in shown and f"[1] {texts.CONSENT_YES}" in shown
    assert get_sos_content().onboarding.country_question in shown
    # A number scale shows the numbers themselves: typing "7" picks the button titled 7.
    assert "[3]  [7]" in shown
    assert shown.index("Breathe in slowly.") < shown.index("And breathe out.")
    sender = fake_rasa.received[0].sender
    assert [r.message for r in fake_rasa.received] == [
        "buttons", '/inform_severity{"severity":"7"}', "breathe"
    ]
    assert "local-tester" not in sender
    with db.sessions() as session:
        inbound = session.execute(
            select(Message.kind, Message.channel, Message.status)
            .where(Message.direction == "in").order_by(Message.id)
        ).all()
    assert [tuple(row) for row in inbound] == [
        ("text", "terminal", "processed"), ("button", "terminal", "processed"),
        ("text", "terminal", "processed"),
    ]
    db.dispose()
