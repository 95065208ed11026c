"""Closed vocabularies of the domain, shared by storage, services and UI."""

from __future__ import annotations

import enum


class Role(enum.StrEnum):
    OPERATOR = "operator"
    SHIFT_LEAD = "shift_lead"
    ADMIN = "admin"


class TicketStatus(enum.StrEnum):
    NEW = "new"
    IN_PROGRESS = "in_progress"
    ESCALATED = "escalated"  # passed to second line / another department
    WAITING_CUSTOMER = "waiting_customer"
    RESOLVED = "resolved"
    CLOSED = "closed"

    @property
    def is_open(self) -> bool:
        return self not in (TicketStatus.RESOLVED, TicketStatus.CLOSED)


OPEN_TICKET_STATUSES: tuple[TicketStatus, ...] = tuple(s for s in TicketStatus if s.is_open)


class TicketEventKind(enum.StrEnum):
    CREATED = "created"
    COMMENT = "comment"
    STATUS_CHANGE = "status_change"
    FIELD_CHANGE = "field_change"
    TRANSFER = "transfer"
    CALL_LINK = "call_link"


class CallDirection(enum.StrEnum):
    INBOUND = "inbound"
    OUTBOUND = "outbound"


class CallOutcome(enum.StrEnum):
    ANSWERED = "answered"
    MISSED = "missed"
    ABANDONED = "abandoned"
    TRANSFERRED = "transferred"
    REJECTED = "rejected"


class QueryKind(enum.StrEnum):
    """How a lookup query was understood."""

    PHONE = "phone"
    EXTENSION = "extension"
    CONTRACT = "contract"
    NAME = "name"
    EMPTY = "empty"
