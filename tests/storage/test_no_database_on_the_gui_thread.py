"""DESIGN.md's rule, checked while the program runs: the window's GUI thread does no database I/O.

The thread that holds `Role.GUI` (the window's, from `app.main.run_workstation`) gets
`ThreadRuleBroken` in the test run (logged once in production) when it takes a database connection
-- on the embedded SQLite, the central database's cache and PostgreSQL alike -- opens one of the
desk's own SQLite files or uses the sync's outbox; the database worker does the same work without
complaint.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from sqlalchemy import Engine, select, text

from app.services.database_health import DatabaseHealth
from app.services.database_worker import DatabaseWorker, awaited
from app.services.ports import DatabaseHealthPort
from app.services.sessions import session_scope
from app.storage.draft_store import DraftStore
from app.storage.schema import Operator
from app.sync.outbox import Outbox
from app.thread_rules import Role, ThreadRuleBroken, give_up_role, take_role


def _operators(engine: Engine) -> list[str]:
    with session_scope(engine) as s:
        return list(s.scalars(select(Operator.login)))


def test_a_session_on_the_gui_thread_breaks_the_rule(engine: Engine, gui_thread: None) -> None:
    with pytest.raises(
        ThreadRuleBroken, match=r"connection to (sqlite|postgresql) taken on the window's GUI"
    ):
        _operators(engine)
    with pytest.raises(ThreadRuleBroken), engine.connect() as conn:
        conn.execute(text("SELECT 1"))


def test_the_same_session_on_the_database_worker_is_allowed(
    engine: Engine, worker: DatabaseWorker, gui_thread: None
) -> None:
    assert worker.submit(_operators, engine).result(timeout=30) == _operators_off_the_gui_thread(engine)

    async def status() -> bool:
        health = awaited(worker, DatabaseHealth(engine), DatabaseHealthPort)
        return (await health.status()).ok

    assert asyncio.run(status())  # awaited on the GUI thread, run on the worker


def _operators_off_the_gui_thread(engine: Engine) -> list[str]:
    give_up_role(Role.GUI)
    try:
        return _operators(engine)
    finally:
        take_role(Role.GUI)


def test_the_desks_own_files_are_not_opened_on_the_gui_thread(
    tmp_path: Path, worker: DatabaseWorker, gui_thread: None
) -> None:
    store = worker.submit(DraftStore, tmp_path / "drafts.sqlite3").result(timeout=30)
    with pytest.raises(ThreadRuleBroken, match=r"drafts\.sqlite3 opened on the window's GUI thread"):
        store.drafts("ivanov")
    assert worker.submit(store.drafts, "ivanov").result(timeout=30) == []


def test_the_outbox_is_not_read_on_the_gui_thread(
    tmp_path: Path, worker: DatabaseWorker, gui_thread: None
) -> None:
    outbox = worker.submit(Outbox, tmp_path / "outbox.sqlite3").result(timeout=30)
    try:
        with pytest.raises(ThreadRuleBroken, match="the outbox read or written on the window's GUI thread"):
            outbox.counts()
        assert worker.submit(outbox.counts).result(timeout=30)["pending"] == 0
    finally:
        worker.submit(outbox.close).result(timeout=30)


def test_nobody_holding_the_role_means_no_rule(engine: Engine) -> None:
    """Before the window exists (migrations, demo data, the CLI) the main thread may use it."""
    assert isinstance(_operators(engine), list)
