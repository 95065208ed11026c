"""What another desk changed, shown on this one: the card, the open ticket, conflicts to decide.

`LiveUpdates` listens to `SyncEvents` (changes pulled into the desk's cache after a NOTIFY,
the sync state, saves the central database set aside) and refreshes what the window shows:

* the customer card is looked up again (coalesced: one lookup per burst of changes);
* an open ticket (any tab) is reloaded when it changed elsewhere and the operator has not typed
  anything since; with unsaved typing the form only says so (saving then shows both versions);
* a conflict opens the ticket with both versions side by side (`TicketForm.show_remote_conflict`),
  in its own tab -- never over another ticket's typing -- unless the operator is in the middle of
  another ticket and did not ask; Ctrl+Shift+K reviews them any time;
* a change the central database refused is never shown as saved: the operator is told in words
  when it happens, and the tickets concerned are marked -- their forms and tabs
  (`TicketTabs.set_refused`), the unfinished list, the card's open tickets -- for as long as the
  desk holds refused changes (re-read whenever the sync state's count of them changes).

Runs on the GUI thread only; every database access is an awaited port call.
"""

from __future__ import annotations

import logging

from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtWidgets import QWidget

from app.services.ports import LookupPort, SyncPort, TicketPort
from app.sync.notices import ChangedRows, RefusedChange, SyncState
from app.ui.customer_card import CustomerCardView, refreshed_card
from app.ui.sync_status import SyncEvents, SyncStatusLabel
from app.ui.tasks import BackgroundTasks
from app.ui.ticket_tabs import TicketTabs

log = logging.getLogger(__name__)

COALESCE_MS = 150


class LiveUpdates(QObject):
    card_refreshed = Signal(object)  # CustomerCard, after a change from another desk
    ticket_refreshed = Signal(object)  # TicketView
    message = Signal(str)

    def __init__(
        self,
        events: SyncEvents,
        *,
        lookup: LookupPort,
        card: CustomerCardView,
        label: SyncStatusLabel,
        sync: SyncPort | None = None,
        tickets: TicketPort | None = None,
        ticket_tabs: TicketTabs | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._lookup = lookup
        self._card = card
        self._label = label
        self._sync = sync
        self._tickets = tickets
        self._tabs = ticket_tabs
        self._tasks = BackgroundTasks(self._on_task_error)
        self._pending = ChangedRows()
        self._closed = False  # after `shutdown`: the sync threads may still deliver a few signals
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(COALESCE_MS)
        self._timer.timeout.connect(self._apply_pending)
        events.state_changed.connect(self._on_state_changed)
        events.rows_changed.connect(self._on_rows_changed)
        events.conflict_found.connect(self._on_conflict_found)
        events.refused_found.connect(self._on_refused_found)
        self._refusal_counts: tuple[int, int] | None = None  # (refused, held) last marked
        self._refused_numbers: frozenset[str] = frozenset()

    # --- signals from the sync threads (delivered on the GUI thread) ---------------------------

    def _on_state_changed(self, state: SyncState) -> None:
        self._label.show_state(state)
        counts = (state.refused, state.held)
        if counts != self._refusal_counts and not self._closed:
            self._refusal_counts = counts
            self._tasks.spawn(self._mark_refused())

    def _on_refused_found(self, key: str) -> None:
        if not self._closed:
            self._tasks.spawn(self._tell_refused(key))

    def _on_rows_changed(self, rows: ChangedRows) -> None:
        if self._closed:
            return
        p = self._pending
        self._pending = ChangedRows(
            tickets=p.tickets | rows.tickets,
            customers=p.customers | rows.customers,
            calls=p.calls | rows.calls,
            announcements=p.announcements or rows.announcements,
            operator_states=p.operator_states or rows.operator_states,
            everything=p.everything or rows.everything,
        )
        if not self._timer.isActive():
            self._timer.start()

    def _on_conflict_found(self, _key: str) -> None:
        if not self._closed:
            self.review_conflicts(interrupt=False)

    # --- refreshing ----------------------------------------------------------------------------

    def _apply_pending(self) -> None:
        rows, self._pending = self._pending, ChangedRows()
        card = self._card.card
        if card is not None and (
            rows.everything or rows.announcements or rows.tickets or rows.calls or card.id in rows.customers
        ):
            self._tasks.spawn(self._refresh_card(card.contract_number))
        for form in self._tabs.forms() if self._tabs is not None else ():
            view = form.current()
            if view is not None and (rows.everything or view.id in rows.tickets):
                self._tasks.spawn(self._refresh_ticket(view.id, view.version))

    async def _refresh_card(self, contract: str) -> None:
        fresh = await refreshed_card(self._lookup, contract)
        shown = self._card.card
        if shown is None or shown.contract_number != contract:
            return  # the operator moved on meanwhile
        if fresh is not None and fresh != shown:
            self._card.show_card(fresh)
            self.card_refreshed.emit(fresh)

    async def _refresh_ticket(self, ticket_id: int, version: int) -> None:
        if self._tickets is None or self._tabs is None:
            return
        fresh = await self._tickets.get(ticket_id)
        form = self._tabs.form_for(ticket_id)
        view = form.current() if form is not None else None
        if form is None or view is None or fresh.version == version:
            return
        if form.has_unsaved_changes():
            self.message.emit(
                self.tr(
                    "Ticket {number} was changed on another desk. Your typing is kept;"
                    " saving shows both versions."
                ).format(number=fresh.number)
            )
            return
        form.load(fresh)
        self.ticket_refreshed.emit(fresh)

    # --- refused changes ------------------------------------------------------------------------

    async def _mark_refused(self) -> list[RefusedChange]:
        """Mark every ticket the central database refused a change of; unmark the others."""
        refused = await self._sync.refused() if self._sync is not None else []
        first: dict[int, RefusedChange] = {}
        for change in refused:
            if change.ticket_id is not None:
                first.setdefault(change.ticket_id, change)
        if self._tabs is not None:
            self._tabs.set_refused(first)
        self._refused_numbers = frozenset(c.ticket_number for c in first.values() if c.ticket_number)
        self._card.set_refused(self._refused_numbers)
        return refused

    async def _tell_refused(self, key: str) -> None:
        refused = await self._mark_refused()
        change = next((c for c in refused if c.key == key), None)
        if change is None:
            return  # gone through meanwhile
        if change.ticket_number is not None:
            text = self.tr(
                "The central database refused ticket {number} ({error}). It is kept on this desk,"
                " marked, and sent again every few minutes; IT sees it. Carry on."
            ).format(number=change.ticket_number, error=change.error)
        else:
            text = self.tr(
                "The central database refused a change of this desk ({error}). It is kept here and"
                " sent again every few minutes; IT sees it. Carry on."
            ).format(error=change.error)
        self.message.emit(text)

    # --- conflicts -------------------------------------------------------------------------------

    def review_conflicts(self, *, interrupt: bool = True) -> None:
        """Open the oldest conflict in its ticket's tab (Ctrl+Shift+K).  With `interrupt` False
        (a conflict just arrived) an operator typing in another ticket is only told."""
        self._tasks.spawn(self._review(interrupt=interrupt))

    async def _review(self, *, interrupt: bool) -> None:
        if self._sync is None or self._tabs is None:
            return
        conflicts = await self._sync.conflicts()
        if not conflicts:
            if interrupt:
                self.message.emit(self.tr("No conflicts to review."))
            return
        conflict = conflicts[0]
        front = self._tabs.current_form()
        shown = front.current()
        busy = shown is not None and shown.id != conflict.theirs.id and front.has_unsaved_changes()
        if busy and not interrupt:
            self.message.emit(
                self.tr(
                    "Ticket {number} was saved on another desk before yours reached the central database."
                    " Press Ctrl+Shift+K to compare when you are ready."
                ).format(number=conflict.theirs.number)
            )
            return
        # In the ticket's own tab (or a new one): another ticket's typing is never replaced.
        form = self._tabs.form_for(conflict.theirs.id) or self._tabs.open_ticket(conflict.theirs)
        self._tabs.setCurrentWidget(form)
        dialog = await form.show_remote_conflict(conflict.theirs, conflict.mine)
        dialog.keep_theirs_chosen.connect(lambda: self._tasks.spawn(self._resolve(conflict.key)))
        dialog.apply_mine_chosen.connect(lambda: self._tasks.spawn(self._resolve(conflict.key)))

    async def _resolve(self, key: str) -> None:
        if self._sync is not None:
            await self._sync.resolve(key)

    def shutdown(self) -> None:
        """Stop refreshing (the window is closing; the event loop is about to stop)."""
        self._closed = True
        self._timer.stop()
        self._tasks.cancel_all()

    def _on_task_error(self, exc: BaseException) -> None:
        log.warning("live update failed: %s", exc)
        self.message.emit(str(exc) or type(exc).__name__)
