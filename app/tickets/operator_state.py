"""The operator's own state: Ready, Not ready (reason), Break, On call, Wrap-up.

Only Ready is offered calls.  After a call the operator is in Wrap-up until the ticket is saved
(`ticket_saved`) or the wrap-up timer runs out (`tick`, called by the window's timer), and then
Ready again.  Ready also needs a phone calls can reach: `with_phone` takes the desk out of Ready
while the phone is offline and puts it back when the phone returns.  Every change goes through
`change`, which checks `ALLOWED` and raises `IllegalOperatorChange` otherwise.  Time is always
passed in, so all of this is pure.
"""

from __future__ import annotations

import enum
import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

log = logging.getLogger(__name__)

DEFAULT_WRAP_UP_S = 60
# The Not-ready reason the desk sets by itself while its phone cannot be reached (`with_phone`).
PHONE_OFFLINE = "phone offline"


class OperatorStatus(enum.StrEnum):
    READY = "ready"
    NOT_READY = "not_ready"
    BREAK = "break"
    ON_CALL = "on_call"
    WRAP_UP = "wrap_up"


_O = OperatorStatus

ALLOWED: dict[OperatorStatus, frozenset[OperatorStatus]] = {
    _O.READY: frozenset({_O.NOT_READY, _O.BREAK, _O.ON_CALL}),
    # Not ready still places calls (callbacks); changing the reason is a change too.
    _O.NOT_READY: frozenset({_O.READY, _O.NOT_READY, _O.BREAK, _O.ON_CALL}),
    _O.BREAK: frozenset({_O.READY, _O.NOT_READY}),
    _O.ON_CALL: frozenset({_O.WRAP_UP}),
    _O.WRAP_UP: frozenset({_O.READY, _O.NOT_READY, _O.BREAK}),
}


class IllegalOperatorChange(ValueError):
    def __init__(self, old: OperatorStatus, new: OperatorStatus) -> None:
        super().__init__(f"The operator cannot go from {old} to {new}.")
        self.old = old
        self.new = new


@dataclass(frozen=True, slots=True)
class WrapUp:
    """After-call work that ends by itself `limit_s` seconds after `started_at`."""

    started_at: datetime
    limit_s: int = DEFAULT_WRAP_UP_S

    @property
    def ends_at(self) -> datetime:
        return self.started_at + timedelta(seconds=self.limit_s)

    def remaining(self, now: datetime) -> timedelta:
        return max(timedelta(0), self.ends_at - now)

    def expired(self, now: datetime) -> bool:
        return now >= self.ends_at


@dataclass(frozen=True, slots=True)
class OperatorState:
    status: OperatorStatus
    since: datetime
    reason: str | None = None  # why Not ready ("training", "meeting", ...)
    wrap_up: WrapUp | None = None

    @property
    def offers_calls(self) -> bool:
        return self.status is OperatorStatus.READY


def initial_state(now: datetime) -> OperatorState:
    """A desk starts Not ready: the operator says when they are ready."""
    return OperatorState(OperatorStatus.NOT_READY, now, reason="signed in")


def change(
    state: OperatorState,
    new: OperatorStatus,
    now: datetime,
    *,
    reason: str | None = None,
    wrap_up_limit_s: int = DEFAULT_WRAP_UP_S,
) -> OperatorState:
    """The state after moving to `new`; raises `IllegalOperatorChange` for a move `ALLOWED` lacks.

    `reason` is kept for Not ready only; `wrap_up_limit_s` starts the wrap-up timer.
    """
    if new not in ALLOWED[state.status]:
        raise IllegalOperatorChange(state.status, new)
    if new is OperatorStatus.NOT_READY and not (reason and reason.strip()):
        raise ValueError("Say why the operator is not ready.")
    wrap_up = WrapUp(now, wrap_up_limit_s) if new is OperatorStatus.WRAP_UP else None
    kept_reason = reason if new is OperatorStatus.NOT_READY else None
    log.info("operator %s -> %s (%s)", state.status, new, kept_reason or "")
    return OperatorState(new, now, kept_reason, wrap_up)


def ticket_saved(state: OperatorState, now: datetime) -> OperatorState:
    """Saving the call's ticket ends wrap-up; in any other state nothing changes."""
    if state.status is OperatorStatus.WRAP_UP:
        return change(state, OperatorStatus.READY, now)
    return state


def tick(state: OperatorState, now: datetime) -> OperatorState:
    """Called by a timer: an expired wrap-up becomes Ready; anything else is unchanged."""
    if state.status is OperatorStatus.WRAP_UP and state.wrap_up is not None and state.wrap_up.expired(now):
        return change(state, OperatorStatus.READY, now)
    return state


def with_phone(state: OperatorState, phone_online: bool, now: datetime) -> OperatorState:
    """The state once the phone's reachability is taken into account.

    Ready with the phone offline (engine down, not registered) would have callers refused at the
    registrar while the desk looks available: the desk goes Not ready ("phone offline") by itself,
    and back to Ready when the phone returns, unless the operator chose another state meanwhile.
    Any other state is the operator's own (or a call's) and is left alone; a request for Ready while
    offline therefore lands on Not ready ("phone offline"), to become Ready with the phone.
    """
    if not phone_online and state.status is OperatorStatus.READY:
        return change(state, OperatorStatus.NOT_READY, now, reason=PHONE_OFFLINE)
    if phone_online and state.status is OperatorStatus.NOT_READY and state.reason == PHONE_OFFLINE:
        return change(state, OperatorStatus.READY, now)
    return state
