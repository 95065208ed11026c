"""What the operator must look at in the sync with the central database: saves set aside as
conflicts (to decide), and changes the central database refused (to know about).

Blocking; runs on the desk's database worker (the cache).  A ``ticket_saved`` change that met a
newer version centrally stays in the outbox as a *conflict*; by then the cache holds their
version (`app.sync.desk.DeskSync` pulls it).  The window shows both and the operator
either keeps theirs or saves theirs-plus-mine again (an ordinary save, with the version they now
see); either way `resolve` forgets the set-aside change.  A *refused* change needs no decision:
it stays in the outbox and is tried again (`app.sync.replicator`); `refused` says which tickets
are not in the central database as the operator left them, so the window can mark them.
"""

from __future__ import annotations

import dataclasses
from datetime import date
from typing import Any

from sqlalchemy import Engine, select

from app.services.sessions import session_scope
from app.services.tickets import TicketService
from app.storage.schema import Ticket
from app.sync.notices import RefusedChange, RemoteConflict
from app.sync.outbox import ChangeKind, Outbox
from app.tickets.drafts import TicketDraft
from app.tickets.enums import TicketStatus

_DRAFT_FIELDS = frozenset(f.name for f in dataclasses.fields(TicketDraft))
_TICKET_KINDS = (ChangeKind.TICKET_CREATED, ChangeKind.TICKET_SAVED)


def _typed(name: str, value: Any) -> Any:
    if name == "status":
        return TicketStatus(value)
    if name == "due_date" and value:
        return date.fromisoformat(value)
    return value


class ConflictService:
    def __init__(self, cache: Engine, outbox: Outbox, tickets: TicketService) -> None:
        self._cache = cache
        self._outbox = outbox
        self._tickets = tickets

    def conflicts(self) -> list[RemoteConflict]:
        found: list[RemoteConflict] = []
        for change in self._outbox.conflicts():
            if change.kind is not ChangeKind.TICKET_SAVED:
                continue
            with session_scope(self._cache) as s:
                ticket_id = s.scalar(select(Ticket.id).where(Ticket.uid == change.payload["uid"]))
            if ticket_id is None:
                continue  # not visible to this desk any more
            theirs = self._tickets.get(ticket_id)
            fields = {
                name: _typed(name, value)
                for name, value in change.payload.get("fields", {}).items()
                if name in _DRAFT_FIELDS
            }
            mine = dataclasses.replace(theirs.draft, **fields)
            found.append(RemoteConflict(change.key, theirs, mine, tuple(fields)))
        return found

    def resolve(self, key: str) -> None:
        self._outbox.discard(key)

    def refused(self) -> list[RefusedChange]:
        unsent = self._outbox.unsent()
        held = [c for c in unsent if c.held]
        found: list[RefusedChange] = []
        with session_scope(self._cache) as s:
            for change in (c for c in unsent if c.state == "failed"):
                ticket_uid = change.payload.get("ticket_uid")
                if ticket_uid is None and change.kind in _TICKET_KINDS:
                    ticket_uid = change.payload.get("uid")
                ticket = s.execute(select(Ticket.id, Ticket.number).where(Ticket.uid == ticket_uid)).first()
                found.append(
                    RefusedChange(
                        key=change.key,
                        kind=change.kind.value,
                        error=change.last_error or "",
                        at=change.created_at,
                        ticket_id=ticket.id if ticket else None,
                        ticket_number=ticket.number if ticket else change.payload.get("number"),
                        held=sum(1 for h in held if h.subjects & change.subjects),
                    )
                )
        return found
