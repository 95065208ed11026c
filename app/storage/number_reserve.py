"""The desk's reserve of leased ticket numbers, in a small SQLite file of its own.

Why a separate file and the standard `sqlite3` module: the reserve must work when the central
database is down and before any ORM is set up, and it must survive a crash or a power cut
without ever handing out a number twice.  Hence WAL + ``synchronous=FULL`` (a number is only
returned once its use is on disk: `app.storage.local_files.durable_connection`) and
single-statement updates under SQLite's write lock, so two processes on one desk (the window and
a CLI, say) can allocate at the same time.

See `app.tickets.numbering` for the numbering scheme itself.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from contextlib import AbstractContextManager
from pathlib import Path

from app.config import data_dir
from app.private_files import private_dir, private_sqlite
from app.storage.local_files import durable_connection
from app.tickets.numbering import NumberBlock, check_workstation_id, new_workstation_id

RESERVE_FILE = "ticket_numbers.sqlite3"

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS blocks (
    start INTEGER PRIMARY KEY,
    stop INTEGER NOT NULL,   -- one past the last number
    next INTEGER NOT NULL,   -- the next number to hand out
    CHECK (start <= next AND next <= stop)
);
"""


def default_reserve_path() -> Path:
    return data_dir() / RESERVE_FILE


class SqliteNumberReserve:
    """A `app.tickets.numbering.ReserveStore` kept in a SQLite file; safe across threads and processes."""

    def __init__(self, path: Path | None = None, *, workstation_id: int | None = None) -> None:
        """Open (creating if needed) the reserve at `path`.

        `workstation_id` is only used when the file is new (tests); otherwise the id stored in
        the file wins, because it names this desk's provisional namespace for good.
        """
        self.path = path or default_reserve_path()
        private_dir(self.path.parent)
        private_sqlite(self.path)
        with self._connect() as conn:
            conn.executescript(_SCHEMA)
            chosen = new_workstation_id() if workstation_id is None else workstation_id
            check_workstation_id(chosen)
            conn.execute("INSERT OR IGNORE INTO meta (key, value) VALUES ('workstation_id', ?)", (chosen,))
            conn.execute("INSERT OR IGNORE INTO meta (key, value) VALUES ('provisional_counter', 0)")
            self._workstation_id = int(
                conn.execute("SELECT value FROM meta WHERE key = 'workstation_id'").fetchone()[0]
            )

    def _connect(self) -> AbstractContextManager[sqlite3.Connection]:
        return durable_connection(self.path)

    def workstation_id(self) -> int:
        return self._workstation_id

    def take(self) -> int | None:
        with self._connect() as conn:
            row = conn.execute(
                "UPDATE blocks SET next = next + 1"
                " WHERE start = (SELECT start FROM blocks WHERE next < stop ORDER BY start LIMIT 1)"
                " RETURNING next - 1"
            ).fetchone()
        return None if row is None else int(row[0])

    def remaining(self) -> int:
        with self._connect() as conn:
            return int(conn.execute("SELECT COALESCE(SUM(stop - next), 0) FROM blocks").fetchone()[0])

    def add_blocks(self, blocks: Sequence[NumberBlock]) -> None:
        with self._connect() as conn:
            conn.execute("BEGIN IMMEDIATE")
            conn.executemany(
                "INSERT OR IGNORE INTO blocks (start, stop, next) VALUES (?, ?, ?)",
                [(b.start, b.end, b.start) for b in blocks],
            )
            conn.execute("DELETE FROM blocks WHERE next >= stop")  # used up: keep the file small
            conn.execute("COMMIT")

    def next_provisional_counter(self) -> int:
        with self._connect() as conn:
            row = conn.execute(
                "UPDATE meta SET value = value + 1 WHERE key = 'provisional_counter' RETURNING value"
            ).fetchone()
        return int(row[0])

    def blocks(self) -> list[NumberBlock]:
        """What is left, for `frontline doctor` and tests."""
        with self._connect() as conn:
            rows = conn.execute("SELECT next, stop FROM blocks WHERE next < stop ORDER BY start").fetchall()
        return [NumberBlock(int(nxt), int(stop) - int(nxt)) for nxt, stop in rows]
