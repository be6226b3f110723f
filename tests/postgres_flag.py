"""PostgreSQL tests must not pass by skipping on CI: ``REQUIRE_POSTGRES=1`` (set by
``.ci/run``) turns "PostgreSQL unreachable" from a skip into a failure."""

from __future__ import annotations

import os
from typing import NoReturn

import pytest

REQUIRE_POSTGRES = "REQUIRE_POSTGRES"


def postgres_unreachable(reason: str) -> NoReturn:
    """Skip the test, or fail it when ``REQUIRE_POSTGRES=1``."""
    if os.environ.get(REQUIRE_POSTGRES, "").strip() == "1":
        pytest.fail(f"{reason} (and {REQUIRE_POSTGRES}=1, so this is a failure)", pytrace=False)
    pytest.skip(reason)
