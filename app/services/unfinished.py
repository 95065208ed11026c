"""Tickets left without their required fields: the operator's own, and a department's for its lead.

A call's ticket is opened at answer with nothing but a number; if the call ends and nobody fills
it in, it must not disappear from view.  These queries find every open ticket that lacks what the
rules require for it to stay in its status (`app.tickets.unfinished.still_missing`), with the
fields it lacks:

* `of_operator(login)` -- the tickets that operator opened (their "my unfinished tickets");
* `of_department(department_id)` -- the tickets opened by that department's operators, for the
  shift lead's board (what a lead may read is limited by row-level security on the central
  database, so a lead asking for another department gets nothing they may not see).

Blocking, one session per call: run them on the database worker (as `app.services.ports.UnfinishedPort`).
"""

from __future__ import annotations

from sqlalchemy import ColumnElement, Engine, false, func, or_, select
from sqlalchemy.orm import Session, aliased

from app.services.sessions import operator_id, session_scope
from app.services.tickets import draft_of
from app.storage.schema import Operator, Ticket
from app.storage.seed import required_field_rules
from app.tickets.drafts import FieldName
from app.tickets.enums import OPEN_TICKET_STATUSES
from app.tickets.rules import RequiredFieldRules
from app.tickets.unfinished import UnfinishedTicket, fields_open_tickets_may_need, still_missing

LIMIT = 500  # more than a board shows; a desk with more has a bigger problem than this list

_EMPTY: dict[FieldName, ColumnElement[bool]] = {
    FieldName.CUSTOMER: Ticket.customer_id.is_(None),
    FieldName.LINE: Ticket.line_id.is_(None),
    FieldName.CATEGORY: Ticket.category_id.is_(None),
    FieldName.COMPLEXITY: Ticket.complexity_id.is_(None),
    FieldName.PRIORITY: Ticket.priority_id.is_(None),
    FieldName.SUBJECT: func.trim(Ticket.subject) == "",
    FieldName.DESCRIPTION: or_(Ticket.description.is_(None), func.trim(Ticket.description) == ""),
    FieldName.RESOLUTION: or_(Ticket.resolution.is_(None), func.trim(Ticket.resolution) == ""),
    FieldName.DEPARTMENT: Ticket.department_id.is_(None),
    FieldName.ASSIGNEE: Ticket.assignee_id.is_(None),
    FieldName.DUE_DATE: Ticket.due_date.is_(None),
}
"""SQL for "this field is empty", to let the database skip tickets that cannot lack anything."""


class UnfinishedTicketService:
    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def of_operator(self, operator_login: str | None) -> tuple[UnfinishedTicket, ...]:
        """Open tickets `operator_login` created that lack required fields, newest first."""
        with session_scope(self._engine) as s:
            me = operator_id(s, operator_login)
            if me is None:
                return ()
            return self._unfinished(s, Ticket.created_by_id == me)

    def of_department(self, department_id: int) -> tuple[UnfinishedTicket, ...]:
        """Open tickets created by `department_id`'s operators that lack required fields."""
        with session_scope(self._engine) as s:
            members = select(Operator.id).where(Operator.department_id == department_id)
            return self._unfinished(s, Ticket.created_by_id.in_(members.scalar_subquery()))

    def _unfinished(self, s: Session, whose: ColumnElement[bool]) -> tuple[UnfinishedTicket, ...]:
        rules = required_field_rules(s.connection())
        author = aliased(Operator)
        rows = s.execute(
            select(Ticket, author.login)
            .outerjoin(author, Ticket.created_by_id == author.id)
            .where(whose, Ticket.status.in_(OPEN_TICKET_STATUSES), _may_lack_something(rules))
            .order_by(Ticket.created_at.desc(), Ticket.id.desc())
            .limit(LIMIT)
        ).all()
        found = []
        for ticket, login in rows:
            draft = draft_of(ticket)
            missing = still_missing(draft, rules)
            if missing:
                found.append(
                    UnfinishedTicket(
                        ticket_id=ticket.id,
                        number=ticket.number,
                        subject=ticket.subject,
                        status=ticket.status,
                        created_at=ticket.created_at,
                        created_by=login,
                        missing=missing,
                    )
                )
        return tuple(found)


def _may_lack_something(rules: RequiredFieldRules) -> ColumnElement[bool]:
    conditions = [_EMPTY[name] for name in sorted(fields_open_tickets_may_need(rules)) if name in _EMPTY]
    return or_(*conditions) if conditions else false()
