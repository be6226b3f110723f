"""Build and run the gateway from settings (app factory; nothing built at import time)."""

from __future__ import annotations

import asyncio
import logging
import signal
from datetime import timedelta
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from telegram import Bot
from telegram.request import HTTPXRequest

from bot.content import check_all_content
from bot.gateway.core import Gateway
from bot.gateway.rasa_client import DEFAULT_CONCURRENCY, DEFAULT_TIMEOUT, RasaClient
from bot.gateway.rasa_pool import RasaPool
from bot.gateway.ratelimit import LocalLimiter, RedisLimiter, SendLimiter
from bot.gateway.telegram.channel import TelegramChannel
from bot.gateway.telegram.runner import TelegramRunner
from bot.gateway.telegram.wire import CheckedRequest
from bot.settings import Settings, require_webhook_secret
from bot.store.db import Database

if TYPE_CHECKING:  # matplotlib loads only when the summaries are built
    from bot.progress.weekly import WeeklySummaries

logger = logging.getLogger(__name__)

WEBHOOK_PORT = 8443
POOL_SIZE = 64


def create_gateway(
    settings: Settings,
    db: Database | None = None,
    *,
    rasa_timeout: float = DEFAULT_TIMEOUT,
    retry_interval: float = 5.0,
    rasa_concurrency: int | None = DEFAULT_CONCURRENCY,
) -> Gateway:
    """A gateway on ``settings`` (its database and Rasa); channels are added by the caller.

    ``rasa_concurrency`` caps the requests in flight at once per Rasa server (None: no
    cap). With several servers (``RASA_URLS``) each patient sticks to one of them.
    """
    check_all_content()  # a broken content file stops the gateway here, not mid-conversation
    database = db or Database.from_settings(settings)
    servers = settings.rasa_servers
    rasa: RasaClient | RasaPool
    if len(servers) > 1:
        rasa = RasaPool(servers, settings.rasa_token, timeout=rasa_timeout,
                        max_concurrency=rasa_concurrency)
    else:
        rasa = RasaClient(servers[0], settings.rasa_token, timeout=rasa_timeout,
                          max_concurrency=rasa_concurrency)
    return Gateway(database, rasa, settings, retry_interval=retry_interval)  # type: ignore[arg-type]


def create_bot(settings: Settings, *, poll_timeout: int = 30) -> Bot:
    """A ``telegram.Bot`` on ``settings.telegram_api_base_url`` with bounded timeouts."""
    if not settings.telegram_bot_token:
        raise ValueError("TELEGRAM_BOT_TOKEN is not set")
    request = CheckedRequest(  # the shared pause looked at again at the write (wire.py)
        connection_pool_size=POOL_SIZE, connect_timeout=5.0, read_timeout=10.0,
        write_timeout=10.0, pool_timeout=5.0, stamp=settings.telegram_send_log,
    )
    updates_request = HTTPXRequest(
        connection_pool_size=1, connect_timeout=5.0, read_timeout=poll_timeout + 10.0
    )
    return Bot(
        settings.telegram_bot_token,
        base_url=settings.telegram_api_base_url,
        request=request,
        get_updates_request=updates_request,
    )


async def start_telegram(
    gateway: Gateway, settings: Settings, *, poll_timeout: int = 30, backoff: float = 0.5
) -> TelegramRunner:
    """Connect ``gateway`` to Telegram: webhook if TELEGRAM_WEBHOOK_URL is set, else polling.

    Raises:
        bot.settings.SettingsError: webhook mode without a strong TELEGRAM_WEBHOOK_SECRET.
    """
    if settings.telegram_webhook_url:
        require_webhook_secret(settings.telegram_webhook_secret)  # before anything starts
    bot = create_bot(settings, poll_timeout=poll_timeout)
    await bot.initialize()
    limiter: SendLimiter | None = None
    if settings.telegram_send_limits:
        limiter = (RedisLimiter(settings.rate_limit_redis_url, bot_key=str(bot.id),
                                log=settings.telegram_send_log)
                   if settings.rate_limit_redis_url else LocalLimiter())
    channel = TelegramChannel(bot, backoff=backoff, limiter=limiter)
    gateway.add_channel(channel)
    runner = TelegramRunner(gateway, channel, poll_timeout=poll_timeout)
    if settings.telegram_webhook_url:
        path = urlsplit(settings.telegram_webhook_url).path or "/telegram"
        port = settings.telegram_webhook_port or WEBHOOK_PORT
        host = settings.telegram_webhook_host
        await runner.start_webhook(
            settings.telegram_webhook_url, settings.telegram_webhook_secret, host, port, path,
        )
        logger.info("Telegram webhook listening on %s:%s%s", host, port, path)
    else:
        await runner.start_polling()
        logger.info("Telegram long polling started")
    return runner


def weekly_summaries(db: Database, gateway: Gateway) -> WeeklySummaries:
    """The scheduler's Sunday summary sender: the chart with its caption, through ``gateway``."""
    from bot.progress.weekly import WeeklySummaries

    return WeeklySummaries(db, gateway.send_text, send_photo=gateway.send_photo)


def start_background(
    settings: Settings, db: Database, gateway: Gateway, runner: TelegramRunner,
    stop: asyncio.Event,
) -> list[asyncio.Task[None]]:
    """Start the scheduler (check-ins, summaries, aftercare) and the coach alert dispatcher.

    Both run until ``stop`` is set; await the returned tasks after setting it.
    """
    from bot.scheduler.aftercare import Aftercare
    from bot.scheduler.alerts import AlertDispatcher
    from bot.scheduler.clock import Clock, ShiftedClock, SystemClock
    from bot.scheduler.mailer import SmtpMailer
    from bot.scheduler.service import Scheduler

    clock = SystemClock()
    plans: Clock = clock  # SCHEDULER_SHIFT_DAYS (drills): check-ins and summaries run ahead
    if settings.scheduler_shift_days:
        plans = ShiftedClock(clock, timedelta(days=settings.scheduler_shift_days))
    scheduler = Scheduler(
        db, plans, gateway.trigger_checkin, gateway.send_text,
        default_timezone=settings.default_timezone,
        default_checkin_time=settings.checkin_time,
        send_weekly=weekly_summaries(db, gateway),
        aftercare=Aftercare(db, clock, gateway.send_text,
                            default_timezone=settings.default_timezone),
    )
    mailer = SmtpMailer.from_settings(settings)
    alerts = AlertDispatcher.from_settings(
        settings, db, clock, send_telegram=runner.channel.send_text,
        send_email=mailer.send if mailer is not None else None,
    )
    return [asyncio.create_task(scheduler.run_forever(stop), name="scheduler"),
            asyncio.create_task(alerts.run_forever(stop), name="coach-alerts")]


async def run_telegram(settings: Settings) -> None:
    """Run the Telegram gateway, the scheduler and the coach alerts until SIGINT/SIGTERM."""
    db = Database.from_settings(settings)
    db.migrate()
    gateway = create_gateway(settings, db)
    await gateway.start()
    runner = await start_telegram(gateway, settings)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    tasks = start_background(settings, db, gateway, runner, stop)
    try:
        await stop.wait()
    finally:
        await runner.stop()
        await asyncio.gather(*tasks)
        await gateway.close()
        await gateway.rasa.aclose()
        await runner.bot.shutdown()
        db.dispose()
