"""The outbox: durable appends, order, idempotent re-append, conflict and failed states."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

from app.sync.outbox import ChangeKind, Outbox


def test_append_keeps_order_and_ignores_a_repeated_key(outbox_factory: Callable[[str], Outbox]) -> None:
    box = outbox_factory("a")
    k1 = box.append(ChangeKind.CALL_RINGING, {"uid": "1"})
    k2 = box.append(ChangeKind.CALL_ENDED, {"uid": "1"})
    assert box.append(ChangeKind.CALL_RINGING, {"uid": "other"}, key=k1) == k1
    pending = box.pending()
    assert [c.key for c in pending] == [k1, k2]
    assert pending[0].payload == {"uid": "1"}
    assert box.pending_count() == 2

    box.mark_failed_attempt(k1, "connection refused")
    box.mark_applied([k1])
    box.mark_conflict(k2, {"mine": {"subject": "a"}, "theirs": {"subject": "b"}})
    assert box.pending_count() == 0
    (conflict,) = box.conflicts()
    assert conflict.key == k2
    assert conflict.conflict == {"mine": {"subject": "a"}, "theirs": {"subject": "b"}}
    box.discard(k2)
    assert box.conflicts() == []


def test_the_file_is_wal_with_full_sync(outbox_factory: Callable[[str], Outbox]) -> None:
    box = outbox_factory("a")
    with sqlite3.connect(box.path) as db:
        assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    box.close()


def test_an_append_survives_sigkill_right_after(tmp_path: Path) -> None:
    path = tmp_path / "killed.sqlite3"
    script = (
        "import os, signal, sys\n"
        "from app.sync.outbox import Outbox\n"
        f"box = Outbox({str(path)!r})\n"
        "key = box.append('ticket_created', {'number': 'T-1'})\n"
        "print(key, flush=True)\n"
        "os.kill(os.getpid(), signal.SIGKILL)\n"
    )
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=False)
    assert result.returncode == -9, result.stderr
    key = result.stdout.strip()
    box = Outbox(path)
    try:
        (change,) = box.pending()
        assert change.key == key
        assert change.payload == {"number": "T-1"}
    finally:
        box.close()
