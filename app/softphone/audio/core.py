"""The pjsua2-free heart of the headset bridge: two FIFOs and the four frame hand-overs.

Four threads meet here, each through its own method, none ever waiting on another:

- pjmedia's clock thread: ``from_call`` (20 ms of what the caller says) and ``to_call`` (20 ms of
  the operator's microphone for the caller);
- the playback device's thread: ``fill_playback`` (bytes for the headset);
- the capture device's thread: ``captured`` (bytes from the headset microphone).

Mute and hold are plain booleans read once per frame.
"""

from __future__ import annotations

from dataclasses import dataclass

from app.softphone.audio.fifo import FrameFifo


@dataclass(frozen=True, slots=True)
class CoreSettings:
    clock_rate: int = 16000
    frame_ms: int = 20  # pjsua's audio frame time
    playback_prefill_frames: int = 1
    capture_prefill_frames: int = 1
    capacity_frames: int = 25  # 500 ms: beyond that a frame is dropped (an overrun)
    trim_window_s: float = 1.0

    @property
    def frame_bytes(self) -> int:
        return self.clock_rate * self.frame_ms // 1000 * 2


class BridgeCore:
    """FIFOs between the call (20 ms frames) and the devices (whatever period they run at)."""

    def __init__(self, settings: CoreSettings) -> None:
        self.settings = settings
        self.frame_bytes = settings.frame_bytes
        self.silence = bytes(self.frame_bytes)
        window = max(1, round(settings.trim_window_s * 1000 / settings.frame_ms))
        self.playback = FrameFifo(
            capacity_frames=settings.capacity_frames,
            prefill_frames=settings.playback_prefill_frames,
            trim_window_pops=window,
        )
        self.capture = FrameFifo(
            capacity_frames=settings.capacity_frames,
            prefill_frames=settings.capture_prefill_frames,
            trim_window_pops=window,
        )
        self.muted = False
        self.held = False
        self.frames_from_call = 0  # clock thread
        self.bad_frames = 0  # clock thread
        self.frames_to_call = 0  # clock thread
        self._play_rest = b""  # playback thread
        self._cap_pending = bytearray()  # capture thread

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
        data = self.capture.pop()
        if data is None or self.muted or self.held:
            return self.silence
        return data

    # device threads -------------------------------------------------------------------------
    def fill_playback(self, wanted: int) -> bytes:
        """Up to ``wanted`` bytes for the headset; the device plays silence for the rest."""
        out = self._play_rest
        pop = self.playback.pop
        while len(out) < wanted:
            frame = pop()
            if frame is None:
                break
            out += frame
        self._play_rest = out[wanted:]
        return out[:wanted]

    def captured(self, data: bytes) -> None:
        """Bytes from the microphone, cut into call-sized frames."""
        pending = self._cap_pending
        pending += data
        size = self.frame_bytes
        while len(pending) >= size:
            self.capture.push(bytes(pending[:size]))
            del pending[:size]

    # any thread -----------------------------------------------------------------------------
    def playback_depth_ms(self) -> float:
        rest = len(self._play_rest) / 2 / self.settings.clock_rate * 1000
        return self.playback.depth * self.settings.frame_ms + rest

    def capture_depth_ms(self) -> float:
        pending = len(self._cap_pending) / 2 / self.settings.clock_rate * 1000
        return self.capture.depth * self.settings.frame_ms + pending
