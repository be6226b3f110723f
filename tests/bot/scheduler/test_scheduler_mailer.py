"""Alert e-mails against a real local SMTP server (aiosmtpd), plain and with a login."""

from __future__ import annotations

import asyncio
import os
import socket
from collections.abc import Iterator
from email import message_from_bytes
from email.message import Message
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

from bot.scheduler.alert_plan import AlertPolicy
from bot.scheduler.alerts import AlertDispatcher
from bot.scheduler.mailer import MailError, SmtpMailer
from bot.settings import Settings
from tests.bot.scheduler.alert_support import (
    PATIENT_WORDS,
    FakeAlertChannels,
    add_coach,
    add_flag,
    clear_alert_tables,
)
from tests.bot.scheduler.scheduler_support import World

SMTP_PORT = int(os.environ.get("ALERTS_TEST_SMTP_PORT", "5725"))
SENDER = "alerts@flare.example.org"


class Inbox:
    """An aiosmtpd handler keeping every message it accepted."""

    def __init__(self) -> None:
        self.messages: list[tuple[list[str], Message]] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        self.messages.append((list(envelope.rcpt_tos), message_from_bytes(envelope.content)))
        return "250 OK"


def _authenticator(server: Any, session: Any, envelope: Any, mechanism: str,
                   data: Any) -> AuthResult:
    ok = isinstance(data, LoginPassword) and (data.login, data.password) == (b"bot", b"s3cret")
    return AuthResult(success=ok)


@pytest.fixture
def inbox() -> Iterator[Inbox]:
    """A real SMTP server on 127.0.0.1 (AUTH allowed without TLS, for the test only)."""
    handler = Inbox()
    controller = Controller(handler, hostname="127.0.0.1", port=SMTP_PORT,
                            authenticator=_authenticator, auth_require_tls=False)
    controller.start()
    try:
        yield handler
    finally:
        controller.stop()


def mailer(**options: Any) -> SmtpMailer:
    return SmtpMailer("127.0.0.1", SMTP_PORT, SENDER, security="none", timeout=5, **options)


async def test_mail_arrives(inbox: Inbox) -> None:
    await mailer().send("ann@example.org", "Safety alert", "Please look now.")
    ((to, message),) = inbox.messages
    assert to == ["ann@example.org"]
    assert message["Subject"] == "Safety alert" and message["From"] == SENDER
    assert message.get_payload(decode=True).decode().strip() == "Please look now."


async def test_mail_with_login(inbox: Inbox) -> None:
    await mailer(user="bot", password="s3cret").send("ann@example.org", "s", "b")
    assert len(inbox.messages) == 1
    with pytest.raises(MailError):
        await mailer(user="bot", password="wrong").send("ann@example.org", "s", "b")
    assert len(inbox.messages) == 1


async def test_no_server_raises_mail_error() -> None:
    with socket.socket() as probe:  # a port with nobody listening
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    dead = SmtpMailer("127.0.0.1", port, SENDER, security="none", timeout=2)
    with pytest.raises(MailError):
        await dead.send("ann@example.org", "s", "b")


def test_mailer_from_settings() -> None:
    assert SmtpMailer.from_settings(Settings()) is None
    made = SmtpMailer.from_settings(Settings(smtp_host="mail.example.org", smtp_port=465,
                                             smtp_from=SENDER, smtp_security="ssl"))
    assert made is not None and (made.port, made.security) == (465, "ssl")


async def test_crisis_alert_email_reaches_the_coach_and_escalation_the_on_call_address(
    world: World, inbox: Inbox
) -> None:
    from datetime import timedelta

    clear_alert_tables(world.db)
    world.add_patient("p1")
    add_coach(world, "ann", email="Ann@Example.org", patients=("p1",))
    flag_id = add_flag(world, "p1", "crisis", "high")
    alerts = AlertDispatcher(
        world.db, world.clock, send_telegram=FakeAlertChannels().send_telegram,
        send_email=mailer().send,
        policy=AlertPolicy(escalate_after=timedelta(minutes=15),
                           oncall_email="oncall@example.org"),
        dashboard_url="https://coach.example.org/",
    )
    assert (await alerts.tick())["email:sent"] == 1
    ((to, message),) = inbox.messages
    body = message.get_payload(decode=True).decode()
    assert to == ["ann@example.org"]
    assert "HIGH" in message["Subject"]
    assert f"https://coach.example.org/safety#flag-{flag_id}" in body
    assert PATIENT_WORDS not in body and "p1" not in body
    world.clock.advance(timedelta(minutes=16))
    await alerts.tick()
    await asyncio.sleep(0)
    assert [m[0] for m in inbox.messages] == [["ann@example.org"], ["oncall@example.org"]]
    assert "Escalated" in inbox.messages[1][1]["Subject"]
