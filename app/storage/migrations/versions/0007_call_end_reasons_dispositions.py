"""Why each call ended, where a transfer went, and the disposition lists.

* ``calls.end_reason`` (a closed vocabulary, `app.tickets.enums.CallEndReason`, stored as a short
  string with a CHECK like the other enums): who hung up, why the desk refused the call (Not
  ready, break, wrap-up, busy, the operator), ring timeout, the softphone died, the window closed.
  It replaces the free-text "operator …" dispositions refused calls used to get: those rows are
  converted (``disposition`` emptied, ``end_reason`` set).
* ``calls.transferred_to``: the target of a blind transfer.
* ``dispositions``: the lists an operator picks from at wrap-up (`app.tickets.dispositions`),
  a default list (``line_id`` NULL) and lines' own lists; ``labels`` is a JSON object of
  language code -> label.  Empty here: `app.storage.seed` copies the shipped defaults in.
* PostgreSQL: every Frontline group reads ``dispositions`` (reference data), shift leads edit
  them, admins may do everything -- as 0003 does for scripts.

The columns are added in place on both databases (SQLite's ADD COLUMN takes the CHECK), so
``calls`` is not rebuilt.

Revision ID: 0007
Revises: 0006
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels = None
depends_on = None

OPERATOR = "frontline_operator"
SHIFT_LEAD = "frontline_shift_lead"
ADMIN = "frontline_admin"

END_REASONS = (
    "caller_hung_up",
    "operator_hung_up",
    "ring_timeout",
    "operator_rejected",
    "not_ready",
    "on_break",
    "wrap_up",
    "busy",
    "transferred",
    "engine_died",
    "window_closed",
    "failed",
)
# What the desk wrote as a refused call's disposition before this migration -> the end reason.
_OLD_REFUSALS = {
    "operator busy": "busy",
    "operator not_ready": "not_ready",
    "operator break": "on_break",
    "operator wrap_up": "wrap_up",
    "operator on_call": "busy",
    "operator ready": "busy",
}


def upgrade() -> None:
    postgres = op.get_bind().dialect.name == "postgresql"
    allowed = ", ".join(f"'{reason}'" for reason in END_REASONS)
    if postgres:
        op.add_column("calls", sa.Column("end_reason", sa.String(length=24), nullable=True))
        op.create_check_constraint("call_end_reason", "calls", sa.text(f"end_reason IN ({allowed})"))
    else:
        # Alembic would add the column but skip its CHECK on SQLite (no ALTER ADD CONSTRAINT);
        # SQLite's ADD COLUMN takes a column constraint, named as the ORM names it.
        op.execute(
            "ALTER TABLE calls ADD COLUMN end_reason VARCHAR(24)"
            f" CONSTRAINT ck_calls_call_end_reason CHECK (end_reason IN ({allowed}))"
        )
    op.add_column("calls", sa.Column("transferred_to", sa.String(length=200), nullable=True))
    calls = sa.table("calls", sa.column("disposition", sa.String), sa.column("end_reason", sa.String))
    for old, reason in _OLD_REFUSALS.items():
        op.execute(
            calls.update().where(calls.c.disposition == old).values(disposition=None, end_reason=reason)
        )

    op.create_table(
        "dispositions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("line_id", sa.Integer(), nullable=True),
        sa.Column("code", sa.String(length=40), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("labels", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["line_id"], ["lines.id"], name=op.f("fk_dispositions_line_id_lines"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_dispositions")),
        sa.UniqueConstraint("line_id", "code", name=op.f("uq_dispositions_line_id_code")),
    )
    if postgres:
        op.execute(f"GRANT SELECT ON dispositions TO {OPERATOR}")
        op.execute(f"GRANT INSERT, UPDATE, DELETE ON dispositions TO {SHIFT_LEAD}")
        op.execute(f"GRANT SELECT, INSERT, UPDATE, DELETE ON dispositions TO {ADMIN}")
        sequence = op.get_bind().exec_driver_sql("SELECT pg_get_serial_sequence('dispositions', 'id')").scalar()
        for role in (SHIFT_LEAD, ADMIN):
            op.execute(f"GRANT USAGE ON SEQUENCE {sequence} TO {role}")


def downgrade() -> None:
    op.drop_table("dispositions")
    # The end reasons go with their column; the old free-text dispositions are not written back.
    # In place on both (SQLite >= 3.35 drops a column with its own CHECK; a batch rebuild would
    # re-create the reflected CHECK on the column it drops).
    op.execute("ALTER TABLE calls DROP COLUMN transferred_to")
    op.execute("ALTER TABLE calls DROP COLUMN end_reason")
