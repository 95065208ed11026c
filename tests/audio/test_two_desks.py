"""Two operators on two desks talk through the devices each of them chose.

Two real engine processes (`python -m app.softphone`, as the window starts them), each with its
own headset, microphone and desk speaker on the private PulseAudio: desk A calls desk B, B's desk
speaker rings while its headset stays quiet, B answers, and then each operator's voice (a tone
played into their microphone) is heard in the *other* operator's headset and not in their own.
"""

from __future__ import annotations

import os
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from app.softphone.engine.headset.tones import RING_FREQUENCY_HZ
from tests.audio.harness import Recorder, write_tone_wav
from tests.audio.pulse import PrivatePulse
from tests.audio.signal import Window, samples_from_raw, windows
from tests.softphone.engine_proc import EngineProcess
from tests.waiting import wait_until

pytestmark = [pytest.mark.sip, pytest.mark.slow]

RATE = 16000
A_VOICE_HZ = 600.0
B_VOICE_HZ = 900.0
RING_SECONDS = 2.0  # how long desk B rings before its operator answers
TALK_SECONDS = 3.0


@pytest.fixture
def desk_b_devices(pulse: PrivatePulse) -> Iterator[None]:
    """Desk B's headset, desk speaker and microphone (desk A has the session's own)."""
    modules = []
    for sink in ("b_headset", "b_ringer", "b_micfeed"):
        modules.append(pulse.load_null_sink(sink))
        pulse.keep_awake(sink)
    modules.append(pulse.load_virtual_mic("b_mic", "b_micfeed"))
    yield
    for module in reversed(modules):
        pulse.unload_module(module)


def _speak(pulse: PrivatePulse, sink: str, wav: Path) -> subprocess.Popen[bytes]:
    """An operator talking: a tone played into the sink their microphone hears."""
    return subprocess.Popen(
        ["paplay", "-d", sink, str(wav)],
        env={**os.environ, **pulse.env},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def _desk(
    name: str, tmp_path: Path, pulse: PrivatePulse, headset: str, mic: str, ringer: str
) -> EngineProcess:
    return EngineProcess(
        [
            "--listen",
            "127.0.0.1:0",
            "--playback-device",
            headset,
            "--capture-device",
            mic,
            "--ring-device",
            ringer,
        ],
        tmp_path / f"{name}.log",
        env=pulse.env,
    )


def _wait_for_audio(recorder: Recorder, seconds: float, timeout: float = 20.0) -> None:
    """Audio time can only be waited for as audio: the recording's growth from now on."""
    target = recorder.path.stat().st_size + int(seconds * RATE * 2)
    wait_until(
        lambda: recorder.path.stat().st_size >= target,
        timeout=timeout,
        what=f"{recorder.path.name} did not grow by {seconds} s",
    )


def _heard(wins: list[Window]) -> int:
    """Windows (100 ms) where the tone is clearly there and clean."""
    return sum(1 for w in wins if w.tone > 2000 and w.purity > 0.7)


def test_two_operators_hear_each_other_through_their_chosen_devices(
    pulse: PrivatePulse, desk_b_devices: None, tmp_path: Path
) -> None:
    talk_seconds = RING_SECONDS + TALK_SECONDS + 20
    a_voice = _speak(pulse, "micfeed", write_tone_wav(tmp_path / "a.wav", A_VOICE_HZ, talk_seconds))
    b_voice = _speak(pulse, "b_micfeed", write_tone_wav(tmp_path / "b.wav", B_VOICE_HZ, talk_seconds))
    ears = {
        "a_headset": Recorder(pulse, "headset.monitor", tmp_path / "a_headset.raw"),
        "a_ringer": Recorder(pulse, "ringer.monitor", tmp_path / "a_ringer.raw"),
        "b_headset": Recorder(pulse, "b_headset.monitor", tmp_path / "b_headset.raw"),
        "b_ringer": Recorder(pulse, "b_ringer.monitor", tmp_path / "b_ringer.raw"),
    }
    desk_a = _desk("desk_a", tmp_path, pulse, "headset", "headsetmic", "ringer")
    desk_b = _desk("desk_b", tmp_path, pulse, "b_headset", "b_mic", "b_ringer")
    try:
        desk_a.ok("dial", uri=f"sip:200@{desk_b.address()}")
        incoming = desk_b.wait_event("incoming_call")
        _wait_for_audio(ears["b_ringer"], RING_SECONDS)
        answered_at = time.time()
        desk_b.ok("answer", call=incoming["call"])
        desk_a.wait_event("call_state", state="active")
        desk_b.wait_event("call_state", state="active")
        _wait_for_audio(ears["b_headset"], TALK_SECONDS)
        _wait_for_audio(ears["a_headset"], 0.5)  # A's recorder catches up as well
        desk_a.ok("hangup")
        desk_b.wait_event("call_ended")
        desk_a.wait_event("call_ended")
    finally:
        heard = {name: samples_from_raw(ear.stop()) for name, ear in ears.items()}
        for voice in (a_voice, b_voice):
            voice.terminate()
            voice.wait(timeout=10)
        assert desk_a.stop() == 0, desk_a.log_tail()
        assert desk_b.stop() == 0, desk_b.log_tail()

    # Each operator hears the other one, cleanly, and not themselves.
    a_hears_b = _heard(windows(heard["a_headset"], RATE, B_VOICE_HZ))
    b_hears_a = _heard(windows(heard["b_headset"], RATE, A_VOICE_HZ))
    assert a_hears_b >= 20, f"desk A heard desk B in {a_hears_b} windows of 100 ms"
    assert b_hears_a >= 20, f"desk B heard desk A in {b_hears_a} windows of 100 ms"
    assert _heard(windows(heard["a_headset"], RATE, A_VOICE_HZ)) == 0, "desk A hears its own microphone"
    assert _heard(windows(heard["b_headset"], RATE, B_VOICE_HZ)) == 0, "desk B hears its own microphone"

    # Desk B rang on its own desk speaker only, with its headset quiet until the answer.
    rang = [
        w for w in windows(heard["b_ringer"], RATE, RING_FREQUENCY_HZ) if w.tone > 1000 and w.purity > 0.4
    ]
    assert rang, "desk B's ringer never rang"
    # A window's time in a recording is at most its wall-clock time since the recorder started
    # (parec starts a little late), so "before the answer" is judged on the safe side.
    until_answer = answered_at - ears["b_headset"].started - 0.3
    quiet = [w for w in windows(heard["b_headset"], RATE, RING_FREQUENCY_HZ) if w.t + 0.1 <= until_answer]
    assert len(quiet) >= 10
    assert max(w.rms for w in quiet) < 50, "desk B's headset was not quiet while it rang"
    assert max(w.rms for w in windows(heard["a_ringer"], RATE, RING_FREQUENCY_HZ)) < 50, (
        "desk A's ringer rang"
    )
    ring_end = answered_at - ears["b_ringer"].started
    after = [w for w in windows(heard["b_ringer"], RATE, RING_FREQUENCY_HZ) if w.t >= ring_end + 0.3]
    assert len(after) >= 10 and max(w.rms for w in after) < 50, "desk B's ringer went on after the answer"
