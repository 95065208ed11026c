"""The engine's log, relayed into the window's: one log for IT, and one check for the tests.

The engine process logs to its stderr (`app.softphone.engine.main`: ``time LEVEL logger: message``).
Left inherited, those lines reached the window's stderr but not the desk's log file, and a
warning of the engine's could not be told from noise.  The client pipes the engine's stderr here:
each line is logged again in the window, under the engine's logger name and at its level, with
the engine's pid in front -- so ``frontline.log`` has both processes, and the tests' check for
undeclared warnings (tests/log_check.py) sees the engine's too.  Lines that are not log records
(pjlib's banner, a C library's output) are kept at INFO.
"""

from __future__ import annotations

import asyncio
import logging
import re

ENGINE_LINE = re.compile(r"^\S+ \S+ (DEBUG|INFO|WARNING|ERROR|CRITICAL) ([\w.]+): (.*)$")
_OTHER = logging.getLogger("app.softphone.engine.stderr")
DEFER_S = 0.05


def relay_line(pid: int, line: str) -> None:
    """Log one stderr line of engine `pid` in this process."""
    found = ENGINE_LINE.match(line)
    if found is None:
        _OTHER.info("[engine %s] %s", pid, line)
        return
    level, name, message = found.groups()
    logging.getLogger(name).log(logging.getLevelNamesMapping()[level], "[engine %s] %s", pid, message)


async def relay(pid: int, stream: asyncio.StreamReader) -> None:
    """Relay `stream` until the engine closes it (it exited).

    Lines are logged in batches `DEFER_S` after they arrive, not as each one comes: the engine logs
    an incoming call as it tells the window of it, and writing that line (to the desk's log file
    and stderr, on the GUI thread) must not come between the event and the pop's first paint.
    What is pending when the engine exits is logged at once.
    """
    loop = asyncio.get_running_loop()
    pending: list[str] = []
    flushing: asyncio.TimerHandle | None = None

    def flush() -> None:
        nonlocal flushing
        flushing = None
        lines = pending.copy()
        pending.clear()
        for line in lines:
            relay_line(pid, line)

    try:
        while True:
            try:
                raw = await stream.readline()
            except (ValueError, asyncio.LimitOverrunError):
                _OTHER.warning("[engine %s] an over-long stderr line was dropped", pid)
                continue
            if not raw:
                return
            line = raw.decode("utf-8", "replace").rstrip("\r\n")
            if line:
                pending.append(line)
                if flushing is None:
                    flushing = loop.call_later(DEFER_S, flush)
    finally:
        if flushing is not None:
            flushing.cancel()
        flush()
