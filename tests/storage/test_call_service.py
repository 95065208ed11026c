"""CallService on both databases: every call recorded from ring to outcome, missed ones too."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select

from app.errors import ValidationError
from app.services.calls import ANONYMOUS, CallNotFound, CallService
from app.services.tickets import TicketService
from app.storage.number_reserve import SqliteNumberReserve
from app.storage.schema import Call
from app.tickets.calls import CallRecord
from app.tickets.enums import CallDirection, CallEndReason, CallOutcome
from app.tickets.numbering import NumberBlock, TicketNumberAllocator
from tests.storage.ticket_fixtures import Ref, make_reference

T0 = datetime(2026, 11, 22, 9, 0, tzinfo=UTC)


@pytest.fixture
def ref(engine: Engine) -> Ref:
    return make_reference(engine)


@pytest.fixture
def calls(engine: Engine) -> CallService:
    return CallService(engine, "RU")


def test_an_answered_call_from_ring_to_end(
    engine: Engine, ref: Ref, calls: CallService, tmp_path: Path
) -> None:
    ringing = calls.ringing(
        direction=CallDirection.INBOUND,
        caller_number="8 (912) 345-67-89",
        display_name='<b>Ada</b> "L"',
        dialled_number="8 800 555-01-00",
        at=T0,
        customer_id=ref.customer,
    )
    assert (ringing.caller_number, ringing.caller_name) == ("+79123456789", '<b>Ada</b> "L"')
    assert (ringing.dialled_number, ringing.line) == ("+78005550100", "Home internet & TV")
    answered = calls.answered(ringing.id, T0 + timedelta(seconds=4), ref.operator)
    assert answered.operator_id is not None
    calls.add_hold(ringing.id, 30.4)
    calls.add_hold(ringing.id, 45)
    reserve = SqliteNumberReserve(tmp_path / "r.sqlite3")
    reserve.add_blocks([NumberBlock(1, 5)])
    ticket = TicketService(engine, TicketNumberAllocator(reserve)).create_for_call(
        ringing.id, ref.customer, answered.line_id, ref.operator
    )
    done = calls.ended(ringing.id, T0 + timedelta(minutes=5, seconds=4), CallOutcome.ANSWERED, "Advice given")
    assert (done.hold_seconds, done.outcome, done.disposition, done.ticket_id) == (
        75,
        CallOutcome.ANSWERED,
        "Advice given",
        ticket.id,
    )
    assert done.talk_seconds == 300 - 75
    assert calls.get(ringing.id) == done


@pytest.mark.parametrize("outcome", [CallOutcome.MISSED, CallOutcome.REJECTED, CallOutcome.ABANDONED])
def test_unanswered_calls_are_recorded(calls: CallService, ref: Ref, outcome: CallOutcome) -> None:
    call = calls.ringing(
        direction=CallDirection.INBOUND, caller_number="", display_name=None, dialled_number=None, at=T0
    )
    assert (call.caller_number, call.line_id) == (ANONYMOUS, None)
    done = calls.ended(call.id, T0 + timedelta(seconds=20), outcome)
    assert (done.outcome, done.answered_at, done.talk_seconds) == (outcome, None, None)


def test_outcomes_must_fit_the_call(calls: CallService, ref: Ref) -> None:
    call = calls.ringing(
        direction=CallDirection.INBOUND,
        caller_number="1001",
        display_name="Desk",
        dialled_number="2000",
        at=T0,
    )
    assert call.caller_number == "1001"
    with pytest.raises(ValidationError) as caught:
        calls.ended(call.id, T0, CallOutcome.ANSWERED)
    assert caught.value.fields == ("outcome",)
    calls.answered(call.id, T0)
    with pytest.raises(ValidationError):
        calls.ended(call.id, T0, CallOutcome.MISSED)
    with pytest.raises(CallNotFound):
        calls.get(99_999)


def test_odd_caller_ids_are_kept_as_received(calls: CallService, ref: Ref) -> None:
    call = calls.ringing(
        direction=CallDirection.INBOUND,
        caller_number="sip:" + "x" * 60 + "@example.org",
        display_name="\u202eevil" * 100,
        dialled_number=None,
        at=T0,
    )
    assert len(call.caller_number) == 32
    assert call.caller_name is not None and len(call.caller_name) == 200
    identified = calls.identify(call.id, ref.customer)
    assert identified.customer_id == ref.customer
    assert calls.set_disposition(call.id, "  Wrong number ").disposition == "Wrong number"


def _ring(calls: CallService) -> CallRecord:
    return calls.ringing(
        direction=CallDirection.INBOUND,
        caller_number="+79123456789",
        display_name=None,
        dialled_number=None,
        at=T0,
    )


def test_why_a_call_ended_and_where_it_went_are_stored(calls: CallService, ref: Ref) -> None:
    refused = _ring(calls)
    done = calls.ended(
        refused.id, T0 + timedelta(seconds=1), CallOutcome.REJECTED, end_reason=CallEndReason.WRAP_UP
    )
    assert (done.outcome, done.end_reason, done.disposition, done.transferred_to) == (
        CallOutcome.REJECTED,
        CallEndReason.WRAP_UP,
        None,
        None,
    )
    passed_on = _ring(calls)
    calls.answered(passed_on.id, T0 + timedelta(seconds=2), ref.operator)
    done = calls.ended(
        passed_on.id,
        T0 + timedelta(seconds=90),
        CallOutcome.TRANSFERRED,
        end_reason=CallEndReason.TRANSFERRED,
        transferred_to=" sip:lead@pbx.example " + "x" * 300,
    )
    assert done.end_reason is CallEndReason.TRANSFERRED
    assert done.transferred_to is not None and done.transferred_to.startswith("sip:lead@pbx.example ")
    assert len(done.transferred_to) == 200
    assert calls.get(passed_on.id) == done  # read back from the database, not the session


def test_ringing_again_with_the_same_uid_finds_the_row_instead_of_adding_one(
    engine: Engine, calls: CallService, ref: Ref
) -> None:
    def ring() -> int:
        return calls.ringing(
            direction=CallDirection.INBOUND,
            caller_number="+79123456789",
            display_name=None,
            dialled_number="+78005550100",
            at=T0,
            uid="3b0d5c2e-0000-4000-8000-000000000001",
        ).id

    first = ring()
    assert ring() == first  # a retry after a write that did commit
    with engine.connect() as conn:
        assert conn.scalar(select(func.count()).select_from(Call)) == 1
    assert calls.get(first).uid == "3b0d5c2e-0000-4000-8000-000000000001"
