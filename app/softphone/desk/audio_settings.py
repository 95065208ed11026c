"""The window's view of this desk's sound devices: list them, remember a choice.

Runs the (briefly blocking) device enumeration on a worker thread so the GUI never waits on the
sound server; the choice goes to the file `frontline phone` reads at start
(`app.softphone.desk.audio_choice`).  Implements `app.softphone.desk.device_settings.AudioDevicesPort`.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

from app.softphone.desk.device_settings import AudioDevices


class LocalAudioDevices:
    """The audio library is imported on first use, not at the window's start (it costs ~0.3 s
    and ~10 MB, and most shifts never open the dialog)."""

    def __init__(self, path: Path | None = None) -> None:
        self._path = path

    async def devices(self) -> AudioDevices:
        return await asyncio.to_thread(self._devices)

    async def save(self, capture: str | None, playback: str | None, ring: str | None) -> None:
        await asyncio.to_thread(self._save, capture, playback, ring)

    def _choice_path(self) -> Path:
        from app.softphone.desk.audio_choice import audio_choice_path

        return self._path or audio_choice_path()

    def _save(self, capture: str | None, playback: str | None, ring: str | None) -> None:
        from app.softphone.desk.audio_choice import save_choice
        from app.softphone.sound_devices import DeviceChoice

        save_choice(self._choice_path(), DeviceChoice(capture, playback, ring))

    def _devices(self) -> AudioDevices:
        from app.softphone.desk.audio_choice import load_choice
        from app.softphone.sound_devices import AudioDeviceError, list_devices

        chosen = load_choice(self._choice_path())
        try:
            found = list_devices()
        except AudioDeviceError as exc:
            return AudioDevices((), (), chosen.capture, chosen.playback, chosen.ring, str(exc))
        return AudioDevices(
            tuple(d.name for d in found.captures),
            tuple(d.name for d in found.playbacks),
            chosen.capture,
            chosen.playback,
            chosen.ring,
        )
