"""Tickets left without their required fields: found for their operator and for the lead's
department, with what each lacks, until someone completes them.  (PostgreSQL under the operators'
and the lead's own roles: tests/storage/test_access_control.py.)"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest
from sqlalchemy import Engine, select, update
from sqlalchemy.orm import Session

from app.services.tickets import TicketService
from app.services.unfinished import UnfinishedTicketService
from app.storage.database import make_engine
from app.storage.number_reserve import SqliteNumberReserve
from app.storage.schema import Department, Operator
from app.tickets.drafts import FieldName
from app.tickets.enums import TicketStatus
from app.tickets.numbering import TicketNumberAllocator
from tests.storage.ticket_fixtures import make_reference


def _service(engine: Engine, tmp_path: Path) -> TicketService:
    return TicketService(engine, TicketNumberAllocator(SqliteNumberReserve(tmp_path / "reserve.sqlite3")))


@pytest.mark.expect_log("app.services.sessions", r"unknown operator login")
def test_a_calls_ticket_left_empty_is_unfinished_until_completed(sqlite_url: str, tmp_path: Path) -> None:
    engine = make_engine(sqlite_url)
    ref = make_reference(engine)
    tickets = _service(engine, tmp_path)
    unfinished = UnfinishedTicketService(engine)
    empty = tickets.create_for_call(None, ref.customer, ref.support_line, ref.operator)
    no_line = tickets.create_for_call(None, None, None, ref.operator)
    done = tickets.create_for_call(None, ref.customer, ref.support_line, ref.operator)
    tickets.save(done.id, dataclasses.replace(done.draft, subject="Complete"), done.version, ref.operator)
    someone_elses = tickets.create_for_call(None, ref.customer, ref.support_line, None)

    found = {t.number: t for t in unfinished.of_operator(ref.operator)}
    assert set(found) == {empty.number, no_line.number}
    assert found[empty.number].missing == (FieldName.SUBJECT,)
    assert found[no_line.number].missing == (FieldName.CUSTOMER, FieldName.LINE, FieldName.SUBJECT)
    assert found[empty.number].created_by == ref.operator
    assert found[empty.number].status is TicketStatus.NEW
    assert someone_elses.number not in found
    assert unfinished.of_operator("nobody") == ()
    assert unfinished.of_operator(None) == ()

    # The lead's view: the tickets of the department's operators.
    with Session(engine) as s, s.begin():
        s.execute(
            update(Operator).where(Operator.login == ref.operator).values(department_id=ref.second_line)
        )
        other = s.scalar(select(Department.id).where(Department.id != ref.second_line).limit(1))
    assert {t.number for t in unfinished.of_department(ref.second_line)} == {empty.number, no_line.number}
    if other is not None:
        assert unfinished.of_department(other) == ()

    # Completed (and an escalated one lacking its due date is unfinished again, under other rules).
    tickets.save(empty.id, dataclasses.replace(empty.draft, subject="Router"), empty.version, ref.operator)
    assert {t.number for t in unfinished.of_operator(ref.operator)} == {no_line.number}
    engine.dispose()
