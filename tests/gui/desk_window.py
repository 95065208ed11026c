"""The operator's desk window for GUI tests: the real window, its own softphone engine (a child
process), the demo SQLite database; shared by the tests that drive a whole desk."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Coroutine, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot
from sqlalchemy import Engine

from app.json_log import JsonEventLog
from app.main import reserve_path_for
from app.services.calls import CallService
from app.services.customer_workers import WorkerCustomers
from app.services.customers import CustomerService
from app.services.db_worker import DatabaseWorker
from app.services.desk_workers import WorkerCalls, WorkerScripts, WorkerTickets
from app.services.lookup import LookupService
from app.services.scripts import ScriptService
from app.services.tickets import TicketService
from app.services.worker_ports import WorkerDatabaseHealth, WorkerLookup
from app.storage.number_blocks import lease_function
from app.storage.number_reserve import SqliteNumberReserve
from app.tickets.numbering import TicketNumberAllocator
from app.ui.call_desk import DeskIdentity
from app.ui.main_window import DeskServices, MainWindow
from app.ui.phone_bridge import PhoneBridge

OPERATOR = "smith"  # a demo operator: "John Smith", Operator


@dataclass
class Desk:
    window: MainWindow
    sip_port: int
    log_path: Path
    engine: Engine

    def events(self, name: str) -> list[dict[str, Any]]:
        lines = self.log_path.read_text(encoding="utf-8").splitlines()
        return [e for e in map(json.loads, lines) if e["event"] == name]


def run(
    qtbot: QtBot, loop: asyncio.AbstractEventLoop, coro: Coroutine[Any, Any, Any], timeout: int = 20_000
) -> Any:
    """Run a coroutine on the Qt-driven asyncio loop and return its result."""
    task = loop.create_task(coro)
    qtbot.waitUntil(task.done, timeout=timeout)
    return task.result()


def show_active(qtbot: QtBot, window: MainWindow) -> None:
    """Shown, exposed and the active window: shortcuts only reach the active window, as on a desk."""
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    handle = window.windowHandle()
    assert handle is not None
    handle.requestActivate()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window, timeout=2000)


@contextmanager
def open_desk(
    qtbot: QtBot,
    loop: asyncio.AbstractEventLoop,
    demo_engine: Engine,
    worker: DatabaseWorker,
    tmp_path: Path,
    phone_args: list[str],
    *,
    sip_port: int = 0,
    phone_env: dict[str, str] | None = None,
) -> Iterator[Desk]:
    """The desk window, shown and active, its engine started with `phone_args`; shut down after."""
    log_path = tmp_path / "events.jsonl"
    json_log = JsonEventLog(log_path)
    reserve = SqliteNumberReserve(Path(reserve_path_for(str(demo_engine.url))))
    tickets = TicketService(
        demo_engine,
        TicketNumberAllocator(reserve),
        lease=lease_function(demo_engine, reserve.workstation_id()),
    )
    services = DeskServices(
        phone=PhoneBridge(phone_args, env=phone_env),
        customers=WorkerCustomers(worker, CustomerService(demo_engine, default_region="RU")),
        calls=WorkerCalls(worker, CallService(demo_engine, default_region="RU")),
        tickets=WorkerTickets(worker, tickets),
        scripts=WorkerScripts(worker, ScriptService(demo_engine)),
        identity=DeskIdentity(
            operator_login=OPERATOR, operator_name=None, position=None, company="Test Telecom"
        ),
        json_log=json_log,
        language="en",
    )
    window = MainWindow(
        lookup=WorkerLookup(worker, LookupService(demo_engine, default_region="RU")),
        health=WorkerDatabaseHealth(worker, demo_engine),
        company="Test Telecom",
        desk=services,
    )
    show_active(qtbot, window)
    with qtbot.waitSignal(services.phone.registration_changed, timeout=20_000):
        run(qtbot, loop, window.start_phone())
    # Reference data (operator name for the scripts) has loaded once the form knows the lines.
    qtbot.waitUntil(lambda: window.ticket_form.line.count() > 1, timeout=10_000)
    try:
        yield Desk(window=window, sip_port=sip_port, log_path=log_path, engine=demo_engine)
    finally:
        run(qtbot, loop, window.shutdown())
        json_log.close()
