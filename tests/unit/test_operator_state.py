"""The operator's own state machine: only Ready is offered calls; wrap-up ends on save or timer."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.tickets.operator_state import (
    ALLOWED,
    PHONE_OFFLINE,
    IllegalOperatorChange,
    OperatorState,
    OperatorStatus,
    WrapUp,
    change,
    initial_state,
    tick,
    ticket_saved,
    with_phone,
)

T0 = datetime(2026, 11, 22, 9, 0, tzinfo=UTC)
OS = OperatorStatus


def _call_ended(limit_s: int = 60) -> OperatorState:
    ready = change(initial_state(T0), OS.READY, T0)
    on_call = change(ready, OS.ON_CALL, T0)
    return change(on_call, OS.WRAP_UP, T0 + timedelta(minutes=3), wrap_up_limit_s=limit_s)


def test_only_ready_offers_calls() -> None:
    state = initial_state(T0)
    assert not state.offers_calls
    assert change(state, OS.READY, T0).offers_calls
    wrap = _call_ended()
    assert wrap.status is OS.WRAP_UP and not wrap.offers_calls


def test_wrap_up_ends_when_the_ticket_is_saved() -> None:
    wrap = _call_ended()
    after = ticket_saved(wrap, T0 + timedelta(minutes=3, seconds=10))
    assert after.status is OS.READY and after.offers_calls
    assert ticket_saved(after, T0) is after  # nothing to end


def test_wrap_up_ends_when_the_timer_runs_out_not_before() -> None:
    wrap = _call_ended(limit_s=30)
    assert wrap.wrap_up == WrapUp(T0 + timedelta(minutes=3), 30)
    almost = T0 + timedelta(minutes=3, seconds=29)
    assert tick(wrap, almost) is wrap
    assert wrap.wrap_up.remaining(almost) == timedelta(seconds=1)
    done = tick(wrap, T0 + timedelta(minutes=3, seconds=30))
    assert done.status is OS.READY
    assert wrap.wrap_up.remaining(T0 + timedelta(hours=1)) == timedelta(0)


def test_not_ready_needs_a_reason_and_keeps_it() -> None:
    ready = change(initial_state(T0), OS.READY, T0)
    with pytest.raises(ValueError, match="why"):
        change(ready, OS.NOT_READY, T0)
    state = change(ready, OS.NOT_READY, T0, reason="training")
    assert state.reason == "training"
    assert change(state, OS.BREAK, T0).reason is None


@pytest.mark.parametrize(
    ("old", "new"),
    [
        (OS.ON_CALL, OS.READY),
        (OS.ON_CALL, OS.BREAK),
        (OS.BREAK, OS.ON_CALL),
        (OS.WRAP_UP, OS.ON_CALL),
        (OS.READY, OS.WRAP_UP),
    ],
)
def test_illegal_changes_raise(old: OperatorStatus, new: OperatorStatus) -> None:
    with pytest.raises(IllegalOperatorChange):
        change(OperatorState(old, T0, reason="x"), new, T0, reason="y")


@given(st.sampled_from(list(OS)), st.sampled_from(list(OS)))
def test_change_follows_the_table(old: OperatorStatus, new: OperatorStatus) -> None:
    state = OperatorState(old, T0)
    if new in ALLOWED[old]:
        assert change(state, new, T0, reason="r").status is new
    else:
        with pytest.raises(IllegalOperatorChange):
            change(state, new, T0, reason="r")


def test_a_ready_desk_leaves_ready_while_the_phone_is_offline_and_returns_with_it() -> None:
    ready = change(initial_state(T0), OS.READY, T0)
    offline = with_phone(ready, False, T0 + timedelta(seconds=5))
    assert (offline.status, offline.reason) == (OS.NOT_READY, PHONE_OFFLINE)
    assert not offline.offers_calls
    assert with_phone(offline, False, T0 + timedelta(seconds=6)) is offline  # no new change
    back = with_phone(offline, True, T0 + timedelta(seconds=30))
    assert back.status is OS.READY and back.since == T0 + timedelta(seconds=30)


def test_the_phone_leaves_the_operators_own_states_alone() -> None:
    meeting = change(initial_state(T0), OS.NOT_READY, T0, reason="Meeting")
    on_break = change(meeting, OS.BREAK, T0)
    on_call = change(change(meeting, OS.READY, T0), OS.ON_CALL, T0)
    for state in (meeting, on_break, on_call, _call_ended()):
        assert with_phone(state, False, T0) is state
        assert with_phone(state, True, T0) is state


def test_a_choice_made_while_offline_wins_over_the_return_to_ready() -> None:
    offline = with_phone(change(initial_state(T0), OS.READY, T0), False, T0)
    on_break = change(offline, OS.BREAK, T0)
    assert with_phone(on_break, True, T0) is on_break


def test_ready_asked_for_or_reached_after_wrap_up_while_offline_waits_for_the_phone() -> None:
    asked = with_phone(change(initial_state(T0), OS.READY, T0), False, T0)
    assert (asked.status, asked.reason) == (OS.NOT_READY, PHONE_OFFLINE)
    wrap_over = with_phone(tick(_call_ended(limit_s=30), T0 + timedelta(minutes=4)), False, T0)
    assert (wrap_over.status, wrap_over.reason) == (OS.NOT_READY, PHONE_OFFLINE)
