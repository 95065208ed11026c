"""What the sync with the central database tells the window (values only, no SQL: the UI reads them).

`app.sync.desk.DeskSync` reports `SyncState` for the status bar and `ChangedRows` when rows another
desk changed reached this desk's cache (the window refreshes what it shows);
`app.services.sync_conflicts.ConflictService` finds `RemoteConflict` (the central database refused one of
this desk's ticket saves because someone saved first) and `RefusedChange` (a change it refused).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from app.tickets.drafts import TicketDraft, TicketView


@dataclass(frozen=True, slots=True)
class SyncState:
    """``state``: ``online``, ``offline`` or ``catching_up``; ``waiting`` changes not yet in the
    central database; ``done``/``total`` the progress of a catch-up; ``conflicts`` set aside."""

    state: str
    waiting: int = 0
    done: int = 0
    total: int = 0
    conflicts: int = 0
    refused: int = 0  # changes the central database refused (kept here, retried; IT can see them)
    error: str | None = None
    held: int = 0  # later changes of the same tickets or calls, waiting behind the refused ones


@dataclass(frozen=True, slots=True)
class ChangedRows:
    """Rows that changed in the desk's cache because of another desk (ids are the cache's)."""

    tickets: frozenset[int] = frozenset()
    customers: frozenset[int] = frozenset()
    calls: frozenset[int] = frozenset()
    announcements: bool = False
    operator_states: bool = False
    everything: bool = False  # a resync after the listener was away: reload whatever is shown


@dataclass(frozen=True, slots=True)
class RemoteConflict:
    """A save of this desk the central database did not apply: `theirs` is the ticket as it is
    now (also in the cache), `mine` what this operator saved (their changed fields on top)."""

    key: str
    theirs: TicketView
    mine: TicketDraft
    changed_fields: tuple[str, ...]  # the `TicketDraft` attributes this operator changed


@dataclass(frozen=True, slots=True)
class RefusedChange:
    """A change of this desk the central database refused: kept on the desk (never dropped),
    tried again later; `held` later changes of the same ticket or call wait behind it."""

    key: str
    kind: str  # an `app.sync.outbox.ChangeKind` value, e.g. "ticket_saved"
    error: str  # the central database's reason, as it said it
    at: datetime  # when the operator made the change
    ticket_id: int | None = None  # the ticket it concerns, in this desk's cache
    ticket_number: str | None = None
    held: int = 0
