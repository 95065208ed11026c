"""The first call's one-off costs are paid at start-up (issue 13, `app.warm_up`): once the window is
ready, off the GUI thread, and without anything an operator, a report or the sync would take for a
call.  The window and its services are real (`tests.gui.desks`), on the demo database; the phone is
not started (no call rings here: what a call costs after the warm-up is benchmarks/screen_pop_bench)."""

from __future__ import annotations

import asyncio
import contextlib
import gc
import logging
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot
from sqlalchemy import Engine, text

from app import warm_up as warm_up_module
from app.services.database_health import DatabaseHealth
from app.services.database_status import DatabaseStatus
from app.services.database_worker import DatabaseWorker, awaited
from app.services.lookup import LookupService
from app.services.ports import DatabaseHealthPort, LookupPort
from app.storage.database import make_engine
from app.thread_rules import Role, take_role
from app.ui.main_window import MainWindow
from app.warm_up import warming_up
from tests.gui.desks import DeskParts, close_window, desk_parts, on_worker, run

pytestmark = pytest.mark.gui

RECORDS = ("calls", "tickets", "ticket_events", "customers", "customer_phones")


class WatchedLookup(LookupService):
    """The real lookup service; notes where its warm-up ran and what the window had said by then."""

    def __init__(self, engine: Engine, statuses: list[DatabaseStatus]) -> None:
        super().__init__(engine, default_region="RU")
        self.statuses = statuses  # the window's database statuses, as it emitted them
        self.warm_ups: list[tuple[str, int]] = []  # (thread, statuses emitted before it)

    def warm_up(self) -> str | None:
        self.warm_ups.append((threading.current_thread().name, len(self.statuses)))
        return super().warm_up()


class FailingLookup(WatchedLookup):
    """A warm-up with a bug in it (not a database being away): it must not take the window down."""

    def warm_up(self) -> str | None:
        raise RuntimeError("a bug in the warm-up")


@pytest.fixture(autouse=True)
def unfrozen() -> Iterator[None]:
    """The warm-up freezes what start-up made (`gc.freeze`); the next test starts unfrozen."""
    yield
    gc.unfreeze()


@pytest.fixture
def metadata_threads(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Where the warm-up loaded the phone metadata (the real loader runs, on a thread noted here)."""
    threads: list[str] = []
    load = warm_up_module.load_phone_metadata

    def noted() -> None:
        threads.append(threading.current_thread().name)
        load()

    monkeypatch.setattr(warm_up_module, "load_phone_metadata", noted)
    return threads


@contextlib.contextmanager
def started_window(
    qtbot: QtBot,
    loop: asyncio.AbstractEventLoop,
    engine: Engine,
    worker: DatabaseWorker,
    lookup: WatchedLookup,
    tmp_path: Path,
) -> Iterator[tuple[MainWindow, DeskParts]]:
    """The window built and warmed up as `app.main.run_workstation` does it (the warm-up entered
    before the loop can answer the window's first database check), then shown."""
    parts = desk_parts(engine, worker, tmp_path, phone_args=["--p2p"])  # the phone is not started
    stack = contextlib.AsyncExitStack()

    async def start() -> MainWindow:
        take_role(Role.GUI)  # the window's thread: no database I/O on it (app.thread_rules)
        window = MainWindow(
            lookup=awaited(worker, lookup, LookupPort),
            health=awaited(worker, DatabaseHealth(engine), DatabaseHealthPort),
            company="Test Telecom",
            desk=parts.services,
        )
        window.database_status_changed.connect(lookup.statuses.append)
        await stack.enter_async_context(warming_up(window, worker, lookup, parts.json_log))
        return window

    window = run(qtbot, loop, start())
    window.show()
    try:
        yield window, parts
    finally:
        run(qtbot, loop, _leave(stack))
        close_window(qtbot, loop, window)
        parts.json_log.close()


async def _leave(stack: contextlib.AsyncExitStack) -> None:
    await stack.aclose()


def _counts(engine: Engine) -> dict[str, int]:
    with engine.connect() as conn:
        return {table: conn.execute(text(f"SELECT count(*) FROM {table}")).scalar_one() for table in RECORDS}


def test_the_warm_up_runs_off_the_gui_thread_once_the_window_is_ready_and_is_no_call(
    qtbot: QtBot,
    event_loop_qt: asyncio.AbstractEventLoop,
    demo_engine: Engine,
    worker: DatabaseWorker,
    metadata_threads: list[str],
    tmp_path: Path,
) -> None:
    before = _counts(demo_engine)
    lookup = WatchedLookup(demo_engine, [])
    frozen_before = gc.get_freeze_count()
    with started_window(qtbot, event_loop_qt, demo_engine, worker, lookup, tmp_path) as (window, parts):
        qtbot.waitUntil(lambda: bool(parts.events("warmed_up")), timeout=20_000)
        [warmed] = parts.events("warmed_up")
        # A stored customer's lookup, run once, on the database worker, after the window had
        # its first database status (start-up waited for none of it).
        assert lookup.warm_ups == [(lookup.warm_ups[0][0], 1)]
        assert lookup.warm_ups[0][0].startswith("test-db-worker")
        assert warmed["looked_up"] is True
        assert metadata_threads and metadata_threads[0] != threading.main_thread().name
        assert warmed["frozen_objects"] > frozen_before
        # Nothing a user, a report or the sync would take for a call: no rows, no call events,
        # no card, nothing in the search box.
        assert on_worker(worker, _counts, demo_engine) == before
        for event in (
            "incoming_call",
            "pop_shown",
            "card_filled",
            "answered",
            "call_record_saved",
            "ticket_created",
        ):
            assert parts.events(event) == []
        assert window.card.contract.text() == ""
        assert window.search.query.text() == ""
        assert window.desk is not None and window.desk.current is None


@pytest.mark.expect_log("app.warm_up", "start-up warm-up failed", level="ERROR")
def test_a_warm_up_that_fails_is_logged_and_the_window_carries_on(
    qtbot: QtBot,
    event_loop_qt: asyncio.AbstractEventLoop,
    demo_engine: Engine,
    worker: DatabaseWorker,
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
) -> None:
    lookup = FailingLookup(demo_engine, [])
    with started_window(qtbot, event_loop_qt, demo_engine, worker, lookup, tmp_path) as (window, parts):
        qtbot.waitUntil(
            lambda: any(r.message == "start-up warm-up failed" for r in caplog.records), timeout=20_000
        )
        [failed] = [r for r in caplog.records if r.message == "start-up warm-up failed"]
        assert failed.levelno == logging.ERROR
        assert failed.exc_info is not None and "a bug in the warm-up" in str(failed.exc_info[1])
        assert parts.events("warmed_up") == []
        assert window.db_label.property("ok") is True  # the window itself is unaffected
    # Leaving the window's life (the warm-up's context) raised nothing: the failure was reported.


def test_a_database_away_at_start_skips_the_lookup_and_still_warms_the_rest(
    qtbot: QtBot,
    event_loop_qt: asyncio.AbstractEventLoop,
    demo_engine: Engine,
    worker: DatabaseWorker,
    metadata_threads: list[str],
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
) -> None:
    (tmp_path / "gone.sqlite3").mkdir()  # a folder where the file should be: cannot be opened
    lookup = WatchedLookup(make_engine(f"sqlite:///{tmp_path / 'gone.sqlite3'}"), [])
    caplog.set_level(logging.INFO, logger="app.warm_up")
    with started_window(qtbot, event_loop_qt, demo_engine, worker, lookup, tmp_path) as (_window, parts):
        qtbot.waitUntil(lambda: bool(parts.events("warmed_up")), timeout=20_000)
        assert parts.events("warmed_up")[0]["looked_up"] is False
        assert len(lookup.warm_ups) == 1
        assert metadata_threads  # the phone metadata is loaded all the same
        assert any("skipped the lookup" in r.message for r in caplog.records)
