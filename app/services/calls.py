"""Calls as they happen: recorded at ring, answered, held, ended with an outcome and a reason.

Blocking; runs on the database worker thread, a session per call.  Missed, abandoned and rejected
calls are recorded like any other (``ended(..., CallOutcome.MISSED, end_reason=...)``), so a
callback list can be built; `app.tickets.calls` says which outcome and reason each path gets.
``ringing`` takes the uid the desk chose, so writing it again after a failure that may have
committed finds the same row instead of making a second one.
On a central-database deployment the service works on the desk's cache and every write also goes
to the outbox in the same transaction (`recorder`, see `app.sync.capture`); the central database
learns of the call by its ``uid``.

Caller and dialled numbers are stored in E.164 (or as extension digits) when they can be read as
such, otherwise as received (``anonymous``, a SIP user name), cut to the column's width.
"""

from __future__ import annotations

import logging
from datetime import datetime

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from app.errors import ValidationError
from app.services.sessions import operator_id, session_scope
from app.storage.schema import Call, Line, LineNumber, Ticket
from app.sync import changes
from app.sync.capture import OutboxRecorder
from app.sync.changes import PendingChange
from app.sync.outbox import new_uid
from app.tickets.calls import CallRecord, OutcomeMismatch, check_outcome
from app.tickets.enums import CallDirection, CallEndReason, CallOutcome
from app.tickets.phones import InvalidPhoneNumber, parse_number

log = logging.getLogger(__name__)

ANONYMOUS = "anonymous"
_NUMBER_WIDTH = 32


class CallNotFound(ValidationError):
    def __init__(self, call_id: int) -> None:
        super().__init__(f"Call {call_id} does not exist.")
        self.call_id = call_id


def stored_number(text: str | None, default_region: str) -> str:
    """How a number is kept: E.164 or extension digits when it reads as one, else as received."""
    raw = (text or "").strip()
    if not raw:
        return ANONYMOUS
    try:
        return parse_number(raw, default_region).value
    except InvalidPhoneNumber:
        return raw[:_NUMBER_WIDTH]


class CallService:
    def __init__(
        self, engine: Engine, default_region: str, *, recorder: OutboxRecorder | None = None
    ) -> None:
        self._engine = engine
        self._region = default_region
        self._recorder = recorder

    def _record(self, s: Session, change: PendingChange) -> None:
        if self._recorder is not None:
            self._recorder.record(s, change)

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
    ) -> CallRecord:
        """Record a call the moment it rings; the line is found from the dialled number.

        `uid`: the row's uid, chosen by the caller; when a row with it exists already (a retry),
        that row is returned and nothing is written.
        """
        dialled = stored_number(dialled_number, self._region) if dialled_number else None
        with session_scope(self._engine) as s:
            if uid is not None:
                existing = s.scalar(select(Call).where(Call.uid == uid))
                if existing is not None:
                    return _record(s, existing)
            line_id = None
            if dialled_number:
                candidates = {dialled_number.strip(), dialled or ""} - {""}
                line_id = s.scalar(
                    select(LineNumber.line_id).where(LineNumber.number.in_(candidates)).limit(1)
                )
            call = Call(
                direction=direction,
                caller_number=stored_number(caller_number, self._region),
                caller_name=(display_name or "").strip()[:200] or None,
                dialled_number=dialled,
                line_id=line_id,
                operator_id=operator_id(s, operator_login),
                customer_id=customer_id,
                ringing_at=at,
                hold_seconds=0,
                uid=uid or new_uid(),
            )
            s.add(call)
            s.flush()
            self._record(
                s,
                changes.call_ringing(
                    uid=call.uid,
                    direction=call.direction,
                    caller_number=call.caller_number,
                    caller_name=call.caller_name,
                    dialled_number=call.dialled_number,
                    ringing_at=at,
                    line_id=call.line_id,
                    operator_id=call.operator_id,
                    customer_id=customer_id,
                ),
            )
            return _record(s, call)

    def answered(self, call_id: int, at: datetime, operator_login: str | None = None) -> CallRecord:
        with session_scope(self._engine) as s:
            call = _call(s, call_id)
            call.answered_at = at
            if operator_login:
                call.operator_id = operator_id(s, operator_login)
            self._record(s, changes.call_answered(_uid(call), at, call.operator_id))
            return _record(s, call)

    def identify(self, call_id: int, customer_id: int | None) -> CallRecord:
        """The operator chose (or corrected) who is calling."""
        with session_scope(self._engine) as s:
            call = _call(s, call_id)
            call.customer_id = customer_id
            self._record(s, changes.call_updated(_uid(call), customer_id=customer_id))
            return _record(s, call)

    def add_hold(self, call_id: int, seconds: float) -> CallRecord:
        """Add one hold period (measured by the window from hold to resume) to the call's total."""
        if seconds < 0:
            raise ValueError("A hold cannot last a negative time.")
        with session_scope(self._engine) as s:
            call = _call(s, call_id)
            call.hold_seconds = (call.hold_seconds or 0) + round(seconds)
            self._record(s, changes.call_updated(_uid(call), hold_seconds=call.hold_seconds))
            return _record(s, call)

    def ended(
        self,
        call_id: int,
        at: datetime,
        outcome: CallOutcome,
        disposition: str | None = None,
        *,
        end_reason: CallEndReason | None = None,
        transferred_to: str | None = None,
    ) -> CallRecord:
        """Close the record with its outcome, why it ended, and where it was transferred to.

        Raises:
            ValidationError: the outcome does not fit (``missed`` for an answered call).
        """
        with session_scope(self._engine) as s:
            call = _call(s, call_id)
            try:
                check_outcome(call.answered_at is not None, outcome)
            except OutcomeMismatch as exc:
                raise ValidationError(str(exc), fields=("outcome",)) from exc
            call.ended_at = at
            call.outcome = outcome
            call.end_reason = end_reason
            call.transferred_to = (transferred_to or "").strip()[:200] or None
            if disposition is not None:
                call.disposition = disposition.strip()[:100] or None
            self._record(
                s,
                changes.call_ended(
                    _uid(call),
                    at,
                    outcome,
                    disposition=call.disposition if disposition is not None else None,
                    hold_seconds=call.hold_seconds,
                    end_reason=end_reason,
                    transferred_to=call.transferred_to,
                ),
            )
            log.info("call %d ended: %s (%s)", call_id, outcome, end_reason or "no reason given")
            return _record(s, call)

    def set_disposition(self, call_id: int, disposition: str | None) -> CallRecord:
        """What came of the call, chosen during wrap-up: a code (`app.tickets.dispositions`)."""
        with session_scope(self._engine) as s:
            call = _call(s, call_id)
            call.disposition = (disposition or "").strip()[:100] or None
            self._record(s, changes.call_updated(_uid(call), disposition=call.disposition))
            return _record(s, call)

    def link_ticket(self, call_id: int, ticket_id: int) -> CallRecord:
        with session_scope(self._engine) as s:
            call = _call(s, call_id)
            call.ticket_id = ticket_id
            ticket_uid = s.scalar(select(Ticket.uid).where(Ticket.id == ticket_id))
            if ticket_uid is not None:
                self._record(s, changes.call_updated(_uid(call), ticket_uid=ticket_uid))
            return _record(s, call)

    def get(self, call_id: int) -> CallRecord:
        with session_scope(self._engine) as s:
            return _record(s, _call(s, call_id))


def _call(s: Session, call_id: int) -> Call:
    call = s.get(Call, call_id)
    if call is None:
        raise CallNotFound(call_id)
    return call


def _uid(call: Call) -> str:
    """The call's uid; a row from before migration 0004 gets one now (the central database has
    it under its id only, so later changes to it cannot be sent: acceptable for legacy rows)."""
    if call.uid is None:
        call.uid = new_uid()
    return call.uid


def _record(s: Session, call: Call) -> CallRecord:
    s.flush()
    line = s.scalar(select(Line.name).where(Line.id == call.line_id)) if call.line_id else None
    return CallRecord(
        id=call.id,
        direction=call.direction,
        caller_number=call.caller_number,
        caller_name=call.caller_name,
        dialled_number=call.dialled_number,
        line_id=call.line_id,
        line=line,
        customer_id=call.customer_id,
        operator_id=call.operator_id,
        ringing_at=call.ringing_at,
        answered_at=call.answered_at,
        ended_at=call.ended_at,
        outcome=call.outcome,
        hold_seconds=call.hold_seconds,
        disposition=call.disposition,
        ticket_id=call.ticket_id,
        end_reason=call.end_reason,
        transferred_to=call.transferred_to,
        uid=call.uid,
    )
