"""Tones synthesised in Python (no audio assets to ship): ringtone cadence and test signals."""

from __future__ import annotations

import math
import sys
from array import array
from dataclasses import dataclass

_FULL_SCALE = 32767


@dataclass(frozen=True, slots=True)
class ToneSegment:
    """One piece of a cadence: up to two mixed frequencies (0 = silence) for a duration."""

    duration_ms: int
    freq1_hz: float = 0.0
    freq2_hz: float = 0.0


# A desk-phone double ring: 400+450 Hz, 0.4 s on, 0.2 s off, 0.4 s on, 2 s off (3 s cycle).
RING_CADENCE: tuple[ToneSegment, ...] = (
    ToneSegment(400, 400.0, 450.0),
    ToneSegment(200),
    ToneSegment(400, 400.0, 450.0),
    ToneSegment(2000),
)
RING_FREQUENCY_HZ = 400.0  # the component tests look for


def sine_pcm16(freq_hz: float, duration_ms: int, rate: int, level: float = 0.3) -> bytes:
    """Mono signed 16-bit little-endian sine, ``level`` as a fraction of full scale."""
    count = rate * duration_ms // 1000
    amplitude = level * _FULL_SCALE
    step = 2.0 * math.pi * freq_hz / rate
    samples = array("h", (round(amplitude * math.sin(step * i)) for i in range(count)))
    return _little_endian(samples)


def cadence_pcm16(segments: tuple[ToneSegment, ...], rate: int, level: float = 0.4) -> bytes:
    """One full cycle of a cadence as mono s16le; dual tones share the level, edges ramp 5 ms."""
    out = array("h")
    ramp = max(1, rate * 5 // 1000)
    for segment in segments:
        count = rate * segment.duration_ms // 1000
        freqs = [f for f in (segment.freq1_hz, segment.freq2_hz) if f > 0]
        if not freqs:
            out.extend(array("h", bytes(2 * count)))
            continue
        amplitude = level * _FULL_SCALE / len(freqs)
        steps = [2.0 * math.pi * f / rate for f in freqs]
        for i in range(count):
            envelope = min(1.0, i / ramp, (count - 1 - i) / ramp)
            value = sum(math.sin(s * i) for s in steps) * amplitude * envelope
            out.append(round(value))
    return _little_endian(out)


def _little_endian(samples: array[int]) -> bytes:
    if sys.byteorder == "big":
        samples.byteswap()
    return samples.tobytes()
