"""What the window sees of the sync with the central database (no SQL imported here).

The composition root wires `app.sync.desk.DeskSync` to these: `SyncState` for the status bar,
`ChangedRows` when rows another desk changed reached this desk's cache (the window refreshes what
it shows), `RemoteConflict` when the central database refused one of this desk's ticket saves
because someone saved first.  `SyncPort` is awaited on the GUI thread and never blocks it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

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
    refused: int = 0  # changes the central database refused for good (IT must look: see the log)
    error: str | None = None


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


class SyncPort(Protocol):
    async def conflicts(self) -> list[RemoteConflict]:
        """Saves set aside for the operator to decide, oldest first."""
        ...

    async def resolve(self, key: str) -> None:
        """The operator decided (kept theirs, or saved theirs + mine again): forget the save."""
        ...
