"""Typed view of the engine's events: one frozen dataclass per event name of the wire protocol.

Pure code shared by both processes; the window-side bridge calls `parse_event` on each message
from `EngineClient` and emits the matching Qt signal.  Unknown fields are ignored (a newer engine
may add some); a missing required field is a `ProtocolError`.  The softphone tests check every
event the engine prints against these classes, strictly.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any

from app.softphone.protocol import ProtocolError


@dataclass(frozen=True, slots=True)
class EngineStarted:
    pid: int
    mode: str  # "p2p" | "registrar"
    transports: dict[str, str]  # "udp"/"tcp"/"tls"/"wake" -> "host:port"
    uri: str


@dataclass(frozen=True, slots=True)
class EngineStopping:
    reason: str
    error: str | None = None


@dataclass(frozen=True, slots=True)
class RegistrationChanged:
    state: str  # registering | registered | failed | unregistered
    code: int
    reason: str
    expires: int
    retry_in: float | None = None  # after a failure: seconds until the next attempt


@dataclass(frozen=True, slots=True)
class _CallFields:
    call: int
    direction: str
    state: str
    number: str | None
    display: str | None
    line: str | None
    remote_uri: str
    hold: str
    muted: bool
    recording: str | None
    transfer: str | None
    waiting: bool


@dataclass(frozen=True, slots=True)
class IncomingCall(_CallFields):
    anonymous: bool = False
    line_name: str | None = None
    received_at: float = 0.0  # epoch seconds the engine saw the INVITE
    received_mono: float = 0.0  # CLOCK_MONOTONIC seconds, comparable across processes on Linux
    replaces: int | None = None  # the engine's call this one replaces (attended transfer target)


@dataclass(frozen=True, slots=True)
class CallStateChanged(_CallFields):
    code: int = 0
    reason: str = ""


@dataclass(frozen=True, slots=True)
class InvitesRefused:
    """INVITEs the engine's front gate turned away since its last report (at most one a second)."""

    count: int
    reasons: dict[str, int]  # rate_limited / not_from_proxy / malformed / busy / overloaded -> how many
    sources: dict[str, int]  # the busiest source addresses (up to 5) -> how many
    period_s: float  # seconds since the previous report


@dataclass(frozen=True, slots=True)
class CallEnded:
    call: int
    outcome: str  # completed | missed | rejected | timed_out | transferred | busy | cancelled | failed
    code: int
    reason: str
    duration: float


@dataclass(frozen=True, slots=True)
class MediaStateChanged:
    call: int
    status: str  # none | active | local_hold | remote_hold | error
    hold: str  # none | local | remote


@dataclass(frozen=True, slots=True)
class DtmfReceived:
    call: int
    digit: str


@dataclass(frozen=True, slots=True)
class TransferProgressed:
    call: int
    code: int
    reason: str
    final: bool


@dataclass(frozen=True, slots=True)
class RecordingStarted:
    call: int
    path: str


@dataclass(frozen=True, slots=True)
class RecordingFinished:
    call: int
    path: str
    seconds: float


@dataclass(frozen=True, slots=True)
class EngineDied:
    pid: int | None
    rc: int
    signal: str | None
    restarting: bool


@dataclass(frozen=True, slots=True)
class EngineRestarted:
    pid: int | None
    attempt: int
    restarts: int


@dataclass(frozen=True, slots=True)
class AudioDeviceChanged:
    """A headset or ringing device fell back, came back, was lost or was reopened."""

    kind: str  # fell_back / restored / lost / reopened
    role: str | None
    wanted: str | None
    using: str | None
    reason: str | None


Event = (
    EngineStarted
    | EngineStopping
    | RegistrationChanged
    | IncomingCall
    | CallStateChanged
    | InvitesRefused
    | CallEnded
    | MediaStateChanged
    | DtmfReceived
    | TransferProgressed
    | RecordingStarted
    | RecordingFinished
    | EngineDied
    | EngineRestarted
    | AudioDeviceChanged
)

EVENT_TYPES: dict[str, type[Any]] = {
    "engine_started": EngineStarted,
    "engine_stopping": EngineStopping,
    "registration_changed": RegistrationChanged,
    "incoming_call": IncomingCall,
    "call_state": CallStateChanged,
    "invites_refused": InvitesRefused,
    "call_ended": CallEnded,
    "media_state": MediaStateChanged,
    "dtmf_received": DtmfReceived,
    "transfer_progress": TransferProgressed,
    "recording_started": RecordingStarted,
    "recording_finished": RecordingFinished,
    "engine_died": EngineDied,
    "engine_restarted": EngineRestarted,
    "audio_device_changed": AudioDeviceChanged,
}


def parse_event(msg: dict[str, Any], *, strict: bool = False) -> Event | None:
    """The typed event for one protocol message; None for replies and unknown event names.

    ``strict`` also rejects fields the class does not know (used by the tests).
    """
    cls = EVENT_TYPES.get(str(msg.get("event")))
    if cls is None:
        return None
    known = {f.name: f for f in dataclasses.fields(cls)}
    values = {k: v for k, v in msg.items() if k in known}
    missing = [
        n
        for n, f in known.items()
        if n not in values and f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING
    ]
    if missing:
        raise ProtocolError(f"{msg.get('event')} lacks {', '.join(missing)}")
    if strict:
        extra = set(msg) - set(known) - {"v", "event"}
        if extra:
            raise ProtocolError(f"{msg.get('event')} has unknown fields {sorted(extra)}")
    event: Event = cls(**values)
    return event
