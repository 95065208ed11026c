"""Access control on PostgreSQL: group roles, grants, row-level security (forced) by department.

**On SQLite this migration does nothing**: the embedded database serves one desk, there is no
server to enforce anything against the person who owns the file, so there is nothing to set up.

On PostgreSQL (see docs/central-database.md):

* Three NOLOGIN group roles, cluster-wide, created when missing (several Frontline databases in one
  cluster share them): ``frontline_operator``; ``frontline_shift_lead``, a member of it;
  ``frontline_admin``, a member of that.  Each operator signs in with their own LOGIN role,
  granted one group (`app.storage.admin.add_operator`).  The tables stay owned by the role that runs
  the migrations, which the desks never use.
* Grants, the minimum a desk needs: every group reads the reference data (lines, departments,
  operators, categories, rules, scripts, announcements); operators read, insert and update
  customers (a shared directory: the screen pop must find any caller, whichever line they call),
  tickets and calls, insert ticket events (append-only: only admins may update or delete them),
  and lease ticket number blocks.  Shift leads also edit categories, complexity levels,
  priorities, required-field rules, scripts and announcements.  Admins may do everything.
* Row-level security, enabled and FORCED (the owner is filtered too, unless it is a superuser or
  has BYPASSRLS), on ``tickets``, ``ticket_events`` and ``calls``:
  - a ticket belongs to the department of the operator who created it, and is also visible to the
    department it is passed to (``tickets.department_id``, set when escalating): an operator sees
    and edits tickets where either is their department, and whatever they write must still be
    visible to them afterwards (WITH CHECK), so a ticket cannot be moved out of their reach;
  - a call belongs to the department of the operator who took it;
  - a ticket event is visible (and may be added) when its ticket is visible;
  - shift leads see their floor, which is their department: the same rows as its operators;
  - admins see and change all rows.
  The department and the operator come from ``operators`` by the login (``session_user``) through
  SECURITY DEFINER helpers with a fixed search_path; an inactive operator, or a login with no
  ``operators`` row, sees no tickets or calls at all.

Revision ID: 0003
Revises: 0002
"""

from __future__ import annotations

from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels = None
depends_on = None

OPERATOR = "frontline_operator"
SHIFT_LEAD = "frontline_shift_lead"
ADMIN = "frontline_admin"
GROUPS = (OPERATOR, SHIFT_LEAD, ADMIN)

REFERENCE = (
    "alembic_version",
    "lines",
    "line_numbers",
    "departments",
    "operators",
    "categories",
    "complexity_levels",
    "priorities",
    "field_rules",
    "scripts",
    "announcements",
)
# table -> privileges of frontline_operator beyond SELECT
OPERATOR_WRITES = {
    "customers": "INSERT, UPDATE",
    "customer_phones": "INSERT, UPDATE, DELETE",
    "tickets": "INSERT, UPDATE",
    "ticket_events": "INSERT",
    "calls": "INSERT, UPDATE",
    "number_blocks": "INSERT",
}
SHIFT_LEAD_EDITS = (
    "categories",
    "complexity_levels",
    "priorities",
    "field_rules",
    "scripts",
    "announcements",
)
RLS_TABLES = ("tickets", "ticket_events", "calls")
ALL_TABLES = tuple(dict.fromkeys((*REFERENCE, *OPERATOR_WRITES, *SHIFT_LEAD_EDITS)))

FUNCTIONS = {
    "frontline_current_operator_id": (
        "integer",
        "SELECT id FROM operators WHERE login = session_user AND active",
    ),
    "frontline_current_department": (
        "integer",
        "SELECT department_id FROM operators WHERE login = session_user AND active",
    ),
    "frontline_department_operators": (
        "SETOF integer",
        "SELECT o.id FROM operators o"
        " WHERE o.department_id = (SELECT department_id FROM operators"
        " WHERE login = session_user AND active)",
    ),
}

# `(SELECT f())` makes each helper an InitPlan (or a hashed subplan), evaluated once per statement
# rather than once per row.
_MY_DEPARTMENT = "(SELECT frontline_current_department())"
_MY_DEPARTMENT_OPERATORS = "(SELECT frontline_department_operators())"  # a hashed subplan
POLICIES = {
    "tickets": f"department_id = {_MY_DEPARTMENT} OR created_by_id IN {_MY_DEPARTMENT_OPERATORS}",
    "calls": f"operator_id IN {_MY_DEPARTMENT_OPERATORS}",
    # The inner query on tickets is itself filtered by the tickets policy of the same user.
    "ticket_events": "EXISTS (SELECT 1 FROM tickets t WHERE t.id = ticket_events.ticket_id)",
}


def _is_postgresql() -> bool:
    return op.get_bind().dialect.name == "postgresql"


def _sequence_grants(role: str, tables: tuple[str, ...] | list[str]) -> None:
    for table in tables:
        seq = op.get_bind().exec_driver_sql(f"SELECT pg_get_serial_sequence('{table}', 'id')").scalar()
        if seq is not None:
            op.execute(f"GRANT USAGE ON SEQUENCE {seq} TO {role}")


def upgrade() -> None:
    if not _is_postgresql():
        return
    schema = op.get_bind().exec_driver_sql("SELECT quote_ident(current_schema())").scalar_one()

    for role in GROUPS:
        op.execute(
            f"DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '{role}') THEN"
            f" CREATE ROLE {role} NOLOGIN; END IF; END $$"
        )
    op.execute(f"GRANT {OPERATOR} TO {SHIFT_LEAD}")
    op.execute(f"GRANT {SHIFT_LEAD} TO {ADMIN}")

    op.execute(f"GRANT USAGE ON SCHEMA {schema} TO {OPERATOR}")
    for table in REFERENCE:
        op.execute(f"GRANT SELECT ON {table} TO {OPERATOR}")
    for table, privileges in OPERATOR_WRITES.items():
        op.execute(f"GRANT SELECT, {privileges} ON {table} TO {OPERATOR}")
    _sequence_grants(OPERATOR, [t for t, p in OPERATOR_WRITES.items() if "INSERT" in p])
    for table in SHIFT_LEAD_EDITS:
        op.execute(f"GRANT INSERT, UPDATE, DELETE ON {table} TO {SHIFT_LEAD}")
    _sequence_grants(SHIFT_LEAD, SHIFT_LEAD_EDITS)
    for table in ALL_TABLES:
        if table != "alembic_version":
            op.execute(f"GRANT SELECT, INSERT, UPDATE, DELETE ON {table} TO {ADMIN}")
    _sequence_grants(ADMIN, [t for t in ALL_TABLES if t != "alembic_version"])

    for name, (returns, body) in FUNCTIONS.items():
        op.execute(
            f"CREATE FUNCTION {name}() RETURNS {returns} LANGUAGE sql STABLE SECURITY DEFINER"
            f" SET search_path = {schema}, pg_temp AS $fn$ {body} $fn$"
        )
        op.execute(f"REVOKE ALL ON FUNCTION {name}() FROM PUBLIC")
        op.execute(f"GRANT EXECUTE ON FUNCTION {name}() TO {OPERATOR}")

    for table in RLS_TABLES:
        op.execute(f"ALTER TABLE {table} ENABLE ROW LEVEL SECURITY")
        op.execute(f"ALTER TABLE {table} FORCE ROW LEVEL SECURITY")
        condition = POLICIES[table]
        op.execute(
            f"CREATE POLICY frontline_department ON {table} TO {OPERATOR}"
            f" USING ({condition}) WITH CHECK ({condition})"
        )
        op.execute(f"CREATE POLICY frontline_admin_all ON {table} TO {ADMIN} USING (true) WITH CHECK (true)")


def downgrade() -> None:
    if not _is_postgresql():
        return
    schema = op.get_bind().exec_driver_sql("SELECT quote_ident(current_schema())").scalar_one()
    for table in RLS_TABLES:
        op.execute(f"DROP POLICY IF EXISTS frontline_admin_all ON {table}")
        op.execute(f"DROP POLICY IF EXISTS frontline_department ON {table}")
        op.execute(f"ALTER TABLE {table} NO FORCE ROW LEVEL SECURITY")
        op.execute(f"ALTER TABLE {table} DISABLE ROW LEVEL SECURITY")
    for name in FUNCTIONS:
        op.execute(f"DROP FUNCTION IF EXISTS {name}()")
    groups = ", ".join(GROUPS)
    for table in ALL_TABLES:
        op.execute(f"REVOKE ALL ON {table} FROM {groups}")
    op.execute(f"REVOKE ALL ON ALL SEQUENCES IN SCHEMA {schema} FROM {groups}")
    op.execute(f"REVOKE ALL ON SCHEMA {schema} FROM {groups}")
    # The roles are cluster-wide: another Frontline database in the cluster may still use them
    # (its grants make DROP ROLE fail), and operators' login roles are IT's to remove.
    for role in reversed(GROUPS):
        op.execute(
            f"DO $$ BEGIN DROP ROLE IF EXISTS {role};"
            " EXCEPTION WHEN dependent_objects_still_exist THEN"
            f" RAISE NOTICE 'role {role} kept: still used by another database'; END $$"
        )
