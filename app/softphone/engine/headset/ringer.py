"""The ringtone on the ringing device (the desk speaker), separate from the headset.

The device is opened only while ringing, so the headset stays quiet and no stream idles on the
speaker between calls (opening took 8-12 ms here). ``stop()`` silences the very next device
callback before closing the stream, so the ring ends the moment the call is answered or gone.
Called on the engine's SIP thread; the fill callback runs on miniaudio's thread.
"""

from __future__ import annotations

import logging

from app.softphone.engine.headset.events import AudioDeviceEvent, DeviceEventCallback, DeviceEventKind
from app.softphone.engine.headset.streams import PlaybackStream
from app.softphone.engine.headset.tones import RING_CADENCE, ToneSegment, cadence_pcm16
from app.softphone.sound_devices import DEFAULT_LABEL, AudioDeviceError, Direction, resolve

log = logging.getLogger(__name__)


class Ringer:
    """Rings a cadence on one playback device until stopped."""

    def __init__(
        self,
        *,
        device: str | None = None,
        rate: int = 16000,
        period_ms: int = 20,
        cadence: tuple[ToneSegment, ...] = RING_CADENCE,
        level: float = 0.4,
        on_device_event: DeviceEventCallback | None = None,
    ) -> None:
        self._wanted = device
        self._rate = rate
        self._period_ms = period_ms
        self._cycle = cadence_pcm16(cadence, rate, level)
        self._on_event = on_device_event
        self._stream: PlaybackStream | None = None
        self._active = False
        self._pos = 0  # playback thread

    @property
    def ringing(self) -> bool:
        return self._active

    @property
    def device(self) -> str | None:
        """The device the ring is playing on (None when silent)."""
        stream = self._stream
        return stream.label if stream is not None else None

    def start(self) -> None:
        """Start ringing from the top of the cadence (no-op when already ringing)."""
        if self._active:
            return
        self._pos = 0
        self._active = True
        try:
            self._stream = self._open(self._wanted)
        except AudioDeviceError as exc:
            if self._wanted is None:
                self._lost(str(exc))
                return
            try:
                self._stream = self._open(None)
            except AudioDeviceError as exc2:
                self._lost(f"{exc}; default: {exc2}")
                return
            self._emit(DeviceEventKind.FELL_BACK, DEFAULT_LABEL, str(exc))

    def stop(self) -> None:
        """Silence at once and release the device."""
        self._active = False
        stream, self._stream = self._stream, None
        if stream is not None:
            stream.close()

    def _open(self, wanted: str | None) -> PlaybackStream:
        info, raw_id = resolve(Direction.PLAYBACK, wanted)
        label = info.name if info is not None else DEFAULT_LABEL
        return PlaybackStream(raw_id, label, rate=self._rate, period_ms=self._period_ms, fill=self._fill)

    def _fill(self, wanted: int) -> bytes:
        if not self._active:
            return b""
        cycle = self._cycle
        out = bytearray()
        pos = self._pos
        while len(out) < wanted:
            take = min(wanted - len(out), len(cycle) - pos)
            out += cycle[pos : pos + take]
            pos = (pos + take) % len(cycle)
        self._pos = pos
        return bytes(out)

    def _lost(self, reason: str) -> None:
        self._active = False
        self._emit(DeviceEventKind.LOST, None, reason)

    def _emit(self, kind: DeviceEventKind, using: str | None, reason: str) -> None:
        log.warning("ringer %s: wanted %s, using %s (%s)", kind.value, self._wanted, using, reason)
        if self._on_event is not None:
            self._on_event(
                AudioDeviceEvent(kind=kind, role="ring", wanted=self._wanted, using=using, reason=reason)
            )
