"""Search box and result list: find a customer by phone number, contract number or name.

Typing starts a lookup after a short pause (Enter starts it at once); the lookup runs on the
database worker and comes back here.  A reply to an older query than the one on screen is not
shown, so fast typing never shows stale results -- but every lookup's outcome, shown or not,
found, empty or failed, is announced by `lookup_done`: the call desk waits for its caller's.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import QLabel, QLineEdit, QListWidget, QListWidgetItem, QVBoxLayout, QWidget

from app.errors import UserFacingError
from app.services.ports import LookupPort
from app.tickets.cards import CustomerCard, LookupResult
from app.tickets.enums import QueryKind
from app.tickets.phones import format_phone
from app.ui.tasks import BackgroundTasks

log = logging.getLogger(__name__)

DEBOUNCE_MS = 250


class SearchPanel(QWidget):
    customer_selected = Signal(object)  # CustomerCard: the highlighted result
    customer_opened = Signal(object)  # CustomerCard: Enter / double-click on a result
    lookup_finished = Signal(object)  # LookupResult shown on screen
    lookup_failed = Signal(str)  # message shown on screen
    lookup_done = Signal(str, object)  # query, and its LookupResult or the exception: every lookup

    def __init__(self, lookup: LookupPort, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._lookup = lookup
        self._tasks = BackgroundTasks(self._on_task_error)
        self._generation = 0
        self._cards: list[CustomerCard] = []

        self.query = QLineEdit()
        self.query.setObjectName("searchQuery")
        self.query.setClearButtonEnabled(True)
        self.query.setPlaceholderText(self.tr("Phone, contract number or name"))
        self.query.setAccessibleName(self.tr("Customer search"))
        self.results = QListWidget()
        self.results.setObjectName("searchResults")
        self.results.setAccessibleName(self.tr("Search results"))
        self.summary = QLabel()
        self.summary.setTextFormat(Qt.TextFormat.PlainText)
        self.summary.setWordWrap(True)

        layout = QVBoxLayout(self)
        layout.addWidget(self.query)
        layout.addWidget(self.summary)
        layout.addWidget(self.results, stretch=1)

        self._debounce = QTimer(self)
        self._debounce.setSingleShot(True)
        self._debounce.setInterval(DEBOUNCE_MS)
        self._debounce.timeout.connect(self.search_now)
        self.query.textEdited.connect(self._on_query_edited)
        self.query.returnPressed.connect(self.search_now)
        # Down arrow from the search box walks into the results, as in a browser's address bar.  A
        # shortcut of the box, not an event filter: Qt calls a filter while it destroys the widgets
        # it watches, and a Python override then runs on a half-destroyed panel (see ticket_form).
        into_results = QShortcut(QKeySequence(Qt.Key.Key_Down), self.query)
        into_results.setContext(Qt.ShortcutContext.WidgetShortcut)
        into_results.activated.connect(self._walk_into_results)
        self.results.currentRowChanged.connect(self._on_results_row_changed)
        self.results.itemActivated.connect(self._on_results_item_activated)

    # --- public -------------------------------------------------------------------------------
    def focus_search(self) -> None:
        self.query.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.query.selectAll()

    def search_for(self, text: str) -> None:
        """Put `text` in the box and look it up at once (used by the screen pop)."""
        self.query.setText(text)
        self.search_now()

    def search_now(self) -> None:
        self._debounce.stop()
        self._generation += 1
        text = self.query.text()
        pending = self._lookup.lookup(text) if text.strip() else None  # the worker starts right away
        self._tasks.spawn(self._run_lookup(self._generation, text, pending))

    def show_message(self, text: str) -> None:
        """Replace the results with a message (e.g. an anonymous caller: nothing to search)."""
        self._generation += 1  # any lookup still running is now stale
        self._cards = []
        self.results.clear()
        self.summary.setText(text)

    def shutdown(self) -> None:
        self._tasks.cancel_all()

    # --- internals ----------------------------------------------------------------------------
    def _walk_into_results(self) -> None:
        if not self.results.count():
            return
        self.results.setFocus(Qt.FocusReason.TabFocusReason)
        if self.results.currentRow() < 0:
            self.results.setCurrentRow(0)

    def _on_query_edited(self, _text: str) -> None:
        self._debounce.start()

    async def _run_lookup(self, generation: int, text: str, pending: Awaitable[LookupResult] | None) -> None:
        if pending is None:
            self._show(LookupResult(query=text, kind=QueryKind.EMPTY, normalized=None, customers=()))
            return
        self.summary.setText(self.tr("Searching…"))
        try:
            result = await pending
        except Exception as exc:  # noqa: BLE001 (every failure is told: on screen and by lookup_done)
            self._fail(generation, exc)
            self.lookup_done.emit(text, exc)
            return
        if generation == self._generation:  # else the operator has typed on: this answer is stale
            self._show(result)
        self.lookup_done.emit(text, result)

    def _fail(self, generation: int, exc: Exception) -> None:
        if isinstance(exc, UserFacingError):
            message = str(exc)
        else:
            log.error("lookup failed", exc_info=exc)
            message = self.tr("Search failed: {error}").format(error=str(exc) or type(exc).__name__)
        if generation == self._generation:
            self.summary.setText(message)
            self.lookup_failed.emit(message)

    def _show(self, result: LookupResult) -> None:
        self._cards = list(result.customers)
        self.results.clear()
        for card in self._cards:
            phones = ", ".join(format_phone(p) for p in card.phones)
            item = QListWidgetItem(f"{card.name}\n{card.contract_number} · {phones}")
            item.setToolTip(card.address or "")
            self.results.addItem(item)
        self.summary.setText(self._summary_text(result))
        if self._cards:
            self.results.setCurrentRow(0)
        self.lookup_finished.emit(result)

    def _summary_text(self, result: LookupResult) -> str:
        if result.kind is QueryKind.EMPTY:
            return ""
        if not result.customers:
            return self.tr("No customer found for “{query}”.").format(query=result.query.strip())
        return self.tr("{count} customer(s) found.").format(count=len(result.customers))

    def _on_results_row_changed(self, row: int) -> None:
        if 0 <= row < len(self._cards):
            self.customer_selected.emit(self._cards[row])

    def _on_results_item_activated(self, item: QListWidgetItem) -> None:
        row = self.results.row(item)
        if 0 <= row < len(self._cards):
            self.customer_opened.emit(self._cards[row])

    def _on_task_error(self, exc: BaseException) -> None:
        log.error("showing a lookup failed", exc_info=exc)
        message = self.tr("Search failed: {error}").format(error=str(exc) or type(exc).__name__)
        self.summary.setText(message)
        self.lookup_failed.emit(message)
