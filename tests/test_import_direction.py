"""Import direction: only the web layer imports bot.dashboard (checked on the source, by AST)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
# Packages that must work without the coach web app (the patient side, the store, analytics).
NOT_THE_WEB_LAYER = (
    "bot/gateway", "bot/progress", "bot/scheduler", "actions", "bot/store", "bot/analytics",
    "bot/content", "bot/nlu", "bot/rasa",
)


def _imported_modules(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    names: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.append(node.module)
            names += [f"{node.module}.{alias.name}" for alias in node.names]
    return names


@pytest.mark.parametrize("folder", NOT_THE_WEB_LAYER)
def test_folder_does_not_import_the_dashboard(folder: str) -> None:
    files = sorted((ROOT / folder).rglob("*.py"))
    assert files, folder
    offenders = [
        f"{path.relative_to(ROOT)}: {name}"
        for path in files
        for name in _imported_modules(path)
        if name == "bot.dashboard" or name.startswith("bot.dashboard.")
    ]
    assert offenders == []


def test_the_check_sees_a_dashboard_import(tmp_path: Path) -> None:
    sample = tmp_path / "sample.py"
    sample.write_text(
        "from bot import dashboard\nif True:\n    from bot.dashboard.config import X\n"
    )
    assert "bot.dashboard" in _imported_modules(sample)
    assert "bot.dashboard.config" in _imported_modules(sample)


# What an action may not reach, even through our own modules: the journal holds one
# database transaction (SQLite's write lock) for the whole action (actions/journal.py).
NETWORK = ("smtplib", "httpx", "aiohttp", "requests", "urllib.request", "http.client",
           "socket", "telegram", "redis", "aio_pika", "pika")


def _our_module_file(name: str) -> Path | None:
    base = ROOT / Path(*name.split("."))
    for candidate in (base.with_suffix(".py"), base / "__init__.py"):
        if candidate.is_file():
            return candidate
    return None


def _reachable_imports(start: list[Path]) -> dict[str, str]:
    """Every module imported by ``start`` and, transitively, by our own modules they
    import (``actions``, ``bot``), with the file that imports it."""
    found: dict[str, str] = {}
    todo, seen = list(start), set()
    while todo:
        path = todo.pop()
        if path in seen:
            continue
        seen.add(path)
        for name in _imported_modules(path):
            found.setdefault(name, str(path.relative_to(ROOT)))
            parts = name.split(".")
            for depth in range(1, len(parts) + 1):  # packages' __init__ run too
                own = _our_module_file(".".join(parts[:depth]))
                if own is not None and parts[0] in ("actions", "bot"):
                    todo.append(own)
    return found


def test_actions_reach_no_network_client() -> None:
    reached = _reachable_imports(sorted((ROOT / "actions").rglob("*.py")))
    offenders = sorted(
        f"{where}: {name}" for name, where in reached.items()
        if any(name == bad or name.startswith(f"{bad}.") for bad in NETWORK)
    )
    assert offenders == []


def test_the_network_check_sees_an_smtp_import(tmp_path: Path) -> None:
    sample = tmp_path / "sample.py"
    sample.write_text("import smtplib\n")
    assert "smtplib" in _imported_modules(sample)
