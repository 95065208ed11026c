"""The desk's own small SQLite files (ticket number reserve, drafts): durable and private.

`durable_connection`: one connection per operation (cheap for SQLite, and nothing is shared
between threads), WAL + ``synchronous=FULL``: a write is on disk when its statement returns, and
survives a crash, a kill -9 or a power cut.  The owner makes the file private once, when it
opens it (`app.private_files.private_sqlite`): what operators type is customer data.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import closing, contextmanager
from pathlib import Path

from app.thread_rules import Role, forbid_role

BUSY_TIMEOUT_S = 30.0


@contextmanager
def durable_connection(path: Path) -> Iterator[sqlite3.Connection]:
    """An autocommit connection to `path` in WAL mode with synchronous=FULL, closed afterwards
    (never on the window's GUI thread: the window awaits these files on a worker, as any database)."""
    forbid_role(Role.GUI, f"the SQLite file {path.name} opened")
    with closing(sqlite3.connect(path, timeout=BUSY_TIMEOUT_S, isolation_level=None)) as conn:
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA synchronous=FULL")
        yield conn
