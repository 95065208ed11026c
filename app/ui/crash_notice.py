"""Telling the operator that Frontline hit a bug, where the report for IT is, and that their work is kept.

One notice at a time (a bug that repeats must not stack dialogs over the desk), not modal: the
operator may be on a call and carries on; the typed tickets are on disk (`DraftKeeper`) either way.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import QApplication, QMessageBox, QWidget


class CrashNotice:
    def __init__(self, parent: QWidget | None = None) -> None:
        self._parent = parent
        self._box: QMessageBox | None = None

    def show(self, report: Path) -> None:
        if QApplication.instance() is None:
            return  # before the window or after it: the log line says where the report is
        text = QCoreApplication.translate(
            "CrashNotice",
            "Frontline ran into an unexpected error. What you typed is kept.\n\n"
            "A report for IT was written to:\n{path}\n\n"
            "If something on the screen looks wrong, save your ticket and restart Frontline.",
        ).format(path=str(report))
        if self._box is None:
            ok = QMessageBox.StandardButton.Ok
            self._box = QMessageBox(QMessageBox.Icon.Warning, "Frontline", text, ok, self._parent)
            self._box.setObjectName("crash_notice")
            self._box.setModal(False)
        else:
            self._box.setText(text)
        self._box.show()
        self._box.raise_()
