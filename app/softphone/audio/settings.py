"""The window's view of this desk's sound devices: list them, remember a choice.

Runs the (briefly blocking) device enumeration on a worker thread so the GUI never waits on the
sound server; the choice goes to the file `frontline phone` reads at start
(`app.softphone.audio.choice_store`).  Implements `app.softphone.device_settings.AudioDevicesPort`.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

from app.softphone.audio.choice_store import audio_choice_path, load_choice, save_choice
from app.softphone.audio.devices import AudioDeviceError, DeviceChoice, list_devices
from app.softphone.device_settings import AudioDevices


class LocalAudioDevices:
    def __init__(self, path: Path | None = None) -> None:
        self._path = path or audio_choice_path()

    async def devices(self) -> AudioDevices:
        return await asyncio.to_thread(self._devices)

    async def save(self, capture: str | None, playback: str | None, ring: str | None) -> None:
        await asyncio.to_thread(save_choice, self._path, DeviceChoice(capture, playback, ring))

    def _devices(self) -> AudioDevices:
        chosen = load_choice(self._path)
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
