"""A call as the desk records it, which outcomes fit which calls, and how a call's end maps to its
outcome and end reason.

Every call offered to the desk leaves exactly one record, answered or not:

============================================  ===============  ===================
what happened                                 outcome          end reason
============================================  ===============  ===================
answered, then the caller hung up             answered         caller_hung_up
answered, then the operator hung up (F9)      answered         operator_hung_up
answered, then blind transfer (F8)            transferred      transferred (+ target)
caller hung up while it rang                  abandoned        caller_hung_up
rang until the phone's ring timeout           missed           ring_timeout
operator refused it while it rang (Shift+F9)  rejected         operator_rejected
desk Not ready / on a break / in wrap-up      rejected         not_ready / on_break / wrap_up
desk already on a call                        rejected         busy
softphone died during the call                answered/missed  engine_died
window closed during the call                 answered/missed  window_closed
SIP dialogue failed before it was talking     missed           failed
============================================  ===============  ===================

*Abandoned* is the caller's choice (they gave up waiting); *missed* is the desk's (nobody picked
up in time, or the call was lost on our side): a callback list is built from both, and from the
refused ones.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from app.tickets.enums import CallDirection, CallEndReason, CallOutcome
from app.tickets.operator_state import OperatorStatus

ANSWERED_OUTCOMES = frozenset({CallOutcome.ANSWERED})
UNANSWERED_OUTCOMES = frozenset({CallOutcome.MISSED, CallOutcome.ABANDONED, CallOutcome.REJECTED})
# Transferred: answered and passed on, or sent on unanswered (blind transfer from the pop).

# The softphone engine's end-of-call outcomes (``call_ended``) for a call that was never talking.
_UNANSWERED_ENDS: dict[str, tuple[CallOutcome, CallEndReason]] = {
    "missed": (CallOutcome.ABANDONED, CallEndReason.CALLER_HUNG_UP),  # CANCEL from the caller
    "timed_out": (CallOutcome.MISSED, CallEndReason.RING_TIMEOUT),
    "rejected": (CallOutcome.REJECTED, CallEndReason.OPERATOR_REJECTED),
    "refused": (CallOutcome.REJECTED, CallEndReason.BUSY),
    "busy": (CallOutcome.REJECTED, CallEndReason.BUSY),
}
_REFUSALS = {
    OperatorStatus.NOT_READY: CallEndReason.NOT_READY,
    OperatorStatus.BREAK: CallEndReason.ON_BREAK,
    OperatorStatus.WRAP_UP: CallEndReason.WRAP_UP,
}


class OutcomeMismatch(ValueError):
    """E.g. "missed" for a call that was answered."""


def check_outcome(answered: bool, outcome: CallOutcome) -> None:
    if answered and outcome in UNANSWERED_OUTCOMES:
        raise OutcomeMismatch(f"An answered call cannot end as {outcome}.")
    if not answered and outcome in ANSWERED_OUTCOMES:
        raise OutcomeMismatch(f"A call that was never answered cannot end as {outcome}.")


def end_of_call(
    engine_outcome: str, *, answered: bool, operator_hung_up: bool = False, window_closing: bool = False
) -> tuple[CallOutcome, CallEndReason]:
    """The outcome and end reason of a call the desk took, from the engine's ``call_ended``
    outcome (``completed``, ``missed``, ``timed_out``, ``rejected``, ``transferred``, ``failed``,
    ... and ``engine_died``, which the window itself reports when the engine process is gone).

    `answered`: the desk saw the call talking; `operator_hung_up`: the operator pressed hang-up;
    `window_closing`: the window is closing and hung the call up.
    """
    if engine_outcome == "engine_died":
        return (CallOutcome.ANSWERED if answered else CallOutcome.MISSED), CallEndReason.ENGINE_DIED
    if engine_outcome == "transferred":
        return CallOutcome.TRANSFERRED, CallEndReason.TRANSFERRED
    if window_closing:
        return (CallOutcome.ANSWERED if answered else CallOutcome.MISSED), CallEndReason.WINDOW_CLOSED
    if answered:
        reason = CallEndReason.OPERATOR_HUNG_UP if operator_hung_up else CallEndReason.CALLER_HUNG_UP
        return CallOutcome.ANSWERED, reason
    return _UNANSWERED_ENDS.get(engine_outcome, (CallOutcome.MISSED, CallEndReason.FAILED))


def refusal_reason(status: OperatorStatus, *, on_call: bool) -> CallEndReason:
    """Why the desk turned a call away: busy on another call, else the operator's state."""
    if on_call:
        return CallEndReason.BUSY
    return _REFUSALS.get(status, CallEndReason.BUSY)


@dataclass(frozen=True, slots=True)
class CallRecord:
    id: int
    direction: CallDirection
    caller_number: str
    caller_name: str | None
    dialled_number: str | None
    line_id: int | None
    line: str | None
    customer_id: int | None
    operator_id: int | None
    ringing_at: datetime
    answered_at: datetime | None
    ended_at: datetime | None
    outcome: CallOutcome | None
    hold_seconds: int
    disposition: str | None
    ticket_id: int | None
    end_reason: CallEndReason | None = None
    transferred_to: str | None = None
    uid: str | None = None

    @property
    def talk_seconds(self) -> int | None:
        if self.answered_at is None or self.ended_at is None:
            return None
        return max(0, int((self.ended_at - self.answered_at).total_seconds()) - self.hold_seconds)
