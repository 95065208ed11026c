"""The pjsua2-free heart of the headset bridge: two FIFOs and the four frame hand-overs.

Four threads meet here, each through its own method, none ever waiting on another:

- pjmedia's clock thread: ``from_call`` (20 ms of what the caller says) and ``to_call`` (20 ms of
  the operator's microphone for the caller);
- the playback device's thread: ``fill_playback`` (bytes for the headset);
- the capture device's thread: ``captured`` (bytes from the headset microphone).

Mute and hold are plain booleans read once per frame. Each FIFO's consumer goes through a
``FrameDrain``, which also keeps the two clocks in step (``drift``). The common case (device
period = frame time, no correction pending) moves one ready-made ``bytes`` object per frame in
each direction: no copying, slicing or joining.
"""

from __future__ import annotations

from dataclasses import dataclass

from app.softphone.engine.headset.drift import DriftControl, reshape
from app.softphone.engine.headset.fifo import FrameFifo


@dataclass(frozen=True, slots=True)
class CoreSettings:
    clock_rate: int = 16000
    frame_ms: int = 20  # pjsua's audio frame time
    playback_prefill_frames: int = 1
    capture_prefill_frames: int = 1
    capacity_frames: int = 25  # 500 ms: beyond that a frame is dropped (an overrun)
    trim_window_s: float = 1.0
    settle_s: float = 3.0  # after a call connects: device start-up bursts, not faults
    near_miss_ms: float = 4.0  # while settling, a frame used this soon after arriving: keep one more
    # Latency averaged over this long before deciding a correction. With null sinks (no drift at
    # all) the sound server's own scheduling moved 2 s averages by 2-3 ms now and then.
    drift_window_s: float = 4.0
    drift_tolerance_ms: float = 5.0  # the average may stray this far from the settled latency
    drift_max_step_ms: float = 4.0  # the largest slice dropped or added at once
    # Corrections keep the latency above a frame time plus this (timing jitter plus what the
    # drift moves in one window): 2 ms let a simulated 300 ppm drift with 1 ms jitter underrun.
    drift_guard_ms: float = 5.0

    @property
    def frame_bytes(self) -> int:
        return self.clock_rate * self.frame_ms // 1000 * 2

    def pops(self, seconds: float) -> int:
        return max(1, round(seconds * 1000 / self.frame_ms))


class FrameDrain:
    """The consumer side of one FIFO: ``take(n)`` bytes, with drift correction.

    Owned by the FIFO's consumer thread. Samples left over from a frame (a device period that is
    not the frame time, or a frame reshaped by a correction) wait in ``rest`` and count as depth.
    """

    def __init__(self, fifo: FrameFifo, *, frame_bytes: int, rate: int, drift: DriftControl | None) -> None:
        self.fifo = fifo
        self.frame_bytes = frame_bytes
        self.drift = drift
        self._bytes_per_s = 2.0 * rate
        self._rest = b""
        self._correction = 0  # samples to drop (> 0) or insert (< 0) in the next frame popped
        self._resyncs = 0

    @property
    def rest_bytes(self) -> int:
        return len(self._rest)

    def take(self, wanted: int) -> bytes:
        """Up to ``wanted`` bytes (fewer on an underrun: the caller pads with silence)."""
        fifo = self.fifo
        rest = self._rest
        drift = self.drift
        if drift is not None and fifo.settled:
            available = len(rest) + fifo.depth * self.frame_bytes
            if fifo.resyncs != self._resyncs:
                self._resyncs = fifo.resyncs
                drift.rebase()
            elif available >= wanted:
                now = fifo.clock()
                # Age of the last sample handed out: the newest frame arrived at last_push and
                # (available - wanted) bytes lie between it and the one taken. Unlike the depth
                # alone, this moves smoothly as the two clocks slide past each other.
                latency = now - fifo.last_push + (available - wanted) / self._bytes_per_s
                correction = drift.observe(latency, now)
                if correction:
                    self._correction = correction
        if not rest and wanted == self.frame_bytes and not self._correction:
            frame = fifo.pop()
            return b"" if frame is None else frame
        out = rest
        pop = fifo.pop
        while len(out) < wanted:
            frame = pop()
            if frame is None:
                break
            if self._correction:
                frame = reshape(frame, self._correction)
                self._correction = 0
            out += frame
        self._rest = out[wanted:]
        return out[:wanted]


class BridgeCore:
    """FIFOs between the call (20 ms frames) and the devices (whatever period they run at)."""

    def __init__(self, settings: CoreSettings) -> None:
        self.settings = settings
        self.frame_bytes = settings.frame_bytes
        self.silence = bytes(self.frame_bytes)
        fifos = []
        for prefill in (settings.playback_prefill_frames, settings.capture_prefill_frames):
            fifos.append(
                FrameFifo(
                    capacity_frames=settings.capacity_frames,
                    prefill_frames=prefill,
                    trim_window_pops=settings.pops(settings.trim_window_s),
                    settle_pops=settings.pops(settings.settle_s),
                    near_miss_s=settings.near_miss_ms / 1000,
                    settled_slack_frames=1,
                )
            )
        self.playback, self.capture = fifos
        self.playback_drain = self._drain(self.playback)
        self.capture_drain = self._drain(self.capture)
        self.muted = False
        self.held = False
        self.frames_from_call = 0  # clock thread
        self.bad_frames = 0  # clock thread
        self.frames_to_call = 0  # clock thread
        self._cap_pending = bytearray()  # capture thread

    def _drain(self, fifo: FrameFifo) -> FrameDrain:
        s = self.settings
        drift = DriftControl(
            rate=s.clock_rate,
            window_s=s.drift_window_s,
            tolerance_s=s.drift_tolerance_ms / 1000,
            max_step_s=s.drift_max_step_ms / 1000,
            floor_s=(s.frame_ms + s.drift_guard_ms) / 1000,
        )
        return FrameDrain(fifo, frame_bytes=self.frame_bytes, rate=s.clock_rate, drift=drift)

    # controlling thread (the engine's SIP thread) ---------------------------------------------
    def set_active(self, active: bool) -> None:
        """A call is connected (count faults, after settling again) or none is (idle)."""
        for fifo in (self.playback, self.capture):
            if active:
                fifo.restart()
            else:
                fifo.pause()

    # pjmedia clock thread -------------------------------------------------------------------
    def from_call(self, data: bytes | None) -> None:
        """A frame the conference bridge sends to the headset (None: a frame without audio)."""
        self.frames_from_call += 1
        if data is None or self.held:
            data = self.silence
        elif len(data) != self.frame_bytes:
            self.bad_frames += 1
            return
        self.playback.push(data)

    def to_call(self) -> bytes:
        """The next microphone frame for the call; silence while muted, held or starved."""
        self.frames_to_call += 1
        size = self.frame_bytes
        data = self.capture_drain.take(size)
        if self.muted or self.held or not data:
            return self.silence
        if len(data) < size:
            return data + self.silence[len(data) :]
        return data

    # device threads -------------------------------------------------------------------------
    def fill_playback(self, wanted: int) -> bytes:
        """Up to ``wanted`` bytes for the headset; the device plays silence for the rest."""
        return self.playback_drain.take(wanted)

    def captured(self, data: bytes | bytearray) -> None:
        """Bytes from the microphone, cut into call-sized frames."""
        size = self.frame_bytes
        pending = self._cap_pending
        if not pending and len(data) == size:
            self.capture.push(bytes(data))
            return
        pending += data
        while len(pending) >= size:
            self.capture.push(bytes(pending[:size]))
            del pending[:size]

    # any thread -----------------------------------------------------------------------------
    def playback_depth_ms(self) -> float:
        rest = self.playback_drain.rest_bytes / 2 / self.settings.clock_rate * 1000
        return self.playback.depth * self.settings.frame_ms + rest

    def capture_depth_ms(self) -> float:
        pending = len(self._cap_pending) / 2 / self.settings.clock_rate * 1000
        rest = self.capture_drain.rest_bytes / 2 / self.settings.clock_rate * 1000
        return self.capture.depth * self.settings.frame_ms + pending + rest
