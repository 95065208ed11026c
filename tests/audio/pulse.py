"""A private PulseAudio server with null sinks standing in for the operator's devices.

Used by the audio tests and by benchmarks/audio_bridge_bench.py. Everything lives in a temporary
directory (runtime dir, home, socket, config), so it neither sees nor disturbs a desktop's sound
server, and it runs as root (as on CI) because of ``--system=false`` with its own runtime dir.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

SINKS = ("headset", "ringer", "micfeed")
# norewinds: when a late client makes a null sink rewind, its monitor hands recorders the same
# stretch twice, superposed (seen here as a doubled, clipping tone); a real card has no monitor.
VIRTUAL_MIC = "headsetmic"  # remap of micfeed.monitor: what the operator's microphone "hears"


class PulseUnavailableError(RuntimeError):
    """PulseAudio is not installed or did not start."""


@dataclass
class PrivatePulse:
    """One private PulseAudio daemon; ``env`` is what its clients need in their environment."""

    root: Path
    env: dict[str, str] = field(default_factory=dict)
    keepalives: dict[str, subprocess.Popen[bytes]] = field(default_factory=dict)

    @classmethod
    def start(cls) -> PrivatePulse:
        missing = [tool for tool in ("pulseaudio", "pactl", "parecord", "paplay") if not shutil.which(tool)]
        if missing:
            raise PulseUnavailableError(
                f"{', '.join(missing)} not found: the audio tests need a real sound server; "
                "install it with `apt-get install -y pulseaudio pulseaudio-utils` (make test does)"
            )
        root = Path(tempfile.mkdtemp(prefix="frontline-pulse-"))
        runtime = root / "run"
        home = root / "home"
        runtime.mkdir(mode=0o700)
        home.mkdir()
        socket = runtime / "native"
        lines = [
            f"load-module module-native-protocol-unix auth-anonymous=1 socket={socket}",
            "load-module module-cli-protocol-unix",  # pacmd: what each stream asked the server for
        ]
        for sink in SINKS:
            lines.append(
                f"load-module module-null-sink sink_name={sink} rate=48000 norewinds=1 "
                f"sink_properties=device.description={sink}"
            )
        lines.append(
            f"load-module module-remap-source source_name={VIRTUAL_MIC} master=micfeed.monitor "
            f"source_properties=device.description={VIRTUAL_MIC}"
        )
        lines.append("set-default-sink headset")
        lines.append(f"set-default-source {VIRTUAL_MIC}")
        config = root / "test.pa"
        config.write_text("\n".join(lines) + "\n")
        self = cls(root=root)
        self.env = {
            "XDG_RUNTIME_DIR": str(runtime),
            "HOME": str(home),
            "PULSE_SERVER": f"unix:{socket}",
            "PULSE_RUNTIME_PATH": str(runtime / "pulse"),
        }
        daemon_env = {**os.environ, **self.env}
        result = subprocess.run(
            [
                "pulseaudio",
                "-D",
                "--exit-idle-time=-1",
                "--system=false",
                "-n",
                "-F",
                str(config),
                "--realtime=false",
                "--high-priority=false",
                "--disallow-exit=true",
                "--log-target=file:" + str(root / "pulse.log"),
            ],
            env=daemon_env,
            capture_output=True,
            text=True,
            timeout=30,
            check=False,
        )
        if result.returncode != 0:
            raise PulseUnavailableError(f"pulseaudio did not start: {result.stderr.strip()}")
        deadline = time.monotonic() + 15
        while self.pactl("info", check=False).returncode != 0:
            if time.monotonic() > deadline:
                self.stop()  # then skip, not fail: see PulseUnavailableError
                raise PulseUnavailableError("pulseaudio started but `pactl info` never answered")
            time.sleep(0.1)  # another process: nothing to await (wait_until would fail the test)
        for sink in SINKS:
            self.keep_awake(sink)
        time.sleep(2.5)  # the null sinks' idle timer (up to 2 s) must have fired once
        return self

    def pactl(self, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            ["pactl", *args],
            env={**os.environ, **self.env},
            capture_output=True,
            text=True,
            timeout=15,
            check=check,
        )

    def keep_awake(self, sink: str) -> None:
        """Hold a 10 ms-latency reader on the sink's monitor for as long as the sink lives.

        An idle null sink sleeps up to 2 s between timer wake-ups and only then notices a new
        client's latency request, so a stream opened on it gets one callback and then waits up to
        2 s (measured here). Real sound cards do not behave like that; a low-latency monitor
        reader keeps the null sink ticking every 10 ms so the tests see device-like behaviour.
        """
        old = self.keepalives.pop(sink, None)
        if old is not None:  # the same sink loaded again (a second test): reap the old reader
            old.terminate()
            old.wait(timeout=5)
        self.keepalives[sink] = subprocess.Popen(
            ["parec", "-d", f"{sink}.monitor", "--latency-msec=10", "--rate=8000", "--channels=1"],
            env={**os.environ, **self.env},
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )

    def load_null_sink(self, name: str) -> int:
        """Load one more null sink (a headset plugged in) and return its module index."""
        out = self.pactl(
            "load-module",
            "module-null-sink",
            f"sink_name={name}",
            "rate=48000",
            "norewinds=1",
            f"sink_properties=device.description={name}",
        )
        return int(out.stdout.strip())

    def requested_latencies_ms(self) -> list[float]:
        """The latency each playback stream's buffer attributes made it request of its sink
        (``pacmd list-sink-inputs``: half of what the stream asked the server to hold, less
        a minimum request; it follows the stream's buffer size, not the moment's fill level)."""
        out = subprocess.run(
            ["pacmd", "list-sink-inputs"],
            env={**os.environ, **self.env},
            capture_output=True,
            text=True,
            timeout=15,
            check=True,
        ).stdout
        return [
            float(line.split(":")[1].split()[0]) for line in out.splitlines() if "requested latency" in line
        ]

    def load_virtual_mic(self, name: str, feed_sink: str) -> int:
        """A microphone that "hears" whatever is played into ``feed_sink`` (its monitor, remapped
        into an ordinary source as a headset microphone would be); returns its module index."""
        out = self.pactl(
            "load-module",
            "module-remap-source",
            f"source_name={name}",
            f"master={feed_sink}.monitor",
            f"source_properties=device.description={name}",
        )
        return int(out.stdout.strip())

    def unload_module(self, index: int) -> None:
        self.pactl("unload-module", str(index))

    def stop(self) -> None:
        for proc in self.keepalives.values():
            proc.terminate()
        for proc in self.keepalives.values():
            proc.wait(timeout=5)
        subprocess.run(
            ["pulseaudio", "--kill"],
            env={**os.environ, **self.env},
            capture_output=True,
            timeout=15,
            check=False,
        )
        pid_file = Path(self.env.get("PULSE_RUNTIME_PATH", "")) / "pid"
        deadline = time.monotonic() + 5
        while pid_file.exists() and time.monotonic() < deadline:
            time.sleep(0.05)
        shutil.rmtree(self.root, ignore_errors=True)
