"""The desk's unsaved ticket typing, on its own disk: a small SQLite file next to the ticket reserve.

Why its own file and the standard `sqlite3` module (like `app.storage.number_reserve`): a draft
must be on disk before the database is reachable, whatever state the desk's database is in, and
survive a crash, a kill -9 or a power cut.  Hence WAL + ``synchronous=FULL``: `put` returns once
the draft is durable.  The window calls it off the GUI thread (a worker of its own) a moment after
the operator stops typing.

What the operator typed is customer data: the directory is made 0700 and the file 0600, also when
they already existed with wider modes (SQLite gives its -wal and -shm files the database's mode).
"""

from __future__ import annotations

import json
import logging
import os
import sqlite3
from collections.abc import Iterator
from contextlib import closing, contextmanager
from datetime import UTC, datetime
from pathlib import Path

from app.tickets.unfinished import DraftFormatError, LocalDraft, local_draft_from_json, local_draft_to_json

log = logging.getLogger(__name__)

_BUSY_TIMEOUT_S = 30.0
PRIVATE_DIR_MODE = 0o700
PRIVATE_FILE_MODE = 0o600

_SCHEMA = """
CREATE TABLE IF NOT EXISTS drafts (
    key TEXT PRIMARY KEY,
    operator_login TEXT,
    ticket_id INTEGER NOT NULL,
    number TEXT NOT NULL,
    saved_at TEXT NOT NULL,
    body TEXT NOT NULL            -- `local_draft_to_json`
);
"""


class DraftStore:
    """Unsaved ticket typing of one desk and one database; safe across threads and processes."""

    def __init__(self, path: Path) -> None:
        self.path = path
        _private_dir(path.parent)
        _private_file(path)
        with self._connect() as conn:
            conn.executescript(_SCHEMA)

    @contextmanager
    def _connect(self) -> Iterator[sqlite3.Connection]:
        # A connection per operation: cheap for SQLite, and nothing is shared between threads.
        with closing(sqlite3.connect(self.path, timeout=_BUSY_TIMEOUT_S, isolation_level=None)) as conn:
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA synchronous=FULL")
            yield conn

    def put(self, draft: LocalDraft) -> None:
        """Keep `draft` (replacing the one with its key); on disk when this returns."""
        saved_at = draft.saved_at or datetime.now(UTC)
        with self._connect() as conn:
            conn.execute(
                "INSERT INTO drafts (key, operator_login, ticket_id, number, saved_at, body)"
                " VALUES (?, ?, ?, ?, ?, ?)"
                " ON CONFLICT (key) DO UPDATE SET operator_login = excluded.operator_login,"
                " ticket_id = excluded.ticket_id, number = excluded.number,"
                " saved_at = excluded.saved_at, body = excluded.body",
                (
                    draft.key,
                    draft.operator_login,
                    draft.ticket_id,
                    draft.number,
                    saved_at.isoformat(),
                    json.dumps(local_draft_to_json(draft), ensure_ascii=False),
                ),
            )

    def remove(self, key: str) -> None:
        """Forget the draft `key` (saved, or given up); nothing happens if there is none."""
        with self._connect() as conn:
            conn.execute("DELETE FROM drafts WHERE key = ?", (key,))

    def drafts(self, operator_login: str | None) -> list[LocalDraft]:
        """`operator_login`'s drafts, oldest first.  A record this version cannot read is left in
        the file (a newer version may) and logged, never deleted."""
        with self._connect() as conn:
            rows = conn.execute(
                "SELECT key, ticket_id, number, saved_at, body FROM drafts"
                " WHERE operator_login IS ? ORDER BY saved_at, key",
                (operator_login,),
            ).fetchall()
        drafts = []
        for key, ticket_id, number, saved_at, body in rows:
            try:
                drafts.append(
                    local_draft_from_json(
                        json.loads(body),
                        key=key,
                        operator_login=operator_login,
                        ticket_id=int(ticket_id),
                        number=str(number),
                        saved_at=datetime.fromisoformat(saved_at),
                    )
                )
            except (DraftFormatError, ValueError) as exc:
                log.warning("draft %s of ticket %s is unreadable and kept as it is: %s", key, number, exc)
        return drafts


def _private_dir(path: Path) -> None:
    path.mkdir(mode=PRIVATE_DIR_MODE, parents=True, exist_ok=True)
    if path.stat().st_mode & 0o777 != PRIVATE_DIR_MODE:
        path.chmod(PRIVATE_DIR_MODE)


def _private_file(path: Path) -> None:
    # Created 0600 from the start (no window in which it is readable), tightened if it existed.
    os.close(os.open(path, os.O_CREAT | os.O_RDWR, PRIVATE_FILE_MODE))
    for part in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
        if part.exists() and part.stat().st_mode & 0o777 != PRIVATE_FILE_MODE:
            part.chmod(PRIVATE_FILE_MODE)
