"""The operator's unfinished tickets: always counted in the status bar, listed with F2.

Unfinished is either of
* typing not saved yet -- in an open tab, or kept on disk for a tab put aside (`DraftKeeper`);
* a stored ticket the operator opened that still lacks required fields (`UnfinishedPort`), such
  as a call's ticket left with an empty subject when the next call came.

The list is read again whenever something may have changed it (a save, a close, a draft kept or
cleared, a new call's ticket), coalesced.  Enter on an entry brings its ticket to the front,
with the typing kept on disk if its tab had been put aside.
"""

from __future__ import annotations

import dataclasses
import logging
from dataclasses import dataclass

from PySide6.QtCore import QObject, Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.services.ports import TicketPort, UnfinishedPort
from app.tickets.drafts import FieldName
from app.ui.draft_keeper import DraftKeeper
from app.ui.field_labels import field_name
from app.ui.tasks import BackgroundTasks
from app.ui.ticket_tabs import TicketTabs

log = logging.getLogger(__name__)

COALESCE_MS = 200


@dataclass(frozen=True, slots=True)
class UnfinishedEntry:
    ticket_id: int
    number: str
    subject: str
    missing: tuple[FieldName, ...]  # what the stored ticket lacks
    unsaved: bool  # typing on this desk not saved to the database
    refused: str | None = None  # the central database refused a change of it: its reason


class UnfinishedTickets(QObject):
    """Keeps the list; `changed` carries the entries (newest ticket first)."""

    changed = Signal(tuple)  # tuple[UnfinishedEntry, ...]
    message = Signal(str)

    def __init__(
        self,
        *,
        stored: UnfinishedPort,
        tickets: TicketPort,
        tabs: TicketTabs,
        keeper: DraftKeeper,
        operator_login: str | None,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._stored = stored
        self._tickets = tickets
        self._tabs = tabs
        self._keeper = keeper
        self._login = operator_login
        self._tasks = BackgroundTasks(self._on_task_error)
        self.entries: tuple[UnfinishedEntry, ...] = ()
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(COALESCE_MS)
        self._timer.timeout.connect(self._on_timer_timeout)
        for signal in (tabs.saved, tabs.closed, keeper.written, keeper.removed, tabs.refusals_changed):
            signal.connect(self.refresh)

    def refresh(self, *_args: object) -> None:
        """Read the list again shortly (several reasons in a row make one read)."""
        self._timer.start()

    def _on_timer_timeout(self) -> None:
        self._tasks.spawn(self.reload())

    async def reload(self) -> tuple[UnfinishedEntry, ...]:
        stored = await self._stored.of_operator(self._login)
        # What the operator typed and has not saved, by ticket: an open tab's, else the disk's.
        typed = {ticket_id: draft.typed for ticket_id, draft in self._keeper.drafts().items()}
        numbers = {ticket_id: draft.number for ticket_id, draft in self._keeper.drafts().items()}
        for form in self._tabs.forms():
            if (view := form.current()) is not None and form.has_unsaved_changes():
                typed[view.id], numbers[view.id] = form.draft(), view.number
        entries = {
            t.ticket_id: UnfinishedEntry(
                t.ticket_id,
                t.number,
                typed[t.ticket_id].subject if t.ticket_id in typed else t.subject,
                t.missing,
                t.ticket_id in typed,
            )
            for t in stored
        }
        for ticket_id, draft in typed.items():
            if ticket_id not in entries:
                entries[ticket_id] = UnfinishedEntry(
                    ticket_id, numbers[ticket_id], draft.subject, (), unsaved=True
                )
        # Not in the central database as the operator left it: unfinished until it goes through.
        for ticket_id, refusal in self._tabs.refused().items():
            entry = entries.get(ticket_id) or UnfinishedEntry(
                ticket_id, refusal.ticket_number or "?", "", (), unsaved=False
            )
            entries[ticket_id] = dataclasses.replace(entry, refused=refusal.error)
        self.entries = tuple(sorted(entries.values(), key=lambda e: e.ticket_id, reverse=True))
        self.changed.emit(self.entries)
        return self.entries

    async def reopen(self, ticket_id: int) -> None:
        """Bring `ticket_id` to the front: its tab, or a new one with any typing kept on disk."""
        if (form := self._tabs.form_for(ticket_id)) is not None:
            self._tabs.setCurrentWidget(form)
        else:
            view = await self._tickets.get(ticket_id)
            draft = self._keeper.drafts().get(ticket_id)
            if draft is not None and draft.number == view.number:
                self._keeper.open_draft(view, draft)
            else:
                self._tabs.open_ticket(view)
        self._tabs.current_form().setFocus(Qt.FocusReason.OtherFocusReason)

    def shutdown(self) -> None:
        self._timer.stop()
        self._tasks.cancel_all()

    def _on_task_error(self, exc: BaseException) -> None:
        log.warning("unfinished tickets: %s", exc)
        self.message.emit(str(exc) or type(exc).__name__)


class UnfinishedLabel(QLabel):
    """The count in the status bar, there for as long as anything is unfinished."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("unfinishedTickets")
        self.setTextFormat(Qt.TextFormat.PlainText)
        self.setStyleSheet("#unfinishedTickets { color: #8a4b00; font-weight: bold; }")
        self.setVisible(False)

    def show_entries(self, entries: tuple[UnfinishedEntry, ...]) -> None:
        self.setText(self.tr("Unfinished tickets: {count} (F2)").format(count=len(entries)))
        self.setToolTip("\n".join(e.number for e in entries))
        self.setVisible(bool(entries))


class UnfinishedDialog(QDialog):
    """The list; Enter (or a double click) asks for the highlighted ticket (`reopen_requested`)."""

    reopen_requested = Signal(int)  # ticket id

    def __init__(self, entries: tuple[UnfinishedEntry, ...], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("unfinishedTicketsDialog")
        self.setWindowTitle(self.tr("My unfinished tickets"))
        self.setWindowModality(Qt.WindowModality.WindowModal)
        intro = QLabel(
            self.tr("Tickets not saved, or saved without what they need. Enter opens the highlighted one.")
            if entries
            else self.tr("Nothing unfinished.")
        )
        intro.setWordWrap(True)
        self.list = QListWidget()
        self.list.setObjectName("unfinishedList")
        for entry in entries:
            item = QListWidgetItem(self.entry_text(entry))
            item.setData(Qt.ItemDataRole.UserRole, entry.ticket_id)
            self.list.addItem(item)
        if self.list.count():
            self.list.setCurrentRow(0)
        self.list.itemActivated.connect(self._on_list_item_activated)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(self.list, stretch=1)
        layout.addWidget(buttons)
        self.resize(560, 320)
        self.list.setFocus(Qt.FocusReason.OtherFocusReason)

    def entry_text(self, entry: UnfinishedEntry) -> str:
        """One line: number, subject, and what is not done."""
        subject = entry.subject.strip() or self.tr("(no subject)")
        notes = []
        if entry.unsaved:
            notes.append(self.tr("not saved"))
        if entry.missing:
            notes.append(
                self.tr("missing: {fields}").format(fields=", ".join(field_name(n) for n in entry.missing))
            )
        if entry.refused is not None:
            notes.append(self.tr("refused by the central database: {error}").format(error=entry.refused))
        return f"{entry.number} — {subject}" + (f" ({'; '.join(notes)})" if notes else "")

    def _on_list_item_activated(self, item: QListWidgetItem) -> None:
        self.accept()
        self.reopen_requested.emit(int(item.data(Qt.ItemDataRole.UserRole)))
