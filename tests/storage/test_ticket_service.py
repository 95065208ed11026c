"""TicketService on both databases: a number at answer (even offline), rules on save, conflicts."""

from __future__ import annotations

import dataclasses
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import Engine, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app.errors import DatabaseUnavailable, EditConflict, ValidationError
from app.services.tickets import TicketNotFound, TicketNotStored, TicketService
from app.storage.database import make_engine
from app.storage.number_blocks import lease_function
from app.storage.number_reserve import SqliteNumberReserve
from app.storage.schema import Call, FieldRuleRow, Ticket, utcnow
from app.storage.seed import seed_defaults
from app.tickets.drafts import TicketDraft
from app.tickets.enums import CallDirection, TicketEventKind, TicketStatus
from app.tickets.numbering import (
    NumberBlock,
    ReservePolicy,
    TicketNumberAllocator,
    TicketNumberKind,
    parse_ticket_number,
)
from app.tickets.rules import Transition, missing_fields
from tests.storage.ticket_fixtures import Ref, make_reference

DEAD_URL = "postgresql://nobody@127.0.0.1:9/nothing"  # port 9 (discard): nothing listens there


@pytest.fixture
def ref(engine: Engine) -> Ref:
    return make_reference(engine)


@pytest.fixture
def reserve(tmp_path: Path) -> SqliteNumberReserve:
    return SqliteNumberReserve(tmp_path / "reserve.sqlite3")


@pytest.fixture
def service(engine: Engine, reserve: SqliteNumberReserve) -> TicketService:
    allocator = TicketNumberAllocator(reserve, ReservePolicy(block_size=10, target_blocks=1, low_water=5))
    allocator.top_up(lease_function(engine, reserve.workstation_id()))
    return TicketService(engine, allocator)


def _call(engine: Engine, ref: Ref) -> int:
    with Session(engine) as s, s.begin():
        call = Call(
            direction=CallDirection.INBOUND,
            caller_number="+79123456789",
            line_id=ref.support_line,
            customer_id=ref.customer,
            ringing_at=utcnow(),
        )
        s.add(call)
        s.flush()
        return call.id


def _filled(ref: Ref, **changes: object) -> TicketDraft:
    base = TicketDraft(customer_id=ref.customer, line_id=ref.support_line, subject="No connection since noon")
    return dataclasses.replace(base, **changes)  # type: ignore[arg-type]


def test_create_for_call_gives_a_valid_number_and_links_the_call(
    engine: Engine, ref: Ref, service: TicketService
) -> None:
    call_id = _call(engine, ref)
    view = service.create_for_call(call_id, ref.customer, ref.support_line, ref.operator)
    assert parse_ticket_number(view.number).kind is TicketNumberKind.REGULAR
    assert (view.version, view.status, view.call_ids) == (1, TicketStatus.NEW, (call_id,))
    assert [e.kind for e in view.events] == [TicketEventKind.CREATED, TicketEventKind.CALL_LINK]
    assert view.created_by == "Иван Иванов"
    other = service.create_for_call(None, None, None, None)
    assert other.number != view.number
    assert service.get(view.id) == view


def test_numbers_come_from_the_reserve_while_the_central_database_is_down(
    engine: Engine, ref: Ref, tmp_path: Path
) -> None:
    """Number part offline: the lease target is dead; the pre-filled reserve, then provisional numbers."""
    reserve = SqliteNumberReserve(tmp_path / "offline.sqlite3")
    reserve.add_blocks([NumberBlock(500, 2)])
    allocator = TicketNumberAllocator(reserve, ReservePolicy(block_size=10, target_blocks=1, low_water=5))
    dead = make_engine(DEAD_URL)
    try:
        with pytest.raises(DatabaseUnavailable):
            allocator.top_up(lease_function(dead, reserve.workstation_id()))
    finally:
        dead.dispose()
    service = TicketService(engine, allocator)
    numbers = [
        service.create_for_call(None, ref.customer, ref.support_line, ref.operator).number for _ in range(4)
    ]
    kinds = [parse_ticket_number(n).kind for n in numbers]
    assert kinds == [TicketNumberKind.REGULAR] * 2 + [TicketNumberKind.PROVISIONAL] * 2
    assert [parse_ticket_number(n).value for n in numbers[:2]] == [500, 501]
    assert len(set(numbers)) == 4


def test_with_the_whole_database_down_the_caller_still_gets_a_number(
    engine: Engine, ref: Ref, reserve: SqliteNumberReserve
) -> None:
    reserve.add_blocks([NumberBlock(900, 5)])
    dead = make_engine(DEAD_URL)
    try:
        offline = TicketService(dead, TicketNumberAllocator(reserve))
        with pytest.raises(TicketNotStored) as caught:
            offline.create_for_call(None, ref.customer, ref.support_line, ref.operator)
    finally:
        dead.dispose()
    number = caught.value.number
    assert parse_ticket_number(number).value == 900
    # Back online: the same number is stored, so what the caller was told stays true.
    stored = TicketService(engine, TicketNumberAllocator(reserve)).create_for_call(
        None, ref.customer, ref.support_line, ref.operator, number=number
    )
    assert stored.number == number


def test_first_save_needs_customer_line_and_subject_in_form_order(ref: Ref, service: TicketService) -> None:
    view = service.create_for_call(None, None, None, ref.operator)
    with pytest.raises(ValidationError) as caught:
        service.save(view.id, view.draft, view.version, ref.operator)
    assert caught.value.fields == ("customer", "line", "subject")
    saved = service.save(view.id, _filled(ref), view.version, ref.operator)
    assert (saved.version, saved.draft.subject) == (2, "No connection since noon")
    change = [e for e in saved.events if e.kind is TicketEventKind.FIELD_CHANGE][-1]
    assert change.payload["subject"] == {"from": "", "to": "No connection since noon"}


def test_close_needs_category_complexity_and_resolution_then_writes_status_change(
    ref: Ref, service: TicketService
) -> None:
    view = service.create_for_call(None, ref.customer, ref.support_line, ref.operator)
    with pytest.raises(ValidationError) as caught:
        service.close(view.id, _filled(ref), view.version, ref.operator)
    assert caught.value.fields == ("category", "complexity", "resolution")
    # A category rule adds to it: "Internet / No connection" wants a description, inherited paths too.
    with pytest.raises(ValidationError) as caught:
        service.close(
            view.id,
            _filled(ref, category_id=ref.no_connection, complexity_id=ref.simple, resolution="Rebooted"),
            view.version,
            ref.operator,
        )
    assert caught.value.fields == ("description",)
    closed = service.close(
        view.id,
        _filled(
            ref,
            category_id=ref.no_connection,
            complexity_id=ref.simple,
            resolution="Rebooted the router",
            description="Line checked",
        ),
        view.version,
        ref.operator,
    )
    assert closed.status is TicketStatus.CLOSED
    status = [e for e in closed.events if e.kind is TicketEventKind.STATUS_CHANGE]
    assert status[-1].payload == {"from": "new", "to": "closed", "transition": "close"}


def test_escalation_needs_department_and_due_date_and_illegal_moves_are_refused(
    ref: Ref, service: TicketService
) -> None:
    view = service.create_for_call(None, ref.customer, ref.support_line, ref.operator)
    escalated = _filled(ref, status=TicketStatus.ESCALATED)
    with pytest.raises(ValidationError) as caught:
        service.save(view.id, escalated, view.version, ref.operator)
    assert caught.value.fields == ("department", "due_date")
    done = service.save(
        view.id,
        dataclasses.replace(escalated, department_id=ref.second_line, due_date=date(2026, 12, 1)),
        view.version,
        ref.operator,
    )
    # Staying escalated keeps the requirement: clearing the department is refused.
    with pytest.raises(ValidationError) as caught:
        service.save(done.id, dataclasses.replace(done.draft, department_id=None), done.version, ref.operator)
    assert caught.value.fields == ("department",)
    back_to_new = dataclasses.replace(done.draft, status=TicketStatus.NEW)
    with pytest.raises(ValidationError) as caught:
        service.save(done.id, back_to_new, done.version, ref.operator)
    assert caught.value.fields == ("status",)


def test_a_stale_version_raises_edit_conflict_with_both_versions(ref: Ref, service: TicketService) -> None:
    view = service.create_for_call(None, ref.customer, ref.support_line, ref.operator)
    theirs = service.save(view.id, _filled(ref, subject="Theirs"), view.version, ref.operator)
    with pytest.raises(EditConflict) as caught:
        service.save(view.id, _filled(ref, subject="Mine"), view.version, ref.operator)
    conflict = caught.value
    assert (conflict.expected_version, conflict.current_version) == (1, 2)
    assert conflict.current == theirs
    assert service.get(view.id).draft.subject == "Theirs"


def test_comments_do_not_bump_the_version(ref: Ref, service: TicketService) -> None:
    view = service.create_for_call(None, ref.customer, ref.support_line, ref.operator)
    commented = service.add_comment(view.id, "  Called back, no answer  ", ref.operator)
    assert [c.comment for c in commented.comments] == ["Called back, no answer"]
    assert commented.comments[0].author == "Иван Иванов"
    assert commented.version == view.version
    with pytest.raises(ValidationError):
        service.add_comment(view.id, "   ", ref.operator)
    with pytest.raises(TicketNotFound):
        service.get(10_000)


def test_the_database_refuses_a_closed_ticket_without_resolution_whoever_writes(
    engine: Engine, ref: Ref, service: TicketService
) -> None:
    view = service.create_for_call(None, ref.customer, ref.support_line, ref.operator)
    with pytest.raises(IntegrityError), engine.begin() as conn:
        conn.exec_driver_sql(f"UPDATE tickets SET status = 'closed' WHERE id = {view.id}")
    with pytest.raises(IntegrityError), engine.begin() as conn:
        conn.exec_driver_sql(
            f"UPDATE tickets SET status = 'resolved', category_id = {ref.internet},"
            f" complexity_id = {ref.simple}, resolution = '   ' WHERE id = {view.id}"
        )
    with pytest.raises(IntegrityError), engine.begin() as conn:
        conn.exec_driver_sql(f"UPDATE tickets SET status = 'escalated' WHERE id = {view.id}")
    with engine.begin() as conn:
        conn.exec_driver_sql(
            f"UPDATE tickets SET status = 'closed', category_id = {ref.internet},"
            f" complexity_id = {ref.simple}, resolution = 'Fixed' WHERE id = {view.id}"
        )


def test_when_the_stored_rules_are_weaker_the_database_still_holds(
    engine: Engine, ref: Ref, service: TicketService
) -> None:
    with Session(engine) as s, s.begin():  # a shift lead reduced the rules to almost nothing
        s.add(FieldRuleRow(category_id=None, transitions=["create"], fields=["subject"]))
    view = service.create_for_call(None, ref.customer, ref.support_line, ref.operator)
    with pytest.raises(ValidationError) as caught:
        service.close(view.id, _filled(ref, complexity_id=ref.simple), view.version, ref.operator)
    assert caught.value.fields == ("category", "resolution")
    with Session(engine) as s:
        assert s.scalars(select(Ticket.status).where(Ticket.id == view.id)).one() is TicketStatus.NEW


def test_seeded_rules_are_what_the_service_enforces(engine: Engine, ref: Ref, service: TicketService) -> None:
    report = seed_defaults(engine)
    assert report.rules > 0 and report.scripts > 0
    assert seed_defaults(engine).rules == 0  # only into empty tables
    data = service.reference_data()
    assert [c.path_text for c in data.categories] == [
        "Billing",
        "Billing / Refund",
        "Internet",
        "Internet / No connection",
    ]
    refund = TicketDraft(
        customer_id=None, line_id=ref.billing_line, subject="Money back", category_id=ref.refund
    )
    # Inherited from "Billing" (customer) plus the refund's own rule (description, priority) on close.
    closing = dataclasses.replace(refund, status=TicketStatus.CLOSED)
    assert missing_fields(closing, Transition.CLOSE, data.rules) == (
        "customer",
        "complexity",
        "priority",
        "description",
        "resolution",
    )
    view = service.create_for_call(None, None, ref.billing_line, ref.operator)
    with pytest.raises(ValidationError) as caught:
        service.save(view.id, refund, view.version, ref.operator)
    assert caught.value.fields == ("customer",)
