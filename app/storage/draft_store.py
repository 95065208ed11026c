"""The desk's unsaved ticket typing, on its own disk: a small SQLite file next to the ticket reserve.

Why its own file and the standard `sqlite3` module (like `app.storage.number_reserve`): a draft
must be on disk whatever state the desk's database is in, and survive a crash, a kill -9 or a
power cut: `put` returns once the draft is durable (`app.storage.local_files`).  The window calls
it off the GUI thread (a worker of its own) a moment after the operator stops typing.

What the operator typed is customer data: the directory is 0700 and the file 0600.
"""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime
from pathlib import Path

from app.private_files import private_dir, private_sqlite
from app.storage.local_files import durable_connection
from app.tickets.unfinished import DraftFormatError, LocalDraft, local_draft_from_json, local_draft_to_json

log = logging.getLogger(__name__)

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
        private_dir(path.parent)
        private_sqlite(path)
        with durable_connection(path) as conn:
            conn.executescript(_SCHEMA)

    def put(self, draft: LocalDraft) -> None:
        """Keep `draft` (replacing the one with its key); on disk when this returns."""
        saved_at = draft.saved_at or datetime.now(UTC)
        with durable_connection(self.path) as conn:
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
        with durable_connection(self.path) as conn:
            conn.execute("DELETE FROM drafts WHERE key = ?", (key,))

    def drafts(self, operator_login: str | None) -> list[LocalDraft]:
        """`operator_login`'s drafts, oldest first.  A record this version cannot read is left in
        the file (a newer version may) and logged, never deleted."""
        with durable_connection(self.path) as conn:
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
