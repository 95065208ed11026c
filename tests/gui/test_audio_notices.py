"""The engine's ``audio_device_changed`` event reaches the operator as one plain sentence.

The engine side (a real PulseAudio sink unloaded mid-call -> the event) is proven in
tests/audio/test_engine_headset.py; here the event line as the engine writes it is decoded by the
real `PhoneBridge` and worded for the status bar (no engine process needed for that)."""

from __future__ import annotations

import pytest
from pytestqt.qtbot import QtBot

from app.softphone.events import AudioDeviceChange, AudioDeviceChanged
from app.ui.audio_notices import audio_notice_text
from app.ui.phone_bridge import PhoneBridge

pytestmark = pytest.mark.gui


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        (
            {"kind": "fell_back", "role": "playback", "wanted": "Jabra Evolve", "using": "Built-in Audio"},
            "The headset (Jabra Evolve) is gone: using Built-in Audio until it is back. The call goes on.",
        ),
        (
            {"kind": "restored", "role": "capture", "wanted": "Jabra Evolve", "using": "Jabra Evolve"},
            "The headset microphone (Jabra Evolve) is back and in use.",
        ),
        (
            {"kind": "lost", "role": "ring", "wanted": None, "using": None},
            "No ringing device is available: plug one in. The call goes on.",
        ),
        (
            {"kind": "reopened", "role": "playback", "wanted": None, "using": "Built-in Audio"},
            "The headset stopped and was restarted (Built-in Audio).",
        ),
    ],
)
def test_a_device_event_from_the_engine_becomes_a_sentence_for_the_operator(
    qtbot: QtBot, fields: dict[str, str | None], expected: str
) -> None:
    bridge = PhoneBridge(["--null-audio"])
    with qtbot.waitSignal(bridge.audio_device_changed, timeout=1000) as signal:
        bridge._on_engine_event(
            {"v": 1, "event": "audio_device_changed", "reason": "stream stopped", **fields}
        )
    notice = signal.args[0]
    assert isinstance(notice, AudioDeviceChanged)
    assert (notice.kind, notice.role, notice.wanted, notice.using) == (
        AudioDeviceChange(fields["kind"]),
        fields["role"],
        fields["wanted"],
        fields["using"],
    )
    assert audio_notice_text(notice) == expected
