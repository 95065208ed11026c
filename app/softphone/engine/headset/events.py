"""What the audio package tells the engine about devices (plain frozen values)."""

from __future__ import annotations

import enum
from collections.abc import Callable
from dataclasses import dataclass


class DeviceEventKind(enum.Enum):
    FELL_BACK = "fell_back"  # the chosen device is gone or would not open: using the default
    RESTORED = "restored"  # the chosen device is back and in use again
    LOST = "lost"  # no device at all for this role: the call goes on without it
    REOPENED = "reopened"  # a stream had silently stopped and was reopened on the same device


@dataclass(frozen=True, slots=True)
class AudioDeviceEvent:
    """Something the operator should know about their audio devices (the engine forwards it)."""

    kind: DeviceEventKind
    role: str  # "capture" | "playback" | "ring"
    wanted: str | None  # the chosen device name, None for the system default
    using: str | None  # the device now in use, None when none
    reason: str

    def as_fields(self) -> dict[str, str | None]:
        """Plain values for the engine's JSON event line."""
        return {
            "kind": self.kind.value,
            "role": self.role,
            "wanted": self.wanted,
            "using": self.using,
            "reason": self.reason,
        }


DeviceEventCallback = Callable[[AudioDeviceEvent], None]
