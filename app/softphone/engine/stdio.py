"""The engine's channel: a stdin reader thread feeding commands, a stdout writer thread for output.

stdout carries only protocol lines (logs go to stderr).  End of stdin means the window (or the
script) is gone, so the reader asks the engine to quit.
"""

from __future__ import annotations

import logging
import os
import queue
import sys
import threading
from collections.abc import Callable
from typing import IO, Any

from app.softphone.protocol import Command, ProtocolError, encode, parse_command, reply_error

log = logging.getLogger("app.softphone.engine")

_STOP = object()
_MAX_LINE = 1 << 20


def claim_stdout() -> IO[bytes]:
    """Keep the real stdout for the protocol and point fd 1 at stderr.

    pjlib prints to the C-level stdout before our log writer is installed (and any C library may):
    that text must never be mixed into the protocol stream.
    """
    sys.stdout.flush()
    proto = os.fdopen(os.dup(1), "wb")
    os.dup2(2, 1)
    sys.stdout = sys.stderr
    return proto


class Output:
    """Thread-safe `emit`; one writer thread does the blocking writes and flushes."""

    def __init__(self, stream: IO[bytes]) -> None:
        self._stream = stream
        self._queue: queue.SimpleQueue[Any] = queue.SimpleQueue()
        self._thread = threading.Thread(target=self._run, name="stdout-writer", daemon=True)
        self._thread.start()

    def emit(self, obj: dict[str, Any]) -> None:
        self._queue.put(obj)

    def close(self, timeout: float = 2.0) -> None:
        self._queue.put(_STOP)
        self._thread.join(timeout)

    def _run(self) -> None:
        while True:
            obj = self._queue.get()
            if obj is _STOP:
                return
            try:
                line = encode(obj).encode("utf-8")
            except (TypeError, ValueError):  # a bug upstream (e.g. a lone surrogate): skip one line
                log.exception("cannot encode %s", str(obj.get("event") or obj.get("reply"))[:40])
                continue
            try:
                self._stream.write(line + b"\n")
                if self._queue.empty():
                    self._stream.flush()
            except (BrokenPipeError, ValueError, OSError):
                log.warning("stdout is gone; dropping output")
                return


def start_reader(
    commands: queue.SimpleQueue[Command], output: Output, wake: Callable[[], None], fd: int = 0
) -> None:
    """Read stdin lines on a daemon thread; bad lines get an error reply, EOF queues `quit`.

    Reads the raw file descriptor: a daemon thread blocked inside ``sys.stdin.buffer`` holds its
    lock and makes the interpreter abort at exit ("could not acquire lock ... at shutdown").
    """

    def run() -> None:
        pending = b""
        while True:
            try:
                chunk = os.read(fd, 65536)
            except OSError:
                chunk = b""
            if not chunk:
                break
            pending += chunk
            *lines, pending = pending.split(b"\n")
            for raw in lines:
                _accept(raw, commands, output)
            wake()
            if len(pending) > _MAX_LINE:
                output.emit(reply_error(None, "line too long"))
                pending = b""
        if pending:
            _accept(pending, commands, output)
        commands.put(Command(name="quit", args={"reason": "stdin closed"}, internal=True))
        wake()

    threading.Thread(target=run, name="stdin-reader", daemon=True).start()


def _accept(raw: bytes, commands: queue.SimpleQueue[Command], output: Output) -> None:
    line = raw.decode("utf-8", errors="replace")
    if not line.strip():
        return
    try:
        commands.put(parse_command(line))
    except ProtocolError as exc:
        output.emit(reply_error(_request_id(line), str(exc)))


def _request_id(line: str) -> int | None:
    """Best effort: the id of a JSON request we could not accept, so the waiter gets its error."""
    import json

    try:
        obj = json.loads(line)
    except ValueError:
        return None
    req_id = obj.get("id") if isinstance(obj, dict) else None
    return req_id if isinstance(req_id, int) and not isinstance(req_id, bool) else None
