"""Two pjsua2 user agents on 127.0.0.1 in one process: an operator with the HeadsetBridge and a
remote peer with a tone generator and a recorder. Run as ``python -m tests.audio.sip_peer``.

pjsua2 allows one Endpoint per process and aborts the process on misuse, so the audio tests (and
the benchmark) run this in a subprocess. It prints one JSON object per line on stdout:
``{"event": ..., "t": <time.time()>, ...}`` and finally ``{"event": "result", ...}``.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import sys
import threading
import time
from dataclasses import asdict
from pathlib import Path
from typing import Any

import pjsua2 as pj

from app.softphone.engine.call_audio import Recording
from app.softphone.engine.headset.backend import HeadsetAudioBackend
from app.softphone.engine.headset.bridge import BridgeSettings, HeadsetBridge
from app.softphone.engine.headset.core import CoreSettings
from app.softphone.engine.headset.events import AudioDeviceEvent
from app.softphone.engine.headset.ringer import Ringer
from app.softphone.engine.pj import AudioPort
from app.softphone.events import to_message
from app.softphone.sound_devices import DeviceChoice

_out_lock = threading.Lock()


def emit(event: str, **fields: Any) -> None:
    with _out_lock:
        sys.stdout.write(json.dumps({"event": event, "t": time.time(), **fields}, default=str) + "\n")
        sys.stdout.flush()


class Peer(pj.Call):
    def __init__(self, world: World, acc: pj.Account, role: str, call_id: int = pj.PJSUA_INVALID_ID) -> None:
        super().__init__(acc, call_id)
        self.world = world
        self.role = role
        self.confirmed = False
        self.disconnected = False

    def onCallState(self, prm: Any) -> None:
        ci = self.getInfo()
        if ci.state == pj.PJSIP_INV_STATE_CONFIRMED:
            self.confirmed = True
            self.world.on_confirmed(self)
        elif ci.state == pj.PJSIP_INV_STATE_DISCONNECTED:
            self.disconnected = True
            self.world.on_disconnected(self)

    def onCallMediaState(self, prm: Any) -> None:
        ci = self.getInfo()
        for mi in ci.media:
            if mi.type == pj.PJMEDIA_TYPE_AUDIO and mi.status == pj.PJSUA_CALL_MEDIA_ACTIVE:
                si = self.getStreamInfo(mi.index)
                emit("codec", role=self.role, codec=str(si.codecName), rate=int(si.codecClockRate))
                self.world.on_media_active(self, self.getAudioMedia(mi.index))


class Acc(pj.Account):
    def __init__(self, world: World, role: str) -> None:
        super().__init__()
        self.world = world
        self.role = role

    def onIncomingCall(self, prm: Any) -> None:
        call = Peer(self.world, self, self.role, prm.callId)
        self.world.on_incoming(call)


class World:
    """Everything pjsua2 in one place, so teardown can drop it in the safe order."""

    def __init__(self, args: argparse.Namespace) -> None:
        self.args = args
        self.calls: dict[str, Peer] = {}
        self.media: dict[str, Any] = {}
        self.device_events: list[dict[str, Any]] = []
        self.bridge: HeadsetBridge | None = None
        self.backend: HeadsetAudioBackend | None = None  # the engine's AudioBackend seam
        self.operator_port: AudioPort | None = None
        self.ringer: Ringer | None = None
        self.tone: Any = None
        self.remote_recorder: Any = None
        self.operator_recording: Recording | None = None  # the engine's own call recording
        self.microphone_source: Any = None  # what Recording.connect asks for the microphone
        self.answer_at: float | None = None
        self.media_active_at: float | None = None

    def still_up(self, role: str) -> bool:
        call = self.calls.get(role)
        return bool(call is not None and call.confirmed and not call.disconnected)

    def on_device_event(self, event: AudioDeviceEvent) -> None:
        record = {k: v for k, v in to_message(event).items() if k not in ("v", "event")}
        self.device_events.append(record)
        emit("device_event", **record)

    def on_incoming(self, call: Peer) -> None:
        self.calls[call.role] = call
        if call.role == "operator":
            prm = pj.CallOpParam()
            prm.statusCode = 180
            call.answer(prm)
            if self.ringer is not None:
                self.ringer.start()
                emit("ringing", device=self.ringer.device)
            self.answer_at = time.monotonic() + self.args.ring_seconds
        else:
            prm = pj.CallOpParam()
            prm.statusCode = 200
            call.answer(prm)

    def on_confirmed(self, call: Peer) -> None:
        if call.role == "operator" and self.ringer is not None and self.ringer.ringing:
            self.ringer.stop()
            emit("ring_stopped")
        emit("confirmed", role=call.role)

    def on_disconnected(self, call: Peer) -> None:
        if call.role == "operator" and self.ringer is not None:
            self.ringer.stop()
        emit("disconnected", role=call.role)

    def on_media_active(self, call: Peer, media: Any) -> None:
        self.media[call.role] = media
        if call.role == "operator":
            if self.backend is not None:
                self.operator_port = AudioPort(media)
                self.backend.attach(self.operator_port, muted=False)
            elif self.bridge is not None:
                self.bridge.connect(media)
            if self.operator_recording is not None:
                self.operator_recording.connect(AudioPort(media), self.microphone_source)
            if self.media_active_at is None:
                self.media_active_at = time.monotonic()
            emit("media_active", role="operator")
        else:
            if self.tone is not None:
                self.tone.startTransmit(media)
            if self.args.remote_echo:
                media.startTransmit(media)
            if self.remote_recorder is not None:
                media.startTransmit(self.remote_recorder)
            emit("media_active", role="remote")


def thread_cpu() -> dict[str, float]:
    """CPU seconds per thread of this process, summed by thread name (Linux /proc)."""
    ticks = os.sysconf("SC_CLK_TCK")
    totals: dict[str, float] = {}
    for task in Path("/proc/self/task").iterdir():
        try:
            name = (task / "comm").read_text().strip()
            fields = (task / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        totals[name] = totals.get(name, 0.0) + (int(fields[11]) + int(fields[12])) / ticks
    return totals


def busy_gui(stop: threading.Event, burst_s: float = 0.03, every_s: float = 0.1) -> None:
    """A GUI thread's worst habit: 30 ms of pure Python every 100 ms, holding the GIL."""
    while not stop.wait(every_s - burst_s):
        end = time.perf_counter() + burst_s
        n = 0
        while time.perf_counter() < end:
            n += sum(range(200))


class BridgeMicrophone:
    """The bridge port as the engine's Recording expects a backend's microphone."""

    def __init__(self, bridge: HeadsetBridge) -> None:
        self._bridge = bridge

    def microphone(self) -> AudioPort:
        return AudioPort(self._bridge.media)


def tap_playback(bridge: HeadsetBridge, path: Path) -> None:
    """Debugging aid: keep every byte the bridge hands the playback device, written at exit."""
    chunks: list[bytes] = []
    fill = bridge.core.fill_playback

    def tapped(wanted: int) -> bytes:
        data = fill(wanted)
        chunks.append(data + bytes(wanted - len(data)))
        return data

    received: list[bytes] = []
    from_call = bridge.core.from_call

    def tapped_call(data: bytes | None) -> None:
        received.append(data or bytes(bridge.core.frame_bytes))
        from_call(data)

    bridge.core.fill_playback = tapped  # type: ignore[method-assign]
    bridge.core.from_call = tapped_call  # type: ignore[method-assign]
    import atexit

    atexit.register(lambda: path.write_bytes(b"".join(chunks)))
    atexit.register(lambda: path.with_suffix(".call.raw").write_bytes(b"".join(received)))


def make_account(world: World, role: str, transport_id: int, sip_port: int, rtp_port: int) -> Acc:
    cfg = pj.AccountConfig()
    cfg.idUri = f"sip:{role}@127.0.0.1:{sip_port}"
    cfg.sipConfig.transportId = transport_id
    cfg.mediaConfig.transportConfig.boundAddress = "127.0.0.1"
    cfg.mediaConfig.transportConfig.port = rtp_port  # 0: ports the OS picks, clear of other tests
    if rtp_port:
        cfg.mediaConfig.transportConfig.portRange = 100
    acc = Acc(world, role)
    acc.create(cfg)
    return acc


def run(args: argparse.Namespace) -> dict[str, Any]:
    if args.switch_interval:
        sys.setswitchinterval(args.switch_interval)
    ep = pj.Endpoint()
    ep.libCreate()
    cfg = pj.EpConfig()
    cfg.uaConfig.threadCnt = 0
    cfg.uaConfig.mainThreadOnly = True
    cfg.logConfig.level = 1
    cfg.logConfig.consoleLevel = 1
    cfg.medConfig.clockRate = args.clock_rate
    cfg.medConfig.sndClockRate = args.clock_rate
    cfg.medConfig.noVad = True
    ep.libInit(cfg)
    # Speex (pjsua's first choice) turns a pure test tone into loud garbage now and then (seen
    # here in the decoded call audio, upstream of the bridge); G.722 carries tones faithfully.
    ep.codecSetPriority(args.codec, 255)
    transports: list[int] = []
    sip_ports: list[int] = []
    for port in (args.sip_port, args.sip_port + 1 if args.sip_port else 0):
        tcfg = pj.TransportConfig()
        tcfg.port = port  # 0: a free port the OS picks
        tcfg.boundAddress = "127.0.0.1"
        tid = ep.transportCreate(pj.PJSIP_TRANSPORT_UDP, tcfg)
        transports.append(tid)
        sip_ports.append(int(str(ep.transportGetInfo(tid).localName).rsplit(":", 1)[1]))
    ep.libStart()
    ep.audDevManager().setNullDev()

    world = World(args)
    busy_stop = threading.Event()
    if args.busy_thread:
        threading.Thread(target=busy_gui, args=(busy_stop,), name="busy-gui", daemon=True).start()
    settings = BridgeSettings(
        core=CoreSettings(
            clock_rate=args.clock_rate,
            playback_prefill_frames=args.prefill_frames,
            capture_prefill_frames=args.prefill_frames,
        ),
        period_ms=args.period_ms,
        periods=args.periods,
        capture_period_ms=args.capture_period_ms,
        duplex=args.duplex,
        stats_interval_s=args.stats_interval,
    )
    if args.backend:
        world.backend = HeadsetAudioBackend(
            DeviceChoice(capture=args.capture_device, playback=args.playback_device, ring=args.ring_device),
            on_device_event=world.on_device_event,
            settings=settings,
        )
        bridge = world.backend.bridge
        world.bridge = bridge
    else:
        bridge = HeadsetBridge(
            capture_device=args.capture_device,
            playback_device=args.playback_device,
            settings=settings,
            on_device_event=world.on_device_event,
        )
        if args.tap_playback:
            tap_playback(bridge, Path(args.tap_playback))
        if not args.no_bridge:
            bridge.start()
            world.bridge = bridge
    if world.backend is not None:
        world.ringer = world.backend.ringer
    elif args.ring_device is not None or args.incoming:
        world.ringer = Ringer(device=args.ring_device, on_device_event=world.on_device_event)
    if args.remote_tone:
        world.tone = pj.ToneGenerator()
        world.tone.createToneGenerator(args.clock_rate, 1)
        tones = pj.ToneDescVector()
        tone = pj.ToneDesc()
        tone.freq1 = args.remote_tone
        tone.freq2 = 0
        tone.on_msec = 10000
        tone.off_msec = 0
        tone.volume = 0
        tones.append(tone)
        world.tone.play(tones, True)
    if args.remote_record:
        world.remote_recorder = pj.AudioMediaRecorder()
        world.remote_recorder.createRecorder(args.remote_record)
    if args.operator_record:
        world.operator_recording = Recording.start(Path(args.operator_record))
        world.microphone_source = world.backend or BridgeMicrophone(bridge)

    operator_acc = make_account(world, "operator", transports[0], sip_ports[0], args.rtp_port)
    remote_acc = make_account(
        world, "remote", transports[1], sip_ports[1], args.rtp_port and args.rtp_port + 200
    )
    emit("ready")

    if args.loopback:
        bridge.media.startTransmit(bridge.media)  # microphone straight back to the earpiece
        world.media_active_at = time.monotonic()
        emit("media_active", role="operator")
    elif args.incoming:
        call = Peer(world, remote_acc, "remote")
        world.calls["remote"] = call
        call.makeCall(f"sip:operator@127.0.0.1:{sip_ports[0]}", pj.CallOpParam(True))
        del call  # a Call still referenced at libDestroy aborts the process
    else:
        call = Peer(world, operator_acc, "operator")
        world.calls["operator"] = call
        call.makeCall(f"sip:remote@127.0.0.1:{sip_ports[1]}", pj.CallOpParam(True))
        del call

    schedule: list[tuple[float, str]] = [(args.mute_at, "mute"), (args.unmute_at, "unmute")]
    schedule = sorted((t, action) for t, action in schedule if t >= 0)
    if args.beep_at >= 0:
        schedule.append((args.beep_at, "beep"))
        schedule.sort()
    deadline = time.monotonic() + args.seconds + args.ring_seconds + 10
    stats_samples: list[dict[str, Any]] = []
    next_sample = 0.0
    cpu_at_start: tuple[float, float, dict[str, float]] | None = None
    while time.monotonic() < deadline:
        ep.libHandleEvents(10)
        now = time.monotonic()
        if world.answer_at is not None and now >= world.answer_at:
            world.answer_at = None
            prm = pj.CallOpParam()
            prm.statusCode = 200
            world.calls["operator"].answer(prm)
            emit("answered")
        if world.media_active_at is None:
            continue
        elapsed = now - world.media_active_at
        if cpu_at_start is None and elapsed >= min(2.0, args.seconds / 2):
            cpu_at_start = (now, time.process_time(), thread_cpu())
        while schedule and elapsed >= schedule[0][0]:
            _, action = schedule.pop(0)
            if action == "beep":
                bridge.start_call_waiting_beep()
            elif world.backend is not None and world.operator_port is not None:
                world.backend.set_muted(world.operator_port, action == "mute")
            else:
                bridge.set_muted(action == "mute")
            emit(action)
        if now >= next_sample:
            next_sample = now + 1.0
            stats_samples.append(asdict(bridge.stats()))
        if elapsed >= args.seconds:
            break

    state = {f"{role}_confirmed": world.still_up(role) for role in ("operator", "remote")}
    stats = asdict(bridge.stats())
    cpu: dict[str, Any] = {}
    if cpu_at_start is not None:
        began, proc_began, threads_began = cpu_at_start
        wall = time.monotonic() - began
        threads_now = thread_cpu()
        cpu = {
            "wall_s": wall,
            "process_pct": 100 * (time.process_time() - proc_began) / wall,
            "threads_pct": {
                name: 100 * (spent - threads_began.get(name, 0.0)) / wall
                for name, spent in threads_now.items()
            },
        }
    busy_stop.set()

    # Teardown in the order that does not abort the process (shared/LAB.md).
    if args.loopback:
        bridge.media.stopTransmit(bridge.media)
    bridge.stop_call_waiting_beep()
    if world.ringer is not None:
        world.ringer.stop()
    if world.operator_recording is not None:
        world.operator_recording.stop()
        world.operator_recording = None
    world.microphone_source = None
    ep.hangupAllCalls()
    end = time.monotonic() + 2
    while time.monotonic() < end and not all(c.disconnected for c in world.calls.values()):
        ep.libHandleEvents(10)
    world.operator_port = None
    if world.backend is not None:
        world.backend.close()
        world.backend = None
    else:
        bridge.destroy()
    world.ringer = None
    world.bridge = None
    del bridge
    world.media.clear()
    world.calls.clear()
    world.tone = None
    world.remote_recorder = None
    gc.collect()
    for _ in range(10):
        ep.libHandleEvents(10)
    operator_acc.shutdown()
    remote_acc.shutdown()
    del operator_acc, remote_acc
    gc.collect()
    ep.libDestroy()
    return {
        **state,
        "stats": stats,
        "cpu": cpu,
        "samples": stats_samples,
        "device_events": world.device_events,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sip-port", type=int, default=0, help="0: let the OS choose (two ports)")
    parser.add_argument("--rtp-port", type=int, default=0, help="0: let the OS choose")
    parser.add_argument("--codec", default="G722/16000/1", help="preferred codec of both agents")
    parser.add_argument("--clock-rate", type=int, default=16000)
    parser.add_argument("--period-ms", type=int, default=20)
    parser.add_argument("--periods", type=int, default=0, help="device periods per buffer (0: default)")
    parser.add_argument("--capture-period-ms", type=int, default=None, help="default: --period-ms")
    parser.add_argument("--prefill-frames", type=int, default=1)
    parser.add_argument("--duplex", action="store_true", help="earpiece and mic as one duplex device")
    parser.add_argument("--capture-device")
    parser.add_argument("--playback-device")
    parser.add_argument("--ring-device")
    parser.add_argument("--incoming", action="store_true", help="the remote calls the operator, who rings")
    parser.add_argument("--ring-seconds", type=float, default=0.0)
    parser.add_argument("--remote-tone", type=int, default=0, help="Hz the remote plays into the call")
    parser.add_argument("--remote-echo", action="store_true", help="the remote sends back what it hears")
    parser.add_argument("--remote-record", help="WAV of what the remote hears")
    parser.add_argument("--operator-record", help="WAV of the call recorded through the bridge")
    parser.add_argument("--mute-at", type=float, default=-1.0, help="seconds after media is active")
    parser.add_argument("--unmute-at", type=float, default=-1.0)
    parser.add_argument("--beep-at", type=float, default=-1.0)
    parser.add_argument("--seconds", type=float, default=5.0, help="call length after media is active")
    parser.add_argument("--backend", action="store_true", help="through the engine's AudioBackend seam")
    parser.add_argument("--loopback", action="store_true", help="no call: microphone back to the earpiece")
    parser.add_argument("--no-bridge", action="store_true", help="the call without any sound device")
    parser.add_argument("--busy-thread", action="store_true", help="30 ms Python bursts every 100 ms in here")
    parser.add_argument("--tap-playback", help="debug: write what the playback device was given")
    parser.add_argument("--switch-interval", type=float, default=0.0, help="sys.setswitchinterval")
    parser.add_argument("--stats-interval", type=float, default=60.0)
    args = parser.parse_args(argv)
    result = run(args)
    emit("result", **result)
    return 0


if __name__ == "__main__":
    sys.exit(main())
