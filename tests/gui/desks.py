"""A real operator's desk for GUI tests: the main window as `app.main` builds it, every service real
on the database worker, on a real SQLite database, drafts in a real draft store file, the JSON event
log; its own softphone engine (a child process, peer-to-peer on loopback, or registered at a test
registrar).

* `desk_parts` builds the services, `open_window` shows the window (active, reference data
  loaded), `close_window` closes it as the app does (drafts flushed, phone stopped): for tests of
  the window itself, whose phone need not run;
* `open_desk` does all three and starts the phone (a context manager, so a test module's fixture
  can add engine options or a shorter wrap-up);
* `run` awaits a coroutine on the Qt-driven asyncio loop.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import Callable, Coroutine, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ParamSpec, TypeVar

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QWidget
from pytestqt.qtbot import QtBot
from sqlalchemy import Engine

from app.demo import DEMO_OPERATOR
from app.demo.caller import free_udp_port
from app.json_log import JsonEventLog
from app.main import reserve_path_for
from app.services.calls import CallService
from app.services.customers import CustomerService
from app.services.database_health import DatabaseHealth
from app.services.database_worker import DatabaseWorker, awaited
from app.services.lookup import LookupService
from app.services.ports import (
    CallPort,
    CustomerPort,
    DatabaseHealthPort,
    DraftPort,
    LookupPort,
    ScriptPort,
    SyncPort,
    TicketPort,
    UnfinishedPort,
)
from app.services.scripts import ScriptService
from app.services.tickets import TicketService
from app.services.unfinished import UnfinishedTicketService
from app.storage.draft_store import DraftStore
from app.storage.number_blocks import lease_function
from app.storage.number_reserve import SqliteNumberReserve
from app.thread_rules import Role, give_up_role, take_role
from app.tickets.numbering import TicketNumberAllocator
from app.tickets.operator_state import DEFAULT_WRAP_UP_S, OperatorStatus
from app.ui.call_desk import DeskIdentity
from app.ui.main_window import DemoSetup, DeskServices, MainWindow
from app.ui.phone_bridge import PhoneBridge
from app.ui.sync_status import SyncEvents

P = ParamSpec("P")
T = TypeVar("T")

OPERATOR = DEMO_OPERATOR  # "John Smith", Operator


def logged(log_path: Path, name: str) -> list[dict[str, Any]]:
    """The `name` events of a desk's JSON log, in order."""
    lines = log_path.read_text(encoding="utf-8").splitlines()
    return [e for e in map(json.loads, lines) if e["event"] == name]


@dataclass
class DeskParts:
    services: DeskServices
    tickets: TicketService
    log_path: Path
    json_log: JsonEventLog

    def events(self, name: str) -> list[dict[str, Any]]:
        return logged(self.log_path, name)


@dataclass
class Desk:
    window: MainWindow
    sip_port: int
    log_path: Path
    engine: Engine
    worker: DatabaseWorker

    def events(self, name: str) -> list[dict[str, Any]]:
        return logged(self.log_path, name)

    def on_worker(self, fn: Callable[P, T], /, *args: P.args, **kwargs: P.kwargs) -> T:
        """A test's own database work while the window is open (see `on_worker`)."""
        return on_worker(self.worker, fn, *args, **kwargs)

    @property
    def phone(self) -> PhoneBridge:
        services = self.window._desk_services
        assert services is not None
        return services.phone


def on_worker(worker: DatabaseWorker, fn: Callable[P, T], /, *args: P.args, **kwargs: P.kwargs) -> T:
    """`fn(*args, **kwargs)` on the database worker, waited for: while a window is open its thread
    (the test's) does no database I/O (`app.thread_rules`), so a test reads and writes there too."""
    return worker.submit(fn, *args, **kwargs).result(timeout=30)


def desk_parts(
    engine: Engine,
    worker: DatabaseWorker,
    directory: Path,
    *,
    phone_args: Sequence[str],
    phone_env: dict[str, str] | None = None,
    operator: str = OPERATOR,
    wrap_up_s: int = DEFAULT_WRAP_UP_S,
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
        phone=PhoneBridge(list(phone_args), env=phone_env),
        customers=awaited(worker, CustomerService(engine, default_region="RU"), CustomerPort),
        calls=awaited(worker, CallService(engine, default_region="RU"), CallPort),
        tickets=awaited(worker, tickets, TicketPort),
        scripts=awaited(worker, ScriptService(engine), ScriptPort),
        identity=DeskIdentity(
            operator_login=operator,
            operator_name=None,
            position=None,
            company="Test Telecom",
            wrap_up_s=wrap_up_s,
        ),
        json_log=json_log,
        language="en",
        drafts=awaited(worker, DraftStore(directory / "drafts.sqlite3"), DraftPort),
        unfinished=awaited(worker, UnfinishedTicketService(engine), UnfinishedPort),
        demo=demo,
    )
    return DeskParts(services, tickets, log_path, json_log)


def open_window(
    qtbot: QtBot,
    engine: Engine,
    worker: DatabaseWorker,
    services: DeskServices,
    *,
    lookup: LookupService | None = None,
    sync_events: SyncEvents | None = None,
    sync: SyncPort | None = None,
) -> MainWindow:
    """The window shown, active, with its reference data loaded.  Close it with `close_window`
    (not through qtbot, which would delete it before the phone and the drafts are shut down)."""
    take_role(Role.GUI)  # until `close_window`: no database I/O on this thread, as in app.main
    window = MainWindow(
        lookup=awaited(worker, lookup or LookupService(engine, default_region="RU"), LookupPort),
        health=awaited(worker, DatabaseHealth(engine), DatabaseHealthPort),
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


def show_active(qtbot: QtBot, window: QWidget) -> None:
    """Shown, exposed and the active window: shortcuts only reach the active window, as on a desk."""
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    activate(qtbot, window)


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
    give_up_role(Role.GUI)


@contextlib.contextmanager
def open_desk(
    qtbot: QtBot,
    loop: asyncio.AbstractEventLoop,
    engine: Engine,
    worker: DatabaseWorker,
    tmp_path: Path,
    *,
    phone_args: Sequence[str] = (),
    wrap_up_s: int = DEFAULT_WRAP_UP_S,
    engine_args: Sequence[str] | None = None,
    phone_env: dict[str, str] | None = None,
    lookup: LookupService | None = None,
    operator: str = OPERATOR,
) -> Iterator[Desk]:
    """The window, shown and active, its phone started, reference data loaded; closed after.

    The phone listens peer-to-peer on a free loopback port with `phone_args` added, unless
    `engine_args` gives its whole command line (e.g. registered at a test registrar); `phone_env`
    is added to the engine's environment.  Audio is not the subject here: the engine runs on
    pjsua2's null device on purpose (tests/audio has the headsets)."""
    port = free_udp_port()
    args = [*engine_args] if engine_args is not None else [
        "--p2p", "--listen", f"127.0.0.1:{port}", "--user", "desk", *phone_args
    ]  # fmt: skip
    args.append("--null-audio")
    parts = desk_parts(
        engine, worker, tmp_path, phone_args=args, phone_env=phone_env, operator=operator, wrap_up_s=wrap_up_s
    )
    window = open_window(qtbot, engine, worker, parts.services, lookup=lookup)
    try:
        with qtbot.waitSignal(parts.services.phone.registration_changed, timeout=20_000):
            run(qtbot, loop, window.start_phone())
        yield Desk(window=window, sip_port=port, log_path=parts.log_path, engine=engine, worker=worker)
    finally:
        close_window(qtbot, loop, window)
        parts.json_log.close()


def run(
    qtbot: QtBot, loop: asyncio.AbstractEventLoop, coro: Coroutine[Any, Any, Any], timeout: int = 20_000
) -> Any:
    """Run a coroutine on the Qt-driven asyncio loop and return its result."""
    task = loop.create_task(coro)
    qtbot.waitUntil(task.done, timeout=timeout)
    return task.result()


def press_ready(qtbot: QtBot, desk: Desk) -> None:
    """Ctrl+1: the operator is Ready, so calls are offered."""
    qtbot.keyClick(desk.window, Qt.Key.Key_1, Qt.KeyboardModifier.ControlModifier)
    assert desk.window.desk is not None
    assert desk.window.desk.state.status is OperatorStatus.READY
