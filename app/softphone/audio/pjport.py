"""The only pjsua2 code of the audio package's frame path: a typed shell around AudioMediaPort.

pjsua2 has no type stubs, so pj objects cross this boundary as ``AudioMediaLike`` (a Protocol with
the two methods the engine and the bridge use) and everything else stays typed.
"""

from __future__ import annotations

import ctypes
import logging
from collections.abc import Callable
from typing import Any, Protocol

import pjsua2 as pj

from app.softphone.audio.streams import make_this_thread_realtime

log = logging.getLogger(__name__)


class AudioMediaLike(Protocol):
    """What the bridge needs of a pjsua2 AudioMedia (a call's audio, a recorder, a player)."""

    def startTransmit(self, sink: Any) -> None: ...  # noqa: N802 - pjsua2's name

    def stopTransmit(self, sink: Any) -> None: ...  # noqa: N802 - pjsua2's name

    def getPortId(self) -> int: ...  # noqa: N802 - pjsua2's name


FrameSink = Callable[[bytes | None], None]
FrameSource = Callable[[], bytes]

_POINTER = ctypes.sizeof(ctypes.c_void_p)


def _vector_bytes_fast(vector: Any, size: int) -> bytes | None:
    """Read a SWIG ``std::vector<unsigned char>`` in one memcpy (libstdc++ layout: begin, end).

    ``bytes(vector)`` goes element by element through SWIG (~0.5 ms per 20 ms frame); this takes
    a few microseconds. The end-begin check guards against a layout that is not what we expect.
    """
    address = int(vector.this)
    begin = ctypes.c_void_p.from_address(address).value
    end = ctypes.c_void_p.from_address(address + _POINTER).value
    if begin is None or end is None or end - begin != size:
        return None
    return ctypes.string_at(begin, size)


def _fast_read_works() -> bool:
    probe = bytes(range(256)) * 2
    vector = pj.ByteVector(probe)
    try:
        return _vector_bytes_fast(vector, len(probe)) == probe
    except (AttributeError, TypeError, ValueError):
        return False


class HeadsetPort(pj.AudioMediaPort):  # type: ignore[misc]  # pjsua2 is untyped
    """An AudioMediaPort whose frames go to and come from Python callables.

    pjmedia calls both methods on its clock thread from ``createPort`` on (also before any call is
    connected), so they check the frame type and never wait.
    """

    def __init__(self, *, from_call: FrameSink, to_call: FrameSource) -> None:
        super().__init__()
        self._from_call = from_call
        self._to_call = to_call
        self._fast = _fast_read_works()
        if not self._fast:
            log.warning("fast frame read unavailable, falling back to bytes(frame.buf)")
        self._audio = pj.PJMEDIA_FRAME_TYPE_AUDIO
        self.clock_realtime: bool | None = None  # None until pjmedia's clock thread first calls

    def _promote_clock_thread(self) -> None:
        # pjmedia's clock thread holds the GIL inside our callbacks: left at SCHED_OTHER, a busy
        # machine preempts it mid-callback and the device threads wait for the GIL behind it.
        self.clock_realtime = make_this_thread_realtime()

    def create(self, name: str, clock_rate: int, frame_ms: int) -> None:
        fmt = pj.MediaFormatAudio()
        fmt.init(pj.PJMEDIA_FORMAT_PCM, clock_rate, 1, frame_ms * 1000, 16)
        self.createPort(name, fmt)

    def onFrameReceived(self, frame: Any) -> None:  # noqa: N802 - pjsua2's callback name
        if self.clock_realtime is None:
            self._promote_clock_thread()
        if frame.type != self._audio:
            self._from_call(None)
            return
        size = frame.size
        data = _vector_bytes_fast(frame.buf, size) if self._fast else bytes(frame.buf)[:size]
        self._from_call(data)

    def onFrameRequested(self, frame: Any) -> None:  # noqa: N802 - pjsua2's callback name
        if self.clock_realtime is None:
            self._promote_clock_thread()
        frame.type = self._audio
        frame.buf = pj.ByteVector(self._to_call())


class ToneBeeper:
    """A soft looping beep (call waiting) mixed by the conference bridge into one sink."""

    def __init__(self, clock_rate: int) -> None:
        self._gen = pj.ToneGenerator()
        self._gen.createToneGenerator(clock_rate, 1)
        self._sinks: list[Any] = []

    def start(self, sink: AudioMediaLike, *, freq_hz: int = 440, volume: int = 2500) -> None:
        tones = pj.ToneDescVector()
        for off_ms in (200, 3600):
            tone = pj.ToneDesc()
            tone.freq1 = freq_hz
            tone.freq2 = 0
            tone.on_msec = 200
            tone.off_msec = off_ms
            tone.volume = volume
            tones.append(tone)
        self._gen.play(tones, True)
        self._gen.startTransmit(sink)
        self._sinks.append(sink)

    def stop(self) -> None:
        for sink in self._sinks:
            try:
                self._gen.stopTransmit(sink)
            except pj.Error:
                log.debug("beep already disconnected")
        self._sinks.clear()
        self._gen.stop()


def stop_transmit_quietly(source: AudioMediaLike, sink: AudioMediaLike) -> None:
    """stopTransmit that tolerates a port already gone (a call that ended first)."""
    try:
        source.stopTransmit(sink)
    except pj.Error:
        log.debug("stopTransmit on a vanished port ignored")
