"""What the audio package tells the engine about devices: the engine's `AudioDeviceChanged` event
itself (app.softphone.events), made by the bridge and ringer and forwarded as it is."""

from __future__ import annotations

from collections.abc import Callable

from app.softphone.events import AudioDeviceChange as DeviceEventKind
from app.softphone.events import AudioDeviceChanged as AudioDeviceEvent

__all__ = ["AudioDeviceEvent", "DeviceEventCallback", "DeviceEventKind"]

DeviceEventCallback = Callable[[AudioDeviceEvent], None]
