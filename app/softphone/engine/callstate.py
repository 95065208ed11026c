"""The checked transition table of call phases, and the engine's frozen call snapshot.

`CallPhase` and `Hold` live in app.softphone.events (the window reads them too); which phase may
follow which is the engine's business and stays here.

Pure code: called on the SIP thread, but owns no thread and touches no pjsua2 object.
"""

from __future__ import annotations

import enum
import logging
from dataclasses import dataclass
from typing import Any

from app.softphone.events import CallPhase, Direction, Hold

log = logging.getLogger("app.softphone.sip")


_ALLOWED: dict[CallPhase, frozenset[CallPhase]] = {
    CallPhase.INCOMING: frozenset({CallPhase.CONNECTING, CallPhase.ACTIVE, CallPhase.ENDED}),
    CallPhase.DIALING: frozenset(
        {CallPhase.RINGBACK, CallPhase.CONNECTING, CallPhase.ACTIVE, CallPhase.ENDED}
    ),
    CallPhase.RINGBACK: frozenset({CallPhase.CONNECTING, CallPhase.ACTIVE, CallPhase.ENDED}),
    CallPhase.CONNECTING: frozenset({CallPhase.ACTIVE, CallPhase.ENDED}),
    CallPhase.ACTIVE: frozenset({CallPhase.ENDED}),
    CallPhase.ENDED: frozenset(),
}


class IllegalTransitionError(RuntimeError):
    """A call phase change the table does not allow: a bug in the engine or a PJSIP surprise."""


def transition(old: CallPhase, new: CallPhase, reason: str, call_id: int | None = None) -> CallPhase:
    """Check ``old -> new`` against the table, log it, and return ``new``."""
    if new not in _ALLOWED[old]:
        raise IllegalTransitionError(f"call {call_id}: {old.value} -> {new.value} is not allowed ({reason})")
    log.info("call %s: %s -> %s (%s)", call_id, old.value, new.value, reason)
    return new


@dataclass(frozen=True, slots=True)
class CallSnapshot:
    """What the window may know about one call at one moment."""

    call: int  # the engine's own call number, never reused within a process
    direction: str  # "in" | "out"
    phase: CallPhase
    number: str | None
    display: str | None
    line: str | None
    remote_uri: str
    hold: Hold = Hold.NONE
    muted: bool = False
    recording: str | None = None  # path of the WAV being written
    transfer: str | None = None  # "blind:<uri>" / "attended:<call>" while a transfer runs
    waiting: bool = False  # offered as call waiting while another call was up

    def event_fields(self) -> dict[str, Any]:
        """The `CallFields` of an IncomingCall / CallStateChanged event about this call."""
        return {
            "call": self.call,
            "direction": Direction(self.direction),
            "state": self.phase,
            "number": self.number,
            "display": self.display,
            "line": self.line,
            "remote_uri": self.remote_uri,
            "hold": self.hold,
            "muted": self.muted,
            "recording": self.recording,
            "transfer": self.transfer,
            "waiting": self.waiting,
        }

    def as_dict(self) -> dict[str, object]:
        """Plain values with the events' keys, as the status reply lists calls."""
        return {k: v.value if isinstance(v, enum.Enum) else v for k, v in self.event_fields().items()}
