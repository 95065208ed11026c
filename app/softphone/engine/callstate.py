"""Call phases as an enum with one checked transition table, and the frozen call snapshot.

Pure code: called on the SIP thread, but owns no thread and touches no pjsua2 object.
"""

from __future__ import annotations

import enum
import logging
from dataclasses import dataclass

log = logging.getLogger("app.softphone.sip")


class CallPhase(enum.Enum):
    INCOMING = "incoming"  # offered to us, 180 Ringing sent
    DIALING = "dialing"  # our INVITE sent, no ringing yet
    RINGBACK = "ringback"  # the remote side is ringing (18x)
    CONNECTING = "connecting"  # 200 OK sent or received, waiting for ACK
    ACTIVE = "active"  # confirmed dialog (on hold or not: hold is a field, not a phase)
    ENDED = "ended"


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


class Hold(enum.Enum):
    NONE = "none"
    LOCAL = "local"  # we put the other side on hold
    REMOTE = "remote"  # the other side put us on hold
    BOTH = "both"


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

    def as_dict(self) -> dict[str, object]:
        return {
            "call": self.call,
            "direction": self.direction,
            "state": self.phase.value,
            "number": self.number,
            "display": self.display,
            "line": self.line,
            "remote_uri": self.remote_uri,
            "hold": self.hold.value,
            "muted": self.muted,
            "recording": self.recording,
            "transfer": self.transfer,
            "waiting": self.waiting,
        }
