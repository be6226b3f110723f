"""Episode log: idle timeout, reuse and merging, closing, fears, safety flags, reframes."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.store.episodes import (
    IDLE_TIMEOUT,
    add_fear_statement,
    add_safety_flag,
    close_episode,
    current_episode,
    offer_tools,
    open_episode,
    record_reframe_use,
    set_severity,
    touch,
    use_tool,
    used_reframe_ids,
)
from bot.store.models import Episode, SafetyFlag
from bot.store.patients import get_or_create_patient

T0 = datetime(2024, 5, 1, 9, 0, tzinfo=timezone.utc)


@pytest.fixture
def patient_id(db_session: Session) -> str:
    """A patient that exists in the database."""
    return get_or_create_patient(db_session, "p-ep", now=T0).id


def test_open_episode_starts_a_new_episode(db_session: Session, patient_id: str) -> None:
    episode = open_episode(
        db_session,
        patient_id,
        T0,
        text="my lower back is on fire, 7 out of 10",
        severity=7,
        locations=["lower back"],
        triggers=["poor_sleep"],
    )
    assert episode.id is not None
    assert episode.started_at == T0
    assert episode.last_activity_at == T0
    assert episode.ended_at is None
    assert episode.severity_start == 7
    assert episode.locations == ["lower back"]
    assert episode.triggers == ["poor_sleep"]
    assert episode.first_message == "my lower back is on fire, 7 out of 10"


def test_open_episode_reuses_and_merges(db_session: Session, patient_id: str) -> None:
    first = open_episode(
        db_session, patient_id, T0, text="flare", severity=6, locations=["feet"], triggers=["cold"]
    )
    later = T0 + timedelta(minutes=30)
    again = open_episode(
        db_session,
        patient_id,
        later,
        text="now my hands too",
        severity=8,
        locations=["hands", "feet"],
        triggers=["stress", "cold"],
    )
    assert again.id == first.id
    assert again.locations == ["feet", "hands"]
    assert again.triggers == ["cold", "stress"]
    assert again.severity_start == 6
    assert again.severity_end == 8
    assert again.first_message == "flare"
    assert again.last_activity_at == later
    open_count = db_session.execute(select(Episode).where(Episode.ended_at.is_(None))).all()
    assert len(open_count) == 1


def test_merged_lists_are_persisted(db_session: Session, patient_id: str) -> None:
    episode = open_episode(db_session, patient_id, T0, text="x", triggers=["stress"])
    open_episode(db_session, patient_id, T0 + timedelta(minutes=1), text="y", triggers=["heat"])
    db_session.commit()
    db_session.expire_all()
    loaded = db_session.get(Episode, episode.id)
    assert loaded is not None
    assert loaded.triggers == ["stress", "heat"]


def test_idle_episode_is_closed_as_timeout(db_session: Session, patient_id: str) -> None:
    old = open_episode(db_session, patient_id, T0, text="flare")
    touch(db_session, old, T0 + timedelta(minutes=10))

    assert current_episode(db_session, patient_id, T0 + timedelta(minutes=10) + IDLE_TIMEOUT)
    late = T0 + timedelta(minutes=11) + IDLE_TIMEOUT
    assert current_episode(db_session, patient_id, late) is None

    assert old.close_reason == "timeout"
    assert old.ended_at == T0 + timedelta(minutes=10)
    new = open_episode(db_session, patient_id, late, text="another one")
    assert new.id != old.id
    assert new.started_at == late


def test_custom_idle_timeout(db_session: Session, patient_id: str) -> None:
    open_episode(db_session, patient_id, T0, text="flare")
    idle = timedelta(minutes=15)
    assert current_episode(db_session, patient_id, T0 + timedelta(minutes=14), idle) is not None
    assert current_episode(db_session, patient_id, T0 + timedelta(minutes=16), idle) is None


def test_touch_never_goes_backwards(db_session: Session, patient_id: str) -> None:
    episode = open_episode(db_session, patient_id, T0, text="flare")
    touch(db_session, episode, T0 + timedelta(hours=1))
    touch(db_session, episode, T0 + timedelta(minutes=5))
    assert episode.last_activity_at == T0 + timedelta(hours=1)


def test_episodes_belong_to_their_patient(db_session: Session, patient_id: str) -> None:
    other = get_or_create_patient(db_session, "p-other", now=T0).id
    open_episode(db_session, patient_id, T0, text="flare")
    assert current_episode(db_session, other, T0) is None


def test_close_episode(db_session: Session, patient_id: str) -> None:
    episode = open_episode(db_session, patient_id, T0, text="flare")
    end = T0 + timedelta(minutes=20)
    close_episode(db_session, episode, end, reason="crisis")
    assert (episode.ended_at, episode.close_reason) == (end, "crisis")
    assert episode.last_activity_at == end
    close_episode(db_session, episode, end + timedelta(hours=1))  # no-op
    assert (episode.ended_at, episode.close_reason) == (end, "crisis")
    assert current_episode(db_session, patient_id, end) is None
    with pytest.raises(ValueError, match="closed"):
        offer_tools(db_session, episode, ["breathing"])


def test_close_episode_rejects_unknown_reason(db_session: Session, patient_id: str) -> None:
    episode = open_episode(db_session, patient_id, T0, text="flare")
    with pytest.raises(ValueError, match="reason"):
        close_episode(db_session, episode, T0, reason="bored")


def test_set_severity(db_session: Session, patient_id: str) -> None:
    episode = open_episode(db_session, patient_id, T0, text="flare")
    set_severity(db_session, episode, 8, "start")
    set_severity(db_session, episode, 4, "end")
    assert (episode.severity_start, episode.severity_end) == (8, 4)


@pytest.mark.parametrize("value", [-1, 11, 5.5, True, "7", None])
def test_set_severity_rejects_bad_values(
    db_session: Session, patient_id: str, value: object
) -> None:
    episode = open_episode(db_session, patient_id, T0, text="flare")
    with pytest.raises(ValueError):
        set_severity(db_session, episode, value, "start")  # type: ignore[arg-type]


def test_set_severity_rejects_bad_phase(db_session: Session, patient_id: str) -> None:
    episode = open_episode(db_session, patient_id, T0, text="flare")
    with pytest.raises(ValueError, match="phase"):
        set_severity(db_session, episode, 5, "middle")  # type: ignore[arg-type]


def test_open_episode_rejects_out_of_range_severity(db_session: Session, patient_id: str) -> None:
    with pytest.raises(ValueError, match="severity"):
        open_episode(db_session, patient_id, T0, text="flare", severity=12)


def test_naive_now_is_rejected(db_session: Session, patient_id: str) -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        open_episode(db_session, patient_id, datetime(2024, 5, 1, 9, 0), text="flare")


def test_tools_offered_and_used(db_session: Session, patient_id: str) -> None:
    episode = open_episode(db_session, patient_id, T0, text="flare")
    offer_tools(db_session, episode, ["breathing", "grounding"])
    offer_tools(db_session, episode, ["grounding", "pacing"], now=T0 + timedelta(minutes=3))
    use_tool(db_session, episode, "breathing")
    use_tool(db_session, episode, "breathing")
    assert episode.tools_offered == ["breathing", "grounding", "pacing"]
    assert episode.tools_used == ["breathing"]
    assert episode.last_activity_at == T0 + timedelta(minutes=3)


def test_fear_statements(db_session: Session, patient_id: str) -> None:
    episode = open_episode(db_session, patient_id, T0, text="flare")
    later = T0 + timedelta(minutes=2)
    add_fear_statement(db_session, episode, "what if my spine is crumbling", "damage", later)
    add_fear_statement(db_session, episode, "this will never end", "permanence", later)
    db_session.commit()
    db_session.expire_all()
    loaded = db_session.get(Episode, episode.id)
    assert loaded is not None
    assert [(f.kind, f.text) for f in loaded.fear_statements] == [
        ("damage", "what if my spine is crumbling"),
        ("permanence", "this will never end"),
    ]
    assert loaded.last_activity_at == later
    with pytest.raises(ValueError):
        add_fear_statement(db_session, loaded, "   ", "damage", later)


def test_safety_flags(db_session: Session, patient_id: str) -> None:
    episode = open_episode(db_session, patient_id, T0, text="flare")
    with_episode = add_safety_flag(
        db_session,
        patient_id,
        "red_flag",
        "I can't feel my legs",
        T0,
        reasons=["sudden weakness"],
        episode=episode,
    )
    alone = add_safety_flag(db_session, patient_id, "despair_check", "I can't go on", T0)
    assert with_episode.episode_id == episode.id
    assert with_episode.reasons == ["sudden weakness"]
    assert alone.episode_id is None
    assert alone.acknowledged_at is None
    assert len(db_session.execute(select(SafetyFlag)).all()) == 2
    with pytest.raises(ValueError, match="kind"):
        add_safety_flag(db_session, patient_id, "sadness", "x", T0)


def test_reframe_use_history(db_session: Session, patient_id: str) -> None:
    other = get_or_create_patient(db_session, "p-other", now=T0).id
    record_reframe_use(db_session, patient_id, "false_alarm", "reframe", T0)
    record_reframe_use(db_session, patient_id, "hurt_not_harm", "reframe", T0 + timedelta(days=2))
    record_reframe_use(db_session, patient_id, "false_alarm", "reframe", T0 + timedelta(days=3))
    record_reframe_use(db_session, patient_id, "box_breathing", "breathing", T0)
    record_reframe_use(db_session, other, "setback_not_failure", "reframe", T0)

    assert used_reframe_ids(db_session, patient_id, "reframe") == {"false_alarm", "hurt_not_harm"}
    assert used_reframe_ids(db_session, patient_id, "breathing") == {"box_breathing"}
    assert used_reframe_ids(db_session, other, "reframe") == {"setback_not_failure"}
    assert used_reframe_ids(db_session, patient_id, "reframe", since=T0 + timedelta(days=1)) == {
        "false_alarm",
        "hurt_not_harm",
    }
    assert used_reframe_ids(
        db_session, patient_id, "reframe", since=T0 + timedelta(days=2, hours=1)
    ) == {"false_alarm"}
    assert used_reframe_ids(db_session, patient_id, "grounding") == set()


def test_a_flag_on_an_open_episode_counts_as_activity(db_session) -> None:  # type: ignore[no-untyped-def]
    from datetime import datetime, timedelta, timezone

    from bot.store import episodes
    from bot.store.patients import get_or_create_patient

    start = datetime(2026, 11, 1, 20, 0, tzinfo=timezone.utc)
    get_or_create_patient(db_session, "p-flag", now=start)
    episode = episodes.open_episode(db_session, "p-flag", start, text="flaring")
    later = start + timedelta(minutes=30)
    episodes.add_safety_flag(
        db_session, "p-flag", "crisis", "i want to die", later, episode=episode
    )
    assert episode.last_activity_at == later
