"""The window-side asyncio client: requests, events, and supervision of a real engine process."""

from __future__ import annotations

import asyncio
import logging
import os
import signal
import socket
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any, BinaryIO

import pytest

from app.softphone.desk.client import CommandFailed, EngineClient, EngineUnavailable
from tests.softphone import sipp as sc
from tests.softphone.conftest import SippFactory
from tests.softphone.engine_proc import REPO
from tests.softphone.kamailio_proc import SUBSCRIBERS, Kamailio

pytestmark = pytest.mark.sip


@pytest.fixture
def engine_log(tmp_path: Path) -> Iterator[BinaryIO]:
    with (tmp_path / "client-engine.log").open("ab") as f:
        yield f


def _client(tmp_path: Path, log: BinaryIO, *args: str, **kw: Any) -> EngineClient:
    kw.setdefault("backoff", (0.1, 0.5))
    kw.setdefault("env", {"PYTHONPATH": str(REPO)})
    return EngineClient(["--record-dir", str(tmp_path / "rec"), *args], stderr=log, **kw)


def _kill(client: EngineClient) -> tuple[int, float]:
    """SIGKILL the engine; returns its pid and the moment (time.monotonic)."""
    pid = client.pid
    assert pid is not None
    os.kill(pid, signal.SIGKILL)
    return pid, time.monotonic()


def test_requests_and_errors(tmp_path: Path, engine_log: BinaryIO) -> None:
    async def main() -> None:
        client = _client(tmp_path, engine_log, "--listen", "127.0.0.1:0")
        started = await client.start()
        assert started["mode"] == "p2p" and client.running
        assert (await client.request("ping"))["pong"] > 0
        status = await client.request("status")
        assert status == {"registration": "none", "registrar": "none", "calls": []}
        with pytest.raises(CommandFailed, match="no such call"):
            await client.request("hangup")
        assert await client.stop() == 0
        assert not client.running

    asyncio.run(main())


@pytest.mark.expect_log("app.softphone.desk.client", r"softphone engine \d+ died", level="ERROR")
def test_engine_killed_mid_call_is_reported_and_restarted(
    tmp_path: Path, engine_log: BinaryIO, sipps: SippFactory
) -> None:
    events: list[dict[str, Any]] = []

    async def main() -> None:
        client = _client(
            tmp_path, engine_log, "--listen", "127.0.0.1:0", "--auto-answer", on_event=events.append
        )
        started = await client.start()
        xml = sc.scenario("long-call", sc.invite(), sc.RINGING, sc.answered(), sc.pause(20000), sc.send_bye())
        caller = sipps("caller").start(xml=xml, remote=started["transports"]["udp"])
        await client.wait_event("call_state", state="active")
        old_pid, killed = _kill(client)
        died = await client.wait_event("engine_died", timeout=5)
        assert died["signal"] == "SIGKILL" and died["pid"] == old_pid
        restarted = await client.wait_event("engine_restarted", timeout=5)
        assert restarted["pid"] != old_pid and client.pid == restarted["pid"]
        assert time.monotonic() - killed < 5
        assert (await client.request("status"))["calls"] == []  # a fresh engine, usable again
        assert await client.stop() == 0
        caller.stop()

    asyncio.run(main())
    names = [e["event"] for e in events]
    assert names.count("engine_started") == 2 and "engine_died" in names


@pytest.mark.expect_log("app.softphone.desk.client", r"softphone engine \d+ died", level="ERROR")
def test_killed_registered_engine_registers_again_within_5_s(
    tmp_path: Path, engine_log: BinaryIO, kamailio: Kamailio
) -> None:
    async def main() -> None:
        client = _client(
            tmp_path, engine_log, "--server", kamailio.address, "--user", "1007", "--listen", "127.0.0.1:0",
            env={"PYTHONPATH": str(REPO), "FRONTLINE_SIP_PASSWORD": SUBSCRIBERS["1007"]},
        )  # fmt: skip
        await client.start()
        await client.wait_event("registration_changed", state="registered")
        _, killed = _kill(client)
        await client.wait_event("engine_died", timeout=5)
        await client.wait_event("registration_changed", timeout=5, state="registered")
        took = time.monotonic() - killed
        assert took < 5, took
        print(f"registered again {took * 1000:.0f} ms after SIGKILL")
        assert await client.stop() == 0

    asyncio.run(main())


def test_start_failure_is_reported_at_once(tmp_path: Path, engine_log: BinaryIO) -> None:
    async def main() -> None:
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as taken:
            taken.bind(("127.0.0.1", 0))
            client = _client(tmp_path, engine_log, "--listen", f"127.0.0.1:{taken.getsockname()[1]}")
            began = time.monotonic()
            with pytest.raises(EngineUnavailable, match=r"could not start: .*already in use"):
                await client.start()
            assert time.monotonic() - began < 10

    asyncio.run(main())


@pytest.mark.expect_log("app.softphone.engine", r"no sound devices .*: calls run on the null device")
def test_the_engines_log_reaches_the_windows_under_its_own_logger_and_level(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """What the engine logs is logged again in the window (`app.softphone.desk.engine_log`): the desk's
    log file has both processes, and the tests' check for undeclared warnings sees the engine's.
    The engine is asked for headset audio with no sound server: it warns, and carries on."""
    caplog.set_level(logging.INFO)

    async def main() -> int:
        client = EngineClient(
            ["--listen", "127.0.0.1:0"], env={"PYTHONPATH": str(REPO), "PULSE_SERVER": "unix:/nonexistent"}
        )
        started = await client.start()
        await client.request("ping")
        await client.stop()
        return int(started["pid"])

    pid = asyncio.run(main())
    relayed = [r for r in caplog.records if f"[engine {pid}]" in r.getMessage()]
    warning = next(r for r in relayed if "no sound devices" in r.getMessage())
    assert warning.name == "app.softphone.engine" and warning.levelname == "WARNING"
    assert any(r.levelname == "INFO" and r.name.startswith("app.softphone") for r in relayed)
