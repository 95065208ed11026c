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
from typing import Any

from app.softphone.engine.headset.core import BridgeCore, CoreSettings
from app.softphone.engine.headset.drift import DriftControl
from app.softphone.engine.headset.events import AudioDeviceEvent, DeviceEventCallback, DeviceEventKind
from app.softphone.engine.headset.fifo import FrameFifo
from app.softphone.engine.headset.pjport import AudioMediaLike, HeadsetPort, ToneBeeper, stop_transmit_quietly
from app.softphone.engine.headset.streams import (
    CaptureStream,
    DuplexRole,
    DuplexStream,
    PlaybackStream,
    name_this_thread,
)
from app.softphone.engine.pj import sip_thread_only
from app.softphone.sound_devices import DEFAULT_LABEL, AudioDeviceError, DeviceScanner, Direction, resolve

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class BridgeSettings:
    core: CoreSettings = field(default_factory=CoreSettings)
    # miniaudio's period (its buffersize_msec is the period, not the buffer). 20 ms, pjsua's frame
    # time, halves the sound-server wake-ups of 10 ms periods (the bulk of the bridge's CPU, in
    # the PulseAudio client) and lets each device callback move exactly one ready-made frame.
    period_ms: int = 20
    periods: int = 0  # periods per device buffer; 0: the backend's default
    capture_period_ms: int | None = None  # None: period_ms
    # Earpiece and microphone on one duplex device when both open: one thread and one sound-
    # server connection, ~0.5-0.8 % of a core less, but miniaudio's duplex ring buffer added
    # 27-65 ms of round trip with PulseAudio (measured, benchmarks/audio_bridge_bench.py
    # --duplex), which the latency budget cannot afford: off by default. After a device
    # problem a duplex pair is split into separate streams.
    duplex: bool = False
    watchdog_interval_s: float = 0.2
    stall_timeout_s: float = 0.6  # a running stream with no callback for this long is dead
    # A new stream may take a while to get going: an idle PulseAudio null sink only notices a new
    # client at its next timer wake-up, up to 2 s later (measured here); a real device is faster.
    startup_grace_s: float = 3.0
    rescan_interval_s: float = 2.0  # how often to look for the chosen device while it is missing
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
    playback_startup_underruns: int  # in the settling seconds after a call connects: not faults
    playback_startup_trims: int
    playback_drift_corrections: int  # drift compensation at work: not faults either
    playback_drift_dropped_ms: float
    playback_drift_inserted_ms: float
    playback_margin_frames: int  # frames kept beyond the prefill after underruns / near misses
    playback_near_misses: int
    playback_fifo_latency_ms: float  # the settled FIFO latency drift compensation holds (0: none yet)
    capture_underruns: int
    capture_overruns: int
    capture_trims: int
    capture_trimmed_ms: int
    capture_startup_underruns: int
    capture_startup_trims: int
    capture_drift_corrections: int
    capture_drift_dropped_ms: float
    capture_drift_inserted_ms: float
    capture_margin_frames: int
    capture_near_misses: int
    capture_fifo_latency_ms: float
    playback_callbacks: int
    capture_callbacks: int
    playback_depth_ms: float
    capture_depth_ms: float
    reopens: int
    playback_device: str | None
    capture_device: str | None


def _reference_ms(drift: DriftControl | None) -> float:
    reference = drift.reference if drift is not None else None
    return 0.0 if reference is None else round(reference * 1000, 1)


class _Slot:
    """One direction's stream and its watchdog bookkeeping (touched under the bridge's lock)."""

    def __init__(self, role: str, direction: Direction, wanted: str | None) -> None:
        self.role = role
        self.direction = direction
        self.wanted = wanted
        self.stream: PlaybackStream | CaptureStream | DuplexRole | None = None
        self.on_fallback = False
        self.lost = False  # no device at all for this role (not even the default)
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
        self._scanner: DeviceScanner | None = None  # watchdog thread only
        self.reopens = 0

    # SIP thread -------------------------------------------------------------------------------
    @sip_thread_only
    def start(self) -> None:
        """Create the audio port and open both devices (SIP thread, after ``libStart``)."""
        core = self.settings.core
        port = HeadsetPort(from_call=self.core.from_call, to_call=self.core.to_call)
        port.create("headset", core.clock_rate, core.frame_ms)
        self._port = port
        self.core.set_active(False)  # no call yet: the FIFOs idle
        with self._lock:
            if not (self.settings.duplex and self._open_duplex()):
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

    @sip_thread_only
    def connect(self, call_media: AudioMediaLike) -> None:
        """Both directions between a call's audio and the headset (each ACTIVE media state)."""
        port = self.media
        call_media.startTransmit(port)
        port.startTransmit(call_media)
        self._connected.add(call_media.getPortId())
        self.core.set_active(True)  # (re)connected media: settle, then count faults

    @sip_thread_only
    def disconnect(self, call_media: AudioMediaLike) -> None:
        """Undo ``connect`` (a call's media went away while the call lives on)."""
        port = self.media
        self._connected.discard(call_media.getPortId())
        stop_transmit_quietly(call_media, port)
        stop_transmit_quietly(port, call_media)
        if not self._connected:
            self.core.set_active(False)  # the call's frames stop on purpose: not an underrun

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

    @sip_thread_only
    def start_call_waiting_beep(self) -> None:
        """A soft double beep every few seconds in the headset while a second call waits."""
        if self._beeper is None:
            self._beeper = ToneBeeper(self.settings.core.clock_rate)
        self._beeper.stop()
        self._beeper.start(self.media)

    @sip_thread_only
    def stop_call_waiting_beep(self) -> None:
        if self._beeper is not None:
            self._beeper.stop()

    @sip_thread_only
    def destroy(self) -> None:
        """Stop the watchdog, close the devices and release pjsua2 objects (before libDestroy)."""
        self._stop.set()
        if self._watchdog is not None:
            self._watchdog.join(timeout=5)
            self._watchdog = None
        self._scanner = None
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
        return BridgeStats(
            frames_from_call=core.frames_from_call,
            frames_to_call=core.frames_to_call,
            **self._direction_stats("playback", core.playback, core.playback_drain.drift),
            **self._direction_stats("capture", core.capture, core.capture_drain.drift),
            playback_callbacks=self._callbacks(self._playback),
            capture_callbacks=self._callbacks(self._capture),
            playback_depth_ms=core.playback_depth_ms(),
            capture_depth_ms=core.capture_depth_ms(),
            reopens=self.reopens,
            playback_device=self._using(self._playback),
            capture_device=self._using(self._capture),
        )

    def _direction_stats(self, prefix: str, fifo: FrameFifo, drift: DriftControl | None) -> dict[str, Any]:
        """One direction's FIFO and drift counters, as the ``{prefix}_...`` fields of `BridgeStats`."""
        frame_ms = self.settings.core.frame_ms
        ms_per_sample = 1000 / self.settings.core.clock_rate
        fields: dict[str, Any] = {
            "underruns": fifo.underruns,
            "overruns": fifo.overruns,
            "trims": fifo.trims,
            "trimmed_ms": fifo.trimmed_frames * frame_ms,
            "startup_underruns": fifo.startup_underruns,
            "startup_trims": fifo.startup_trims,
            "drift_corrections": drift.corrections if drift else 0,
            "drift_dropped_ms": drift.dropped_samples * ms_per_sample if drift else 0.0,
            "drift_inserted_ms": drift.inserted_samples * ms_per_sample if drift else 0.0,
            "margin_frames": fifo.margin,
            "near_misses": fifo.near_misses,
            "fifo_latency_ms": _reference_ms(drift),
        }
        return {f"{prefix}_{name}": value for name, value in fields.items()}

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
        if slot.direction is Direction.CAPTURE and self.settings.capture_period_ms is not None:
            period = self.settings.capture_period_ms
        if slot.direction is Direction.PLAYBACK:
            return PlaybackStream(
                raw_id, label, rate=rate, period_ms=period, periods=periods, fill=self.core.fill_playback
            )
        return CaptureStream(
            raw_id, label, rate=rate, period_ms=period, periods=periods, sink=self.core.captured
        )

    def _open_duplex(self) -> bool:
        """Both chosen devices as one duplex stream; False (nothing open) if that cannot be."""
        play, cap = self._playback, self._capture
        if self.settings.capture_period_ms not in (None, self.settings.period_ms):
            return False
        try:
            play_info, play_id = resolve(Direction.PLAYBACK, play.wanted)
            cap_info, cap_id = resolve(Direction.CAPTURE, cap.wanted)
            stream = DuplexStream(
                play_id,
                cap_id,
                playback_label=play_info.name if play_info is not None else DEFAULT_LABEL,
                capture_label=cap_info.name if cap_info is not None else DEFAULT_LABEL,
                rate=self.settings.core.clock_rate,
                period_ms=self.settings.period_ms,
                periods=self.settings.periods,
                fill=self.core.fill_playback,
                sink=self.core.captured,
            )
        except AudioDeviceError as exc:
            log.info("audio devices as separate streams: %s", exc)
            return False
        now = time.monotonic()
        for slot in (play, cap):
            slot.stream = DuplexRole(stream, slot.direction)
            slot.last_change = slot.opened_at = slot.last_rescan = now
            slot.last_count = -1
        return True

    def _open(self, slot: _Slot, *, reason: str) -> None:
        """Open the chosen device, else the default; report what happened."""
        if isinstance(slot.stream, DuplexRole):
            # Split: the other direction reopens on its own (quietly, unless its device changed).
            other = self._capture if slot is self._playback else self._playback
            self._close(other)
            self._open_single(other, reason="split from duplex")
        self._open_single(slot, reason=reason)

    def _open_single(self, slot: _Slot, *, reason: str) -> None:
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
                self._lost(slot, f"{reason}: {exc}")
                return
            try:
                slot.stream = self._new_stream(slot, None)
            except AudioDeviceError as exc2:
                self._lost(slot, f"{reason}: {exc}; default: {exc2}")
                return
            first = not slot.on_fallback
            slot.on_fallback = True
            slot.lost = False
            if first:
                self._emit(DeviceEventKind.FELL_BACK, slot, slot.stream.label, f"{reason}: {exc}")
            return
        if slot.on_fallback or slot.lost:
            slot.on_fallback = slot.lost = False
            self._emit(DeviceEventKind.RESTORED, slot, slot.stream.label, reason)
        elif reason == "stalled":
            self._emit(DeviceEventKind.REOPENED, slot, slot.stream.label, reason)

    def _lost(self, slot: _Slot, reason: str) -> None:
        if not slot.lost:  # once, not on every retry
            slot.lost = True
            self._emit(DeviceEventKind.LOST, slot, None, reason)

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
                slot.last_rescan = now
                if slot.wanted is None:
                    self._open(slot, reason="retry")
                elif self._present(slot):
                    self._open(slot, reason="device is back")
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

    def _present(self, slot: _Slot) -> bool:
        if self._scanner is None:
            self._scanner = DeviceScanner()
        return self._scanner.present(slot.direction, slot.wanted or "")

    def _log_stats(self, why: str) -> None:
        s = self.stats()
        log.info(
            "audio bridge %s: play under/over/trim %d/%d/%d (%d ms), drift corrections %d; "
            "capture under/over/trim %d/%d/%d (%d ms), drift corrections %d; "
            "depth play %.0f ms cap %.0f ms, reopens %d, devices %s / %s",
            why,
            s.playback_underruns,
            s.playback_overruns,
            s.playback_trims,
            s.playback_trimmed_ms,
            s.playback_drift_corrections,
            s.capture_underruns,
            s.capture_overruns,
            s.capture_trims,
            s.capture_trimmed_ms,
            s.capture_drift_corrections,
            s.playback_depth_ms,
            s.capture_depth_ms,
            s.reopens,
            s.playback_device,
            s.capture_device,
        )
