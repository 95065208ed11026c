"""The screen pop and the search box: who is this, what is open for them, when did they last call.

`LookupService.lookup` is blocking and runs on the database worker thread.  Whatever the query
finds, it costs a fixed handful of queries (customers, their phones, their open tickets, their
calls by customer, calls by number, the announcements valid now, matched to each customer's region
in Python) -- never one query per customer -- and returns only frozen
`app.tickets.cards` values: no session or row leaves this module.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import fields
from datetime import datetime
from functools import cache
from typing import Any, TypeVar

from sqlalchemy import Connection, Engine, Row, Select, bindparam, func, or_, select, true
from sqlalchemy.orm import aliased

from app.errors import ValidationError
from app.storage.database import database_errors
from app.storage.schema import (
    Announcement,
    Call,
    Category,
    Customer,
    CustomerPhone,
    Line,
    Operator,
    Priority,
    Ticket,
    utcnow,
)
from app.tickets.cards import Announcement as AnnouncementCard
from app.tickets.cards import CallSummary, CustomerCard, LookupResult, TicketSummary
from app.tickets.enums import OPEN_TICKET_STATUSES, QueryKind
from app.tickets.phones import example_number, format_phone
from app.tickets.query import InvalidQuery, Query, classify

log = logging.getLogger(__name__)

_LIKE_ESCAPE = "\\"


def _like_fragment(term: str) -> str:
    escaped = term.replace(_LIKE_ESCAPE, _LIKE_ESCAPE * 2).replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


class LookupService:
    """Finds customers by phone, contract number or name, with their open tickets and last calls."""

    def __init__(
        self, engine: Engine, default_region: str, *, clock: Callable[[], datetime] = utcnow
    ) -> None:
        self._engine = engine
        self._region = default_region
        self._clock = clock

    def lookup(
        self, query: str, *, limit: int = 20, tickets_per_customer: int = 10, calls_per_customer: int = 5
    ) -> LookupResult:
        """Understand `query` and return the matching customer cards (at most `limit`).

        Raises:
            ValidationError: digits that are neither a phone number nor an extension.
            DatabaseUnavailable: the database cannot be reached.
        """
        try:
            parsed = classify(query, self._region)
        except InvalidQuery as exc:
            raise ValidationError(str(exc), fields=("query",)) from exc
        if parsed.kind is QueryKind.EMPTY:
            return LookupResult(query=query, kind=parsed.kind, normalized=None, customers=())
        with database_errors(self._engine), self._engine.connect() as conn:
            # The national reading first; an international one (digits sent without "+") only
            # when the first finds nobody.
            results = (
                self._lookup(
                    conn,
                    query,
                    reading,
                    limit=limit,
                    tickets_per=tickets_per_customer,
                    calls_per=calls_per_customer,
                )
                for reading in parsed.readings()
            )
            first = next(results)
            return first if first.customers else next((r for r in results if r.customers), first)

    def warm_up(self) -> str | None:
        """Pay the screen pop's one-off costs now (at start-up, on the worker), not on the first call.

        The first lookup of a process costs tens of milliseconds that later ones do not: building
        and compiling its statements (SQLAlchemy keeps the compiled form per engine), reading the
        indexes into this connection's page cache, and `phonenumbers` loading the metadata and
        patterns of the site's region.  One lookup of a stored number -- a customer with phones,
        calls and tickets to read, so every statement of a found caller runs -- pays them; its
        digits without "+" take the international reading's path too (caller IDs sent without
        it).  Reads only.  Returns the number used (None: not even the region has an example).
        """
        with database_errors(self._engine), self._engine.connect() as conn:
            number = conn.execute(_sample_number()).scalar_one_or_none()
        if number is None:  # no customers yet: the region's own numbers are what will ring
            number = example_number(self._region)
            if number is None:
                return None
        self.lookup(number)
        classify(number.removeprefix("+"), self._region)
        format_phone(number)  # the pop's display formatting, so the GUI thread finds it loaded
        return number

    def _lookup(
        self, conn: Connection, query: str, parsed: Query, *, limit: int, tickets_per: int, calls_per: int
    ) -> LookupResult:
        customers = _find_customers(conn, parsed, limit)
        ids = [row.id for row in customers]
        phones = _phones_by_customer(conn, ids)
        number = parsed.value if parsed.kind in (QueryKind.PHONE, QueryKind.EXTENSION) else None
        numbers = {n for nums in phones.values() for n in nums} | ({number} if number else set())
        calls_by_customer = _latest_calls(conn, "customer_id", ids, calls_per)
        calls_by_number = _latest_calls(conn, "caller_number", sorted(numbers), calls_per)
        tickets = _open_tickets(conn, ids, tickets_per)
        announcements = _current_announcements(conn, self._clock()) if ids else ()
        cards = tuple(
            CustomerCard(
                id=row.id,
                contract_number=row.contract_number,
                name=row.name,
                address=row.address,
                region=row.region,
                service_plan=row.service_plan,
                notes=row.notes,
                phones=tuple(phones.get(row.id, ())),
                open_tickets=tuple(tickets.get(row.id, ())),
                recent_calls=_merge_calls(
                    [
                        calls_by_customer.get(row.id, []),
                        *(calls_by_number.get(n, []) for n in phones.get(row.id, ())),
                    ],
                    calls_per,
                ),
                announcements=tuple(a for a in announcements if a.concerns(row.region)),
            )
            for row in customers
        )
        owner = None
        if parsed.kind is QueryKind.EXTENSION:
            owner = conn.execute(
                select(Operator.display_name).where(Operator.sip_extension == parsed.value)
            ).scalar_one_or_none()
        log.debug("lookup by %s: %d customers", parsed.kind, len(cards))  # no query text: it is personal data
        return LookupResult(
            query=query,
            kind=parsed.kind,
            normalized=parsed.value,
            customers=cards,
            number_calls=tuple(calls_by_number.get(number, [])) if number else (),
            extension_owner=owner,
        )


# The statements are built once and reused with bound parameters: building a SQLAlchemy statement
# with subqueries costs several milliseconds of Python per lookup, executing a cached one does not.


def _customer_columns() -> Select[*tuple[Any, ...]]:
    return select(
        Customer.id,
        Customer.contract_number,
        Customer.name,
        Customer.address,
        Customer.region,
        Customer.service_plan,
        Customer.notes,
    )


@cache
def _by_phone() -> Select[*tuple[Any, ...]]:
    owners = select(CustomerPhone.customer_id).where(CustomerPhone.e164 == bindparam("value"))
    return (
        _customer_columns()
        .where(Customer.id.in_(owners))
        .order_by(Customer.name, Customer.id)
        .limit(bindparam("limit"))
    )


@cache
def _sample_number() -> Select[str]:
    return select(CustomerPhone.e164).order_by(CustomerPhone.id.desc()).limit(1)


@cache
def _by_contract() -> Select[*tuple[Any, ...]]:
    return _customer_columns().where(Customer.contract_number == bindparam("value")).limit(bindparam("limit"))


@cache
def _by_name(words: int) -> Select[*tuple[Any, ...]]:
    stmt = _customer_columns()
    for i in range(words):
        stmt = stmt.where(Customer.name_search.like(bindparam(f"w{i}"), escape=_LIKE_ESCAPE))
    return stmt.order_by(Customer.name_search, Customer.id).limit(bindparam("limit"))


def _find_customers(conn: Connection, parsed: Query, limit: int) -> Sequence[Row[Any]]:
    if parsed.kind is QueryKind.PHONE:
        return conn.execute(_by_phone(), {"value": parsed.value, "limit": limit}).all()
    if parsed.kind is QueryKind.CONTRACT:
        return conn.execute(_by_contract(), {"value": parsed.value, "limit": limit}).all()
    if parsed.kind is QueryKind.NAME:
        words = parsed.value.split()
        params: dict[str, Any] = {f"w{i}": _like_fragment(w) for i, w in enumerate(words)}
        return conn.execute(_by_name(len(words)), {**params, "limit": limit}).all()
    return []


@cache
def _phones_statement() -> Select[*tuple[Any, ...]]:
    return (
        select(CustomerPhone.customer_id, CustomerPhone.e164)
        .where(CustomerPhone.customer_id.in_(bindparam("ids", expanding=True)))
        .order_by(CustomerPhone.customer_id, CustomerPhone.id)
    )


def _phones_by_customer(conn: Connection, ids: Sequence[int]) -> dict[int, list[str]]:
    result: dict[int, list[str]] = defaultdict(list)
    if ids:
        for customer_id, e164 in conn.execute(_phones_statement(), {"ids": list(ids)}):
            result[customer_id].append(e164)
    return result


def _latest_per_key(
    key: Any, order_by: tuple[Any, ...], columns: Sequence[Any], joins: Sequence[tuple[Any, Any]], where: Any
) -> Select[*tuple[Any, ...]]:
    """The first ``:per`` rows of each `key` value (``:values``) by `order_by`, in one query."""
    rank = func.row_number().over(partition_by=key, order_by=order_by).label("rank")
    inner = select(key.label("key"), *columns, rank)
    for target, on in joins:
        inner = inner.outerjoin(target, on)
    sub = inner.where(key.in_(bindparam("values", expanding=True)), where).subquery()
    return select(sub).where(sub.c.rank <= bindparam("per")).order_by(sub.c.key, sub.c.rank)


_Summary = TypeVar("_Summary", TicketSummary, CallSummary)


def _grouped(
    conn: Connection,
    statement: Select[*tuple[Any, ...]],
    values: Sequence[Any],
    per: int,
    card: type[_Summary],
) -> dict[Any, list[_Summary]]:
    """Run a `_latest_per_key` statement; each row becomes a `card` built from its same-named columns."""
    result: dict[Any, list[_Summary]] = defaultdict(list)
    if not values or per <= 0:
        return result
    names = [f.name for f in fields(card)]
    for row in conn.execute(statement, {"values": list(values), "per": per}).mappings():
        result[row["key"]].append(card(**{name: row[name] for name in names}))
    return result


@cache
def _tickets_statement() -> Select[*tuple[Any, ...]]:
    return _latest_per_key(
        Ticket.customer_id,
        (Ticket.created_at.desc(), Ticket.id.desc()),
        [
            Ticket.number,
            Ticket.subject,
            Ticket.status,
            Priority.name.label("priority"),
            Category.name.label("category"),
            Ticket.created_at,
            Ticket.due_date,
        ],
        [(Priority, Ticket.priority_id == Priority.id), (Category, Ticket.category_id == Category.id)],
        Ticket.status.in_(OPEN_TICKET_STATUSES),
    )


@cache
def _calls_statement(key_name: str) -> Select[*tuple[Any, ...]]:
    linked_ticket = aliased(Ticket)
    return _latest_per_key(
        Call.customer_id if key_name == "customer_id" else Call.caller_number,
        (Call.ringing_at.desc(), Call.id.desc()),
        [
            Call.id,
            Call.direction,
            Call.caller_number,
            Call.dialled_number,
            Line.name.label("line"),
            Operator.display_name.label("operator"),
            Call.ringing_at,
            Call.answered_at,
            Call.ended_at,
            Call.outcome,
            linked_ticket.number.label("ticket_number"),
        ],
        [
            (Line, Call.line_id == Line.id),
            (Operator, Call.operator_id == Operator.id),
            (linked_ticket, Call.ticket_id == linked_ticket.id),
        ],
        true(),
    )


@cache
def _announcements_statement() -> Select[*tuple[Any, ...]]:
    now = bindparam("now", type_=Announcement.valid_from.type)
    return (
        select(
            Announcement.id,
            Announcement.text,
            Announcement.regions,
            Announcement.valid_from,
            Announcement.valid_to,
        )
        .where(
            Announcement.valid_from <= now, or_(Announcement.valid_to.is_(None), Announcement.valid_to > now)
        )
        .order_by(Announcement.valid_from.desc(), Announcement.id.desc())
    )


def _current_announcements(conn: Connection, now: datetime) -> tuple[AnnouncementCard, ...]:
    """Every announcement valid at `now` (there are a handful at most; regions are matched later)."""
    return tuple(
        AnnouncementCard(id=i, text=text, regions=tuple(regions or ()), valid_from=start, valid_to=end)
        for i, text, regions, start, end in conn.execute(_announcements_statement(), {"now": now})
    )


def _open_tickets(conn: Connection, ids: Sequence[int], per_customer: int) -> dict[int, list[TicketSummary]]:
    return _grouped(conn, _tickets_statement(), ids, per_customer, TicketSummary)


def _latest_calls(
    conn: Connection, key_name: str, values: Sequence[Any], per_key: int
) -> dict[Any, list[CallSummary]]:
    """The `per_key` latest calls for each value of `key_name` (customer_id or caller_number)."""
    return _grouped(conn, _calls_statement(key_name), values, per_key, CallSummary)


def _merge_calls(groups: Iterable[Iterable[CallSummary]], limit: int) -> tuple[CallSummary, ...]:
    """Latest first, each call once: a call can be both linked to the customer and from their number."""
    unique = {call.id: call for group in groups for call in group}
    return tuple(sorted(unique.values(), key=lambda c: (c.ringing_at, c.id), reverse=True)[:limit])
