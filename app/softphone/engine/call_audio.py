"""Where a call's audio goes: the `AudioBackend` seam, the null-device backend, and call recording.

Runs on the SIP thread (the conference-bridge connections are pjsua2 calls).  The headset bridge
(app/softphone/engine/headset/, next issue) implements `AudioBackend` with its own `AudioPort` pair and is
handed to the engine instead of `DeviceAudioBackend`.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from app.private_files import private_dir, private_file
from app.softphone.engine.pj import AudioPort, Library, Player, Recorder

log = logging.getLogger("app.softphone.sip")


class AudioBackend(Protocol):
    """Connects a call's audio stream to the operator's ears and mouth.

    `attach` is called on every ACTIVE media state of a call (each re-INVITE drops the bridge
    connections, LAB.md), `detach` when the call's media goes away.  All on the SIP thread.
    """

    def attach(self, call_audio: AudioPort, *, muted: bool) -> None: ...
    def detach(self, call_audio: AudioPort) -> None: ...
    def set_muted(self, call_audio: AudioPort, muted: bool) -> None: ...
    def microphone(self) -> AudioPort: ...
    def close(self) -> None: ...
    def start_ringing(self) -> None: ...
    def stop_ringing(self) -> None: ...
    def set_call_waiting(self, waiting: bool) -> None: ...
    def set_held(self, held: bool) -> None: ...


class DeviceAudioBackend:
    """pjsua's own sound device: the null device in this wheel (no sound-device support)."""

    def __init__(self, lib: Library) -> None:
        self._mic, self._speaker = lib.devices()

    def attach(self, call_audio: AudioPort, *, muted: bool) -> None:
        call_audio.start_transmit(self._speaker)
        if not muted:
            self._mic.start_transmit(call_audio)

    def detach(self, call_audio: AudioPort) -> None:
        call_audio.stop_transmit(self._speaker)
        self._mic.stop_transmit(call_audio)

    def set_muted(self, call_audio: AudioPort, muted: bool) -> None:
        if muted:
            self._mic.stop_transmit(call_audio)
        else:
            self._mic.start_transmit(call_audio)

    def microphone(self) -> AudioPort:
        return self._mic

    def close(self) -> None:
        """Nothing to release: the device ports belong to the Library."""

    # The null device has no ringer and no ears: ringing, waiting beeps and hold are silent.
    def start_ringing(self) -> None:
        """No ringing device."""

    def stop_ringing(self) -> None:
        """No ringing device."""

    def set_call_waiting(self, waiting: bool) -> None:
        """No headset to beep in."""

    def set_held(self, held: bool) -> None:
        """The hold re-INVITE already silences the call."""


class FileMicrophoneBackend(DeviceAudioBackend):
    """The null device's speaker, and a WAV file in a loop as the microphone.

    For unattended user agents (the demo caller, load tests): a voice-like recording really
    flows in the call's RTP, as it would from a person talking.
    """

    def __init__(self, lib: Library, wav: Path) -> None:
        super().__init__(lib)
        self._player = Player(str(wav))
        self._mic = self._player

    def close(self) -> None:
        self._player.close()


@dataclass(slots=True)
class Recording:
    """A WAV of both directions of one call (SIP-thread owned)."""

    path: Path
    recorder: Recorder | None
    started: float = field(default_factory=time.monotonic)

    @classmethod
    def start(cls, path: Path) -> Recording:
        private_dir(
            path.parent, ours=False
        )  # a call's voice: the desk user's only (pjsua keeps the file's mode)
        return cls(path=path, recorder=Recorder(str(private_file(path))))

    def connect(self, call_audio: AudioPort, backend: AudioBackend) -> None:
        """(Re)connect after every ACTIVE media state: the remote voice and the operator's."""
        if self.recorder is None:
            return
        call_audio.start_transmit(self.recorder)
        backend.microphone().start_transmit(self.recorder)

    def stop(self) -> float:
        """Finalise the file (pjsua writes the header once the recorder is gone); returns seconds."""
        if self.recorder is not None:
            self.recorder.close()
            self.recorder = None
        return round(time.monotonic() - self.started, 3)
