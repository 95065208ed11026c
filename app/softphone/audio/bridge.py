"""HeadsetBridge: the call's audio to and from the operator's headset, with a watchdog.

Ownership (see DESIGN.md "Processes and threads"):

- the engine's SIP thread constructs the bridge after ``libStart()`` + ``setNullDev()``, calls
  ``start()``, ``connect()``/``disconnect()``, ``set_muted()``/``set_held()``, the beep, and
  ``destroy()`` before ``libDestroy()``. Only that thread touches pjsua2 objects;
- pjmedia's clock thread and the two device threads only move frames through ``BridgeCore``;
- the bridge's own watchdog thread (no pjsua2 at all) reopens a device stream whose callbacks
  stopped, falls back to the system default when the chosen device is gone, goes back to it when
  it returns, and logs the counters. It reports through ``on_device_event``, which it calls on
  the watchdog thread: the engine must hand the event over to its own thread (e.g. a queue).
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass, field

from app.softphone.audio.core import BridgeCore, CoreSettings
from app.softphone.audio.devices import DEFAULT_LABEL, AudioDeviceError, Direction, list_devices, resolve
from app.softphone.audio.events import AudioDeviceEvent, DeviceEventCallback, DeviceEventKind
from app.softphone.audio.pjport import AudioMediaLike, HeadsetPort, ToneBeeper, stop_transmit_quietly
from app.softphone.audio.streams import CaptureStream, PlaybackStream, name_this_thread

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class BridgeSettings:
    core: CoreSettings = field(default_factory=CoreSettings)
    period_ms: int = 10  # miniaudio's period (its buffersize_msec is the period, not the buffer)
    periods: int = 0  # periods per device buffer; 0: the backend's default
    watchdog_interval_s: float = 0.2
    stall_timeout_s: float = 0.6  # a running stream with no callback for this long is dead
    # A new stream may take a while to get going: an idle PulseAudio null sink only notices a new
    # client at its next timer wake-up, up to 2 s later (measured here); a real device is faster.
    startup_grace_s: float = 3.0
    rescan_interval_s: float = 2.0  # how often to look for the chosen device while on the default
    stats_interval_s: float = 60.0


@dataclass(frozen=True, slots=True)
class BridgeStats:
    """Counters since start (read on any thread; each is written by exactly one thread)."""

    frames_from_call: int
    frames_to_call: int
    playback_underruns: int
    playback_overruns: int
    playback_trims: int
    playback_trimmed_ms: int
    capture_underruns: int
    capture_overruns: int
    capture_trims: int
    capture_trimmed_ms: int
    playback_callbacks: int
    capture_callbacks: int
    playback_depth_ms: float
    capture_depth_ms: float
    reopens: int
    playback_device: str | None
    capture_device: str | None


class _Slot:
    """One direction's stream and its watchdog bookkeeping (touched under the bridge's lock)."""

    def __init__(self, role: str, direction: Direction, wanted: str | None) -> None:
        self.role = role
        self.direction = direction
        self.wanted = wanted
        self.stream: PlaybackStream | CaptureStream | None = None
        self.on_fallback = False
        self.last_count = -1
        self.last_change = 0.0
        self.opened_at = 0.0
        self.last_rescan = 0.0
        self.total_callbacks = 0  # callbacks of streams already closed


class HeadsetBridge:
    """Headset microphone and earpiece bridged into pjsua2's conference as one audio port."""

    def __init__(
        self,
        *,
        capture_device: str | None = None,
        playback_device: str | None = None,
        settings: BridgeSettings | None = None,
        on_device_event: DeviceEventCallback | None = None,
    ) -> None:
        self.settings = settings or BridgeSettings()
        self.core = BridgeCore(self.settings.core)
        self._on_event = on_device_event
        self._playback = _Slot("playback", Direction.PLAYBACK, playback_device)
        self._capture = _Slot("capture", Direction.CAPTURE, capture_device)
        self._lock = threading.Lock()  # stream (re)opening: watchdog vs. start/destroy
        self._stop = threading.Event()
        self._watchdog: threading.Thread | None = None
        self._port: HeadsetPort | None = None
        self._beeper: ToneBeeper | None = None
        self._connected: set[int] = set()  # conference slots of the calls connected now
        self.reopens = 0

    # SIP thread -------------------------------------------------------------------------------
    def start(self) -> None:
        """Create the audio port and open both devices (SIP thread, after ``libStart``)."""
        core = self.settings.core
        port = HeadsetPort(from_call=self.core.from_call, to_call=self.core.to_call)
        port.create("headset", core.clock_rate, core.frame_ms)
        self._port = port
        with self._lock:
            for slot in (self._playback, self._capture):
                self._open(slot, reason="start")
        self._watchdog = threading.Thread(target=self._watch, name="audio-watchdog", daemon=True)
        self._watchdog.start()

    @property
    def media(self) -> AudioMediaLike:
        """The bridge as a pjsua2 AudioMedia: transmits the microphone, receives the earpiece."""
        if self._port is None:
            raise RuntimeError("HeadsetBridge.start() has not run")
        return self._port

    def connect(self, call_media: AudioMediaLike) -> None:
        """Both directions between a call's audio and the headset (each ACTIVE media state)."""
        port = self.media
        call_media.startTransmit(port)
        port.startTransmit(call_media)
        self._connected.add(call_media.getPortId())

    def disconnect(self, call_media: AudioMediaLike) -> None:
        """Undo ``connect`` (a call's media went away while the call lives on)."""
        port = self.media
        self._connected.discard(call_media.getPortId())
        stop_transmit_quietly(call_media, port)
        stop_transmit_quietly(port, call_media)
        if not self._connected:
            self.core.playback.expect_gap()

    def set_muted(self, muted: bool) -> None:
        """Mute: the caller hears silence instead of the microphone."""
        self.core.muted = muted

    def set_held(self, held: bool) -> None:
        """Hold: silence both ways, whatever the call's media does meanwhile."""
        self.core.held = held

    @property
    def muted(self) -> bool:
        return self.core.muted

    @property
    def held(self) -> bool:
        return self.core.held

    def start_call_waiting_beep(self) -> None:
        """A soft double beep every few seconds in the headset while a second call waits."""
        if self._beeper is None:
            self._beeper = ToneBeeper(self.settings.core.clock_rate)
        self._beeper.stop()
        self._beeper.start(self.media)

    def stop_call_waiting_beep(self) -> None:
        if self._beeper is not None:
            self._beeper.stop()

    def destroy(self) -> None:
        """Stop the watchdog, close the devices and release pjsua2 objects (before libDestroy)."""
        self._stop.set()
        if self._watchdog is not None:
            self._watchdog.join(timeout=5)
            self._watchdog = None
        self._connected.clear()
        if self._beeper is not None:
            self._beeper.stop()
            self._beeper = None
        with self._lock:
            for slot in (self._playback, self._capture):
                self._close(slot)
        # The last reference: SWIG unregisters the port, which drops all its conference connections.
        self._port = None
        self._log_stats("final")

    # any thread -------------------------------------------------------------------------------
    def stats(self) -> BridgeStats:
        core = self.core
        play, cap = core.playback, core.capture
        frame_ms = self.settings.core.frame_ms
        return BridgeStats(
            frames_from_call=core.frames_from_call,
            frames_to_call=core.frames_to_call,
            playback_underruns=play.underruns,
            playback_overruns=play.overruns,
            playback_trims=play.trims,
            playback_trimmed_ms=play.trimmed_frames * frame_ms,
            capture_underruns=cap.underruns,
            capture_overruns=cap.overruns,
            capture_trims=cap.trims,
            capture_trimmed_ms=cap.trimmed_frames * frame_ms,
            playback_callbacks=self._callbacks(self._playback),
            capture_callbacks=self._callbacks(self._capture),
            playback_depth_ms=core.playback_depth_ms(),
            capture_depth_ms=core.capture_depth_ms(),
            reopens=self.reopens,
            playback_device=self._using(self._playback),
            capture_device=self._using(self._capture),
        )

    @staticmethod
    def _callbacks(slot: _Slot) -> int:
        stream = slot.stream
        return slot.total_callbacks + (stream.callbacks if stream is not None else 0)

    @staticmethod
    def _using(slot: _Slot) -> str | None:
        stream = slot.stream
        return stream.label if stream is not None else None

    # stream management (under self._lock) -----------------------------------------------------
    def _new_stream(self, slot: _Slot, wanted: str | None) -> PlaybackStream | CaptureStream:
        info, raw_id = resolve(slot.direction, wanted)
        label = info.name if info is not None else DEFAULT_LABEL
        period, periods = self.settings.period_ms, self.settings.periods
        rate = self.settings.core.clock_rate
        if slot.direction is Direction.PLAYBACK:
            return PlaybackStream(
                raw_id, label, rate=rate, period_ms=period, periods=periods, fill=self.core.fill_playback
            )
        return CaptureStream(
            raw_id, label, rate=rate, period_ms=period, periods=periods, sink=self.core.captured
        )

    def _open(self, slot: _Slot, *, reason: str) -> None:
        """Open the chosen device, else the default; report what happened."""
        self._close(slot)
        now = time.monotonic()
        slot.last_change = now
        slot.opened_at = now
        slot.last_count = -1
        slot.last_rescan = now
        try:
            slot.stream = self._new_stream(slot, slot.wanted)
        except AudioDeviceError as exc:
            if slot.wanted is None:
                self._emit(DeviceEventKind.LOST, slot, None, f"{reason}: {exc}")
                return
            try:
                slot.stream = self._new_stream(slot, None)
            except AudioDeviceError as exc2:
                self._emit(DeviceEventKind.LOST, slot, None, f"{reason}: {exc}; default: {exc2}")
                return
            first = not slot.on_fallback
            slot.on_fallback = True
            if first:
                self._emit(DeviceEventKind.FELL_BACK, slot, slot.stream.label, f"{reason}: {exc}")
            return
        if slot.on_fallback:
            slot.on_fallback = False
            self._emit(DeviceEventKind.RESTORED, slot, slot.stream.label, reason)
        elif reason == "stalled":
            self._emit(DeviceEventKind.REOPENED, slot, slot.stream.label, reason)

    def _close(self, slot: _Slot) -> None:
        stream, slot.stream = slot.stream, None
        if stream is not None:
            slot.total_callbacks += stream.callbacks
            stream.close()

    def _emit(self, kind: DeviceEventKind, slot: _Slot, using: str | None, reason: str) -> None:
        event = AudioDeviceEvent(kind=kind, role=slot.role, wanted=slot.wanted, using=using, reason=reason)
        log.warning(
            "audio %s %s: wanted %s, using %s (%s)", slot.role, kind.value, slot.wanted, using, reason
        )
        if self._on_event is not None:
            try:
                self._on_event(event)
            except Exception:
                log.exception("audio device event handler failed")

    # watchdog thread --------------------------------------------------------------------------
    def _watch(self) -> None:
        name_this_thread("audio-watchdog")
        settings = self.settings
        last_stats = time.monotonic()
        while not self._stop.wait(settings.watchdog_interval_s):
            now = time.monotonic()
            with self._lock:
                if self._stop.is_set():
                    return
                for slot in (self._playback, self._capture):
                    self._check(slot, now)
            if now - last_stats >= settings.stats_interval_s:
                last_stats = now
                self._log_stats("periodic")

    def _check(self, slot: _Slot, now: float) -> None:
        settings = self.settings
        stream = slot.stream
        if stream is None:
            if now - slot.last_rescan >= settings.rescan_interval_s:
                self._open(slot, reason="retry")
            return
        if stream.callbacks != slot.last_count:
            slot.last_count = stream.callbacks
            slot.last_change = now
        elif (
            now - slot.last_change >= settings.stall_timeout_s
            and now - slot.opened_at >= settings.startup_grace_s
        ):
            self.reopens += 1
            log.warning("audio %s stream on %s stalled; reopening", slot.role, stream.label)
            self._open(slot, reason="stalled")
            return
        if slot.on_fallback and now - slot.last_rescan >= settings.rescan_interval_s:
            slot.last_rescan = now
            if slot.wanted is not None and self._present(slot):
                self._open(slot, reason="device is back")

    @staticmethod
    def _present(slot: _Slot) -> bool:
        try:
            return list_devices().find(slot.direction, slot.wanted or "") is not None
        except AudioDeviceError:
            return False

    def _log_stats(self, why: str) -> None:
        s = self.stats()
        log.info(
            "audio bridge %s: play under/over/trim %d/%d/%d (%d ms), capture under/over/trim %d/%d/%d "
            "(%d ms), depth play %.0f ms cap %.0f ms, reopens %d, devices %s / %s",
            why,
            s.playback_underruns,
            s.playback_overruns,
            s.playback_trims,
            s.playback_trimmed_ms,
            s.capture_underruns,
            s.capture_overruns,
            s.capture_trims,
            s.capture_trimmed_ms,
            s.playback_depth_ms,
            s.capture_depth_ms,
            s.reopens,
            s.playback_device,
            s.capture_device,
        )
