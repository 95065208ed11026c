"""A broken or newer engine cannot take the window down: whatever it writes, the window-side path
(EngineClient -> PhoneBridge) logs what it cannot read, ignores it, and carries on.

The "engine" here is a small script speaking the protocol badly (a real engine never writes these
lines, which is the point); everything after its stdout is the window's real code."""

from __future__ import annotations

import asyncio
import json
import logging
import sys
from typing import Any

import pytest
from pytestqt.qtbot import QtBot

from app.softphone.events import (
    CallPhase,
    EngineMode,
    EngineStarted,
    RegistrationChanged,
    RegistrationState,
    to_message,
)
from app.ui.phone_bridge import OfferedCall, PhoneBridge, RegistrationChange
from tests.gui.desks import run
from tests.softphone.samples import incoming_call

pytestmark = pytest.mark.gui

_GOOD_CALL = to_message(incoming_call())

# (what is wrong, the line) -- in the order the engine writes them
GARBAGE: list[tuple[str, str]] = [
    ("not JSON", "engine says hello"),
    ("a JSON array", "[1, 2, 3]"),
    ("another protocol version", json.dumps({**_GOOD_CALL, "v": 2})),
    ("an unknown event", json.dumps({"v": 1, "event": "call_parked", "call": 7, "slot": 3})),
    ("a missing field", json.dumps({k: v for k, v in _GOOD_CALL.items() if k != "direction"})),
    ("a wrong type", json.dumps({**_GOOD_CALL, "call": "x"})),
    ("an unknown enum value", json.dumps({**_GOOD_CALL, "state": "bogus"})),
    (
        "a wrong type in a registration",
        json.dumps(
            {
                "v": 1,
                "event": "registration_changed",
                "state": "registered",
                "code": "200",
                "reason": "OK",
                "expires": 300,
            }
        ),
    ),
    (
        "an unknown registration state",
        json.dumps(
            {
                "v": 1,
                "event": "registration_changed",
                "state": "sleeping",
                "code": 200,
                "reason": "OK",
                "expires": 300,
            }
        ),
    ),
    (
        "null for a number",
        json.dumps(
            {
                "v": 1,
                "event": "call_ended",
                "call": None,
                "outcome": "missed",
                "code": 487,
                "reason": "",
                "duration": 0,
            }
        ),
    ),
    (
        "an unknown outcome",
        json.dumps(
            {
                "v": 1,
                "event": "call_ended",
                "call": 7,
                "outcome": "vanished",
                "code": 487,
                "reason": "",
                "duration": 0,
            }
        ),
    ),
]
GOOD_AFTER = [
    to_message(RegistrationChanged(RegistrationState.REGISTERED, 200, "OK", 300)),
    _GOOD_CALL,
]

# Writes engine_started, the garbage, then good events; answers every request "ok"; ends at EOF.
_SCRIPT = """
import json, sys
for line in json.loads(sys.argv[1]):
    sys.stdout.write(line + "\\n")
sys.stdout.flush()
for line in sys.stdin:
    try:
        req = json.loads(line)
    except ValueError:
        continue
    sys.stdout.write(json.dumps({"v": 1, "reply": req.get("id"), "ok": True, "result": {}}) + "\\n")
    sys.stdout.flush()
"""


def _bad_engine() -> list[str]:
    started = to_message(EngineStarted(pid=1, mode=EngineMode.REGISTRAR, transports={}, uri="<sip:op@pbx>"))
    lines = [json.dumps(started), *(line for _, line in GARBAGE), *map(json.dumps, GOOD_AFTER)]
    return [sys.executable, "-c", _SCRIPT, json.dumps(lines)]


@pytest.mark.expect_log("app.softphone.desk.client", "not a protocol line from the engine")
@pytest.mark.expect_log("app.ui.phone_bridge", "ignoring a malformed message from the engine")
def test_garbage_from_the_engine_is_logged_and_ignored_and_the_bridge_carries_on(
    qtbot: QtBot, event_loop_qt: asyncio.AbstractEventLoop, caplog: pytest.LogCaptureFixture
) -> None:
    bridge = PhoneBridge([], command=_bad_engine())
    seen: list[tuple[str, Any]] = []
    for name in (
        "incoming_call",
        "call_state_changed",
        "call_ended",
        "call_refused",
        "registration_changed",
        "dtmf_received",
        "audio_device_changed",
        "engine_died",
        "engine_restarted",
    ):
        getattr(bridge, name).connect(lambda *args, name=name: seen.append((name, args)))
    caplog.set_level(logging.INFO, logger="app.ui.phone_bridge")

    with qtbot.waitSignal(bridge.incoming_call, timeout=10_000) as rang:
        run(qtbot, event_loop_qt, bridge.start())

    # Only the good events became signals, in order, with typed values.
    assert [name for name, _ in seen] == ["registration_changed", "incoming_call"]
    reg = seen[0][1][0]
    assert reg == RegistrationChange(None, RegistrationState.REGISTERED, 200, "OK")
    offered = rang.args[0]
    assert isinstance(offered, OfferedCall) and offered.info.phase is CallPhase.INCOMING
    assert offered.info.number == "+79123456789" and list(bridge.calls) == [7]

    # Each bad line was logged once; the unknown event quietly, as news from a newer engine.
    client_lines = [r for r in caplog.records if r.name == "app.softphone.desk.client"]
    assert len(client_lines) == 3 and all(r.levelno == logging.WARNING for r in client_lines)
    malformed = [r for r in caplog.records if "malformed message" in r.getMessage()]
    assert len(malformed) == len(GARBAGE) - 4
    assert {r.levelno for r in malformed} == {logging.WARNING}
    problems = " | ".join(r.getMessage() for r in malformed)
    for words in (
        "lacks direction",
        "call: expected int",
        "'bogus' is not a CallPhase",
        "code: expected int",
        "'sleeping' is not a RegistrationState",
        "call: expected int",
        "'vanished' is not a CallEndOutcome",
    ):
        assert words in problems
    [unknown] = [r for r in caplog.records if "call_parked" in r.getMessage()]
    assert unknown.levelno == logging.INFO

    # The bridge still works both ways: a command gets its reply after all that.
    run(qtbot, event_loop_qt, bridge.answer(7))
    run(qtbot, event_loop_qt, bridge.stop())
