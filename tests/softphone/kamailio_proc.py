"""Test helper: a throwaway Kamailio registrar/proxy on a free loopback port (UDP and TCP)."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import time
from pathlib import Path

from tests.softphone.sipp import free_port

KAMAILIO_MISSING = "Kamailio is not installed: run `make test`, which installs the Debian package kamailio"
TEMPLATE = Path(__file__).with_name("kamailio") / "kamailio.cfg.in"
MODULE_DIRS = ("/usr/lib/x86_64-linux-gnu/kamailio/modules", "/usr/lib/kamailio/modules")
SUBSCRIBERS = {f"{n}": f"secret-{n}" for n in range(1001, 1011)}


class Kamailio:
    def __init__(self, workdir: Path, port: int | None = None, tls: tuple[Path, Path] | None = None) -> None:
        """``tls``: (certificate, private key) to listen for TLS on `tls_port` too."""
        binary = shutil.which("kamailio") or (
            "/usr/sbin/kamailio" if Path("/usr/sbin/kamailio").exists() else None
        )
        if binary is None:
            raise AssertionError(KAMAILIO_MISSING)
        modules = next((d for d in MODULE_DIRS if Path(d, "tm.so").exists()), None)
        if modules is None:
            raise AssertionError(KAMAILIO_MISSING)
        self.port = port or free_port(socket.SOCK_STREAM)
        workdir.mkdir(parents=True, exist_ok=True)
        subs = "\n".join(f'    $sht(subscriber=>{u}) = "{p}";' for u, p in SUBSCRIBERS.items())
        cfg = TEMPLATE.read_text().replace("@PORT@", str(self.port)).replace("@MODULES@", modules)
        self.tls_port = 0
        tls_listen = tls_module = ""
        if tls is not None:
            if not Path(modules, "tls.so").exists():
                raise AssertionError(
                    "Kamailio's TLS module is missing: run `make test`, which installs kamailio-tls-modules"
                )
            self.tls_port = free_port(socket.SOCK_STREAM)
            tls_cfg = workdir / "tls.cfg"
            tls_cfg.write_text(
                "[server:default]\nmethod = TLSv1.2+\nverify_certificate = no\nrequire_certificate = no\n"
                f"certificate = {tls[0]}\nprivate_key = {tls[1]}\n\n"
                "[client:default]\nmethod = TLSv1.2+\nverify_certificate = no\nrequire_certificate = no\n"
            )
            tls_listen = f"enable_tls=yes\nlisten=tls:127.0.0.1:{self.tls_port}"
            tls_module = f'loadmodule "tls.so"\nmodparam("tls", "config", "{tls_cfg}")'
        cfg = cfg.replace("@TLS_LISTEN@", tls_listen).replace("@TLS_MODULE@", tls_module)
        self.cfg = workdir / "kamailio.cfg"
        self.cfg.write_text(cfg.replace("@SUBSCRIBERS@", subs))
        self.log = workdir / "kamailio.log"
        rundir = workdir / "run"
        rundir.mkdir(exist_ok=True)
        self._argv = [
            binary,
            "-f",
            str(self.cfg),
            "-DD",
            "-E",
            "-Y",
            str(rundir),
            "-P",
            str(rundir / "k.pid"),
        ]
        self._pidfile = rundir / "k.pid"
        self._start()

    def _start(self) -> None:
        # Its own process group: `kill` takes the workers too, as a crash or `kill -9` of a
        # service's control group does (the workers share the listening sockets).
        with self.log.open("ab") as out:
            self.proc = subprocess.Popen(
                self._argv, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
            )
        self._wait_ready()

    @property
    def address(self) -> str:
        return f"127.0.0.1:{self.port}"

    def _wait_ready(self, timeout: float = 15) -> None:
        deadline = time.monotonic() + timeout
        probe = (
            f"OPTIONS sip:ping@127.0.0.1:{self.port} SIP/2.0\r\n"
            "Via: SIP/2.0/UDP 127.0.0.1:9;branch=z9hG4bKprobe\r\nFrom: <sip:probe@127.0.0.1>;tag=1\r\n"
            "To: <sip:ping@127.0.0.1>\r\nCall-ID: probe\r\nCSeq: 1 OPTIONS\r\nMax-Forwards: 5\r\n"
            "Content-Length: 0\r\n\r\n"
        ).encode()
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
            s.bind(("127.0.0.1", 0))
            s.settimeout(0.2)
            while time.monotonic() < deadline:
                if self.proc.poll() is not None:
                    raise AssertionError(f"kamailio exited rc={self.proc.returncode}:\n{self.tail()}")
                s.sendto(
                    probe.replace(b"127.0.0.1:9", f"127.0.0.1:{s.getsockname()[1]}".encode()),
                    self.address_tuple,
                )
                try:
                    if s.recv(4096).startswith(b"SIP/2.0"):
                        break
                except TimeoutError:
                    continue
            else:
                raise AssertionError(f"kamailio not ready in {timeout}s:\n{self.tail()}")
        while time.monotonic() < deadline:  # and TCP
            try:
                socket.create_connection(self.address_tuple, timeout=0.2).close()
                return
            except OSError:
                time.sleep(0.05)

    @property
    def address_tuple(self) -> tuple[str, int]:
        return ("127.0.0.1", self.port)

    def tail(self, n: int = 40) -> str:
        return "\n".join(self.log.read_text(errors="replace").splitlines()[-n:])

    def kill(self) -> None:
        """SIGKILL to every Kamailio process: with usrloc in memory, every registration is lost."""
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait()

    def restart(self) -> None:
        """Start again on the same port(s) after `kill` or `stop`, with an empty location table."""
        self._pidfile.unlink(missing_ok=True)
        deadline = time.monotonic() + 10
        while True:  # after SIGTERM the old workers need ~2 s to release the port (LAB.md)
            try:
                self._start()
                return
            except AssertionError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.5)

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
