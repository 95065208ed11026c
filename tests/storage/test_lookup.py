"""The screen pop's lookup, on SQLite and PostgreSQL, against a small hand-made customer base."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import Engine, event
from sqlalchemy.orm import Session

from app.errors import ValidationError
from app.services.lookup import LookupService
from app.storage.schema import (
    Announcement,
    Call,
    Category,
    ComplexityLevel,
    Customer,
    CustomerPhone,
    Department,
    Line,
    LineNumber,
    Operator,
    Ticket,
)
from app.tickets.cards import LookupResult
from app.tickets.enums import CallDirection, CallOutcome, QueryKind, TicketStatus
from app.tickets.numbering import format_regular
from app.tickets.phones import example_number

SHARED = "+79123456789"
T0 = datetime(2026, 11, 1, 9, 0, tzinfo=UTC)


@dataclass(frozen=True)
class Seeded:
    petr: int
    anna: int
    john: int
    smith: int


def _customer(session: Session, contract: str, name: str, *phones: str) -> int:
    customer = Customer(contract_number=contract, name=name, address="addr", region="r", service_plan="p")
    customer.phones = [CustomerPhone(e164=p, label="mobile") for p in phones]
    session.add(customer)
    session.flush()
    return customer.id


def _call(customer_id: int | None, number: str, minutes: int, **extra: object) -> Call:
    return Call(
        direction=CallDirection.INBOUND,
        caller_number=number,
        customer_id=customer_id,
        ringing_at=T0 + timedelta(minutes=minutes),
        outcome=CallOutcome.ANSWERED,
        **extra,
    )


@pytest.fixture
def seeded(engine: Engine) -> Seeded:
    with Session(engine) as session, session.begin():
        line = Line(name="Home internet", numbers=[LineNumber(number="+78005550100")])
        operator = Operator(login="ivanov", display_name="Иван Иванов", sip_extension="1001")
        # What the database requires of resolved, closed and escalated tickets (migration 0002).
        category, complexity, department = (
            Category(name="Internet"),
            ComplexityLevel(name="Simple", rank=1),
            Department(name="Second line"),
        )
        session.add_all([line, operator, category, complexity, department])
        session.flush()
        done = {"category_id": category.id, "complexity_id": complexity.id, "resolution": "Fixed"}
        petr = _customer(session, "CN-0000001", "Иванов Пётр Сергеевич", SHARED, "+74951234567")
        anna = _customer(session, "CN-0000002", "Иванова Анна Петровна", SHARED)
        john = _customer(session, "CN-0000042", "John O'Brien", "+442079460958")
        smith = _customer(session, "CN-0000043", "Smith_100%", "+442079460959")
        statuses = [TicketStatus.NEW, TicketStatus.CLOSED, TicketStatus.IN_PROGRESS, TicketStatus.RESOLVED]
        tickets = [
            Ticket(
                number=format_regular(i + 1),
                customer_id=petr,
                subject=f"ticket {i}",
                status=status,
                created_at=T0 + timedelta(days=i),
                **(done if not status.is_open else {}),
            )
            for i, status in enumerate(statuses)
        ]
        tickets.append(
            Ticket(
                number=format_regular(9),
                customer_id=john,
                subject="john's",
                status=TicketStatus.ESCALATED,
                department_id=department.id,
                due_date=(T0 + timedelta(days=3)).date(),
            )
        )
        session.add_all(tickets)
        session.flush()
        session.add_all(
            _call(petr, SHARED, m, line_id=line.id, operator_id=operator.id) for m in range(0, 70, 10)
        )
        session.add(_call(petr, "+74951234567", 65, ticket_id=tickets[0].id))
        session.add(_call(None, SHARED, 75))  # came in before anyone linked it to a customer
        session.add_all(_call(None, "+79990000000", m) for m in (1, 2))
    return Seeded(petr=petr, anna=anna, john=john, smith=smith)


def _ids(result: LookupResult) -> set[int]:
    return {c.id for c in result.customers}


@pytest.mark.parametrize("typed", ["+7 912 345-67-89", "8 (912) 345 67 89", "79123456789", "9123456789"])
def test_every_formatting_finds_everyone_sharing_the_number(
    engine: Engine, seeded: Seeded, typed: str
) -> None:
    result = LookupService(engine, "RU").lookup(typed)
    assert (result.kind, result.normalized) == (QueryKind.PHONE, SHARED)
    assert _ids(result) == {seeded.petr, seeded.anna}
    anna = next(c for c in result.customers if c.id == seeded.anna)
    assert anna.phones == (SHARED,)


def test_contract_number_is_an_exact_match(engine: Engine, seeded: Seeded) -> None:
    result = LookupService(engine, "RU").lookup("cn 42")
    assert result.kind is QueryKind.CONTRACT
    assert [c.contract_number for c in result.customers] == ["CN-0000042"]
    assert LookupService(engine, "RU").lookup("CN-4").customers == ()


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("иванов", {"petr", "anna"}),
        ("ИВАНОВА", {"anna"}),
        ("ПЁТР", {"petr", "anna"}),  # ё folded on both sides; Анна Петровна has it too
        ("петр сергеевич", {"petr"}),
        ("  o'brien ", {"john"}),
        ("BRIEN", {"john"}),
        ("100%", {"smith"}),  # % is a character here, not a wildcard
        ("%", {"smith"}),
        ("_", {"smith"}),
        ("nobody", set()),
    ],
)
def test_name_parts_case_insensitive_in_both_alphabets(
    engine: Engine, seeded: Seeded, typed: str, expected: set[str]
) -> None:
    result = LookupService(engine, "RU").lookup(typed)
    assert result.kind is QueryKind.NAME
    names = {"petr": seeded.petr, "anna": seeded.anna, "john": seeded.john, "smith": seeded.smith}
    assert _ids(result) == {names[n] for n in expected}


def test_limit_caps_the_number_of_cards(engine: Engine, seeded: Seeded) -> None:
    assert len(LookupService(engine, "RU").lookup("иванов", limit=1).customers) == 1


def test_only_open_tickets_newest_first(engine: Engine, seeded: Seeded) -> None:
    (card,) = LookupService(engine, "RU").lookup("CN-0000001").customers
    assert [t.subject for t in card.open_tickets] == ["ticket 2", "ticket 0"]
    assert all(t.status.is_open for t in card.open_tickets)
    (card,) = LookupService(engine, "RU").lookup("CN-0000001", tickets_per_customer=1).customers
    assert [t.subject for t in card.open_tickets] == ["ticket 2"]


def test_last_calls_newest_first_including_calls_from_their_numbers(engine: Engine, seeded: Seeded) -> None:
    (card,) = LookupService(engine, "RU").lookup("CN-0000001", calls_per_customer=4).customers
    minutes = [int((c.ringing_at - T0).total_seconds() // 60) for c in card.recent_calls]
    assert minutes == [75, 65, 60, 50]
    assert card.recent_calls[1].ticket_number == format_regular(1)
    assert card.recent_calls[2].line == "Home internet"
    assert card.recent_calls[2].operator == "Иван Иванов"
    assert card.recent_calls[0].ringing_at.tzinfo is not None


def test_unknown_number_returns_its_calls_without_customers(engine: Engine, seeded: Seeded) -> None:
    result = LookupService(engine, "RU").lookup("+7 999 000-00-00")
    assert result.customers == ()
    assert [c.caller_number for c in result.number_calls] == ["+79990000000"] * 2
    assert result.number_calls[0].ringing_at > result.number_calls[1].ringing_at


def test_extension_names_its_operator(engine: Engine, seeded: Seeded) -> None:
    result = LookupService(engine, "RU").lookup("1001")
    assert (result.kind, result.normalized, result.extension_owner, result.customers) == (
        QueryKind.EXTENSION,
        "1001",
        "Иван Иванов",
        (),
    )


def test_empty_and_invalid_queries(engine: Engine) -> None:
    service = LookupService(engine, "RU")
    assert service.lookup("  ").kind is QueryKind.EMPTY
    with pytest.raises(ValidationError) as caught:
        service.lookup("12345678")
    assert caught.value.fields == ("query",)


def test_a_fixed_number_of_queries_however_many_customers_match(engine: Engine, seeded: Seeded) -> None:
    statements: list[str] = []

    def count(*args: object) -> None:
        statements.append(str(args[2]))

    event.listen(engine, "before_cursor_execute", count)
    try:
        LookupService(engine, "RU").lookup("иванов")  # two customers
        two = len(statements)
        statements.clear()
        LookupService(engine, "RU").lookup("n")  # every customer with an n
        many = len(statements)
    finally:
        event.remove(engine, "before_cursor_execute", count)
    assert two == many <= 6


def _announce(engine: Engine, text: str, regions: list[str], start: datetime, end: datetime | None) -> None:
    with Session(engine) as session, session.begin():
        session.add(Announcement(text=text, regions=regions, valid_from=start, valid_to=end))


def test_cards_carry_the_announcements_for_their_region_valid_now(engine: Engine, seeded: Seeded) -> None:
    now = T0 + timedelta(days=30)
    _announce(engine, "Outage in r", ["R", "elsewhere"], now - timedelta(hours=1), now + timedelta(hours=2))
    _announce(engine, "For everyone", [], now - timedelta(days=1), None)
    _announce(engine, "Other region", ["elsewhere"], now - timedelta(hours=1), None)
    _announce(engine, "Over", ["r"], now - timedelta(days=2), now - timedelta(days=1))
    _announce(engine, "Not yet", ["r"], now + timedelta(minutes=1), None)
    result = LookupService(engine, "RU", clock=lambda: now).lookup("CN-0000042")
    (card,) = result.customers
    assert [a.text for a in card.announcements] == ["Outage in r", "For everyone"]
    assert card.announcements[0].regions == ("R", "elsewhere")
    ended = LookupService(engine, "RU", clock=lambda: now + timedelta(hours=2)).lookup("CN-0000042")
    assert [a.text for a in ended.customers[0].announcements] == ["Not yet", "For everyone"]


@pytest.mark.parametrize("region", ["RU", "DE"])
def test_a_caller_id_sent_without_plus_finds_the_customer(
    engine: Engine, seeded: Seeded, region: str
) -> None:
    """ "442079460958" is John's London number as many carriers send it.  Read nationally it is
    nothing in Russia and an unknown German number: the international reading finds him."""
    result = LookupService(engine, region).lookup("442079460958")
    assert _ids(result) == {seeded.john}
    assert (result.kind, result.normalized) == (QueryKind.PHONE, "+442079460958")


def test_the_national_reading_wins_when_it_finds_someone(engine: Engine, seeded: Seeded) -> None:
    # In Germany "442079460958" is also +49 442079460958: give that number to someone else.
    with Session(engine) as session, session.begin():
        german = _customer(session, "CN-0000077", "Hans Weber", "+49442079460958")
    result = LookupService(engine, "DE").lookup("442079460958")
    assert _ids(result) == {german}
    assert result.normalized == "+49442079460958"


def test_the_warm_up_compiles_every_statement_of_a_found_callers_lookup(
    engine: Engine, seeded: Seeded
) -> None:
    """Issue 13: the first call after start compiled its lookup on the spot (the card's outlier).
    After `warm_up` (a lookup of a stored number, at start-up) a caller's lookup compiles nothing:
    each statement it runs is one SQLAlchemy compiled for the warm-up, taken from the cache."""
    compiled: list[object] = []

    def note(
        _conn: object, _cursor: object, _sql: object, _params: object, context: Any, _many: object
    ) -> None:
        if context.compiled is not None:
            compiled.append(context.compiled)

    service = LookupService(engine, "RU")
    event.listen(engine, "before_cursor_execute", note)
    try:
        assert service.warm_up() is not None
        warmed = {id(c) for c in compiled}
        compiled.clear()
        result = service.lookup(SHARED)  # two customers: not the warm-up's one
    finally:
        event.remove(engine, "before_cursor_execute", note)
    assert len(result.customers) == 2
    assert len(compiled) >= 5  # customers, phones, calls twice, tickets, announcements
    assert {id(c) for c in compiled} <= warmed


def test_the_warm_up_of_an_empty_database_uses_a_number_of_the_region(engine: Engine) -> None:
    assert LookupService(engine, "RU").warm_up() == example_number("RU")
