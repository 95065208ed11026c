"""A call as the desk records it, and which outcomes fit which calls."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from app.tickets.enums import CallDirection, CallOutcome

ANSWERED_OUTCOMES = frozenset({CallOutcome.ANSWERED})
UNANSWERED_OUTCOMES = frozenset({CallOutcome.MISSED, CallOutcome.ABANDONED, CallOutcome.REJECTED})
# Transferred: answered and passed on, or sent on unanswered (blind transfer from the pop).


class OutcomeMismatch(ValueError):
    """E.g. "missed" for a call that was answered."""


def check_outcome(answered: bool, outcome: CallOutcome) -> None:
    if answered and outcome in UNANSWERED_OUTCOMES:
        raise OutcomeMismatch(f"An answered call cannot end as {outcome}.")
    if not answered and outcome in ANSWERED_OUTCOMES:
        raise OutcomeMismatch(f"A call that was never answered cannot end as {outcome}.")


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

    @property
    def talk_seconds(self) -> int | None:
        if self.answered_at is None or self.ended_at is None:
            return None
        return max(0, int((self.ended_at - self.answered_at).total_seconds()) - self.hold_seconds)
