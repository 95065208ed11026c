"""The desk's own small SQLite files (ticket number reserve, drafts): durable and private.

* `durable_connection`: one connection per operation (cheap for SQLite, and nothing is shared
  between threads), WAL + ``synchronous=FULL``: a write is on disk when its statement returns,
  and survives a crash, a kill -9 or a power cut.
* `private_dir` / `private_file`: what operators type is customer data, readable by the desk's
  user only -- directories 0700, files 0600, tightened also when they existed wider.
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterator
from contextlib import closing, contextmanager
from pathlib import Path

BUSY_TIMEOUT_S = 30.0
PRIVATE_DIR_MODE = 0o700
PRIVATE_FILE_MODE = 0o600


@contextmanager
def durable_connection(path: Path) -> Iterator[sqlite3.Connection]:
    """An autocommit connection to `path` in WAL mode with synchronous=FULL, closed afterwards."""
    with closing(sqlite3.connect(path, timeout=BUSY_TIMEOUT_S, isolation_level=None)) as conn:
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA synchronous=FULL")
        yield conn


def private_dir(path: Path) -> None:
    path.mkdir(mode=PRIVATE_DIR_MODE, parents=True, exist_ok=True)
    if path.stat().st_mode & 0o777 != PRIVATE_DIR_MODE:
        path.chmod(PRIVATE_DIR_MODE)


def private_file(path: Path) -> None:
    """`path` created 0600 from the start (no moment in which it is readable), or tightened; the
    SQLite -wal and -shm files beside it too (SQLite gives new ones the database's mode)."""
    os.close(os.open(path, os.O_CREAT | os.O_RDWR, PRIVATE_FILE_MODE))
    for part in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
        if part.exists() and part.stat().st_mode & 0o777 != PRIVATE_FILE_MODE:
            part.chmod(PRIVATE_FILE_MODE)
