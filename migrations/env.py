"""Alembic environment for the episode log.

Where the database comes from, in order:
1. ``config.attributes["connection"]``: an open connection from the caller
   (``bot.store.db.migrate`` passes one, already inside a transaction);
2. ``config.attributes["url"]`` or ``sqlalchemy.url`` (``alembic -x`` is not used);
3. ``DATABASE_URL`` through ``bot.settings.Settings.from_env()``.

SQLite migrations use batch mode (``render_as_batch``) because SQLite cannot alter tables.
Tables that are not ours (Rasa's ``events`` tracker table) are ignored by autogenerate.
"""

from __future__ import annotations

from logging.config import fileConfig
from typing import Any

from alembic import context
from sqlalchemy.engine import Connection

import bot.store  # noqa: F401  (imports every table module: autogenerate sees them all)
import bot.store.claims  # noqa: F401
import bot.store.coaches  # noqa: F401
import bot.store.messages  # noqa: F401  (declares tables on Base: autogenerate sees them)
import bot.store.schedule  # noqa: F401
from bot.settings import Settings
from bot.store.db import make_engine, migration_connection
from bot.store.models import Base

config = context.config
if config.config_file_name is not None and config.attributes.get("configure_logger", True):
    fileConfig(config.config_file_name, disable_existing_loggers=False)

target_metadata = Base.metadata


def include_object(
    obj: Any, name: str | None, type_: str, reflected: bool, compare_to: Any
) -> bool:
    """Leave tables we do not model (e.g. Rasa's tracker ``events``) alone."""
    return not (type_ == "table" and reflected and compare_to is None)


def _database_url() -> str:
    """The URL given by the caller, else DATABASE_URL."""
    url = config.attributes.get("url") or config.get_main_option("sqlalchemy.url")
    return str(url) if url else Settings.from_env().database_url


def _configure(connection: Connection) -> None:
    """Point the migration context at ``connection``."""
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        include_object=include_object,
        compare_type=True,
    )


def run_migrations_offline() -> None:
    """Emit SQL to stdout (``alembic upgrade heads --sql``)."""
    url = _database_url()
    context.configure(
        url=url,
        target_metadata=target_metadata,
        literal_binds=True,
        render_as_batch=url.startswith("sqlite"),
        include_object=include_object,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    """Run against the caller's connection, or open one from the URL."""
    connection = config.attributes.get("connection")
    if connection is not None:
        _configure(connection)
        with context.begin_transaction():
            context.run_migrations()
        return
    engine = make_engine(_database_url())
    try:
        with migration_connection(engine) as own_connection:
            _configure(own_connection)
            with context.begin_transaction():
                context.run_migrations()
    finally:
        engine.dispose()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
