"""Device listing and the doctor check against the private PulseAudio."""

from __future__ import annotations

from app.softphone.audio.devices import DeviceChoice, Direction, check_devices, list_devices
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
    from app.softphone.audio.doctor import check_audio

    result = check_audio(DeviceChoice(capture="headsetmic", playback="nope", ring="ringer"))
    assert result.name == "audio"
    assert not result.ok
    assert "playback: ringer  [ringer]" in result.detail
    assert "playback: nope: no playback device named 'nope'" in result.detail
    assert result.data is not None and result.data["backend"] == "PulseAudio"


def test_the_watchdogs_scanner_sees_a_device_plugged_in_on_its_open_connection(
    pulse_env: PrivatePulse,
) -> None:
    from app.softphone.audio.devices import DeviceScanner

    scanner = DeviceScanner()
    assert not scanner.present(Direction.PLAYBACK, "deskphone")
    module = pulse_env.load_null_sink("deskphone")
    try:
        assert scanner.present(Direction.PLAYBACK, "deskphone")  # same connection, fresh list
    finally:
        pulse_env.unload_module(module)
    assert not scanner.present(Direction.PLAYBACK, "deskphone")
    scanner.close()
