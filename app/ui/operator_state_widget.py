"""The operator's own state (Ready / Not ready with a reason / Break / On call / Wrap-up), shown
and switchable from the keyboard.  The state machine itself is `app.tickets.operator_state`."""

from __future__ import annotations

from datetime import UTC, datetime

from PySide6.QtCore import QCoreApplication, QObject, Qt, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QHBoxLayout, QInputDialog, QLabel, QToolButton, QWidget

from app.tickets.operator_state import PHONE_OFFLINE, OperatorState, OperatorStatus
from app.ui.action_button import ActionButton


def status_text(status: OperatorStatus) -> str:
    return {
        OperatorStatus.READY: QCoreApplication.translate("OperatorStatus", "Ready"),
        OperatorStatus.NOT_READY: QCoreApplication.translate("OperatorStatus", "Not ready"),
        OperatorStatus.BREAK: QCoreApplication.translate("OperatorStatus", "Break"),
        OperatorStatus.ON_CALL: QCoreApplication.translate("OperatorStatus", "On call"),
        OperatorStatus.WRAP_UP: QCoreApplication.translate("OperatorStatus", "Wrap-up"),
    }[status]


NOT_READY_REASONS = ("Training", "Meeting", "Technical problem", "Callbacks", "Other")


def reason_text(reason: str) -> str:
    return {
        "Training": QCoreApplication.translate("NotReadyReason", "Training"),
        "Meeting": QCoreApplication.translate("NotReadyReason", "Meeting"),
        "Technical problem": QCoreApplication.translate("NotReadyReason", "Technical problem"),
        "Callbacks": QCoreApplication.translate("NotReadyReason", "Callbacks"),
        "Other": QCoreApplication.translate("NotReadyReason", "Other"),
        "signed in": QCoreApplication.translate("NotReadyReason", "just signed in"),
        PHONE_OFFLINE: QCoreApplication.translate("NotReadyReason", "Phone offline — calls can't reach you"),
    }.get(reason, reason)


_COLOURS = {
    OperatorStatus.READY: "#1b7f3b",
    OperatorStatus.NOT_READY: "#b00020",
    OperatorStatus.BREAK: "#8a6d00",
    OperatorStatus.ON_CALL: "#0b5cad",
    OperatorStatus.WRAP_UP: "#6a1b9a",
}


class OperatorStateActions(QObject):
    def __init__(self, parent: QObject) -> None:
        super().__init__(parent)
        self.ready = self._action(self.tr("&Ready"), "Ctrl+1")
        self.not_ready = self._action(self.tr("&Not ready…"), "Ctrl+2")
        self.take_break = self._action(self.tr("&Break"), "Ctrl+3")

    def _action(self, text: str, keys: str) -> QAction:
        action = QAction(text, self)
        action.setShortcut(QKeySequence(keys))
        return action

    def all(self) -> list[QAction]:
        return [self.ready, self.not_ready, self.take_break]


class OperatorStateWidget(QWidget):
    """Shows the state; asks for the Not-ready reason; emits what the operator asked for."""

    change_requested = Signal(object, object)  # OperatorStatus, reason (str | None)

    def __init__(self, actions: OperatorStateActions, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.state_actions = actions
        self.label = QLabel()
        self.label.setObjectName("operatorState")
        self.label.setTextFormat(Qt.TextFormat.PlainText)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.label)
        self.buttons: dict[QAction, QToolButton] = {}
        for action in actions.all():
            button = ActionButton(action)
            keys = action.shortcut().toString(QKeySequence.SequenceFormat.NativeText)
            button.setToolTip(f"{action.text().replace('&', '')} ({keys})")
            layout.addWidget(button)
            self.buttons[action] = button
        actions.ready.triggered.connect(lambda: self.change_requested.emit(OperatorStatus.READY, None))
        actions.take_break.triggered.connect(lambda: self.change_requested.emit(OperatorStatus.BREAK, None))
        actions.not_ready.triggered.connect(self._ask_not_ready_reason)
        self._state: OperatorState | None = None

    @property
    def state(self) -> OperatorState | None:
        return self._state

    def show_state(self, state: OperatorState, now: datetime | None = None) -> None:
        self._state = state
        text = status_text(state.status)
        if state.status is OperatorStatus.NOT_READY and state.reason:
            text = self.tr("{status}: {reason}").format(status=text, reason=reason_text(state.reason))
        if state.status is OperatorStatus.WRAP_UP and state.wrap_up is not None:
            left = int(state.wrap_up.remaining(now or datetime.now(UTC)).total_seconds())
            text = self.tr("{status} ({seconds} s left)").format(status=text, seconds=left)
        self.label.setText(text)
        self.label.setStyleSheet(f"color: white; background: {_COLOURS[state.status]}; padding: 2px 8px;")
        on_call = state.status is OperatorStatus.ON_CALL
        self.state_actions.ready.setEnabled(not on_call and state.status is not OperatorStatus.READY)
        self.state_actions.not_ready.setEnabled(not on_call)
        self.state_actions.take_break.setEnabled(not on_call and state.status is not OperatorStatus.BREAK)
        # Only what the operator can switch to is offered: a greyed "Ready" next to the "Ready"
        # badge read as the state shown twice.
        for action, button in self.buttons.items():
            button.setVisible(action.isEnabled())

    def _ask_not_ready_reason(self) -> None:
        dialog = QInputDialog(self)
        dialog.setWindowTitle(self.tr("Not ready"))
        dialog.setLabelText(self.tr("Why are you not ready?"))
        dialog.setComboBoxItems([reason_text(r) for r in NOT_READY_REASONS])
        dialog.setComboBoxEditable(True)
        dialog.setObjectName("notReadyReasonDialog")

        def accepted(text: str) -> None:
            by_label = {reason_text(r): r for r in NOT_READY_REASONS}
            reason = by_label.get(text, text.strip())
            if reason:
                self.change_requested.emit(OperatorStatus.NOT_READY, reason)

        dialog.textValueSelected.connect(accepted)
        dialog.open()  # not exec(): the event loop (SIP events, timers) keeps running
