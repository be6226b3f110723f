"""REQUIRE_POSTGRES turns an unreachable PostgreSQL into a failure instead of a skip."""

from __future__ import annotations

import pytest

from tests.postgres_flag import postgres_unreachable


def test_unreachable_postgres_skips_by_default(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("REQUIRE_POSTGRES", raising=False)
    with pytest.raises(pytest.skip.Exception):
        postgres_unreachable("no server")


def test_unreachable_postgres_fails_when_required(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("REQUIRE_POSTGRES", "1")
    with pytest.raises(pytest.fail.Exception, match="REQUIRE_POSTGRES"):
        postgres_unreachable("no server")


def test_ci_requires_postgres() -> None:
    from pathlib import Path

    script = (Path(__file__).resolve().parents[1] / ".ci" / "run").read_text()
    assert "REQUIRE_POSTGRES=1" in script
