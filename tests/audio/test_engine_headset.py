"""`frontline phone` with the headset bridge, end to end through the real engine process: a
caller's tone reaches the operator's "headset" sink, and the engine tells the window which
devices it is using.  PulseAudio (null sinks) stands in for the sound card."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.audio.harness import Recorder, write_tone_wav
from tests.audio.pulse import PrivatePulse
from tests.audio.signal import samples_from_raw, windows
from tests.softphone.engine_proc import EngineProcess
from tests.waiting import wait_until

pytestmark = [pytest.mark.sip, pytest.mark.slow]


def _wait_for_bytes(path: Path, size: int, timeout: float = 20.0) -> None:
    """Audio time can only be waited for as audio: the monitor recording's growth."""
    wait_until(lambda: path.stat().st_size >= size, timeout=timeout, what=f"{path} stayed below {size} bytes")


def test_a_callers_tone_reaches_the_chosen_headset(pulse: PrivatePulse, tmp_path: Path) -> None:
    tone = write_tone_wav(tmp_path / "tone.wav", freq=1000, seconds=4.0)
    operator = EngineProcess(
        [
            "--listen",
            "127.0.0.1:0",
            "--auto-answer",
            "--playback-device",
            "headset",
            "--capture-device",
            "headsetmic",
            "--ring-device",
            "ringer",
        ],
        tmp_path / "operator.log",
        env=pulse.env,
    )
    caller = EngineProcess(
        ["--listen", "127.0.0.1:0", "--null-audio", "--play", str(tone)],
        tmp_path / "caller.log",
        env=pulse.env,
    )
    monitor = Recorder(pulse, "headset.monitor", tmp_path / "headset.raw")
    try:
        caller.ok("dial", uri=f"sip:100@{operator.address()}")
        operator.wait_event("call_state", state="active")
        _wait_for_bytes(monitor.path, 16000 * 2 * 2)  # 2 s at 16 kHz, 16-bit mono
        caller.ok("hangup")
        operator.wait_event("call_ended")
    finally:
        data = monitor.stop()
        assert caller.stop() == 0
        assert operator.stop() == 0
    ws = windows(samples_from_raw(data), 16000, 1000)
    heard = [w for w in ws if w.tone > 2000 and w.purity > 0.7]
    assert len(heard) >= 8, [(round(w.tone), round(w.purity, 2)) for w in ws]  # ≥ 0.8 s of clean tone
