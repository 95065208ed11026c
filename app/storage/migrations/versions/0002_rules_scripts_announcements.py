"""Required-field rules, call scripts, announcements, caller name and disposition, ticket CHECKs.

The two CHECK constraints on ``tickets`` are the part of the required-field rules the database can
express (see `app.storage.schema.TICKET_CLOSED_NEEDS`).  On SQLite they are added in batch mode,
which rebuilds the table (SQLite cannot add a constraint in place); foreign keys are switched off
for the rebuild, as SQLite's documentation prescribes, so dropping the old table does not trip the
references from ``calls`` and ``ticket_events``.  That needs a commit just before and just after
the rebuild (the pragma is ignored inside a transaction), so on SQLite this step is not atomic
with the rest of the upgrade; a failed rebuild is rolled back and leaves the old table intact.

The rules and scripts tables start empty: Frontline uses the shipped defaults under resources/
until `app.storage.seed` copies them in (categories and lines must exist to be referred to).

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-22
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager

import sqlalchemy as sa
from alembic import op

revision: str = '0002'
down_revision: str | None = '0001'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

CLOSED_NEEDS = (
    "status NOT IN ('resolved', 'closed') OR (category_id IS NOT NULL AND complexity_id IS NOT NULL"
    " AND resolution IS NOT NULL AND TRIM(resolution) <> '')"
)
ESCALATED_NEEDS = "status <> 'escalated' OR (department_id IS NOT NULL AND due_date IS NOT NULL)"


@contextmanager
def _sqlite_foreign_keys_off() -> Iterator[None]:
    bind = op.get_bind()
    if bind.dialect.name != "sqlite":
        yield
        return
    # PRAGMA foreign_keys is a no-op inside a transaction: finish what came before, and finish the
    # rebuild before switching the checks back on (the connection goes back to the pool).
    dbapi = bind.connection.dbapi_connection
    assert dbapi is not None
    dbapi.commit()
    bind.exec_driver_sql("PRAGMA foreign_keys=OFF")
    try:
        yield
        problems = bind.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
        if problems:
            raise RuntimeError(f"Foreign key problems after rebuilding tickets: {problems[:5]}")
        dbapi.commit()
    except BaseException:
        dbapi.rollback()
        raise
    finally:
        bind.exec_driver_sql("PRAGMA foreign_keys=ON")


def _refuse_rows_breaking(condition: str, what: str) -> None:
    rows = op.get_bind().execute(sa.text(f"SELECT number FROM tickets WHERE NOT ({condition})")).scalars().all()
    if rows:
        raise RuntimeError(
            f"{len(rows)} tickets break the new rule that {what}, e.g. {', '.join(rows[:10])}. "
            "Fill those fields in, then run the upgrade again."
        )


def upgrade() -> None:
    _refuse_rows_breaking(CLOSED_NEEDS, "a resolved or closed ticket has category, complexity and resolution")
    _refuse_rows_breaking(ESCALATED_NEEDS, "an escalated ticket has a department and a due date")
    op.create_table('field_rules',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('category_id', sa.Integer(), nullable=True),
    sa.Column('transitions', sa.JSON(), nullable=False),
    sa.Column('fields', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['category_id'], ['categories.id'], name=op.f('fk_field_rules_category_id_categories'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_field_rules'))
    )
    op.create_index(op.f('ix_field_rules_category_id'), 'field_rules', ['category_id'], unique=False)
    op.create_table('scripts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('line_id', sa.Integer(), nullable=True),
    sa.Column('language', sa.String(length=8), nullable=False),
    sa.Column('key', sa.String(length=32), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['line_id'], ['lines.id'], name=op.f('fk_scripts_line_id_lines'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_scripts')),
    sa.UniqueConstraint('line_id', 'language', 'key', name=op.f('uq_scripts_line_id_language_key'))
    )
    op.create_table('announcements',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('regions', sa.JSON(), nullable=False),
    sa.Column('valid_from', sa.DateTime(timezone=True), nullable=False),
    sa.Column('valid_to', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['created_by_id'], ['operators.id'], name=op.f('fk_announcements_created_by_id_operators')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_announcements'))
    )
    op.create_index('ix_announcements_valid_to_valid_from', 'announcements', ['valid_to', 'valid_from'], unique=False)
    with op.batch_alter_table('calls', schema=None) as batch_op:
        batch_op.add_column(sa.Column('caller_name', sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column('disposition', sa.String(length=100), nullable=True))
    with _sqlite_foreign_keys_off(), op.batch_alter_table('tickets', schema=None) as batch_op:
        batch_op.create_check_constraint('closed_needs_category_complexity_resolution', sa.text(CLOSED_NEEDS))
        batch_op.create_check_constraint('escalated_needs_department_due_date', sa.text(ESCALATED_NEEDS))


def downgrade() -> None:
    with _sqlite_foreign_keys_off(), op.batch_alter_table('tickets', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_tickets_escalated_needs_department_due_date'), type_='check')
        batch_op.drop_constraint(op.f('ck_tickets_closed_needs_category_complexity_resolution'), type_='check')
    with op.batch_alter_table('calls', schema=None) as batch_op:
        batch_op.drop_column('disposition')
        batch_op.drop_column('caller_name')
    op.drop_index('ix_announcements_valid_to_valid_from', table_name='announcements')
    op.drop_table('announcements')
    op.drop_table('scripts')
    op.drop_index(op.f('ix_field_rules_category_id'), table_name='field_rules')
    op.drop_table('field_rules')
