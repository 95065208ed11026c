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


def test_a_refused_change_is_kept_and_holds_back_the_later_changes_of_its_rows(
    outbox_factory: Callable[[str], Outbox],
) -> None:
    box = outbox_factory("a")
    created = box.append(ChangeKind.TICKET_CREATED, {"uid": "T1", "call_uid": "C1", "number": "T-1"})
    other = box.append(ChangeKind.CALL_RINGING, {"uid": "C2"})
    saved = box.append(ChangeKind.TICKET_SAVED, {"uid": "T1", "fields": {"subject": "x"}})
    comment = box.append(ChangeKind.TICKET_EVENT, {"uid": "E1", "ticket_uid": "T1"})
    ended = box.append(ChangeKind.CALL_ENDED, {"uid": "C1"})  # the call the refused ticket links
    state = box.append(ChangeKind.OPERATOR_STATE, {"operator_id": 1, "status": "ready"})

    box.mark_refused(created, "permission denied for table ticket_events")
    # What does not depend on the refused ticket still goes; the rest waits behind it, in order.
    assert [c.key for c in box.pending()] == [other, state]
    assert box.counts() == {"pending": 2, "held": 3, "conflict": 0, "failed": 1}
    assert box.pending_count() == 2
    (refused,) = box.refused()
    assert (refused.key, refused.refusals, refused.last_error) == (
        created,
        1,
        "permission denied for table ticket_events",
    )
    assert [c.key for c in box.unsent()] == [created, saved, comment, ended]
    # A change appended later for the same ticket waits too.
    later = box.append(ChangeKind.TICKET_EVENT, {"uid": "E2", "ticket_uid": "T1"})
    box.mark_applied([other, state])
    assert box.pending() == []
    assert box.counts()["held"] == 4

    assert box.retry_refused() == 5
    assert [c.key for c in box.pending()] == [created, saved, comment, ended, later]
    assert box.pending()[0].refusals == 1  # it remembers it was refused (its central report)
    assert box.counts() == {"pending": 5, "held": 0, "conflict": 0, "failed": 0}


def test_an_outbox_of_an_older_version_gains_the_new_columns_and_keeps_its_changes(tmp_path: Path) -> None:
    path = tmp_path / "old.sqlite3"
    with sqlite3.connect(path) as db:  # the outbox table as the first release created it
        db.executescript(
            """
            CREATE TABLE outbox (
                seq INTEGER PRIMARY KEY AUTOINCREMENT, key TEXT NOT NULL UNIQUE, kind TEXT NOT NULL,
                payload TEXT NOT NULL, created_at TEXT NOT NULL, attempts INTEGER NOT NULL DEFAULT 0,
                last_error TEXT,
                state TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'conflict', 'failed')),
                conflict TEXT
            );
            INSERT INTO outbox (key, kind, payload, created_at, state, last_error)
            VALUES ('k1', 'ticket_created', '{"uid": "T1"}', '2026-11-22T09:00:00+00:00', 'failed', 'no'),
                   ('k2', 'ticket_saved', '{"uid": "T1"}', '2026-11-22T09:01:00+00:00', 'pending', NULL);
            """
        )
    box = Outbox(path)
    try:
        assert [c.key for c in box.refused()] == ["k1"]
        assert box.pending() == []  # k2 waits behind the refused k1
        assert box.retry_refused() == 2
        assert [c.key for c in box.pending()] == ["k1", "k2"]
    finally:
        box.close()


def test_sent_changes_are_remembered_by_position(outbox_factory: Callable[[str], Outbox]) -> None:
    """A cache refresh asks what was sent since its central read began (`sent_since`)."""
    outbox = outbox_factory("sent")
    ticket = outbox.append(ChangeKind.TICKET_SAVED, {"uid": "t-1"})
    state = outbox.append(ChangeKind.OPERATOR_STATE, {"operator_id": 7, "status": "ready"})
    before = outbox.sent_mark()
    assert outbox.sent_since(before) == set()
    outbox.mark_applied([ticket])
    middle = outbox.sent_mark()
    outbox.mark_applied([state])
    assert outbox.sent_since(before) == {"t-1", "operator:7"}
    assert outbox.sent_since(middle) == {"operator:7"}
    assert outbox.pending_count() == 0
