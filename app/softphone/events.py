"""Everything the softphone engine can tell the window: the enums, one frozen dataclass per event,
and the one codec both processes use.

The engine builds an event value and writes ``encode(event)`` as one line on its stdout; the window
reads the line back with `parse_event` and dispatches with ``match`` over the classes below.  Every
message carries the protocol version (``"v"``, `app.softphone.protocol.VERSION`) and its event name
(``"event"``); the other keys are the dataclass's fields, enums as their ``value``.  For example::

    {"v":1,"event":"call_ended","call":3,"outcome":"completed","code":200,"reason":"Normal call
    clearing","duration":42.512}

`parse_event` checks what it reads: a missing field, a value of the wrong type, an unknown enum
value or a different protocol version is a `ProtocolError`; an event name this window does not
know (a newer engine may add events) is an `UnknownEventError`, which the window logs quietly and
ignores; fields it does not know are ignored.  The softphone tests check every line the engine
prints with ``strict=True``, which also rejects unknown fields.

`EngineDied` and `EngineRestarted` are never written by the engine: the window-side supervisor
(app.softphone.desk.client) makes them when the engine process dies and is started again, and
delivers them through the same path.

Pure code shared by both processes: no Qt, no pjsua2, no threads of its own.
"""

from __future__ import annotations

import dataclasses
import enum
import types
import typing
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, ClassVar

from app.softphone.protocol import VERSION, ProtocolError
from app.softphone.protocol import encode as encode_line

# ---- enums ------------------------------------------------------------------------------------


class EngineMode(enum.Enum):
    P2P = "p2p"  # no registrar: callers dial the engine's address directly
    REGISTRAR = "registrar"  # registered with the site's SIP server


class RegistrationState(enum.Enum):
    REGISTERING = "registering"
    REGISTERED = "registered"
    FAILED = "failed"  # the next attempt comes in ``retry_in`` seconds
    UNREGISTERED = "unregistered"
    # Never in a registration_changed event: the window's own word for an engine in p2p mode,
    # which has no registrar and is usable as soon as it is up.
    P2P = "p2p"


class CallPhase(enum.Enum):
    """Where a call is; the engine checks every change against app.softphone.engine.callstate."""

    INCOMING = "incoming"  # offered to us, 180 Ringing sent
    DIALING = "dialing"  # our INVITE sent, no ringing yet
    RINGBACK = "ringback"  # the remote side is ringing (18x)
    CONNECTING = "connecting"  # 200 OK sent or received, waiting for ACK
    ACTIVE = "active"  # confirmed dialog (on hold or not: hold is a field, not a phase)
    ENDED = "ended"


class Direction(enum.Enum):
    IN = "in"
    OUT = "out"


class Hold(enum.Enum):
    NONE = "none"
    LOCAL = "local"  # we put the other side on hold
    REMOTE = "remote"  # the other side put us on hold
    BOTH = "both"

    @property
    def by_us(self) -> bool:
        """Whether the operator has the caller on hold (what the hold key and timers show)."""
        return self in (Hold.LOCAL, Hold.BOTH)


class MediaStatus(enum.Enum):
    """pjsua's media state of a call's audio stream."""

    NONE = "none"
    ACTIVE = "active"
    LOCAL_HOLD = "local_hold"
    REMOTE_HOLD = "remote_hold"
    ERROR = "error"


class CallEndOutcome(enum.Enum):
    """How a call ended, as the engine saw it (the ticket domain maps it to its own CallOutcome)."""

    COMPLETED = "completed"  # talked, then someone hung up
    MISSED = "missed"  # rang and was never answered (the caller gave up)
    REJECTED = "rejected"  # the operator (or the window) refused it
    TIMED_OUT = "timed_out"  # rang longer than the ring timeout
    TRANSFERRED = "transferred"  # handed on by a transfer that succeeded
    REFUSED = "refused"  # the engine's gate ended it (flood from its source)
    BUSY = "busy"  # our call met 486/600
    CANCELLED = "cancelled"  # we hung up our own call before it was answered
    FAILED = "failed"
    # Never written by the engine: the window ends the calls of an engine that died with it.
    ENGINE_DIED = "engine_died"


class AudioDeviceChange(enum.Enum):
    FELL_BACK = "fell_back"  # the chosen device is gone or would not open: using the default
    RESTORED = "restored"  # the chosen device is back and in use again
    LOST = "lost"  # no device at all for this role: the call goes on without it
    REOPENED = "reopened"  # a stream had silently stopped and was reopened on the same device


# ---- events -----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class EngineStarted:
    NAME: ClassVar[str] = "engine_started"
    pid: int
    mode: EngineMode
    transports: dict[str, str]  # "udp"/"tcp"/"tls"/"wake" -> "host:port"
    uri: str


@dataclass(frozen=True, slots=True)
class EngineStopping:
    NAME: ClassVar[str] = "engine_stopping"
    reason: str
    error: str | None = None


@dataclass(frozen=True, slots=True)
class RegistrationChanged:
    NAME: ClassVar[str] = "registration_changed"
    state: RegistrationState
    code: int
    reason: str
    expires: int
    retry_in: float | None = None  # after a failure: seconds until the next attempt


@dataclass(frozen=True, slots=True)
class CallFields:
    """One call as the engine describes it in `IncomingCall` and `CallStateChanged`."""

    call: int  # the engine's own call number, never reused within a process
    direction: Direction
    state: CallPhase
    number: str | None
    display: str | None
    line: str | None
    remote_uri: str
    hold: Hold
    muted: bool
    recording: str | None  # path of the WAV being written
    transfer: str | None  # "blind:<uri>" / "attended:<call>" while a transfer runs
    waiting: bool  # offered as call waiting while another call was up


@dataclass(frozen=True, slots=True)
class IncomingCall(CallFields):
    NAME: ClassVar[str] = "incoming_call"
    anonymous: bool = False
    line_name: str | None = None
    received_at: float = 0.0  # epoch seconds the engine saw the INVITE
    received_mono: float = 0.0  # CLOCK_MONOTONIC seconds, comparable across processes on Linux
    replaces: int | None = None  # the engine's call this one replaces (attended transfer target)


@dataclass(frozen=True, slots=True)
class CallStateChanged(CallFields):
    NAME: ClassVar[str] = "call_state"
    code: int = 0
    reason: str = ""


@dataclass(frozen=True, slots=True)
class CallRefused:
    """The engine turned an INVITE away itself (busy: call waiting is off and a call is up);
    no other event follows for it."""

    NAME: ClassVar[str] = "call_refused"
    call: int
    code: int
    reason: str  # "busy"
    number: str | None


@dataclass(frozen=True, slots=True)
class InvitesRefused:
    """INVITEs the engine's front gate turned away since its last report (at most one a second)."""

    NAME: ClassVar[str] = "invites_refused"
    count: int
    reasons: dict[str, int]  # rate_limited / not_from_proxy / malformed / busy / overloaded -> how many
    sources: dict[str, int]  # the busiest source addresses (up to 5) -> how many
    period_s: float  # seconds since the previous report


@dataclass(frozen=True, slots=True)
class CallEnded:
    NAME: ClassVar[str] = "call_ended"
    call: int
    outcome: CallEndOutcome
    code: int
    reason: str
    duration: float  # seconds connected (0 for a call never answered)


@dataclass(frozen=True, slots=True)
class MediaStateChanged:
    NAME: ClassVar[str] = "media_state"
    call: int
    status: MediaStatus
    hold: Hold


@dataclass(frozen=True, slots=True)
class DtmfReceived:
    NAME: ClassVar[str] = "dtmf_received"
    call: int
    digit: str


@dataclass(frozen=True, slots=True)
class TransferProgressed:
    NAME: ClassVar[str] = "transfer_progress"
    call: int
    code: int
    reason: str
    final: bool


@dataclass(frozen=True, slots=True)
class RecordingStarted:
    NAME: ClassVar[str] = "recording_started"
    call: int
    path: str


@dataclass(frozen=True, slots=True)
class RecordingFinished:
    NAME: ClassVar[str] = "recording_finished"
    call: int
    path: str
    seconds: float


@dataclass(frozen=True, slots=True)
class AudioDeviceChanged:
    """A headset or ringing device fell back, came back, was lost or was reopened."""

    NAME: ClassVar[str] = "audio_device_changed"
    kind: AudioDeviceChange
    role: str  # "capture" | "playback" | "ring"
    wanted: str | None  # the chosen device name, None for the system default
    using: str | None  # the device now in use, None when none
    reason: str | None


@dataclass(frozen=True, slots=True)
class EngineDied:
    """Made by the window-side supervisor, never by the engine: the engine process exited."""

    NAME: ClassVar[str] = "engine_died"
    pid: int | None
    rc: int
    signal: str | None  # "SIGKILL", ... when a signal ended it
    restarting: bool


@dataclass(frozen=True, slots=True)
class EngineRestarted:
    """Made by the window-side supervisor, never by the engine: a new engine is up."""

    NAME: ClassVar[str] = "engine_restarted"
    pid: int | None
    attempt: int
    restarts: int


Event = (
    EngineStarted
    | EngineStopping
    | RegistrationChanged
    | IncomingCall
    | CallStateChanged
    | CallRefused
    | InvitesRefused
    | CallEnded
    | MediaStateChanged
    | DtmfReceived
    | TransferProgressed
    | RecordingStarted
    | RecordingFinished
    | AudioDeviceChanged
    | EngineDied
    | EngineRestarted
)

EVENT_TYPES: dict[str, type[Event]] = {cls.NAME: cls for cls in typing.get_args(Event)}


class UnknownEventError(ProtocolError):
    """An event name this side does not know: from a newer engine, to be ignored."""

    def __init__(self, name: str) -> None:
        super().__init__(f"unknown event {name!r}")
        self.name = name


# ---- the codec --------------------------------------------------------------------------------


def to_message(event: Event) -> dict[str, Any]:
    """The JSON object for one event: version, name, then the fields (enums as their values)."""
    msg: dict[str, Any] = {"v": VERSION, "event": event.NAME}
    for f in dataclasses.fields(event):
        value = getattr(event, f.name)
        msg[f.name] = value.value if isinstance(value, enum.Enum) else value
    return msg


def encode(event: Event) -> str:
    """One protocol line for ``event`` (no newline)."""
    return encode_line(to_message(event))


def parse_event(msg: dict[str, Any], *, strict: bool = False) -> Event | None:
    """The typed event for one decoded protocol message; None for a reply.

    Raises `UnknownEventError` for an event name not in `EVENT_TYPES` and `ProtocolError` for
    anything else wrong.  ``strict`` also rejects fields the class does not know (the tests).
    """
    if msg.get("v") != VERSION:
        raise ProtocolError(f"protocol version {msg.get('v')!r} is not {VERSION}")
    if "event" not in msg:
        if "reply" in msg:
            return None
        raise ProtocolError("neither an event nor a reply")
    name = msg["event"]
    if not isinstance(name, str):
        raise ProtocolError(f"an event name must be a string, not {_kind(name)}")
    cls = EVENT_TYPES.get(name)
    if cls is None:
        raise UnknownEventError(name)
    fields = _FIELDS[cls]
    missing = [n for n, (_, required) in fields.items() if required and n not in msg]
    if missing:
        raise ProtocolError(f"{name} lacks {', '.join(missing)}")
    if strict:
        extra = set(msg) - set(fields) - {"v", "event"}
        if extra:
            raise ProtocolError(f"{name} has unknown fields {sorted(extra)}")
    values = {}
    for key, (hint, _) in fields.items():
        if key in msg:
            try:
                values[key] = _typed(hint, msg[key])
            except (TypeError, ValueError) as exc:
                raise ProtocolError(f"{name}.{key}: {exc}") from None
    event: Event = cls(**values)
    return event


def _fields_of(cls: type[Event]) -> dict[str, tuple[Any, bool]]:
    """Field name -> (resolved type, required) for one event class."""
    hints = typing.get_type_hints(cls)
    return {
        f.name: (
            hints[f.name],
            f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING,
        )
        for f in dataclasses.fields(cls)
    }


def _typed(hint: Any, value: Any) -> Any:
    """``value`` as the field type ``hint`` says, or TypeError/ValueError.

    Hand-written rather than a validation library: the events use a handful of shapes (int, float,
    str, bool, an enum, dict[str, X], each maybe None) and both processes must stay quick to start.
    """
    origin = typing.get_origin(hint)
    if origin is types.UnionType:  # X | None
        if value is None:
            return None
        (inner,) = [a for a in typing.get_args(hint) if a is not type(None)]
        return _typed(inner, value)
    if origin is dict:
        key_type, value_type = typing.get_args(hint)
        if not isinstance(value, dict):
            raise TypeError(f"expected an object, got {_kind(value)}")
        return {_typed(key_type, k): _typed(value_type, v) for k, v in value.items()}
    if isinstance(hint, type) and issubclass(hint, enum.Enum):
        try:
            return hint(value)
        except ValueError:
            raise ValueError(f"{value!r} is not a {hint.__name__}") from None
    check = _SCALARS.get(hint)
    if check is None:
        raise TypeError(f"no check for {hint!r}")  # a field type added without teaching _typed
    if not check(value):
        raise TypeError(f"expected {hint.__name__}, got {_kind(value)}")
    return float(value) if hint is float else value


_FIELDS = {cls: _fields_of(cls) for cls in EVENT_TYPES.values()}

# JSON's scalars as Python reads them: true/false are bools, not ints; 3 is a fine float.
_SCALARS: dict[Any, Callable[[Any], bool]] = {
    bool: lambda v: isinstance(v, bool),
    int: lambda v: isinstance(v, int) and not isinstance(v, bool),
    float: lambda v: isinstance(v, int | float) and not isinstance(v, bool),
    str: lambda v: isinstance(v, str),
}


def _kind(value: Any) -> str:
    return f"{type(value).__name__} {value!r:.40}"
