"""The refusal reports desks leave in the central database (migration 0008), read for IT.

``frontline admin sync-status`` runs `refusal_reports` with the caller's own login: an admin sees
every desk's, a shift lead their department's, an operator their own (row-level security), and
the owner role everything.  Blocking; no thread of its own.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Engine, select

from app.storage.database import database_errors
from app.storage.schema import Operator
from app.sync import tables as t


@dataclass(frozen=True, slots=True)
class RefusalReport:
    """One change the central database refused, as the desk that sent it reported it."""

    desk: str  # user@host
    operator: str | None  # the operator's login
    key: str
    kind: str
    subject: str | None  # the ticket's or call's uid
    error: str
    first_at: datetime
    last_at: datetime
    attempts: int


def refusal_reports(engine: Engine) -> list[RefusalReport]:
    """Every refusal report the connected login may see, by desk, oldest first.

    Raises:
        DatabaseUnavailable: the database cannot be reached.
    """
    r = t.sync_refusals
    query = (
        select(r, Operator.login)
        .select_from(r)
        .outerjoin(Operator, Operator.id == r.c.operator_id)
        .order_by(r.c.desk, r.c.first_at, r.c.key)
    )
    with database_errors(engine), engine.connect() as conn:
        rows = conn.execute(query).all()
    return [
        RefusalReport(
            desk=row.desk,
            operator=row.login,
            key=row.key,
            kind=row.kind,
            subject=row.subject,
            error=row.error,
            first_at=row.first_at,
            last_at=row.last_at,
            attempts=row.attempts,
        )
        for row in rows
    ]
