"""Each line of the engine's stderr, as the window logs it (pure parsing; the real engine's log is
relayed in tests/softphone/test_client.py)."""

from __future__ import annotations

import logging

import pytest

from app.softphone.desk.engine_log import relay_line


@pytest.mark.expect_log("app.softphone.sip", r"answer failed", level="ERROR")
def test_a_log_record_keeps_its_logger_and_level(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    relay_line(42, "2026-12-05 21:00:00,123 ERROR app.softphone.sip: call 3: answer failed: busy")
    relay_line(42, "Traceback-free text from pjlib: banner")
    (record, other) = caplog.records
    assert (record.name, record.levelno) == ("app.softphone.sip", logging.ERROR)
    assert record.getMessage() == "[engine 42] call 3: answer failed: busy"
    assert (other.name, other.levelno) == ("app.softphone.engine.stderr", logging.INFO)
    assert other.getMessage() == "[engine 42] Traceback-free text from pjlib: banner"
