"""The central side of ticket numbering: leasing blocks of numbers to workstations.

Each block starts where the highest block so far ends, computed and inserted in one statement.
On PostgreSQL leases are serialised by a transaction-scoped advisory lock (leasing happens once
per thousand tickets, so waiting is harmless); should two leases still compute the same start,
the unique constraint on ``number_blocks.start`` lets only one commit and the other retries.
On SQLite the statement runs under the database's single write lock, so there is nothing to race.
Either way, blocks never overlap, which is the whole uniqueness argument of
`app.tickets.numbering`.
"""

from __future__ import annotations

import logging
from functools import partial

from sqlalchemy import Engine, func, insert, literal, select
from sqlalchemy.exc import IntegrityError

from app.storage.database import database_errors
from app.storage.schema import NumberBlockLease, table_of, utcnow
from app.tickets.numbering import LeaseFunction, NumberBlock, check_workstation_id

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 50
LEASE_LOCK_KEY = 0x46524F4E544C  # "FRONTL": the advisory lock id that serialises leases


class LeaseContention(RuntimeError):
    """Gave up after `MAX_ATTEMPTS` collisions with other desks leasing at the same time."""


def lease_blocks(engine: Engine, workstation_id: int, count: int = 1, size: int = 1000) -> list[NumberBlock]:
    """Lease `count` new blocks of `size` numbers to `workstation_id`, in one transaction.

    Raises:
        DatabaseUnavailable: the central database cannot be reached (try again later).
    """
    check_workstation_id(workstation_id)
    if count < 1 or size < 1:
        raise ValueError("Lease at least one block of at least one number.")
    blocks = table_of(NumberBlockLease)
    statement = (
        insert(blocks)
        .from_select(
            ["start", "size", "workstation_id", "leased_at"],
            select(
                func.coalesce(func.max(blocks.c.start + blocks.c.size), 1),
                literal(size),
                literal(workstation_id, type_=blocks.c.workstation_id.type),
                literal(utcnow(), type_=blocks.c.leased_at.type),
            ),
        )
        .returning(blocks.c.start)
    )
    for attempt in range(1, MAX_ATTEMPTS + 1):
        try:
            with database_errors(engine), engine.begin() as conn:
                if conn.dialect.name == "postgresql":
                    conn.execute(select(func.pg_advisory_xact_lock(LEASE_LOCK_KEY)))
                starts = [int(conn.execute(statement).scalar_one()) for _ in range(count)]
        except IntegrityError:
            log.debug("number block lease collided (attempt %d), retrying", attempt)
            continue
        leased = [NumberBlock(start, size) for start in starts]
        log.info("leased ticket number blocks %s to workstation %010x", leased, workstation_id)
        return leased
    raise LeaseContention(f"Could not lease a ticket number block after {MAX_ATTEMPTS} attempts.")


def lease_function(engine: Engine, workstation_id: int) -> LeaseFunction:
    """The ``lease(count, size)`` callable `TicketNumberAllocator.top_up` wants."""
    return partial(_lease, engine, workstation_id)


def _lease(engine: Engine, workstation_id: int, count: int, size: int) -> list[NumberBlock]:
    return lease_blocks(engine, workstation_id, count, size)
