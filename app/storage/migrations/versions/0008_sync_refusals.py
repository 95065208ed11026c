"""Changes the central database refused, as each desk reports them: what IT lists with
``frontline admin sync-status``.

A desk keeps a refused change in its outbox (never dropped) and retries it later; so that IT
does not have to walk to every desk to find out, the desk also writes one row here per refused
change (`app.sync.applier.Applier.report_refusal`) and deletes it once the change went through.

* ``sync_refusals``: the change's idempotency key, the desk (``user@host``), the operator, the
  kind of change, the ticket or call it concerns (its uid), the database's error, when it was
  first and last refused, and how often.
* PostgreSQL only: grants and FORCED row-level security in the style of 0003: a desk writes and
  deletes only its own operator's rows; operators and shift leads read their department's (a
  lead sees the refusals of their floor); admins read and change all.  A desk whose login may not
  write here (e.g. an operator deactivated meanwhile) cannot report: the refusal then stays in
  its outbox and its log only.

Revision ID: 0008
Revises: 0007
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels = None
depends_on = None

OPERATOR = "frontline_operator"
ADMIN = "frontline_admin"

_ME = "(SELECT frontline_current_operator_id())"
_MY_DEPARTMENT_OPERATORS = "(SELECT frontline_department_operators())"
POLICIES = {
    # name: (command, USING, WITH CHECK)
    "frontline_department_read": ("SELECT", f"operator_id IN {_MY_DEPARTMENT_OPERATORS}", None),
    "frontline_own_insert": ("INSERT", None, f"operator_id = {_ME}"),
    "frontline_own_update": ("UPDATE", f"operator_id = {_ME}", f"operator_id = {_ME}"),
    "frontline_own_delete": ("DELETE", f"operator_id = {_ME}", None),
}


def upgrade() -> None:
    op.create_table(
        "sync_refusals",
        sa.Column("key", sa.String(length=36), nullable=False),
        sa.Column("desk", sa.String(length=200), nullable=False),
        sa.Column("operator_id", sa.Integer(), nullable=True),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("subject", sa.String(length=36), nullable=True),
        sa.Column("error", sa.Text(), nullable=False),
        sa.Column("first_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["operator_id"], ["operators.id"], name=op.f("fk_sync_refusals_operator_id_operators")
        ),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_sync_refusals")),
    )
    op.create_index(op.f("ix_sync_refusals_desk"), "sync_refusals", ["desk"], unique=False)
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute(f"GRANT SELECT, INSERT, UPDATE, DELETE ON sync_refusals TO {OPERATOR}")
    op.execute(f"GRANT SELECT, INSERT, UPDATE, DELETE ON sync_refusals TO {ADMIN}")
    op.execute("ALTER TABLE sync_refusals ENABLE ROW LEVEL SECURITY")
    op.execute("ALTER TABLE sync_refusals FORCE ROW LEVEL SECURITY")
    for name, (command, using, check) in POLICIES.items():
        clauses = (f" USING ({using})" if using else "") + (f" WITH CHECK ({check})" if check else "")
        op.execute(f"CREATE POLICY {name} ON sync_refusals FOR {command} TO {OPERATOR}{clauses}")
    op.execute(
        f"CREATE POLICY frontline_admin_all ON sync_refusals TO {ADMIN} USING (true) WITH CHECK (true)"
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_sync_refusals_desk"), table_name="sync_refusals")
    op.drop_table("sync_refusals")  # its policies and grants go with it
