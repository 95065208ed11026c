"""pjmedia's clock thread calls the headset port's frame callbacks; an exception escaping them would
abort the engine from C.  The callbacks are called here directly with a stand-in frame (pure
logic: the real clock thread drives them in test_call_audio.py and test_engine_headset.py)."""

from __future__ import annotations

import pytest

from app.softphone.engine.headset import pjport
from app.softphone.engine.headset.pjport import HeadsetPort


class _Frame:  # what the callbacks read of pjsua2's MediaFrame when its layout is not probed
    type = 1
    size = 0
    buf = b""


def test_a_port_being_torn_down_takes_its_last_frames_silently(caplog: pytest.LogCaptureFixture) -> None:
    port = HeadsetPort(from_call=lambda data: None, to_call=lambda: b"")
    port.__dict__.clear()  # what dropping the last reference leaves while pjmedia may still call
    port.onFrameReceived(_Frame())
    port.onFrameRequested(_Frame())
    assert not [r for r in caplog.records if r.name.startswith("app.softphone")]


@pytest.mark.expect_log("app.softphone", r"a frame requested callback failed", level="ERROR")
def test_a_failing_frame_is_silence_and_said_once(
    caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(pjport, "_frame_failures", 0)

    def broken() -> bytes:
        raise RuntimeError("the FIFO broke")

    port = HeadsetPort(from_call=lambda data: None, to_call=broken)
    port.clock_realtime = False  # as if promoted already: no scheduling change in the test process
    for _ in range(3):
        port.onFrameRequested(_Frame())  # raises nothing into pjmedia
    said = [r for r in caplog.records if "callback failed" in r.getMessage()]
    assert len(said) == 1 and said[0].exc_info is not None
    assert "the FIFO broke" in str(said[0].exc_info[1])
