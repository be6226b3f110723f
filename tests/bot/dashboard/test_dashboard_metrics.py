"""Goals, chart series and the episode transcript window with intent matching."""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta, timezone

from sqlalchemy import insert
from sqlalchemy.orm import Session

from bot.analytics import metrics
from bot.analytics.transcript import episode_transcript, rasa_events
from bot.store import episodes as episode_store
from bot.store import messages as message_store
from bot.store.checkins import save_checkin
from bot.store.db import Database
from bot.store.models import Patient
from bot.store.patients import get_or_create_patient

NOW = datetime(2024, 5, 22, 12, 0, tzinfo=timezone.utc)  # Wednesday


def _patient(session: Session, zone: str = "Europe/Berlin") -> Patient:
    patient = get_or_create_patient(session, "p-1", now=NOW - timedelta(days=60))
    patient.timezone = zone
    session.flush()
    return patient


def _flare(session: Session, start: datetime, tools: list[str], severity: tuple[int, int],
           minutes: int = 30) -> int:
    episode = episode_store.open_episode(session, "p-1", start, text="flare",
                                         severity=severity[0])
    for tool in tools:
        episode_store.use_tool(session, episode, tool)
    episode_store.set_severity(session, episode, severity[1], "end")
    episode_store.close_episode(session, episode, start + timedelta(minutes=minutes))
    return int(episode.id)


def test_goal_progress(database: Database) -> None:
    with database.sessions.begin() as session:
        patient = _patient(session)
        _flare(session, NOW - timedelta(days=40), ["breathing"], (5, 5))  # 6th latest: ignored
        for n, tools in enumerate([["reframe"], ["reframe"], [], ["reframe"], ["reframe"]]):
            _flare(session, NOW - timedelta(days=30 - n), tools, (6, 3))
        today = date(2024, 5, 22)
        for days_ago, paced, minutes in ((0, True, 0), (1, True, 5), (2, False, None),
                                         (3, True, 10), (6, True, None), (7, True, 10)):
            save_checkin(session, "p-1", NOW, today - timedelta(days=days_ago), paced=paced,
                         practice_minutes=minutes)
        # 23:30 UTC on the 19th is the 20th in Berlin: a fourth practice day
        _flare(session, datetime(2024, 5, 19, 23, 30, tzinfo=timezone.utc), ["grounding"], (7, 5))
        goals = {g.key: g for g in metrics.goal_progress(session, patient, NOW)}
    assert (goals["reframe"].value, goals["reframe"].out_of, goals["reframe"].met) == (3, 5, False)
    assert (goals["pacing"].value, goals["pacing"].out_of, goals["pacing"].met) == (4, 7, True)
    assert (goals["practice"].value, goals["practice"].target) == (3, 5)


def test_reframe_goal_counts_the_last_five(database: Database) -> None:
    with database.sessions.begin() as session:
        patient = _patient(session)
        for n in range(5):
            _flare(session, NOW - timedelta(days=5 - n), ["reframe"] if n else [], (5, 4))
        goal = metrics.goal_progress(session, patient, NOW)[0]
    assert (goal.value, goal.out_of, goal.met) == (4, 5, True)


def test_flares_per_week_and_outcomes(database: Database) -> None:
    with database.sessions.begin() as session:
        patient = _patient(session)
        monday = datetime(2024, 5, 19, 22, 30, tzinfo=timezone.utc)  # Monday 00:30 in Berlin
        first = _flare(session, monday, ["breathing"], (8, 5), minutes=45)
        _flare(session, monday - timedelta(days=7), [], (4, 6))
        _flare(session, monday - timedelta(hours=1), [], (6, 6))  # Sunday in Berlin
        weeks = metrics.flares_per_week(session, patient, NOW, weeks=3)
        outcomes = metrics.episode_outcomes(session, "p-1", NOW - timedelta(days=3))
    assert weeks == [(date(2024, 5, 6), 0), (date(2024, 5, 13), 2), (date(2024, 5, 20), 1)]
    assert [(o.episode_id, o.drop, o.minutes) for o in outcomes][-1] == (first, 3, 45.0)
    assert [o.drop for o in outcomes] == [0, 3]


def test_pain_series_skips_unanswered(database: Database) -> None:
    with database.sessions.begin() as session:
        _patient(session)
        save_checkin(session, "p-1", NOW, date(2024, 5, 20), pain=6)
        save_checkin(session, "p-1", NOW, date(2024, 5, 21), pain=None)
        save_checkin(session, "p-1", NOW, date(2024, 5, 22), pain=3)
        series = metrics.pain_series(session, "p-1", date(2024, 5, 21), date(2024, 5, 22))
    assert series == [(date(2024, 5, 22), 3)]


def _event(session: Session, at: datetime, text: str, intent: str, confidence: float) -> None:
    data = {"text": text, "parse_data": {"intent": {"name": intent, "confidence": confidence}}}
    session.execute(insert(rasa_events).values(sender_id="p-1", type_name="user",
                                               timestamp=at.timestamp(), data=json.dumps(data)))


def test_transcript_window_and_intents(database: Database) -> None:
    rasa_events.metadata.create_all(database.engine)
    start = NOW - timedelta(hours=2)

    def inbound(session: Session, at: datetime, text: str, payload: str | None = None) -> None:
        message_store.log_inbound(session, "p-1", channel="telegram", kind="text", text=text,
                                  payload=payload, now=at, status="processed")

    with database.sessions.begin() as session:
        _patient(session)
        inbound(session, start - timedelta(minutes=30), "earlier chat")
        inbound(session, start - timedelta(seconds=2), "knees flaring")
        episode = episode_store.open_episode(session, "p-1", start, text="knees flaring")
        message_store.log_outbound(session, "p-1", channel="telegram", kind="text",
                                   text="I'm here with you.", now=start + timedelta(seconds=1))
        inbound(session, start + timedelta(minutes=1), "Breathing", payload="/request_breathing")
        inbound(session, start + timedelta(minutes=2), "knees flaring")  # Rasa never saw it
        episode_store.close_episode(session, episode, start + timedelta(minutes=3))
        message_store.log_outbound(session, "p-1", channel="telegram", kind="text",
                                   text="Take care.", now=start + timedelta(minutes=3, seconds=1))
        inbound(session, start + timedelta(minutes=4), "unrelated later")
        _event(session, start - timedelta(minutes=30), "earlier chat", "greet", 0.9)
        _event(session, start - timedelta(seconds=1), "knees flaring", "report_flare", 0.88)
        _event(session, start + timedelta(minutes=1, seconds=3), "/request_breathing",
               "request_breathing", 1.0)
        lines = [(line.message.text, line.intent, line.confidence)
                 for line in episode_transcript(session, episode)]
    assert lines == [
        ("knees flaring", "report_flare", 0.88),
        ("I'm here with you.", None, None),
        ("Breathing", "request_breathing", 1.0),
        ("knees flaring", None, None),
        ("Take care.", None, None),
    ]


def test_transcript_without_rasa_table(database: Database) -> None:
    with database.sessions.begin() as session:
        _patient(session)
        message_store.log_inbound(session, "p-1", channel="telegram", kind="text",
                                  text="ow", now=NOW, status="processed")
        episode = episode_store.open_episode(session, "p-1", NOW, text="ow")
        lines = episode_transcript(session, episode)
    assert [(line.message.text, line.intent) for line in lines] == [("ow", None)]


def test_transcript_joins_rasa_events_on_the_message_id_in_the_metadata(
    database: Database,
) -> None:
    rasa_events.metadata.create_all(database.engine)
    with database.sessions.begin() as session:
        _patient(session)
        first = message_store.log_inbound(session, "p-1", channel="telegram", kind="text",
                                          text="ow ow", now=NOW, status="processed")
        second = message_store.log_inbound(session, "p-1", channel="telegram", kind="text",
                                           text="ow ow", now=NOW, status="processed")
        episode = episode_store.open_episode(session, "p-1", NOW, text="ow ow")
        # Same text twice, the events in the other order: only the ids can tell them apart.
        for message, intent in ((second, "report_flare"), (first, "greet")):
            data = {"text": "ow ow", "metadata": {"message_id": message.id},
                    "parse_data": {"intent": {"name": intent, "confidence": 0.5}}}
            session.execute(insert(rasa_events).values(
                sender_id="p-1", type_name="user", timestamp=(NOW + timedelta(seconds=2))
                .timestamp(), data=json.dumps(data)))
        lines = [(line.message.id, line.intent) for line in episode_transcript(session, episode)]
    assert lines == [(first.id, "greet"), (second.id, "report_flare")]
