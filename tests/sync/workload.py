"""A desk's scripted workload for the fault test, run as a separate process.

``python -m tests.sync.workload --outbox F --db URL --operator-id ID --desk NAME --count N --progress F``

`URL` names the desk's operator as its user (their own login: row-level security applies); the
password comes from ``PGPASSWORD`` (libpq), never from the command line.  `ID` is that operator's
id: their calls and tickets are theirs.  For items ``0..N-1`` it appends five changes to the desk's outbox (call ringing, answered, ticket
created for the call, ticket saved, call ended) while a `Replicator` drains it, then waits until the
outbox is empty and exits 0.  Keys and uids are derived from (desk, item, step), so after a SIGKILL
the restarted process re-appends the item it was in the middle of with the *same* keys: the
outbox ignores the ones it still holds and the central database the ones it already applied.
The last finished item is kept in the ``--progress`` file (written atomically, fsynced).
"""

from __future__ import annotations

import argparse
import os
import sys
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

from app.storage.database import make_engine
from app.sync import changes
from app.sync.applier import Applier
from app.sync.outbox import Outbox
from app.sync.replicator import Replicator

NAMESPACE = uuid.UUID("5b0c6f7e-2f4a-4c55-9d0e-1f7f3c1a2b3c")
STEPS = ("ringing", "answered", "ticket", "saved", "ended")
BASE = datetime(2026, 11, 22, 8, 0, tzinfo=UTC)


def uid(desk: str, item: int, what: str) -> str:
    return str(uuid.uuid5(NAMESPACE, f"{desk}:{item}:{what}"))


def item_changes(desk: str, item: int, operator_id: int) -> list[tuple[changes.PendingChange, str]]:
    """The five changes of one item, taken by operator `operator_id`, each with its deterministic
    idempotency key."""
    call, ticket = uid(desk, item, "call"), uid(desk, item, "ticket")
    at = BASE + timedelta(seconds=item)
    out = [
        changes.call_ringing(
            uid=call,
            direction="inbound",
            caller_number=f"+7495{item:07d}",
            ringing_at=at,
            operator_id=operator_id,
        ),
        changes.call_answered(call, at + timedelta(seconds=3), operator_id),
        changes.ticket_created(
            uid=ticket, number=f"{desk}-{item}", at=at, call_uid=call, created_by_id=operator_id
        ),
        changes.ticket_saved(
            ticket,
            expected_version=1,
            fields={"subject": f"item {item}"},
            at=at + timedelta(seconds=30),
            updated_by_id=operator_id,
            events=[("field_change", {"subject": {"from": "", "to": f"item {item}"}})],
        ),
        changes.call_ended(call, at + timedelta(seconds=60), "answered", disposition="advice"),
    ]
    return [(change, uid(desk, item, f"key:{step}")) for change, step in zip(out, STEPS, strict=True)]


def _read_progress(path: Path) -> int:
    try:
        return int(path.read_text().strip() or -1)
    except FileNotFoundError:
        return -1


def _write_progress(path: Path, item: int) -> None:
    tmp = path.with_suffix(".tmp")
    with open(tmp, "w") as f:
        f.write(str(item))
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--outbox", type=Path, required=True)
    parser.add_argument("--db", required=True)
    parser.add_argument("--operator-id", type=int, required=True)
    parser.add_argument("--desk", required=True)
    parser.add_argument("--count", type=int, required=True)
    parser.add_argument("--progress", type=Path, required=True)
    parser.add_argument("--pace", type=float, default=0.0, help="seconds between items")
    parser.add_argument("--drain-wait", type=float, default=120.0, help="seconds to wait for the outbox")
    args = parser.parse_args(argv)

    engine = make_engine(args.db, connect_args={"connect_timeout": 2})
    outbox = Outbox(args.outbox)
    replicator = Replicator(outbox, Applier(engine), max_backoff=1.0)
    outbox.on_append = replicator.wake
    replicator.start()
    for item in range(_read_progress(args.progress) + 1, args.count):
        for (kind, payload), key in item_changes(args.desk, item, args.operator_id):
            outbox.append(kind, payload, key=key)
        _write_progress(args.progress, item)
        if args.pace:
            time.sleep(args.pace)
    print("appended", flush=True)
    drained = replicator.wait_idle(args.drain_wait)
    replicator.stop()
    bad = len(outbox.conflicts()) + len(outbox.refused())
    outbox.close()
    engine.dispose()
    print("drained" if drained else "not drained", bad, flush=True)
    return 0 if drained and bad == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
