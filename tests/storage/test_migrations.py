"""The schema exists only through Alembic, and what Alembic builds is exactly the ORM model."""

from __future__ import annotations

from sqlalchemy import Engine, inspect, text
from sqlalchemy.engine import URL

from app.storage import migrate
from app.storage.database import make_engine
from app.storage.schema import Base


def test_upgrade_downgrade_upgrade_on_an_empty_database(empty_url: str | URL) -> None:
    engine = make_engine(empty_url)
    try:
        assert migrate.current_revision(engine) is None
        migrate.upgrade(engine)
        assert migrate.current_revision(engine) == migrate.head_revision()
        assert set(Base.metadata.tables) <= set(inspect(engine).get_table_names())

        migrate.downgrade(engine, "base")
        assert migrate.current_revision(engine) is None
        assert set(inspect(engine).get_table_names()) <= {"alembic_version"}

        migrate.upgrade(engine)
        assert migrate.current_revision(engine) == migrate.head_revision()
    finally:
        engine.dispose()


def test_migrated_schema_matches_the_orm_model(empty_url: str | URL) -> None:
    migrate.upgrade(empty_url)  # by URL, as the CLI does
    engine = make_engine(empty_url)
    try:
        assert migrate.schema_differences(engine) == []
    finally:
        engine.dispose()


def test_the_name_index_is_trigram_gin_on_postgres(engine: Engine) -> None:
    indexes = {ix["name"] for ix in inspect(engine).get_indexes("customers")}
    assert "ix_customers_name_search" in indexes
    if engine.dialect.name == "postgresql":
        with engine.connect() as conn:
            definition = conn.execute(
                text("SELECT indexdef FROM pg_indexes WHERE indexname = 'ix_customers_name_search'")
            ).scalar_one()
        assert "gin" in definition
        assert "gin_trgm_ops" in definition


def test_sqlite_connections_get_the_durability_pragmas(sqlite_url: str) -> None:
    engine = make_engine(sqlite_url)
    try:
        with engine.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
            assert conn.exec_driver_sql("PRAGMA synchronous").scalar() == 2  # FULL
            assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
    finally:
        engine.dispose()
