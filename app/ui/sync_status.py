"""The central database as the operator sees it: one status-bar label and the sync's signals.

`SyncEvents` is the bridge from the sync threads (replicator, listener, cache pull) to the GUI
thread: the composition root calls its ``emit_*`` methods from those threads; Qt queues the
signals to the GUI thread because the object lives there.  Nothing here blocks.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtWidgets import QLabel, QWidget

from app.sync.notices import ChangedRows, SyncState


class SyncEvents(QObject):
    """Signals carrying frozen values from `app.sync.desk.DeskSync`'s threads."""

    state_changed = Signal(object)  # SyncState
    rows_changed = Signal(object)  # ChangedRows
    conflict_found = Signal(str)  # the outbox key of the save set aside
    refused_found = Signal(str)  # the outbox key of a change the central database refused

    def emit_state(self, state: SyncState) -> None:
        self.state_changed.emit(state)

    def emit_rows(self, rows: ChangedRows) -> None:
        self.rows_changed.emit(rows)

    def emit_conflict(self, key: str) -> None:
        self.conflict_found.emit(key)

    def emit_refused(self, key: str) -> None:
        self.refused_found.emit(key)


class SyncStatusLabel(QLabel):
    """``Central database: online`` / ``offline — N changes waiting`` / ``catching up i/N``."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("syncStatus")
        self.setTextFormat(Qt.TextFormat.PlainText)
        self.state: SyncState | None = None
        self.show_state(SyncState("online"))

    def show_state(self, state: SyncState) -> None:
        self.state = state
        if state.state == "offline":
            # "offline — N changes waiting"; the count last, so no plural forms are needed.
            text = self.tr("Central database: offline — changes waiting: {count}").format(count=state.waiting)
            tip = self.tr(
                "Everything is kept on this desk and sent when the central database is back. {error}"
            ).format(error=state.error or "")
        elif state.state == "catching_up":
            text = self.tr("Central database: catching up {done}/{total}").format(
                done=state.done, total=state.total
            )
            tip = self.tr("Sending what was saved while the central database was away.")
        else:
            text = self.tr("Central database: online")
            tip = ""
        if state.conflicts:
            text += " · " + self.tr("conflicts to review (Ctrl+Shift+K): {count}").format(
                count=state.conflicts
            )
        if state.refused:
            text += " · " + self.tr("refused by the central database: {count} — call IT").format(
                count=state.refused
            )
            tip = self.tr(
                "The central database refused some changes. They are kept on this desk, marked on"
                " their tickets and sent again every few minutes; IT sees them with"
                " `frontline admin sync-status`."
            )
        self.setText(text)
        self.setToolTip(tip.strip())
        warn = state.state == "offline" or state.conflicts > 0 or state.refused > 0
        self.setStyleSheet("color: #b00020; font-weight: bold;" if warn else "")
