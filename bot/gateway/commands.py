"""The gateway's own commands: /start /help /progress /settings /pause /resume /mydata
/delete /stop.

/checkin is not here: it goes to Rasa (``EXTERNAL_evening_checkin``) like a message.
Malformed arguments are answered with the usage text.
"""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import Awaitable, Callable
from datetime import datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy.orm import Session

from bot.gateway import sos, texts
from bot.gateway.delivery import Outbox
from bot.gateway.model import DELETE_NO, DELETE_YES, Channel
from bot.gateway.plan_flow import SafetyPathway
from bot.gateway.rasa_client import RasaClient, RasaError
from bot.gateway.records import erase_patient, export_json
from bot.gateway.tx import in_tx
from bot.progress import progress_chart, progress_data, progress_text
from bot.store import notices
from bot.store.db import Database
from bot.store.invites import InviteError, redeem_invite
from bot.store.patients import require_patient, set_patient_field, stop_messages

logger = logging.getLogger(__name__)

_HHMM = re.compile(r"^([01]?\d|2[0-3]):([0-5]\d)$")
_COUNTRY = re.compile(r"^[A-Za-z]{2}$")
_SWITCH = {"on": True, "off": False}


def parse_setting(what: str, value: str) -> tuple[str, str | bool] | None:
    """Validate one /settings argument pair; return (column, normalised value) or None."""
    what = what.lower()
    if what == "weekly" and value.lower() in _SWITCH:
        return "weekly_summary", _SWITCH[value.lower()]
    if what == "time" and (match := _HHMM.match(value)):
        return "checkin_time", f"{int(match.group(1)):02d}:{match.group(2)}"
    if what in ("timezone", "tz", "zone"):
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            return None
        return "timezone", value
    if what == "country" and _COUNTRY.match(value):
        return "country", value.upper()
    return None


# The setting's name in settings_saved, by field: the gateway.yml text's name.
_LABELS = {"checkin_time": "LABEL_CHECKIN_TIME", "timezone": "LABEL_TIMEZONE",
           "country": "LABEL_COUNTRY"}


def _describe(session: Session, patient_id: str) -> str:
    patient = require_patient(session, patient_id)
    return texts.SETTINGS_CURRENT.format(
        time=patient.checkin_time,
        timezone=patient.timezone,
        country=patient.country,
        state="paused" if patient.checkins_paused else "on",
        weekly="on" if patient.weekly_summary else "off",
    )


def _redeem(session: Session, code: str, patient_id: str, now: datetime) -> str:
    """Link the patient to the coach behind an invite code; say how it went."""
    savepoint = session.begin_nested()
    try:
        coach = redeem_invite(session, code.strip(), patient_id, now)
    except InviteError:
        savepoint.rollback()
        return texts.INVITE_INVALID
    savepoint.commit()
    return texts.INVITE_OK.format(coach=coach.username)


def _update(session: Session, patient_id: str, column: str, value: object) -> str:
    return str(set_patient_field(session, patient_id, column, value).checkin_time)


class Commands:
    """Runs local commands for a consenting patient."""

    def __init__(
        self,
        db: Database,
        outbox: Outbox,
        rasa: RasaClient,
        now: Callable[[], datetime],
        safety: SafetyPathway,
    ) -> None:
        self._db = db
        self._outbox = outbox
        self._rasa = rasa
        self._now = now
        self._safety = safety

    async def run(
        self,
        channel: Channel,
        chat_id: int,
        patient_id: str,
        name: str,
        args: list[str],
        reply_to: int | None,
    ) -> None:
        """Run command ``name`` with ``args`` and answer in the chat."""

        async def say(text: str, **kw: object) -> None:
            await self._outbox.send_plain(
                channel,
                chat_id,
                patient_id,
                text,
                reply_to=reply_to,
                **kw,  # type: ignore[arg-type]
            )

        if name == "start" and args:
            await say(await in_tx(self._db, _redeem, args[0], patient_id, self._now()))
        elif name == "start":
            await say(texts.INTRO)
            await say(texts.ALREADY_CONSENTED)
        elif name == "help":
            await say(sos.help_text())
        elif name == "sos":
            await self._safety.sos(channel, chat_id, patient_id, args, reply_to)
        elif name in ("safetyplan", "start_safety_plan"):
            await self._safety.command(channel, chat_id, patient_id, name, reply_to)
        elif name == "progress":
            await self._progress(channel, chat_id, patient_id, reply_to)
        elif name == "settings":
            await self._settings(patient_id, args, say)
        elif name == "pause":
            await in_tx(self._db, _update, patient_id, "checkins_paused", True)
            await say(texts.PAUSED)
        elif name == "resume":
            time = await in_tx(self._db, _update, patient_id, "checkins_paused", False)
            await say(texts.RESUMED.format(time=time))
        elif name == "stop":
            await in_tx(self._db, stop_messages, patient_id, self._now())
            await say(texts.STOPPED)
        elif name == "mydata":
            await self._mydata(channel, chat_id, patient_id, reply_to)
        elif name == "delete":
            await say(
                texts.DELETE_QUESTION,
                buttons=[(texts.DELETE_YES, DELETE_YES), (texts.DELETE_NO, DELETE_NO)],
            )
        else:
            await say(texts.UNKNOWN_COMMAND)

    async def _settings(self, patient_id: str, args: list[str], say: Callable) -> None:
        if not args:
            await say(await in_tx(self._db, _describe, patient_id) + texts.SETTINGS_USAGE)
            return
        parsed = parse_setting(args[0], args[1]) if len(args) == 2 else None
        if parsed is None:
            await say(texts.SETTINGS_USAGE)
            return
        column, value = parsed
        await in_tx(self._db, _update, patient_id, column, value)
        if column == "weekly_summary":
            await say(texts.WEEKLY_ON if value else texts.WEEKLY_OFF)
            return
        await say(texts.SETTINGS_SAVED.format(what=getattr(texts, _LABELS[column]), value=value))

    async def _upload(
        self,
        channel: Channel,
        chat_id: int,
        patient_id: str,
        reply_to: int | None,
        kind: str,
        text: str,
        send: Callable[[], Awaitable[int | None]],
    ) -> bool:
        """Send a file or picture and log it (``text`` is what the log shows)."""
        return await self._outbox.send_logged(
            channel, chat_id, patient_id, kind, text, send, reply_to=reply_to
        )

    async def _mydata(
        self, channel: Channel, chat_id: int, patient_id: str, reply_to: int | None
    ) -> None:
        data = await in_tx(self._db, export_json, patient_id)
        filename = "my-flare-assistant-data.json"
        await self._upload(
            channel,
            chat_id,
            patient_id,
            reply_to,
            "document",
            filename,
            lambda: channel.send_document(chat_id, filename, data, texts.MYDATA_CAPTION),
        )

    async def _progress(
        self, channel: Channel, chat_id: int, patient_id: str, reply_to: int | None
    ) -> None:
        """The chart (pain trend above flares per week) with the summary as its caption.

        Nothing logged yet: only the kind empty-case text. If the picture cannot be sent,
        the summary still goes out as a plain message.
        """
        data = await in_tx(self._db, progress_data, patient_id, self._now())
        text = progress_text(data.summary)
        if data.summary.has_any_data:
            png = await asyncio.to_thread(progress_chart, data)
            name = texts.PROGRESS_PICTURE_NAME
            if await self._upload(
                channel,
                chat_id,
                patient_id,
                reply_to,
                "image",
                text,
                lambda: channel.send_photo(chat_id, name, png, text),
            ):
                return
        await self._outbox.send_plain(channel, chat_id, patient_id, text, reply_to=reply_to)

    async def erase(self, channel: Channel, chat_id: int, patient_id: str) -> None:
        """Erase everything about the patient (after the confirmation button).

        The confirmation is written in the erasing transaction as a message owed to the
        chat (:mod:`bot.store.notices`), then sent: if this worker dies before sending it,
        another worker's retry pass (or this one's after a restart) sends it, once.
        """
        now = self._now()

        def erase_and_owe(session: Session) -> int:
            kept_safety_record = erase_patient(session, patient_id, now)
            done = texts.DELETED_SAFETY_KEPT if kept_safety_record else texts.DELETED
            return notices.add(session, channel.name, chat_id, done, now)

        notice_id = await in_tx(self._db, erase_and_owe)
        try:
            await self._rasa.reset_conversation(patient_id)
        except RasaError as exc:  # rows are gone already when the tracker shares our database
            logger.warning("could not reset Rasa's tracker for an erased patient: %s", exc)
        await self._outbox.send_notice(notice_id, {channel.name: channel})
