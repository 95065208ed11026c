"""Calls' ``updated_at``, uids on every row, operator states (the floor view), and a sync helper.

* ``calls.updated_at`` (NOT NULL, indexed): when the row last changed, so a desk cache can pull
  calls incrementally.  Existing rows get ``coalesce(ended_at, answered_at, ringing_at)``; rows
  inserted without it (raw SQL, ``COPY``) get the server's ``CURRENT_TIMESTAMP``.  SQLite cannot
  make a column NOT NULL in place, so there ``calls`` is rebuilt in batch mode (nothing refers to
  ``calls`` by foreign key, so no foreign-key dance as in 0002).
* ``uid`` on ``calls``, ``tickets`` and ``ticket_events``: filled in where NULL (rows written
  before 0004, or by tools that did not set one).  PostgreSQL also gets a server default
  ``gen_random_uuid()::text``, so a row inserted by any tool has one; SQLite has no such function
  and relies on the ORM's Python default (`app.storage.schema.new_row_uid`).
* ``operator_states``: one row per operator (ready / on call / wrap-up / break with a reason),
  written by `app.sync.applier` from the desks' ``operator_state`` changes.
* PostgreSQL only:
  - the change-notification trigger of 0004 fires for ``operator_states`` too;
    ``frontline_notify_change`` sends the operator id as ``id`` for rows that have no ``id``;
  - grants and FORCED row-level security in the style of 0003: every active operator (shift
    leads and admins included) reads all states, the floor view; an operator inserts and updates
    only their own row (the operator of ``session_user``), and so do shift leads; admins may do
    everything;
  - ``frontline_sync_refuse(code, message)``: raises an error with SQLSTATE `code` from inside a
    statement.  The applier writes a change in one statement and uses it to abort that statement
    (and so the recording of its idempotency key) when the change cannot apply (a missing row, a
    stale version).

Revision ID: 0005
Revises: 0004
"""

from __future__ import annotations

import uuid

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels = None
depends_on = None

UID_TABLES = ("calls", "tickets", "ticket_events")
UID_DEFAULT = "gen_random_uuid()::text"
CHANNEL = "frontline_changes"
OPERATOR = "frontline_operator"
ADMIN = "frontline_admin"

_NOTIFY_FUNCTION = """
CREATE OR REPLACE FUNCTION frontline_notify_change() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    rec jsonb := to_jsonb(NEW);
BEGIN
    PERFORM pg_notify('{channel}', json_build_object(
        'table', TG_TABLE_NAME,
        'op', lower(TG_OP),
        'id', {id},
        'uid', rec -> 'uid',
        'version', rec -> 'version'
    )::text);
    RETURN NULL;
END
$$
"""
NOTIFY_FUNCTION = _NOTIFY_FUNCTION.format(channel=CHANNEL, id="coalesce(rec -> 'id', rec -> 'operator_id')")
NOTIFY_FUNCTION_0004 = _NOTIFY_FUNCTION.format(channel=CHANNEL, id="rec -> 'id'")

REFUSE_FUNCTION = """
CREATE FUNCTION frontline_sync_refuse(code text, message text) RETURNS boolean
LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION USING ERRCODE = code, MESSAGE = message;
END
$$
"""

_ME = "(SELECT frontline_current_operator_id())"
POLICIES = {
    # name: (command, USING, WITH CHECK)
    "frontline_floor_read": ("SELECT", f"{_ME} IS NOT NULL", None),
    "frontline_own_state_insert": ("INSERT", None, f"operator_id = {_ME}"),
    "frontline_own_state_update": ("UPDATE", f"operator_id = {_ME}", f"operator_id = {_ME}"),
}


def _is_postgresql() -> bool:
    return op.get_bind().dialect.name == "postgresql"


def upgrade() -> None:
    postgres = _is_postgresql()
    bind = op.get_bind()

    # calls.updated_at
    op.add_column("calls", sa.Column("updated_at", sa.DateTime(timezone=True), nullable=True))
    op.execute("UPDATE calls SET updated_at = coalesce(ended_at, answered_at, ringing_at)")
    with op.batch_alter_table("calls") as batch:
        batch.alter_column(
            "updated_at",
            existing_type=sa.DateTime(timezone=True),
            nullable=False,
            server_default=sa.text("CURRENT_TIMESTAMP"),
        )
    op.create_index(op.f("ix_calls_updated_at"), "calls", ["updated_at"], unique=False)

    # uids everywhere
    for table in UID_TABLES:
        if postgres:
            op.execute(f"UPDATE {table} SET uid = {UID_DEFAULT} WHERE uid IS NULL")
            op.execute(f"ALTER TABLE {table} ALTER COLUMN uid SET DEFAULT {UID_DEFAULT}")
        else:
            ids = bind.execute(sa.text(f"SELECT id FROM {table} WHERE uid IS NULL")).scalars().all()  # noqa: S608
            if ids:
                bind.execute(
                    sa.text(f"UPDATE {table} SET uid = :uid WHERE id = :id"),  # noqa: S608
                    [{"uid": str(uuid.uuid4()), "id": row_id} for row_id in ids],
                )

    # operator_states
    op.create_table(
        "operator_states",
        sa.Column("operator_id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=24), nullable=False),
        sa.Column("reason", sa.String(length=100), nullable=True),
        sa.Column("since", sa.DateTime(timezone=True), nullable=False),
        sa.Column("call_uid", sa.String(length=36), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["operator_id"], ["operators.id"], name=op.f("fk_operator_states_operator_id_operators")
        ),
        sa.PrimaryKeyConstraint("operator_id", name=op.f("pk_operator_states")),
    )
    if not postgres:
        return

    op.execute(NOTIFY_FUNCTION)
    op.execute(
        "CREATE TRIGGER operator_states_notify AFTER INSERT OR UPDATE ON operator_states "
        "FOR EACH ROW EXECUTE FUNCTION frontline_notify_change()"
    )
    op.execute(f"GRANT SELECT, INSERT, UPDATE ON operator_states TO {OPERATOR}")
    op.execute(f"GRANT SELECT, INSERT, UPDATE, DELETE ON operator_states TO {ADMIN}")
    op.execute("ALTER TABLE operator_states ENABLE ROW LEVEL SECURITY")
    op.execute("ALTER TABLE operator_states FORCE ROW LEVEL SECURITY")
    for name, (command, using, check) in POLICIES.items():
        clauses = (f" USING ({using})" if using else "") + (f" WITH CHECK ({check})" if check else "")
        op.execute(f"CREATE POLICY {name} ON operator_states FOR {command} TO {OPERATOR}{clauses}")
    op.execute(
        f"CREATE POLICY frontline_admin_all ON operator_states TO {ADMIN} USING (true) WITH CHECK (true)"
    )

    op.execute(REFUSE_FUNCTION)
    op.execute("REVOKE ALL ON FUNCTION frontline_sync_refuse(text, text) FROM PUBLIC")
    op.execute(f"GRANT EXECUTE ON FUNCTION frontline_sync_refuse(text, text) TO {OPERATOR}")


def downgrade() -> None:
    if _is_postgresql():
        op.execute("DROP FUNCTION IF EXISTS frontline_sync_refuse(text, text)")
        op.execute("DROP TRIGGER IF EXISTS operator_states_notify ON operator_states")
        op.execute(NOTIFY_FUNCTION_0004)
        for table in UID_TABLES:
            op.execute(f"ALTER TABLE {table} ALTER COLUMN uid DROP DEFAULT")
    op.drop_table("operator_states")  # its policies and grants go with it
    op.drop_index(op.f("ix_calls_updated_at"), table_name="calls")
    with op.batch_alter_table("calls") as batch:
        batch.drop_column("updated_at")
