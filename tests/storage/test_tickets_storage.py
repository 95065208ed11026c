"""Tickets in the database: concurrent edits fail loudly, history cannot be rewritten."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from app.storage.schema import Customer, Ticket, TicketEvent
from app.tickets.enums import TicketEventKind, TicketStatus


def _ticket(engine: Engine) -> int:
    with Session(engine) as session, session.begin():
        ticket = Ticket(number="T-0000-0013", subject="No connection")
        session.add(ticket)
        session.flush()
        assert ticket.version == 1
        return ticket.id


def test_a_stale_edit_is_refused_not_silently_applied(engine: Engine) -> None:
    ticket_id = _ticket(engine)
    with Session(engine) as first, Session(engine) as second:
        mine = first.get_one(Ticket, ticket_id)
        theirs = second.get_one(Ticket, ticket_id)
        theirs.status = TicketStatus.IN_PROGRESS
        second.commit()

        mine.subject = "Slow speed"
        with pytest.raises(StaleDataError):
            first.commit()

    with Session(engine) as session:
        stored = session.get_one(Ticket, ticket_id)
        assert (stored.subject, stored.status, stored.version) == (
            "No connection",
            TicketStatus.IN_PROGRESS,
            2,
        )


def test_ticket_numbers_are_unique(engine: Engine) -> None:
    _ticket(engine)
    with pytest.raises(IntegrityError), Session(engine) as session, session.begin():
        session.add(Ticket(number="T-0000-0013", subject="again"))


def test_ticket_events_are_append_only(engine: Engine) -> None:
    ticket_id = _ticket(engine)
    with Session(engine) as session, session.begin():
        session.add(TicketEvent(ticket_id=ticket_id, kind=TicketEventKind.CREATED, payload={"status": "new"}))
    with Session(engine) as session:
        stored = session.scalars(select(TicketEvent)).one()
        assert stored.payload == {"status": "new"}
        stored.payload = {"status": "rewritten"}
        with pytest.raises(ValueError, match="append-only"):
            session.flush()


def test_name_search_column_follows_the_name(engine: Engine) -> None:
    with Session(engine) as session, session.begin():
        session.add(Customer(contract_number="CN-0000001", name="Ёлкина Алёна"))
    with Session(engine) as session, session.begin():
        customer = session.scalars(select(Customer)).one()
        assert customer.name_search == "елкина алена"
        customer.name = "Smith"
    with Session(engine) as session:
        assert session.scalars(select(Customer.name_search)).one() == "smith"


def test_enum_columns_refuse_unknown_values(engine: Engine) -> None:
    ticket_id = _ticket(engine)
    with pytest.raises(IntegrityError), engine.begin() as conn:
        conn.exec_driver_sql(f"UPDATE tickets SET status = 'bogus' WHERE id = {ticket_id}")
