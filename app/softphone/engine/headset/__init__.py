"""Headset audio for the softphone engine: devices, the pjsua2 <-> sound-device bridge, the ringer.

The pjsua2 wheel has no sound devices (shared/LAB.md), so the engine runs pjsua2 on its null
device and this package moves 20 ms frames between pjsua2's conference bridge and the sound
server through miniaudio (devices by name, several open at once, 57.5 ms bridge round trip
measured here; sounddevice only saw "default" through Debian's PortAudio, QtMultimedia measured
442 ms). Import the submodules directly; this package imports nothing heavy at import time.

Modules: ``devices`` (list/choose/check by name), ``streams`` (typed miniaudio adapter),
``fifo``/``core`` (the frame hand-over, no pjsua2), ``drift`` (clock-drift compensation),
``pjport`` (the AudioMediaPort),
``bridge`` (HeadsetBridge + watchdog), ``ringer``, ``backend`` (the engine's
``AudioBackend`` seam), ``doctor`` (the ``frontline doctor`` line), ``choice_store`` (the devices
remembered per workstation).

Wiring into the engine (SIP thread unless said otherwise):
``Engine(..., audio=HeadsetAudioBackend.factory(choice, on_device_event=...))``; the engine then
calls ``attach``/``detach``/``set_muted``/``microphone``/``close`` as for any backend, plus
``start_ringing``/``stop_ringing``, ``set_call_waiting`` and ``set_held``. ``on_device_event``
runs on the bridge's watchdog thread (or the SIP thread for the ringer): hand it to a queue.
"""
