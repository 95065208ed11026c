"""What the window may know of this desk's sound devices, as plain values and an async port.

Pure (no Qt, no audio library): the window's dialog (`app.ui.audio_settings`) depends on this;
`app.softphone.desk.audio_settings.LocalAudioDevices` implements the port.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True, slots=True)
class AudioDevices:
    """What the sound server offers (names as `frontline doctor` lists them) and what is chosen
    (None: the system default)."""

    captures: tuple[str, ...]
    playbacks: tuple[str, ...]
    capture: str | None = None
    playback: str | None = None
    ring: str | None = None
    error: str | None = None  # why nothing could be listed


class AudioDevicesPort(Protocol):
    async def devices(self) -> AudioDevices:
        """The devices now, and the choice remembered for this workstation."""
        ...

    async def save(self, capture: str | None, playback: str | None, ring: str | None) -> None:
        """Remember the choice (the engine uses it from its next start)."""
        ...
