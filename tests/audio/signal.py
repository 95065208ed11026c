"""Plain-Python signal measurements for the audio tests (no numpy): Goertzel and RMS per window."""

from __future__ import annotations

import math
import sys
import wave
from array import array
from dataclasses import dataclass
from pathlib import Path


def samples_from_raw(data: bytes) -> array[int]:
    samples = array("h")
    samples.frombytes(data[: len(data) // 2 * 2])
    if sys.byteorder == "big":
        samples.byteswap()
    return samples


def read_wav_mono(path: Path) -> tuple[array[int], int]:
    """Samples (first channel) and the rate of a 16-bit WAV file."""
    with wave.open(str(path), "rb") as wav:
        assert wav.getsampwidth() == 2, "16-bit WAV expected"
        channels = wav.getnchannels()
        rate = wav.getframerate()
        samples = samples_from_raw(wav.readframes(wav.getnframes()))
    if channels > 1:
        samples = samples[::channels]
    return samples, rate


def goertzel_level(samples: array[int], start: int, count: int, freq: float, rate: int) -> float:
    """Amplitude (in sample units) of ``freq`` in samples[start:start+count]."""
    coeff = 2.0 * math.cos(2.0 * math.pi * freq / rate)
    s1 = s2 = 0.0
    for x in samples[start : start + count]:
        s0 = x + coeff * s1 - s2
        s2 = s1
        s1 = s0
    power = s1 * s1 + s2 * s2 - coeff * s1 * s2
    return 2.0 * math.sqrt(max(power, 0.0)) / count


def rms(samples: array[int], start: int, count: int) -> float:
    chunk = samples[start : start + count]
    if not chunk:
        return 0.0
    return math.sqrt(sum(x * x for x in chunk) / len(chunk))


@dataclass(frozen=True, slots=True)
class Window:
    t: float  # seconds from the start of the recording
    tone: float  # amplitude of the tone frequency
    rms: float  # overall level

    @property
    def purity(self) -> float:
        """Share of the level that is the tone (a sine of amplitude A has RMS A/sqrt 2)."""
        return self.tone / math.sqrt(2) / self.rms if self.rms > 0 else 0.0


def windows(samples: array[int], rate: int, freq: float, window_s: float = 0.1) -> list[Window]:
    size = int(rate * window_s)
    return [
        Window(t=i / rate, tone=goertzel_level(samples, i, size, freq, rate), rms=rms(samples, i, size))
        for i in range(0, len(samples) - size + 1, size)
    ]
