"""The disposition picker: what came of the call, chosen at wrap-up with the keyboard.

F10 ("Disposition…", in the Call menu and the F1 list) moves the keyboard to the list; a digit
1-9 picks that entry at once, the arrows and Enter pick the highlighted one, Esc goes back to
where the operator was typing.  `CallDesk` decides which list is offered (the call's line) and
stores the choice; this widget only shows and reports it.
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QAction, QKeyEvent, QKeySequence
from PySide6.QtWidgets import QApplication, QLabel, QListWidget, QListWidgetItem, QVBoxLayout, QWidget

_CODE_ROLE = Qt.ItemDataRole.UserRole


class _Choices(QListWidget):
    """A list that picks on a digit or Enter and gives the keyboard back on Esc."""

    picked = Signal(int)  # row
    left = Signal()

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 (Qt override)
        key = event.key()
        plain = not event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier
        if Qt.Key.Key_1 <= key <= Qt.Key.Key_9 and plain:
            row = key - Qt.Key.Key_1
            if row < self.count():
                self.setCurrentRow(row)
                self.picked.emit(row)
            return
        if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and self.currentRow() >= 0:
            self.picked.emit(self.currentRow())
            return
        if key == Qt.Key.Key_Escape:
            self.left.emit()
            return
        super().keyPressEvent(event)


class DispositionPicker(QWidget):
    chosen = Signal(str)  # the disposition's code

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("dispositionPicker")
        self.pick_action = QAction(self.tr("&Disposition…"), self)
        self.pick_action.setShortcut(QKeySequence(Qt.Key.Key_F10))
        self.title = QLabel(self.tr("Disposition (F10)"))
        self.title.setObjectName("dispositionTitle")
        self.choices = _Choices()
        self.choices.setObjectName("dispositionList")
        self.choices.picked.connect(self._on_choices_picked)
        self.choices.left.connect(self._on_choices_left)
        self.choices.itemActivated.connect(self._on_choices_item_activated)  # double click
        self.status = QLabel()
        self.status.setObjectName("dispositionStatus")
        self.status.setTextFormat(Qt.TextFormat.PlainText)
        self.status.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.title)
        layout.addWidget(self.choices)
        layout.addWidget(self.status)
        self._chosen: str | None = None
        self._return_focus: QWidget | None = None
        self.clear()

    def offer(self, items: Sequence[tuple[str, str]], chosen: str | None = None) -> None:
        """Offer `items` ((code, label) in menu order) for the call; `chosen`: the code already
        picked for it, if any."""
        self.choices.clear()
        for n, (code, label) in enumerate(items, start=1):
            item = QListWidgetItem(f"{n}  {label}" if n <= 9 else f"    {label}")
            item.setData(_CODE_ROLE, code)
            item.setToolTip(label)
            self.choices.addItem(item)
        self.setEnabled(bool(items))
        if items:  # every entry a digit reaches is visible without scrolling
            height = self.choices.sizeHintForRow(0) * min(len(items), 9)
            self.choices.setMinimumHeight(height + 2 * self.choices.frameWidth())
        self.show_chosen(chosen, dict(items).get(chosen or ""))
        if not items:
            self.status.setText(self.tr("No dispositions are set up for this line."))

    def clear(self) -> None:
        """No answered call to describe: nothing to pick."""
        self.choices.clear()
        self._chosen = None
        self.setEnabled(False)
        self.status.setText(self.tr("Available once a call is answered."))

    def show_chosen(self, code: str | None, label: str | None) -> None:
        self._chosen = code
        for row in range(self.choices.count()):
            item = self.choices.item(row)
            font = item.font()
            font.setBold(item.data(_CODE_ROLE) == code)
            item.setFont(font)
            if item.data(_CODE_ROLE) == code:
                self.choices.setCurrentRow(row)
        if code is None:
            self.status.setText(self.tr("Not chosen yet: F10, then a digit."))
        else:
            self.status.setText(self.tr("Chosen: {label}").format(label=label or code))

    @property
    def current_code(self) -> str | None:
        return self._chosen

    def take_focus(self) -> bool:
        """Give the list the keyboard (F10); False when there is nothing to pick."""
        if not self.isEnabled() or not self.choices.count():
            return False
        focus = QApplication.focusWidget()
        self._return_focus = focus if focus is not None and not self.isAncestorOf(focus) else None
        if self.choices.currentRow() < 0:
            self.choices.setCurrentRow(0)
        self.choices.setFocus(Qt.FocusReason.ShortcutFocusReason)
        return True

    def _on_choices_picked(self, row: int) -> None:
        item = self.choices.item(row)
        if item is None:
            return
        self.chosen.emit(str(item.data(_CODE_ROLE)))
        self._on_choices_left()

    def _on_choices_item_activated(self, item: QListWidgetItem) -> None:
        self._on_choices_picked(self.choices.row(item))

    def _on_choices_left(self) -> None:
        target, self._return_focus = self._return_focus, None
        if target is not None:
            target.setFocus(Qt.FocusReason.OtherFocusReason)
