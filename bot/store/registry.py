"""Every table, loaded explicitly: what ``/delete`` and ``/mydata`` see never depends on imports.

The one list of table modules is :data:`bot.store.TABLE_MODULES` (the package imports them
all). :func:`load_all_tables` is the entry point for code that needs the complete metadata.
``tests/bot/store/test_data_policy.py`` checks that every table of the migrated schema is
known after loading, so a module missing from that list fails there.
"""

from __future__ import annotations

from sqlalchemy import MetaData

import bot.store
from bot.store.models import Base


def load_all_tables() -> MetaData:
    """``Base.metadata`` with every table module of :data:`bot.store.TABLE_MODULES` loaded."""
    assert bot.store.TABLE_MODULES  # importing bot.store imported them all
    return Base.metadata
