"""The desk's outbox: every operator write, durable locally before it is sent to the central database.

One SQLite file per desk (stdlib `sqlite3`, WAL, ``synchronous=FULL``): `Outbox.append` commits
before it returns, so a change survives the app being killed (SIGKILL) or the power going the
moment after.  The `app.sync.replicator.Replicator` thread drains it in order (`pending`,
`mark_applied`); a stale ticket update ends up as a *conflict* (`mark_conflict`, `conflicts`) for
the operator to decide, a change the central database refuses as *refused* (state ``failed``,
`mark_refused`, `refused`).

A refused change is never dropped.  The later changes of the same ticket or call (the rows it
names, `subjects`) are *held* behind it rather than sent: they would be refused too (the row is
not there) or, worse, misapplied out of order.  `retry_refused` puts refused and held changes back
in the queue, in their original order — after a migration or a fix of the login's rights they go
through as if nothing had happened.

Thread safety: an `Outbox` may be shared by the thread that writes (the database worker) and the
replicator thread; one connection, every call under one lock.  A second `Outbox` on the same file
(another process) works too: SQLite's own locking and a busy timeout serialise them.
"""

from __future__ import annotations

import collections
import contextlib
import json
import sqlite3
import threading
import uuid
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from pathlib import Path
from typing import Any

from app.private_files import private_dir, private_sqlite
from app.thread_rules import Role, forbid_role

BUSY_TIMEOUT_S = 10.0
_COLUMNS = "seq, key, kind, payload, created_at, attempts, last_error, conflict, refusals, state, held"
# The payload keys that name rows a change creates or changes (`subjects`).
_SUBJECT_KEYS = ("uid", "ticket_uid", "call_uid")
_SENT_KEPT = 10_000  # sent changes remembered (`Outbox.sent_since`): far more than one refresh sends

SCHEMA = """
CREATE TABLE IF NOT EXISTS outbox (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    key TEXT NOT NULL UNIQUE,
    kind TEXT NOT NULL,
    payload TEXT NOT NULL,
    created_at TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    last_error TEXT,
    state TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'conflict', 'failed')),
    conflict TEXT
);
CREATE INDEX IF NOT EXISTS ix_outbox_state_seq ON outbox (state, seq);
"""
# Columns added after the first release, to outboxes that exist already (ALTER TABLE ADD COLUMN):
# held: 1 while the change waits behind a refused change of the same row; refusals: how often the
# central database refused it (a change once refused and then applied clears its central report).
_ADDED_COLUMNS = {
    "held": "INTEGER NOT NULL DEFAULT 0",
    "refusals": "INTEGER NOT NULL DEFAULT 0",
}
_UNSENT = "state = 'failed' OR (state = 'pending' AND held = 1)"


class ChangeKind(StrEnum):
    """What a change does; `app.sync.applier` has one handler per kind."""

    CALL_RINGING = "call_ringing"
    CALL_ANSWERED = "call_answered"
    CALL_ENDED = "call_ended"
    CALL_UPDATED = "call_updated"
    TICKET_CREATED = "ticket_created"
    TICKET_SAVED = "ticket_saved"
    TICKET_EVENT = "ticket_event"
    OPERATOR_STATE = "operator_state"


@dataclass(frozen=True)
class Change:
    """One pending (or conflicting, or failed) change as stored in the outbox."""

    seq: int
    key: str
    kind: ChangeKind
    payload: dict[str, Any]
    created_at: datetime
    attempts: int
    last_error: str | None
    conflict: dict[str, Any] | None = None
    refusals: int = 0
    state: str = "pending"  # pending, conflict or failed (refused)
    held: bool = False  # pending, but waiting behind a refused change of the same row

    @property
    def subjects(self) -> frozenset[str]:
        return subjects(self.payload)


def subjects(payload: Mapping[str, Any]) -> frozenset[str]:
    """The uids of the rows a change creates or changes (tickets, calls, events)."""
    return frozenset(str(payload[k]) for k in _SUBJECT_KEYS if payload.get(k))


def pending_marks(kind: str, payload: Mapping[str, Any]) -> frozenset[str]:
    """What a cache refresh must not overwrite while this change waits (or was just sent): the
    rows it names (`subjects`) and, for an operator's state, ``operator:<id>``."""
    marks = subjects(payload)
    if kind == ChangeKind.OPERATOR_STATE.value and payload.get("operator_id") is not None:
        marks |= {f"operator:{payload['operator_id']}"}
    return marks


def new_uid() -> str:
    """A fresh idempotency key or row uid (UUID4 text)."""
    return str(uuid.uuid4())


# One change into the table (named parameters: the stdlib driver here, SQLAlchemy in
# `app.sync.capture`); a key already there is a retried append, not a second change.
INSERT_CHANGE = (
    "INSERT INTO outbox (key, kind, payload, created_at) VALUES (:key, :kind, :payload, :created_at) "
    "ON CONFLICT (key) DO NOTHING"
)


def change_row(kind: ChangeKind | str, payload: Mapping[str, Any], key: str | None = None) -> dict[str, str]:
    """The outbox row of one change, as `INSERT_CHANGE` takes it."""
    return {
        "key": key or new_uid(),
        "kind": ChangeKind(kind).value,
        "payload": json.dumps(dict(payload)),
        "created_at": datetime.now(UTC).isoformat(),
    }


class Outbox:
    """Pending changes in a local SQLite file (see the module docstring)."""

    def __init__(self, path: str | Path, *, on_append: Callable[[], None] | None = None) -> None:
        """Open (creating) the outbox at `path`; `on_append` is called after each durable append
        (the replicator's `wake`), on the appending thread."""
        self.path = Path(path)
        private_dir(self.path.parent)
        private_sqlite(self.path)
        self._lock = threading.Lock()
        self._db = sqlite3.connect(
            self.path, timeout=BUSY_TIMEOUT_S, isolation_level=None, check_same_thread=False
        )
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=FULL")
        self._db.executescript(SCHEMA)
        self._add_columns()
        self.on_append = on_append
        # The marks (`pending_marks`) of changes sent lately, numbered: a cache refresh reads its
        # central snapshot first and writes later; a change sent in between is in neither the
        # snapshot nor the outbox, and must not be overwritten by the older central row.
        self._sent: collections.deque[tuple[int, frozenset[str]]] = collections.deque(maxlen=_SENT_KEPT)
        self._sent_count = 0

    def _add_columns(self) -> None:
        """Bring an outbox written by an older version up to date (another process may be doing
        the same: the check runs inside the write transaction)."""
        with self._transaction() as db:
            have = {row[1] for row in db.execute("PRAGMA table_info(outbox)")}
            for name, definition in _ADDED_COLUMNS.items():
                if name not in have:
                    db.execute(f"ALTER TABLE outbox ADD COLUMN {name} {definition}")

    def close(self) -> None:
        with self._lock:
            self._db.close()

    # --- the writing side (the desk's database worker) ---------------------------------------

    def append(self, kind: ChangeKind | str, payload: Mapping[str, Any], *, key: str | None = None) -> str:
        """Store one change durably (committed and synced) and return its idempotency key.

        Appending a `key` that is already in the outbox is a no-op (a retried append).
        """
        return self.append_many([(kind, payload, key)])[0]

    def append_many(
        self, changes: Iterable[tuple[ChangeKind | str, Mapping[str, Any], str | None]]
    ) -> list[str]:
        """Store several changes in one local transaction (all or none), in order."""
        rows = [change_row(kind, payload, key) for kind, payload, key in changes]
        with self._transaction() as db:
            db.executemany(INSERT_CHANGE, rows)
        if self.on_append is not None:
            self.on_append()
        return [row["key"] for row in rows]

    # --- the replicator's side ---------------------------------------------------------------

    def pending(self, limit: int = 100) -> list[Change]:
        """The oldest changes that may be sent now, in the order they were appended.

        A pending change that names a row of a refused (or held) change is marked held here and
        not returned: it waits for `retry_refused`.
        """
        while True:
            changes = self._select("state = 'pending' AND held = 0 ORDER BY seq LIMIT ?", (limit,))
            blocked = self.blocked_subjects()
            if not blocked:
                return changes
            ready: list[Change] = []
            held: list[str] = []
            for change in changes:
                if change.subjects & blocked:
                    blocked |= change.subjects
                    held.append(change.key)
                else:
                    ready.append(change)
            self.hold(held)
            if ready or not changes:
                return ready

    def blocked_subjects(self) -> set[str]:
        """The rows named by refused and held changes: later changes of them must wait."""
        with self._connection():
            rows = self._db.execute(f"SELECT payload FROM outbox WHERE {_UNSENT}").fetchall()  # noqa: S608
        return {uid for (payload,) in rows for uid in subjects(json.loads(payload))}

    def hold(self, keys: Iterable[str]) -> None:
        """Keep these pending changes back (behind a refused change of the same row)."""
        self._write("UPDATE outbox SET held = 1 WHERE key = ? AND state = 'pending'", [(k,) for k in keys])

    def pending_count(self) -> int:
        """Changes that may be sent now (not held behind a refused one)."""
        with self._connection():
            row = self._db.execute(
                "SELECT count(*) FROM outbox WHERE state = 'pending' AND held = 0"
            ).fetchone()
        return int(row[0])

    def counts(self) -> dict[str, int]:
        """How many changes are ``pending`` (may be sent), ``held`` (behind a refused one), in
        ``conflict`` and ``failed`` (refused) — one query."""
        with self._connection():
            rows = self._db.execute(
                "SELECT CASE WHEN state = 'pending' AND held = 1 THEN 'held' ELSE state END, count(*)"
                " FROM outbox GROUP BY 1"
            ).fetchall()
        found = dict(rows)
        return {state: int(found.get(state, 0)) for state in ("pending", "held", "conflict", "failed")}

    def mark_applied(self, keys: Iterable[str]) -> None:
        """Forget changes the central database acknowledged (their marks are kept a while in
        memory: `sent_since`)."""
        params = [(k,) for k in keys]
        with self._transaction() as db:
            for key in params:
                for kind, payload in db.execute("SELECT kind, payload FROM outbox WHERE key = ?", key):
                    self._sent_count += 1
                    self._sent.append((self._sent_count, pending_marks(kind, json.loads(payload))))
            db.executemany("DELETE FROM outbox WHERE key = ?", params)

    def sent_mark(self) -> int:
        """A position in the record of sent changes, for `sent_since`."""
        with self._lock:
            return self._sent_count

    def sent_since(self, mark: int) -> set[str]:
        """The marks of the changes this outbox sent after `mark` (`sent_mark`); should the
        record no longer reach back that far, all it holds (more kept back for a round, never
        less)."""
        with self._lock:
            return {m for number, marks in self._sent if number > mark for m in marks}

    def mark_failed_attempt(self, key: str, error: str) -> None:
        """Count a transient failure (the change stays pending and is retried)."""
        self._write(
            "UPDATE outbox SET attempts = attempts + 1, last_error = ? WHERE key = ?", [(error[:1000], key)]
        )

    def mark_refused(self, key: str, error: str) -> None:
        """The central database refused the change: keep it aside (out of the queue, never
        dropped) until `retry_refused`; later changes of its rows are held behind it."""
        self._write(
            "UPDATE outbox SET state = 'failed', attempts = attempts + 1, refusals = refusals + 1,"
            " last_error = ? WHERE key = ?",
            [(error[:1000], key)],
        )

    def retry_refused(self) -> int:
        """Put refused and held changes back in the queue, in their order; returns how many."""
        return self._write(f"UPDATE outbox SET state = 'pending', held = 0 WHERE {_UNSENT}", [()])  # noqa: S608

    def mark_conflict(self, key: str, conflict: Mapping[str, Any]) -> None:
        """A stale ticket update: keep it aside with both versions for the operator to decide."""
        self._write(
            "UPDATE outbox SET state = 'conflict', attempts = attempts + 1, conflict = ? WHERE key = ?",
            [(json.dumps(dict(conflict)), key)],
        )

    # --- the operator's side ------------------------------------------------------------------

    def conflicts(self) -> list[Change]:
        """Stale updates not applied; `Change.conflict` holds ``mine`` and ``theirs``."""
        return self._select("state = 'conflict' ORDER BY seq", ())

    def refused(self) -> list[Change]:
        """Changes the central database refused (not a network fault); `last_error` says why."""
        return self._select("state = 'failed' ORDER BY seq", ())

    def unsent(self) -> list[Change]:
        """Refused changes and the changes held behind them, in order."""
        return self._select(f"{_UNSENT} ORDER BY seq", ())

    def discard(self, key: str) -> None:
        """Drop a conflict or failed change once the operator has decided (e.g. saved again)."""
        self._write("DELETE FROM outbox WHERE key = ? AND state <> 'pending'", [(key,)])

    # --- helpers ------------------------------------------------------------------------------

    @contextlib.contextmanager
    def _connection(self) -> Iterator[sqlite3.Connection]:
        """The outbox's connection, under its lock (never on the window's GUI thread, DESIGN.md)."""
        forbid_role(Role.GUI, "the outbox read or written")
        with self._lock:
            yield self._db

    @contextlib.contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        """A write transaction under the lock (BEGIN IMMEDIATE: other processes wait, not fail)."""
        with self._connection():
            self._db.execute("BEGIN IMMEDIATE")
            try:
                yield self._db
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            self._db.execute("COMMIT")

    def _write(self, sql: str, params: list[tuple[Any, ...]]) -> int:
        """Run `sql` once per parameter tuple in one transaction; returns the rows changed."""
        with self._transaction() as db:
            return int(db.executemany(sql, params).rowcount)

    def _select(self, where: str, params: tuple[Any, ...]) -> list[Change]:
        with self._connection():
            sql = f"SELECT {_COLUMNS} FROM outbox WHERE {where}"  # noqa: S608 - `where` is a constant here
            rows = self._db.execute(
                sql,
                params,
            ).fetchall()
        return [
            Change(
                seq=seq,
                key=key,
                kind=ChangeKind(kind),
                payload=json.loads(payload),
                created_at=datetime.fromisoformat(created),
                attempts=attempts,
                last_error=error,
                conflict=json.loads(conflict) if conflict else None,
                refusals=refusals,
                state=state,
                held=bool(held),
            )
            for seq, key, kind, payload, created, attempts, error, conflict, refusals, state, held in rows
        ]
