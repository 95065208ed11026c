"""Engines for storage tests: every test gets a fresh database already at the Alembic head.

The ``engine`` fixture runs each test twice, on SQLite (a temp file) and on PostgreSQL (marked
``pg``), because the product runs on both and they differ in the ways that matter here (locking,
case folding, sequences).  On PostgreSQL these tests connect as the owner role that migrates and
administers a site's database (`tests.fixtures.postgres.owner_url`: BYPASSRLS, not a superuser);
what a desk does as an operator's own login is tested with `central_site`.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine
from sqlalchemy.engine import URL

from app.storage import migrate
from app.storage.database import make_engine
from tests.fixtures.postgres import owner_url


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A SQLite file migrated to head once; tests get copies of it."""
    path = tmp_path_factory.mktemp("sqlite-template") / "template.sqlite3"
    engine = make_engine(f"sqlite:///{path}")
    migrate.upgrade(engine)
    engine.dispose()  # checkpoints the WAL into the main file, so copying the file is enough
    return path


@pytest.fixture
def sqlite_url(sqlite_template: Path, tmp_path: Path) -> str:
    path = tmp_path / "frontline.sqlite3"
    shutil.copyfile(sqlite_template, path)
    return f"sqlite:///{path}"


def _engine(url: str | URL) -> Iterator[Engine]:
    engine = make_engine(url)
    try:
        yield engine
    finally:
        engine.dispose()


@pytest.fixture
def pg_engine(pg_database_factory: Callable[..., URL]) -> Iterator[Engine]:
    yield from _engine(owner_url(pg_database_factory()))


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.pg)])
def engine(request: pytest.FixtureRequest) -> Iterator[Engine]:
    if request.param == "sqlite":
        yield from _engine(request.getfixturevalue("sqlite_url"))
    else:
        yield from _engine(owner_url(request.getfixturevalue("pg_database_factory")()))


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.pg)])
def empty_url(request: pytest.FixtureRequest, tmp_path: Path) -> str | URL:
    """An empty database, never migrated, on each backend."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'empty.sqlite3'}"
    factory: Callable[..., URL] = request.getfixturevalue("pg_database_factory")
    return owner_url(factory(migrated=False))
