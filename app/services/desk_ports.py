"""What the operator's window needs for tickets, calls and scripts, as async interfaces.

No SQL is imported here: the UI depends on these protocols and the frozen `app.tickets` values
only.  `app.services.desk_workers` implements them by running the blocking services on the
database worker thread; tests may supply in-memory ones.
"""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

from app.tickets.answers import AnswerLibrary
from app.tickets.calls import CallRecord
from app.tickets.dispositions import DispositionLists
from app.tickets.drafts import TicketDraft, TicketView
from app.tickets.enums import CallDirection, CallEndReason, CallOutcome
from app.tickets.operator_state import OperatorState
from app.tickets.reference import ReferenceData
from app.tickets.scripts import ScriptLibrary


class TicketPort(Protocol):
    async def reference_data(self) -> ReferenceData: ...

    async def create_for_call(
        self,
        call_id: int | None,
        customer_id: int | None,
        line_id: int | None,
        operator_login: str | None,
        *,
        number: str | None = None,
    ) -> TicketView: ...

    async def save(
        self, ticket_id: int, draft: TicketDraft, expected_version: int, operator_login: str | None
    ) -> TicketView: ...

    async def close(
        self, ticket_id: int, draft: TicketDraft, expected_version: int, operator_login: str | None
    ) -> TicketView: ...

    async def add_comment(self, ticket_id: int, text: str, operator_login: str | None) -> TicketView: ...

    async def get(self, ticket_id: int) -> TicketView: ...


class CallPort(Protocol):
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
    ) -> CallRecord: ...

    async def answered(self, call_id: int, at: datetime, operator_login: str | None = None) -> CallRecord: ...

    async def identify(self, call_id: int, customer_id: int | None) -> CallRecord: ...

    async def add_hold(self, call_id: int, seconds: float) -> CallRecord: ...

    async def ended(
        self,
        call_id: int,
        at: datetime,
        outcome: CallOutcome,
        disposition: str | None = None,
        *,
        end_reason: CallEndReason | None = None,
        transferred_to: str | None = None,
    ) -> CallRecord: ...

    async def set_disposition(self, call_id: int, disposition: str | None) -> CallRecord: ...


class OperatorStatePort(Protocol):
    async def record(self, operator_login: str | None, state: OperatorState) -> bool:
        """Keep the operator's new state (for the floor view); False when nobody to show."""
        ...


class ScriptPort(Protocol):
    async def library(self) -> ScriptLibrary: ...

    async def answers(self) -> AnswerLibrary: ...

    async def dispositions(self) -> DispositionLists: ...
