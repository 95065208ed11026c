"""The built-in demo caller: each demo call is a real SIP user agent (a `frontline phone` engine
process in peer-to-peer mode) that dials the desk from a customer's number, plays a voice-like
recording into the call and stays on the line until either side hangs up.

A second engine plays the shift lead: it answers by itself, so a transfer from the desk has
somewhere to go.  Everything runs on loopback.  Asyncio, no Qt: the window's demo menu drives it.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
import socket
from dataclasses import dataclass
from pathlib import Path

from app.softphone.desk.client import EngineClient

log = logging.getLogger(__name__)


def free_udp_port(host: str = "127.0.0.1") -> int:
    """A port free for UDP *and* TCP right now: the engine listens on both with one number."""
    for _ in range(50):
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as udp:
            udp.bind((host, 0))
            port = int(udp.getsockname()[1])
            with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as tcp:
                try:
                    tcp.bind((host, port))
                except OSError:
                    continue
                return port
    raise OSError("no port free for both UDP and TCP")


@dataclass(frozen=True, slots=True)
class DemoCallers:
    known: tuple[tuple[str, str], ...]  # (E.164 number, display name) of demo customers
    line_numbers: tuple[str, ...]  # dialled numbers that identify the support lines


@dataclass(frozen=True, slots=True)
class DemoCall:
    number: str | None  # None: an anonymous caller
    display: str | None
    line_number: str  # what the caller dials: identifies the support line


class DemoCaller:
    """Places demo calls into the desk listening at `desk_host:desk_port`."""

    def __init__(
        self, desk_host: str, desk_port: int, voice_wav: Path | None, talk_limit_s: float = 600
    ) -> None:
        self._desk = f"{desk_host}:{desk_port}"
        self._voice = voice_wav
        self._talk_limit = talk_limit_s
        self._calls: set[asyncio.Task[None]] = set()
        self._lead: EngineClient | None = None
        self.lead_uri: str | None = None

    @staticmethod
    def pick(
        kind: str, known: tuple[tuple[str, str], ...], lines: tuple[str, ...], rng: random.Random
    ) -> DemoCall:
        line = rng.choice(lines) if lines else "100"
        if kind == "anonymous":
            return DemoCall(None, None, line)
        if kind == "unknown" or not known:
            return DemoCall(f"+7999{rng.randrange(10**7):07d}", None, line)
        number, name = rng.choice(known)
        return DemoCall(number, name, line)

    async def start_shift_lead(self) -> str:
        """A second UA that answers every call: the target for transfers in the demo."""
        port = free_udp_port()
        self._lead = EngineClient(
            [
                "--p2p",
                "--listen",
                f"127.0.0.1:{port}",
                "--user",
                "lead",
                "--display-name",
                "Shift lead",
                "--auto-answer",
                "--null-audio",  # a simulated person: never this desk's headset
            ],
            restart=False,
        )
        await self._lead.start()
        self.lead_uri = f"sip:lead@127.0.0.1:{port}"
        return self.lead_uri

    def place(self, call: DemoCall) -> asyncio.Task[None]:
        task = asyncio.get_running_loop().create_task(self._run(call))
        self._calls.add(task)
        task.add_done_callback(self._calls.discard)
        return task

    @property
    def active_calls(self) -> int:
        return len(self._calls)

    async def _run(self, call: DemoCall) -> None:
        args = ["--p2p", "--listen", f"127.0.0.1:{free_udp_port()}", "--user", call.number or "anonymous"]
        if call.display:
            args += ["--display-name", call.display]
        # A simulated caller speaks from a file or not at all: never through this desk's headset.
        args += ["--play", str(self._voice)] if self._voice is not None else ["--null-audio"]
        client = EngineClient(args, restart=False)
        try:
            await client.start()
            reply = await client.request("dial", uri=f"sip:{call.line_number}@{self._desk}")
            log.info("demo call %s from %s to line %s", reply.get("call"), call.number, call.line_number)
            with contextlib.suppress(TimeoutError):
                await client.wait_event("call_ended", timeout=self._talk_limit)
        finally:
            await client.stop()

    async def shutdown(self) -> None:
        for task in list(self._calls):
            task.cancel()
        for task in list(self._calls):
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
        if self._lead is not None:
            await self._lead.stop()
            self._lead = None
