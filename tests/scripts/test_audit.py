"""``make audit`` never reports "no known vulnerabilities" when nothing was checked."""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path
from types import ModuleType

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "audit.py"


def _audit() -> ModuleType:
    spec = importlib.util.spec_from_file_location("audit_script", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


def _report(*deps: dict) -> str:
    return json.dumps({"dependencies": list(deps), "fixes": []})


def test_unreachable_service_is_said_plainly() -> None:
    audit = _audit()
    stderr = ("requests.exceptions.ConnectionError: HTTPSConnectionPool(host='pypi.org'): "
              "Max retries exceeded")
    verdict = audit.judge(1, "", stderr, "pypi")
    assert verdict.status == 3
    assert "could not be reached" in verdict.message
    assert "no known vulnerabilities" not in verdict.message.lower()


def test_vulnerabilities_are_listed() -> None:
    audit = _audit()
    report = _report({"name": "starlette", "version": "0.39.2", "vulns": [
        {"id": "GHSA-7f5h-v6xp-fcq8", "fix_versions": ["0.49.1"], "aliases": []}]},
        {"name": "bcrypt", "version": "5.0.0", "vulns": []})
    verdict = audit.judge(1, report, "", "pypi")
    assert verdict.status == 1
    assert "starlette 0.39.2: GHSA-7f5h-v6xp-fcq8 (fixed in 0.49.1)" in verdict.message


def test_skipped_packages_are_not_called_safe() -> None:
    audit = _audit()
    report = _report({"name": "bcrypt", "version": "5.0.0", "vulns": []},
                     {"name": "flare-assist", "skip_reason": "could not be found on PyPI"})
    verdict = audit.judge(0, report, "", "pypi")
    assert verdict.status == 3 and "NOT CHECKED flare-assist" in verdict.message


def test_all_clear_only_when_everything_was_checked() -> None:
    audit = _audit()
    report = _report({"name": "bcrypt", "version": "5.0.0", "vulns": []})
    assert audit.judge(0, report, "", "pypi").status == 0
    assert audit.judge(0, _report(), "", "pypi").status == 3  # nothing checked at all
    assert audit.judge(2, "garbage", "some crash", "pypi").status == 3


def test_a_service_that_knows_no_package_is_not_a_clean_bill() -> None:
    audit = _audit()
    report = _report(*({"name": f"p{i}", "version": "1", "skip_reason": "not found on PyPI"}
                       for i in range(30)))
    verdict = audit.judge(0, report, "", "pypi")
    assert verdict.status == 3
    assert verdict.message.startswith("NOT CHECKED")
    assert "and 20 more not checked" in verdict.message
