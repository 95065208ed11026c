"""The engine in this process on its SIP thread (real pjsua2, null audio device), and pjsua2
operations tried from the main thread meanwhile.  Run as ``python -m tests.softphone.sip_thread_guard``.

pjsua2 aborts the whole process when an unregistered thread calls it (shared/LAB.md), so this
runs in a child process of the test: without the guard the child dies (rc 134) instead of the
test run.  It prints one JSON object per line: ``{"op": ..., "raised": <exception class or null>}``
for each attempt (after ``{"ready": true}``: the engine answered a first command), then
``{"pong": true}`` (it still answers) and ``{"stopped": <rc>, "alive": false}``.
"""

from __future__ import annotations

import json
import queue
import sys
import tempfile
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

from app.softphone.engine.options import EngineOptions
from app.softphone.engine.pj import Call, Recorder
from app.softphone.engine.sipthread import Engine
from app.softphone.protocol import Command


def say(**fields: Any) -> None:
    sys.stdout.write(json.dumps(fields) + "\n")
    sys.stdout.flush()


def wait_for(
    out: queue.SimpleQueue[dict[str, Any]], pred: Callable[[dict[str, Any]], bool]
) -> dict[str, Any]:
    while True:
        msg = out.get(timeout=15)
        if pred(msg):
            return msg


def attempts(engine: Engine, scratch: Path) -> dict[str, Callable[[], object]]:
    """Ways into pjsua2 from outside the SIP thread: the library, the account, a call, the
    conference bridge, a recorder.  The engine's objects are reached through its privates: no
    public way hands them to another thread, which is the point."""
    lib, account = engine._lib, engine._account
    assert lib is not None and account is not None
    mic, speaker = lib.devices()
    return {
        "Library.handle_events": lambda: lib.handle_events(0),
        "Account.index": lambda: account.index,
        "Call.__init__": lambda: Call(account, engine),
        "AudioPort.start_transmit": lambda: mic.start_transmit(speaker),
        "Recorder.__init__": lambda: Recorder(str(scratch / "off-thread.wav")),
    }


def ping(
    engine: Engine, commands: queue.SimpleQueue[Command], out: queue.SimpleQueue[dict[str, Any]], n: int
) -> bool:
    """Whether the engine answers a command (its loop runs, so its start-up is complete)."""
    commands.put(Command(name="ping", args={}, id=n))
    engine.wake()
    return bool(wait_for(out, lambda m: m.get("reply") == n).get("ok"))


def main() -> int:
    out: queue.SimpleQueue[dict[str, Any]] = queue.SimpleQueue()
    commands: queue.SimpleQueue[Command] = queue.SimpleQueue()
    engine = Engine(EngineOptions(listen_host="127.0.0.1", listen_port=0), out.put, commands, None)
    sip = threading.Thread(target=engine.run, name="sip")
    sip.start()
    try:
        say(ready=ping(engine, commands, out, 1))
        with tempfile.TemporaryDirectory() as scratch:
            for op, attempt in attempts(engine, Path(scratch)).items():
                try:
                    attempt()
                except Exception as exc:  # noqa: BLE001 - reported to the test, which checks the class
                    say(op=op, raised=type(exc).__name__, text=str(exc))
                else:
                    say(op=op, raised=None)
        say(pong=ping(engine, commands, out, 2))
    finally:  # whatever happened, the engine stops (a live SIP thread would keep the process up)
        commands.put(Command(name="quit", args={}, internal=True))
        engine.wake()
        sip.join(15)
    say(stopped=engine.exit_code, alive=sip.is_alive())
    return 0


if __name__ == "__main__":
    sys.exit(main())
