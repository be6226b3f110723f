"""Every command, through the real client and the fake Bot API server."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import func, select

from bot.gateway import texts
from bot.gateway.commands import parse_setting
from bot.store.messages import Message
from bot.store.models import ChannelIdentity, Patient
from tests.fake_telegram.fake_rasa import FakeRasa
from tests.fake_telegram.harness import GatewayHarness


def _patient(h: GatewayHarness, user: int) -> Patient | None:
    assert h.db is not None
    with h.db.sessions() as session:
        return session.execute(
            select(Patient).join(ChannelIdentity).where(ChannelIdentity.external_id == str(user))
        ).scalar_one_or_none()


async def _command(h: GatewayHarness, user: int, text: str, replies: int = 1) -> list[str]:
    before = len(h.telegram.texts_to(user))
    await h.say(user, text)
    sent = await h.telegram.wait_texts(user, before + replies)
    return sent[before:]


async def test_commands_are_registered(harness: GatewayHarness) -> None:
    names = [c["command"] for c in harness.telegram.commands]
    assert names == ["start", "help", "sos", "safetyplan", "checkin", "progress", "settings",
                     "pause", "resume", "mydata", "delete", "stop"]


async def test_help_lists_commands(harness: GatewayHarness) -> None:
    user = await harness.consent()
    (answer,) = await _command(harness, user, "/help")
    assert answer.endswith(texts.HELP) and "/mydata" in answer
    assert answer.startswith("Need help now? /sos") and "/safetyplan" in answer


async def test_start_after_consent_does_not_ask_again(harness: GatewayHarness) -> None:
    user = await harness.consent()
    answers = await _command(harness, user, "/start", 2)
    assert answers == [texts.INTRO, texts.ALREADY_CONSENTED]


async def test_checkin_triggers_the_external_intent_and_relays_it(
    harness: GatewayHarness, fake_rasa: FakeRasa
) -> None:
    user = await harness.consent()
    (answer,) = await _command(harness, user, "/checkin")
    assert answer.startswith("Evening check-in")
    patient = _patient(harness, user)
    assert patient is not None
    assert fake_rasa.triggered == [(patient.id, "EXTERNAL_evening_checkin")]
    _, buttons = harness.telegram.last_keyboard(user)
    assert [b["text"] for b in buttons] == ["Low"]


@pytest.mark.parametrize(
    ("args", "column", "value"),
    [("time 21:30", "checkin_time", "21:30"), ("time 7:05", "checkin_time", "07:05"),
     ("timezone Europe/London", "timezone", "Europe/London"), ("country gb", "country", "GB")],
)
async def test_settings_change_one_value(
    harness: GatewayHarness, args: str, column: str, value: str
) -> None:
    user = await harness.consent()
    (answer,) = await _command(harness, user, f"/settings {args}")
    assert answer.startswith("Done")
    patient = _patient(harness, user)
    assert getattr(patient, column) == value


@pytest.mark.parametrize(
    "args", ["time 25:00", "time soon", "timezone Mars/Olympus", "country GBR", "colour blue",
             "time", "time 21:30 extra"],
)
async def test_malformed_settings_get_the_usage_text(harness: GatewayHarness, args: str) -> None:
    user = await harness.consent()
    (answer,) = await _command(harness, user, f"/settings {args}")
    assert answer == texts.SETTINGS_USAGE
    patient = _patient(harness, user)
    assert patient is not None and patient.checkin_time == "20:00"


async def test_settings_without_arguments_show_current_values(harness: GatewayHarness) -> None:
    user = await harness.consent()
    (answer,) = await _command(harness, user, "/settings")
    assert "check-in time: 20:00" in answer and texts.SETTINGS_USAGE in answer


def test_parse_setting_normalises() -> None:
    assert parse_setting("TIME", "9:00") == ("checkin_time", "09:00")
    assert parse_setting("country", "us") == ("country", "US")
    assert parse_setting("timezone", "../etc/passwd") is None


async def test_pause_resume_and_stop(harness: GatewayHarness) -> None:
    user = await harness.consent()
    assert await _command(harness, user, "/pause") == [texts.PAUSED]
    patient = _patient(harness, user)
    assert patient is not None and patient.checkins_paused
    (answer,) = await _command(harness, user, "/resume")
    assert answer == texts.RESUMED.format(time="20:00")
    patient = _patient(harness, user)
    assert patient is not None and not patient.checkins_paused
    assert await _command(harness, user, "/stop") == [texts.STOPPED]
    patient = _patient(harness, user)
    assert patient is not None and patient.checkins_paused
    assert harness.gateway is not None
    with pytest.raises(Exception, match="cannot be reached"):
        await harness.gateway.send_text(patient.id, "a reminder")
    await _command(harness, user, "hello again")  # writing again lifts the stop
    await harness.gateway.send_text(patient.id, "a reminder")
    assert harness.telegram.texts_to(user)[-1] == "a reminder"


async def test_mydata_sends_everything_as_json(harness: GatewayHarness) -> None:
    user = await harness.consent()
    await _command(harness, user, "my feet hurt")
    await harness.say(user, "/mydata")
    await harness.telegram.wait_for(lambda: harness.telegram.documents)
    document = harness.telegram.documents[-1]["document"]
    data = json.loads(document["data"])
    patient = _patient(harness, user)
    assert patient is not None and data["patient"]["id"] == patient.id
    assert data["channel_identities"][0]["external_id"] == str(user)
    for table in ("episodes", "fear_statements", "safety_flags", "checkins", "messages"):
        assert table in data
    assert "my feet hurt" in [m["text"] for m in data["messages"]]


async def test_delete_needs_confirmation_then_erases_everything(
    harness: GatewayHarness, fake_rasa: FakeRasa
) -> None:
    user = await harness.consent()
    await _command(harness, user, "remember this")
    patient = _patient(harness, user)
    assert patient is not None
    (question,) = await _command(harness, user, "/delete")
    assert question == texts.DELETE_QUESTION
    before = len(harness.telegram.texts_to(user))
    await harness.press(user, texts.DELETE_NO)
    assert (await harness.telegram.wait_texts(user, before + 1))[-1] == texts.DELETE_CANCELLED
    assert _patient(harness, user) is not None
    await _command(harness, user, "/delete")
    before = len(harness.telegram.texts_to(user))
    await harness.press(user, texts.DELETE_YES)
    assert (await harness.telegram.wait_texts(user, before + 1))[-1] == texts.DELETED
    assert _patient(harness, user) is None
    assert harness.db is not None
    with harness.db.sessions() as session:
        left = session.execute(
            select(func.count()).select_from(Message).where(Message.patient_id == patient.id)
        ).scalar_one()
        assert left == 0
        assert session.get(Patient, patient.id) is None
    assert fake_rasa.resets == [patient.id]
    again = (await _command(harness, user, "hello", 2))[0]
    assert again == texts.CONSENT_PENDING


async def test_a_second_press_on_delete_yes_neither_fails_nor_erases_twice(
    harness: GatewayHarness, fake_rasa: FakeRasa
) -> None:
    """A double tap (or Telegram's retried callback) after the erase: answered, no error,
    nothing erased or reset a second time, and no new patient row."""
    user = await harness.consent()
    await _command(harness, user, "remember this")
    patient = _patient(harness, user)
    assert patient is not None
    await _command(harness, user, "/delete")
    message_id, buttons = harness.telegram.last_keyboard(user)
    yes = next(b["callback_data"] for b in buttons if b["text"] == texts.DELETE_YES)
    before = len(harness.telegram.texts_to(user))
    harness.telegram.inject_press(user, message_id, yes)
    assert (await harness.telegram.wait_texts(user, before + 1))[-1] == texts.DELETED
    harness.telegram.inject_press(user, message_id, yes)  # the same button again
    answers = await harness.telegram.wait_texts(user, before + 2)
    assert texts.DELETED not in answers[before + 1:]
    assert fake_rasa.resets == [patient.id]
    assert _patient(harness, user) is None
    assert harness.db is not None
    with harness.db.sessions() as session:
        assert session.get(Patient, patient.id) is None


async def test_unknown_command(harness: GatewayHarness, fake_rasa: FakeRasa) -> None:
    user = await harness.consent()
    assert await _command(harness, user, "/crisis") == [texts.UNKNOWN_COMMAND]
    assert fake_rasa.received == []


async def test_start_with_an_invite_code_links_the_coach(harness: GatewayHarness) -> None:
    from datetime import datetime, timezone

    from bot.store.accounts import add_coach
    from bot.store.coaches import CoachPatient
    from bot.store.invites import create_invite

    assert harness.db is not None
    now = datetime.now(timezone.utc)
    with harness.db.sessions.begin() as session:
        coach = add_coach(session, "coach-ann", "a long enough password 123", now)
        code = create_invite(session, coach, now)
    user = await harness.consent()
    (answer,) = await _command(harness, user, f"/start {code}")
    assert answer == texts.INVITE_OK.format(coach="coach-ann")
    patient = _patient(harness, user)
    assert patient is not None
    with harness.db.sessions() as session:
        links = session.execute(select(CoachPatient.patient_id)).scalars().all()
    assert links == [patient.id]
    (again,) = await _command(harness, user, f"/start {code}")
    assert again == texts.INVITE_INVALID
    (wrong,) = await _command(harness, user, "/start not-a-code")
    assert wrong == texts.INVITE_INVALID
