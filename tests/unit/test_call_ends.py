"""How a call's end becomes its outcome and end reason (pure: `app.tickets.calls`)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.tickets.calls import check_outcome, end_of_call, refusal_reason
from app.tickets.enums import CallEndReason, CallOutcome
from app.tickets.operator_state import OperatorStatus

OC, R = CallOutcome, CallEndReason
ENGINE_OUTCOMES = ("completed", "missed", "timed_out", "rejected", "refused", "busy", "transferred", "failed")


@pytest.mark.parametrize(
    ("engine", "answered", "operator", "closing", "expected"),
    [
        ("completed", True, False, False, (OC.ANSWERED, R.CALLER_HUNG_UP)),
        ("completed", True, True, False, (OC.ANSWERED, R.OPERATOR_HUNG_UP)),
        ("missed", False, False, False, (OC.ABANDONED, R.CALLER_HUNG_UP)),  # the caller's CANCEL
        ("timed_out", False, False, False, (OC.MISSED, R.RING_TIMEOUT)),
        ("rejected", False, False, False, (OC.REJECTED, R.OPERATOR_REJECTED)),
        ("busy", False, False, False, (OC.REJECTED, R.BUSY)),
        ("transferred", True, False, False, (OC.TRANSFERRED, R.TRANSFERRED)),
        ("transferred", True, False, True, (OC.TRANSFERRED, R.TRANSFERRED)),
        ("engine_died", True, False, False, (OC.ANSWERED, R.ENGINE_DIED)),
        ("engine_died", False, False, False, (OC.MISSED, R.ENGINE_DIED)),
        ("completed", True, False, True, (OC.ANSWERED, R.WINDOW_CLOSED)),
        ("missed", False, False, True, (OC.MISSED, R.WINDOW_CLOSED)),
        ("failed", False, False, False, (OC.MISSED, R.FAILED)),  # 200 OK never confirmed
        ("something new", False, False, False, (OC.MISSED, R.FAILED)),
    ],
)
def test_each_way_a_call_ends_has_its_outcome_and_reason(
    engine: str, answered: bool, operator: bool, closing: bool, expected: tuple[CallOutcome, CallEndReason]
) -> None:
    assert (
        end_of_call(engine, answered=answered, operator_hung_up=operator, window_closing=closing) == expected
    )


@given(
    st.sampled_from((*ENGINE_OUTCOMES, "engine_died", "")),
    st.booleans(),
    st.booleans(),
    st.booleans(),
)
def test_the_outcome_always_fits_whether_the_call_was_answered(
    engine: str, answered: bool, operator: bool, closing: bool
) -> None:
    outcome, _ = end_of_call(engine, answered=answered, operator_hung_up=operator, window_closing=closing)
    check_outcome(answered, outcome)  # what CallService.ended enforces: never refused at the end


@pytest.mark.parametrize(
    ("status", "on_call", "expected"),
    [
        (OperatorStatus.NOT_READY, False, R.NOT_READY),
        (OperatorStatus.BREAK, False, R.ON_BREAK),
        (OperatorStatus.WRAP_UP, False, R.WRAP_UP),
        (OperatorStatus.ON_CALL, True, R.BUSY),
        (OperatorStatus.READY, True, R.BUSY),  # Ready but the call has not moved the state yet
    ],
)
def test_a_refused_call_says_why(status: OperatorStatus, on_call: bool, expected: CallEndReason) -> None:
    assert refusal_reason(status, on_call=on_call) is expected
