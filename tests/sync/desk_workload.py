"""A desk's scripted shift through the real desk services, run as a separate process.

``python -m tests.sync.desk_workload --home DIR --db URL --count N``

`URL` names the desk's operator as its user: the desk signs in with their own login (row-level
security applies) and records their calls and tickets as theirs; the password comes from
``PGPASSWORD`` (libpq), never from the command line.

The workstation's own path (`app.sync.desk.DeskSync`: the local SQLite cache with the
outbox in it, the replicator, the listener, the cache refresher) with `CallService` and
`TicketService` on the cache: for items ``0..N-1`` a call rings from ``+7496{item:07d}``, is
answered, gets its ticket (for the central database's first customer and line: the shipped
rules want both), the ticket is saved with the subject ``item {item}``, and the call ends.  Each of those is one local transaction (cache row + outbox change), so after a SIGKILL the
restarted process finds in its cache how far each call got and carries on from there, as the
operator would after a crash; nothing is done twice.  Exits 0 once the outbox has drained.
"""

from __future__ import annotations

import argparse
import dataclasses
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.engine import make_url

from app.errors import DatabaseUnavailable
from app.services.calls import CallService
from app.services.tickets import TicketService
from app.storage.schema import Call, Customer, Line
from app.sync.desk import DeskSync
from app.tickets.enums import CallDirection, CallOutcome
from tests.fixtures.desks import desk_ticket_service

BASE = datetime(2026, 11, 22, 8, 0, tzinfo=UTC)


def caller(item: int) -> str:
    return f"+7496{item:07d}"


def take_call(
    calls: CallService,
    tickets: TicketService,
    sync: DeskSync,
    login: str,
    item: int,
    customer: int,
    line: int,
) -> bool:
    """Item `item`'s call, answered by `login`, from wherever a previous run of this desk left it;
    False when it was complete already (a restarted desk walking over what it did before)."""
    at = BASE + timedelta(seconds=item)
    with sync.cache.connect() as conn:
        call_id = conn.scalar(select(Call.id).where(Call.caller_number == caller(item)))
    fresh = call_id is None
    if call_id is None:
        call_id = calls.ringing(
            direction=CallDirection.INBOUND,
            caller_number=caller(item),
            display_name=None,
            dialled_number=None,
            at=at,
            operator_login=login,
        ).id
    record = calls.get(call_id)
    if record.answered_at is None:
        record = calls.answered(call_id, at + timedelta(seconds=3), operator_login=login)
    if record.ticket_id is None:
        ticket = tickets.create_for_call(call_id, customer, line, login)
    else:
        ticket = tickets.get(record.ticket_id)
    if ticket.draft.subject != f"item {item}":
        tickets.save(
            ticket.id, dataclasses.replace(ticket.draft, subject=f"item {item}"), ticket.version, login
        )
    if record.ended_at is None:
        calls.ended(call_id, at + timedelta(seconds=60), CallOutcome.ANSWERED)
        return True
    return fresh


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--home", type=Path, required=True)
    parser.add_argument("--db", required=True)
    parser.add_argument("--count", type=int, required=True)
    parser.add_argument("--pace", type=float, default=0.0, help="seconds between calls")
    parser.add_argument("--drain-wait", type=float, default=120.0, help="seconds to wait for the outbox")
    args = parser.parse_args(argv)

    login = make_url(args.db).username
    if not login:
        parser.error("--db must name the desk's operator as its user")
    sync = DeskSync(args.db, args.home / "cache.sqlite3")
    # A desk's very first start copies the central database and needs it (the window says so);
    # a desk killed before its first copy finished waits for the database like its operator would.
    for attempt in range(60):
        try:
            sync.prepare()
            break
        except DatabaseUnavailable:
            print(f"first copy: central database unavailable (attempt {attempt + 1})", flush=True)
            time.sleep(1.0)
    sync.start()
    tickets = desk_ticket_service(sync, args.home / "numbers.sqlite3")
    calls = CallService(sync.cache, "RU", recorder=sync.recorder)
    with sync.cache.connect() as conn:  # the one customer and line the test put centrally
        customer = conn.scalar(select(Customer.id).order_by(Customer.id).limit(1))
        line = conn.scalar(select(Line.id).order_by(Line.id).limit(1))
    for item in range(args.count):
        if take_call(calls, tickets, sync, login, item, customer, line) and args.pace:
            time.sleep(args.pace)
    print("taken", flush=True)
    drained = sync.replicator.wait_idle(args.drain_wait)
    bad = len(sync.outbox.conflicts()) + len(sync.outbox.refused())
    sync.stop()
    print("drained" if drained else "not drained", bad, flush=True)
    return 0 if drained and bad == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
