"""What the engine writes about a call -- the recording of both voices, the SIP trace naming the
caller -- is readable by the desk's user only, whatever the umask."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.fixtures.file_modes import mode
from tests.softphone import sipp as sc
from tests.softphone.conftest import EngineFactory, SippFactory

pytestmark = [pytest.mark.sip, pytest.mark.skipif(os.name != "posix", reason="POSIX modes")]


def test_recordings_and_the_sip_trace_are_private(
    desktop_umask: None, engines: EngineFactory, sipps: SippFactory, tmp_path: Path
) -> None:
    records, trace = tmp_path / "calls" / "recordings", tmp_path / "sip-trace.log"
    engine = engines(
        "--listen", "127.0.0.1:0", "--auto-answer", "--auto-record",
        "--record-dir", str(records), "--sip-trace", str(trace),
    )  # fmt: skip
    xml = sc.scenario("rec", sc.invite(), sc.RINGING, sc.answered(), sc.pause(800), sc.send_bye())
    caller = sipps("caller").start(xml=xml, remote=engine.address())
    started = engine.wait_event("recording_started")
    caller.assert_ok()
    engine.wait_event("recording_finished", call=started["call"])
    recording = Path(started["path"])
    recording = recording if recording.is_absolute() else engine.log_path.parent / recording
    assert recording.parent == records
    assert mode(recording) == 0o600
    assert mode(records) == mode(records.parent) == 0o700
    assert trace.stat().st_size > 0
    assert mode(trace) == 0o600
