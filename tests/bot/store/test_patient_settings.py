"""The patient's own settings and /stop, as the gateway's commands use them."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy.orm import Session

from bot.store import messages as log
from bot.store.patients import (
    get_or_create_patient,
    identities_of,
    link_identity,
    require_patient,
    set_patient_field,
    stop_messages,
)
from bot.store.schedule import PacingReminder, ReminderStatus, schedule_reminder

NOW = datetime(2024, 2, 1, 8, 0, tzinfo=timezone.utc)


def test_require_patient_and_set_a_field(db_session: Session) -> None:
    get_or_create_patient(db_session, "p-s", now=NOW)
    assert set_patient_field(db_session, "p-s", "checkin_time", "21:15").checkin_time == "21:15"
    assert require_patient(db_session, "p-s").checkin_time == "21:15"
    with pytest.raises(LookupError):
        require_patient(db_session, "p-nobody")


def test_stop_pauses_marks_stopped_and_cancels_reminders(db_session: Session) -> None:
    get_or_create_patient(db_session, "p-s", now=NOW)
    reminder_id = schedule_reminder(db_session, "p-s", NOW + timedelta(minutes=25), "break",
                                    now=NOW)
    stop_messages(db_session, "p-s", NOW)
    db_session.flush()
    reminder = db_session.get(PacingReminder, reminder_id, populate_existing=True)
    assert reminder is not None
    assert require_patient(db_session, "p-s").checkins_paused is True
    assert log.is_stopped(db_session, "p-s")
    assert reminder.status == ReminderStatus.CANCELLED.value


def test_identities_of(db_session: Session) -> None:
    get_or_create_patient(db_session, "p-s", now=NOW)
    assert identities_of(db_session, "p-s") == []
    link_identity(db_session, "p-s", "telegram", 4711, now=NOW)
    assert identities_of(db_session, "p-s") == [("telegram", "4711")]
