"""The bridge's FIFOs and frame hand-overs, without pjsua2 or a sound server."""

from __future__ import annotations

from app.softphone.engine.headset.core import BridgeCore, CoreSettings
from app.softphone.engine.headset.fifo import FrameFifo
from app.softphone.engine.headset.tones import RING_CADENCE, cadence_pcm16, sine_pcm16


def frame(n: int, size: int = 4) -> bytes:
    return bytes([n]) * size


def test_fifo_primes_then_counts_a_real_underrun_once() -> None:
    fifo = FrameFifo(capacity_frames=5, prefill_frames=2)
    assert fifo.pop() is None  # priming is not an underrun
    fifo.push(frame(1))
    assert fifo.pop() is None
    fifo.push(frame(2))
    assert fifo.pop() == frame(1)
    assert fifo.pop() == frame(2)
    assert fifo.pop() is None
    assert fifo.pop() is None  # re-priming after the underrun is not counted again
    assert fifo.underruns == 1


def test_fifo_expected_gap_is_not_an_underrun() -> None:
    fifo = FrameFifo(capacity_frames=5, prefill_frames=1)
    fifo.push(frame(1))
    assert fifo.pop() == frame(1)
    fifo.expect_gap()
    assert fifo.pop() is None
    assert fifo.underruns == 0


def test_fifo_overrun_drops_the_oldest_frame() -> None:
    fifo = FrameFifo(capacity_frames=3, prefill_frames=1)
    for n in range(5):
        fifo.push(frame(n))
    assert fifo.overruns == 2
    assert [fifo.pop() for _ in range(3)] == [frame(2), frame(3), frame(4)]


def test_fifo_trims_a_start_up_burst_down_to_the_prefill() -> None:
    fifo = FrameFifo(capacity_frames=40, prefill_frames=1, trim_window_pops=10)
    for n in range(10):  # a 200 ms burst arrives at once
        fifo.push(frame(n))
    for n in range(10, 30):  # then steady: one in, one out
        fifo.pop()
        fifo.push(frame(n))
    assert fifo.trims == 1
    assert fifo.trimmed_frames == 9  # the minimum depth seen (10) down to the prefill (1)
    assert fifo.depth <= 2
    assert fifo.underruns == 0


def test_fifo_does_not_trim_a_depth_that_is_needed() -> None:
    fifo = FrameFifo(capacity_frames=40, prefill_frames=2, trim_window_pops=10)
    fifo.push(frame(0))
    fifo.push(frame(1))
    for n in range(2, 50):
        fifo.pop()
        fifo.push(frame(n))
    assert fifo.trims == 0


# Frames here are used the instant they arrive: no near-miss margin (tested on its own below).
NARROWBAND = CoreSettings(clock_rate=8000, frame_ms=20, near_miss_ms=0.0)


def test_core_cuts_device_buffers_into_call_frames_and_back() -> None:
    core = BridgeCore(NARROWBAND)  # 320-byte frames
    core.captured(b"\x01" * 200)
    core.captured(b"\x02" * 200)  # 400 bytes: one frame ready, 80 pending
    assert core.to_call() == b"\x01" * 200 + b"\x02" * 120
    core.from_call(b"\x03" * 320)
    out = core.fill_playback(160) + core.fill_playback(160)
    assert out == b"\x03" * 320
    assert core.fill_playback(160) == b""  # nothing left: the device plays silence


def test_core_mute_silences_the_microphone_and_hold_both_ways() -> None:
    core = BridgeCore(NARROWBAND)
    mic = b"\x05" * 320
    core.captured(mic)
    core.muted = True
    assert core.to_call() == core.silence
    core.muted = False
    core.captured(mic)
    assert core.to_call() == mic

    core.held = True
    core.captured(mic)
    assert core.to_call() == core.silence
    core.from_call(b"\x07" * 320)
    assert core.fill_playback(320) == core.silence


def test_core_ignores_frames_of_the_wrong_size() -> None:
    core = BridgeCore(NARROWBAND)
    core.from_call(b"\x01" * 100)
    assert core.bad_frames == 1
    assert core.playback.depth == 0


def test_tones_have_the_expected_lengths() -> None:
    assert len(sine_pcm16(440, 100, 16000)) == 3200
    cycle_ms = sum(s.duration_ms for s in RING_CADENCE)
    assert len(cadence_pcm16(RING_CADENCE, 16000)) == 16000 * cycle_ms // 1000 * 2


def test_fifo_keeps_one_more_frame_for_a_while_after_an_underrun() -> None:
    fifo = FrameFifo(capacity_frames=40, prefill_frames=1, trim_window_pops=10, calm_pops=100)
    fifo.push(frame(0))
    fifo.pop()
    assert fifo.pop() is None  # an underrun: the machine needed more margin
    for n in range(1, 4):
        fifo.push(frame(n))
    for n in range(4, 40):  # steady with 2 spare frames: only the one beyond the margin goes
        fifo.pop()
        fifo.push(frame(n))
    assert fifo.underruns == 1
    assert fifo.trimmed_frames == 1
