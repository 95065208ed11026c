"""The ticket form: every field of the call's ticket, saved and closed through the required-field rules.

Where the rules bite (issue 5, item 4): the form checks the same `app.tickets.rules` the service
does *before* calling it, so the operator sees every missing field at once, highlighted, with the
focus on the first; the service (and the database behind it) refuse again if the form's copy of
the rules is weaker, and the form shows that refusal the same way.

A save never overwrites someone else's: an `EditConflict` opens `ConflictDialog` (window-modal,
via ``open()`` so the event loop keeps running) where the operator either keeps theirs or applies
their own changes on top of it; closing the dialog without choosing changes nothing.  When the
database is unreachable the message is shown in the form and every typed value stays.

User data (subject, description, comments, names) is only ever shown as plain text.
"""

from __future__ import annotations

import dataclasses
import itertools
import logging
from collections.abc import Iterable
from datetime import date
from functools import partial
from typing import Any

from PySide6.QtCore import QDate, QLocale, Qt, Signal
from PySide6.QtGui import QAction, QFocusEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateEdit,
    QDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMenu,
    QPlainTextEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.errors import DatabaseUnavailable, EditConflict, UserFacingError, ValidationError
from app.services.ports import TicketPort
from app.tickets.answers import AnswerLibrary, AnswerTemplate
from app.tickets.drafts import FORM_ORDER, Choice, FieldName, TicketDraft, TicketEventView, TicketView
from app.tickets.enums import TicketStatus
from app.tickets.reference import ReferenceData
from app.tickets.rules import (
    IllegalTransition,
    Transition,
    allowed_targets,
    missing_fields,
    transition_between,
)
from app.tickets.scripts import ScriptContext
from app.ui.action_button import ActionButton
from app.ui.customer_card import short_datetime, status_text
from app.ui.field_labels import field_label, field_name, transition_text
from app.ui.tasks import BackgroundTasks

log = logging.getLogger(__name__)

MISSING_PROPERTY = "missing"
_STYLE = """
QLabel[missing="true"] { color: #b00020; }
QLineEdit[missing="true"], QPlainTextEdit[missing="true"], QComboBox[missing="true"],
QDateEdit[missing="true"], QCheckBox[missing="true"] { border: 2px solid #b00020; }
QLabel#formMessage[error="true"] { color: #b00020; font-weight: bold; }
QLabel#refusalBanner { color: #ffffff; background: #b00020; font-weight: bold; padding: 4px; }
"""
_NONE = "—"
SUBJECT_MAX_LENGTH = 200  # tickets.subject is VARCHAR(200); PostgreSQL refuses longer


def _attribute(name: FieldName) -> str:
    """The `TicketDraft` attribute behind a field id (``line`` -> ``line_id``)."""
    return name.value if name.value in TicketDraft.__dataclass_fields__ else f"{name.value}_id"


def _with(draft: TicketDraft, name: FieldName, value: Any) -> TicketDraft:
    return dataclasses.replace(draft, **{_attribute(name): value})


def _on_top(theirs: TicketDraft, mine: TicketDraft, base: TicketDraft) -> TicketDraft:
    """`theirs` with the fields `mine` changed from `base` taken from `mine`."""
    merged = theirs
    for name in mine.changes_from(base):
        merged = _with(merged, name, mine.value(name))
    return merged


def _normalised(draft: TicketDraft) -> TicketDraft:
    # The service strips text before storing it; trailing blanks are not an unsaved change.
    return dataclasses.replace(
        draft,
        subject=draft.subject.strip(),
        description=draft.description.strip(),
        resolution=draft.resolution.strip(),
    )


def _repolish(widget: QWidget) -> None:
    widget.style().unpolish(widget)
    widget.style().polish(widget)
    widget.update()


class DueDateEdit(QWidget):
    """A date, or explicitly none: "No date" stays ticked until the operator unticks it."""

    changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.no_date = QCheckBox(self.tr("No date"))
        self.no_date.setObjectName("dueDateNone")
        self.date = QDateEdit()
        self.date.setObjectName("dueDate")
        self.date.setCalendarPopup(True)
        self.date.setDate(QDate.currentDate())
        self.date.setAccessibleName(field_name(FieldName.DUE_DATE))
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.no_date)
        layout.addWidget(self.date)
        layout.addStretch(1)
        self.no_date.setChecked(True)
        self._on_no_date_toggled(True)
        self.no_date.toggled.connect(self._on_no_date_toggled)
        self.date.dateChanged.connect(self._on_date_changed)

    def value(self) -> date | None:
        if self.no_date.isChecked():
            return None
        d = self.date.date()
        return date(d.year(), d.month(), d.day())

    def set_value(self, value: date | None) -> None:
        if value is not None:
            self.date.setDate(QDate(value.year, value.month, value.day))
        self.no_date.setChecked(value is None)

    def _on_no_date_toggled(self, checked: bool) -> None:
        self.date.setEnabled(not checked)
        if not checked and self.no_date.hasFocus():
            self.date.setFocus(Qt.FocusReason.OtherFocusReason)
        self.changed.emit()

    def focus_target(self) -> QWidget:
        """Where the focus goes to fill the field: the date when there is one, else "No date"."""
        return self.no_date if self.no_date.isChecked() else self.date

    def _on_date_changed(self, _value: QDate) -> None:
        self.changed.emit()


class ConflictDialog(QDialog):
    """Someone saved the ticket meanwhile: their values next to the operator's, and a choice.

    `keep_theirs_chosen` / `apply_mine_chosen` say what was chosen; closing the dialog (Esc)
    chooses nothing and leaves the form as it was.
    """

    keep_theirs_chosen = Signal()
    apply_mine_chosen = Signal()

    def __init__(
        self, number: str, who: str | None, rows: list[tuple[str, str, str]], parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setObjectName("ticketConflict")
        self.setWindowTitle(self.tr("Ticket {number} was changed meanwhile").format(number=number))
        self.setWindowModality(Qt.WindowModality.WindowModal)
        intro = QLabel(
            self.tr(
                "{who} saved ticket {number} while you were editing it. Nothing has been overwritten."
                " Compare the values and choose."
            ).format(who=who or self.tr("Another operator"), number=number)
        )
        intro.setTextFormat(Qt.TextFormat.PlainText)
        intro.setWordWrap(True)
        self.table = QTableWidget(len(rows), 3)
        self.table.setObjectName("conflictFields")
        self.table.setHorizontalHeaderLabels([self.tr("Field"), self.tr("Yours"), self.tr("Theirs")])
        self.table.verticalHeader().setVisible(False)
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.table.setWordWrap(True)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(True)
        for row, values in enumerate(rows):
            for col, text in enumerate(values):
                self.table.setItem(row, col, QTableWidgetItem(text))
        self.keep_theirs = QPushButton(self.tr("&Keep theirs (reload)"))
        self.apply_mine = QPushButton(self.tr("&Apply my changes on top"))
        self.keep_theirs.clicked.connect(self._on_keep_theirs_clicked)
        self.apply_mine.clicked.connect(self._on_apply_mine_clicked)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.keep_theirs)
        buttons.addWidget(self.apply_mine)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(self.table, stretch=1)
        layout.addLayout(buttons)
        self.resize(640, 360)
        self.keep_theirs.setDefault(True)

    def _on_keep_theirs_clicked(self) -> None:
        self.accept()
        self.keep_theirs_chosen.emit()

    def _on_apply_mine_clicked(self) -> None:
        self.accept()
        self.apply_mine_chosen.emit()


class _FocusNotingEdit(QPlainTextEdit):
    """A plain-text editor that says when it takes the focus (answers go into the last one used).

    Not an event filter on the form: Qt keeps calling a filter while it destroys the widgets it
    watches, and the form's Python override then ran on a half-destroyed form (a segfault seen in
    tests/gui/test_ticket_form.py under load).  An editor's own focus event has no such window.
    """

    focused = Signal()

    def focusInEvent(self, event: QFocusEvent) -> None:  # noqa: N802 (Qt override)
        super().focusInEvent(event)
        self.focused.emit()


class TicketForm(QWidget):
    """One ticket: fields, comments, answer templates, save and close.

    Signals carry frozen values: `saved` / `closed` the stored `TicketView` (a close emits only
    `closed`), `validation_failed` the missing field ids (`FieldName` values, form order),
    `save_failed` the message when the database could not be used, `edit_conflict` the
    `EditConflict` whose dialog is now open, `comment_added` the `TicketView` with the new comment;
    `edited` says the fields or the comment box may hold something else now (no payload: ask
    `has_unsaved_changes`, `draft`).
    """

    saved = Signal(object)
    closed = Signal(object)
    validation_failed = Signal(tuple)
    save_failed = Signal(str)
    edit_conflict = Signal(object)
    comment_added = Signal(object)
    edited = Signal()  # what the form holds may have changed (typing, a load, a save)

    def __init__(
        self, tickets: TicketPort, *, operator_login: str | None, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setObjectName("ticketForm")
        self._tickets = tickets
        self._login = operator_login
        self._tasks = BackgroundTasks(self._on_task_error)
        self._ref: ReferenceData | None = None
        self._view: TicketView | None = None
        self._customer_id: int | None = None
        # How to show the customers of the tickets this form shows; forgotten when it is cleared
        # for the next call (the desk's last form serves a whole shift's calls).
        self._customer_names: dict[int, str] = {}
        self._busy = False
        self._missing: set[FieldName] = set()
        self._refused_for: Transition | None = None  # what the fields marked missing are needed for
        self._answers: AnswerLibrary | None = None
        self._answers_language = "en"
        self._answers_context = ScriptContext()
        self.conflict_dialog: ConflictDialog | None = None

        self._build_fields()
        self._build_comments()
        self._build_actions()
        self._build_layout()
        self._set_tab_order()
        self._connect_edits()
        self.setStyleSheet(_STYLE)
        self.clear()

    # --- construction -------------------------------------------------------------------------
    def _build_fields(self) -> None:
        self.number = QLabel()
        self.number.setObjectName("ticketNumber")
        self.number.setTextFormat(Qt.TextFormat.PlainText)
        self.number.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        font = self.number.font()
        font.setPointSizeF(font.pointSizeF() * 2.2)
        font.setBold(True)
        self.number.setFont(font)
        self.number.setAccessibleName(self.tr("Ticket number"))

        self.customer = QLineEdit()
        self.customer.setReadOnly(True)  # set by the call / the search, focusable so it can be pointed at
        self.line = QComboBox()
        self.category = QComboBox()
        self.complexity = QComboBox()
        self.priority = QComboBox()
        self.subject = QLineEdit()
        self.subject.setMaxLength(SUBJECT_MAX_LENGTH)
        self.description = _FocusNotingEdit()
        self.resolution = _FocusNotingEdit()
        for editor in (self.description, self.resolution):
            editor.setTabChangesFocus(True)
        self.description.focused.connect(self._on_description_focused)
        self.resolution.focused.connect(self._on_resolution_focused)
        self.status = QComboBox()
        self.department = QComboBox()
        self.assignee = QComboBox()
        self.due_date = DueDateEdit()
        self._answer_target: QPlainTextEdit = self.resolution

        self.fields: dict[FieldName, QWidget] = {
            FieldName.CUSTOMER: self.customer,
            FieldName.LINE: self.line,
            FieldName.CATEGORY: self.category,
            FieldName.COMPLEXITY: self.complexity,
            FieldName.PRIORITY: self.priority,
            FieldName.SUBJECT: self.subject,
            FieldName.DESCRIPTION: self.description,
            FieldName.RESOLUTION: self.resolution,
            FieldName.STATUS: self.status,
            FieldName.DEPARTMENT: self.department,
            FieldName.ASSIGNEE: self.assignee,
            FieldName.DUE_DATE: self.due_date,
        }
        self.labels: dict[FieldName, QLabel] = {}
        for name, widget in self.fields.items():
            widget.setObjectName(name.value)
            widget.setAccessibleName(field_name(name))
            label = QLabel(field_label(name))
            label.setBuddy(self.due_date.no_date if widget is self.due_date else widget)
            self.labels[name] = label

        self.message = QLabel()
        self.message.setObjectName("formMessage")
        self.message.setTextFormat(Qt.TextFormat.PlainText)
        self.message.setWordWrap(True)
        # A change of this ticket the central database refused (`show_refusal`): never "saved".
        self.refusal = QLabel()
        self.refusal.setObjectName("refusalBanner")
        self.refusal.setTextFormat(Qt.TextFormat.PlainText)
        self.refusal.setWordWrap(True)
        self.refusal.hide()
        self._refusal_error: str | None = None

        self.answers_menu = QMenu(self)
        self.answers_button = QPushButton(self.tr("&Insert answer"))
        self.answers_button.setObjectName("insertAnswer")
        self.answers_button.setMenu(self.answers_menu)

    def _build_comments(self) -> None:
        self.comments = QListWidget()
        self.comments.setObjectName("comments")
        self.comments.setWordWrap(True)
        self.comments.setAccessibleName(self.tr("Comments"))
        self.comment_box = QPlainTextEdit()
        self.comment_box.setObjectName("newComment")
        self.comment_box.setTabChangesFocus(True)
        self.comment_box.setPlaceholderText(self.tr("Ctrl+Enter adds the comment"))
        self.comment_label = QLabel(self.tr("Ne&w comment:"))
        self.comment_label.setBuddy(self.comment_box)
        self.add_comment_button = QPushButton(self.tr("Add co&mment"))
        self.add_comment_button.setObjectName("addComment")

    def _build_actions(self) -> None:
        self.save_action = QAction(self.tr("&Save ticket"), self)
        self.save_action.setShortcut(QKeySequence(QKeySequence.StandardKey.Save))
        self.save_action.triggered.connect(self._on_save_action_triggered)
        self.close_action = QAction(self.tr("Cl&ose ticket"), self)
        self.close_action.setShortcuts(
            [
                QKeySequence("Ctrl+Shift+S"),
                QKeySequence("Ctrl+Shift+Return"),
                QKeySequence("Ctrl+Shift+Enter"),
            ]
        )
        self.close_action.triggered.connect(self._on_close_action_triggered)
        self.addActions([self.save_action, self.close_action])
        self.save_button = ActionButton(self.save_action)
        self.close_button = ActionButton(self.close_action)
        for button in (self.save_button, self.close_button):
            button.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self._comment_shortcuts = [
            QShortcut(QKeySequence(keys), self.comment_box, context=Qt.ShortcutContext.WidgetShortcut)
            for keys in ("Ctrl+Return", "Ctrl+Enter")
        ]
        for shortcut in self._comment_shortcuts:
            shortcut.activated.connect(self._on_add_comment_requested)
        self.add_comment_button.clicked.connect(self._on_add_comment_requested)

    def _build_layout(self) -> None:
        header = QHBoxLayout()
        caption = QLabel(self.tr("Ticket"))
        header.addWidget(caption)
        header.addWidget(self.number, stretch=1)

        form = QFormLayout()
        for name in FORM_ORDER:
            form.addRow(self.labels[name], self.fields[name])

        buttons = QHBoxLayout()
        buttons.addWidget(self.answers_button)
        buttons.addStretch(1)
        buttons.addWidget(self.save_button)
        buttons.addWidget(self.close_button)

        left = QVBoxLayout()
        left.addLayout(header)
        left.addWidget(self.refusal)
        left.addLayout(form, stretch=1)
        left.addWidget(self.message)
        left.addLayout(buttons)

        comments = QGroupBox(self.tr("Comments"))
        box = QVBoxLayout(comments)
        box.addWidget(self.comments, stretch=2)
        box.addWidget(self.comment_label)
        box.addWidget(self.comment_box, stretch=1)
        box.addWidget(self.add_comment_button, alignment=Qt.AlignmentFlag.AlignRight)

        layout = QHBoxLayout(self)
        layout.addLayout(left, stretch=3)
        layout.addWidget(comments, stretch=2)

    def _set_tab_order(self) -> None:
        chain: list[QWidget] = []
        for name in FORM_ORDER:
            if name is FieldName.DUE_DATE:
                chain += [self.due_date.no_date, self.due_date.date]
            else:
                chain.append(self.fields[name])
        chain += [
            self.answers_button,
            self.save_button,
            self.close_button,
            self.comment_box,
            self.add_comment_button,
            self.comments,
        ]
        for first, second in itertools.pairwise(chain):
            QWidget.setTabOrder(first, second)

    def _connect_edits(self) -> None:
        for name in (
            FieldName.LINE,
            FieldName.CATEGORY,
            FieldName.COMPLEXITY,
            FieldName.PRIORITY,
            FieldName.STATUS,
            FieldName.DEPARTMENT,
            FieldName.ASSIGNEE,
        ):
            combo = self.fields[name]
            assert isinstance(combo, QComboBox)
            combo.currentIndexChanged.connect(partial(self._on_field_edited, name))
        self.subject.textEdited.connect(partial(self._on_field_edited, FieldName.SUBJECT))
        self.description.textChanged.connect(partial(self._on_field_edited, FieldName.DESCRIPTION))
        self.resolution.textChanged.connect(partial(self._on_field_edited, FieldName.RESOLUTION))
        self.due_date.changed.connect(partial(self._on_field_edited, FieldName.DUE_DATE))
        self.comment_box.textChanged.connect(self.edited)
        self.category.currentIndexChanged.connect(self._on_category_index_changed)

    # --- public: what is shown ----------------------------------------------------------------
    def set_reference_data(self, ref: ReferenceData) -> None:
        """Fill the combo boxes (and take the rules the form checks) from `ref`."""
        shown = self.draft() if self._ref is not None else self._stored_draft()
        self._ref = ref
        self._fill(self.line, ((c.id, c.name) for c in ref.lines))
        self._fill(self.category, ((c.id, c.path_text) for c in ref.categories))
        self._fill(self.complexity, ((c.id, c.name) for c in ref.complexity_levels))
        self._fill(self.priority, ((c.id, c.name) for c in ref.priorities))
        self._fill(self.department, ((c.id, c.name) for c in ref.departments))
        self._fill(self.assignee, ((o.id, o.display_name) for o in ref.operators))
        self._show_draft(shown)
        self._update_actions()

    def set_customer(self, customer_id: int | None, display: str) -> None:
        """The ticket's customer (the draft's ``customer_id``) and how to show it."""
        if customer_id is not None and display:
            self._customer_names[customer_id] = display
        self._customer_id = customer_id
        self.customer.setText(self._customer_text(customer_id))
        self.customer.setCursorPosition(0)  # show the start of a long name, not its end
        self._on_field_edited(FieldName.CUSTOMER)

    def set_answer_templates(
        self, library: AnswerLibrary, language: str, context: ScriptContext | None = None
    ) -> None:
        """Offer `library`'s answers in `language` (the ticket's category first); `context` fills
        their placeholders (the ticket number is added by the form)."""
        self._answers = library
        self._answers_language = language
        self._answers_context = context or ScriptContext()
        self._rebuild_answers()

    def load(self, view: TicketView) -> None:
        """Show the stored ticket `view` (replacing whatever was typed)."""
        self._dismiss_conflict()
        self._view = view
        self.number.setText(view.number)
        self._fill_status(view.status)
        self._show_draft(view.draft)
        self._show_comments(view.comments)
        self._clear_marks()
        self._say("")
        self._rebuild_answers()
        self._update_actions()
        self.edited.emit()

    def take_ticket(self, view: TicketView) -> None:
        """Show `view`, the ticket just created for the call, keeping what the operator typed or
        chose before it existed (category, priority... while it rang) as unsaved changes on it."""
        typed, before = self.draft(), self._stored_draft()
        comment = self.comment_box.toPlainText()
        self.load(view)
        self._show_draft(_on_top(view.draft, typed, before))
        if comment and not self.comment_box.toPlainText():
            self.comment_box.setPlainText(comment)

    def restore(self, view: TicketView, typed: TicketDraft, comment: str = "") -> None:
        """Show the stored `view` with `typed` (a draft kept on disk) as unsaved changes on it."""
        self.load(view)
        self._show_draft(typed)
        self.comment_box.setPlainText(comment)

    def unsaved_fields(self) -> tuple[FieldName, ...]:
        """The fields whose typed value is not stored, in form order."""
        return _normalised(self.draft()).changes_from(_normalised(self._stored_draft()))

    def clear(self) -> None:
        self._dismiss_conflict()
        self._view = None
        self._customer_names.clear()
        self.number.setText(_NONE)
        self._fill_status(None)
        self._show_draft(TicketDraft())
        self.comments.clear()
        self.comment_box.clear()
        self._clear_marks()
        self._say("")
        self._update_actions()
        self.edited.emit()

    def current(self) -> TicketView | None:
        return self._view

    def show_refusal(self, error: str | None) -> None:
        """Mark the ticket as not in the central database as the operator left it: the central
        database refused a change of it (`error`, its own words), or None: nothing refused."""
        if error == self._refusal_error:
            return  # asked on every keystroke (the tab's label is refreshed with it)
        self._refusal_error = error
        if error is None:
            self.refusal.hide()
            self.refusal.clear()
            return
        self.refusal.setText(
            self.tr(
                "Not in the central database: it refused this ticket's change ({error}). Everything"
                " is kept on this desk and sent again every few minutes; IT sees it."
            ).format(error=error)
        )
        self.refusal.show()

    def draft(self) -> TicketDraft:
        """What the fields hold now."""
        status = self.status.currentData()
        return TicketDraft(
            customer_id=self._customer_id,
            line_id=self.line.currentData(),
            category_id=self.category.currentData(),
            complexity_id=self.complexity.currentData(),
            priority_id=self.priority.currentData(),
            subject=self.subject.text(),
            description=self.description.toPlainText(),
            resolution=self.resolution.toPlainText(),
            status=TicketStatus(status) if status else self._stored_draft().status,
            department_id=self.department.currentData(),
            assignee_id=self.assignee.currentData(),
            due_date=self.due_date.value(),
        )

    def has_unsaved_changes(self) -> bool:
        return bool(self.unsaved_fields())

    def missing(self) -> tuple[FieldName, ...]:
        """The fields highlighted as missing now, in form order."""
        return tuple(name for name in FORM_ORDER if name in self._missing)

    def shutdown(self) -> None:
        self._tasks.cancel_all()

    # --- public: saving -----------------------------------------------------------------------
    async def save(self) -> TicketView | None:
        """Save the fields; the stored ticket, or None when refused (the form says why)."""
        return await self._submit(self.draft(), closing=False)

    async def close_ticket(self) -> TicketView | None:
        """Save the fields with the status closed (the ``close`` rules apply)."""
        return await self._submit(dataclasses.replace(self.draft(), status=TicketStatus.CLOSED), closing=True)

    async def add_comment(self) -> TicketView | None:
        """Add the comment box's text to the ticket; the fields are not saved by this."""
        view = self._view
        text = self.comment_box.toPlainText()
        if view is None:
            self._say(self.tr("No ticket is open."), error=True)
            return None
        if not text.strip():
            self._say(self.tr("Type the comment first."), error=True)
            self.comment_box.setFocus(Qt.FocusReason.OtherFocusReason)
            return None
        self.add_comment_button.setEnabled(False)
        try:
            stored = await self._tickets.add_comment(view.id, text, self._login)
        except UserFacingError as exc:
            self._say(self.tr("The comment was not added: {error}").format(error=str(exc)), error=True)
            return None
        finally:
            self.add_comment_button.setEnabled(True)
        # Only the comments are taken from `stored`: its version and fields are not what the
        # operator's unsaved edits are based on, and adopting them would hide an edit conflict.
        if self.comment_box.toPlainText() == text:
            self.comment_box.clear()
        self._show_comments(stored.comments)
        self._say(self.tr("Comment added."))
        self.comment_added.emit(stored)
        return stored

    async def _submit(self, draft: TicketDraft, *, closing: bool) -> TicketView | None:
        view, ref = self._view, self._ref
        if view is None or ref is None:
            self._say(self.tr("No ticket is open."), error=True)
            return None
        transition = None if self._busy else self._check(view, ref, draft)
        if transition is None:
            return None
        typed = self.draft()
        self._set_busy(True)
        self._say(self.tr("Saving…"))
        try:
            stored = await self._send(view, draft, transition, closing=closing)
        finally:
            self._set_busy(False)
        if stored is None:
            return None
        self._adopt(stored, typed)
        if closing:
            self._say(self.tr("Ticket {number} closed.").format(number=stored.number))
            self.closed.emit(stored)
        else:
            self._say(self.tr("Ticket {number} saved.").format(number=stored.number))
            self.saved.emit(stored)
        return stored

    def _check(self, view: TicketView, ref: ReferenceData, draft: TicketDraft) -> Transition | None:
        """The transition `draft` makes, or None (and the fields highlighted) if the rules refuse it."""
        try:
            transition = transition_between(view.status, draft.status)
        except IllegalTransition:
            choices = ", ".join(status_text(s) for s in allowed_targets(view.status))
            message = self.tr("A ticket cannot go from {old} to {new}. Possible: {choices}.").format(
                old=status_text(view.status), new=status_text(draft.status), choices=choices
            )
            self._refuse((FieldName.STATUS,), message)
            return None
        missing = missing_fields(draft, transition, ref.rules)
        if missing:
            self._refuse(missing, self._missing_text(missing, transition), transition)
            return None
        return transition

    async def _send(
        self, view: TicketView, draft: TicketDraft, transition: Transition, *, closing: bool
    ) -> TicketView | None:
        """The service's answer, or None when it refused (shown in the form)."""
        send = self._tickets.close if closing else self._tickets.save
        try:
            return await send(view.id, draft, view.version, self._login)
        except EditConflict as exc:
            await self._show_conflict(exc, view, draft, closing=closing)
        except ValidationError as exc:
            names = tuple(n for n in FORM_ORDER if n.value in exc.fields)
            if names:
                self._refuse(names, self._missing_text(names, transition), transition)
            else:
                self._say(str(exc), error=True)
        except DatabaseUnavailable as exc:
            self._say(
                self.tr(
                    "Not saved: {error} Everything you typed is still here; save again in a moment."
                ).format(error=str(exc)),
                error=True,
            )
            self.save_failed.emit(str(exc))
        return None

    def _adopt(self, stored: TicketView, typed: TicketDraft) -> None:
        """Show `stored`, keeping whatever the operator typed while the save was under way."""
        now = self.draft()
        self.load(stored)
        if now != typed:
            self._show_draft(dataclasses.replace(now, status=stored.status))

    # --- edit conflicts -----------------------------------------------------------------------
    async def _show_conflict(
        self, exc: EditConflict, base: TicketView, mine: TicketDraft, *, closing: bool
    ) -> None:
        current = exc.current if isinstance(exc.current, TicketView) else await self._tickets.get(base.id)
        theirs = current.draft
        rows = [
            (field_name(name), self._display(name, mine.value(name)), self._display(name, theirs.value(name)))
            for name in FORM_ORDER
            if mine.value(name) != theirs.value(name)
        ]
        # "Mine on top": only the fields this operator changed replace theirs.
        merged = _on_top(theirs, mine, base.draft)
        if closing:  # the close is asked for again by "apply"; the status box keeps theirs
            merged = dataclasses.replace(merged, status=theirs.status)
        self._dismiss_conflict()
        dialog = ConflictDialog(current.number, current.updated_by, rows, self)
        dialog.keep_theirs_chosen.connect(partial(self._on_conflict_keep_theirs, current))
        dialog.apply_mine_chosen.connect(partial(self._on_conflict_apply_mine, current, merged, closing))
        self.conflict_dialog = dialog
        self._say(
            self.tr("Ticket {number} was changed by someone else meanwhile: nothing was saved.").format(
                number=current.number
            ),
            error=True,
        )
        dialog.open()
        self.edit_conflict.emit(exc)

    async def show_remote_conflict(self, theirs: TicketView, mine: TicketDraft) -> ConflictDialog:
        """A save of this desk that the central database set aside (someone saved first): show
        `theirs` in the form and both versions in the conflict dialog, as for a conflict found
        on saving.  Returns the dialog, whose choice the caller also follows."""
        self.load(theirs)
        self._show_draft(mine)  # what they saved stays in the fields, as unsaved typing
        message = self.tr(
            "Ticket {number} was saved on another desk before your save reached the central database."
        ).format(number=theirs.number)
        conflict = EditConflict(message, theirs.version, theirs.version, theirs)
        await self._show_conflict(conflict, theirs, mine, closing=False)
        dialog = self.conflict_dialog
        assert dialog is not None  # _show_conflict always opens one
        return dialog

    def _dismiss_conflict(self) -> None:
        """Close a conflict dialog still open (it belongs to what the form showed before)."""
        dialog, self.conflict_dialog = self.conflict_dialog, None
        if dialog is not None:
            dialog.close()
            dialog.deleteLater()

    def _on_conflict_keep_theirs(self, current: TicketView) -> None:
        self._dismiss_conflict()
        self.load(current)
        self._say(self.tr("Reloaded the ticket as the other operator saved it."))

    def _on_conflict_apply_mine(self, current: TicketView, merged: TicketDraft, closing: bool) -> None:
        self._dismiss_conflict()
        self.load(current)
        self._show_draft(merged)
        self._tasks.spawn(self.close_ticket() if closing else self.save())

    def _display(self, name: FieldName, value: Any) -> str:
        """A field's value as the operator reads it (for the conflict dialog)."""
        if value is None or (isinstance(value, str) and not value.strip()):
            return _NONE
        if name is FieldName.CUSTOMER:
            return self._customer_text(value)
        if name is FieldName.STATUS:
            return status_text(TicketStatus(value))
        if name is FieldName.DUE_DATE:
            return QLocale().toString(
                QDate(value.year, value.month, value.day), QLocale.FormatType.ShortFormat
            )
        return self._reference_names(name).get(value, str(value))

    def _reference_names(self, name: FieldName) -> dict[Any, str]:
        ref = self._ref
        if ref is None:
            return {}
        choices: dict[FieldName, Iterable[Choice]] = {
            FieldName.LINE: ref.lines,
            FieldName.COMPLEXITY: ref.complexity_levels,
            FieldName.PRIORITY: ref.priorities,
            FieldName.DEPARTMENT: ref.departments,
        }
        if name in choices:
            return {c.id: c.name for c in choices[name]}
        if name is FieldName.CATEGORY:
            return {c.id: c.path_text for c in ref.categories}
        if name is FieldName.ASSIGNEE:
            return {o.id: o.display_name for o in ref.operators}
        return {}

    # --- highlighting -------------------------------------------------------------------------
    def _refuse(
        self, names: tuple[FieldName, ...], message: str, transition: Transition | None = None
    ) -> None:
        """Mark `names` and say `message`; `transition` (when the refusal is for missing fields)
        lets the message follow the operator's filling in (`_on_field_edited`)."""
        self._clear_marks()
        for name in names:
            self._mark(name, on=True)
        self._say(message, error=True)
        self._refused_for = transition
        first = self.fields[names[0]]
        target = first.focus_target() if isinstance(first, DueDateEdit) else first
        target.setFocus(Qt.FocusReason.OtherFocusReason)
        self.validation_failed.emit(tuple(n.value for n in names))

    def _missing_text(self, names: Iterable[FieldName], transition: Transition) -> str:
        return self.tr("Fill in {fields} to {action}.").format(
            fields=", ".join(field_name(n) for n in names), action=transition_text(transition)
        )

    def _mark(self, name: FieldName, *, on: bool) -> None:
        if on:
            self._missing.add(name)
        else:
            self._missing.discard(name)
        widget = self.fields[name]
        targets = [self.due_date.no_date, self.due_date.date] if name is FieldName.DUE_DATE else [widget]
        for target in targets:
            # Colour alone says nothing to a screen reader.
            target.setAccessibleDescription(self.tr("Required: fill this in") if on else "")
        for target in [*targets, self.labels[name]]:
            target.setProperty(MISSING_PROPERTY, on)
            _repolish(target)

    def _clear_marks(self) -> None:
        for name in list(self._missing):
            self._mark(name, on=False)

    def _on_field_edited(self, name: FieldName, *_args: object) -> None:
        if name in self._missing:
            self._mark(name, on=False)
            self._update_refusal()
        self.edited.emit()

    def _update_refusal(self) -> None:
        """The refusal message names only what is still missing, and goes once nothing is."""
        left = self.missing()
        if not left:
            self._say("")
        elif self._refused_for is not None:
            self._say(self._missing_text(left, self._refused_for), error=True)

    def _say(self, text: str, *, error: bool = False) -> None:
        if not error:
            self._refused_for = None
        self.message.setText(text)
        self.message.setProperty("error", error)
        _repolish(self.message)

    # --- helpers ------------------------------------------------------------------------------
    def _stored_draft(self) -> TicketDraft:
        if self._view is not None:
            return self._view.draft
        return TicketDraft(customer_id=self._customer_id)

    def _customer_text(self, customer_id: int | None) -> str:
        if customer_id is None:
            return _NONE
        known = self._customer_names.get(customer_id)
        return known if known is not None else self.tr("Customer no. {id}").format(id=customer_id)

    @staticmethod
    def _fill(combo: QComboBox, items: Iterable[tuple[int, str]]) -> None:
        combo.blockSignals(True)
        combo.clear()
        combo.addItem(_NONE, None)
        for item_id, text in items:
            combo.addItem(text, item_id)
        combo.blockSignals(False)

    def _fill_status(self, current: TicketStatus | None) -> None:
        statuses = list(allowed_targets(current))
        if current is not None:
            statuses = [current, *(s for s in statuses if s is not current)]
        self.status.blockSignals(True)
        self.status.clear()
        for status in statuses:
            self.status.addItem(status_text(status), status.value)
        self.status.blockSignals(False)

    def _select(self, combo: QComboBox, value: object) -> None:
        if value is None:
            combo.setCurrentIndex(0 if combo.count() else -1)
            return
        index = combo.findData(value)
        if index < 0:
            # Not (or no longer) in the reference data: show it rather than drop it.
            combo.addItem(self.tr("(unknown: {id})").format(id=value), value)
            index = combo.count() - 1
        combo.setCurrentIndex(index)

    def _show_draft(self, draft: TicketDraft) -> None:
        if draft.customer_id != self._customer_id:
            self._customer_id = draft.customer_id
            self.customer.setText(self._customer_text(draft.customer_id))
        self._select(self.line, draft.line_id)
        self._select(self.category, draft.category_id)
        self._select(self.complexity, draft.complexity_id)
        self._select(self.priority, draft.priority_id)
        self.subject.setText(draft.subject)
        if self.description.toPlainText() != draft.description:
            self.description.setPlainText(draft.description)
        if self.resolution.toPlainText() != draft.resolution:
            self.resolution.setPlainText(draft.resolution)
        index = self.status.findData(draft.status.value)
        if index < 0:
            self.status.addItem(status_text(draft.status), draft.status.value)
            index = self.status.count() - 1
        self.status.setCurrentIndex(index)
        self._select(self.department, draft.department_id)
        self._select(self.assignee, draft.assignee_id)
        self.due_date.set_value(draft.due_date)

    def _show_comments(self, comments: Iterable[TicketEventView]) -> None:
        self.comments.clear()
        for event in comments:
            heading = self.tr("{author}, {when}").format(
                author=event.author or self.tr("unknown"), when=short_datetime(event.at)
            )
            self.comments.addItem(QListWidgetItem(f"{heading}\n{event.comment or ''}"))
        if self.comments.count():
            self.comments.scrollToBottom()

    def _set_busy(self, busy: bool) -> None:
        self._busy = busy
        self._update_actions()

    def _update_actions(self) -> None:
        ready = self._view is not None and self._ref is not None and not self._busy
        self.save_action.setEnabled(ready)
        self.close_action.setEnabled(ready)
        self.add_comment_button.setEnabled(self._view is not None)

    # --- answer templates ---------------------------------------------------------------------
    def _rebuild_answers(self) -> None:
        self.answers_menu.clear()
        library = self._answers
        if library is None:
            self.answers_button.setEnabled(False)
            return
        node = (
            self._ref.category(self.category.currentData())
            if self._ref and self.category.currentData()
            else None
        )
        for template in library.suggestions(self._answers_language, node.path if node else ()):
            action = self.answers_menu.addAction(template.title.replace("&", "&&"))
            action.triggered.connect(partial(self.insert_answer, template))
        self.answers_button.setEnabled(not self.answers_menu.isEmpty())

    def insert_answer(self, template: AnswerTemplate, *_args: object) -> None:
        """Insert `template` at the cursor of the description or resolution (the last one used)."""
        context = self._answers_context
        if self._view is not None:
            context = dataclasses.replace(context, ticket_number=self._view.number)
        target = self._answer_target
        target.insertPlainText(template.render(context))
        target.setFocus(Qt.FocusReason.OtherFocusReason)

    def _on_description_focused(self) -> None:
        self._answer_target = self.description

    def _on_resolution_focused(self) -> None:
        self._answer_target = self.resolution

    # --- slots --------------------------------------------------------------------------------
    def _on_category_index_changed(self, _index: int) -> None:
        self._rebuild_answers()

    def _on_save_action_triggered(self) -> None:
        self._tasks.spawn(self.save())

    def _on_close_action_triggered(self) -> None:
        self._tasks.spawn(self.close_ticket())

    def _on_add_comment_requested(self) -> None:
        self._tasks.spawn(self.add_comment())

    def _on_task_error(self, exc: BaseException) -> None:
        log.error("ticket form task failed", exc_info=exc)
        self._say(
            self.tr("Something went wrong: {error}").format(error=str(exc) or type(exc).__name__), error=True
        )
