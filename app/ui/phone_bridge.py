"""The softphone engine as Qt signals: the one place where engine messages become typed values.

The `EngineClient` (app.softphone.desk.client) runs on the GUI thread's asyncio loop (qasync), so its
event callback already runs on the GUI thread: here it is decoded into frozen values and
re-emitted as Qt signals that widgets connect to.  Commands are coroutines that await the
engine's reply; they never block the GUI thread.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, replace
from typing import Any

from PySide6.QtCore import QObject, Signal

from app.softphone.desk.client import EngineClient

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class CallInfo:
    """One call as the window knows it, from the engine's snapshot fields."""

    call: int
    direction: str  # "in" | "out"
    state: str  # incoming / dialing / ringback / connecting / active / ended
    number: str | None
    display: str | None
    line: str | None
    hold: str = "none"  # none / local / remote / both
    muted: bool = False
    recording: str | None = None
    waiting: bool = False

    @property
    def on_hold(self) -> bool:
        return self.hold in ("local", "both")

    @classmethod
    def from_message(cls, msg: dict[str, Any]) -> CallInfo:
        return cls(
            call=int(msg["call"]),
            direction=str(msg.get("direction", "in")),
            state=str(msg.get("state", "")),
            number=_opt_str(msg.get("number")),
            display=_opt_str(msg.get("display")),
            line=_opt_str(msg.get("line")),
            hold=str(msg.get("hold", "none")),
            muted=bool(msg.get("muted", False)),
            recording=_opt_str(msg.get("recording")),
            waiting=bool(msg.get("waiting", False)),
        )


@dataclass(frozen=True, slots=True)
class IncomingCall:
    info: CallInfo
    anonymous: bool
    line_name: str | None
    received_at: float  # epoch seconds when the engine received the INVITE (same machine clock)


@dataclass(frozen=True, slots=True)
class CallEnded:
    call: int
    outcome: str  # completed / missed / rejected / timed_out / transferred / refused / busy / ...
    code: int
    reason: str
    duration_s: float


@dataclass(frozen=True, slots=True)
class CallRefused:
    """The engine turned an INVITE away itself (busy with call waiting off, malformed, not from
    the proxy): no other event follows for it."""

    call: int
    code: int
    reason: str  # busy / not_from_proxy / malformed: ...
    number: str | None
    received_at: float  # epoch seconds, when the window heard of it


@dataclass(frozen=True, slots=True)
class RegistrationState:
    state: str  # registered / unregistered / failed / p2p / ...
    code: int | None
    reason: str | None


@dataclass(frozen=True, slots=True)
class AudioDeviceNotice:
    """The engine changed a sound device on its own (unplugged headset, stream restarted)."""

    kind: str  # fell_back / restored / lost / reopened
    role: str  # capture / playback / ring
    wanted: str | None
    using: str | None
    reason: str | None


def _opt_str(value: object) -> str | None:
    return None if value is None else str(value)


class PhoneBridge(QObject):
    """Typed Qt signals for engine events, async methods for engine commands."""

    incoming_call = Signal(object)  # IncomingCall
    call_changed = Signal(object)  # CallInfo (state, hold, mute, recording changes)
    call_ended = Signal(object)  # CallEnded
    call_refused = Signal(object)  # CallRefused
    registration_changed = Signal(object)  # RegistrationState
    engine_died = Signal(str)  # human explanation
    engine_restarted = Signal()
    dtmf_received = Signal(int, str)  # call, digit
    audio_device_changed = Signal(object)  # AudioDeviceNotice

    def __init__(
        self, client_args: list[str], env: dict[str, str] | None = None, parent: QObject | None = None
    ):
        super().__init__(parent)
        # Every event arrives through the callback: a queue of them would only fill up for nobody.
        self._client = EngineClient(client_args, env=env, on_event=self._on_engine_event, queue_events=False)
        self.calls: dict[int, CallInfo] = {}

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
        name = msg.get("event")
        try:
            self._dispatch(str(name), msg)
        except (KeyError, TypeError, ValueError):
            log.exception("malformed %s event from the engine: %r", name, msg)

    def _dispatch(self, name: str, msg: dict[str, Any]) -> None:
        if name == "incoming_call":
            info = CallInfo.from_message(msg)
            self.calls[info.call] = info
            self.incoming_call.emit(
                IncomingCall(
                    info=info,
                    anonymous=bool(msg.get("anonymous", False)),
                    line_name=_opt_str(msg.get("line_name")),
                    received_at=float(msg.get("received_at") or time.time()),
                )
            )
        elif name in ("call_state", "media_state", "recording_started", "recording_finished"):
            if name == "call_state":
                info = CallInfo.from_message(msg)
            else:
                known = self.calls.get(int(msg["call"]))
                if known is None:
                    return
                info = _apply_partial(known, name, msg)
            self.calls[info.call] = info
            self.call_changed.emit(info)
        elif name == "call_ended":
            self.calls.pop(int(msg["call"]), None)
            self.call_ended.emit(
                CallEnded(
                    call=int(msg["call"]),
                    outcome=str(msg.get("outcome", "")),
                    code=int(msg.get("code") or 0),
                    reason=str(msg.get("reason") or ""),
                    duration_s=float(msg.get("duration") or 0.0),
                )
            )
        elif name == "registration_changed":
            code = msg.get("code")
            self.registration_changed.emit(
                RegistrationState(
                    state=str(msg.get("state", "")),
                    code=int(code) if code is not None else None,
                    reason=_opt_str(msg.get("reason")),
                )
            )
        elif name == "engine_died":
            # Calls in the dead engine are gone; the window keeps its tickets and typed text.
            for call in list(self.calls):
                self.calls.pop(call)
                self.call_ended.emit(CallEnded(call, "engine_died", 0, "softphone engine died", 0.0))
            sig = msg.get("signal") or f"exit code {msg.get('rc')}"
            self.engine_died.emit(str(sig))
        elif name == "engine_started" and msg.get("mode") == "p2p":
            # No registrar to register with: the phone is usable as soon as the engine is up.
            self.registration_changed.emit(RegistrationState(state="p2p", code=None, reason=None))
        else:
            self._dispatch_minor(name, msg)

    def _dispatch_minor(self, name: str, msg: dict[str, Any]) -> None:
        if name == "engine_restarted":
            self.engine_restarted.emit()
        elif name == "call_refused":
            self.call_refused.emit(
                CallRefused(
                    call=int(msg["call"]),
                    code=int(msg.get("code") or 0),
                    reason=str(msg.get("reason") or ""),
                    number=_opt_str(msg.get("number")),
                    received_at=time.time(),
                )
            )
        elif name == "dtmf_received":
            self.dtmf_received.emit(int(msg["call"]), str(msg.get("digit", "")))
        elif name == "audio_device_changed":
            self.audio_device_changed.emit(
                AudioDeviceNotice(
                    kind=str(msg["kind"]),
                    role=str(msg.get("role") or ""),
                    wanted=_opt_str(msg.get("wanted")),
                    using=_opt_str(msg.get("using")),
                    reason=_opt_str(msg.get("reason")),
                )
            )


def _apply_partial(known: CallInfo, name: str, msg: dict[str, Any]) -> CallInfo:
    if name == "media_state":
        return replace(known, hold=str(msg.get("hold", known.hold)))
    if name == "recording_started":
        return replace(known, recording=_opt_str(msg.get("path")))
    return replace(known, recording=None)
