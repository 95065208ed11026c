"""What the screen pop and the search show: plain frozen values, safe to pass between threads."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from app.tickets.enums import CallDirection, CallOutcome, QueryKind, TicketStatus


@dataclass(frozen=True, slots=True)
class TicketSummary:
    number: str
    subject: str
    status: TicketStatus
    priority: str | None
    category: str | None
    created_at: datetime
    due_date: date | None


@dataclass(frozen=True, slots=True)
class CallSummary:
    id: int
    direction: CallDirection
    caller_number: str
    dialled_number: str | None
    line: str | None
    operator: str | None
    ringing_at: datetime
    answered_at: datetime | None
    ended_at: datetime | None
    outcome: CallOutcome | None
    ticket_number: str | None

    @property
    def talk_seconds(self) -> int | None:
        if self.answered_at is None or self.ended_at is None:
            return None
        return max(0, int((self.ended_at - self.answered_at).total_seconds()))


@dataclass(frozen=True, slots=True)
class Announcement:
    """A notice for callers from `regions` (empty: everyone), e.g. an outage, while it is valid."""

    id: int
    text: str
    regions: tuple[str, ...]
    valid_from: datetime
    valid_to: datetime | None

    def concerns(self, region: str | None) -> bool:
        """True when a customer in `region` should see it (region names compared case-blind)."""
        if not self.regions:
            return True
        return region is not None and region.strip().casefold() in {
            r.strip().casefold() for r in self.regions
        }


@dataclass(frozen=True, slots=True)
class CustomerCard:
    id: int
    contract_number: str
    name: str
    address: str | None
    region: str | None
    service_plan: str | None
    notes: str | None
    phones: tuple[str, ...]
    open_tickets: tuple[TicketSummary, ...]
    recent_calls: tuple[CallSummary, ...]
    announcements: tuple[Announcement, ...] = ()


@dataclass(frozen=True, slots=True)
class LookupResult:
    """The answer to one lookup.  `normalized` is the E.164 number, extension or cleaned text.

    For a phone or extension query, `number_calls` are the latest calls from that number whether
    or not a customer is known for it (an unknown caller who rang three times is worth knowing),
    and `extension_owner` names the operator who has that extension.
    """

    query: str
    kind: QueryKind
    normalized: str | None
    customers: tuple[CustomerCard, ...]
    number_calls: tuple[CallSummary, ...] = ()
    extension_owner: str | None = None


def to_jsonable(value: Any) -> Any:
    """Turn a (nested) card dataclass into JSON-ready dicts, lists and strings."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: to_jsonable(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, (list, tuple)):
        return [to_jsonable(v) for v in value]
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    return value
