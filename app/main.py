"""The composition root: builds the database, services and window, and runs the Qt + asyncio loop.

Boot order (each stage can fail with a message the user can act on):
1. open the database (embedded SQLite is created and migrated on the spot);
2. optionally seed demo data (`--demo`, only into an empty database);
3. QApplication, translations (before the first widget), the qasync event loop;
4. the main window with its ports; run until the window closes; stop the worker.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
import sys

from app.config import SiteConfig
from app.errors import UserFacingError

log = logging.getLogger(__name__)


_ready_logged = False


def _log_ready_once(status: object) -> None:
    global _ready_logged  # noqa: PLW0603 (a one-shot flag for the start-up log line)
    if not _ready_logged:
        _ready_logged = True
        log.info("window ready (%s)", status)


def run_workstation(site: SiteConfig, *, database_url: str, seed_demo: bool = False) -> int:
    import qasync
    from PySide6.QtCore import QSettings
    from PySide6.QtWidgets import QApplication, QMessageBox

    from app.services.db_worker import DatabaseWorker
    from app.services.lookup import LookupService
    from app.services.worker_ports import WorkerDatabaseHealth, WorkerLookup
    from app.storage.database import make_engine
    from app.storage.migrate import upgrade
    from app.ui.i18n import install_translators
    from app.ui.main_window import MainWindow

    existing = QApplication.instance()
    app = existing if isinstance(existing, QApplication) else QApplication(sys.argv[:1])
    app.setApplicationName("Frontline")
    app.setOrganizationName("Frontline")
    translators = install_translators(app, site.language)  # noqa: F841 (kept alive until exit)

    engine = make_engine(database_url)
    try:
        if engine.dialect.name == "sqlite":
            upgrade(engine)
        if seed_demo:
            from app.storage.demo_data import DemoDataExists, generate_demo_data

            with contextlib.suppress(DemoDataExists):  # only an empty database gets demo data
                generate_demo_data(engine, customers=2000, default_region=site.default_region)
    except UserFacingError as exc:
        QMessageBox.critical(None, "Frontline", str(exc))
        return 2

    worker = DatabaseWorker("db")

    async def run_until_closed() -> None:
        # Built inside the running loop: widgets start async work from their constructors.
        window = MainWindow(
            lookup=WorkerLookup(worker, LookupService(engine, default_region=site.default_region)),
            health=WorkerDatabaseHealth(worker, engine),
            company=site.company,
            settings=QSettings(),
        )
        closed = asyncio.Event()
        app.lastWindowClosed.connect(closed.set)
        # Ctrl+C / SIGTERM in a terminal closes the window like the Quit action.
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, window.close)
        # "Ready" = painted and the database answered: what an operator can actually use.
        window.database_status_changed.connect(_log_ready_once)
        window.show()
        log.info("window shown")
        await closed.wait()

    try:
        qasync.run(run_until_closed())
    finally:
        worker.shutdown(wait=True)
        engine.dispose()
    return 0
