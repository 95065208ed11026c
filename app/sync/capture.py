"""Desk writes into the outbox in the same local transaction as the write itself.

On a central-database deployment the desk's services work on the local cache (SQLite); the outbox
table (`app.sync.outbox.SCHEMA`) lives in that same file.  `OutboxRecorder.record` inserts the
change through the *session's own connection*, so the cache row and its outbox change commit
together or not at all: a SIGKILL between them cannot leave a ticket on the desk that never
reaches the central database, nor a change for a row that was rolled back.  After the commit the
replicator is woken (`on_commit`, e.g. `Replicator.wake`).

No thread of its own: `record` runs on whatever thread runs the session (the desk's database
worker).  On the embedded default (no central database) the services get no recorder and write
nothing to an outbox.
"""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import event, text
from sqlalchemy.orm import Session

from app.sync.changes import PendingChange
from app.sync.outbox import INSERT_CHANGE, change_row

_INSERT = text(INSERT_CHANGE)
_WAKE_REGISTERED = "frontline.outbox_wake"


class OutboxRecorder:
    """Appends changes to the outbox table of the session's database (see the module docstring)."""

    def __init__(self, on_commit: Callable[[], None] | None = None) -> None:
        self.on_commit = on_commit

    def record(self, session: Session, change: PendingChange, *, key: str | None = None) -> str:
        """Add `change` to the session's transaction; returns its idempotency key."""
        row = change_row(*change, key)
        session.execute(_INSERT, row)
        if self.on_commit is not None and not session.info.get(_WAKE_REGISTERED):
            session.info[_WAKE_REGISTERED] = True
            wake = self.on_commit

            def after_commit(committed: Session) -> None:
                committed.info.pop(_WAKE_REGISTERED, None)
                wake()

            event.listen(session, "after_commit", after_commit, once=True)
        return row["key"]
