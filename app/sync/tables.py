"""The central tables sync reads and writes, as lightweight SQLAlchemy table clauses.

They carry the column types (aware UTC datetimes, dates), so rows read through them come back
typed on PostgreSQL and SQLite alike, and they include the ``uid`` columns and
``applied_changes`` table of migration 0004 and the ``operator_states`` table of 0005
independently of the ORM model.  (`app.sync.applier` writes in SQL of its own, one statement
per change.)  No thread of their own: pure definitions.
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
    column("updated_at", UtcDateTime()),
    column("end_reason", String(24)),
    column("transferred_to", String(200)),
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

operator_states = table(
    "operator_states",
    column("operator_id", Integer),
    column("status", String(24)),
    column("reason", String(100)),
    column("since", UtcDateTime()),
    column("call_uid", String(36)),
    column("updated_at", UtcDateTime()),
)

sync_refusals = table(
    "sync_refusals",
    column("key", String(36)),
    column("desk", String(200)),
    column("operator_id", Integer),
    column("kind", String(32)),
    column("subject", String(36)),
    column("error", Text),
    column("first_at", UtcDateTime()),
    column("last_at", UtcDateTime()),
    column("attempts", Integer),
)
