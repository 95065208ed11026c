"""The headset bridge behind the engine's ``AudioBackend`` seam (app/softphone/engine/call_audio.py).

Built by the engine's SIP thread through ``Engine(audio=...)`` once the library runs, and used
only there: ``attach`` on every ACTIVE media state, ``detach``/``set_muted``, ``microphone()`` for
the call recorder, ``close()`` before ``libDestroy``. Beyond the seam it carries the ringer (the
engine rings on an incoming call, stops on answer or end) and the call-waiting beep.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from app.softphone.engine.headset.bridge import BridgeSettings, HeadsetBridge
from app.softphone.engine.headset.events import DeviceEventCallback
from app.softphone.engine.headset.ringer import Ringer
from app.softphone.engine.pj import AudioPort, Library, sip_thread_only
from app.softphone.sound_devices import DeviceChoice

log = logging.getLogger(__name__)


class HeadsetAudioBackend:
    """A call's audio to the chosen headset, the ring to the chosen ringing device."""

    def __init__(
        self,
        choice: DeviceChoice,
        *,
        on_device_event: DeviceEventCallback | None = None,
        settings: BridgeSettings | None = None,
    ) -> None:
        self.bridge = HeadsetBridge(
            capture_device=choice.capture,
            playback_device=choice.playback,
            settings=settings,
            on_device_event=on_device_event,
        )
        self.ringer = Ringer(device=choice.ring, on_device_event=on_device_event)
        self.bridge.start()
        self._mic: AudioPort | None = AudioPort(self.bridge.media)
        self._muted: dict[int, bool] = {}

    @classmethod
    def factory(
        cls, choice: DeviceChoice, *, on_device_event: DeviceEventCallback | None = None
    ) -> Callable[[Library], HeadsetAudioBackend]:
        """What ``Engine(audio=...)`` takes: called on the SIP thread after ``lib.start()``."""

        def build(_lib: Library) -> HeadsetAudioBackend:
            return cls(choice, on_device_event=on_device_event)

        return build

    # AudioBackend ---------------------------------------------------------------------------
    @sip_thread_only
    def attach(self, call_audio: AudioPort, *, muted: bool) -> None:
        self.bridge.connect(call_audio.raw)
        self._muted[call_audio.raw.getPortId()] = muted
        if muted:
            self._gate(call_audio, muted=True)

    @sip_thread_only
    def detach(self, call_audio: AudioPort) -> None:
        self._muted.pop(call_audio.raw.getPortId(), None)
        self.bridge.disconnect(call_audio.raw)
        self._sync_mute()

    @sip_thread_only
    def set_muted(self, call_audio: AudioPort, muted: bool) -> None:
        self._muted[call_audio.raw.getPortId()] = muted
        self._gate(call_audio, muted=muted)

    def microphone(self) -> AudioPort:
        if self._mic is None:
            raise RuntimeError("the headset backend is closed")
        return self._mic

    def close(self) -> None:
        """Release everything pjsua2 (an audio port alive at libDestroy aborts the process)."""
        self.ringer.stop()
        self._mic = None
        self._muted.clear()
        self.bridge.destroy()

    # beyond the seam ------------------------------------------------------------------------
    def start_ringing(self) -> None:
        self.ringer.start()

    def stop_ringing(self) -> None:
        self.ringer.stop()

    def set_call_waiting(self, waiting: bool) -> None:
        if waiting:
            self.bridge.start_call_waiting_beep()
        else:
            self.bridge.stop_call_waiting_beep()

    def set_held(self, held: bool) -> None:
        self.bridge.set_held(held)

    def _gate(self, call_audio: AudioPort, *, muted: bool) -> None:
        """Muting a call stops the microphone towards it; the bridge's mute flag follows when every
        attached call is muted, so the recording hears what the caller hears."""
        mic = self.microphone()
        if muted:
            mic.stop_transmit(call_audio)
        else:
            mic.start_transmit(call_audio)
        self._sync_mute()

    def _sync_mute(self) -> None:
        self.bridge.set_muted(bool(self._muted) and all(self._muted.values()))
