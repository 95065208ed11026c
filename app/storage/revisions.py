"""The migration scripts' revisions, read from the scripts themselves, without Alembic.

Importing Alembic costs the window ~11 MiB for the whole shift (Alembic pulls in Mako and Pygments,
and Python does not give module memory back), and the window needs only these names: so they are
read from the scripts' own ``revision`` / ``down_revision`` lines, as Alembic's ScriptDirectory reads
them (tests/storage/test_migrations.py checks that both name the same head).  Pure: no database.
"""

from __future__ import annotations

import ast
from pathlib import Path

VERSIONS_DIR = Path(__file__).with_name("migrations") / "versions"


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


def known_revisions(versions_dir: Path = VERSIONS_DIR) -> set[str]:
    """Every revision this version of Frontline knows (a database at another one is newer)."""
    return {_revisions_of(script)[0] for script in versions_dir.glob("*.py")}
