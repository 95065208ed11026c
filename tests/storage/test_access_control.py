"""Access control on PostgreSQL (migration 0003, `app.storage.admin`): checked with each operator's
own credentials, in raw SQL, because the client is never trusted to enforce it."""

from __future__ import annotations

import dataclasses
import logging
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import psycopg
import pytest
from sqlalchemy import Engine, create_engine, inspect, text
from sqlalchemy.engine import URL

from app.errors import ValidationError
from app.services.calls import CallService
from app.services.lookup import LookupService
from app.services.tickets import TicketService
from app.services.unfinished import UnfinishedTicketService
from app.storage import migrate
from app.storage.admin import OperatorExists, add_operator, check_login
from app.storage.database import make_engine
from app.storage.number_blocks import lease_function
from app.storage.number_reserve import SqliteNumberReserve
from app.tickets.drafts import FieldName
from app.tickets.enums import CallDirection, CallOutcome, Role, TicketStatus
from app.tickets.numbering import ReservePolicy, TicketNumberAllocator
from tests.fixtures.central import CentralSite
from tests.fixtures.logins import PASSWORD, drop_database_and_logins
from tests.fixtures.postgres import owner_url

AT = datetime(2026, 11, 22, 9, 0, tzinfo=UTC)


# --- migrations --------------------------------------------------------------------------------


def _rls(engine: Engine) -> dict[str, tuple[bool, bool]]:
    with engine.connect() as conn:
        rows = conn.execute(
            text(
                "SELECT relname, relrowsecurity, relforcerowsecurity FROM pg_class"
                " WHERE relname IN ('tickets', 'ticket_events', 'calls') AND relkind = 'r'"
                " AND relnamespace = current_schema()::regnamespace"
            )
        ).all()
    return {name: (enabled, forced) for name, enabled, forced in rows}


def test_0003_up_down_up(empty_url: str | URL) -> None:
    # On PostgreSQL as a site migrates: as the owner role, not the superuser.
    engine = make_engine(owner_url(empty_url) if isinstance(empty_url, URL) else empty_url)
    try:
        migrate.upgrade(engine, "0003")
        postgres = engine.dialect.name == "postgresql"
        if postgres:
            assert _rls(engine) == dict.fromkeys(("tickets", "ticket_events", "calls"), (True, True))
        migrate.downgrade(engine, "0002")
        assert migrate.current_revision(engine) == "0002"
        if postgres:
            assert _rls(engine) == dict.fromkeys(("tickets", "ticket_events", "calls"), (False, False))
            with engine.connect() as conn:
                assert not conn.execute(
                    text("SELECT count(*) FROM pg_proc WHERE proname LIKE 'frontline\\_%'")
                ).scalar_one()
                assert not conn.execute(text("SELECT count(*) FROM pg_policies")).scalar_one()
        migrate.upgrade(engine)
        assert migrate.current_revision(engine) == migrate.head_revision()
        if postgres:
            assert _rls(engine) == dict.fromkeys(("tickets", "ticket_events", "calls"), (True, True))
        assert {"tickets", "calls", "ticket_events"} <= set(inspect(engine).get_table_names())
    finally:
        engine.dispose()


# --- a database with two departments -------------------------------------------------------------


def _q(conn: psycopg.Connection[Any], statement: str, *params: object) -> list[tuple[Any, ...]]:
    with conn.cursor() as cur:
        cur.execute(statement, params)
        return cur.fetchall() if cur.description else []


def _rowcount(conn: psycopg.Connection[Any], statement: str, *params: object) -> int:
    with conn.cursor() as cur:
        cur.execute(statement, params)
        return cur.rowcount


@pytest.fixture
def site(central_site: CentralSite) -> CentralSite:
    """`central_site` (a1, a2 operators of A, lead of A, b1 of B, admin) with a little of
    everything, loaded by the owner role: a line, a customer, and a ticket (with its ``created``
    event) and a call of a1 and of b1; their ids in `ids` (``ticket_a1``, ``call_b1``...)."""
    ids = central_site.ids
    with central_site.engine("owner").begin() as conn:

        def one(statement: str, **params: object) -> int:
            return int(conn.execute(text(statement), params).scalar_one())

        ids["line"] = one("INSERT INTO lines (name) VALUES ('Support') RETURNING id")
        conn.execute(
            text("INSERT INTO line_numbers (line_id, number) VALUES (:l, '+78005550100')"),
            {"l": ids["line"]},
        )
        ids["customer"] = one(
            "INSERT INTO customers (contract_number, name, name_search, created_at, updated_at)"
            " VALUES ('CN-1', 'Ada', 'ada', :at, :at) RETURNING id",
            at=AT,
        )
        conn.execute(
            text("INSERT INTO customer_phones (customer_id, e164) VALUES (:c, '+79123456789')"),
            {"c": ids["customer"]},
        )
        for key in ("a1", "b1"):
            ids[f"ticket_{key}"] = one(
                "INSERT INTO tickets (number, customer_id, status, subject, created_by_id,"
                " created_at, updated_at, version) VALUES (:n, :c, 'new', :s, :o, :at, :at, 1) RETURNING id",
                n=f"T-{key}",
                c=ids["customer"],
                s=f"ticket of {key}",
                o=ids[key],
                at=AT,
            )
            conn.execute(
                text(
                    "INSERT INTO ticket_events (ticket_id, kind, author_id, at) VALUES (:t, 'created', :o, :at)"
                ),
                {"t": ids[f"ticket_{key}"], "o": ids[key], "at": AT},
            )
            ids[f"call_{key}"] = one(
                "INSERT INTO calls (direction, caller_number, operator_id, customer_id, ringing_at,"
                " hold_seconds, problem, ticket_id) VALUES ('inbound', '+79123456789', :o, :c, :at, 0,"
                " false, :t) RETURNING id",
                o=ids[key],
                c=ids["customer"],
                at=AT,
                t=ids[f"ticket_{key}"],
            )
    return central_site


# --- add_operator ------------------------------------------------------------------------------------


@pytest.mark.pg
def test_add_operator_creates_a_plain_login_role_with_a_scram_password(site: CentralSite) -> None:
    # Password verifiers (pg_authid) are for the superuser's eyes only: it inspects, IT acts.
    superuser = create_engine(site.url)
    try:
        with superuser.connect() as conn:
            row = conn.execute(
                text(
                    "SELECT rolcanlogin, rolsuper, rolcreaterole, rolcreatedb, rolbypassrls, rolpassword"
                    " FROM pg_authid WHERE rolname = :l"
                ),
                {"l": site.logins["a1"]},
            ).one()
            groups = (
                conn.execute(
                    text(
                        "SELECT g.rolname FROM pg_auth_members m JOIN pg_roles g ON g.oid = m.roleid"
                        " JOIN pg_roles u ON u.oid = m.member WHERE u.rolname = :l"
                    ),
                    {"l": site.logins["lead"]},
                )
                .scalars()
                .all()
            )
        assert row[:5] == (True, False, False, False, False)
        assert row[5].startswith("SCRAM-SHA-256$") and PASSWORD not in row[5]
        assert groups == ["frontline_shift_lead"]
    finally:
        superuser.dispose()

    owner = site.engine("owner")  # as `frontline admin add-operator` runs
    with pytest.raises(OperatorExists):
        add_operator(
            owner,
            login=site.logins["a1"],
            display_name="X",
            department="Dept A",
            role="operator",
            password=PASSWORD,
        )
    with owner.begin() as conn:  # a role outside Frontline with the same name
        conn.execute(text('CREATE ROLE "stray_role_x"'))
    try:
        with pytest.raises(OperatorExists, match="PostgreSQL role"):
            add_operator(
                owner,
                login="stray_role_x",
                display_name="X",
                department="Dept Z",
                role="operator",
                password=PASSWORD,
            )
        with owner.connect() as conn:  # all or nothing: no row, no new department
            assert (
                conn.execute(text("SELECT count(*) FROM departments WHERE name = 'Dept Z'")).scalar_one() == 0
            )
    finally:
        with owner.begin() as conn:
            conn.execute(text('DROP ROLE "stray_role_x"'))


@pytest.mark.pg
def test_add_operator_never_logs_the_password(site: CentralSite, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    site.logins["extra"] = f"extra_{uuid.uuid4().hex[:8]}"  # dropped with the others
    engine = create_engine(site.owner_url, echo=True)  # every statement and its parameters logged
    try:
        add_operator(
            engine,
            login=site.logins["extra"],
            display_name="Extra",
            department="Dept C",
            role=Role.ADMIN,
            password=PASSWORD,
        )
    finally:
        engine.dispose()
    assert site.logins["extra"] in caplog.text
    assert PASSWORD not in caplog.text


def test_add_operator_on_sqlite_only_creates_the_row(sqlite_url: str) -> None:
    engine = make_engine(sqlite_url)
    try:
        add_operator(
            engine,
            login="ivanov",
            display_name="Иван",
            department="First line",
            role=Role.OPERATOR,
            password=None,
            position="Operator",
        )
        add_operator(
            engine,
            login="petrova",
            display_name="Анна",
            department="First line",
            role="shift_lead",
            password=None,
        )
        with engine.connect() as conn:
            rows = conn.execute(
                text(
                    "SELECT o.login, o.role, d.name FROM operators o JOIN departments d"
                    " ON d.id = o.department_id ORDER BY o.login"
                )
            ).all()
        assert [tuple(r) for r in rows] == [
            ("ivanov", "operator", "First line"),
            ("petrova", "shift_lead", "First line"),
        ]
        with pytest.raises(OperatorExists):
            add_operator(
                engine, login="ivanov", display_name="I", department="X", role="operator", password=None
            )
        with pytest.raises(ValidationError):
            add_operator(engine, login="boss", display_name="B", department="X", role="king", password=None)
    finally:
        engine.dispose()


@pytest.mark.parametrize("login", ['a"b', "pg_evil", "", "x" * 64, "frontline_admin", "a b", "a;drop"])
def test_logins_that_cannot_be_role_names_are_refused(login: str) -> None:
    with pytest.raises(ValidationError):
        check_login(login)


# --- what each role sees, with their own credentials -------------------------------------------------


@pytest.mark.pg
def test_an_operator_reads_only_their_departments_tickets_calls_and_events(site: CentralSite) -> None:
    ids = site.ids
    with site.raw("a1") as conn:
        assert _q(conn, "SELECT id FROM tickets") == [(ids["ticket_a1"],)]
        assert _q(conn, "SELECT id FROM calls") == [(ids["call_a1"],)]
        assert _q(conn, "SELECT count(*) FROM tickets WHERE id = %s", ids["ticket_b1"]) == [(0,)]
        assert _q(conn, "SELECT count(*) FROM calls WHERE id = %s", ids["call_b1"]) == [(0,)]
        assert _q(conn, "SELECT count(*) FROM ticket_events WHERE ticket_id = %s", ids["ticket_b1"]) == [(0,)]
        assert _q(conn, "SELECT count(*) FROM ticket_events") == [(1,)]
    with site.raw("a2") as conn:  # a colleague of the same department
        assert _q(conn, "SELECT id FROM tickets") == [(ids["ticket_a1"],)]
    with site.raw("b1") as conn:
        assert _q(conn, "SELECT id FROM tickets") == [(ids["ticket_b1"],)]
        assert _q(conn, "SELECT id FROM calls") == [(ids["call_b1"],)]


@pytest.mark.pg
def test_an_operator_cannot_change_another_departments_rows(site: CentralSite) -> None:
    ids = site.ids
    with site.raw("a1") as conn:
        assert _rowcount(conn, "UPDATE tickets SET subject = 'mine now' WHERE id = %s", ids["ticket_b1"]) == 0
        assert _rowcount(conn, "UPDATE calls SET problem = true WHERE id = %s", ids["call_b1"]) == 0
        # Writing a ticket that would belong to department B only is refused (WITH CHECK).
        with pytest.raises(psycopg.errors.InsufficientPrivilege, match="row-level security"):
            _q(
                conn,
                "INSERT INTO tickets (number, status, subject, department_id, created_by_id, created_at,"
                " updated_at, version) VALUES ('T-X', 'new', 's', %s, %s, now(), now(), 1)",
                ids["dept_b"],
                ids["b1"],
            )
        with pytest.raises(psycopg.errors.InsufficientPrivilege, match="row-level security"):
            _q(
                conn,
                "UPDATE tickets SET department_id = %s, created_by_id = %s WHERE id = %s",
                ids["dept_b"],
                ids["b1"],
                ids["ticket_a1"],
            )
        with pytest.raises(psycopg.errors.InsufficientPrivilege, match="row-level security"):
            _q(
                conn,
                "INSERT INTO ticket_events (ticket_id, kind, at) VALUES (%s, 'comment', now())",
                ids["ticket_b1"],
            )
        with pytest.raises(psycopg.errors.InsufficientPrivilege, match="row-level security"):
            _q(
                conn,
                "INSERT INTO calls (direction, caller_number, operator_id, ringing_at, hold_seconds, problem)"
                " VALUES ('inbound', '1', %s, now(), 0, false)",
                ids["b1"],
            )
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            _q(conn, "DELETE FROM tickets WHERE id = %s", ids["ticket_a1"])
        # Their own rows they may change.
        assert _rowcount(conn, "UPDATE tickets SET subject = 'edited' WHERE id = %s", ids["ticket_a1"]) == 1
    with site.engine("owner").connect() as conn:
        assert (
            conn.execute(
                text("SELECT subject FROM tickets WHERE id = :t"), {"t": ids["ticket_b1"]}
            ).scalar_one()
            == "ticket of b1"
        )


@pytest.mark.pg
def test_ticket_events_are_append_only_for_all_but_admins(site: CentralSite) -> None:
    ids = site.ids
    for who in ("a1", "lead"):
        with site.raw(who) as conn:
            _q(
                conn,
                "INSERT INTO ticket_events (ticket_id, kind, at) VALUES (%s, 'comment', now())",
                ids["ticket_a1"],
            )
            with pytest.raises(psycopg.errors.InsufficientPrivilege):
                _q(conn, "UPDATE ticket_events SET kind = 'comment'")
            with pytest.raises(psycopg.errors.InsufficientPrivilege):
                _q(conn, "DELETE FROM ticket_events")
    with site.raw("admin") as conn:
        assert _rowcount(conn, "DELETE FROM ticket_events WHERE kind = 'comment'") == 2


@pytest.mark.pg
def test_an_operator_is_no_owner_nor_superuser_and_cannot_lift_the_policies(site: CentralSite) -> None:
    with site.raw("a1") as conn:
        assert _q(
            conn, "SELECT rolsuper, rolbypassrls, rolcreaterole FROM pg_roles WHERE rolname = current_user"
        ) == [(False, False, False)]
        assert _q(conn, "SELECT count(*) FROM pg_tables WHERE tableowner = current_user") == [(0,)]
        for forbidden in ("SELECT * FROM pg_authid", "SELECT passwd FROM pg_shadow"):
            with pytest.raises(psycopg.errors.InsufficientPrivilege):
                _q(conn, forbidden)
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            _q(conn, "ALTER TABLE tickets DISABLE ROW LEVEL SECURITY")
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            _q(conn, "DROP POLICY frontline_department ON tickets")
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            _q(conn, f'SET ROLE "{site.logins["admin"]}"')
        _q(conn, "SET row_security = off")  # asks for an error instead of filtered rows
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            _q(conn, "SELECT * FROM tickets")
        _q(conn, "RESET row_security")
        with pytest.raises(psycopg.errors.InsufficientPrivilege):  # reference data is the leads'
            _q(conn, "INSERT INTO scripts (language, key, text) VALUES ('en', 'greeting', 'x')")
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            _q(conn, "UPDATE operators SET department_id = %s", site.ids["dept_b"])


@pytest.mark.pg
def test_a_shift_lead_sees_their_floor_and_edits_scripts_and_admin_sees_all(site: CentralSite) -> None:
    ids = site.ids
    with site.raw("lead") as conn:
        assert _q(conn, "SELECT id FROM tickets") == [(ids["ticket_a1"],)]
        assert _q(conn, "SELECT id FROM calls") == [(ids["call_a1"],)]
        _q(conn, "INSERT INTO scripts (language, key, text) VALUES ('en', 'greeting', 'Hello')")
        _q(
            conn,
            "INSERT INTO announcements (text, regions, valid_from, created_at) VALUES ('Outage', '[]', now(), now())",
        )
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            _q(conn, "INSERT INTO departments (name) VALUES ('Shadow')")
    with site.raw("admin") as conn:
        assert sorted(_q(conn, "SELECT id FROM tickets")) == sorted(
            [(ids["ticket_a1"],), (ids["ticket_b1"],)]
        )
        assert _q(conn, "SELECT count(*) FROM calls") == [(2,)]
        assert _rowcount(conn, "UPDATE tickets SET subject = 'by admin'") == 2


@pytest.mark.pg
def test_an_escalated_ticket_is_seen_by_both_departments(site: CentralSite) -> None:
    ids = site.ids
    with site.raw("a1") as conn:
        assert (
            _rowcount(
                conn,
                "UPDATE tickets SET status = 'escalated', department_id = %s, due_date = '2026-12-01' WHERE id = %s",
                ids["dept_b"],
                ids["ticket_a1"],
            )
            == 1
        )
        assert _q(conn, "SELECT count(*) FROM tickets") == [(1,)]
    with site.raw("b1") as conn:
        assert sorted(_q(conn, "SELECT id FROM tickets")) == sorted(
            [(ids["ticket_a1"],), (ids["ticket_b1"],)]
        )
        assert _q(conn, "SELECT count(*) FROM ticket_events WHERE ticket_id = %s", ids["ticket_a1"]) == [(1,)]


@pytest.mark.pg
def test_an_inactive_operator_sees_nothing(site: CentralSite) -> None:
    with site.engine("owner").begin() as conn:  # IT deactivates a1
        conn.execute(text("UPDATE operators SET active = false WHERE login = :l"), {"l": site.logins["a1"]})
    with site.raw("a1") as conn:
        assert _q(conn, "SELECT count(*) FROM tickets") == [(0,)]
        assert _q(conn, "SELECT count(*) FROM calls") == [(0,)]


# --- the desk's own services, connected as an operator --------------------------------------------


@pytest.mark.pg
def test_the_desk_services_work_with_an_operators_grants(site: CentralSite, tmp_path: Path) -> None:
    ids = site.ids
    login = site.logins["a1"]
    engine = make_engine(site.url_of("a1"))
    try:
        reserve = SqliteNumberReserve(tmp_path / "reserve.sqlite3")
        allocator = TicketNumberAllocator(reserve, ReservePolicy(block_size=10, target_blocks=1, low_water=5))
        tickets = TicketService(engine, allocator, lease=lease_function(engine, reserve.workstation_id()))
        assert tickets.top_up_numbers() >= 1  # leases a number block: number_blocks is writable

        calls = CallService(engine, default_region="RU")
        call = calls.ringing(
            direction=CallDirection.INBOUND,
            caller_number="+79123456789",
            display_name="Ada",
            dialled_number="+78005550100",
            at=AT,
            operator_login=login,
            customer_id=ids["customer"],
        )
        assert call.line_id == ids["line"]
        calls.answered(call.id, AT, operator_login=login)

        ref = tickets.reference_data()
        assert {c.name for c in ref.departments} == {"Dept A", "Dept B", "IT"}
        view = tickets.create_for_call(call.id, ids["customer"], ids["line"], login)
        assert view.call_ids == (call.id,)
        draft = dataclasses.replace(view.draft, subject="No connection", status=TicketStatus.IN_PROGRESS)
        saved = tickets.save(view.id, draft, view.version, login)
        assert saved.draft.subject == "No connection"
        tickets.add_comment(view.id, "Rebooted the router", login)
        calls.ended(call.id, AT, CallOutcome.ANSWERED)

        result = LookupService(engine, default_region="RU").lookup("+79123456789")
        (card,) = result.customers
        assert {t.number for t in card.open_tickets} == {"T-a1", view.number}
        assert {c.id for c in card.recent_calls} == {ids["call_a1"], call.id}  # not department B's
    finally:
        engine.dispose()
    with site.raw("b1") as conn:  # and department B still sees none of it
        assert _q(conn, "SELECT count(*) FROM tickets WHERE id = %s", view.id) == [(0,)]


@pytest.mark.pg
def test_unfinished_tickets_under_the_operators_and_the_leads_own_roles(site: CentralSite) -> None:
    """What `UnfinishedTicketService` gives the lead's board, read as the lead: their department's
    tickets lacking required fields (both seeded tickets lack their line), never another's."""
    ids = site.ids
    engines = {who: make_engine(site.url_of(who)) for who in ("lead", "a1", "b1")}
    lead, a1, b1 = (UnfinishedTicketService(engines[who]) for who in ("lead", "a1", "b1"))
    try:
        (found,) = lead.of_department(ids["dept_a"])
        assert (found.ticket_id, found.missing, found.created_by) == (
            ids["ticket_a1"],
            (FieldName.LINE,),
            site.logins["a1"],
        )
        assert lead.of_department(ids["dept_b"]) == ()  # row-level security, not the query
        assert [t.ticket_id for t in a1.of_operator(site.logins["a1"])] == [ids["ticket_a1"]]
        assert a1.of_operator(site.logins["b1"]) == ()
        assert [t.ticket_id for t in b1.of_department(ids["dept_b"])] == [ids["ticket_b1"]]
    finally:
        for engine in engines.values():
            engine.dispose()


@pytest.mark.pg
def test_a_non_superuser_owner_can_migrate_and_add_operators(pg_server: URL) -> None:
    """The recipe of docs/central-database.md: an owner role with CREATEROLE and BYPASSRLS."""
    suffix = uuid.uuid4().hex[:8]
    owner, database, login = f"owner_{suffix}", f"frontline_owned_{suffix}", f"op_{suffix}"
    admin = create_engine(pg_server, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE ROLE "{owner}" LOGIN CREATEROLE BYPASSRLS'))
        conn.execute(text(f'CREATE DATABASE "{database}" OWNER "{owner}"'))
        conn.execute(text(f'REVOKE CONNECT ON DATABASE "{database}" FROM PUBLIC'))
    owner_engine = make_engine(pg_server.set(username=owner, database=database))
    try:
        migrate.upgrade(owner_engine)
        with admin.connect() as conn:
            conn.execute(text(f'GRANT CONNECT ON DATABASE "{database}" TO frontline_operator'))
        add_operator(
            owner_engine,
            login=login,
            display_name="Op",
            department="Dept A",
            role=Role.OPERATOR,
            password=PASSWORD,
        )
        with owner_engine.connect() as conn:
            owners = (
                conn.execute(
                    text("SELECT DISTINCT tableowner FROM pg_tables WHERE schemaname = current_schema()")
                )
                .scalars()
                .all()
            )
            assert owners == [owner]
        operator_url = pg_server.set(username=login, password=PASSWORD, database=database)
        with psycopg.connect(
            host=operator_url.host, port=operator_url.port, dbname=database, user=login, autocommit=True
        ) as conn:
            assert _q(conn, "SELECT count(*) FROM tickets") == [(0,)]
            assert _q(conn, "SELECT count(*) FROM operators") == [(1,)]
    finally:
        owner_engine.dispose()
        admin.dispose()
        drop_database_and_logins(pg_server, database, [login, owner])
