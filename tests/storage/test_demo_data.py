"""Demo data: the promised shapes and invariants at small scale (the 1M run is in benchmarks/)."""

from __future__ import annotations

import re
from typing import Any

import pytest
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from app.demo.data import DemoDataExists, customer_numbers, generate_demo_data
from app.services.lookup import LookupService
from app.storage.schema import (
    Call,
    Customer,
    CustomerPhone,
    FieldRuleRow,
    Operator,
    ScriptText,
    Ticket,
    TicketEvent,
)
from app.tickets.enums import OPEN_TICKET_STATUSES, Role
from app.tickets.numbering import TicketNumberKind, parse_ticket_number

N = 400


def _count(session: Session, entity: Any) -> int:
    return session.scalar(select(func.count()).select_from(entity)) or 0


def test_small_demo_has_the_promised_shape(engine: Engine) -> None:
    progress: list[tuple[str, int, int]] = []
    report = generate_demo_data(engine, customers=N, seed=7, progress=lambda *a: progress.append(a))
    assert progress and progress[-1][0] == "calls"
    with Session(engine) as session:
        assert _count(session, Customer) == report.customers == N
        assert _count(session, CustomerPhone) == report.phones
        assert N <= report.phones <= 2 * N
        assert _count(session, Ticket) == report.tickets > 0
        assert _count(session, Call) == report.calls > 0
        assert _count(session, TicketEvent) >= report.tickets

        per_customer = session.execute(
            select(CustomerPhone.customer_id, func.count()).group_by(CustomerPhone.customer_id)
        ).all()
        assert len(per_customer) == N and {n for _, n in per_customer} <= {1, 2}

        owners_per_number = session.execute(
            select(CustomerPhone.e164, func.count()).group_by(CustomerPhone.e164).having(func.count() > 1)
        ).all()
        assert len(owners_per_number) == report.shared_numbers > 0
        assert {n for _, n in owners_per_number} == {2}

        names = session.scalars(select(Customer.name)).all()
        assert any(re.search("[а-яА-Я]", n) for n in names) and any(re.search("[a-zA-Z]", n) for n in names)
        assert all(re.fullmatch(r"CN-\d{7}", c) for c in session.scalars(select(Customer.contract_number)))

        numbers = session.scalars(select(Ticket.number)).all()
        assert all(parse_ticket_number(n).kind is TicketNumberKind.REGULAR for n in numbers)
        open_count = _count(session, select(Ticket).where(Ticket.status.in_(OPEN_TICKET_STATUSES)).subquery())
        assert open_count == report.open_tickets

        roles = set(session.scalars(select(Operator.role)))
        assert {Role.OPERATOR, Role.SHIFT_LEAD} <= roles

        # Bulk rows get uids too (SQLite: the ORM's default; PostgreSQL's COPY: the server default).
        for entity in (Call, Ticket, TicketEvent):
            total, with_uid = session.execute(
                select(func.count(), func.count(func.distinct(entity.uid)))
            ).one()
            assert with_uid == total, entity.__name__


def test_generated_numbers_are_found_by_lookup(engine: Engine) -> None:
    generate_demo_data(engine, customers=50, seed=3)
    shared_id = next(i for i in range(2, 51) if customer_numbers(i, 3)[0] == customer_numbers(i - 1, 3)[0])
    result = LookupService(engine, "RU").lookup(customer_numbers(shared_id, 3)[0])
    assert {c.id for c in result.customers} == {shared_id - 1, shared_id}


def test_refuses_a_database_with_customers_unless_appending(engine: Engine) -> None:
    generate_demo_data(engine, customers=20)
    with pytest.raises(DemoDataExists, match="20 customers"):
        generate_demo_data(engine, customers=20)
    report = generate_demo_data(engine, customers=30, seed=2, append=True)
    with Session(engine) as session:
        assert _count(session, Customer) == 50
        assert report.customers == 30
        # sequences were moved past the explicit ids: the application can insert as usual
        session.add(Customer(contract_number="CN-9999999", name="After Demo"))
        session.commit()


def test_demo_has_a_current_announcement_on_the_first_customers_card_and_seeded_rules(engine: Engine) -> None:
    generate_demo_data(engine, customers=20, seed=3)
    card = LookupService(engine, "RU").lookup("CN-000001").customers[0]
    assert card.announcements, "the demo pop should show an outage"
    assert all(a.concerns(card.region) for a in card.announcements)
    with Session(engine) as session:
        assert _count(session, FieldRuleRow) > 0
        assert _count(session, ScriptText) > 0
