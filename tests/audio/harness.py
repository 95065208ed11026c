"""Shared by the audio tests and benchmarks/audio_bridge_bench.py: the SIP peer subprocess, a
sink-monitor recorder and a tone WAV writer."""

from __future__ import annotations

import os
import subprocess
import sys
import time
import wave
from pathlib import Path

from app.softphone.engine.headset.tones import sine_pcm16
from tests.audio.pulse import PrivatePulse

REPO = Path(__file__).resolve().parents[2]


def start_peer(pulse: PrivatePulse, *args: str) -> subprocess.Popen[str]:
    """tests/audio/sip_peer.py against the private PulseAudio; SIP and RTP on ports the OS picks."""
    env = {**os.environ, **pulse.env, "PYTHONPATH": str(REPO)}
    return subprocess.Popen(
        [sys.executable, "-m", "tests.audio.sip_peer", *args],
        cwd=REPO,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


class Recorder:
    """parec on a sink's monitor, 16 kHz mono s16le, started before the scenario."""

    def __init__(self, pulse: PrivatePulse, source: str, path: Path) -> None:
        self.path = path
        self.started = time.time()
        with path.open("wb") as sink:
            self._proc = subprocess.Popen(
                [
                    "parec",
                    "-d",
                    source,
                    "--rate=16000",
                    "--channels=1",
                    "--format=s16le",
                    "--latency-msec=20",
                ],
                env={**os.environ, **pulse.env},
                stdout=sink,
                stderr=subprocess.DEVNULL,
            )

    def stop(self) -> bytes:
        self._proc.terminate()
        self._proc.wait(timeout=10)
        return self.path.read_bytes()


def write_tone_wav(path: Path, freq: float, seconds: float, rate: int = 16000, level: float = 0.3) -> Path:
    with wave.open(str(path), "wb") as wav:
        wav.setnchannels(1)
        wav.setsampwidth(2)
        wav.setframerate(rate)
        wav.writeframes(sine_pcm16(freq, int(seconds * 1000), rate, level))
    return path
