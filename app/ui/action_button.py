"""A tool button that shows a QAction, without the connections Qt 6 piles up for it.

QToolButton answers every change of its default action (enabled, checked, text) by calling
setDefaultAction again, and in Qt 6.11 each of those calls connects the action's `changed` to
the button once more, never disconnected.  The phone's, the operator state's and the ticket's
buttons change at every call: a 400-call shift left ~7 600 such connections (~0.7 MiB, found with
heaptrack in benchmarks/soak_bench.py), and every change called the button that many times.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent
from PySide6.QtGui import QAction, QActionEvent
from PySide6.QtWidgets import QToolButton, QWidget


class ActionButton(QToolButton):
    def __init__(self, action: QAction, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setDefaultAction(action)

    def actionEvent(self, event: QActionEvent) -> None:  # noqa: N802 (Qt override)
        action = self.defaultAction()
        if event.type() == QEvent.Type.ActionChanged and action is not None and event.action() is action:
            # Unset first: that drops what the earlier calls connected; then show it as it is now.
            self.setDefaultAction(None)  # type: ignore[arg-type]
            self.setDefaultAction(action)
            return
        super().actionEvent(event)
