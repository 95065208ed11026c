"""The window's sound-devices dialog against a real (private) PulseAudio: it lists the devices the
server offers, the operator picks by keyboard, and the choice is what `frontline phone` will read."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from app.softphone.desk.audio_choice import load_choice
from app.softphone.desk.audio_settings import LocalAudioDevices
from app.ui.audio_settings import AudioSettingsDialog
from tests.audio.pulse import PrivatePulse

pytestmark = pytest.mark.gui


def test_the_operator_picks_the_ringer_by_keyboard_and_it_is_remembered(
    qtbot: QtBot, pulse_env: PrivatePulse, tmp_path: Path
) -> None:
    port = LocalAudioDevices(tmp_path / "audio-devices.json")
    devices = asyncio.run(port.devices())
    assert devices.error is None
    assert {"headset", "ringer"} <= set(devices.playbacks)
    assert devices.ring is None  # nothing chosen yet: the system default

    dialog = AudioSettingsDialog(devices)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    dialog.ring.setFocus()
    while dialog.ring.currentData() != "ringer":  # the keyboard alone: Down through the list
        before = dialog.ring.currentIndex()
        qtbot.keyClick(dialog.ring, Qt.Key.Key_Down)
        assert dialog.ring.currentIndex() != before, "ringer is not in the list"
    dialog.playback.setCurrentIndex(dialog.playback.findData("headset"))
    with qtbot.waitSignal(dialog.accepted, timeout=2000):
        qtbot.keyClick(dialog, Qt.Key.Key_Return)
    asyncio.run(port.save(*dialog.choice()))

    remembered = load_choice(tmp_path / "audio-devices.json")
    assert (remembered.capture, remembered.playback, remembered.ring) == (None, "headset", "ringer")
    again = AudioSettingsDialog(asyncio.run(port.devices()))
    qtbot.addWidget(again)
    assert (again.playback.currentData(), again.ring.currentData()) == ("headset", "ringer")


def test_a_remembered_device_that_is_not_plugged_in_stays_chosen(
    qtbot: QtBot, pulse_env: PrivatePulse, tmp_path: Path
) -> None:
    port = LocalAudioDevices(tmp_path / "audio-devices.json")
    asyncio.run(port.save(None, "Jabra Evolve2 40", None))
    dialog = AudioSettingsDialog(asyncio.run(port.devices()))
    qtbot.addWidget(dialog)
    assert dialog.playback.currentData() == "Jabra Evolve2 40"
    assert "not connected" in dialog.playback.currentText()
