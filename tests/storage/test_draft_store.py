"""The desk's draft store: what is typed survives closing and reopening, stays private to the desk's
user, and a record this version cannot read is kept, not lost.  (The kill -9 survival of the whole
app is tests/e2e/test_operator_e2e.py; a process killed mid-write is below.)"""

from __future__ import annotations

import logging
import os
import signal
import sqlite3
import stat
import subprocess
import sys
import textwrap
from contextlib import closing
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from app.storage.draft_store import DraftStore
from app.tickets.drafts import FieldName, TicketDraft
from app.tickets.enums import TicketStatus
from app.tickets.unfinished import LocalDraft

BASE = TicketDraft(customer_id=7, line_id=1)


def _draft(key: str = "smith/1", subject: str = "No internet", login: str | None = "smith") -> LocalDraft:
    return LocalDraft(
        key=key,
        operator_login=login,
        ticket_id=int(key.rsplit("/", 1)[1]),
        number=f"T-0000-{key.rsplit('/', 1)[1]:0>4}",
        base_version=3,
        base=BASE,
        typed=TicketDraft(
            customer_id=7,
            line_id=1,
            category_id=4,
            priority_id=2,
            subject=subject,
            description="Мигает красным «PON»",
            status=TicketStatus.ESCALATED,
            department_id=5,
            due_date=date(2026, 12, 24),
        ),
        comment="called back <b>twice</b>",
        saved_at=datetime(2026, 12, 1, 9, 30, tzinfo=UTC),
    )


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_a_draft_round_trips_field_for_field_and_per_operator(tmp_path: Path) -> None:
    store = DraftStore(tmp_path / "drafts.sqlite3")
    mine, other = _draft(), _draft("jones/2", login="jones")
    store.put(mine)
    store.put(other)
    reopened = DraftStore(tmp_path / "drafts.sqlite3")  # as at the next start
    assert reopened.drafts("smith") == [mine]
    assert reopened.drafts("jones") == [other]
    assert mine.changed_fields() == (
        FieldName.CATEGORY,
        FieldName.PRIORITY,
        FieldName.SUBJECT,
        FieldName.DESCRIPTION,
        FieldName.STATUS,
        FieldName.DEPARTMENT,
        FieldName.DUE_DATE,
    )

    store.put(_draft(subject="No internet since noon"))  # the same ticket: replaced, not added
    assert [d.typed.subject for d in reopened.drafts("smith")] == ["No internet since noon"]
    store.remove(mine.key)
    assert reopened.drafts("smith") == []
    store.remove(mine.key)  # nothing there: fine


def test_files_are_the_desk_users_only_even_when_they_existed_wider(tmp_path: Path) -> None:
    directory = tmp_path / "data"
    directory.mkdir(mode=0o755)
    directory.chmod(0o755)
    path = directory / "drafts.sqlite3"
    path.touch()
    path.chmod(0o644)
    store = DraftStore(path)
    store.put(_draft())
    assert _mode(directory) == 0o700
    assert _mode(path) == 0o600
    for suffix in ("-wal", "-shm"):
        side = directory / f"drafts.sqlite3{suffix}"
        if side.exists():
            assert _mode(side) == 0o600, suffix

    fresh = tmp_path / "new" / "deeper" / "drafts.sqlite3"
    old_umask = os.umask(0o022)
    try:
        DraftStore(fresh).put(_draft())
    finally:
        os.umask(old_umask)
    assert _mode(fresh.parent) == 0o700
    assert _mode(fresh) == 0o600


@pytest.mark.expect_log("app.storage.draft_store", r"unreadable and kept")
def test_an_unreadable_record_is_kept_and_the_others_read(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    path = tmp_path / "drafts.sqlite3"
    store = DraftStore(path)
    store.put(_draft())
    with closing(sqlite3.connect(path)) as conn, conn:
        conn.execute(
            "INSERT INTO drafts VALUES ('smith/9', 'smith', 9, 'T-9', '2026-12-01T00:00:00+00:00',"
            " '{\"format\": 99}')"
        )
    with caplog.at_level(logging.WARNING, logger="app.storage.draft_store"):
        assert [d.key for d in store.drafts("smith")] == ["smith/1"]
    assert "T-9" in caplog.text and "kept" in caplog.text
    with closing(sqlite3.connect(path)) as conn:
        assert conn.execute("SELECT count(*) FROM drafts").fetchone() == (2,)  # still there


def test_a_writer_killed_mid_stream_leaves_every_acknowledged_draft(tmp_path: Path) -> None:
    """A real process writes drafts as fast as it can, printing each key once `put` returned;
    kill -9 at a random moment; every acknowledged draft is on disk, whole."""
    path = tmp_path / "drafts.sqlite3"
    script = textwrap.dedent(
        f"""
        import sys
        from app.storage.draft_store import DraftStore
        from tests.storage.test_draft_store import _draft
        store = DraftStore(__import__("pathlib").Path({str(path)!r}))
        i = 0
        while True:
            i += 1
            store.put(_draft(f"smith/{{i}}", subject=f"typed {{i}}"))
            print(i, flush=True)
        """
    )
    root = Path(__file__).resolve().parents[2]
    with subprocess.Popen(
        [sys.executable, "-c", script], cwd=root, stdout=subprocess.PIPE, text=True
    ) as proc:
        assert proc.stdout is not None
        acknowledged = [int(proc.stdout.readline()) for _ in range(40)]  # 40 durable writes, then kill
        proc.send_signal(signal.SIGKILL)
        proc.wait()
    drafts = {d.ticket_id: d for d in DraftStore(path).drafts("smith")}
    for i in acknowledged:
        assert drafts[i].typed.subject == f"typed {i}"
    assert all(d.typed.subject == f"typed {d.ticket_id}" for d in drafts.values())
