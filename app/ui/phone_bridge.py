"""The softphone engine as Qt signals: where the engine's messages become the window's values.

The `EngineClient` (app.softphone.desk.client) runs on the GUI thread's asyncio loop (qasync), so its
event callback already runs on the GUI thread.  Each message is read with
`app.softphone.events.parse_event` (the same code the engine writes them with), dispatched with
``match`` over the event classes, and re-emitted as a Qt signal named for what happened, with the
old and the new state where a state changed.  A message that does not parse is logged and ignored:
a broken or newer engine must not take the window down.  Commands are coroutines that await the
engine's reply; they never block the GUI thread.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any

from PySide6.QtCore import QObject, Signal

from app.softphone.desk.client import EngineClient
from app.softphone.events import (
    AudioDeviceChanged,
    CallEnded,
    CallEndOutcome,
    CallFields,
    CallPhase,
    CallRefused,
    CallStateChanged,
    Direction,
    DtmfReceived,
    EngineDied,
    EngineMode,
    EngineRestarted,
    EngineStarted,
    Event,
    Hold,
    IncomingCall,
    MediaStateChanged,
    RecordingFinished,
    RecordingStarted,
    RegistrationChanged,
    RegistrationState,
    UnknownEventError,
    parse_event,
)
from app.softphone.protocol import ProtocolError

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class CallInfo:
    """One call as the window knows it, kept up to date from the engine's call events."""

    call: int
    direction: Direction
    phase: CallPhase
    number: str | None
    display: str | None
    line: str | None
    hold: Hold = Hold.NONE
    muted: bool = False
    recording: str | None = None
    waiting: bool = False

    @property
    def on_hold(self) -> bool:
        """The operator holds the caller (a hold by the other side alone does not count)."""
        return self.hold.by_us

    @classmethod
    def of(cls, event: CallFields) -> CallInfo:
        return cls(
            call=event.call,
            direction=event.direction,
            phase=event.state,
            number=event.number,
            display=event.display,
            line=event.line,
            hold=event.hold,
            muted=event.muted,
            recording=event.recording,
            waiting=event.waiting,
        )


@dataclass(frozen=True, slots=True)
class OfferedCall:
    """A call ringing at the desk."""

    info: CallInfo
    anonymous: bool
    line_name: str | None
    received_at: float  # epoch seconds when the engine received the INVITE (same machine clock)


@dataclass(frozen=True, slots=True)
class CallChange:
    """A known call changed: its phase, its hold, its mute or its recording (``old`` is None for
    the first news of a call the window dialled)."""

    old: CallInfo | None
    new: CallInfo

    @property
    def held(self) -> bool:
        """The operator has just put the caller on hold."""
        return self.new.on_hold and not (self.old is not None and self.old.on_hold)

    @property
    def resumed(self) -> bool:
        """The operator has just taken the caller off hold."""
        return self.old is not None and self.old.on_hold and not self.new.on_hold


@dataclass(frozen=True, slots=True)
class RegistrationChange:
    """The phone's standing with the registrar; ``old`` is None for the first news."""

    old: RegistrationState | None
    new: RegistrationState  # P2P when the engine has no registrar (ready as soon as it is up)
    code: int | None
    reason: str | None

    @property
    def online(self) -> bool:
        return self.new in (RegistrationState.REGISTERED, RegistrationState.P2P)


class PhoneBridge(QObject):
    """Typed Qt signals for engine events, async methods for engine commands."""

    incoming_call = Signal(object)  # OfferedCall
    call_state_changed = Signal(object)  # CallChange (phase, hold, mute, recording)
    call_ended = Signal(object)  # app.softphone.events.CallEnded
    call_refused = Signal(object)  # app.softphone.events.CallRefused
    registration_changed = Signal(object)  # RegistrationChange
    engine_died = Signal(str)  # human explanation
    engine_restarted = Signal()
    dtmf_received = Signal(int, str)  # call, digit
    audio_device_changed = Signal(object)  # app.softphone.events.AudioDeviceChanged

    def __init__(
        self,
        client_args: list[str],
        env: dict[str, str] | None = None,
        parent: QObject | None = None,
        *,
        command: Sequence[str] | None = None,
    ):
        """``command``: the program to run instead of the engine (tests: one that misbehaves)."""
        super().__init__(parent)
        # Every event arrives through the callback: a queue of them would only fill up for nobody.
        self._client = EngineClient(
            client_args, env=env, on_event=self._on_engine_event, queue_events=False, command=command
        )
        self.calls: dict[int, CallInfo] = {}
        self.registration: RegistrationState | None = None

    @property
    def client(self) -> EngineClient:
        return self._client

    async def start(self) -> None:
        await self._client.start()

    async def stop(self) -> None:
        await self._client.stop()

    # --- commands (each awaits the engine's reply; CommandFailed / EngineUnavailable on refusal) ---
    async def answer(self, call: int) -> None:
        await self._client.request("answer", call=call)

    async def hangup(self, call: int) -> None:
        await self._client.request("hangup", call=call)

    async def reject(self, call: int, code: int = 486) -> None:
        await self._client.request("reject", call=call, code=code)

    async def hold(self, call: int) -> None:
        await self._client.request("hold", call=call)

    async def resume(self, call: int) -> None:
        await self._client.request("resume", call=call)

    async def set_muted(self, call: int, muted: bool) -> None:
        await self._client.request("mute" if muted else "unmute", call=call)

    async def transfer(self, call: int, target: str) -> None:
        await self._client.request("transfer", call=call, uri=target)

    async def dial(self, uri: str) -> int:
        result = await self._client.request("dial", uri=uri)
        return int(result["call"])

    async def send_dtmf(self, call: int, digits: str) -> None:
        await self._client.request("dtmf", call=call, digits=digits)

    # --- events -------------------------------------------------------------------------------
    def _on_engine_event(self, msg: dict[str, Any]) -> None:
        try:
            event = parse_event(msg)
        except UnknownEventError as exc:
            log.info("ignoring %s (from a newer engine?)", exc)
            return
        except ProtocolError as exc:
            log.warning("ignoring a malformed message from the engine: %s: %.300r", exc, msg)
            return
        if event is not None:
            self._dispatch(event)

    def _dispatch(self, event: Event) -> None:  # noqa: PLR0912 (one case per event class)
        match event:
            case IncomingCall():
                info = self.calls[event.call] = CallInfo.of(event)
                received_at = event.received_at or time.time()
                self.incoming_call.emit(OfferedCall(info, event.anonymous, event.line_name, received_at))
            case CallStateChanged():
                self._changed(self.calls.get(event.call), CallInfo.of(event))
            case MediaStateChanged(call=call, hold=hold) if call in self.calls:
                self._changed(self.calls[call], replace(self.calls[call], hold=hold))
            case RecordingStarted(call=call, path=path) if call in self.calls:
                self._changed(self.calls[call], replace(self.calls[call], recording=path))
            case RecordingFinished(call=call) if call in self.calls:
                self._changed(self.calls[call], replace(self.calls[call], recording=None))
            case CallEnded():
                self.calls.pop(event.call, None)
                self.call_ended.emit(event)
            case CallRefused():
                self.call_refused.emit(event)
            case RegistrationChanged():
                self._registration(event.state, event.code, event.reason)
            case EngineStarted(mode=EngineMode.P2P):
                # No registrar to register with: the phone is usable as soon as the engine is up.
                self._registration(RegistrationState.P2P, None, None)
            case EngineDied():
                # Calls in the dead engine are gone; the window keeps its tickets and typed text.
                for call in list(self.calls):
                    self.calls.pop(call)
                    self.call_ended.emit(
                        CallEnded(call, CallEndOutcome.ENGINE_DIED, 0, "softphone engine died", 0.0)
                    )
                self.engine_died.emit(event.signal or f"exit code {event.rc}")
            case EngineRestarted():
                self.engine_restarted.emit()
            case DtmfReceived():
                self.dtmf_received.emit(event.call, event.digit)
            case AudioDeviceChanged():
                self.audio_device_changed.emit(event)
            case _:
                pass  # news about a call the window does not know, and what it does not show

    def _changed(self, old: CallInfo | None, new: CallInfo) -> None:
        self.calls[new.call] = new
        self.call_state_changed.emit(CallChange(old, new))

    def _registration(self, new: RegistrationState, code: int | None, reason: str | None) -> None:
        old, self.registration = self.registration, new
        self.registration_changed.emit(RegistrationChange(old, new, code, reason))
