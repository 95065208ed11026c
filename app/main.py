"""The composition root: builds the database, services, softphone and window, then runs the Qt +
asyncio loop.  Nothing else in the program constructs services or reads global state.

Boot order (each stage can fail with a message the user can act on):
0. narrow the data directory to the desk's user (`app.private_files`: customer data, 0700/0600);
1. open the database: embedded SQLite is created and migrated on the spot; with a central
   PostgreSQL (migrated by IT) the desk works on its local cache of it, which the first start
   copies and later starts refresh in the background (`app.sync.desk.DeskSync`);
2. optionally seed demo data (`--demo`, only into an empty database);
3. QApplication, translations (before the first widget), the qasync event loop;
4. services on the database worker, the softphone engine child process, the window;
5. run until the window closes; stop the engine (hangs up, unregisters), then the worker.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import importlib
import linecache
import logging
import os
import signal
import sys
import threading
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING

from app.config import SiteConfig, data_dir
from app.errors import UserFacingError
from app.private_files import make_tree_private
from app.text import QT_TRANSLATE_NOOP
from app.thread_rules import Role, give_up_role, take_role

if TYPE_CHECKING:
    from PySide6.QtWidgets import QApplication
    from sqlalchemy import Engine
    from sqlalchemy.engine import URL

    from app.crash_reports import CrashReports
    from app.json_log import JsonEventLog
    from app.services.database_worker import DatabaseWorker
    from app.services.ports import SyncPort
    from app.sync.desk import DeskSync
    from app.sync.notices import SyncState
    from app.ui.main_window import DemoSetup, DeskServices, MainWindow
    from app.ui.sync_status import SyncEvents

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class WorkstationOptions:
    database_url: str
    seed_demo: bool = False
    listen: str | None = None  # peer-to-peer SIP address (HOST:PORT), overrides the site file
    json_log: str | None = None
    operator_login: str | None = None
    phone: bool = True
    demo_caller: bool = False
    start_ready: bool = False


_ready_logged = False


def _log_ready_once(status: object) -> None:
    global _ready_logged  # noqa: PLW0603 (a one-shot flag for the start-up log line)
    if not _ready_logged:
        _ready_logged = True
        log.info("window ready (%s)", status)


def _url_digest(url: URL) -> str:
    """A short, stable file-name part for a database URL (never its password)."""
    return hashlib.sha256(url.render_as_string(hide_password=True).encode()).hexdigest()[:12]


def reserve_path_for(database_url: str) -> str:
    """Each central database leases its own numbers: keep one reserve file per database."""
    from sqlalchemy.engine import make_url

    return str(data_dir() / f"ticket_numbers-{_url_digest(make_url(database_url))}.sqlite3")


def _require_a_display() -> None:
    """Refuse, in words, to start the window where there is no screen to show it on.

    Qt's xcb plugin would abort (SIGABRT) with advice to reinstall libxcb-cursor0, which is
    not what is wrong on an SSH session or a service account (found trying it as IT)."""
    if not sys.platform.startswith("linux") or os.environ.get("QT_QPA_PLATFORM"):
        return
    if os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"):
        return
    raise UserFacingError(
        QT_TRANSLATE_NOOP(
            "Cli",
            "There is no display to show the window on (neither DISPLAY nor WAYLAND_DISPLAY is set)."
            " Start Frontline from the desktop session, or under xvfb-run to try it without one.",
        )
    )


# Imported before Qt on purpose: PySide6's import hook (shiboken's check for `__feature__`) reads
# the whole source of every module imported after PySide6 with inspect.getsource, and linecache
# keeps it: 11 MB of text, ~20 MiB of the window's memory that dropping the cache later does not
# give back (the lines lie among the modules' code in Python's arenas).  These need no Qt.
_BELOW_THE_WINDOW = (
    "sqlalchemy.orm",
    "phonenumbers",
    "app.catalogue",
    "app.crash_reports",
    "app.json_log",
    "app.services.calls",
    "app.services.customers",
    "app.services.database_health",
    "app.services.database_worker",
    "app.services.lookup",
    "app.services.operator_states",
    "app.services.ports",
    "app.services.scripts",
    "app.services.sync_conflicts",
    "app.services.tickets",
    "app.services.unfinished",
    "app.softphone.desk.audio_settings",
    "app.softphone.desk.client",
    "app.storage.draft_store",
    "app.storage.number_blocks",
    "app.storage.number_reserve",
    "app.storage.revisions",
    "app.storage.schema_version",
)
_BELOW_A_CENTRAL_DESK = ("psycopg", "app.sync.desk")


def _import_below_the_window(options: WorkstationOptions) -> None:
    central = _BELOW_A_CENTRAL_DESK if is_central(options.database_url) else ()
    for name in (*_BELOW_THE_WINDOW, *central):
        importlib.import_module(name)


def _qt_application() -> QApplication:
    from PySide6.QtWidgets import QApplication

    existing = QApplication.instance()
    if existing is None:
        _require_a_display()
    app = existing if isinstance(existing, QApplication) else QApplication(sys.argv[:1])
    app.setApplicationName("Frontline")
    app.setOrganizationName("Frontline")
    # We end the loop ourselves after the engine has hung up and unregistered; Qt quitting on the
    # last window would stop the loop under the shutdown coroutine.
    app.setQuitOnLastWindowClosed(False)
    return app


def _crash_reports() -> CrashReports | None:
    """The window's crash reports; the operator is told where one was written."""
    from app import crash_reports
    from app.ui.crash_notice import CrashNotice

    return crash_reports.install("window", on_report=CrashNotice().show)


def run_workstation(site: SiteConfig, options: WorkstationOptions) -> int:
    _import_below_the_window(options)  # before Qt: see _BELOW_THE_WINDOW
    import qasync
    from PySide6.QtCore import QSettings
    from PySide6.QtWidgets import QMessageBox

    from app.json_log import JsonEventLog
    from app.services.database_health import DatabaseHealth
    from app.services.database_worker import DatabaseWorker, awaited
    from app.services.lookup import LookupService
    from app.services.ports import DatabaseHealthPort, LookupPort
    from app.ui.i18n import install_translators
    from app.ui.main_window import MainWindow
    from app.ui.sync_status import SyncEvents
    from app.warm_up import warming_up

    make_tree_private(data_dir())  # what older versions (or a 022 umask) left readable by others
    reports = _crash_reports()
    app = _qt_application()
    translators = install_translators(app, site.language)  # noqa: F841 (kept alive until exit)

    sync_events = SyncEvents() if is_central(options.database_url) else None
    try:
        desk_sync = _open_central(options, sync_events) if sync_events is not None else None
        engine = desk_sync.cache if desk_sync is not None else _prepare_database(site, options)
    except UserFacingError as exc:
        log.error("cannot start: %s", exc.english)  # for IT reading the desk's log
        QMessageBox.critical(None, "Frontline", str(exc))
        return 2
    worker = DatabaseWorker("db")
    drafts_worker = DatabaseWorker("drafts")  # a draft is never written behind a slow query
    json_log = JsonEventLog(options.json_log)
    central_worker = DatabaseWorker("central") if desk_sync is not None else worker
    desk, sync = (
        _desk_services(
            site,
            options,
            engine,
            worker,
            json_log,
            desk_sync=desk_sync,
            central_worker=central_worker,
            drafts_worker=drafts_worker,
        )
        if options.phone
        else (None, None)
    )

    lookup_service = LookupService(engine, default_region=site.default_region)

    async def run_until_closed() -> None:
        if reports is not None:  # an exception in a task nobody awaits is a bug too
            asyncio.get_running_loop().set_exception_handler(reports.asyncio_handler)
        # Built inside the running loop: widgets start async work from their constructors.
        window = MainWindow(
            lookup=awaited(worker, lookup_service, LookupPort),
            health=awaited(worker, DatabaseHealth(engine), DatabaseHealthPort),
            company=site.company,
            settings=QSettings(),
            desk=desk,
            sync_events=sync_events,
            sync=sync,
        )
        if desk_sync is not None and sync_events is not None:
            _start_sync(desk_sync, sync_events, json_log)
        async with warming_up(window, worker, lookup_service, json_log):
            await _serve_window(app, window, json_log, start_ready=options.start_ready)

    # From here this is the window's GUI thread: database work only on the workers (DESIGN.md).
    take_role(Role.GUI)
    try:
        qasync.run(run_until_closed())
    finally:
        give_up_role(Role.GUI)
        _shut_down((drafts_worker, worker, central_worker), desk_sync, engine, json_log)
    return 0


def _shut_down(
    workers: tuple[DatabaseWorker, ...], desk_sync: DeskSync | None, engine: Engine, json_log: JsonEventLog
) -> None:
    """After the window: the workers finish what they were given (drafts first), then the sync
    stops (what was not sent yet stays in the outbox for the next start)."""
    for worker in workers:
        worker.shutdown(wait=True)
    if desk_sync is not None:
        desk_sync.stop()
    engine.dispose()
    json_log.close()


def _start_sync(desk_sync: DeskSync, events: SyncEvents, json_log: JsonEventLog) -> None:
    """Start sending to the central database, its state and refusals logged as they change."""
    events.state_changed.connect(partial(_log_sync_state, json_log))
    events.refused_found.connect(partial(_log_sync_refused, json_log))
    desk_sync.start()


def _log_sync_state(json_log: JsonEventLog, state: SyncState) -> None:
    json_log.write(
        "sync_state",
        state=state.state,
        waiting=state.waiting,
        conflicts=state.conflicts,
        refused=state.refused,
        held=state.held,
    )


def _log_sync_refused(json_log: JsonEventLog, key: str) -> None:
    json_log.write("sync_refused", key=key)


def is_central(database_url: str) -> bool:
    from sqlalchemy.engine import make_url

    return make_url(database_url).get_backend_name() == "postgresql"


def cache_path_for(database_url: str) -> Path:
    """The desk's cache of one central database as one login sees it (row-level security)."""
    return data_dir() / f"central-cache-{_login_digest(database_url)}.sqlite3"


def drafts_path_for(database_url: str) -> Path:
    """Unsaved ticket typing refers to tickets of one database (its cache, as one login sees it)."""
    return data_dir() / f"drafts-{_login_digest(database_url)}.sqlite3"


def _login_digest(database_url: str) -> str:
    from sqlalchemy.engine import make_url

    from app.storage.database import database_user

    url = make_url(database_url)
    return _url_digest(url.set(username=database_user(url)))


def _open_central(options: WorkstationOptions, events: SyncEvents) -> DeskSync:
    """The local cache of the central database, copied on the first start (needs the network)."""
    from app.errors import DatabaseUnavailable
    from app.sync.desk import DeskSync

    desk_sync = DeskSync(
        options.database_url,
        cache_path_for(options.database_url),
        on_state=events.emit_state,
        on_rows=events.emit_rows,
        on_conflict=events.emit_conflict,
        on_refused=events.emit_refused,
    )
    try:
        desk_sync.prepare()
    except DatabaseUnavailable as exc:
        desk_sync.stop()
        raise UserFacingError(
            QT_TRANSLATE_NOOP(
                "StartError",
                "This desk has no copy of the central database yet, and the first copy needs it: {why}",
            ).format(why=exc)
        ) from exc
    return desk_sync


async def _serve_window(
    app: QApplication, window: MainWindow, json_log: JsonEventLog, *, start_ready: bool
) -> None:
    """Show the window, start the phone, and wait until the operator closes it."""
    from app.tickets.operator_state import OperatorStatus
    from app.ui.stall_monitor import StallMonitor

    closed = asyncio.Event()
    app.lastWindowClosed.connect(closed.set)
    # Ctrl+C / SIGTERM (a terminal, systemd, the session ending) closes the window without the
    # question Ctrl+Q asks: nobody is there to answer it.  Typed drafts are on disk either way.
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, window.close_without_asking)
    # "Ready" = painted and the database answered: what an operator can actually use.
    window.database_status_changed.connect(_log_ready_once)
    window.show()
    log.info("window shown")
    json_log.write("window_shown")
    if window.desk is not None:
        await window.start_phone()
        if start_ready:
            window.desk.request_state(OperatorStatus.READY)
    # The source lines PySide6's import hook read of what was imported after Qt (see
    # _BELOW_THE_WINDOW): read once and never again.  A traceback reads its lines from the file.
    linecache.clearcache()
    # Which threads the window runs, once it is up: docs/DESIGN.md maps each one (a test compares).
    json_log.write("threads", names=sorted(t.name for t in threading.enumerate()))
    # Measured from here on: the shift, not the start-up (which startup_bench measures).
    stalls = StallMonitor(on_stall=lambda ms: json_log.write("event_loop_stall", ms=round(ms, 1)))
    stalls.start()
    await closed.wait()
    stalls.stop()
    json_log.write("event_loop", **stalls.summary())
    await window.shutdown()


def _prepare_database(site: SiteConfig, options: WorkstationOptions) -> Engine:
    from app.storage.database import make_engine
    from app.storage.schema_version import is_at_newest

    engine = make_engine(options.database_url)
    if engine.dialect.name == "sqlite" and not is_at_newest(engine):
        from app.storage.migrate import upgrade  # Alembic: ~11 MiB kept, only when needed

        upgrade(engine)
    if options.seed_demo:
        from app.demo.data import DemoDataExists, generate_demo_data

        with contextlib.suppress(DemoDataExists):  # only an empty database gets demo data
            generate_demo_data(engine, customers=2000, default_region=site.default_region)
    return engine


def _desk_services(
    site: SiteConfig,
    options: WorkstationOptions,
    engine: Engine,
    worker: DatabaseWorker,
    json_log: JsonEventLog,
    *,
    desk_sync: DeskSync | None,
    central_worker: DatabaseWorker,
    drafts_worker: DatabaseWorker,
) -> tuple[DeskServices, SyncPort | None]:
    """The desk's services on `engine` (the embedded database, or the central database's local
    cache when `desk_sync` is given: then writes also go to the outbox, and what needs the central
    database itself -- ticket number leases, new customers -- runs on a worker of its own so a
    slow or absent network never holds up the cache)."""
    from app.catalogue import language_of
    from app.services.calls import CallService
    from app.services.customers import CustomerService
    from app.services.database_worker import awaited
    from app.services.lookup import LookupService
    from app.services.operator_states import OperatorStateService
    from app.services.ports import (
        CallPort,
        CustomerPort,
        DraftPort,
        OperatorStatePort,
        ScriptPort,
        SyncPort,
        TicketPort,
        UnfinishedPort,
    )
    from app.services.scripts import ScriptService
    from app.services.sync_conflicts import ConflictService
    from app.services.tickets import TicketService
    from app.services.unfinished import UnfinishedTicketService
    from app.softphone.desk.audio_settings import LocalAudioDevices
    from app.softphone.desk.client import engine_args
    from app.storage.draft_store import DraftStore
    from app.storage.number_blocks import lease_function
    from app.storage.number_reserve import SqliteNumberReserve
    from app.tickets.numbering import TicketNumberAllocator
    from app.ui.call_desk import DeskIdentity
    from app.ui.main_window import DeskServices
    from app.ui.phone_bridge import PhoneBridge

    reserve = SqliteNumberReserve(Path(reserve_path_for(options.database_url)))
    recorder = desk_sync.recorder if desk_sync is not None else None
    central = desk_sync.central if desk_sync is not None else engine
    tickets = TicketService(
        engine,
        TicketNumberAllocator(reserve),
        lease=lease_function(central, reserve.workstation_id()),
        recorder=recorder,
    )
    lookup = LookupService(engine, default_region=site.default_region)
    customers = CustomerService(
        central,
        default_region=site.default_region,
        lookup=lookup,
        after_insert=desk_sync.refresher.refresh_customer if desk_sync is not None else None,
    )
    args = engine_args(site)
    if options.listen:
        args = [a for a in args if a != "--p2p"] + ["--p2p", "--listen", options.listen]
    sync = None
    if desk_sync is not None:
        sync = awaited(worker, ConflictService(engine, desk_sync.outbox, tickets), SyncPort)
    return DeskServices(
        phone=PhoneBridge(args),
        customers=awaited(central_worker, customers, CustomerPort),
        calls=awaited(
            worker, CallService(engine, default_region=site.default_region, recorder=recorder), CallPort
        ),
        tickets=awaited(worker, tickets, TicketPort),
        scripts=awaited(worker, ScriptService(engine), ScriptPort),
        states=awaited(worker, OperatorStateService(engine, recorder=recorder), OperatorStatePort),
        audio_devices=LocalAudioDevices(),
        identity=DeskIdentity(
            operator_login=options.operator_login,
            operator_name=None,  # filled from the operators table once reference data loads
            position=None,
            company=site.company,
            wrap_up_s=site.wrap_up_seconds,
        ),
        json_log=json_log,
        language=language_of(site.language),
        drafts=awaited(drafts_worker, DraftStore(drafts_path_for(options.database_url)), DraftPort),
        unfinished=awaited(worker, UnfinishedTicketService(engine), UnfinishedPort),
        top_up_numbers=lambda: central_worker.submit(tickets.top_up_numbers),
        demo=_demo_setup(options, worker, engine) if options.demo_caller else None,
    ), sync


def _demo_setup(options: WorkstationOptions, worker: DatabaseWorker, engine: Engine) -> DemoSetup:
    """The built-in demo caller ringing this desk's peer-to-peer address."""
    from app.demo.caller import DemoCaller, DemoCallers
    from app.demo.calls import sample_demo_callers
    from app.demo.voice import write_voice_wav
    from app.ui.main_window import DemoSetup

    host, _, port = (options.listen or "127.0.0.1:5070").rpartition(":")
    voice = data_dir() / "demo" / "voice.wav"
    if not voice.exists():
        write_voice_wav(voice)

    async def callers() -> DemoCallers:
        return await worker.run(sample_demo_callers, engine)

    return DemoSetup(caller=DemoCaller(host or "127.0.0.1", int(port), voice), callers=callers)
