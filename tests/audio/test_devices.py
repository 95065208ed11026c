"""Device listing and the doctor check against the private PulseAudio."""

from __future__ import annotations

import os
from collections.abc import Generator

import pytest

from app.softphone.sound_devices import DeviceChoice, Direction, check_devices, list_devices
from tests.audio.pulse import PrivatePulse


def test_devices_are_listed_by_name_with_stable_ids(pulse_env: PrivatePulse) -> None:
    devices = list_devices()

    assert devices.backend == "PulseAudio"
    playback_names = {d.name for d in devices.playbacks}
    assert {"headset", "ringer", "micfeed"} <= playback_names
    mic = devices.find(Direction.CAPTURE, "headsetmic")
    assert mic is not None
    assert mic.id == "headsetmic"
    monitor = devices.find(Direction.CAPTURE, "headset.monitor")  # by stable id too
    assert monitor is not None
    assert monitor.name == "Monitor of headset"


def test_doctor_check_says_which_chosen_devices_open(pulse_env: PrivatePulse) -> None:
    good = check_devices(DeviceChoice(capture="headsetmic", playback="headset", ring="ringer"))
    assert good.ok, good.checks
    assert [c.role for c in good.checks] == ["capture", "playback", "ring"]

    bad = check_devices(DeviceChoice(capture="headsetmic", playback="Jabra Evolve 40", ring=None))
    assert not bad.ok
    failed = [c for c in bad.checks if not c.ok]
    assert [c.role for c in failed] == ["playback"]
    assert "Jabra Evolve 40" in failed[0].detail


def test_doctor_audio_line_lists_devices_and_the_failing_choice(pulse_env: PrivatePulse) -> None:
    from app.softphone.desk.audio_doctor import check_audio

    result = check_audio(DeviceChoice(capture="headsetmic", playback="nope", ring="ringer"))
    assert result.name == "audio"
    assert not result.ok
    assert "playback: ringer  [ringer]" in result.detail
    assert "playback: nope: no playback device named 'nope'" in result.detail
    assert result.data is not None and result.data["backend"] == "PulseAudio"


def test_the_watchdogs_scanner_sees_a_device_plugged_in_on_its_open_connection(
    pulse_env: PrivatePulse,
) -> None:
    from app.softphone.sound_devices import DeviceScanner

    scanner = DeviceScanner()
    assert not scanner.present(Direction.PLAYBACK, "deskphone")
    module = pulse_env.load_null_sink("deskphone")
    try:
        assert scanner.present(Direction.PLAYBACK, "deskphone")  # same connection, fresh list
    finally:
        pulse_env.unload_module(module)
    assert not scanner.present(Direction.PLAYBACK, "deskphone")
    scanner.close()


def _silence() -> Generator[bytes, int, None]:
    frames = yield b""
    while True:
        frames = yield bytes(2 * frames)


def _requested_latency(pulse: PrivatePulse, *, through_frontline: bool) -> float:
    """What one playback stream on the ringer made PulseAudio request of the sink, opened
    through Frontline's stream or straight through miniaudio with the same settings."""
    import miniaudio

    from app.softphone.engine.headset.streams import PlaybackStream
    from app.softphone.sound_devices import resolve

    _, raw_id = resolve(Direction.PLAYBACK, "ringer")
    before = len(pulse.requested_latencies_ms())  # the harness's own streams
    stream: miniaudio.PlaybackDevice | PlaybackStream
    if through_frontline:
        stream = PlaybackStream(raw_id, "ringer", rate=16000, period_ms=20, fill=bytes)
    else:
        stream = miniaudio.PlaybackDevice(
            output_format=miniaudio.SampleFormat.SIGNED16,
            nchannels=1,
            sample_rate=16000,
            buffersize_msec=20,
            device_id=raw_id,
        )
        silence = _silence()
        next(silence)
        stream.start(silence)
    try:
        latencies = pulse.requested_latencies_ms()
    finally:
        stream.close()
    assert len(latencies) == before + 1, latencies
    return latencies[-1]


def test_a_playback_stream_asks_the_server_to_hold_more_than_one_period(pulse_env: PrivatePulse) -> None:
    """miniaudio alone asks PulseAudio to hold one 20 ms period, so a callback a little late
    is an audible gap; Frontline's stream asks for PLAYBACK_SERVER_BUFFER_MS (40 ms)."""
    plain = _requested_latency(pulse_env, through_frontline=False)
    ours = _requested_latency(pulse_env, through_frontline=True)
    assert ours >= 2 * plain, (ours, plain)
    assert "PULSE_LATENCY_MSEC" not in os.environ  # set around the connect only


def test_an_administrators_pulse_latency_is_left_alone(
    pulse_env: PrivatePulse, monkeypatch: pytest.MonkeyPatch
) -> None:
    ours = _requested_latency(pulse_env, through_frontline=True)
    monkeypatch.setenv("PULSE_LATENCY_MSEC", "120")
    theirs = _requested_latency(pulse_env, through_frontline=False)
    assert _requested_latency(pulse_env, through_frontline=True) == theirs != ours
    assert os.environ["PULSE_LATENCY_MSEC"] == "120"
