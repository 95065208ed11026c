"""Before the window goes (Ctrl+Q, the window's close button, a desktop logout): say what would be
lost and let the operator stay.

`losses` lists, in words, what quitting now would cost: the call in progress (hung up), typing
for a call whose ticket does not exist yet (gone), typing not saved to the database (kept on this
computer as a draft and reopened at the next start, but not in the database until saved).  An
empty list means nothing is at stake and the window closes without asking.

`QuitQuestion` is window-modal and opened with ``open()`` (a nested event loop would stall the
phone's events); "Keep working" is the default for Enter and Esc, "Quit anyway" is Alt+Q.
"""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, Qt, Signal
from PySide6.QtWidgets import QMessageBox, QPushButton, QWidget

from app.tickets.phones import format_phone
from app.ui.call_desk import CallDesk
from app.ui.field_labels import field_name
from app.ui.ticket_tabs import TicketTabs


def losses(desk: CallDesk | None, tabs: TicketTabs | None) -> list[str]:
    """What quitting now would cost, one sentence each (translated)."""
    translate = QCoreApplication.translate
    lines = []
    current = desk.current if desk is not None else None
    if current is not None:
        number = (
            format_phone(current.info.number)
            if current.info.number
            else translate("QuitGuard", "an anonymous caller")
        )
        if current.answered:
            lines.append(translate("QuitGuard", "The call with {number} is hung up.").format(number=number))
        else:
            lines.append(
                translate("QuitGuard", "The call ringing from {number} is not answered.").format(
                    number=number
                )
            )
    for form in tabs.forms() if tabs is not None else ():
        fields = form.unsaved_fields()
        if not fields:
            continue
        names = ", ".join(field_name(n) for n in fields)
        view = form.current()
        if view is None:
            lines.append(
                translate("QuitGuard", "What you chose for the call's ticket ({fields}) is lost.").format(
                    fields=names
                )
            )
        else:
            lines.append(
                translate(
                    "QuitGuard",
                    "Ticket {number}: {fields} not saved to the database (kept on this computer"
                    " and reopened at the next start).",
                ).format(number=view.number, fields=names)
            )
    return lines


class QuitQuestion(QMessageBox):
    """Asks; `quit_chosen` when the operator chooses to quit anyway, nothing otherwise."""

    quit_chosen = Signal()

    def __init__(self, lines: list[str], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("quitQuestion")
        self.setIcon(QMessageBox.Icon.Warning)
        self.setWindowTitle(self.tr("Quit Frontline?"))
        self.setTextFormat(Qt.TextFormat.PlainText)
        self.setText(self.tr("If you quit now:"))
        self.setInformativeText("\n".join(f"• {line}" for line in lines))
        self.setWindowModality(Qt.WindowModality.WindowModal)
        self.quit_button: QPushButton = self.addButton(
            self.tr("&Quit anyway"), QMessageBox.ButtonRole.DestructiveRole
        )
        self.stay_button: QPushButton = self.addButton(
            self.tr("&Keep working"), QMessageBox.ButtonRole.RejectRole
        )
        self.setDefaultButton(self.stay_button)
        self.setEscapeButton(self.stay_button)
        self.buttonClicked.connect(self._on_button_clicked)

    def _on_button_clicked(self, button: object) -> None:
        if button is self.quit_button:
            self.quit_chosen.emit()
