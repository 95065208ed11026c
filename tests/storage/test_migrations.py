"""The schema exists only through Alembic, and what Alembic builds is exactly the ORM model."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import Engine, insert, inspect, select, text
from sqlalchemy.engine import URL
from sqlalchemy.exc import IntegrityError

from app.storage import migrate, revisions, schema_version
from app.storage.database import make_engine
from app.storage.schema import Base, Customer


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


def test_the_window_knows_a_database_at_the_newest_migration_without_alembic(tmp_path: Path) -> None:
    """`revisions` reads the head from the scripts as Alembic does, so the window can skip
    importing Alembic (~11 MiB) when there is nothing to migrate."""
    assert revisions.newest_revision() == migrate.head_revision()
    assert revisions.known_revisions() == migrate.known_revisions()
    engine = make_engine(f"sqlite:///{tmp_path / 'desk.sqlite3'}")
    try:
        assert not schema_version.is_at_newest(engine)  # never migrated
        migrate.upgrade(engine, "0007")
        assert not schema_version.is_at_newest(engine)  # older
        migrate.upgrade(engine)
        assert schema_version.is_at_newest(engine)
    finally:
        engine.dispose()


def test_a_migration_branch_has_no_single_newest_revision(tmp_path: Path) -> None:
    for name, down in (("a", None), ("b", "a"), ("c", "a")):
        (tmp_path / f"{name}.py").write_text(f"revision: str = {name!r}\ndown_revision = {down!r}\n")
    with pytest.raises(RuntimeError, match="2 heads"):
        revisions.newest_revision(tmp_path)
    (tmp_path / "d.py").write_text('revision = "d"\ndown_revision = ("b", "c")\n')  # a merge
    assert revisions.newest_revision(tmp_path) == "d"


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


def _insert_0001_rows(engine: Engine, status: str) -> None:
    with engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO tickets (number, status, subject, created_at, updated_at, version)"
                " VALUES ('T-0000-0013', :status, 's', :at, :at, 1)"
            ),
            {"status": status, "at": "2026-11-01 09:00:00"},
        )
        ticket_id = conn.execute(text("SELECT id FROM tickets")).scalar_one()
        conn.execute(
            text("INSERT INTO ticket_events (ticket_id, kind, at) VALUES (:t, 'created', :at)"),
            {"t": ticket_id, "at": "2026-11-01 09:00:00"},
        )
        conn.execute(
            text(
                "INSERT INTO calls (direction, caller_number, ringing_at, hold_seconds, problem, ticket_id)"
                " VALUES ('inbound', '+79123456789', :at, 0, false, :t)"
            ),
            {"t": ticket_id, "at": "2026-11-01 09:00:00"},
        )


def test_0002_keeps_existing_rows_and_adds_the_ticket_checks(empty_url: str | URL) -> None:
    engine = make_engine(empty_url)
    try:
        migrate.upgrade(engine, "0001")
        _insert_0001_rows(engine, "new")
        migrate.upgrade(engine, "0002")
        assert migrate.current_revision(engine) == "0002"
        with engine.connect() as conn:
            assert conn.execute(text("SELECT count(*) FROM ticket_events")).scalar_one() == 1
            assert conn.execute(text("SELECT ticket_id FROM calls")).scalar_one() is not None
            if engine.dialect.name == "sqlite":  # the rebuild switched them off and back on
                assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        with pytest.raises(IntegrityError), engine.begin() as conn:
            conn.execute(text("UPDATE tickets SET status = 'closed'"))
        assert {"field_rules", "scripts", "announcements"} <= set(inspect(engine).get_table_names())

        migrate.downgrade(engine, "0001")
        assert not {"field_rules", "scripts", "announcements"} & set(inspect(engine).get_table_names())
        assert "disposition" not in {c["name"] for c in inspect(engine).get_columns("calls")}
        with engine.begin() as conn:  # the CHECK went with 0002; the status enum CHECK stayed
            conn.execute(text("UPDATE tickets SET status = 'closed'"))
        with pytest.raises(IntegrityError), engine.begin() as conn:
            conn.execute(text("UPDATE tickets SET status = 'bogus'"))
    finally:
        engine.dispose()


def test_0002_refuses_to_run_over_tickets_that_break_the_rule(empty_url: str | URL) -> None:
    engine = make_engine(empty_url)
    try:
        migrate.upgrade(engine, "0001")
        _insert_0001_rows(engine, "closed")
        with pytest.raises(RuntimeError, match="T-0000-0013"):
            migrate.upgrade(engine)
        assert migrate.current_revision(engine) == "0001"
    finally:
        engine.dispose()


def test_0005_backfills_updated_at_and_uids_and_new_rows_get_them(empty_url: str | URL) -> None:
    engine = make_engine(empty_url)
    postgres = engine.dialect.name == "postgresql"
    try:
        migrate.upgrade(engine, "0004")
        _insert_0001_rows(engine, "new")
        with engine.begin() as conn:
            conn.execute(text("UPDATE calls SET answered_at = '2026-11-01 09:00:05'"))
        migrate.upgrade(engine)
        with engine.connect() as conn:
            assert (
                conn.execute(text("SELECT count(*) FROM calls WHERE updated_at = answered_at")).scalar_one()
                == 1
            )
            for table in ("calls", "tickets", "ticket_events"):
                uids = conn.execute(text(f"SELECT uid FROM {table}")).scalars().all()
                assert uids
                assert all(uids)
        # A row inserted by a tool that knows neither column (raw SQL, COPY).
        with engine.begin() as conn:
            conn.execute(
                text(
                    "INSERT INTO calls (direction, caller_number, ringing_at, hold_seconds, problem)"
                    " VALUES ('inbound', '+79000000000', '2026-11-02 09:00:00', 0, false)"
                )
            )
            uid, updated_at = conn.execute(
                text("SELECT uid, updated_at FROM calls WHERE caller_number = '+79000000000'")
            ).one()
        assert updated_at is not None
        assert (uid is not None) is postgres  # SQLite has no server-side uuid: the ORM sets it
        assert set(inspect(engine).get_table_names()) >= {"operator_states"}

        migrate.downgrade(engine, "0004")
        assert "updated_at" not in {c["name"] for c in inspect(engine).get_columns("calls")}
        assert "operator_states" not in inspect(engine).get_table_names()
        migrate.upgrade(engine)
        assert migrate.schema_differences(engine) == []
    finally:
        engine.dispose()


def test_0006_stamps_customers_and_tickets_with_the_central_clock(engine: Engine) -> None:
    """Whatever time a writer claims, PostgreSQL's clock stamps the row (a desk cache refreshes
    by it); SQLite keeps what the writer said."""
    long_ago = datetime(2020, 1, 1, tzinfo=UTC)
    with engine.begin() as conn:
        customer = conn.scalar(
            insert(Customer)
            .values(
                contract_number="CN-STAMP",
                name="Stamp",
                name_search="stamp",
                created_at=long_ago,
                updated_at=long_ago,
            )
            .returning(Customer.id)
        )
        before = conn.scalar(text("SELECT now()")) if engine.dialect.name == "postgresql" else None
    with engine.connect() as conn:
        stamped = conn.scalar(select(Customer.updated_at).where(Customer.id == customer))
    if engine.dialect.name == "postgresql":
        assert stamped == before  # now(): the inserting transaction's time on the server
    else:
        assert stamped == long_ago


def test_0007_turns_refusal_texts_into_end_reasons_and_checks_them(empty_url: str | URL) -> None:
    engine = make_engine(empty_url)
    try:
        migrate.upgrade(engine, "0006")
        with engine.begin() as conn:
            for n, disposition in enumerate(("operator not_ready", "operator busy", "Advice given")):
                conn.execute(
                    text(
                        "INSERT INTO calls (direction, caller_number, ringing_at, ended_at, outcome,"
                        " hold_seconds, problem, disposition, updated_at)"
                        " VALUES ('inbound', :n, :at, :at, 'rejected', 0, false, :d, :at)"
                    ),
                    {"n": f"+7912000000{n}", "at": datetime(2026, 11, 1, 9, tzinfo=UTC), "d": disposition},
                )
        migrate.upgrade(engine, "0007")
        with engine.connect() as conn:
            rows = conn.execute(
                text("SELECT caller_number, disposition, end_reason FROM calls ORDER BY caller_number")
            ).all()
        assert [tuple(r) for r in rows] == [
            ("+79120000000", None, "not_ready"),
            ("+79120000001", None, "busy"),
            ("+79120000002", "Advice given", None),  # a real disposition is kept
        ]
        with pytest.raises(IntegrityError), engine.begin() as conn:
            conn.execute(text("UPDATE calls SET end_reason = 'bogus'"))
        assert "dispositions" in inspect(engine).get_table_names()

        migrate.downgrade(engine, "0006")
        assert not {"end_reason", "transferred_to"} & {
            c["name"] for c in inspect(engine).get_columns("calls")
        }
        assert "dispositions" not in inspect(engine).get_table_names()
        with pytest.raises(IntegrityError), engine.begin() as conn:  # the older CHECKs are still there
            conn.execute(text("UPDATE calls SET outcome = 'bogus'"))
    finally:
        engine.dispose()
