"""Sound devices for this desk: headset microphone, headset, and the ringing device.

The operator (or IT at the desk) picks from the devices the sound server offers now; the choice is
remembered for this workstation (the file ``frontline phone`` reads) and the softphone engine is
restarted to use it.  Not during a call: the headset must not go silent mid-sentence.
`app.softphone.desk.device_settings.AudioDevicesPort` lists and stores off the GUI thread; the dialog
only shows and asks.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QComboBox, QDialog, QDialogButtonBox, QFormLayout, QLabel, QVBoxLayout, QWidget

from app.softphone.desk.device_settings import AudioDevices


class AudioSettingsDialog(QDialog):
    """Three combo boxes and OK/Cancel; `choice()` is what was picked."""

    def __init__(self, devices: AudioDevices, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("audioSettings")
        self.setWindowTitle(self.tr("Sound devices"))
        intro = QLabel(
            self.tr(
                "The ringtone plays on the ringing device (e.g. the desk speaker) while the headset stays"
                " quiet. The softphone restarts to use the new devices."
            )
        )
        intro.setWordWrap(True)
        intro.setTextFormat(Qt.TextFormat.PlainText)
        self.capture = self._combo(devices.captures, devices.capture)
        self.playback = self._combo(devices.playbacks, devices.playback)
        self.ring = self._combo(devices.playbacks, devices.ring)
        form = QFormLayout()
        form.addRow(self.tr("Headset &microphone:"), self.capture)
        form.addRow(self.tr("&Headset:"), self.playback)
        form.addRow(self.tr("&Ringing device:"), self.ring)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        if devices.error:
            problem = QLabel(self.tr("Sound devices cannot be listed: {error}").format(error=devices.error))
            problem.setTextFormat(Qt.TextFormat.PlainText)
            problem.setWordWrap(True)
            problem.setStyleSheet("color: #b00020;")
            layout.addWidget(problem)
        layout.addLayout(form)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.capture.setFocus()

    def _combo(self, names: tuple[str, ...], chosen: str | None) -> QComboBox:
        combo = QComboBox()
        combo.addItem(self.tr("System default"), None)
        for name in names:
            combo.addItem(name, name)
        if chosen and chosen not in names:  # remembered but not plugged in now: keep it chosen
            combo.addItem(self.tr("{name} (not connected)").format(name=chosen), chosen)
        index = combo.findData(chosen)
        combo.setCurrentIndex(max(index, 0))
        return combo

    def choice(self) -> tuple[str | None, str | None, str | None]:
        """(capture, playback, ring) as picked; None is the system default."""
        return self.capture.currentData(), self.playback.currentData(), self.ring.currentData()
