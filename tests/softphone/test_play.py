"""`frontline phone --play FILE`: an unattended user agent (the demo caller) talks with a recording.

Engine A plays the demo's voice-like signal as its microphone and calls engine B, which answers
and records; B's recording must carry A's voice: speech-like levels in most 100 ms windows.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from app.demo.voice import write_voice_wav
from tests.softphone.conftest import EngineFactory
from tests.softphone.media import read_wav, window_levels
from tests.waiting import wait_until

pytestmark = pytest.mark.sip


def test_the_played_file_reaches_the_other_side(engines: EngineFactory, tmp_path: Path) -> None:
    voice = write_voice_wav(tmp_path / "voice.wav", seconds=3.0)
    callee = engines("--listen", "127.0.0.1:0", "--auto-answer", "--auto-record")
    caller = engines("--listen", "127.0.0.1:0", "--user", "+79990001111", "--play", str(voice))
    caller.ok("dial", uri=f"sip:100@{callee.address()}")
    started = callee.wait_event("recording_started")
    caller.wait_event("call_state", state="active")
    # Keep the call up until the callee's recorder has written ~1.5 s of audio (16 kHz, 16-bit).
    # Not DTMF as a pacer: pjsua sends RFC 2833 events *instead of* audio while a digit plays.
    _wait_until_grown(Path(started["path"]), 48_000)
    caller.ok("hangup")
    finished = callee.wait_event("recording_finished", call=started["call"])
    callee.stop()  # the WAV header is final once the recorder is gone
    samples, rate = read_wav(Path(finished["path"]))
    levels = window_levels(samples, rate)
    speaking = [lv for lv in levels if lv > 300]
    assert len(levels) >= 2, levels
    assert len(speaking) >= len(levels) // 3, levels  # voice with pauses, not silence


def _wait_until_grown(path: Path, size: int, timeout: float = 20.0) -> None:
    """Poll the recording's size: the only sign of audio time passing that the engine gives."""
    wait_until(
        lambda: path.exists() and path.stat().st_size >= size,
        timeout=timeout,
        what=f"{path} did not reach {size} bytes",
    )


def test_a_missing_file_is_a_clear_error(engines: EngineFactory, tmp_path: Path) -> None:
    import subprocess
    import sys

    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "app.softphone",
            "--listen",
            "127.0.0.1:0",
            "--play",
            str(tmp_path / "nope.wav"),
        ],
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    assert done.returncode == 2
    assert "is not a file" in done.stderr
