"""What the window needs to lose no typed ticket: the desk's draft store and the unfinished-ticket
queries, as async interfaces (no SQL here; `app.services.desk_workers` implements them)."""

from __future__ import annotations

from typing import Protocol

from app.tickets.unfinished import LocalDraft, UnfinishedTicket


class DraftPort(Protocol):
    """The operator's unsaved typing on this desk's disk (`app.storage.draft_store`)."""

    async def put(self, draft: LocalDraft) -> None:
        """Durable when awaited."""
        ...

    async def remove(self, key: str) -> None: ...

    async def drafts(self, operator_login: str | None) -> list[LocalDraft]: ...


class UnfinishedPort(Protocol):
    """Stored tickets that lack required fields (`app.services.unfinished`)."""

    async def of_operator(self, operator_login: str | None) -> tuple[UnfinishedTicket, ...]: ...

    async def of_department(self, department_id: int) -> tuple[UnfinishedTicket, ...]: ...
