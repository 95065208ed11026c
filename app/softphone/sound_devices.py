"""Sound devices as the operating system's sound server names them, through miniaudio.

miniaudio is untyped; this module and the engine's ``headset.streams`` are the only ones that
touch it. Devices are listed by their human description (what ``frontline doctor`` prints and what
``--capture-device/--playback-device/--ring-device NAME`` take) together with the backend's stable
id (the PulseAudio sink/source name), and either may be used to choose one.

Shared by the window's process (device settings, ``frontline doctor``'s check that the chosen
devices open) and the engine's (the headset streams open their devices with `open_device`), so
it imports nothing from ``app.softphone.engine`` (an import-linter contract holds it to that).
"""

from __future__ import annotations

import enum
import logging
from dataclasses import dataclass, field
from typing import Any

import miniaudio

log = logging.getLogger(__name__)

DEFAULT_LABEL = "system default"  # what a stream on the default device is called in events and stats
APP_NAME = "Frontline"  # how the sound server names our streams
# miniaudio's own priority setting left its Linux threads at SCHED_OTHER here (measured); the
# stream threads promote themselves instead (headset.streams.make_this_thread_realtime).
THREAD_PRIORITY = miniaudio.ThreadPriority.HIGHEST
_ID_BYTES = 256  # ma_device_id is a union; PulseAudio and ALSA keep a NUL-terminated name first


class Direction(enum.Enum):
    CAPTURE = "capture"
    PLAYBACK = "playback"


@dataclass(frozen=True, slots=True)
class DeviceInfo:
    """One capture or playback device."""

    name: str  # the description shown to people ("Jabra Evolve2 40 Mono")
    id: str  # the backend's stable name ("alsa_output.usb-GN_Jabra...mono-fallback")
    direction: Direction

    def matches(self, wanted: str) -> bool:
        return wanted in (self.name, self.id) or wanted.casefold() == self.name.casefold()


@dataclass(frozen=True, slots=True)
class DeviceList:
    """What the sound server offers right now."""

    backend: str
    captures: tuple[DeviceInfo, ...] = ()
    playbacks: tuple[DeviceInfo, ...] = ()

    def find(self, direction: Direction, wanted: str) -> DeviceInfo | None:
        pool = self.captures if direction is Direction.CAPTURE else self.playbacks
        return next((d for d in pool if d.matches(wanted)), None)


@dataclass(frozen=True, slots=True)
class DeviceChoice:
    """The devices a workstation uses; None means the system default."""

    capture: str | None = None
    playback: str | None = None
    ring: str | None = None


@dataclass(frozen=True, slots=True)
class DeviceCheck:
    """Whether one chosen device is present and opens (for ``frontline doctor``)."""

    role: str  # "capture", "playback", "ring"
    wanted: str | None
    ok: bool
    detail: str


@dataclass(frozen=True, slots=True)
class DeviceReport:
    devices: DeviceList
    checks: tuple[DeviceCheck, ...] = field(default_factory=tuple)

    @property
    def ok(self) -> bool:
        return all(c.ok for c in self.checks)


class AudioDeviceError(RuntimeError):
    """The sound server cannot be reached or a device cannot be opened."""


def list_devices() -> DeviceList:
    """Enumerate capture and playback devices; raises AudioDeviceError without a sound server."""
    entries, backend = _enumerate()
    return DeviceList(
        backend=backend,
        captures=tuple(info for info, _ in entries if info.direction is Direction.CAPTURE),
        playbacks=tuple(info for info, _ in entries if info.direction is Direction.PLAYBACK),
    )


def resolve(direction: Direction, wanted: str | None) -> tuple[DeviceInfo | None, Any]:
    """The device matching ``wanted`` and its miniaudio id (a cffi pointer) for opening it.

    ``(None, None)`` for the default device; AudioDeviceError when a named device is not there.
    """
    if wanted is None:
        return None, None
    entries, _ = _enumerate()
    for info, raw_id in entries:
        if info.direction is direction and info.matches(wanted):
            return info, raw_id
    raise AudioDeviceError(f"no {direction.value} device named {wanted!r}")


def open_device(direction: Direction, raw_id: Any, *, rate: int, period_ms: int, periods: int = 0) -> Any:
    """An initialised (not yet started) mono s16 miniaudio device; raises AudioDeviceError."""
    common: dict[str, Any] = {
        "nchannels": 1,
        "sample_rate": rate,
        "buffersize_msec": period_ms,
        "callback_periods": periods,  # 0: the backend's default (3 with PulseAudio)
        "device_id": raw_id,
        "thread_prio": THREAD_PRIORITY,
        "app_name": APP_NAME,
    }
    s16 = miniaudio.SampleFormat.SIGNED16
    try:
        if direction is Direction.PLAYBACK:
            return miniaudio.PlaybackDevice(output_format=s16, **common)
        return miniaudio.CaptureDevice(input_format=s16, **common)
    except miniaudio.MiniaudioError as exc:
        what = "default device" if raw_id is None else "chosen device"
        raise AudioDeviceError(f"cannot open the {direction.value} {what}: {exc}") from exc


def open_probe(direction: Direction, raw_id: Any, rate: int = 16000) -> None:
    """Open a device and close it again: raises AudioDeviceError if it cannot be opened."""
    open_device(direction, raw_id, rate=rate, period_ms=20).close()


def check_devices(choice: DeviceChoice) -> DeviceReport:
    """List devices and try to open each chosen one briefly (the ``doctor`` audio check)."""
    try:
        devices = list_devices()
    except AudioDeviceError as exc:
        return DeviceReport(
            devices=DeviceList(backend="none"),
            checks=(DeviceCheck("sound server", None, ok=False, detail=str(exc)),),
        )
    checks = []
    for role, direction, wanted in (
        ("capture", Direction.CAPTURE, choice.capture),
        ("playback", Direction.PLAYBACK, choice.playback),
        ("ring", Direction.PLAYBACK, choice.ring),
    ):
        label = wanted or "system default"
        try:
            _, raw_id = resolve(direction, wanted)
            open_probe(direction, raw_id)
        except AudioDeviceError as exc:
            checks.append(DeviceCheck(role, wanted, ok=False, detail=f"{label}: {exc}"))
        else:
            checks.append(DeviceCheck(role, wanted, ok=True, detail=f"{label}: opens"))
    return DeviceReport(devices=devices, checks=tuple(checks))


class DeviceScanner:
    """Looks for a device on one long-lived sound-server connection, for a watchdog that asks
    every few seconds (no connection set-up per look). One thread only; reconnects after an
    error (a sound server restart)."""

    def __init__(self) -> None:
        self._context: Any = None

    def present(self, direction: Direction, wanted: str) -> bool:
        try:
            if self._context is None:
                self._context = miniaudio.Devices()
            context = self._context
            raw_list = context.get_captures() if direction is Direction.CAPTURE else context.get_playbacks()
        except miniaudio.MiniaudioError as exc:
            log.debug("device rescan failed: %s", exc)
            self._context = None
            return False
        return any(
            DeviceInfo(name=str(raw["name"]), id=_id_text(raw["id"]), direction=direction).matches(wanted)
            for raw in raw_list
        )

    def close(self) -> None:
        self._context = None  # miniaudio.Devices releases its context when collected


def _enumerate() -> tuple[list[tuple[DeviceInfo, Any]], str]:
    try:
        context = miniaudio.Devices()
        entries: list[tuple[DeviceInfo, Any]] = []
        for direction, raw_list in (
            (Direction.CAPTURE, context.get_captures()),
            (Direction.PLAYBACK, context.get_playbacks()),
        ):
            for raw in raw_list:
                info = DeviceInfo(name=str(raw["name"]), id=_id_text(raw["id"]), direction=direction)
                entries.append((info, raw["id"]))
        return entries, str(context.backend)
    except miniaudio.MiniaudioError as exc:
        raise AudioDeviceError(f"cannot list sound devices: {exc}") from exc


def _id_text(raw_id: Any) -> str:
    raw = bytes(miniaudio.ffi.buffer(raw_id))[:_ID_BYTES]
    text = raw.split(b"\0", 1)[0]
    try:
        decoded = text.decode()
    except UnicodeDecodeError:
        decoded = ""
    return decoded if decoded.isprintable() and decoded else raw.rstrip(b"\0").hex()
