"""A bug in a Qt slot while the window runs: a crash report for IT, and the operator is told where it
is and that their typing is kept -- once, however often the bug repeats."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QMessageBox
from pytestqt.qtbot import QtBot

from app import crash_reports
from app.crash_reports import CrashReports
from app.ui.crash_notice import CrashNotice

pytestmark = pytest.mark.gui


@pytest.fixture
def reports(tmp_path: Path) -> Iterator[CrashReports]:
    installed = crash_reports.install("window", on_report=CrashNotice().show, folder=tmp_path)
    assert installed is not None
    yield installed
    installed.uninstall()


def _notices() -> list[QMessageBox]:
    return [w for w in QApplication.topLevelWidgets() if w.objectName() == "crash_notice" and w.isVisible()]


@pytest.mark.expect_log(
    "app.crash_reports", r"unexpected error in MainThread; crash report written", level="ERROR"
)
def test_an_exception_in_a_slot_is_reported_and_the_operator_told_where(
    qtbot: QtBot, reports: CrashReports, tmp_path: Path
) -> None:
    def broken_slot() -> None:
        raise KeyError("ticket 7 vanished")

    for _ in range(2):  # the same bug twice: one notice
        QTimer.singleShot(0, broken_slot)
        qtbot.waitUntil(lambda: len(_notices()) == 1)
    qtbot.waitUntil(lambda: len(list(tmp_path.glob("crash-window-*.txt"))) >= 1)
    (notice,) = _notices()
    report = sorted(tmp_path.glob("crash-window-*.txt"))[-1]
    assert str(report) in notice.text()
    assert "What you typed is kept" in notice.text()
    assert not notice.isModal()  # the operator carries on with the call
    assert "KeyError: 'ticket 7 vanished'" in report.read_text()
    notice.close()
