"""The devices chosen on this workstation, remembered in a small JSON file (not the site TOML:
the headset is per desk, the site file is per site). Missing or damaged file: system defaults."""

from __future__ import annotations

import json
import logging
from pathlib import Path

from app.private_files import private_dir, replace_private
from app.softphone.sound_devices import DeviceChoice

log = logging.getLogger(__name__)


def audio_choice_path() -> Path:
    """Where this workstation remembers the operator's chosen devices."""
    import platformdirs

    return Path(platformdirs.user_config_dir("frontline")) / "audio-devices.json"


def load_choice(path: Path) -> DeviceChoice:
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return DeviceChoice()
    except (OSError, ValueError) as exc:
        log.warning("ignoring unreadable audio device choice %s: %s", path, exc)
        return DeviceChoice()
    if not isinstance(raw, dict):
        return DeviceChoice()

    def pick(key: str) -> str | None:
        value = raw.get(key)
        return value if isinstance(value, str) and value else None

    return DeviceChoice(capture=pick("capture"), playback=pick("playback"), ring=pick("ring"))


def save_choice(path: Path, choice: DeviceChoice) -> None:
    """Atomically replace the file (a crash mid-write leaves the old choice), this user's only."""
    private_dir(path.parent)
    data = {"capture": choice.capture, "playback": choice.playback, "ring": choice.ring}
    replace_private(path, json.dumps(data, indent=2) + "\n")


def merge(
    saved: DeviceChoice, *, capture: str | None, playback: str | None, ring: str | None
) -> DeviceChoice:
    """Command-line names win over the remembered ones."""
    return DeviceChoice(
        capture=capture or saved.capture,
        playback=playback or saved.playback,
        ring=ring or saved.ring,
    )
