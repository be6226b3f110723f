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
