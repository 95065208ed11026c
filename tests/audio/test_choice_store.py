"""Remembering the devices chosen on this workstation."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.softphone.desk.audio_choice import load_choice, merge, save_choice
from app.softphone.sound_devices import DeviceChoice


def test_choice_round_trips_and_defaults_when_missing(tmp_path: Path) -> None:
    path = tmp_path / "conf" / "audio-devices.json"
    assert load_choice(path) == DeviceChoice()
    choice = DeviceChoice(capture="Jabra Mic", playback="Jabra", ring="Speakers")
    save_choice(path, choice)
    assert load_choice(path) == choice


@pytest.mark.expect_log("app.softphone.desk.audio_choice", "ignoring unreadable audio device choice")
def test_damaged_file_means_system_defaults(tmp_path: Path) -> None:
    path = tmp_path / "audio-devices.json"
    path.write_text("{not json")
    assert load_choice(path) == DeviceChoice()
    path.write_text('{"capture": 5, "playback": "", "ring": "Speakers"}')
    assert load_choice(path) == DeviceChoice(ring="Speakers")


def test_command_line_names_win() -> None:
    saved = DeviceChoice(capture="A", playback="B", ring="C")
    assert merge(saved, capture=None, playback="X", ring=None) == DeviceChoice("A", "X", "C")
