"""docs/ARCHITECTURE.md's layout table matches the tree: every path it names exists."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DOC = ROOT / "docs" / "ARCHITECTURE.md"


def _layout_paths() -> list[str]:
    text = DOC.read_text(encoding="utf-8")
    table = text.split("## Layout", 1)[1].split("\n## ", 1)[0]
    paths = []
    for row in table.splitlines():
        if not row.startswith("| `"):
            continue
        first_cell = row.split("|")[1]
        paths += re.findall(r"`([^`]+)`", first_cell)
    return paths


def test_every_path_in_the_layout_table_exists() -> None:
    paths = _layout_paths()
    assert len(paths) > 20
    missing = [path for path in paths if not (ROOT / path).exists()]
    assert missing == []


def test_every_package_of_bot_is_in_the_layout_table() -> None:
    paths = set(_layout_paths())
    packages = {f"bot/{p.name}/" for p in (ROOT / "bot").iterdir() if (p / "__init__.py").exists()}
    packages.add("bot/gateway/telegram/")
    assert packages - paths == set()
