"""Send alert e-mails over SMTP (standard library ``smtplib``, in a worker thread)."""

from __future__ import annotations

import asyncio
import smtplib
import ssl
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.utils import formatdate, make_msgid

from bot.settings import Settings

DEFAULT_TIMEOUT = 15.0


class MailError(RuntimeError):
    """The SMTP server could not be reached or refused the message."""


@dataclass(frozen=True)
class SmtpMailer:
    """Sends one plain-text e-mail per call.

    Args:
        host, port: The SMTP server.
        sender: The From address.
        user, password: Log in when both are given.
        security: ``starttls`` (upgrade the connection), ``ssl`` (TLS from the start) or
            ``none`` (plain, for a local relay or tests).
        timeout: Seconds for the connection and each command.
    """

    host: str
    port: int
    sender: str
    user: str | None = None
    password: str | None = field(default=None, repr=False)
    security: str = "starttls"
    timeout: float = DEFAULT_TIMEOUT

    @classmethod
    def from_settings(cls, settings: Settings) -> SmtpMailer | None:
        """A mailer on the SMTP_* settings, or None when e-mail is not configured."""
        if not settings.smtp_enabled:
            return None
        assert settings.smtp_host is not None and settings.smtp_from is not None
        return cls(settings.smtp_host, settings.smtp_port, settings.smtp_from,
                   settings.smtp_user, settings.smtp_password, settings.smtp_security)

    def message(self, to: str, subject: str, body: str) -> EmailMessage:
        """The e-mail as it will be sent."""
        message = EmailMessage()
        message["From"], message["To"], message["Subject"] = self.sender, to, subject
        message["Date"] = formatdate(localtime=False)
        message["Message-ID"] = make_msgid(domain=self.sender.rsplit("@", 1)[-1])
        message.set_content(body)
        return message

    def send_sync(self, to: str, subject: str, body: str) -> None:
        """Send now (blocking).

        Raises:
            MailError: connection, TLS, login or delivery failed.
        """
        message = self.message(to, subject, body)
        try:
            if self.security == "ssl":
                client: smtplib.SMTP = smtplib.SMTP_SSL(
                    self.host, self.port, timeout=self.timeout,
                    context=ssl.create_default_context(),
                )
            else:
                client = smtplib.SMTP(self.host, self.port, timeout=self.timeout)
            with client:
                if self.security == "starttls":
                    client.starttls(context=ssl.create_default_context())
                if self.user and self.password:
                    client.login(self.user, self.password)
                client.send_message(message)
        except (OSError, smtplib.SMTPException) as exc:
            raise MailError(f"e-mail to {to} not sent: {exc}") from exc

    async def send(self, to: str, subject: str, body: str) -> None:
        """Send in a worker thread (the event loop is never blocked)."""
        await asyncio.to_thread(self.send_sync, to, subject, body)
