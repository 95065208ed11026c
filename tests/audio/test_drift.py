"""Clock-drift compensation and the FIFO's start-up/idle accounting, on simulated time (no
pjsua2, no sound server): two clocks that disagree by a few hundred ppm for minutes of audio."""

from __future__ import annotations

import itertools
import math
from array import array

import pytest

from app.softphone.engine.headset.core import FrameDrain
from app.softphone.engine.headset.drift import DriftControl, reshape
from app.softphone.engine.headset.fifo import FrameFifo
from app.softphone.engine.headset.tones import sine_pcm16

RATE = 16000
FRAME = RATE // 50  # samples in 20 ms
FRAME_BYTES = 2 * FRAME


class FakeClock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def pcm(data: bytes) -> array[int]:
    samples = array("h")
    samples.frombytes(data)
    return samples


def largest_step(samples: array[int]) -> int:
    return max(abs(b - a) for a, b in itertools.pairwise(samples))


@pytest.mark.parametrize("samples", [16, 64, -16, -64])
def test_reshape_changes_the_length_without_a_step(samples: int) -> None:
    tone = sine_pcm16(1000 / 3, 20, RATE, level=0.5)  # not a whole number of periods per slice
    out = reshape(tone, samples)
    assert len(out) == len(tone) - 2 * samples
    # No click: no sample-to-sample jump larger than the tone's own steepest one (plus rounding).
    assert largest_step(pcm(out)) <= largest_step(pcm(tone)) * 1.5 + 2


def test_reshape_leaves_a_too_short_frame_alone() -> None:
    frame = bytes(40)
    assert reshape(frame, 30) is frame


def simulate(ppm: float, seconds: float, *, drift: bool) -> tuple[FrameFifo, FrameDrain]:
    """A producer pushing 20 ms frames on a clock ``ppm`` fast (negative: slow) and a consumer
    taking 20 ms every 20 ms, both with a little timing jitter, through one FIFO."""
    clock = FakeClock()
    fifo = FrameFifo(
        capacity_frames=25,
        prefill_frames=1,
        trim_window_pops=50,
        settle_pops=150,
        settled_slack_frames=1,
        clock=clock,
    )
    control = (
        DriftControl(rate=RATE, window_s=4.0, tolerance_s=0.005, max_step_s=0.004, floor_s=0.025)
        if drift
        else None
    )
    drain = FrameDrain(fifo, frame_bytes=FRAME_BYTES, rate=RATE, drift=control)
    frame = sine_pcm16(500, 20, RATE)
    producer_period = 0.02 / (1 + ppm / 1e6)
    next_push, next_take = 0.010, 0.0  # producer 10 ms out of phase with the consumer
    start = clock.now
    tick = 0
    while next_take < seconds:
        jitter = 0.001 * math.sin(tick * 0.7)  # +-1 ms, deterministic
        if next_push + jitter <= next_take:
            clock.now = start + next_push + jitter
            fifo.push(frame)
            next_push += producer_period
        else:
            clock.now = start + next_take
            drain.take(FRAME_BYTES)
            next_take += 0.02
            tick += 1
    return fifo, drain


@pytest.mark.parametrize("ppm", [300.0, -300.0])
def test_drifting_clocks_without_compensation_glitch(ppm: float) -> None:
    """The control experiment: the same clocks with the compensation off do fault."""
    fifo, _ = simulate(ppm, 300.0, drift=False)
    assert fifo.underruns + fifo.trims > 0


@pytest.mark.parametrize("ppm", [300.0, -300.0])
def test_drift_is_compensated_in_small_slices_without_faults(ppm: float) -> None:
    seconds = 600.0
    fifo, drain = simulate(ppm, seconds, drift=True)
    assert (fifo.underruns, fifo.overruns, fifo.trims) == (0, 0, 0)
    assert drain.drift is not None
    corrections = drain.drift.corrections
    assert corrections > 0
    net = drain.drift.dropped_samples - drain.drift.inserted_samples
    expected = ppm / 1e6 * seconds * RATE  # samples the producer got ahead (behind: negative)
    assert net == pytest.approx(expected, abs=FRAME)
    # Small slices: none larger than 4 ms, so each is inaudible.
    assert (drain.drift.dropped_samples + drain.drift.inserted_samples) / corrections <= 0.004 * RATE


def test_steady_clocks_need_no_correction_after_the_start() -> None:
    """Without drift, the only corrections raise a latency that settled below the floor, once."""
    _, early = simulate(0.0, 60.0, drift=True)
    fifo, drain = simulate(0.0, 600.0, drift=True)
    assert early.drift is not None and drain.drift is not None
    assert drain.drift.corrections == early.drift.corrections
    assert drain.drift.dropped_samples == 0
    assert drain.drift.inserted_samples <= 0.025 * RATE
    assert (fifo.underruns, fifo.overruns, fifo.trims) == (0, 0, 0)


def test_start_up_burst_is_trimmed_but_not_a_fault() -> None:
    fifo = FrameFifo(capacity_frames=40, prefill_frames=1, trim_window_pops=10, settle_pops=50)
    for _ in range(10):  # the sound server's start-up burst
        fifo.push(bytes(4))
    for _ in range(30):
        fifo.pop()
        fifo.push(bytes(4))
    assert (fifo.startup_trims, fifo.trims, fifo.underruns) == (1, 0, 0)


def test_near_miss_while_settling_adds_a_frame_of_margin_not_an_underrun() -> None:
    clock = FakeClock()
    fifo = FrameFifo(capacity_frames=10, prefill_frames=1, settle_pops=50, near_miss_s=0.004, clock=clock)
    fifo.push(bytes(4))
    clock.now += 0.001  # used 1 ms after it arrived: the clocks tick together
    assert fifo.pop() is None  # re-primes one frame deeper instead
    assert (fifo.margin, fifo.near_misses, fifo.underruns, fifo.startup_underruns) == (1, 1, 0, 0)
    fifo.push(bytes(4))
    clock.now += 0.010
    assert fifo.pop() == bytes(4)
    assert fifo.depth == 1  # the margin


def test_an_idle_fifo_counts_nothing() -> None:
    fifo = FrameFifo(capacity_frames=3, prefill_frames=1)
    fifo.push(bytes(4))
    fifo.pop()
    fifo.pause()  # the call ended: pjmedia stops one side, the other runs on
    for _ in range(5):
        fifo.pop()
        fifo.push(bytes(4))
    for _ in range(5):
        fifo.push(bytes(4))
    assert (fifo.underruns, fifo.overruns) == (0, 0)
    fifo.restart()  # the next call
    for _ in range(3):
        fifo.pop()
    assert fifo.pop() is None
    assert fifo.underruns == 1  # counting again
