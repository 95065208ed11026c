"""Every open ticket's unsaved typing, on the desk's own disk a moment after it is typed.

`DraftKeeper` watches the forms of `TicketTabs`: DELAY_MS after the operator stops typing in a
form it writes that form's `LocalDraft` through the `DraftPort` (a worker thread of its own,
SQLite with synchronous=FULL), or removes it once nothing is unsaved.  So a crash, kill -9, a
power cut or a call that arrives in the middle loses at most the last DELAY_MS of typing; `flush`
writes what is pending at once (the window does before it exits).

At the next start `restore` opens every draft of the operator again, in its own tab, with the
typing as unsaved changes on top of the ticket as it was when the typing began (so a save made
meanwhile elsewhere shows as a conflict, never overwritten).

The draft's key is the operator and the ticket: a ticket has one draft per operator, whichever
form or tab shows it.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
from collections.abc import Coroutine
from typing import Any

from PySide6.QtCore import QObject, QTimer, Signal

from app.errors import UserFacingError
from app.json_log import JsonEventLog
from app.services.ports import DraftPort, TicketPort
from app.tickets.drafts import TicketView
from app.tickets.unfinished import LocalDraft
from app.ui.tasks import BackgroundTasks
from app.ui.ticket_form import TicketForm
from app.ui.ticket_tabs import TicketTabs

log = logging.getLogger(__name__)

DELAY_MS = 300  # after the last keystroke; short enough that a kill -9 costs a word at most


def draft_key(operator_login: str | None, ticket_id: int) -> str:
    return f"{operator_login or ''}/{ticket_id}"


class DraftKeeper(QObject):
    """Writes and removes the forms' drafts; `written` / `removed` carry the ticket number."""

    written = Signal(str)
    removed = Signal(str)
    message = Signal(str)  # for the status bar: a draft could not be kept, or was restored

    def __init__(
        self,
        tabs: TicketTabs,
        drafts: DraftPort,
        *,
        operator_login: str | None,
        json_log: JsonEventLog,
        delay_ms: int = DELAY_MS,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._tabs = tabs
        self._port = drafts
        self._login = operator_login
        self._log = json_log
        self._delay_ms = delay_ms
        self._tasks = BackgroundTasks(self._on_task_error)
        self._writes: set[asyncio.Task[Any]] = set()  # submitted, not yet on disk
        self._timers: dict[TicketForm, QTimer] = {}
        self._keys: dict[TicketForm, str] = {}  # the key each form's draft was last kept under
        # What is on disk (or submitted to be), by key; updated before the write is awaited: the
        # worker runs writes in the order they were submitted, so this is what the disk will hold.
        self._on_disk: dict[str, LocalDraft] = {}
        for form in tabs.forms():
            self._watch(form)
        tabs.form_added.connect(self._watch)
        tabs.form_released.connect(self._on_tabs_form_released)

    def drafts(self) -> dict[int, LocalDraft]:
        """The drafts on disk by ticket id (also those of tabs put aside)."""
        return {d.ticket_id: d for d in self._on_disk.values()}

    # --- keeping ------------------------------------------------------------------------------
    def _watch(self, form: TicketForm) -> None:
        timer = QTimer(self)
        timer.setSingleShot(True)
        timer.setInterval(self._delay_ms)
        timer.timeout.connect(lambda: self._keep(form))
        form.edited.connect(timer.start)
        form.destroyed.connect(lambda: self._forget(form))
        self._timers[form] = timer

    def _forget(self, form: TicketForm) -> None:
        timer = self._timers.pop(form, None)
        if timer is not None:
            timer.stop()
            timer.deleteLater()
        self._keys.pop(form, None)

    def _keep(self, form: TicketForm) -> list[asyncio.Task[Any]]:
        """Bring the disk in line with `form` now; the writes' tasks (none when nothing changes).

        One task per write, started in the order written: each submits its work to the draft
        worker at its first step, so the worker (one thread) applies them in this order too.
        """
        timer = self._timers.get(form)
        if timer is not None:
            timer.stop()
        draft = self._draft_of(form)
        key = draft.key if draft is not None else None
        writes: list[asyncio.Task[Any]] = []
        old_key = self._keys.get(form)
        if old_key is not None and old_key != key and old_key in self._on_disk:
            writes.append(self._write(self._remove(self._on_disk.pop(old_key))))
        if draft is not None:
            self._keys[form] = draft.key
            if not _same(self._on_disk.get(draft.key), draft):
                self._on_disk[draft.key] = draft
                writes.append(self._write(self._put(draft)))
        return writes

    def _write(self, step: Coroutine[Any, Any, None]) -> asyncio.Task[Any]:
        task = self._tasks.spawn(step)
        self._writes.add(task)
        task.add_done_callback(self._writes.discard)
        return task

    def _draft_of(self, form: TicketForm) -> LocalDraft | None:
        view = form.current()
        if view is None:
            return None
        comment = form.comment_box.toPlainText()
        if not form.has_unsaved_changes() and not comment.strip():
            return None
        return LocalDraft(
            key=draft_key(self._login, view.id),
            operator_login=self._login,
            ticket_id=view.id,
            number=view.number,
            base_version=view.version,
            base=view.draft,
            typed=form.draft(),
            comment=comment,
        )

    async def _put(self, draft: LocalDraft) -> None:
        try:
            await self._port.put(draft)
        except BaseException:
            if self._on_disk.get(draft.key) is draft:
                del self._on_disk[draft.key]  # the next edit tries again
            raise
        self._log.write("draft_kept", number=draft.number, fields=[f.value for f in draft.changed_fields()])
        self.written.emit(draft.number)

    async def _remove(self, draft: LocalDraft) -> None:
        await self._port.remove(draft.key)
        self._log.write("draft_cleared", number=draft.number)
        self.removed.emit(draft.number)

    def _on_tabs_form_released(self, form: TicketForm) -> None:
        # The tab goes (or is cleared): its typing stays on disk, and no longer belongs to it.
        self._keep(form)
        self._keys.pop(form, None)

    def keep_all(self) -> None:
        """Start writing what every form holds now, not after the delay (the window is closing)."""
        for form in list(self._timers):
            self._keep(form)

    async def flush(self) -> None:
        """Write every pending change now and wait until all of it is on disk."""
        self.keep_all()
        if self._writes:
            await asyncio.gather(*self._writes, return_exceptions=True)

    # --- restoring ----------------------------------------------------------------------------
    async def restore(self, tickets: TicketPort) -> list[str]:
        """Open the operator's drafts from the last session in tabs; the ticket numbers restored.

        A draft whose ticket cannot be read now (database unreachable, not in this database) stays
        on disk for the next try and is named in `message`.
        """
        restored: list[str] = []
        kept: list[str] = []
        for draft in await self._port.drafts(self._login):
            self._on_disk[draft.key] = draft
            try:
                stored = await tickets.get(draft.ticket_id)
            except UserFacingError as exc:
                log.warning("draft of ticket %s not restored: %s", draft.number, exc)
                kept.append(draft.number)
                continue
            if stored.number != draft.number:
                log.warning("draft of ticket %s names ticket %s here: kept", draft.number, stored.number)
                kept.append(draft.number)
                continue
            self.open_draft(stored, draft)
            restored.append(draft.number)
        if restored:
            self._log.write("drafts_restored", numbers=restored)
            self.message.emit(
                self.tr("Reopened what you had not saved: {numbers}.").format(numbers=", ".join(restored))
            )
        if kept:
            self.message.emit(
                self.tr(
                    "Unsaved typing of {numbers} is kept on this computer; it reopens once the ticket"
                    " can be read."
                ).format(numbers=", ".join(kept))
            )
        return restored

    def open_draft(self, stored: TicketView, draft: LocalDraft) -> TicketForm:
        """Bring `draft`'s ticket to the front with the typing on top of the ticket as it was
        when the typing began (`stored` is the ticket now)."""
        base = dataclasses.replace(stored, version=draft.base_version, draft=draft.base)
        form = self._tabs.open_ticket(base, draft.typed, draft.comment)
        self._keys[form] = draft.key
        return form

    def shutdown(self) -> None:
        """The window closes: what is typed starts going to disk now; `flush` waits for it.
        Writes are never cancelled: a draft half-submitted is a draft lost."""
        self.keep_all()
        for timer in self._timers.values():
            timer.stop()

    def _on_task_error(self, exc: BaseException) -> None:
        log.error("keeping a ticket draft failed", exc_info=exc)
        self.message.emit(
            self.tr("Your typing could not be kept on this computer: {error}. Save the ticket.").format(
                error=str(exc) or type(exc).__name__
            )
        )


def _same(a: LocalDraft | None, b: LocalDraft) -> bool:
    return a is not None and (a.typed, a.comment, a.base_version, a.base) == (
        b.typed,
        b.comment,
        b.base_version,
        b.base,
    )
