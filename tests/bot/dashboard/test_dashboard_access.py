"""Access control: every route needs a login; coaches see only their own patients."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from starlette.applications import Starlette
from starlette.routing import Route
from starlette.testclient import TestClient

from bot.dashboard.app import PUBLIC_PATHS
from bot.store.coaches import CoachNote
from bot.store.db import Database
from bot.store.models import SafetyFlag
from tests.bot.dashboard.dashboard_support import Seeded, csrf_from, login

BACKENDS = [
    pytest.param("sqlite", id="sqlite"),
    pytest.param("postgres", id="postgres", marks=pytest.mark.postgres),
]
# One concrete request per route; {p} {e} {f} are filled with the seeded ids.
PROTECTED = [
    ("GET", "/"),
    ("POST", "/logout"),
    ("GET", "/patients"),
    ("GET", "/patients/{p}"),
    ("GET", "/patients/{p}/charts/pain.png"),
    ("GET", "/patients/{p}/charts/flares.png"),
    ("GET", "/patients/{p}/charts/episodes.png"),
    ("GET", "/patients/{p}/export?format=json"),
    ("GET", "/patients/{p}/export?format=csv&table=messages"),
    ("GET", "/episodes/{e}"),
    ("POST", "/episodes/{e}/notes"),
    ("GET", "/safety"),
    ("POST", "/safety/{f}/acknowledge"),
    ("GET", "/search?q=fire"),
    ("GET", "/account/totp"),
    ("POST", "/account/totp"),
    ("GET", "/alerts"),
    ("POST", "/alerts/telegram-code"),
    ("POST", "/alerts/telegram-unlink"),
    ("POST", "/alerts/contact"),
]
ROUTE_PATTERNS = {
    "/patients/{p}": "/patients/{patient_id}",
    "/patients/{p}/charts/pain.png": "/patients/{patient_id}/charts/{name}.png",
    "/patients/{p}/export?format=json": "/patients/{patient_id}/export",
    "/episodes/{e}": "/episodes/{episode_id:int}",
    "/episodes/{e}/notes": "/episodes/{episode_id:int}/notes",
    "/safety/{f}/acknowledge": "/safety/{flag_id:int}/acknowledge",
    "/search?q=fire": "/search",
}


def _fill(path: str, seeded: Seeded, patient: str = "p-alice") -> str:
    return path.format(p=patient, e=seeded.episodes[patient], f=seeded.flags[patient])


def test_the_list_covers_every_protected_route(app: Starlette) -> None:
    covered = {(m, ROUTE_PATTERNS.get(p, p)) for m, p in PROTECTED}
    for route in app.routes:
        if not isinstance(route, Route) or route.path.startswith(PUBLIC_PATHS):
            continue
        for method in route.methods or ():
            if method != "HEAD":
                assert (method, route.path) in covered, f"{method} {route.path} is not tested"


@pytest.mark.parametrize("backend", BACKENDS, indirect=True)
@pytest.mark.parametrize(("method", "path"), PROTECTED)
def test_login_required(client: TestClient, seeded: Seeded, method: str, path: str) -> None:
    url = _fill(path, seeded)
    if method == "GET":
        response = client.get(url)
        assert response.status_code == 303
        assert response.headers["location"].startswith("/login?next=")
        return
    assert client.post(url, data={"text": "x"}).status_code == 403  # no CSRF token
    token = csrf_from(client.get("/login").text)  # an anonymous session's valid token
    response = client.post(url, data={"csrf_token": token, "text": "x", "note": "x"})
    assert response.status_code == 303
    assert response.headers["location"].startswith("/login")


@pytest.mark.parametrize("backend", BACKENDS, indirect=True)
def test_coach_cannot_reach_another_coachs_patient(
    client: TestClient, seeded: Seeded, database: Database
) -> None:
    token = login(client, "alice")
    for method, path in PROTECTED:
        if "{" not in path:
            continue
        for url in (_fill(path, seeded, "p-bob"), path.format(p="p-nobody", e=999, f=999)):
            if method == "GET":
                response = client.get(url)
            else:
                response = client.post(url, data={"csrf_token": token, "text": "x"})
            assert response.status_code == 404, url
            assert "p-bob" not in response.text
    with database.sessions() as session:
        bob_flag = session.get(SafetyFlag, seeded.flags["p-bob"])
        assert bob_flag is not None and bob_flag.acknowledged_at is None
        assert session.execute(select(CoachNote)).first() is None


@pytest.mark.parametrize("backend", BACKENDS, indirect=True)
def test_lists_show_only_own_patients(client: TestClient, seeded: Seeded) -> None:
    login(client, "alice")
    assert "p-alice" in client.get("/patients").text
    for url in ("/patients", "/safety", "/search?q=fire", "/search?q=flagged"):
        assert "p-bob" not in client.get(url).text, url
    assert "my back is on fire" not in client.get("/search?q=fire").text


@pytest.mark.parametrize("backend", BACKENDS, indirect=True)
def test_admin_sees_every_patient(client: TestClient, seeded: Seeded) -> None:
    login(client, "root")
    page = client.get("/patients").text
    assert "p-alice" in page and "p-bob" in page
    for patient in ("p-alice", "p-bob"):
        assert client.get(f"/patients/{patient}").status_code == 200
        assert client.get(f"/episodes/{seeded.episodes[patient]}").status_code == 200
    assert client.get("/patients/p-nobody").status_code == 404
