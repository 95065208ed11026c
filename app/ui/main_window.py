"""The workstation's main window: customer search on the left, the customer card on the right,
database state in the status bar.  Later issues add the softphone panel, ticket form and scripts.
"""

from __future__ import annotations

import logging

from PySide6.QtCore import QSettings, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence
from PySide6.QtWidgets import QLabel, QMainWindow, QMessageBox, QSplitter, QWidget

from app.services.ports import DatabaseHealthPort, DatabaseStatus, LookupPort
from app.tickets.cards import CustomerCard
from app.ui.customer_card import CustomerCardView
from app.ui.search_panel import SearchPanel
from app.ui.shortcuts import ShortcutHelp
from app.ui.tasks import BackgroundTasks

log = logging.getLogger(__name__)

HEALTH_INTERVAL_MS = 15_000


class MainWindow(QMainWindow):
    database_status_changed = Signal(object)  # DatabaseStatus

    def __init__(
        self,
        *,
        lookup: LookupPort,
        health: DatabaseHealthPort,
        company: str,
        settings: QSettings | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._health = health
        self._settings = settings
        self._tasks = BackgroundTasks(self._on_task_error)
        self.setWindowTitle(self.tr("Frontline — {company}").format(company=company))
        self.setObjectName("mainWindow")

        self.search = SearchPanel(lookup)
        self.card = CustomerCardView()
        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.addWidget(self.search)
        splitter.addWidget(self.card)
        splitter.setStretchFactor(0, 1)
        splitter.setStretchFactor(1, 2)
        self.setCentralWidget(splitter)

        self.db_label = QLabel(self.tr("Database: checking…"))
        self.db_label.setObjectName("databaseStatus")
        self.db_label.setTextFormat(Qt.TextFormat.PlainText)
        self.statusBar().addPermanentWidget(self.db_label)

        self.search.customer_selected.connect(self._on_search_customer_selected)
        self.search.customer_opened.connect(self._on_search_customer_opened)
        self.search.lookup_finished.connect(self._on_search_lookup_finished)

        self._build_actions()
        self._health_timer = QTimer(self)
        self._health_timer.setInterval(HEALTH_INTERVAL_MS)
        self._health_timer.timeout.connect(self.refresh_database_status)
        self._health_timer.start()
        self.refresh_database_status()
        self._restore_layout()
        self.search.focus_search()

    # --- actions and shortcuts ----------------------------------------------------------------
    def _build_actions(self) -> None:
        menu_file = self.menuBar().addMenu(self.tr("&File"))
        quit_action = QAction(self.tr("&Quit"), self)
        quit_action.setShortcut(QKeySequence.StandardKey.Quit)
        quit_action.triggered.connect(self.close)
        menu_file.addAction(quit_action)

        menu_customer = self.menuBar().addMenu(self.tr("&Customer"))
        self.find_action = QAction(self.tr("&Find customer"), self)
        self.find_action.setShortcuts(
            [QKeySequence(QKeySequence.StandardKey.Find), QKeySequence(Qt.Key.Key_F3)]
        )
        self.find_action.triggered.connect(self.search.focus_search)
        menu_customer.addAction(self.find_action)

        menu_help = self.menuBar().addMenu(self.tr("&Help"))
        self.shortcuts_action = QAction(self.tr("&Keyboard shortcuts"), self)
        self.shortcuts_action.setShortcut(QKeySequence(Qt.Key.Key_F1))
        self.shortcuts_action.triggered.connect(self.show_shortcuts)
        menu_help.addAction(self.shortcuts_action)
        about = QAction(self.tr("&About Frontline"), self)
        about.triggered.connect(self._show_about)
        menu_help.addAction(about)

    def shortcut_rows(self) -> list[tuple[str, str]]:
        """(keys, what they do) for the F1 overlay, read from the actions themselves."""
        rows = [
            (
                self.find_action.shortcut().toString(QKeySequence.SequenceFormat.NativeText),
                self.tr("Find customer"),
            ),
            ("F3", self.tr("Find customer")),
            (self.tr("Down"), self.tr("From the search box into the results")),
            (self.tr("Up / Down"), self.tr("Move through the results")),
            (self.tr("Enter"), self.tr("Open the highlighted customer")),
            ("F1", self.tr("This help")),
            (
                QKeySequence(QKeySequence.StandardKey.Quit).toString(QKeySequence.SequenceFormat.NativeText),
                self.tr("Quit"),
            ),
        ]
        return [r for r in rows if r[0]]

    def show_shortcuts(self) -> None:
        ShortcutHelp(self.shortcut_rows(), self).exec()

    def _show_about(self) -> None:
        from app import __version__

        QMessageBox.about(
            self,
            self.tr("About Frontline"),
            self.tr("Frontline {version}\nThe operator workstation.").format(version=__version__),
        )

    # --- search and card ----------------------------------------------------------------------
    def _on_search_customer_selected(self, card: CustomerCard) -> None:
        self.card.show_card(card)

    def _on_search_customer_opened(self, card: CustomerCard) -> None:
        self.card.show_card(card)
        self.card.tickets.setFocus(Qt.FocusReason.OtherFocusReason)

    def _on_search_lookup_finished(self, result: object) -> None:
        if not self.search.results.count():
            self.card.clear()

    # --- database status ----------------------------------------------------------------------
    def refresh_database_status(self) -> None:
        self._tasks.spawn(self._refresh_database_status())

    async def _refresh_database_status(self) -> None:
        status = await self._health.status()
        self.show_database_status(status)

    def show_database_status(self, status: DatabaseStatus) -> None:
        if status.ok:
            text = self.tr("Database: {backend} ({location})").format(
                backend=status.backend, location=status.location
            )
        else:
            text = self.tr("Database unavailable: {error} — retrying").format(error=status.error or "?")
        self.db_label.setText(text)
        self.db_label.setProperty("ok", status.ok)
        self.db_label.setStyleSheet("" if status.ok else "color: #b00020; font-weight: bold;")
        self.database_status_changed.emit(status)

    def _on_task_error(self, exc: BaseException) -> None:
        log.error("background task failed", exc_info=exc)
        self.statusBar().showMessage(str(exc) or type(exc).__name__, 10_000)

    # --- layout persistence -------------------------------------------------------------------
    def _restore_layout(self) -> None:
        if self._settings is None:
            self.resize(1200, 760)
            return
        geometry = self._settings.value("main/geometry")
        if geometry is not None:
            self.restoreGeometry(geometry)
        else:
            self.resize(1200, 760)

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 (Qt override)
        self._health_timer.stop()
        self._tasks.cancel_all()
        self.search.shutdown()
        if self._settings is not None:
            self._settings.setValue("main/geometry", self.saveGeometry())
        super().closeEvent(event)
