"""A voice-like test signal for the demo caller, synthesised here so no recording is shipped.

Vowel-like syllables: a glottal pulse train (100–160 Hz, gently gliding pitch) shaped by the
first two formants of a, e, i, o, u, with syllable envelopes and pauses between phrases.  It is
not speech, but it has speech's spectrum and rhythm, so level meters, codecs and the headset path
behave as they would with a caller talking.
"""

from __future__ import annotations

import math
import random
import struct
import wave
from pathlib import Path

from app.private_files import private_dir, private_file

RATE = 16_000
# (F1, F2) in Hz for a few vowels.
_VOWELS = ((730, 1090), (530, 1840), (270, 2290), (570, 840), (300, 870))


def _syllable(rng: random.Random, seconds: float) -> list[float]:
    f1, f2 = rng.choice(_VOWELS)
    pitch0 = rng.uniform(105, 150)
    glide = rng.uniform(-25, 25)
    n = int(seconds * RATE)
    out = []
    phase = 0.0
    for i in range(n):
        t = i / n
        pitch = pitch0 + glide * t
        phase += pitch / RATE
        # Harmonics of the pitch, each weighted by closeness to a formant (a cheap vocal tract).
        sample = 0.0
        for k in range(1, 30):
            f = k * pitch
            if f > RATE / 2 - 200:
                break
            gain = math.exp(-(((f - f1) / 120) ** 2)) + 0.6 * math.exp(-(((f - f2) / 180) ** 2)) + 0.02
            sample += gain * math.sin(2 * math.pi * k * phase) / k**0.3
        envelope = math.sin(math.pi * t) ** 0.6
        out.append(sample * envelope)
    return out


def synthesise(seconds: float = 12.0, seed: int = 7) -> list[int]:
    rng = random.Random(seed)
    samples: list[float] = []
    while len(samples) < seconds * RATE:
        for _ in range(rng.randint(3, 7)):  # a phrase
            samples += _syllable(rng, rng.uniform(0.12, 0.28))
            samples += [0.0] * int(rng.uniform(0.01, 0.05) * RATE)
        samples += [0.0] * int(rng.uniform(0.3, 0.7) * RATE)  # a breath
    peak = max(abs(s) for s in samples) or 1.0
    return [int(s / peak * 0.5 * 32767) for s in samples[: int(seconds * RATE)]]


def write_voice_wav(path: Path, seconds: float = 12.0) -> Path:
    """Write the signal as 16 kHz 16-bit mono PCM (what pjsua2's WAV player reads)."""
    private_dir(path.parent)
    pcm = synthesise(seconds)
    with wave.open(str(private_file(path)), "wb") as wav:
        wav.setnchannels(1)
        wav.setsampwidth(2)
        wav.setframerate(RATE)
        wav.writeframes(struct.pack(f"<{len(pcm)}h", *pcm))
    return path
