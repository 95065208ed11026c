"""Is a database at the newest migration this version of Frontline has?  Answered without Alembic.

The window asks at every start, and the answer is nearly always yes.  Importing Alembic to ask
costs the window ~11 MiB for the whole shift (issue 21's idle-memory target), so the head comes
from `app.storage.revisions` and the database's revision from the ``alembic_version`` table
Alembic keeps; only a database that is not at the head is handed to `app.storage.migrate`.
"""

from __future__ import annotations

from sqlalchemy import Engine, inspect, text

from app.storage.database import database_errors
from app.storage.revisions import newest_revision

VERSION_TABLE = "alembic_version"  # Alembic's default, which app.storage.migrate keeps


def is_at_newest(engine: Engine) -> bool:
    """True when the database's schema is at `newest_revision` (False: never migrated, older, or
    newer than this version of Frontline: Alembic then says what to do)."""
    with database_errors(engine), engine.connect() as connection:
        if not inspect(connection).has_table(VERSION_TABLE):
            return False
        current = connection.execute(text("SELECT version_num FROM alembic_version")).scalars().all()
    return current == [newest_revision()]
