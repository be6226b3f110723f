"""Server limits and headers (500s and HSTS too), clamped dates, CSV formula escaping,
NUL bytes in search, and invisible characters in transcripts."""

from __future__ import annotations

import pytest
from starlette.testclient import TestClient

from bot.analytics import export
from bot.dashboard.app import create_app
from bot.dashboard.config import DashboardConfig
from bot.settings import Settings
from bot.store import coach_queries as queries
from bot.store import messages as message_store
from bot.store.accounts import require_coach
from bot.store.db import Database
from tests.bot.dashboard.dashboard_support import NOW, Clock, Seeded, login


def _app(database: Database, clock: Clock, **kw: object) -> object:
    config = DashboardConfig(secret_key="k" * 48, bcrypt_rounds=4, clock=clock)
    return create_app(Settings(), database, DashboardConfig(**{**config.__dict__, **kw}))


def test_a_500_carries_the_security_headers(database: Database, clock: Clock, seeded: Seeded,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(*args: object) -> None:
        raise RuntimeError("boom")

    app = _app(database, clock, secure_cookies=True)
    with TestClient(app, base_url="https://testserver",  # type: ignore[arg-type]
                    follow_redirects=False, raise_server_exceptions=False) as client:
        login(client, "alice")
        monkeypatch.setattr(queries, "safety_queue", broken)
        response = client.get("/safety")
    assert response.status_code == 500
    assert "default-src 'none'" in response.headers["content-security-policy"]
    assert response.headers["x-frame-options"] == "DENY"
    assert response.headers["strict-transport-security"].startswith("max-age=")


def test_hsts_only_when_secure(database: Database, clock: Clock, seeded: Seeded) -> None:
    for secure, base_url, expected in ((False, "http://testserver", False),
                                       (True, "http://testserver", True),
                                       (False, "https://testserver", True)):
        app = _app(database, clock, secure_cookies=secure)
        with TestClient(app, base_url=base_url) as client:  # type: ignore[arg-type]
            got = "strict-transport-security" in client.get("/login").headers
        assert got is expected, (secure, base_url)


def test_oversized_bodies_and_headers_are_refused(client: TestClient, seeded: Seeded) -> None:
    big = client.post("/login", content=b"x" * (1024 * 1024 + 1),
                      headers={"content-type": "application/x-www-form-urlencoded"})
    assert big.status_code == 413
    assert "default-src 'none'" in big.headers["content-security-policy"]

    def chunks():  # no Content-Length: counted as it arrives
        for _ in range(40):
            yield b"y" * 50_000

    streamed = client.post("/login", content=chunks(),
                           headers={"content-type": "application/x-www-form-urlencoded"})
    assert streamed.status_code == 413
    assert client.get("/login", headers={"x-junk": "j" * 20_000}).status_code == 431
    assert client.get("/login").status_code == 200


@pytest.mark.parametrize(
    "query", ["to=9999-12-31", "from=0001-01-01", "from=0001-01-01&to=9999-12-31"])
def test_extreme_export_dates_are_clamped(client: TestClient, seeded: Seeded,
                                          query: str) -> None:
    login(client, "alice")
    response = client.get(f"/patients/p-alice/export?format=json&{query}")
    assert response.status_code == 200
    assert client.get(f"/patients/p-alice/export?format=csv&table=messages&{query}"
                      ).status_code == 200


@pytest.mark.parametrize("text", [
    "\n=HYPERLINK(\"http://x\")", " =1+1", "\t=1+1", "\r=1+1", "\uff1d1+1", "\uff0bcmd",
    "\uff0d1", "\uff20SUM(A1)", "\u22121+1", "\u00a0=1", "\u3000=1",
])
def test_csv_escapes_every_formula_start(text: str) -> None:
    rows = [{"id": 1, "patient_id": "p", "created_at": NOW.isoformat(), "direction": "in",
             "channel": "telegram", "kind": "text", "text": text, "payload": None,
             "status": "processed", "reply_to_id": None, "intent": None}]
    columns = [name for name, _ in export.TABLES["messages"][2]]
    csv_text = export.to_csv("messages", [{name: rows[0].get(name) for name in columns}])
    cell_start = csv_text.split("\r\n", 1)[1]
    assert "'" + text[:1] in cell_start  # the cell starts with the quote, then the text
    assert export.read_csv("messages", csv_text)[0]["text"] == text


def test_a_nul_byte_in_search_matches_nothing(client: TestClient, seeded: Seeded,
                                              database: Database) -> None:
    with database.sessions.begin() as session:
        alice = require_coach(session, "alice")
        assert queries.search_messages(session, alice, "\x00\x00") == []
        assert queries.search_messages(session, alice, "\x00\x00\x00") == []
        assert [h.message.text for h in queries.search_messages(session, alice, "fi\x00re")
                ] == []
    login(client, "alice")
    page = client.get("/search?q=%00%00%00").text
    assert "0 messages found" in page or "Type at least two characters" in page


def test_bidi_and_zero_width_characters_are_shown_not_applied(
    client: TestClient, seeded: Seeded, database: Database
) -> None:
    hidden = "I am fine\u202e enif ton ma I\u200b\u2066x\u2069\ufeff"
    with database.sessions.begin() as session:
        message_store.log_inbound(session, "p-alice", channel="telegram", kind="text",
                                  text=hidden, now=NOW - NOW.resolution, status="processed")
    login(client, "alice")
    page = client.get("/search?q=I+am+fine").text
    for char in "\u202e\u200b\u2066\u2069\ufeff":
        assert char not in page
    assert "I am fine[U+202E] enif ton ma I[U+200B][U+2066]x[U+2069][U+FEFF]" in page


def test_hostile_range_headers_on_static_files(client: TestClient) -> None:
    """CVE-2025-62727 (Starlette < 0.49.1): a huge Range header froze the server."""
    assert client.get("/static/style.css", headers={"range": "bytes=" + "0-1," * 10_000}
                      ).status_code == 431  # over the header limit before Starlette parses it
    many = client.get("/static/style.css", headers={"range": "bytes=" + "0-0," * 3000})
    assert many.status_code in (200, 206, 400, 416)
