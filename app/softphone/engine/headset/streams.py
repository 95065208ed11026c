"""Typed adapter around miniaudio's playback and capture devices.

Each stream runs its callback on a thread miniaudio owns. The callbacks given here must be quick
and must not block; every call bumps ``callbacks`` so a watchdog can notice a stream the sound
server stopped without telling anyone (observed here when the headset sink is removed mid-call).
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import logging
import os
import sys
import threading
from collections.abc import Callable, Generator, Iterator
from typing import Any

import miniaudio

from app.softphone.sound_devices import APP_NAME, THREAD_PRIORITY, AudioDeviceError, Direction, open_device

log = logging.getLogger(__name__)

# Low real-time priority, like PulseAudio's clients get from rtkit: above every ordinary program,
# below the sound server itself.
REALTIME_PRIORITY = 5

FillCallback = Callable[[int], bytes]  # byte count wanted -> at most that many bytes (rest is silence)
SinkCallback = Callable[[bytes | bytearray], None]  # captured bytes


def make_this_thread_realtime(priority: int = REALTIME_PRIORITY) -> bool:
    """Put the calling thread on SCHED_RR where the OS allows it (root, CAP_SYS_NICE or an
    RLIMIT_RTPRIO grant); otherwise leave it as it is. Audio callbacks are short and then sleep,
    so they never starve the machine, but on a busy desk an ordinary thread misses its 10 ms
    deadline. ``FRONTLINE_AUDIO_REALTIME=0`` turns this off."""
    setter = getattr(os, "sched_setscheduler", None)
    if setter is None or os.environ.get("FRONTLINE_AUDIO_REALTIME", "1") == "0":
        return False
    try:
        setter(0, os.SCHED_RR, os.sched_param(priority))
    except OSError:
        return False
    return True


def name_this_thread(name: str) -> None:
    """Give the calling OS thread a name ``top -H`` shows (Linux; a no-op elsewhere)."""
    if not sys.platform.startswith("linux"):
        return
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c"), use_errno=True)
        libc.prctl(15, name.encode()[:15], 0, 0, 0)  # PR_SET_NAME
    except (OSError, AttributeError):
        log.debug("cannot name thread %s", name)


# How much audio the sound server holds for a playback stream. miniaudio asks PulseAudio for one
# period (tlength = 20 ms, seen in the server's debug log), so a callback ~15 ms late leaves the
# headset silent for a moment although the bridge handed over every frame: 18 audible 10 ms gaps
# a minute with a busy thread in the process, 2-7 in a minute of a call through the engine. With
# 30 ms the engine still had 5; with 40 ms none in 120 s (the sink's own recording, counted by
# benchmarks/audio_bridge_bench.py), and fewer server wake-ups, for 20 ms more latency to the ear.
# The microphone keeps its 20 ms fragments: a capture callback that is late loses nothing.
PLAYBACK_SERVER_BUFFER_MS = 40
_PULSE_LATENCY = "PULSE_LATENCY_MSEC"
_environment_lock = threading.Lock()


@contextlib.contextmanager
def _pulse_server_buffer(period_ms: int) -> Iterator[None]:
    """Let libpulse ask for PLAYBACK_SERVER_BUFFER_MS while one playback stream connects.

    miniaudio has no setting for PulseAudio's buffer attributes and hides its pa_stream; libpulse
    reads PULSE_LATENCY_MSEC when a stream connects (pa_stream_connect_playback), so it is set
    around the device's creation only, not for the capture streams. An administrator's own
    PULSE_LATENCY_MSEC is left alone. Elsewhere (Windows, macOS) the variable means nothing.
    """
    # One stream connects at a time (ringer and headset may open together); glibc's setenv keeps
    # the old environment arrays, so a getenv on another thread meanwhile reads either state.
    with _environment_lock:
        if _PULSE_LATENCY in os.environ:
            yield
            return
        os.environ[_PULSE_LATENCY] = str(max(PLAYBACK_SERVER_BUFFER_MS, period_ms))
        try:
            yield
        finally:
            os.environ.pop(_PULSE_LATENCY, None)


def _open_device(direction: Direction, raw_id: Any, *, rate: int, period_ms: int, periods: int = 0) -> Any:
    """`sound_devices.open_device`, a playback stream with PLAYBACK_SERVER_BUFFER_MS of server buffer."""
    if direction is Direction.PLAYBACK:
        with _pulse_server_buffer(period_ms):
            return open_device(direction, raw_id, rate=rate, period_ms=period_ms, periods=periods)
    return open_device(direction, raw_id, rate=rate, period_ms=period_ms, periods=periods)


def _start(device: Any, generator: Generator[Any, Any, None], close: Callable[[], None], what: str) -> None:
    """Prime the callback generator and start the device; on failure close it and say what."""
    next(generator)
    try:
        device.start(generator)
    except miniaudio.MiniaudioError as exc:
        close()
        raise AudioDeviceError(f"cannot start {what}: {exc}") from exc


class _Stream:
    direction: Direction

    def __init__(self, raw_id: Any, label: str, *, rate: int, period_ms: int, periods: int = 0) -> None:
        self.label = label
        self.callbacks = 0
        self.errors = 0
        self.realtime = False  # set by the device thread on its first callback
        self._device: Any = _open_device(
            self.direction, raw_id, rate=rate, period_ms=period_ms, periods=periods
        )
        _start(self._device, self._generate(), self.close, f"{self.direction.value} on {label}")

    def _generate(self) -> Generator[Any, Any, None]:
        raise NotImplementedError

    def close(self) -> None:
        device, self._device = self._device, None
        if device is not None:
            device.close()


class PlaybackStream(_Stream):
    """A running mono s16 playback stream pulling bytes from ``fill``."""

    direction = Direction.PLAYBACK

    def __init__(
        self, raw_id: Any, label: str, *, rate: int, period_ms: int, fill: FillCallback, periods: int = 0
    ) -> None:
        self._fill = fill
        super().__init__(raw_id, label, rate=rate, period_ms=period_ms, periods=periods)

    def _generate(self) -> Generator[bytes, int, None]:
        frames = yield b""
        name_this_thread("audio-playback")
        self.realtime = make_this_thread_realtime()
        while True:
            self.callbacks += 1
            try:
                data = self._fill(frames * 2)
            except Exception:
                self.errors += 1
                log.exception("playback fill failed on %s", self.label)
                data = b""
            frames = yield data


class CaptureStream(_Stream):
    """A running mono s16 capture stream handing every buffer to ``sink``."""

    direction = Direction.CAPTURE

    def __init__(
        self, raw_id: Any, label: str, *, rate: int, period_ms: int, sink: SinkCallback, periods: int = 0
    ) -> None:
        self._sink = sink
        super().__init__(raw_id, label, rate=rate, period_ms=period_ms, periods=periods)

    def _generate(self) -> Generator[None, bytes, None]:
        data = yield
        name_this_thread("audio-capture")
        self.realtime = make_this_thread_realtime()
        while True:
            self.callbacks += 1
            try:
                self._sink(data)
            except Exception:
                self.errors += 1
                log.exception("capture sink failed on %s", self.label)
            data = yield


class DuplexStream:
    """The headset's earpiece and microphone on one miniaudio duplex device: one thread and one
    sound-server connection instead of two, and one callback per period that takes the captured
    bytes and returns the playback bytes. Measured with PulseAudio at 20 ms periods: ~2.7 % of a
    core for the device side against ~3.3-3.9 % for two streams. If the earpiece device goes
    away the callbacks stop (measured), so the watchdog sees a stall as with a single stream.
    Its earpiece keeps miniaudio's one-period server buffer (PLAYBACK_SERVER_BUFFER_MS is not
    applied: on one connect it would stretch the microphone's fragments as well)."""

    def __init__(
        self,
        playback_id: Any,
        capture_id: Any,
        *,
        playback_label: str,
        capture_label: str,
        rate: int,
        period_ms: int,
        fill: FillCallback,
        sink: SinkCallback,
        periods: int = 0,
    ) -> None:
        self.playback_label = playback_label
        self.capture_label = capture_label
        self.callbacks = 0
        self.errors = 0
        self.realtime = False
        self._fill = fill
        self._sink = sink
        s16 = miniaudio.SampleFormat.SIGNED16
        try:
            self._device: Any = miniaudio.DuplexStream(
                playback_format=s16,
                playback_channels=1,
                capture_format=s16,
                capture_channels=1,
                sample_rate=rate,
                buffersize_msec=period_ms,
                playback_device_id=playback_id,
                capture_device_id=capture_id,
                callback_periods=periods,
                thread_prio=THREAD_PRIORITY,
                app_name=APP_NAME,
            )
        except miniaudio.MiniaudioError as exc:
            raise AudioDeviceError(f"cannot open {playback_label} + {capture_label} as one: {exc}") from exc
        _start(self._device, self._generate(), self.close, f"{playback_label} + {capture_label}")

    def _generate(self) -> Generator[bytes, bytearray, None]:
        data = yield b""
        name_this_thread("audio-duplex")
        self.realtime = make_this_thread_realtime()
        sink, fill = self._sink, self._fill
        while True:
            self.callbacks += 1
            try:
                sink(data)
                out = fill(len(data))
            except Exception:
                self.errors += 1
                log.exception("duplex callback failed on %s / %s", self.playback_label, self.capture_label)
                out = b""
            data = yield out

    def close(self) -> None:
        device, self._device = self._device, None
        if device is not None:
            device.close()


class DuplexRole:
    """One direction of a DuplexStream, shaped like a single stream for the bridge's watchdog."""

    def __init__(self, stream: DuplexStream, direction: Direction) -> None:
        self.stream = stream
        self.direction = direction
        self.label = stream.playback_label if direction is Direction.PLAYBACK else stream.capture_label

    @property
    def callbacks(self) -> int:
        return self.stream.callbacks

    def close(self) -> None:
        self.stream.close()  # both roles go: the bridge reopens them separately
