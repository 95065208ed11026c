"""Sync with the central database: idempotency keys, client uids and change notifications.

* ``applied_changes``: the idempotency key of every outbox change the central database has
  applied (`app.sync.applier` inserts the key in the same transaction as the change, ``ON
  CONFLICT DO NOTHING``, so a replay after a crash or a timeout is a no-op).
* ``uid`` on ``calls``, ``tickets`` and ``ticket_events``: a UUID the desk generates when it
  creates the row, so it can refer to rows it created offline before it knows their ids.  NULL for
  rows written before this migration; a unique *index* (not a constraint) so SQLite can add it
  without rebuilding the tables.
* PostgreSQL only: an ``AFTER INSERT OR UPDATE`` trigger on ``tickets``, ``calls`` and
  ``announcements`` sends ``pg_notify('frontline_changes', '{"table":..,"op":..,"id":..,
  "uid":..,"version":..}')`` (`app.sync.notify` listens).  NOTIFY is delivered at commit.
  The operators' group role of migration 0003 (``frontline_operator``), when it exists, may
  SELECT and INSERT ``applied_changes``.

Revision ID: 0004
Revises: 0003
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels = None
depends_on = None

UID_TABLES = ("calls", "tickets", "ticket_events")
NOTIFY_TABLES = ("tickets", "calls", "announcements")
CHANNEL = "frontline_changes"

NOTIFY_FUNCTION = f"""
CREATE OR REPLACE FUNCTION frontline_notify_change() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    rec jsonb := to_jsonb(NEW);
BEGIN
    PERFORM pg_notify('{CHANNEL}', json_build_object(
        'table', TG_TABLE_NAME,
        'op', lower(TG_OP),
        'id', rec -> 'id',
        'uid', rec -> 'uid',
        'version', rec -> 'version'
    )::text);
    RETURN NULL;
END
$$
"""


# The desks sign in with their own roles (migration 0003): they record the keys they apply.
GRANT_KEYS = """
DO $$
BEGIN
    IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'frontline_operator') THEN
        GRANT SELECT, INSERT ON applied_changes TO frontline_operator;
    END IF;
END
$$
"""


def upgrade() -> None:
    op.create_table(
        "applied_changes",
        sa.Column("key", sa.String(length=36), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("applied_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_applied_changes")),
    )
    for table in UID_TABLES:
        op.add_column(table, sa.Column("uid", sa.String(length=36), nullable=True))
        op.create_index(op.f(f"ix_{table}_uid"), table, ["uid"], unique=True)
    if op.get_bind().dialect.name == "postgresql":
        op.execute(GRANT_KEYS)
        op.execute(NOTIFY_FUNCTION)
        for table in NOTIFY_TABLES:
            op.execute(
                f"CREATE TRIGGER {table}_notify AFTER INSERT OR UPDATE ON {table} "
                "FOR EACH ROW EXECUTE FUNCTION frontline_notify_change()"
            )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for table in NOTIFY_TABLES:
            op.execute(f"DROP TRIGGER IF EXISTS {table}_notify ON {table}")
        op.execute("DROP FUNCTION IF EXISTS frontline_notify_change()")
    for table in reversed(UID_TABLES):
        op.drop_index(op.f(f"ix_{table}_uid"), table_name=table)
        # Native DROP COLUMN (SQLite >= 3.35): no table rebuild under the foreign keys.
        op.execute(f"ALTER TABLE {table} DROP COLUMN uid")
    op.drop_table("applied_changes")
