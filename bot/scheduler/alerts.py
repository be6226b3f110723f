"""The coach alert dispatcher: plans alerts from safety flags and sends them, once each.

Every pass (:meth:`AlertDispatcher.tick`, every few seconds in the gateway process):

1. plan: INSERT the alert rows open flags need (:mod:`bot.scheduler.alert_plan`);
2. send: claim each due row (``UPDATE ... WHERE status IN (...)``, committed before the
   send), deliver it by Telegram or e-mail, record ``sent`` or ``failed``.

None lost: a failed send is retried (``retry_after``); a row left ``sending`` by a crash is
taken again once its ``lease`` has passed. None doubled: only the instance whose claim
updated the row sends it. The one window left is a crash after the send and before the
``sent`` commit, where the alert is sent again after the lease; for a safety alert a
repeat is the lesser harm. An alert whose flag a coach acknowledged in the meantime is
cancelled instead of sent.
"""

from __future__ import annotations

import asyncio
import logging
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import replace
from datetime import datetime, timedelta

from bot.content.alerts import AlertContent, get_alert_content
from bot.scheduler.alert_plan import AlertPolicy, PlanResult, plan_alerts
from bot.scheduler.clock import Clock, run_passes
from bot.settings import Settings
from bot.store import alerts as store
from bot.store.db import Database

logger = logging.getLogger(__name__)

SendTelegram = Callable[[int, str], Awaitable[object]]
"""``async send_telegram(chat_id, text)``: raises when not delivered."""
SendEmail = Callable[[str, str, str], Awaitable[None]]
"""``async send_email(to, subject, body)``: raises when not delivered."""


class AlertDispatcher:
    """Sends coach alerts within seconds of a flag, and escalates unacknowledged ones.

    Args:
        database: Where flags and the alerts outbox live (shared by every instance).
        clock: Source of the current time.
        send_telegram: Sends a text to a coach's Telegram chat (None: no Telegram).
        send_email: Sends an e-mail (None: e-mail not configured).
        policy: Escalation delay, lookback, on-call address.
        dashboard_url: Base URL of the coach dashboard, for the link in each alert.
        tick_seconds: Pause between passes in :meth:`run_forever`.
        lease: A ``sending`` row older than this is taken to be lost and sent again.
        retry_after: Wait this long before retrying a failed send.
        max_attempts: Give up (and log an error) after this many tries.
        content: The alert wording (default: ``content/coach_alerts.yml``).
    """

    def __init__(
        self,
        database: Database,
        clock: Clock,
        *,
        send_telegram: SendTelegram | None,
        send_email: SendEmail | None = None,
        policy: AlertPolicy | None = None,
        dashboard_url: str = "http://127.0.0.1:8000",
        tick_seconds: float = 5.0,
        lease: timedelta = timedelta(minutes=2),
        retry_after: timedelta = timedelta(seconds=20),
        max_attempts: int = 30,
        content: AlertContent | None = None,
    ) -> None:
        if tick_seconds <= 0 or max_attempts < 1:
            raise ValueError("tick_seconds and max_attempts must be positive")
        self._database = database
        self._clock = clock
        self._send_telegram = send_telegram
        self._send_email = send_email
        self.policy = replace(policy or AlertPolicy(), email=send_email is not None)
        self._dashboard_url = dashboard_url.rstrip("/")
        self.tick_seconds = tick_seconds
        self._lease, self._retry_after, self._max_attempts = lease, retry_after, max_attempts
        self._content = content or get_alert_content()
        self._warned: set[int] = set()

    @classmethod
    def from_settings(
        cls,
        settings: Settings,
        database: Database,
        clock: Clock,
        *,
        send_telegram: SendTelegram | None,
        send_email: SendEmail | None = None,
        **options: object,
    ) -> AlertDispatcher:
        """A dispatcher using the escalation delay, on-call address and dashboard URL."""
        policy = AlertPolicy(escalate_after=settings.alert_escalate_after,
                             oncall_email=settings.alert_oncall_email)
        return cls(database, clock, send_telegram=send_telegram, send_email=send_email,
                   policy=policy, dashboard_url=settings.dashboard_url, **options)  # type: ignore[arg-type]

    async def tick(self) -> Counter[str]:
        """Run one pass; return counts such as ``{"planned": 2, "telegram:sent": 2}``."""
        counts: Counter[str] = Counter()
        planned = await asyncio.to_thread(self._plan, self._clock.now())
        counts["planned"] += planned.created
        for flag_id in set(planned.unreachable) - self._warned:
            logger.error("safety flag %s needs a coach alert or escalation but no coach, "
                         "on-call person or admin has Telegram or e-mail set up", flag_id)
        self._warned.update(planned.unreachable)
        due = await asyncio.to_thread(self._due, self._clock.now())
        outcomes = await asyncio.gather(*(self._run(alert) for alert in due))
        for alert, outcome in zip(due, outcomes, strict=True):
            if outcome:
                counts[f"{alert.channel}:{outcome}"] += 1
        if +counts:
            logger.info("alert pass: %s", dict(+counts))
        return +counts

    async def run_forever(self, stop_event: asyncio.Event) -> None:
        """Run passes every ``tick_seconds`` until ``stop_event`` is set."""
        await run_passes(self.tick, self.tick_seconds, stop_event, logger, "alert")

    def link(self, alert: store.DueAlert) -> str:
        """The dashboard link of an alert (the safety queue, at the flag)."""
        return f"{self._dashboard_url}/safety#flag-{alert.flag_id}"

    def _plan(self, now: datetime) -> PlanResult:
        with self._database.sessions.begin() as session:
            return plan_alerts(session, now, self.policy)

    def _due(self, now: datetime) -> list[store.DueAlert]:
        with self._database.sessions() as session:
            return store.due_alerts(session, now, lease=self._lease,
                                    retry_after=self._retry_after,
                                    max_attempts=self._max_attempts)

    def _claim(self, alert_id: int, now: datetime) -> bool:
        with self._database.sessions.begin() as session:
            return store.claim_alert(session, alert_id, now, lease=self._lease,
                                     retry_after=self._retry_after)

    def _finish(self, alert_id: int, claimed_at: datetime, error: str | None = None,
                cancelled: bool = False) -> None:
        with self._database.sessions.begin() as session:
            store.finish_alert(session, alert_id, claimed_at, self._clock.now(), error,
                               cancelled=cancelled)

    async def _run(self, alert: store.DueAlert) -> str | None:
        """Claim and deliver one alert; return what happened (None: someone else has it)."""
        claimed_at = self._clock.now()
        if not await asyncio.to_thread(self._claim, alert.id, claimed_at):
            return None
        if alert.acknowledged:
            await asyncio.to_thread(self._finish, alert.id, claimed_at, None, True)
            return "cancelled"
        try:
            await self._deliver(alert)
        except Exception as exc:
            last = alert.attempts + 1 >= self._max_attempts
            log = logger.error if last else logger.warning
            log("alert %s (%s to %s) not delivered%s", alert.id, alert.channel, alert.address,
                ": giving up" if last else "; will retry", exc_info=True)
            await asyncio.to_thread(self._finish, alert.id, claimed_at, repr(exc))
            return "failed"
        await asyncio.to_thread(self._finish, alert.id, claimed_at)
        return "sent"

    async def _deliver(self, alert: store.DueAlert) -> None:
        minutes = max(0, int((self._clock.now() - alert.flag_created_at).total_seconds() // 60))
        args = (alert.reason, alert.flag_kind, alert.level, self.link(alert), minutes)
        if alert.channel == store.TELEGRAM:
            if self._send_telegram is None:
                raise RuntimeError("no Telegram channel in this process")
            await self._send_telegram(int(alert.address), self._content.alert_text(*args))
        else:
            if self._send_email is None:
                raise RuntimeError("e-mail is not configured (SMTP_HOST, SMTP_FROM)")
            subject, body = self._content.alert_email(*args)
            await self._send_email(alert.address, subject, body)
