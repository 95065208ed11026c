"""The operator's window as `app.main` builds it, on a real SQLite database: every service real, on
the database worker; drafts in a real draft store file.  The phone is built but only started by
tests that take calls."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Coroutine
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from PySide6.QtWidgets import QApplication, QWidget
from pytestqt.qtbot import QtBot
from sqlalchemy import Engine

from app.json_log import JsonEventLog
from app.main import reserve_path_for
from app.services.calls import CallService
from app.services.customer_workers import WorkerCustomers
from app.services.customers import CustomerService
from app.services.db_worker import DatabaseWorker
from app.services.desk_workers import (
    WorkerCalls,
    WorkerDrafts,
    WorkerScripts,
    WorkerTickets,
    WorkerUnfinished,
)
from app.services.lookup import LookupService
from app.services.scripts import ScriptService
from app.services.sync_ports import SyncPort
from app.services.tickets import TicketService
from app.services.unfinished import UnfinishedTicketService
from app.services.worker_ports import WorkerDatabaseHealth, WorkerLookup
from app.storage.draft_store import DraftStore
from app.storage.number_blocks import lease_function
from app.storage.number_reserve import SqliteNumberReserve
from app.tickets.numbering import TicketNumberAllocator
from app.ui.call_desk import DeskIdentity
from app.ui.main_window import DemoSetup, DeskServices, MainWindow
from app.ui.phone_bridge import PhoneBridge
from app.ui.sync_status import SyncEvents

OPERATOR = "smith"  # a demo operator: "John Smith", Operator


@dataclass
class DeskParts:
    services: DeskServices
    tickets: TicketService
    log_path: Path
    json_log: JsonEventLog

    def events(self, name: str) -> list[dict[str, Any]]:
        lines = self.log_path.read_text(encoding="utf-8").splitlines()
        return [e for e in map(json.loads, lines) if e["event"] == name]


def desk_parts(
    engine: Engine,
    worker: DatabaseWorker,
    directory: Path,
    *,
    phone_args: list[str],
    operator: str = OPERATOR,
    demo: DemoSetup | None = None,
) -> DeskParts:
    """The desk's services on `engine`; the JSON log and the draft store live in `directory`."""
    log_path = directory / "events.jsonl"
    json_log = JsonEventLog(log_path)
    reserve = SqliteNumberReserve(Path(reserve_path_for(str(engine.url))))
    tickets = TicketService(
        engine, TicketNumberAllocator(reserve), lease=lease_function(engine, reserve.workstation_id())
    )
    services = DeskServices(
        phone=PhoneBridge(phone_args),
        customers=WorkerCustomers(worker, CustomerService(engine, default_region="RU")),
        calls=WorkerCalls(worker, CallService(engine, default_region="RU")),
        tickets=WorkerTickets(worker, tickets),
        scripts=WorkerScripts(worker, ScriptService(engine)),
        identity=DeskIdentity(
            operator_login=operator, operator_name=None, position=None, company="Test Telecom"
        ),
        json_log=json_log,
        language="en",
        drafts=WorkerDrafts(worker, DraftStore(directory / "drafts.sqlite3")),
        unfinished=WorkerUnfinished(worker, UnfinishedTicketService(engine)),
        demo=demo,
    )
    return DeskParts(services, tickets, log_path, json_log)


def open_window(
    qtbot: QtBot,
    engine: Engine,
    worker: DatabaseWorker,
    services: DeskServices,
    *,
    sync_events: SyncEvents | None = None,
    sync: SyncPort | None = None,
) -> MainWindow:
    """The window shown, active, with its reference data loaded.  Close it with `close_window`
    (not through qtbot, which would delete it before the phone and the drafts are shut down)."""
    window = MainWindow(
        lookup=WorkerLookup(worker, LookupService(engine, default_region="RU")),
        health=WorkerDatabaseHealth(worker, engine),
        company="Test Telecom",
        desk=services,
        sync_events=sync_events,
        sync=sync,
    )
    window.show()
    qtbot.waitExposed(window)
    activate(qtbot, window)
    # Reference data (operator name for the scripts) has loaded once the form knows the lines.
    qtbot.waitUntil(lambda: window.ticket_form.line.count() > 1, timeout=10_000)
    return window


def activate(qtbot: QtBot, widget: QWidget) -> None:
    """Make `widget`'s window the active one, as a window manager does (none runs offscreen):
    shortcuts only reach the active window."""
    handle = widget.window().windowHandle()
    assert handle is not None
    handle.requestActivate()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is widget.window(), timeout=2000)


def close_window(qtbot: QtBot, loop: asyncio.AbstractEventLoop, window: MainWindow) -> None:
    """As the app ends: closed without the quit question, drafts flushed, the phone stopped."""
    window.close_without_asking()
    run(qtbot, loop, window.shutdown())
    window.deleteLater()
    qtbot.wait(1)  # the deferred delete


def run(
    qtbot: QtBot, loop: asyncio.AbstractEventLoop, coro: Coroutine[Any, Any, Any], timeout: int = 20_000
) -> Any:
    """Run a coroutine on the Qt-driven asyncio loop and return its result."""
    task = loop.create_task(coro)
    qtbot.waitUntil(task.done, timeout=timeout)
    return task.result()
