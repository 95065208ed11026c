"""Is a database at the newest migration this version of Frontline has?  Answered without Alembic.

The window asks at every start, and the answer is nearly always yes.  Importing Alembic to ask
costs the window ~11 MiB for the whole shift (Alembic pulls in Mako and Pygments, and Python
does not give module memory back): issue 21's idle-memory target.  So the head is read from the
migration scripts' own ``revision`` / ``down_revision`` lines, as Alembic's ScriptDirectory reads
them (tests/storage/test_migrations.py checks that both name the same head), and the database's
revision from the ``alembic_version`` table Alembic keeps; only a database that is not at the
head is handed to `app.storage.migrate`.
"""

from __future__ import annotations

import ast
from pathlib import Path

from sqlalchemy import Engine, inspect, text

from app.storage.database import database_errors

VERSIONS_DIR = Path(__file__).with_name("migrations") / "versions"
VERSION_TABLE = "alembic_version"  # Alembic's default, which app.storage.migrate keeps


def newest_revision(versions_dir: Path = VERSIONS_DIR) -> str:
    """The one revision no other script revises (several: a branch Alembic would refuse too)."""
    revisions: set[str] = set()
    revised: set[str] = set()
    for script in versions_dir.glob("*.py"):
        revision, down = _revisions_of(script)
        revisions.add(revision)
        revised.update((down,) if isinstance(down, str) else down or ())
    heads = revisions - revised
    if len(heads) != 1:
        raise RuntimeError(f"the migrations in {versions_dir} have {len(heads)} heads: {sorted(heads)}")
    return heads.pop()


def _revisions_of(script: Path) -> tuple[str, str | tuple[str, ...] | None]:
    """`revision` and `down_revision` as the script assigns them (annotated or not)."""
    values: dict[str, str | tuple[str, ...] | None] = {}
    for node in ast.parse(script.read_text(encoding="utf-8")).body:
        if isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name) and node.value:
            name, value = node.target.id, node.value
        elif (
            isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name)
        ):
            name, value = node.targets[0].id, node.value
        else:
            continue
        if name in ("revision", "down_revision"):
            values[name] = ast.literal_eval(value)
    revision = values.get("revision")
    if not isinstance(revision, str):
        raise RuntimeError(f"{script} names no revision")
    return revision, values.get("down_revision")


def is_at_newest(engine: Engine) -> bool:
    """True when the database's schema is at `newest_revision` (False: never migrated, older, or
    newer than this version of Frontline: Alembic then says what to do)."""
    with database_errors(engine), engine.connect() as connection:
        if not inspect(connection).has_table(VERSION_TABLE):
            return False
        current = connection.execute(text("SELECT version_num FROM alembic_version")).scalars().all()
    return current == [newest_revision()]
