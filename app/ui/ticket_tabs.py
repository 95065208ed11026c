"""The tickets the operator has open, one form each, side by side in tabs.

A new call's ticket opens *beside* what the operator was doing, never over it: `form_for_call`
reuses a form only when it holds nothing unfinished (no ticket, or a stored ticket with all its
required fields and no unsaved typing); otherwise the call gets a new tab in front and the
unfinished one stays a keystroke away (Ctrl+PgDown / Ctrl+PgUp, or its Alt+number).

Each tab says what it holds: the ticket number, "•" for typing not saved yet, "!" for required
fields the stored ticket still lacks (the tooltip names them).

Every form keeps its own Save / Close actions; Qt only fires the shortcuts of the visible one,
so Ctrl+S always saves the ticket in front.  The window shows the front form's actions in its
Ticket menu (`current_form_changed`).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QTabWidget, QWidget

from app.services.ports import TicketPort
from app.sync.notices import RefusedChange
from app.tickets.answers import AnswerLibrary
from app.tickets.drafts import FieldName, TicketDraft, TicketView
from app.tickets.reference import ReferenceData
from app.tickets.scripts import ScriptContext
from app.tickets.unfinished import still_missing
from app.ui.field_labels import field_name
from app.ui.ticket_form import TicketForm

log = logging.getLogger(__name__)


class TicketTabs(QTabWidget):
    """Open ticket forms; the signals of every form are passed on (`saved`, `closed`, ...)."""

    form_added = Signal(object)  # TicketForm
    form_released = Signal(object)  # TicketForm about to be cleared or deleted: keep its typing now
    current_form_changed = Signal(object)  # TicketForm now in front
    refusals_changed = Signal()  # which tickets the central database refused a change of
    saved = Signal(object)  # TicketView, from any form
    closed = Signal(object)  # TicketView
    validation_failed = Signal(tuple)
    save_failed = Signal(str)

    def __init__(
        self, tickets: TicketPort, *, operator_login: str | None, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setObjectName("ticketTabs")
        self.setDocumentMode(True)
        self._tickets = tickets
        self._login = operator_login
        self._ref: ReferenceData | None = None
        self._answers: tuple[AnswerLibrary, str, ScriptContext | None] | None = None
        # Forms that belong to a call whose ticket is (or may still be) coming: never reused.
        self._calls: set[TicketForm] = set()
        # Ticket id -> the first change of it the central database refused (and its reason).
        self._refused: dict[int, RefusedChange] = {}

        self.next_action = self._action(self.tr("Ne&xt open ticket"), "Ctrl+PgDown")
        self.next_action.triggered.connect(self._on_next_action_triggered)
        self.previous_action = self._action(self.tr("Pre&vious open ticket"), "Ctrl+PgUp")
        self.previous_action.triggered.connect(self._on_previous_action_triggered)
        self.put_aside_action = self._action(self.tr("&Put the ticket aside"), "Ctrl+W")
        self.put_aside_action.triggered.connect(self._on_put_aside_action_triggered)
        self.currentChanged.connect(self._on_current_changed)
        self._add_form()

    def _action(self, text: str, keys: str) -> QAction:
        action = QAction(text, self)
        action.setShortcut(QKeySequence(keys))
        action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
        self.addAction(action)
        return action

    def actions_for_menu(self) -> list[QAction]:
        return [self.next_action, self.previous_action, self.put_aside_action]

    # --- what is open -------------------------------------------------------------------------
    def forms(self) -> list[TicketForm]:
        return [form for i in range(self.count()) if isinstance(form := self.widget(i), TicketForm)]

    def current_form(self) -> TicketForm:
        form = self.currentWidget()
        assert isinstance(form, TicketForm)  # every page is one; there is always at least one
        return form

    def form_for(self, ticket_id: int) -> TicketForm | None:
        return next((f for f in self.forms() if (v := f.current()) is not None and v.id == ticket_id), None)

    def still_missing(self, form: TicketForm) -> tuple[FieldName, ...]:
        """The required fields the stored ticket in `form` lacks (() before reference data)."""
        view = form.current()
        if view is None or self._ref is None:
            return ()
        return still_missing(view.draft, self._ref.rules)

    def is_unfinished(self, form: TicketForm) -> bool:
        """Typing not saved, a stored ticket still lacking required fields, or one the central
        database refused a change of."""
        view = form.current()
        refused = view is not None and view.id in self._refused
        return refused or form.has_unsaved_changes() or bool(self.still_missing(form))

    # --- refused by the central database --------------------------------------------------------
    def set_refused(self, refused: Mapping[int, RefusedChange]) -> None:
        """The tickets (by id) the central database refused a change of: their forms and tabs
        are marked until the change goes through."""
        if dict(refused) == self._refused:
            return
        self._refused = dict(refused)
        for form in self.forms():
            self._update_tab(form)
        self.refusals_changed.emit()

    def refused(self) -> Mapping[int, RefusedChange]:
        return self._refused

    # --- opening ------------------------------------------------------------------------------
    def form_for_call(self) -> TicketForm:
        """A form for the ringing call's ticket, in front: a free one (cleared) or a new tab."""
        form = next((f for f in self.forms() if self._is_free(f)), None)
        if form is None:
            form = self._add_form()
        elif form.current() is not None:
            form.clear()  # a finished ticket makes room (an empty form is left as it is: cheaper)
        self._calls.add(form)
        self.setCurrentWidget(form)
        self._update_tab(form)
        return form

    def call_finished(self, form: TicketForm) -> None:
        """`form`'s call is over and its ticket, if any, is in it: an ordinary open ticket now."""
        self._calls.discard(form)

    def open_ticket(
        self, view: TicketView, typed: TicketDraft | None = None, comment: str = ""
    ) -> TicketForm:
        """Bring `view` to the front (its tab if it is open, else a free form or a new tab).

        `typed` (a draft kept on disk) is shown as unsaved changes on top of `view`; a tab that
        already holds typing of its own keeps it.
        """
        form = self.form_for(view.id)
        if form is None:
            form = next((f for f in self.forms() if self._is_free(f)), None) or self._add_form()
            form.clear()
        if typed is not None and not form.has_unsaved_changes():
            form.restore(view, typed, comment)
        elif form.current() is None:
            form.load(view)
        self.setCurrentWidget(form)
        self._update_tab(form)
        return form

    def put_aside(self, form: TicketForm) -> bool:
        """Close `form`'s tab (its typing stays on disk, an unfinished ticket in the list); the
        call's own form and the last tab cannot be put aside.  False when refused."""
        if form in self._calls:
            return False
        self.form_released.emit(form)
        if self.count() == 1:
            form.clear()
            self._update_tab(form)
            return True
        self.removeTab(self.indexOf(form))
        form.shutdown()
        form.deleteLater()
        return True

    def _is_free(self, form: TicketForm) -> bool:
        return form not in self._calls and not self.is_unfinished(form)

    def _add_form(self) -> TicketForm:
        form = TicketForm(self._tickets, operator_login=self._login)
        if self._ref is not None:
            form.set_reference_data(self._ref)
        if self._answers is not None:
            form.set_answer_templates(*self._answers)
        form.saved.connect(self.saved)
        form.closed.connect(self.closed)
        form.validation_failed.connect(self.validation_failed)
        form.save_failed.connect(self.save_failed)
        form.edited.connect(lambda: self._update_tab(form))
        self.addTab(form, "")
        self._update_tab(form)
        self.form_added.emit(form)
        return form

    # --- shared by every form -----------------------------------------------------------------
    def set_reference_data(self, ref: ReferenceData) -> None:
        self._ref = ref
        for form in self.forms():
            form.set_reference_data(ref)
            self._update_tab(form)

    def set_answer_templates(
        self, library: AnswerLibrary, language: str, context: ScriptContext | None = None
    ) -> None:
        self._answers = (library, language, context)
        for form in self.forms():
            form.set_answer_templates(library, language, context)

    def shutdown(self) -> None:
        for form in self.forms():
            form.shutdown()

    # --- the tab labels -----------------------------------------------------------------------
    def _update_tab(self, form: TicketForm) -> None:
        index = self.indexOf(form)
        if index < 0:
            return
        view = form.current()
        text = view.number if view is not None else self.tr("New ticket")
        notes = []
        refusal = self._refused.get(view.id) if view is not None else None
        form.show_refusal(refusal.error if refusal is not None else None)
        if refusal is not None:
            text += " ⚠"
            notes.append(self.tr("Refused by the central database: {error}").format(error=refusal.error))
        if form.has_unsaved_changes():
            text += " •"
            notes.append(self.tr("Not saved yet"))
        missing = self.still_missing(form)
        if missing:
            text += " !"
            notes.append(
                self.tr("Still missing: {fields}").format(fields=", ".join(field_name(n) for n in missing))
            )
        if index < 9:
            text = f"&{index + 1} {text}"  # Alt+1 … Alt+9 bring a tab to the front
        tooltip = "\n".join(notes)
        if (self.tabText(index), self.tabToolTip(index)) != (text, tooltip):  # on every keystroke
            self.setTabText(index, text)
            self.setTabToolTip(index, tooltip)

    def tabInserted(self, index: int) -> None:  # noqa: N802 (Qt override)
        super().tabInserted(index)
        self._renumber()

    def tabRemoved(self, index: int) -> None:  # noqa: N802 (Qt override)
        super().tabRemoved(index)
        self._renumber()

    def _renumber(self) -> None:
        for form in self.forms():
            self._update_tab(form)

    # --- slots --------------------------------------------------------------------------------
    def _on_current_changed(self, _index: int) -> None:
        if self.count():
            self.current_form_changed.emit(self.current_form())

    def _on_next_action_triggered(self) -> None:
        self.setCurrentIndex((self.currentIndex() + 1) % self.count())

    def _on_previous_action_triggered(self) -> None:
        self.setCurrentIndex((self.currentIndex() - 1) % self.count())

    def _on_put_aside_action_triggered(self) -> None:
        self.put_aside(self.current_form())
