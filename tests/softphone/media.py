"""Test helper: a PCMU tone as a pcap SIPp can play, and level/frequency checks on recorded WAVs."""

from __future__ import annotations

import math
import struct
import wave
from pathlib import Path

RATE = 8000


def _ulaw(sample: int) -> int:
    """G.711 mu-law encoding of one 16-bit sample."""
    bias, clip = 0x84, 32635
    sign = 0x80 if sample < 0 else 0
    sample = min(abs(sample), clip) + bias
    exponent = 7
    mask = 0x4000
    while exponent > 0 and not sample & mask:
        exponent -= 1
        mask >>= 1
    mantissa = (sample >> (exponent + 3)) & 0x0F
    return ~(sign | (exponent << 4) | mantissa) & 0xFF


def tone_pcap(path: Path, freq: float = 1000.0, seconds: float = 2.0, amplitude: int = 12000) -> Path:
    """RTP/PCMU packets (20 ms) of a sine tone in a pcap file (Ethernet/IPv4/UDP)."""
    samples = [int(amplitude * math.sin(2 * math.pi * freq * n / RATE)) for n in range(int(RATE * seconds))]
    payload = bytes(_ulaw(s) for s in samples)
    out = [struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1)]
    for i in range(len(payload) // 160):
        rtp = struct.pack("!BBHII", 0x80, 0, i, i * 160, 0x1234ABCD) + payload[i * 160 : (i + 1) * 160]
        udp = struct.pack("!HHHH", 40000, 40002, 8 + len(rtp), 0) + rtp
        ip = struct.pack(
            "!BBHHHBBH4s4s", 0x45, 0, 20 + len(udp), i, 0, 64, 17, 0, b"\x7f\0\0\1", b"\x7f\0\0\1"
        )
        frame = b"\0" * 12 + b"\x08\x00" + ip + udp
        t = i * 0.02
        out.append(struct.pack("<IIII", int(t), int((t % 1) * 1e6), len(frame), len(frame)) + frame)
    path.write_bytes(b"".join(out))
    return path


def read_wav(path: Path) -> tuple[list[int], int]:
    with wave.open(str(path), "rb") as w:
        assert w.getsampwidth() == 2, "expected 16-bit PCM"
        rate, channels = w.getframerate(), w.getnchannels()
        data = w.readframes(w.getnframes())
    samples = list(struct.unpack(f"<{len(data) // 2}h", data))[::channels]
    return samples, rate


def window_levels(samples: list[int], rate: int, window_s: float = 0.1) -> list[float]:
    """RMS level per window (LAB.md: measure per 100 ms window, not just 'non-silent')."""
    n = int(rate * window_s)
    return [math.sqrt(sum(s * s for s in samples[i : i + n]) / n) for i in range(0, len(samples) - n + 1, n)]


def goertzel_power(samples: list[int], rate: int, freq: float) -> float:
    k = 2 * math.cos(2 * math.pi * freq / rate)
    s1 = s2 = 0.0
    for x in samples:
        s1, s2 = x + k * s1 - s2, s1
    return s1 * s1 + s2 * s2 - k * s1 * s2
