"""Helpers for the dashboard tests: a fixed clock, seeded data, logging in."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone

import pyotp
from sqlalchemy import insert
from sqlalchemy.orm import Session
from starlette.testclient import TestClient

from bot.analytics.transcript import rasa_events
from bot.store import episodes as episode_store
from bot.store import messages as message_store
from bot.store.accounts import add_coach, assign
from bot.store.checkins import save_checkin
from bot.store.db import Database
from bot.store.patients import get_or_create_patient
from bot.store.totp import CoachTotp

NOW = datetime(2024, 5, 20, 12, 0, tzinfo=timezone.utc)  # a Monday
PASSWORD = "a long test password"
ROOT_TOTP = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"  # the seeded admin's TOTP secret
XSS = "<script>alert(1)</script>"
_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


@dataclass
class Clock:
    """A clock the tests move by hand."""

    now: datetime = NOW

    def __call__(self) -> datetime:
        return self.now


@dataclass
class Seeded:
    """Ids of what :func:`seed` stored."""

    episodes: dict[str, int] = field(default_factory=dict)
    flags: dict[str, int] = field(default_factory=dict)
    messages: dict[str, list[int]] = field(default_factory=dict)


def _rasa_user_event(session: Session, sender: str, at: datetime, text: str,
                     intent: str, confidence: float) -> None:
    data = {"event": "user", "timestamp": at.timestamp(), "text": text,
            "parse_data": {"text": text, "intent": {"name": intent, "confidence": confidence}}}
    session.execute(insert(rasa_events).values(
        sender_id=sender, type_name="user", timestamp=at.timestamp(), intent_name=intent,
        data=json.dumps(data)))


def seed(database: Database, *, with_rasa: bool = True) -> Seeded:
    """Coaches alice (p-alice), bob (p-bob) and admin root; one flare per patient."""
    seeded = Seeded()
    if with_rasa:
        rasa_events.metadata.create_all(database.engine)
    with database.sessions.begin() as session:
        alice = add_coach(session, "alice", PASSWORD, NOW, rounds=4)
        bob = add_coach(session, "bob", PASSWORD, NOW, rounds=4)
        root = add_coach(session, "root", PASSWORD, NOW, is_admin=True, rounds=4)
        session.add(CoachTotp(coach_id=root.id, secret=ROOT_TOTP, enabled_at=NOW))
        for coach, pid in ((alice, "p-alice"), (bob, "p-bob")):
            patient = get_or_create_patient(session, pid, now=NOW - timedelta(days=30))
            patient.consent_given_at = NOW - timedelta(days=30)
            assign(session, coach, pid, NOW)
            start = NOW - timedelta(days=1)
            text = XSS if pid == "p-alice" else "my back is on fire"
            inbound = message_store.log_inbound(
                session, pid, channel="telegram", kind="text", text=text,
                now=start - timedelta(seconds=1), status="processed")
            episode = episode_store.open_episode(session, pid, start, text=text, severity=7,
                                                 locations=["lower back"])
            episode_store.offer_tools(session, episode, ["breathing", "reframe"])
            episode_store.use_tool(session, episode, "reframe", start + timedelta(minutes=3))
            reply = message_store.log_outbound(
                session, pid, channel="telegram", kind="text",
                text="That sounds really hard. Your alarm system is loud right now.",
                now=start + timedelta(seconds=2), reply_to_id=inbound.id)
            later = message_store.log_inbound(
                session, pid, channel="telegram", kind="text", text="100% done_with_this",
                now=start + timedelta(minutes=5), status="processed")
            episode_store.set_severity(session, episode, 4, "end")
            episode_store.close_episode(session, episode, start + timedelta(minutes=20))
            flag = episode_store.add_safety_flag(
                session, pid, "crisis", f"flagged text of {pid} {XSS}",
                start + timedelta(minutes=1), reasons=["self_harm"], episode=episode)
            for days_ago, pain in ((3, 6), (2, 5), (1, 4)):
                save_checkin(session, pid, NOW, NOW.date() - timedelta(days=days_ago),
                             pain=pain, paced=True, practice_minutes=10, note="=cmd|' /C calc'!A0")
            seeded.episodes[pid] = episode.id
            seeded.flags[pid] = flag.id
            seeded.messages[pid] = [inbound.id, reply.id, later.id]
            if with_rasa:
                _rasa_user_event(session, pid, start, text, "report_flare", 0.93)
                _rasa_user_event(session, pid, start + timedelta(minutes=5, seconds=1),
                                 "100% done_with_this", "express_despair", 0.61)
    return seeded


def csrf_from(html: str) -> str:
    """The CSRF token in a page's form."""
    match = _CSRF.search(html)
    assert match, "no CSRF token on the page"
    return match.group(1)


def login(client: TestClient, username: str, password: str = PASSWORD, at: datetime = NOW,
          totp_secret: str = ROOT_TOTP) -> str:
    """Log in through the form (with the TOTP code at ``at`` when asked); returns the CSRF
    token of the new session."""
    token = csrf_from(client.get("/login").text)
    response = client.post(
        "/login", data={"username": username, "password": password, "csrf_token": token},
        follow_redirects=False)
    assert response.status_code == 303, response.text
    if response.headers["location"] == "/login/totp":
        token = csrf_from(client.get("/login/totp").text)
        code = pyotp.TOTP(totp_secret).at(at)
        response = client.post("/login/totp", data={"code": code, "csrf_token": token})
        assert response.status_code == 303, response.text
    return csrf_from(client.get("/patients").text)


def local(day_offset: int) -> date:
    """A date relative to NOW's date."""
    return NOW.date() + timedelta(days=day_offset)
