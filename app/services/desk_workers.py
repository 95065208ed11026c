"""The desk ports (`app.services.desk_ports`, `app.services.unfinished_ports`) on worker threads:
the GUI awaits, the worker works."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import ParamSpec, TypeVar

from app.services.calls import CallService
from app.services.db_worker import DatabaseWorker
from app.services.operator_states import OperatorStateService
from app.services.scripts import ScriptService
from app.services.tickets import TicketService
from app.services.unfinished import UnfinishedTicketService
from app.storage.draft_store import DraftStore
from app.tickets.answers import AnswerLibrary
from app.tickets.calls import CallRecord
from app.tickets.dispositions import DispositionLists
from app.tickets.drafts import TicketDraft, TicketView
from app.tickets.enums import CallDirection, CallEndReason, CallOutcome
from app.tickets.operator_state import OperatorState
from app.tickets.reference import ReferenceData
from app.tickets.scripts import ScriptLibrary
from app.tickets.unfinished import LocalDraft, UnfinishedTicket

P = ParamSpec("P")
T = TypeVar("T")


class _OnWorker:
    def __init__(self, worker: DatabaseWorker) -> None:
        self._worker = worker

    async def _run(self, fn: Callable[P, T], /, *args: P.args, **kwargs: P.kwargs) -> T:
        return await self._worker.run(fn, *args, **kwargs)


class WorkerTickets(_OnWorker):
    """`TicketPort` over a `TicketService`."""

    def __init__(self, worker: DatabaseWorker, service: TicketService) -> None:
        super().__init__(worker)
        self._service = service

    async def reference_data(self) -> ReferenceData:
        return await self._run(self._service.reference_data)

    async def create_for_call(
        self,
        call_id: int | None,
        customer_id: int | None,
        line_id: int | None,
        operator_login: str | None,
        *,
        number: str | None = None,
    ) -> TicketView:
        return await self._run(
            self._service.create_for_call, call_id, customer_id, line_id, operator_login, number=number
        )

    async def save(
        self, ticket_id: int, draft: TicketDraft, expected_version: int, operator_login: str | None
    ) -> TicketView:
        return await self._run(self._service.save, ticket_id, draft, expected_version, operator_login)

    async def close(
        self, ticket_id: int, draft: TicketDraft, expected_version: int, operator_login: str | None
    ) -> TicketView:
        return await self._run(self._service.close, ticket_id, draft, expected_version, operator_login)

    async def add_comment(self, ticket_id: int, text: str, operator_login: str | None) -> TicketView:
        return await self._run(self._service.add_comment, ticket_id, text, operator_login)

    async def get(self, ticket_id: int) -> TicketView:
        return await self._run(self._service.get, ticket_id)


class WorkerCalls(_OnWorker):
    """`CallPort` over a `CallService`."""

    def __init__(self, worker: DatabaseWorker, service: CallService) -> None:
        super().__init__(worker)
        self._service = service

    async def ringing(
        self,
        *,
        direction: CallDirection,
        caller_number: str | None,
        display_name: str | None,
        dialled_number: str | None,
        at: datetime,
        operator_login: str | None = None,
        customer_id: int | None = None,
        uid: str | None = None,
    ) -> CallRecord:
        return await self._run(
            self._service.ringing,
            direction=direction,
            caller_number=caller_number,
            display_name=display_name,
            dialled_number=dialled_number,
            at=at,
            operator_login=operator_login,
            customer_id=customer_id,
            uid=uid,
        )

    async def answered(self, call_id: int, at: datetime, operator_login: str | None = None) -> CallRecord:
        return await self._run(self._service.answered, call_id, at, operator_login)

    async def identify(self, call_id: int, customer_id: int | None) -> CallRecord:
        return await self._run(self._service.identify, call_id, customer_id)

    async def add_hold(self, call_id: int, seconds: float) -> CallRecord:
        return await self._run(self._service.add_hold, call_id, seconds)

    async def ended(
        self,
        call_id: int,
        at: datetime,
        outcome: CallOutcome,
        disposition: str | None = None,
        *,
        end_reason: CallEndReason | None = None,
        transferred_to: str | None = None,
    ) -> CallRecord:
        return await self._run(
            self._service.ended,
            call_id,
            at,
            outcome,
            disposition,
            end_reason=end_reason,
            transferred_to=transferred_to,
        )

    async def set_disposition(self, call_id: int, disposition: str | None) -> CallRecord:
        return await self._run(self._service.set_disposition, call_id, disposition)


class WorkerOperatorStates(_OnWorker):
    """`OperatorStatePort` over an `OperatorStateService`."""

    def __init__(self, worker: DatabaseWorker, service: OperatorStateService) -> None:
        super().__init__(worker)
        self._service = service

    async def record(self, operator_login: str | None, state: OperatorState) -> bool:
        return await self._run(self._service.record, operator_login, state)


class WorkerScripts(_OnWorker):
    """`ScriptPort` over a `ScriptService`."""

    def __init__(self, worker: DatabaseWorker, service: ScriptService) -> None:
        super().__init__(worker)
        self._service = service

    async def library(self) -> ScriptLibrary:
        return await self._run(self._service.library)

    async def answers(self) -> AnswerLibrary:
        return await self._run(self._service.answers)

    async def dispositions(self) -> DispositionLists:
        return await self._run(self._service.dispositions)


class WorkerDrafts(_OnWorker):
    """`DraftPort` over a `DraftStore`.  Give it a worker of its own: a draft is written while the
    database worker may be busy (a slow lookup, a cache refresh) and must not wait behind that."""

    def __init__(self, worker: DatabaseWorker, store: DraftStore) -> None:
        super().__init__(worker)
        self._store = store

    async def put(self, draft: LocalDraft) -> None:
        await self._run(self._store.put, draft)

    async def remove(self, key: str) -> None:
        await self._run(self._store.remove, key)

    async def drafts(self, operator_login: str | None) -> list[LocalDraft]:
        return await self._run(self._store.drafts, operator_login)


class WorkerUnfinished(_OnWorker):
    """`UnfinishedPort` over an `UnfinishedTicketService`."""

    def __init__(self, worker: DatabaseWorker, service: UnfinishedTicketService) -> None:
        super().__init__(worker)
        self._service = service

    async def of_operator(self, operator_login: str | None) -> tuple[UnfinishedTicket, ...]:
        return await self._run(self._service.of_operator, operator_login)

    async def of_department(self, department_id: int) -> tuple[UnfinishedTicket, ...]:
        return await self._run(self._service.of_department, department_id)
