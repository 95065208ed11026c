"""Tickets: created at answer, saved and closed through the required-field rules.

Every method is blocking and runs on the database worker thread; each opens and closes its own
session, and returns frozen `app.tickets` values only.

Where the rules are enforced:
* `save` and `close` refuse a status change `app.tickets.rules.TRANSITIONS` does not allow and a
  draft with required fields empty (`ValidationError` whose ``fields`` are `FieldName` ids in form
  order);
* the database refuses a resolved/closed ticket without category, complexity and resolution and an
  escalated one without department and due date (CHECK constraints, migration 0002), whoever
  writes;
* `create_for_call` is the system opening a ticket at answer, before anything is known: it only
  takes a number and links the call; the operator's first save is checked like any other.

On a central-database deployment the service works on the desk's cache and every write also goes
to the outbox in the same transaction (`recorder`, see `app.sync.capture`): ``ticket_created``,
``ticket_saved`` with the version the operator edited (the central database refuses it when someone
saved in between: a conflict for the operator, never an overwrite) and append-only comments.

A ticket number comes from the desk's `TicketNumberAllocator` *before* the database is touched, so
the operator can read it to the caller even when the central database is down
(`TicketNotStored.number`, and `create_for_call(..., number=...)` to store it later).
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Callable
from datetime import date, datetime
from typing import Any

from sqlalchemy import Engine, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from app.errors import DatabaseUnavailable, EditConflict, ValidationError
from app.services.sessions import operator_id, session_scope
from app.storage.schema import (
    Call,
    ComplexityLevel,
    Department,
    Line,
    Operator,
    Priority,
    Ticket,
    TicketEvent,
    utcnow,
)
from app.storage.seed import categories, required_field_rules
from app.sync import changes
from app.sync.capture import OutboxRecorder
from app.sync.changes import PendingChange
from app.sync.outbox import new_uid
from app.sync.tables import TICKET_FIELDS
from app.tickets.drafts import Choice, FieldName, OperatorChoice, TicketDraft, TicketEventView, TicketView
from app.tickets.enums import TicketEventKind, TicketStatus
from app.tickets.numbering import LeaseFunction, TicketNumberAllocator
from app.tickets.reference import ReferenceData
from app.tickets.rules import (
    IllegalTransition,
    Transition,
    missing_fields,
    missing_summary,
    transition_between,
)

log = logging.getLogger(__name__)

# The CHECK constraints of migration 0002 and the fields each one needs.
_CHECKS: dict[str, tuple[FieldName, ...]] = {
    "closed_needs": (FieldName.CATEGORY, FieldName.COMPLEXITY, FieldName.RESOLUTION),
    "escalated_needs": (FieldName.DEPARTMENT, FieldName.DUE_DATE),
}


class TicketNotFound(ValidationError):
    def __init__(self, ticket_id: int) -> None:
        super().__init__(f"Ticket {ticket_id} does not exist.", fields=())
        self.ticket_id = ticket_id


class TicketNotStored(DatabaseUnavailable):
    """The ticket got its `number` but could not be stored yet; retry with ``number=``."""

    def __init__(self, message: str, number: str) -> None:
        super().__init__(message)
        self.number = number


def _jsonable(value: Any) -> Any:
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    return value


def _add_event(
    s: Session,
    ticket_id: int,
    kind: TicketEventKind,
    payload: dict[str, Any],
    *,
    author_id: int | None,
    at: datetime,
) -> TicketEvent:
    event = TicketEvent(
        ticket_id=ticket_id, kind=kind, author_id=author_id, at=at, payload=payload, uid=new_uid()
    )
    s.add(event)
    return event


def draft_of(ticket: Ticket) -> TicketDraft:
    return TicketDraft(
        customer_id=ticket.customer_id,
        line_id=ticket.line_id,
        category_id=ticket.category_id,
        complexity_id=ticket.complexity_id,
        priority_id=ticket.priority_id,
        subject=ticket.subject,
        description=ticket.description or "",
        resolution=ticket.resolution or "",
        status=ticket.status,
        department_id=ticket.department_id,
        assignee_id=ticket.assignee_id,
        due_date=ticket.due_date,
    )


def _fields_of(ticket: Ticket) -> dict[str, Any]:
    """The form's fields as stored (`TICKET_FIELDS`), to send only what a save changed."""
    return {name: getattr(ticket, name) for name in TICKET_FIELDS}


def _apply(ticket: Ticket, draft: TicketDraft) -> None:
    ticket.customer_id = draft.customer_id
    ticket.line_id = draft.line_id
    ticket.category_id = draft.category_id
    ticket.complexity_id = draft.complexity_id
    ticket.priority_id = draft.priority_id
    ticket.subject = draft.subject.strip()
    ticket.description = draft.description.strip() or None
    ticket.resolution = draft.resolution.strip() or None
    ticket.status = draft.status
    ticket.department_id = draft.department_id
    ticket.assignee_id = draft.assignee_id
    ticket.due_date = draft.due_date


class TicketService:
    """Blocking ticket operations for the window (run them on the `DatabaseWorker`)."""

    def __init__(
        self,
        engine: Engine,
        allocator: TicketNumberAllocator,
        *,
        lease: LeaseFunction | None = None,
        clock: Callable[[], datetime] = utcnow,
        recorder: OutboxRecorder | None = None,
    ) -> None:
        """`lease` is `app.storage.number_blocks.lease_function(central_engine, workstation_id)`;
        `recorder` sends every write to the central database too (see the module docstring)."""
        self._engine = engine
        self._allocator = allocator
        self._lease = lease
        self._clock = clock
        self._recorder = recorder

    def _record(self, s: Session, change: PendingChange) -> None:
        if self._recorder is not None:
            self._recorder.record(s, change)

    def top_up_numbers(self) -> int:
        """Lease ticket number blocks if the desk's reserve is low (call it now and then).

        Returns how many blocks were leased (0 when the reserve is full enough or no lease
        function was given).

        Raises:
            DatabaseUnavailable: the central database cannot be reached; numbers keep coming from
                the reserve, then provisionally.
        """
        if self._lease is None:
            return 0
        return self._allocator.top_up(self._lease)

    # --- reading --------------------------------------------------------------------------------

    def reference_data(self) -> ReferenceData:
        """Everything the form's combo boxes show, plus the rules matched to the category tree."""
        with session_scope(self._engine) as s:
            conn = s.connection()
            tree = categories(conn)

            def choices(entity: Any, *order: Any) -> tuple[Choice, ...]:
                rows = s.execute(select(entity.id, entity.name).order_by(*order)).all()
                return tuple(Choice(i, n) for i, n in rows)

            operators = s.execute(
                select(
                    Operator.id,
                    Operator.login,
                    Operator.display_name,
                    Operator.position,
                    Operator.department_id,
                )
                .where(Operator.active.is_(True))
                .order_by(Operator.display_name)
            ).all()
            return ReferenceData(
                lines=choices(Line, Line.name),
                categories=tree,
                complexity_levels=choices(ComplexityLevel, ComplexityLevel.rank),
                priorities=choices(Priority, Priority.rank),
                departments=choices(Department, Department.name),
                operators=tuple(OperatorChoice(*row) for row in operators),
                rules=required_field_rules(conn, tree),
            )

    def get(self, ticket_id: int) -> TicketView:
        with session_scope(self._engine) as s:
            return self._view(s, self._ticket(s, ticket_id))

    # --- writing --------------------------------------------------------------------------------

    def create_for_call(
        self,
        call_id: int | None,
        customer_id: int | None,
        line_id: int | None,
        operator_login: str | None,
        *,
        number: str | None = None,
    ) -> TicketView:
        """Open the ticket of an answered call: a number at once, the call linked.

        `number` is given only when retrying after `TicketNotStored`, to keep the number the
        caller was already told.

        Raises:
            TicketNotStored: the database is unreachable; ``number`` is the ticket's number.
        """
        number = number or self._allocator.allocate().text
        try:
            with session_scope(self._engine) as s:
                author = operator_id(s, operator_login)
                ticket = Ticket(
                    uid=new_uid(),
                    number=number,
                    customer_id=customer_id,
                    line_id=line_id,
                    status=TicketStatus.NEW,
                    subject="",
                    created_by_id=author,
                    updated_by_id=author,
                )
                s.add(ticket)
                s.flush()
                now = self._clock()
                created = _add_event(
                    s,
                    ticket.id,
                    TicketEventKind.CREATED,
                    {"number": number, "status": TicketStatus.NEW.value},
                    author_id=author,
                    at=now,
                )
                call = s.get(Call, call_id) if call_id is not None else None
                if call_id is not None and call is None:
                    log.warning("call %s not found: ticket %s is not linked to it", call_id, number)
                link = None
                if call is not None:
                    call.ticket_id = ticket.id
                    link = _add_event(
                        s,
                        ticket.id,
                        TicketEventKind.CALL_LINK,
                        {"call_id": call_id},
                        author_id=author,
                        at=now,
                    )
                s.flush()
                call_uid = call.uid if call is not None else None
                self._record(
                    s,
                    changes.ticket_created(
                        uid=ticket.uid,
                        number=number,
                        at=now,
                        customer_id=customer_id,
                        line_id=line_id,
                        created_by_id=author,
                        call_uid=call_uid,
                        event_uid=created.uid,
                        link_event_uid=link.uid if (link is not None and call_uid) else None,
                    ),
                )
                log.info("ticket %s created for call %s", number, call_id)
                return self._view(s, ticket)
        except DatabaseUnavailable as exc:
            raise TicketNotStored(str(exc), number) from exc

    def save(
        self, ticket_id: int, draft: TicketDraft, expected_version: int, operator_login: str | None
    ) -> TicketView:
        """Store `draft` over the ticket at `expected_version`.

        Raises:
            EditConflict: someone saved the ticket since `expected_version`; nothing was written.
            ValidationError: an illegal status change (``fields == ("status",)``) or required
                fields left empty (``fields`` in form order).
            TicketNotFound: no such ticket.
        """
        try:
            with session_scope(self._engine) as s:
                ticket = self._ticket(s, ticket_id)
                if ticket.version != expected_version:
                    raise self._conflict(s, ticket, expected_version)
                old = draft_of(ticket)
                try:
                    transition = transition_between(old.status, draft.status)
                except IllegalTransition as exc:
                    raise ValidationError(str(exc), fields=(FieldName.STATUS.value,)) from exc
                missing = missing_fields(draft, transition, required_field_rules(s.connection()))
                if missing:
                    raise ValidationError(missing_summary(missing), fields=tuple(f.value for f in missing))
                before = _fields_of(ticket)
                author, now, events = self._write_changes(
                    s, ticket, old=old, draft=draft, transition=transition, operator_login=operator_login
                )
                after = _fields_of(ticket)
                if ticket.uid is None:  # a ticket from before migration 0004
                    ticket.uid = new_uid()
                self._record(
                    s,
                    changes.ticket_saved(
                        ticket.uid,
                        expected_version=expected_version,
                        fields={name: value for name, value in after.items() if before[name] != value},
                        at=now,
                        updated_by_id=author,
                        events=[(e.kind, e.payload or {}) for e in events],
                        event_uids=[e.uid or new_uid() for e in events],
                    ),
                )
                return self._view(s, ticket)
        except StaleDataError:
            # Someone committed between our read and our write.
            current = self.get(ticket_id)
            raise EditConflict(
                _conflict_message(current), expected_version, current.version, current
            ) from None
        except IntegrityError as exc:
            failed = next((fields for name, fields in _CHECKS.items() if name in str(exc.orig)), None)
            if failed is None:
                raise
            empty = tuple(f.value for f in failed if not draft.is_filled(f)) or tuple(f.value for f in failed)
            raise ValidationError(
                "The database refused the ticket: required fields are empty.", empty
            ) from exc

    def close(
        self, ticket_id: int, draft: TicketDraft, expected_version: int, operator_login: str | None
    ) -> TicketView:
        """`save` with the status set to closed (the ``close`` rules apply)."""
        return self.save(
            ticket_id,
            dataclasses.replace(draft, status=TicketStatus.CLOSED),
            expected_version,
            operator_login,
        )

    def add_comment(self, ticket_id: int, text: str, operator_login: str | None) -> TicketView:
        """Append a comment; it does not change the ticket's version (no edit conflict with the form)."""
        if not text.strip():
            raise ValidationError("A comment cannot be empty.", fields=("comment",))
        with session_scope(self._engine) as s:
            ticket = self._ticket(s, ticket_id)
            author = operator_id(s, operator_login)
            now = self._clock()
            comment = _add_event(
                s,
                ticket.id,
                TicketEventKind.COMMENT,
                {"text": text.strip()},
                author_id=author,
                at=now,
            )
            s.flush()
            if ticket.uid is not None and comment.uid is not None:
                self._record(
                    s,
                    changes.ticket_event(
                        ticket.uid,
                        comment.kind,
                        comment.payload or {},
                        now,
                        author_id=author,
                        uid=comment.uid,
                    ),
                )
            return self._view(s, ticket)

    # --- helpers --------------------------------------------------------------------------------

    def _write_changes(
        self,
        s: Session,
        ticket: Ticket,
        *,
        old: TicketDraft,
        draft: TicketDraft,
        transition: Transition,
        operator_login: str | None,
    ) -> tuple[int | None, datetime, list[TicketEvent]]:
        """Write the draft and its history events; returns (author id, time, the events)."""
        author = operator_id(s, operator_login)
        now = self._clock()
        events: list[TicketEvent] = []
        changed = [f for f in draft.changes_from(old) if f is not FieldName.STATUS]
        _apply(ticket, draft)
        ticket.updated_by_id = author
        ticket.updated_at = now
        if changed:
            payload = {
                f.value: {"from": _jsonable(old.value(f)), "to": _jsonable(draft.value(f))} for f in changed
            }
            events.append(
                _add_event(s, ticket.id, TicketEventKind.FIELD_CHANGE, payload, author_id=author, at=now)
            )
        if old.status is not draft.status:
            status_event = _add_event(
                s,
                ticket.id,
                TicketEventKind.STATUS_CHANGE,
                {
                    "from": old.status.value,
                    "to": draft.status.value,
                    "transition": transition.value,
                },
                author_id=author,
                at=now,
            )
            events.append(status_event)
        s.flush()
        log.info("ticket %s saved (%s, %d fields changed)", ticket.number, transition, len(changed))
        return author, now, events

    @staticmethod
    def _ticket(s: Session, ticket_id: int) -> Ticket:
        ticket = s.get(Ticket, ticket_id)
        if ticket is None:
            raise TicketNotFound(ticket_id)
        return ticket

    def _conflict(self, s: Session, ticket: Ticket, expected_version: int) -> EditConflict:
        current = self._view(s, ticket)
        return EditConflict(_conflict_message(current), expected_version, current.version, current)

    @staticmethod
    def _view(s: Session, ticket: Ticket) -> TicketView:
        if s.get_bind().dialect.name == "postgresql":
            s.flush()
            s.refresh(ticket, ["updated_at"])  # the server's clock stamped it (migration 0006)
        ids = {ticket.created_by_id, ticket.updated_by_id} - {None}
        authors: dict[int, str] = dict(
            s.execute(select(Operator.id, Operator.display_name).where(Operator.id.in_(ids))).all()
        )
        events = s.execute(
            select(
                TicketEvent.id, TicketEvent.kind, Operator.display_name, TicketEvent.at, TicketEvent.payload
            )
            .outerjoin(Operator, TicketEvent.author_id == Operator.id)
            .where(TicketEvent.ticket_id == ticket.id)
            .order_by(TicketEvent.at, TicketEvent.id)
        ).all()
        call_ids = s.scalars(select(Call.id).where(Call.ticket_id == ticket.id).order_by(Call.id)).all()
        return TicketView(
            id=ticket.id,
            number=ticket.number,
            version=ticket.version,
            draft=draft_of(ticket),
            created_at=ticket.created_at,
            updated_at=ticket.updated_at,
            created_by=authors.get(ticket.created_by_id) if ticket.created_by_id else None,
            updated_by=authors.get(ticket.updated_by_id) if ticket.updated_by_id else None,
            call_ids=tuple(call_ids),
            events=tuple(
                TicketEventView(id=i, kind=k, author=a, at=at, payload=dict(p or {}))
                for i, k, a, at, p in events
            ),
        )


def _conflict_message(current: TicketView) -> str:
    who = current.updated_by or "someone else"
    return (
        f"Ticket {current.number} was changed by {who} while you were editing it "
        f"(now version {current.version}). Nothing was overwritten: compare and save again."
    )
