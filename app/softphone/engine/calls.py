"""The engine's book of calls: one mutable entry per call, owned and touched by the SIP thread only."""

from __future__ import annotations

import dataclasses
import re
import time
from dataclasses import dataclass, field
from typing import Any

from app.softphone.engine.call_audio import Recording
from app.softphone.engine.callstate import CallSnapshot, transition
from app.softphone.engine.pj import Call
from app.softphone.events import CallEndOutcome, CallPhase, Hold

# pjsip INVITE session state -> our phase (for incoming calls "early" means we are ringing)
_PHASES_OUT = {
    "calling": CallPhase.DIALING,
    "early": CallPhase.RINGBACK,
    "connecting": CallPhase.CONNECTING,
    "confirmed": CallPhase.ACTIVE,
    "disconnected": CallPhase.ENDED,
}
_PHASES_IN = {**_PHASES_OUT, "incoming": CallPhase.INCOMING, "early": CallPhase.INCOMING}


def phase_of(pj_state: str, incoming: bool) -> CallPhase | None:
    return (_PHASES_IN if incoming else _PHASES_OUT).get(pj_state)


@dataclass(slots=True)
class CallEntry:
    call: Call | None
    snap: CallSnapshot
    received_mono: float = field(default_factory=time.monotonic)
    ring_deadline: float | None = None
    recording: Recording | None = None
    ended_by: str | None = None  # "rejected" | "timed_out" | "transferred" | "hangup" | "refused"
    was_active: bool = False
    was_answered: bool = False  # 200 OK sent or received (CONNECTING reached)
    source_ip: str = ""  # where an incoming INVITE came from (the gate ends a flooder's calls)

    @property
    def key(self) -> int:
        return self.snap.call

    @property
    def phase(self) -> CallPhase:
        return self.snap.phase

    def update(self, **changes: Any) -> CallSnapshot:
        self.snap = dataclasses.replace(self.snap, **changes)
        return self.snap

    def move(self, new: CallPhase, reason: str) -> CallSnapshot:
        phase = transition(self.snap.phase, new, reason, self.key)
        if phase is CallPhase.ACTIVE:
            self.was_active = True
        if phase in (CallPhase.CONNECTING, CallPhase.ACTIVE):
            self.was_answered = True
        return self.update(phase=phase)

    def outcome(self, code: int) -> CallEndOutcome:
        if self.ended_by in ("rejected", "timed_out", "transferred", "refused"):
            return CallEndOutcome(self.ended_by)
        if self.was_active:
            return CallEndOutcome.COMPLETED
        if self.snap.direction == "in":
            # answered but never ACKed: failed
            return CallEndOutcome.FAILED if self.was_answered else CallEndOutcome.MISSED
        if code in (486, 600):
            return CallEndOutcome.BUSY
        return CallEndOutcome.CANCELLED if self.ended_by == "hangup" else CallEndOutcome.FAILED


def hold_of(status: str, previous: Hold) -> Hold:
    return {"active": Hold.NONE, "local_hold": Hold.LOCAL, "remote_hold": Hold.REMOTE}.get(status, previous)


def recording_name(key: int, number: str | None) -> str:
    safe = re.sub(r"[^0-9A-Za-z+_-]", "_", number or "anonymous")[:40]
    return f"{time.strftime('%Y%m%d-%H%M%S')}-call{key}-{safe}.wav"


def pick(entries: dict[int, CallEntry], call: object, *phases: CallPhase) -> CallEntry:
    """The entry a command is about: the explicit ``call`` number, or the best default."""
    live = [e for e in entries.values() if e.phase is not CallPhase.ENDED]
    if call is not None:
        if not isinstance(call, int) or isinstance(call, bool):
            raise CommandError("call must be a call number")
        for e in live:
            if e.key == call:
                return e
        raise CommandError(f"no call {call}")
    candidates = [e for e in live if not phases or e.phase in phases]
    if not candidates:
        raise CommandError("no such call")
    # prefer the call the operator is talking on, then the newest
    candidates.sort(key=lambda e: (e.phase is CallPhase.ACTIVE and e.snap.hold is Hold.NONE, e.key))
    return candidates[-1]


class CommandError(Exception):
    """A command that cannot be done now; becomes an error reply, the engine carries on."""
