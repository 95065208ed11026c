"""Everything the window awaits from the database: the services as the UI sees them (no SQL here).

Each method starts its work on a database worker when called -- not when first awaited, so the
database works while the GUI paints -- and the window awaits the result; it never blocks the GUI
thread.  The composition root (`app.main`) makes each blocking service satisfy its port with
`app.services.database_worker.awaited`, which checks at start that the service has every method
below with the same parameters; tests may supply their own implementations (``async def``
methods satisfy these ports too).
"""

from __future__ import annotations

from collections.abc import Awaitable
from datetime import datetime
from typing import Protocol

from app.services.database_status import DatabaseStatus
from app.sync.notices import RefusedChange, RemoteConflict
from app.tickets.answers import AnswerLibrary
from app.tickets.calls import CallRecord
from app.tickets.cards import CustomerCard, LookupResult
from app.tickets.dispositions import DispositionLists
from app.tickets.drafts import TicketDraft, TicketView
from app.tickets.enums import CallDirection, CallEndReason, CallOutcome
from app.tickets.operator_state import OperatorState
from app.tickets.reference import ReferenceData
from app.tickets.scripts import ScriptLibrary
from app.tickets.unfinished import LocalDraft, UnfinishedTicket


class LookupPort(Protocol):
    """`app.services.lookup.LookupService`: the screen pop and the search box."""

    def lookup(self, query: str) -> Awaitable[LookupResult]:
        """Started now, so the database works while the GUI paints the pop; await the result."""
        ...


class DatabaseHealthPort(Protocol):
    """`app.services.database_health.DatabaseHealth`: the status bar's database indicator."""

    def status(self) -> Awaitable[DatabaseStatus]: ...


class TicketPort(Protocol):
    """`app.services.tickets.TicketService`."""

    def reference_data(self) -> Awaitable[ReferenceData]: ...

    def create_for_call(
        self,
        call_id: int | None,
        customer_id: int | None,
        line_id: int | None,
        operator_login: str | None,
        *,
        number: str | None = None,
    ) -> Awaitable[TicketView]: ...

    def save(
        self, ticket_id: int, draft: TicketDraft, expected_version: int, operator_login: str | None
    ) -> Awaitable[TicketView]: ...

    def close(
        self, ticket_id: int, draft: TicketDraft, expected_version: int, operator_login: str | None
    ) -> Awaitable[TicketView]: ...

    def add_comment(self, ticket_id: int, text: str, operator_login: str | None) -> Awaitable[TicketView]: ...

    def get(self, ticket_id: int) -> Awaitable[TicketView]: ...


class CallPort(Protocol):
    """`app.services.calls.CallService`: the call record, from ringing to its disposition."""

    def ringing(
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
    ) -> Awaitable[CallRecord]: ...

    def answered(
        self, call_id: int, at: datetime, operator_login: str | None = None
    ) -> Awaitable[CallRecord]: ...

    def identify(self, call_id: int, customer_id: int | None) -> Awaitable[CallRecord]: ...

    def add_hold(self, call_id: int, seconds: float) -> Awaitable[CallRecord]: ...

    def ended(
        self,
        call_id: int,
        at: datetime,
        outcome: CallOutcome,
        disposition: str | None = None,
        *,
        end_reason: CallEndReason | None = None,
        transferred_to: str | None = None,
    ) -> Awaitable[CallRecord]: ...

    def set_disposition(self, call_id: int, disposition: str | None) -> Awaitable[CallRecord]: ...


class OperatorStatePort(Protocol):
    """`app.services.operator_states.OperatorStateService`."""

    def record(self, operator_login: str | None, state: OperatorState) -> Awaitable[bool]:
        """Keep the operator's new state (for the floor view); False when nobody to show."""
        ...


class ScriptPort(Protocol):
    """`app.services.scripts.ScriptService`: call scripts, answer templates, dispositions."""

    def library(self) -> Awaitable[ScriptLibrary]: ...

    def answers(self) -> Awaitable[AnswerLibrary]: ...

    def dispositions(self) -> Awaitable[DispositionLists]: ...


class CustomerPort(Protocol):
    """`app.services.customers.CustomerService`: new customers from the window."""

    def create(
        self,
        *,
        phone: str,
        name: str | None,
        address: str | None,
        region: str | None,
        notes: str | None,
        operator_login: str | None,
    ) -> Awaitable[CustomerCard]:
        """Store a new customer and return its card (as a lookup would show it).

        Raises:
            ValidationError: ``fields`` names what is wrong (ids from
                `app.services.new_customer.CUSTOMER_FIELDS`).
            DatabaseUnavailable: nothing was stored; try again.
            CustomerStoredNotShown: stored, but not read back (do not create it again).
        """
        ...


class DraftPort(Protocol):
    """`app.storage.draft_store.DraftStore`: the operator's unsaved typing on this desk's disk."""

    def put(self, draft: LocalDraft) -> Awaitable[None]:
        """Durable when awaited."""
        ...

    def remove(self, key: str) -> Awaitable[None]: ...

    def drafts(self, operator_login: str | None) -> Awaitable[list[LocalDraft]]: ...


class UnfinishedPort(Protocol):
    """`app.services.unfinished.UnfinishedTicketService`: stored tickets that lack required fields."""

    def of_operator(self, operator_login: str | None) -> Awaitable[tuple[UnfinishedTicket, ...]]: ...

    def of_department(self, department_id: int) -> Awaitable[tuple[UnfinishedTicket, ...]]: ...


class SyncPort(Protocol):
    """`app.services.sync_conflicts.ConflictService`: what the operator must see of the sync."""

    def conflicts(self) -> Awaitable[list[RemoteConflict]]:
        """Saves set aside for the operator to decide, oldest first."""
        ...

    def resolve(self, key: str) -> Awaitable[None]:
        """The operator decided (kept theirs, or saved theirs + mine again): forget the save."""
        ...

    def refused(self) -> Awaitable[list[RefusedChange]]:
        """Changes the central database refused, oldest first (with the ticket they concern)."""
        ...
