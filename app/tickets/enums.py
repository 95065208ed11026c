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
    """What came of a call for the caller (see `app.tickets.calls` for which fits when)."""

    ANSWERED = "answered"
    MISSED = "missed"  # offered and not picked up: rang out, or lost before the operator could
    ABANDONED = "abandoned"  # the caller gave up (hung up) while it rang
    TRANSFERRED = "transferred"  # answered and passed on (blind transfer)
    REJECTED = "rejected"  # refused: by the operator, or because the desk was not taking calls


class CallEndReason(enum.StrEnum):
    """Why a call ended, stored next to its outcome (``calls.end_reason``, migration 0007)."""

    CALLER_HUNG_UP = "caller_hung_up"
    OPERATOR_HUNG_UP = "operator_hung_up"
    RING_TIMEOUT = "ring_timeout"  # nobody answered before the phone's ring timeout
    OPERATOR_REJECTED = "operator_rejected"  # Shift+F9 (or F9) while it rang
    NOT_READY = "not_ready"  # refused: the operator was Not ready
    ON_BREAK = "on_break"  # refused: the operator was on a break
    WRAP_UP = "wrap_up"  # refused: the operator was finishing the previous call
    BUSY = "busy"  # refused: the operator was on another call
    TRANSFERRED = "transferred"
    ENGINE_DIED = "engine_died"  # the softphone process died: the call was cut
    WINDOW_CLOSED = "window_closed"  # the operator closed the window during the call
    FAILED = "failed"  # the SIP dialogue failed (e.g. answered but never confirmed)


class QueryKind(enum.StrEnum):
    """How a lookup query was understood."""

    PHONE = "phone"
    EXTENSION = "extension"
    CONTRACT = "contract"
    NAME = "name"
    EMPTY = "empty"
