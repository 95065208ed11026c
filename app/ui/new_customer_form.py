"""The new-customer form: an unknown number is on the line, the operator makes it a customer.

Only the phone number is required (issue 5: phone-only customers, no e-mail); `start` puts the
caller's number in, still editable, and the focus on the name.  A customer created without a name
is stored under the formatted number (see `app.services.customers`).

The service is the one judge of the values: what it refuses is highlighted, with the focus on
the first such field and every typed value kept; so is everything when the database cannot be
reached.  Once created, the form is done until `start` is called again, so a second press of the
shortcut cannot create the same customer twice.

User data is only ever shown as plain text.
"""

from __future__ import annotations

import itertools
import logging
from functools import partial

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from app.errors import DatabaseUnavailable, UserFacingError, ValidationError
from app.services.new_customer import CUSTOMER_FIELDS, MAX_LENGTHS, CustomerStoredNotShown
from app.services.ports import CustomerPort
from app.tickets.cards import CustomerCard
from app.tickets.phones import format_phone
from app.ui.action_button import ActionButton
from app.ui.tasks import BackgroundTasks

log = logging.getLogger(__name__)

INVALID_PROPERTY = "missing"  # the same look as the ticket form's missing fields
_STYLE = """
QLabel[missing="true"] { color: #b00020; }
QLineEdit[missing="true"], QPlainTextEdit[missing="true"] { border: 2px solid #b00020; }
QLabel#newCustomerMessage[error="true"] { color: #b00020; font-weight: bold; }
"""
CREATE_SHORTCUT = "Ctrl+Shift+N"


def _repolish(widget: QWidget) -> None:
    widget.style().unpolish(widget)
    widget.style().polish(widget)


class NewCustomerForm(QWidget):
    """Name, phone, address, region and notes of a new customer, and "Create customer".

    Signals: `created` carries the stored `CustomerCard` (as a lookup shows it), `failed` the
    message the form shows when the customer was not created (refused values or no database).
    """

    created = Signal(object)  # CustomerCard
    failed = Signal(str)

    def __init__(
        self, customers: CustomerPort, *, operator_login: str | None = None, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setObjectName("newCustomerForm")
        self._customers = customers
        self._login = operator_login
        self._tasks = BackgroundTasks(self._on_task_error)
        self._busy = False
        self._done = False
        self._invalid: set[str] = set()

        self._build_fields()
        self._build_actions()
        self._build_layout()
        self.setStyleSheet(_STYLE)
        self._update_actions()

    # --- construction -------------------------------------------------------------------------
    def _build_fields(self) -> None:
        self.heading = QLabel(self.tr("New customer"))
        self.heading.setObjectName("newCustomerHeading")
        font = self.heading.font()
        font.setPointSizeF(font.pointSizeF() * 1.4)
        font.setBold(True)
        self.heading.setFont(font)
        self.hint = QLabel(self.tr("No customer has this number yet. Only the phone number is required."))
        self.hint.setWordWrap(True)

        self.name = QLineEdit()
        self.name.setPlaceholderText(self.tr("If the caller does not say, the number is used"))
        self.phone = QLineEdit()
        self.address = QLineEdit()
        self.region = QLineEdit()
        self.notes = QPlainTextEdit()
        self.notes.setTabChangesFocus(True)
        self.fields: dict[str, QLineEdit | QPlainTextEdit] = {
            "name": self.name,
            "phone": self.phone,
            "address": self.address,
            "region": self.region,
            "notes": self.notes,
        }
        labels = {
            "name": self.tr("&Name:"),
            "phone": self.tr("&Phone:"),
            "address": self.tr("A&ddress:"),
            "region": self.tr("Re&gion:"),
            "notes": self.tr("No&tes:"),
        }
        self.labels: dict[str, QLabel] = {}
        for field, widget in self.fields.items():
            widget.setObjectName(f"newCustomer_{field}")
            widget.setAccessibleName(self.field_name(field))
            if isinstance(widget, QLineEdit):
                if field in MAX_LENGTHS:
                    widget.setMaxLength(MAX_LENGTHS[field])
                widget.textEdited.connect(partial(self._on_field_edited, field))
            else:
                widget.textChanged.connect(partial(self._on_field_edited, field))
            label = QLabel(labels[field])
            label.setBuddy(widget)
            self.labels[field] = label

        self.message = QLabel()
        self.message.setObjectName("newCustomerMessage")
        self.message.setTextFormat(Qt.TextFormat.PlainText)
        self.message.setWordWrap(True)

    def _build_actions(self) -> None:
        self.create_action = QAction(self.tr("&Create customer"), self)
        self.create_action.setShortcut(QKeySequence(CREATE_SHORTCUT))
        # Only while the focus is in the form: the window may offer the same keys elsewhere.
        self.create_action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        self.create_action.triggered.connect(self._on_create_action_triggered)
        self.addAction(self.create_action)
        self.create_button = ActionButton(self.create_action)
        self.create_button.setObjectName("createCustomer")
        self.create_button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        self.create_button.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.create_button.setToolTip(
            self.tr("Create customer ({keys})").format(
                keys=self.create_action.shortcut().toString(QKeySequence.SequenceFormat.NativeText)
            )
        )

    def _build_layout(self) -> None:
        form = QFormLayout()
        for field in CUSTOMER_FIELDS:
            form.addRow(self.labels[field], self.fields[field])
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.create_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.heading)
        layout.addWidget(self.hint)
        layout.addLayout(form, stretch=1)
        layout.addWidget(self.message)
        layout.addLayout(buttons)
        chain: list[QWidget] = [*(self.fields[f] for f in CUSTOMER_FIELDS), self.create_button]
        for first, second in itertools.pairwise(chain):
            QWidget.setTabOrder(first, second)

    # --- public -------------------------------------------------------------------------------
    def field_name(self, field: str) -> str:
        """A field's name for messages ("Check Name, Region")."""
        return {
            "name": self.tr("Name"),
            "phone": self.tr("Phone"),
            "address": self.tr("Address"),
            "region": self.tr("Region"),
            "notes": self.tr("Notes"),
        }[field]

    def start(self, phone: str) -> None:
        """A new, empty customer with `phone` (E.164 from caller ID, or as typed) filled in."""
        for widget in self.fields.values():
            widget.clear()
        self.phone.setText(format_phone(phone.strip()))
        self._clear_marks()
        self._say("")
        self._done = False
        self._update_actions()
        self.name.setFocus(Qt.FocusReason.OtherFocusReason)

    def values(self) -> dict[str, str]:
        """What the fields hold now, by field id (`CUSTOMER_FIELDS`)."""
        return {
            field: widget.text() if isinstance(widget, QLineEdit) else widget.toPlainText()
            for field, widget in self.fields.items()
        }

    def invalid(self) -> tuple[str, ...]:
        """The fields highlighted as wrong now, in form order."""
        return tuple(f for f in CUSTOMER_FIELDS if f in self._invalid)

    def set_operator_login(self, login: str | None) -> None:
        self._login = login

    def shutdown(self) -> None:
        self._tasks.cancel_all()

    async def create_customer(self) -> CustomerCard | None:
        """Create the customer from the fields; its card, or None when not created (the form
        says why and keeps every value).  Not called ``create``: that is `QWidget.create`."""
        if self._busy or self._done:
            return None
        typed = self.values()
        self._clear_marks()
        self._busy = True
        self._update_actions()
        self._say(self.tr("Creating the customer…"))
        try:
            card = await self._customers.create(
                phone=typed["phone"],
                name=typed["name"] or None,
                address=typed["address"] or None,
                region=typed["region"] or None,
                notes=typed["notes"] or None,
                operator_login=self._login,
            )
        except ValidationError as exc:
            self._refuse(tuple(f for f in CUSTOMER_FIELDS if f in exc.fields), typed, str(exc))
            return None
        except CustomerStoredNotShown as exc:
            # It exists: creating it again would make a duplicate.
            self._done = True
            self._fail(
                self.tr(
                    "Customer {contract} was created but cannot be shown right now: {error}"
                    " Search for {contract} in a moment; do not create it again."
                ).format(contract=exc.contract_number, error=str(exc))
            )
            return None
        except DatabaseUnavailable as exc:
            self._fail(
                self.tr(
                    "Not created: {error} Everything you typed is still here; try again in a moment."
                ).format(error=str(exc))
            )
            return None
        except UserFacingError as exc:
            self._fail(self.tr("Not created: {error}").format(error=str(exc)))
            return None
        finally:
            self._busy = False
            self._update_actions()
        self._done = True
        self._update_actions()
        self._say(
            self.tr("Customer {contract} created: {name}.").format(
                contract=card.contract_number, name=card.name
            )
        )
        self.created.emit(card)
        return card

    # --- highlighting -------------------------------------------------------------------------
    def _refuse(self, fields: tuple[str, ...], typed: dict[str, str], detail: str) -> None:
        if not fields:  # a rule the form does not know by name: show the service's words
            self._fail(self.tr("Not created: {error}").format(error=detail))
            return
        for field in fields:
            self._mark(field, on=True)
        parts = []
        if "phone" in fields:
            if typed["phone"].strip():
                parts.append(
                    self.tr(
                        "“{phone}” is not a phone number: type it with the area code, e.g. +7 912 345-67-89."
                    ).format(phone=typed["phone"].strip())
                )
            else:
                parts.append(self.tr("Type the caller's phone number: a new customer needs one."))
        others = [f for f in fields if f != "phone"]
        if others:
            parts.append(
                self.tr("Too long to store: {fields}.").format(
                    fields=", ".join(self.field_name(f) for f in others)
                )
            )
        self.fields[fields[0]].setFocus(Qt.FocusReason.OtherFocusReason)
        self._fail(" ".join(parts))

    def _mark(self, field: str, *, on: bool) -> None:
        if on:
            self._invalid.add(field)
        else:
            self._invalid.discard(field)
        widget = self.fields[field]
        # Colour alone says nothing to a screen reader.
        widget.setAccessibleDescription(self.tr("Check this field") if on else "")
        for target in (widget, self.labels[field]):
            target.setProperty(INVALID_PROPERTY, on)
            _repolish(target)

    def _clear_marks(self) -> None:
        for field in list(self._invalid):
            self._mark(field, on=False)

    def _fail(self, message: str) -> None:
        self._say(message, error=True)
        self.failed.emit(message)

    def _say(self, text: str, *, error: bool = False) -> None:
        self.message.setText(text)
        self.message.setProperty("error", error)
        _repolish(self.message)

    def _update_actions(self) -> None:
        self.create_action.setEnabled(not self._busy and not self._done)

    # --- slots --------------------------------------------------------------------------------
    def _on_field_edited(self, field: str, *_args: object) -> None:
        if field in self._invalid:
            self._mark(field, on=False)

    def _on_create_action_triggered(self) -> None:
        self._tasks.spawn(self.create_customer())

    def _on_task_error(self, exc: BaseException) -> None:
        log.error("new customer form task failed", exc_info=exc)
        self._fail(self.tr("Something went wrong: {error}").format(error=str(exc) or type(exc).__name__))
