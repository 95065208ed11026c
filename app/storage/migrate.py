"""Schema migrations, driven from Python: no ``alembic.ini`` is needed on an installed desk.

The schema exists only through these migrations (``migrations/versions``), on SQLite and on
PostgreSQL alike; ``metadata.create_all`` is never used outside the test that compares the two.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine
from sqlalchemy.engine import URL

from app.storage.database import database_errors, make_engine

MIGRATIONS_DIR = Path(__file__).with_name("migrations")


def alembic_config(connection: Connection | None = None) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    cfg.set_main_option("path_separator", "os")
    if connection is not None:
        cfg.attributes["connection"] = connection
    return cfg


def _engine(engine_or_url: Engine | str | URL) -> tuple[Engine, bool]:
    if isinstance(engine_or_url, Engine):
        return engine_or_url, False
    return make_engine(engine_or_url), True


def _run(engine_or_url: Engine | str | URL, action: Any, revision: str) -> None:
    engine, owned = _engine(engine_or_url)
    try:
        with database_errors(engine), engine.begin() as connection:
            action(alembic_config(connection), revision)
    finally:
        if owned:
            engine.dispose()


def upgrade(engine_or_url: Engine | str | URL, revision: str = "head") -> None:
    """Bring the database up to `revision` (creating every table on an empty database)."""
    _run(engine_or_url, command.upgrade, revision)


def downgrade(engine_or_url: Engine | str | URL, revision: str) -> None:
    """Step the schema back to `revision` (``"base"`` drops everything Frontline created)."""
    _run(engine_or_url, command.downgrade, revision)


def current_revision(engine: Engine) -> str | None:
    """The revision the database is at; None for a database never migrated."""
    with database_errors(engine), engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def head_revision() -> str | None:
    """The newest revision this version of Frontline knows."""
    return ScriptDirectory.from_config(alembic_config()).get_current_head()


def known_revisions() -> set[str]:
    """Every revision this version of Frontline knows (a database at another one is newer)."""
    return {script.revision for script in ScriptDirectory.from_config(alembic_config()).walk_revisions()}


def schema_differences(engine: Engine) -> list[Any]:
    """What differs between the database and the ORM model (empty when they agree)."""
    from app.storage.schema import Base

    with database_errors(engine), engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        return list(compare_metadata(context, Base.metadata))
