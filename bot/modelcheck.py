"""Exit 0 when a model in models/ is newer than everything it was trained from.

Used by ``make run`` and ``make test`` to train only when the data, the domain, the
config or the custom NLU components changed.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable
from pathlib import Path

from bot.settings import PROJECT_ROOT

TRAINING_INPUTS = ("config.yml", "domain", "data", "bot/nlu", "bot/rasa")


def _files(root: Path, names: Iterable[str]) -> list[Path]:
    found: list[Path] = []
    for name in names:
        path = root / name
        if path.is_dir():
            found += [p for p in path.rglob("*") if p.is_file() and p.suffix in {".yml", ".py"}]
        elif path.is_file():
            found.append(path)
    return found


def newest_model(root: Path = PROJECT_ROOT) -> Path | None:
    """The most recently written model archive, if any."""
    models = sorted((root / "models").glob("*.tar.gz"), key=lambda p: p.stat().st_mtime)
    return models[-1] if models else None


def model_is_current(root: Path = PROJECT_ROOT) -> bool:
    """Whether the newest model is newer than every training input."""
    model = newest_model(root)
    if model is None:
        return False
    inputs = _files(root, TRAINING_INPUTS)
    return all(path.stat().st_mtime <= model.stat().st_mtime for path in inputs)


def main() -> int:
    """Exit status 0 when no training is needed, 1 otherwise."""
    return 0 if model_is_current() else 1


if __name__ == "__main__":
    sys.exit(main())
