"""The only pjsua2 code of the audio package's frame path: a typed shell around AudioMediaPort.

pjsua2 has no type stubs, so pj objects cross this boundary as ``AudioMediaLike`` (a Protocol with
the two methods the engine and the bridge use) and everything else stays typed.

Threads: `HeadsetPort`'s frame callbacks run on pjmedia's media-clock thread, the documented
exception to the SIP-thread rule (see the class); everything else here (creating the port, the
beeper, connections) runs on the SIP thread, reached through `HeadsetBridge`'s `sip_thread_only`
methods.
"""

from __future__ import annotations

import ctypes
import logging
import os
from collections.abc import Callable
from typing import Any, Protocol

import pjsua2 as pj

from app.softphone.engine.headset.streams import make_this_thread_realtime

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


def _vector_write_fast(vector: Any, data: bytes) -> None:
    """Fill a SWIG ``std::vector<unsigned char>`` in place: one resize, one memmove.

    ``frame.buf = pj.ByteVector(data)`` converts element by element through SWIG (~17 us per
    frame, measured); this takes ~3 us.
    """
    size = len(data)
    vector.resize(size)
    begin = ctypes.c_void_p.from_address(int(vector.this)).value
    if begin is None:
        raise ValueError("empty vector")
    ctypes.memmove(begin, data, size)


def _fast_read_works() -> bool:
    probe = bytes(range(256)) * 2
    vector = pj.ByteVector(probe)
    try:
        return _vector_bytes_fast(vector, len(probe)) == probe
    except (AttributeError, TypeError, ValueError):
        return False


def _fast_write_works() -> bool:
    """``frame.buf`` must hand out the frame's own vector (not a copy) for the in-place write."""
    probe = bytes(range(255, -1, -1)) * 2
    frame = pj.MediaFrame()
    try:
        _vector_write_fast(frame.buf, probe)
        return bytes(frame.buf) == probe
    except (AttributeError, TypeError, ValueError):
        return False


def keep_thread_state() -> None:
    """Keep this foreign (non-Python) thread's Python thread state for its whole life.

    SWIG's director calls take the GIL with PyGILState_Ensure, which on a thread Python did not
    create builds a fresh thread state on every callback and frees it again afterwards: about half
    of what an empty callback costs (measured: pjmedia's clock thread went from ~1.1 % to ~0.6 %
    of a core with two empty callbacks per 20 ms). One unmatched Ensure keeps the state alive;
    it is freed with the interpreter. Call it once, on the thread itself, inside a callback.
    """
    if os.environ.get("FRONTLINE_AUDIO_KEEP_TSTATE", "1") == "0":
        return
    ctypes.pythonapi.PyGILState_Ensure()


class _FrameFields:
    """A pjsua2 ``MediaFrame`` read and written through its memory, without SWIG calls.

    Every SWIG call releases and re-takes the GIL (shared/LAB.md), and each hand-over wakes
    whichever device thread waits for it: six such calls per 20 ms tick (type, size, buf both
    ways, resize) were most of what the clock thread spent in the bridge. Here a received frame
    costs none and a requested one a single call (``frame.buf = vector``, copying a vector
    whose storage we filled beforehand). The layout (``type`` int, then the ``buf`` vector's
    begin/end pointers, then the ``size`` unsigned, as g++ lays out pjsua2's struct) is checked
    on a probe frame first; ``probe()`` returns None if it does not hold.
    """

    TYPE = 0
    BEGIN = 8
    END = 16
    SIZE = 32

    def __init__(self, frame_bytes: int) -> None:
        self.frame_bytes = frame_bytes
        self.vector = pj.ByteVector(bytes(frame_bytes))  # requested frames are copied from here
        begin = ctypes.c_void_p.from_address(int(self.vector.this)).value
        if begin is None:
            raise ValueError("empty vector")
        self.storage = memoryview((ctypes.c_char * frame_bytes).from_address(begin)).cast("B")

    @classmethod
    def probe(cls, frame_bytes: int) -> _FrameFields | None:
        try:
            fields = cls(frame_bytes)
            frame = pj.MediaFrame()
            frame.type = pj.PJMEDIA_FRAME_TYPE_AUDIO
            frame.size = 0x1F2E3D
            data = bytes(range(256)) * 3
            frame.buf = pj.ByteVector(data)
            if fields.received(frame) != (True, None):  # size beyond the vector: refused
                return None
            frame.size = len(data)
            if fields.received(frame) != (True, data):
                return None
            frame.type = pj.PJMEDIA_FRAME_TYPE_NONE
            if fields.received(frame)[0]:
                return None
            out = pj.MediaFrame()
            probe = bytes(range(255, -1, -1))[: min(frame_bytes, 256)] * (frame_bytes // 256 + 1)
            fields.requested(out, probe[:frame_bytes])
            if out.type != pj.PJMEDIA_FRAME_TYPE_AUDIO or bytes(out.buf) != probe[:frame_bytes]:
                return None
        except (AttributeError, TypeError, ValueError, OverflowError):
            return None
        return fields

    @classmethod
    def received(cls, frame: Any) -> tuple[bool, bytes | None]:
        """(is audio, its bytes; None when the vector holds fewer than ``size`` bytes)."""
        address = int(frame.this)
        if ctypes.c_int.from_address(address + cls.TYPE).value != _AUDIO:
            return False, None
        size = ctypes.c_uint.from_address(address + cls.SIZE).value
        begin = ctypes.c_void_p.from_address(address + cls.BEGIN).value
        end = ctypes.c_void_p.from_address(address + cls.END).value
        if begin is None or end is None or end - begin < size:
            return True, None
        return True, ctypes.string_at(begin, size)

    def requested(self, frame: Any, data: bytes) -> None:
        ctypes.c_int.from_address(int(frame.this) + self.TYPE).value = _AUDIO
        self.storage[:] = data
        frame.buf = self.vector


_AUDIO = int(pj.PJMEDIA_FRAME_TYPE_AUDIO)


class HeadsetPort(pj.AudioMediaPort):  # type: ignore[misc]  # pjsua2 is untyped
    """An AudioMediaPort whose frames go to and come from Python callables.

    pjmedia calls both methods on its clock thread from ``createPort`` on (also before any call is
    connected), so they check the frame type and never wait.

    The exception to "pjsua2 only on the SIP thread" (app/thread_rules.py): these two callbacks
    run on pjmedia's media-clock thread (already registered with pjlib, LAB.md) and touch the
    frame pjsua2 hands them (its memory, ``frame.buf``) and nothing else of pjsua2.  They call no
    `sip_thread_only` method, so the guard never sees them; what they hand over goes through the
    bridge's FIFOs (``core``), never to a SIP-thread object.
    """

    def __init__(self, *, from_call: FrameSink, to_call: FrameSource) -> None:
        super().__init__()
        self._from_call = from_call
        self._to_call = to_call
        self._fast = _fast_read_works()
        if not self._fast:
            log.warning("fast frame read unavailable, falling back to bytes(frame.buf)")
        self._fast_write = _fast_write_works()
        if not self._fast_write:
            log.warning("fast frame write unavailable, falling back to pj.ByteVector")
        self._audio = pj.PJMEDIA_FRAME_TYPE_AUDIO
        self._fields: _FrameFields | None = None
        self.clock_realtime: bool | None = None  # None until pjmedia's clock thread first calls

    def _promote_clock_thread(self) -> None:
        # pjmedia's clock thread holds the GIL inside our callbacks: left at SCHED_OTHER, a busy
        # machine preempts it mid-callback and the device threads wait for the GIL behind it.
        self.clock_realtime = make_this_thread_realtime()
        keep_thread_state()

    def create(self, name: str, clock_rate: int, frame_ms: int) -> None:
        self._fields = _FrameFields.probe(clock_rate * frame_ms // 1000 * 2)
        if self._fields is None:
            log.warning("MediaFrame layout not as expected: frames go through SWIG (more CPU)")
        fmt = pj.MediaFormatAudio()
        fmt.init(pj.PJMEDIA_FORMAT_PCM, clock_rate, 1, frame_ms * 1000, 16)
        self.createPort(name, fmt)

    # A Python exception escaping these two callbacks crosses pjmedia's C clock thread and aborts
    # the engine (SWIG's director turns it into a C++ exception nobody catches).  One real case:
    # `HeadsetBridge.destroy` drops the last reference while the clock thread is about to call,
    # and the call lands on an object whose attributes are already gone (seen under load in
    # tests/audio/test_call_audio.py).  So a failing frame is silence, never an exception.
    def onFrameReceived(self, frame: Any) -> None:  # noqa: N802 - pjsua2's callback name
        try:
            self._received(frame)
        except Exception as exc:  # noqa: BLE001 - see above: the frame is dropped
            _frame_failed(self, "received", exc)

    def onFrameRequested(self, frame: Any) -> None:  # noqa: N802 - pjsua2's callback name
        try:
            self._requested(frame)
        except Exception as exc:  # noqa: BLE001 - see above: the frame stays as pjmedia made it
            _frame_failed(self, "requested", exc)

    def _received(self, frame: Any) -> None:
        if self.clock_realtime is None:
            self._promote_clock_thread()
        if self._fields is not None:
            audio, data = self._fields.received(frame)
            self._from_call(data if audio else None)
            return
        if frame.type != self._audio:
            self._from_call(None)
            return
        size = frame.size
        data = _vector_bytes_fast(frame.buf, size) if self._fast else bytes(frame.buf)[:size]
        self._from_call(data)

    def _requested(self, frame: Any) -> None:
        if self.clock_realtime is None:
            self._promote_clock_thread()
        data = self._to_call()
        fields = self._fields
        if fields is not None and len(data) == fields.frame_bytes:
            fields.requested(frame, data)
            return
        frame.type = self._audio
        if self._fast_write:
            _vector_write_fast(frame.buf, data)
        else:
            frame.buf = pj.ByteVector(data)


_frame_failures = 0


def _frame_failed(port: HeadsetPort, which: str, exc: Exception) -> None:
    """A frame callback failed: silent for a port being torn down, else said once (a bug)."""
    global _frame_failures  # noqa: PLW0603 - one counter for the clock thread, no lock needed
    if not vars(port):
        return  # its attributes are gone: the last reference was dropped, pjmedia had not noticed
    _frame_failures += 1
    if _frame_failures == 1:
        log.error("a frame %s callback failed (later failures are not logged)", which, exc_info=exc)


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
