"""The patient page shows the patient's safety plan to their coach (escaped), and only to them."""

from __future__ import annotations

from starlette.testclient import TestClient

from bot.content.sos import get_sos_content
from bot.store import safety_plans as plans
from bot.store.db import Database
from tests.bot.dashboard.dashboard_support import NOW, XSS, Seeded, login


def _section(html: str) -> str:
    return html[html.index('id="safety-plan"'):html.index("<h2>Goals")]


def test_the_coach_sees_the_plan_escaped(client: TestClient, seeded: Seeded,
                                         database: Database) -> None:
    with database.sessions.begin() as session:
        plans.start(session, "p-alice", NOW)
        plans.answer(session, "p-alice", f"call my sister {XSS}", NOW)  # warning signs
        plans.answer(session, "p-alice", "slow breathing", NOW)  # coping
    login(client, "alice")
    section = _section(client.get("/patients/p-alice").text)
    content = get_sos_content().plan
    assert all(step.title in section for step in content.steps)
    assert "slow breathing" in section and "not finished yet" in section
    assert XSS not in section and "&lt;script&gt;" in section
    assert section.count("(not filled in)") == 4


def test_no_plan_yet_and_other_coaches_see_nothing(client: TestClient, seeded: Seeded,
                                                   database: Database) -> None:
    login(client, "bob")
    assert "No safety plan yet." in _section(client.get("/patients/p-bob").text)
    assert client.get("/patients/p-alice").status_code == 404
