"""Change stamps from the central database's clock: what a desk cache refreshes by.

A desk's cache pulls ``customers`` and ``tickets`` changed since its last refresh by
``updated_at`` (`app.sync.pull`).  Those stamps came from the writing desk's clock: a save made
offline at 10:00 and applied at 10:40 (when the desk came back) carried 10:00, behind the
watermark of every desk that refreshed in between, so only the live NOTIFY delivered it; a desk
whose clock runs slow stamped its writes in the past.  Now:

* PostgreSQL: a ``BEFORE INSERT OR UPDATE`` trigger sets ``updated_at = now()`` on ``customers``
  and ``tickets`` (the central database's clock, whoever writes: the applier, an import, an admin
  in psql).  When the operator did something stays in the ticket's events (``at``).
* Both: indexes on ``customers.updated_at`` and ``tickets.updated_at`` (the refresh's range scans).

Revision ID: 0006
Revises: 0005
"""

from __future__ import annotations

from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels = None
depends_on = None

STAMPED = ("customers", "tickets")

_FUNCTION = """
CREATE OR REPLACE FUNCTION frontline_stamp_updated_at() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    NEW.updated_at := now();
    RETURN NEW;
END
$$
"""


def upgrade() -> None:
    for table in STAMPED:
        op.create_index(op.f(f"ix_{table}_updated_at"), table, ["updated_at"], unique=False)
    if op.get_bind().dialect.name == "postgresql":
        op.execute(_FUNCTION)
        for table in STAMPED:
            op.execute(
                f"CREATE TRIGGER frontline_stamp_updated_at BEFORE INSERT OR UPDATE ON {table} "
                "FOR EACH ROW EXECUTE FUNCTION frontline_stamp_updated_at()"
            )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for table in STAMPED:
            op.execute(f"DROP TRIGGER IF EXISTS frontline_stamp_updated_at ON {table}")
        op.execute("DROP FUNCTION IF EXISTS frontline_stamp_updated_at()")
    for table in STAMPED:
        op.drop_index(op.f(f"ix_{table}_updated_at"), table_name=table)
