"""The one list of modules that declare tables on ``Base``: import them all, explicitly.

What ``/delete`` erases and ``/mydata`` exports must not depend on what some caller happened
to import first, so :func:`load_all_tables` imports every table module named here. A
module that does not exist (yet, or any more after a package move) is skipped; any other
import error is raised. ``tests/bot/store/test_data_policy.py`` checks that every table of
the migrated schema is known after loading, so a module missing from this list fails there.
"""

from __future__ import annotations

import importlib

from sqlalchemy import MetaData

from bot.store.models import Base

TABLE_MODULES = (
    "bot.store.models",
    "bot.store.messages",
    "bot.store.schedule",
    "bot.store.coaches",  # coach tables, if they live in the store
    "bot.dashboard.models",  # coach tables, if they live with the dashboard
    "bot.dashboard.sessions",
    "bot.dashboard.totp",
)


def load_all_tables() -> MetaData:
    """Import every table module (those that exist) and return ``Base.metadata``."""
    for name in TABLE_MODULES:
        try:
            importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name is None or not name.startswith(exc.name):
                raise  # the module exists but one of its own imports is missing
    return Base.metadata
