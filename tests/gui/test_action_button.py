"""The buttons of actions that change at every call (phone, operator state, ticket) stay in step
with their action and do not pile up connections to it over a shift (issue 21, part 3)."""

from __future__ import annotations

from PySide6.QtCore import SIGNAL
from PySide6.QtGui import QAction
from pytestqt.qtbot import QtBot

from app.ui.action_button import ActionButton


def test_a_button_follows_its_action_through_a_shift_of_changes_without_piling_up(qtbot: QtBot) -> None:
    action = QAction("&Hold")
    action.setCheckable(True)
    button = ActionButton(action)
    qtbot.addWidget(button)
    button.show()
    for call in range(300):  # what a shift does to the Hold button: on at the answer, off at the end
        action.setEnabled(call % 2 == 0)
    action.setText("&Resume")
    action.setChecked(True)
    action.setEnabled(True)
    assert (button.text(), button.isChecked(), button.isEnabled()) == ("Resume", True, True)
    assert action.receivers(SIGNAL("changed()")) <= 1  # a plain QToolButton of Qt 6.11: 303
    with qtbot.waitSignal(action.triggered):
        button.click()
    assert not action.isChecked()
