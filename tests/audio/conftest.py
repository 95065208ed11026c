"""Audio fixtures: one private PulseAudio for the session, and a runner for the SIP peer script."""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest

from tests.audio.harness import start_peer
from tests.audio.pulse import PrivatePulse, PulseUnavailableError


@pytest.fixture(scope="session")
def pulse() -> Iterator[PrivatePulse]:
    try:
        server = PrivatePulse.start()
    except PulseUnavailableError as exc:
        pytest.fail(str(exc), pytrace=False)
    yield server
    server.stop()


@pytest.fixture
def pulse_env(pulse: PrivatePulse, monkeypatch: pytest.MonkeyPatch) -> PrivatePulse:
    """The private server for in-process clients (miniaudio reads PULSE_SERVER and friends)."""
    for key, value in pulse.env.items():
        monkeypatch.setenv(key, value)
    return pulse


@dataclass
class PeerRun:
    events: list[dict[str, Any]] = field(default_factory=list)
    stderr: str = ""

    def first(self, name: str, **match: Any) -> dict[str, Any]:
        for event in self.events:
            if event["event"] == name and all(event.get(k) == v for k, v in match.items()):
                return event
        raise AssertionError(f"no {name} {match} event in {[e['event'] for e in self.events]}\n{self.stderr}")

    def all(self, name: str) -> list[dict[str, Any]]:
        return [e for e in self.events if e["event"] == name]

    @property
    def result(self) -> dict[str, Any]:
        return self.first("result")


def run_peer(
    pulse: PrivatePulse,
    *args: str,
    on_event: Callable[[dict[str, Any]], None] | None = None,
    timeout: float = 90.0,
) -> PeerRun:
    """Run tests/audio/sip_peer.py against the private PulseAudio and collect its JSON events."""
    proc = start_peer(pulse, *args)
    run = PeerRun()
    deadline = time.monotonic() + timeout
    try:
        assert proc.stdout is not None
        for line in proc.stdout:
            if not line.startswith("{"):
                continue  # pjlib's start-up banner
            event = json.loads(line)
            run.events.append(event)
            if on_event is not None:
                on_event(event)
            if time.monotonic() > deadline:
                break
        proc.wait(timeout=max(1.0, deadline - time.monotonic()))
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        assert proc.stderr is not None
        run.stderr = proc.stderr.read()
        proc.stderr.close()
        if proc.stdout is not None:
            proc.stdout.close()
    assert proc.returncode == 0, f"sip_peer exited {proc.returncode}:\n{run.stderr[-3000:]}"
    return run
