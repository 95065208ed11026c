"""The columns `app.sync.applier` writes, as lightweight SQLAlchemy table clauses.

They carry the column types (aware UTC datetimes, dates), so the same statements run on
PostgreSQL and SQLite, and they include the ``uid`` columns and ``applied_changes`` table of
migration 0004 independently of the ORM model.  No thread of their own: pure definitions.
"""

from __future__ import annotations

from sqlalchemy import Boolean, Date, Integer, String, Text, column, table

from app.storage.schema import JSON_PAYLOAD, UtcDateTime

applied_changes = table(
    "applied_changes",
    column("key", String(36)),
    column("kind", String(32)),
    column("applied_at", UtcDateTime()),
)

calls = table(
    "calls",
    column("id", Integer),
    column("uid", String(36)),
    column("direction", String(24)),
    column("caller_number", String(32)),
    column("caller_name", String(200)),
    column("dialled_number", String(32)),
    column("line_id", Integer),
    column("operator_id", Integer),
    column("customer_id", Integer),
    column("ringing_at", UtcDateTime()),
    column("answered_at", UtcDateTime()),
    column("ended_at", UtcDateTime()),
    column("outcome", String(24)),
    column("hold_seconds", Integer),
    column("problem", Boolean),
    column("ticket_id", Integer),
    column("disposition", String(100)),
)

# The ticket fields a desk may change with ``ticket_saved`` (the form's fields).
TICKET_FIELDS = (
    "customer_id",
    "line_id",
    "category_id",
    "complexity_id",
    "priority_id",
    "status",
    "department_id",
    "assignee_id",
    "due_date",
    "subject",
    "description",
    "resolution",
)

tickets = table(
    "tickets",
    column("id", Integer),
    column("uid", String(36)),
    column("number", String(32)),
    column("customer_id", Integer),
    column("line_id", Integer),
    column("category_id", Integer),
    column("complexity_id", Integer),
    column("priority_id", Integer),
    column("status", String(24)),
    column("department_id", Integer),
    column("assignee_id", Integer),
    column("due_date", Date()),
    column("subject", String(200)),
    column("description", Text),
    column("resolution", Text),
    column("created_by_id", Integer),
    column("created_at", UtcDateTime()),
    column("updated_by_id", Integer),
    column("updated_at", UtcDateTime()),
    column("version", Integer),
)

ticket_events = table(
    "ticket_events",
    column("id", Integer),
    column("uid", String(36)),
    column("ticket_id", Integer),
    column("kind", String(24)),
    column("author_id", Integer),
    column("at", UtcDateTime()),
    column("payload", JSON_PAYLOAD),
)
