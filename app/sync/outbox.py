"""The desk's outbox: every operator write, durable locally before it is sent to the central database.

One SQLite file per desk (stdlib `sqlite3`, WAL, ``synchronous=FULL``): `Outbox.append` commits
before it returns, so a change survives the app being killed (SIGKILL) or the power going the
moment after.  The `app.sync.replicator.Replicator` thread drains it in order (`pending`,
`mark_applied`); a stale ticket update ends up as a *conflict* (`mark_conflict`, `conflicts`) for
the operator to decide, a change the central database refuses for good as *failed* (`failed`).

Thread safety: an `Outbox` may be shared by the thread that writes (the database worker) and the
replicator thread; one connection, every call under one lock.  A second `Outbox` on the same file
(another process) works too: SQLite's own locking and a busy timeout serialise them.
"""

from __future__ import annotations

import json
import sqlite3
import threading
import uuid
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from pathlib import Path
from typing import Any

from app.private_files import private_dir, private_sqlite

BUSY_TIMEOUT_S = 10.0
_COLUMNS = "seq, key, kind, payload, created_at, attempts, last_error, conflict"

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
        self.on_append = on_append

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
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                self._db.executemany(INSERT_CHANGE, rows)
                self._db.execute("COMMIT")
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
        if self.on_append is not None:
            self.on_append()
        return [row["key"] for row in rows]

    # --- the replicator's side ---------------------------------------------------------------

    def pending(self, limit: int = 100) -> list[Change]:
        """The oldest pending changes, in the order they were appended."""
        return self._select("state = 'pending' ORDER BY seq LIMIT ?", (limit,))

    def pending_count(self) -> int:
        with self._lock:
            row = self._db.execute("SELECT count(*) FROM outbox WHERE state = 'pending'").fetchone()
        return int(row[0])

    def counts(self) -> dict[str, int]:
        """How many changes are ``pending``, in ``conflict`` and ``failed`` (one query)."""
        with self._lock:
            found = dict(self._db.execute("SELECT state, count(*) FROM outbox GROUP BY state").fetchall())
        return {state: int(found.get(state, 0)) for state in ("pending", "conflict", "failed")}

    def mark_applied(self, keys: Iterable[str]) -> None:
        """Forget changes the central database acknowledged."""
        self._write("DELETE FROM outbox WHERE key = ?", [(k,) for k in keys])

    def mark_failed_attempt(self, key: str, error: str) -> None:
        """Count a transient failure (the change stays pending and is retried)."""
        self._write(
            "UPDATE outbox SET attempts = attempts + 1, last_error = ? WHERE key = ?", [(error[:1000], key)]
        )

    def mark_failed(self, key: str, error: str) -> None:
        """The central database refused the change for good: keep it aside, out of the queue."""
        self._write(
            "UPDATE outbox SET state = 'failed', attempts = attempts + 1, last_error = ? WHERE key = ?",
            [(error[:1000], key)],
        )

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

    def failed(self) -> list[Change]:
        """Changes the central database refused (not a network fault); `last_error` says why."""
        return self._select("state = 'failed' ORDER BY seq", ())

    def discard(self, key: str) -> None:
        """Drop a conflict or failed change once the operator has decided (e.g. saved again)."""
        self._write("DELETE FROM outbox WHERE key = ? AND state <> 'pending'", [(key,)])

    # --- helpers ------------------------------------------------------------------------------

    def _write(self, sql: str, params: list[tuple[Any, ...]]) -> None:
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                self._db.executemany(sql, params)
                self._db.execute("COMMIT")
            except BaseException:
                self._db.execute("ROLLBACK")
                raise

    def _select(self, where: str, params: tuple[Any, ...]) -> list[Change]:
        with self._lock:
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
            )
            for seq, key, kind, payload, created, attempts, error, conflict in rows
        ]
