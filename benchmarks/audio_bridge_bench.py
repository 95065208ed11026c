"""Headset bridge figures: added latency, under/overruns over a long call, CPU of the audio path.

Run from the repository root (needs pulseaudio + pulseaudio-utils, as the audio tests do):

    .venv/bin/python benchmarks/audio_bridge_bench.py --seconds 600

Everything runs against a private PulseAudio with null sinks (tests/audio/pulse.py); the SIP side
is tests/audio/sip_peer.py in a subprocess (one pjsua2 Endpoint per process).

Latency: a click rig (one miniaudio duplex stream, so its output and input sample counters share
one clock) plays a 5 ms click into the "micfeed" sink and listens on a capture device:
  baseline      micfeed -> virtual mic                                   (the rig + PulseAudio)
  sink hop      ringer -> ringer monitor                                 (the rig + one null sink)
  parec | pacat micfeed -> virtual mic -> PulseAudio's C tools at the bridge's period -> headset
                monitor (the same devices and hops with no bridge: the reference)
  bridge loop   micfeed -> virtual mic -> bridge -> pjsua conference -> bridge -> headset monitor
  call loop     as the bridge loop, but through a real call to a peer that echoes (adds RTP and
                the jitter buffer: mouth-to-ear of a loopback call, not the bridge's share)
The bridge's added latency is bridge loop - parec | pacat. The older bounds are printed too:
bridge loop - baseline (too high: it still holds the headset's null-sink hop) and bridge loop -
baseline - sink hop (too low: the rig's own buffers are subtracted twice). All include pjsua's
20 ms conference frame, which pjsua with a real sound device has as well. The null sinks' timing
moves single runs by +-20 ms: compare medians of several runs, not one.

Floor: two miniaudio streams whose callbacks do nothing, and PulseAudio's own pacat + parec at
the bridge's period, measured alone: what the device side costs on this machine before any of
the bridge's work.

Long call: the remote plays 1 kHz, the virtual mic plays 440 Hz, a "GUI" (another process by
default, like Frontline's window) burns 30 ms of Python every 100 ms. The bridge's own counters
are reported, and 10 ms gaps are counted at three points: the call audio pjsua's conference hands
the bridge, what the bridge hands the playback device, and the headset sink's monitor; so a gap
can be told apart as pjsua's (RTP/jitter buffer under load), the bridge's, or the sound server's.
As a control, paplay plays the same tone at the bridge's device buffer into the idle ringer sink.
CPU: the engine process's CPU during the call with the bridge, minus the same call without any
sound device (--no-bridge), is the audio path; per-thread figures come from /proc.
"""

from __future__ import annotations

import argparse
import json
import math
import multiprocessing
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from array import array
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

RATE = 16000


def gui_bursts(seconds: float) -> None:
    """The busy window process: 30 ms of pure Python every 100 ms."""
    stop_at = time.monotonic() + seconds
    while time.monotonic() < stop_at:
        end = time.perf_counter() + 0.03
        n = 0
        while time.perf_counter() < end:
            n += sum(range(200))
        time.sleep(0.07)


class ClickRig:
    """Plays clicks into one device and times their arrival on another, sample-exact."""

    def __init__(self, play: str, capture: str, *, period_ms: int = 10) -> None:
        import miniaudio

        from app.softphone.sound_devices import Direction, resolve

        _, play_id = resolve(Direction.PLAYBACK, play)
        _, cap_id = resolve(Direction.CAPTURE, capture)
        self.latencies: list[float] = []
        self._click = array("h", [int(16000 * ((i // 8) % 2 * 2 - 1)) for i in range(RATE * 5 // 1000)])
        self._out_pos = 0
        self._in_pos = 0
        self._next_click = RATE  # the first click after one second
        self._last_click: int | None = None
        self._armed = False
        self._device = miniaudio.DuplexStream(
            playback_channels=1,
            capture_channels=1,
            sample_rate=RATE,
            buffersize_msec=period_ms,
            playback_device_id=play_id,
            capture_device_id=cap_id,
        )
        gen = self._run()
        next(gen)
        self._device.start(gen)

    def _run(self) -> Any:
        data = yield b""
        while True:
            captured = array("h")
            captured.frombytes(bytes(data))
            count = len(captured)
            if self._armed and self._last_click is not None:
                for i, sample in enumerate(captured):
                    if abs(sample) > 4000:
                        self.latencies.append((self._in_pos + i - self._last_click) / RATE * 1000)
                        self._armed = False
                        break
            self._in_pos += count
            out = array("h", bytes(2 * count))
            start = self._out_pos
            if start <= self._next_click < start + count:
                offset = self._next_click - start
                chunk = self._click[: count - offset]
                out[offset : offset + len(chunk)] = chunk
                self._last_click = self._next_click
                self._armed = True
                self._next_click += int(RATE * 0.4)
            self._out_pos += count
            data = yield out.tobytes()

    def close(self) -> None:
        self._device.close()


def summary(values: list[float]) -> str:
    if not values:
        return "no clicks detected"
    ordered = sorted(values)
    p95 = ordered[round(0.95 * (len(ordered) - 1))]
    return f"p50 {statistics.median(ordered):.1f} ms, p95 {p95:.1f} ms, n={len(ordered)}"


def wait_for(proc: subprocess.Popen[str], event: str) -> dict[str, Any]:
    assert proc.stdout is not None
    for line in proc.stdout:
        if line.startswith("{"):
            record = json.loads(line)
            if record["event"] == event:
                return record
    _, err = proc.communicate()
    raise RuntimeError(f"peer ended before {event}: {err[-2000:]}")


def finish(proc: subprocess.Popen[str]) -> dict[str, Any]:
    result = wait_for(proc, "result")
    proc.communicate(timeout=60)
    if proc.returncode != 0:
        raise RuntimeError(f"peer exited {proc.returncode}")
    return result


def plain_passthrough(pulse: Any, period_ms: int) -> list[subprocess.Popen[bytes]]:
    """The microphone copied straight into the headset by PulseAudio's own C tools at the
    bridge's period (parec | pacat): what any program needs to play the microphone into the
    headset through this sound server. The bridge loop minus this is the bridge's share: its
    queues, pjsua's conference frame and the larger playback buffer it asks the server for."""
    env = {**os.environ, **pulse.env}
    fmt = [f"--rate={RATE}", "--channels=1", "--format=s16le", f"--latency-msec={period_ms}"]
    reader = subprocess.Popen(["parec", "-d", "headsetmic", *fmt], env=env, stdout=subprocess.PIPE)
    writer = subprocess.Popen(["pacat", "-p", "-d", "headset", *fmt], env=env, stdin=reader.stdout)
    assert reader.stdout is not None
    reader.stdout.close()  # the writer holds the pipe now
    return [reader, writer]


def measure_latency(
    pulse: Any, clicks: int, period_ms: int, prefill: int, extra_peer_args: tuple[str, ...] = ()
) -> None:
    from tests.audio.harness import start_peer

    seconds = clicks * 0.4 + 2
    bridge_args = [f"--period-ms={period_ms}", f"--prefill-frames={prefill}", *extra_peer_args]
    print(f"latency (device period {period_ms} ms, prefill {prefill} x 20 ms, {' '.join(extra_peer_args)}):")

    rig = ClickRig("micfeed", "headsetmic")
    time.sleep(seconds)
    rig.close()
    baseline = rig.latencies
    print(f"  baseline (rig + PulseAudio)      {summary(baseline)}")
    rig = ClickRig("ringer", "ringer.monitor")
    time.sleep(seconds)
    rig.close()
    sink_hop = rig.latencies
    print(f"  sink hop (rig + one null sink)   {summary(sink_hop)}")

    passthrough = plain_passthrough(pulse, period_ms)
    time.sleep(2)  # as for the bridge: past the streams' start-up
    rig = ClickRig("micfeed", "headset.monitor")
    time.sleep(seconds)
    rig.close()
    for tool in passthrough:
        tool.terminate()
        tool.wait()
    plain = rig.latencies
    print(f"  parec | pacat round trip         {summary(plain)}")

    results: dict[str, list[float]] = {}
    for label, extra in (("bridge loop", "--loopback"), ("call loop", "--remote-echo")):
        peer = start_peer(
            pulse,
            "--playback-device=headset",
            "--capture-device=headsetmic",
            f"--seconds={seconds + 3}",
            *bridge_args,
            extra,
        )
        wait_for(peer, "media_active")
        time.sleep(2)  # let the start-up trim settle, as in a real call
        rig = ClickRig("micfeed", "headset.monitor")
        time.sleep(seconds)
        rig.close()
        result = finish(peer)
        results[label] = rig.latencies
        stats = result["stats"]
        print(
            f"  {label:<12} round trip         {summary(rig.latencies)}; FIFO depth at end "
            f"play {stats['playback_depth_ms']:.0f} ms, capture {stats['capture_depth_ms']:.0f} ms, "
            f"trims {stats['playback_trims']}/{stats['capture_trims']}"
        )
    if plain and results["bridge loop"]:
        added = statistics.median(results["bridge loop"]) - statistics.median(plain)
        print(
            f"  => added by the bridge over parec | pacat on the same devices: {added:.1f} ms "
            "(target <= 60 ms)"
        )
    if baseline and sink_hop and results["bridge loop"]:
        loop = statistics.median(results["bridge loop"])
        high = loop - statistics.median(baseline)
        low = high - statistics.median(sink_hop)
        print(
            f"  => added by the bridge: between {low:.1f} ms (loop - baseline - sink hop) and {high:.1f} ms "
            "(loop - baseline); target <= 60 ms"
        )


CLEAN_LEVEL = 7950  # mean |sample| of the remote's 1 kHz tone (pjsua ToneGenerator default volume)
MIC_LEVEL = 0.3 * 32767 * 2 / math.pi  # mean |sample| of write_tone_wav's sine (level 0.3)


def dropouts(raw: bytes, clean_level: float = CLEAN_LEVEL) -> tuple[int, int, int]:
    """(gaps, windows, loud) over the 10 ms windows of 16 kHz mono audio, from the first tone to
    the last: a gap is below half the clean level, "loud" above 1.4 times it (copies of the tone
    superposed: seen in the call audio pjsua delivers when the machine is overloaded)."""
    samples = array("h")
    samples.frombytes(raw[: len(raw) // 2 * 2])
    step = RATE // 100
    levels = []
    for i in range(0, len(samples) - step + 1, step):
        chunk = samples[i : i + step]
        levels.append(sum(abs(x) for x in chunk) / step)
    voiced = [i for i, level in enumerate(levels) if level > 1000]
    if not voiced:
        return 0, 0, 0
    body = levels[voiced[0] + 10 : voiced[-1] - 10]
    gaps = sum(1 for level in body if level < 0.5 * clean_level)
    loud = sum(1 for level in body if level > 1.4 * clean_level)
    return gaps, len(body), loud


def _pulse_tool(pulse: Any, command: list[str], stdout: Any = subprocess.DEVNULL) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        command, env={**os.environ, **pulse.env}, stdout=stdout, stderr=subprocess.DEVNULL
    )


def _record_monitor(pulse: Any, source: str, path: Path) -> subprocess.Popen[bytes]:
    with path.open("wb") as sink_file:
        return _pulse_tool(
            pulse,
            ["parec", "-d", source, f"--rate={RATE}", "--channels=1", "--format=s16le"],
            stdout=sink_file,
        )


def soak(
    pulse: Any,
    seconds: float,
    period_ms: int,
    prefill: int,
    gui: str,
    tmp: Path,
    extra_peer_args: tuple[str, ...] = (),
    *,
    cpu_baseline: bool = True,
) -> None:
    from app.softphone.engine.headset.streams import PLAYBACK_SERVER_BUFFER_MS
    from tests.audio.harness import start_peer, write_tone_wav

    print(f"long call: {seconds:.0f} s, device period {period_ms} ms, busy GUI: {gui}")
    mic = write_tone_wav(tmp / "mic.wav", 440, seconds=seconds + 30)
    feeder = _pulse_tool(pulse, ["paplay", "-d", "micfeed", str(mic)])
    record_path = tmp / "headset.raw"
    tap = tmp / "tap.raw"
    recorder = _record_monitor(pulse, "headset.monitor", record_path)
    # The control: PulseAudio's own C player with the server buffer the bridge's playback asks
    # for, playing the microphone's tone into the otherwise idle ringer sink, no Frontline process
    # involved. Gaps there are what this machine's sound server and scheduler do to any client.
    control_path = tmp / "control.raw"
    control_player = _pulse_tool(
        pulse, ["paplay", "-d", "ringer", f"--latency-msec={PLAYBACK_SERVER_BUFFER_MS}", str(mic)]
    )
    control = _record_monitor(pulse, "ringer.monitor", control_path)
    busy: multiprocessing.process.BaseProcess | None = None
    args = [
        "--playback-device=headset",
        "--capture-device=headsetmic",
        "--remote-tone=1000",
        f"--seconds={seconds}",
        f"--period-ms={period_ms}",
        f"--prefill-frames={prefill}",
        "--stats-interval=60",
        f"--tap-playback={tap}",
        *extra_peer_args,
    ]
    if gui == "thread":
        args.append("--busy-thread")
    peer = start_peer(pulse, *args)
    wait_for(peer, "media_active")
    if gui == "process":
        spawn = multiprocessing.get_context("spawn")  # a clean interpreter, like the real window
        busy = spawn.Process(target=gui_bursts, args=(seconds,), daemon=True)
        busy.start()
    result = finish(peer)
    if busy is not None:
        busy.join(timeout=10)
    for helper in (recorder, control, feeder, control_player):
        helper.terminate()
        helper.wait()

    stats = result["stats"]
    for side in ("playback", "capture"):
        v = {key[len(side) + 1 :]: value for key, value in stats.items() if key.startswith(side)}
        print(
            f"  bridge {side:<8}: underruns {v['underruns']}, overruns {v['overruns']}, "
            f"trims {v['trims']} ({v['trimmed_ms']} ms); drift corrections {v['drift_corrections']} "
            f"(dropped {v['drift_dropped_ms']:.1f} ms, inserted {v['drift_inserted_ms']:.1f} ms); "
            f"start-up (not faults): underruns {v['startup_underruns']}, trims {v['startup_trims']}, "
            f"near misses {v['near_misses']}; margin {v['margin_frames']} frame(s), settled FIFO "
            f"latency {v['fifo_latency_ms']:.1f} ms, depth at end {v['depth_ms']:.0f} ms"
        )
    print(f"  stream reopens {stats['reopens']}")
    raw = record_path.read_bytes()
    if os.environ.get("AUDIO_BENCH_KEEP"):
        Path(os.environ["AUDIO_BENCH_KEEP"]).write_bytes(raw)
    # The same scan at three points: what pjsua's conference handed the bridge, what the bridge
    # handed the playback device, and what the headset sink played.
    for label, data in (
        ("call audio from pjsua", tap.with_suffix(".call.raw").read_bytes()),
        ("bridge -> device     ", tap.read_bytes()),
        ("headset sink         ", raw),
    ):
        gaps, windows, loud = dropouts(data)
        print(f"  {label}: {gaps} gaps of 10 ms, {loud} over-loud 10 ms windows, in {windows / 100:.0f} s")
    gaps, windows, _ = dropouts(control_path.read_bytes(), clean_level=MIC_LEVEL)
    print(
        f"  control (paplay at {PLAYBACK_SERVER_BUFFER_MS} ms latency -> ringer sink, no Frontline): "
        f"{gaps} gaps of 10 ms in {windows / 100:.0f} s"
    )
    cpu = result["cpu"]
    threads = ", ".join(
        f"{name} {pct:.2f}%" for name, pct in sorted(cpu["threads_pct"].items()) if pct >= 0.01
    )
    print(f"  engine process CPU {cpu['process_pct']:.2f}% of one core ({threads})")
    return_cpu = cpu["process_pct"]
    if not cpu_baseline:
        return

    base = start_peer(pulse, "--no-bridge", "--remote-tone=1000", f"--seconds={min(seconds, 60)}")
    base_result = finish(base)
    base_cpu = base_result["cpu"]["process_pct"]
    audio_threads = sum(
        pct
        for name, pct in cpu["threads_pct"].items()
        if name in ("audio-playback", "audio-capture", "audio-duplex", "audio-watchdog")
    )
    print(
        f"  same call without sound devices: {base_cpu:.2f}% => audio path "
        f"{return_cpu - base_cpu:.2f}% of one core (target <= 3%); device threads alone {audio_threads:.2f}%"
    )


def _process_cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime + stime


def _empty_device_streams(play: str, capture: str, period_ms: int, seconds: float, out: Any) -> None:
    """Headset playback + microphone capture through miniaudio with callbacks that do nothing:
    what the device library and the sound server's client side cost before any bridge work."""
    import resource

    import miniaudio

    from app.softphone.sound_devices import Direction, resolve

    s16 = miniaudio.SampleFormat.SIGNED16
    _, play_id = resolve(Direction.PLAYBACK, play)
    _, capture_id = resolve(Direction.CAPTURE, capture)

    def silence() -> Any:
        frames = yield b""
        while True:
            frames = yield bytes(2 * frames)

    def discard() -> Any:
        yield
        while True:
            yield

    common = {"nchannels": 1, "sample_rate": RATE, "buffersize_msec": period_ms}
    devices = [
        miniaudio.PlaybackDevice(output_format=s16, device_id=play_id, **common),
        miniaudio.CaptureDevice(input_format=s16, device_id=capture_id, **common),
    ]
    for device, generator in zip(devices, (silence(), discard()), strict=True):
        next(generator)
        device.start(generator)
    time.sleep(2)
    before, started = resource.getrusage(resource.RUSAGE_SELF), time.monotonic()
    time.sleep(seconds)
    after, wall = resource.getrusage(resource.RUSAGE_SELF), time.monotonic() - started
    for device in devices:
        device.close()
    used = after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime
    out.put(100 * used / wall)


def measure_floor(pulse: Any, period_ms: int, seconds: float) -> None:
    """What two device streams cost on this machine without any of Frontline's work."""
    print(f"floor of the sound path ({period_ms} ms periods, {seconds:.0f} s each):")
    spawn = multiprocessing.get_context("spawn")
    result = spawn.Queue()
    args = ("headset", "headsetmic", period_ms, seconds, result)
    empty = spawn.Process(target=_empty_device_streams, args=args)
    empty.start()
    library_pct = result.get(timeout=seconds + 60)
    empty.join(timeout=10)
    print(f"  miniaudio playback + capture, empty callbacks: {library_pct:.2f}% of one core")

    env = {**os.environ, **pulse.env}
    fmt = [f"--rate={RATE}", "--channels=1", "--format=s16le", f"--latency-msec={period_ms}"]
    clients = [
        subprocess.Popen(cmd, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL)
        for cmd in (["pacat", "-p", "-d", "headset", *fmt, "/dev/zero"], ["parec", "-d", "headsetmic", *fmt])
    ]
    time.sleep(2)
    before, started = [_process_cpu_seconds(c.pid) for c in clients], time.monotonic()
    time.sleep(seconds)
    after, wall = [_process_cpu_seconds(c.pid) for c in clients], time.monotonic() - started
    for client in clients:
        client.terminate()
        client.wait()
    play_pct, rec_pct = (100 * (a - b) / wall for a, b in zip(after, before, strict=True))
    print(
        f"  PulseAudio's own C clients (pacat + parec, {period_ms} ms latency): {play_pct + rec_pct:.2f}% "
        f"(playback {play_pct:.2f}%, capture {rec_pct:.2f}%)"
    )


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--seconds", type=float, default=600.0, help="length of the long call")
    parser.add_argument("--clicks", type=int, default=25)
    parser.add_argument("--period-ms", type=int, default=20)
    parser.add_argument("--prefill-frames", type=int, default=1)
    parser.add_argument("--periods", type=int, default=0, help="device periods per buffer (0: default)")
    parser.add_argument("--capture-period-ms", type=int, default=0, help="0: the same as --period-ms")
    parser.add_argument("--duplex", action="store_true", help="earpiece and mic as one duplex device")
    parser.add_argument("--gui", choices=("process", "thread", "none"), default="process")
    parser.add_argument(
        "--switch-interval", type=float, default=0.0, help="sys.setswitchinterval in the engine"
    )
    parser.add_argument("--skip-latency", action="store_true")
    parser.add_argument("--skip-soak", action="store_true")
    parser.add_argument("--skip-cpu-baseline", action="store_true")
    parser.add_argument(
        "--floor-seconds", type=float, default=30.0, help="length of each floor measurement (0: skip)"
    )
    args = parser.parse_args()

    from tests.audio.pulse import PrivatePulse

    pulse = PrivatePulse.start()
    for key, value in pulse.env.items():
        os.environ[key] = value  # for the click rig's own miniaudio streams
    try:
        peer_extra = (f"--periods={args.periods}",)
        if args.capture_period_ms:
            peer_extra += (f"--capture-period-ms={args.capture_period_ms}",)
        if args.duplex:
            peer_extra += ("--duplex",)
        with tempfile.TemporaryDirectory(prefix="frontline-audio-bench-") as tmp:
            if not args.skip_latency:
                measure_latency(pulse, args.clicks, args.period_ms, args.prefill_frames, peer_extra)
            if args.floor_seconds > 0:
                measure_floor(pulse, args.period_ms, args.floor_seconds)
            if not args.skip_soak:
                extra = (f"--switch-interval={args.switch_interval}",) if args.switch_interval else ()
                extra += peer_extra
                soak(
                    pulse,
                    args.seconds,
                    args.period_ms,
                    args.prefill_frames,
                    args.gui,
                    Path(tmp),
                    extra,
                    cpu_baseline=not args.skip_cpu_baseline,
                )
    finally:
        pulse.stop()
    return 0


if __name__ == "__main__":
    threading.current_thread().name = "bench"
    sys.exit(main())
