"""Test helper: the engine as a real child process, driven through its stdin/stdout protocol.

A reader thread collects every stdout line; tests wait for events and replies with timeouts.
"""

from __future__ import annotations

import itertools
import json
import os
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

from app.softphone.events import parse_event
from app.softphone.protocol import ProtocolError

REPO = Path(__file__).resolve().parents[2]


class EngineProcess:
    def __init__(self, args: list[str], log_path: Path, env: dict[str, str] | None = None) -> None:
        self.log_path = log_path
        self._log = log_path.open("wb")
        full_env = {**os.environ, "PYTHONPATH": str(REPO), **(env or {})}
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "app.softphone", *args],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=self._log,
            env=full_env,
            cwd=str(log_path.parent),
        )
        self.messages: list[dict[str, Any]] = []
        self.raw_lines: list[str] = []
        self.schema_errors: list[str] = []
        self._cond = threading.Condition()
        self._cursor: dict[str, int] = {}
        self._ids = itertools.count(1)
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()
        self.started = self.wait_event("engine_started", timeout=15)

    def _read(self) -> None:
        assert self.proc.stdout is not None
        for raw in self.proc.stdout:
            line = raw.decode("utf-8")
            msg = json.loads(line)  # a non-JSON line fails the test here
            try:
                parse_event(msg, strict=True)  # every event matches its typed class exactly
            except ProtocolError as exc:
                self.schema_errors.append(str(exc))
            with self._cond:
                self.raw_lines.append(line)
                self.messages.append(msg)
                self._cond.notify_all()
        with self._cond:
            self._cond.notify_all()

    @property
    def udp_port(self) -> int:
        return int(self.started["transports"].get("udp", "0:0").rsplit(":", 1)[1])

    def address(self, kind: str = "udp") -> str:
        return str(self.started["transports"][kind])

    def connect_tcp(self, within_s: float = 10) -> socket.socket:
        """A TCP connection to the engine, retried while its listener is closed (it closes for a
        few seconds during a connection flood: gate.ConnectionGuard)."""
        host, port = self.address("tcp").rsplit(":", 1)
        deadline = time.monotonic() + within_s
        while True:
            try:
                return socket.create_connection((host, int(port)), timeout=5)
            except ConnectionRefusedError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.1)  # polling a socket: the listener comes back on its own schedule

    def _find(self, pred: Any, start: int) -> int | None:
        for i in range(start, len(self.messages)):
            if pred(self.messages[i]):
                return i
        return None

    def wait_for(self, pred: Any, timeout: float, what: str, start: int = 0) -> tuple[int, dict[str, Any]]:
        deadline = time.monotonic() + timeout
        with self._cond:
            while True:
                idx = self._find(pred, start)
                if idx is not None:
                    return idx, self.messages[idx]
                left = deadline - time.monotonic()
                if left <= 0 or (self.proc.poll() is not None and not self._reader.is_alive()):
                    raise AssertionError(
                        f"no {what} within {timeout}s; got {self.messages[start:]}\n{self.log_tail()}"
                    )
                self._cond.wait(min(left, 0.5))

    def wait_event(self, name: str, timeout: float = 10, **match: Any) -> dict[str, Any]:
        """The next event `name` (after the last one returned) whose fields equal `match`."""

        def pred(m: dict[str, Any]) -> bool:
            return m.get("event") == name and all(m.get(k) == v for k, v in match.items())

        key = name + repr(sorted(match.items()))
        idx, msg = self.wait_for(pred, timeout, f"event {name} {match}", self._cursor.get(key, 0))
        self._cursor[key] = idx + 1
        return msg

    def events(self, name: str) -> list[dict[str, Any]]:
        with self._cond:
            return [m for m in self.messages if m.get("event") == name]

    def send(self, line: str) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.write(line.encode("utf-8") + b"\n")
        self.proc.stdin.flush()

    def request(self, cmd: str, timeout: float = 10, **args: Any) -> dict[str, Any]:
        req_id = next(self._ids)
        self.send(json.dumps({"v": 1, "id": req_id, "cmd": cmd, **args}))
        _, reply = self.wait_for(lambda m: m.get("reply") == req_id, timeout, f"reply to {cmd}")
        return reply

    def ok(self, cmd: str, timeout: float = 10, **args: Any) -> dict[str, Any]:
        reply = self.request(cmd, timeout, **args)
        assert reply["ok"], reply
        return dict(reply["result"])

    def log_tail(self, n: int = 40) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-n:])
        except OSError:
            return ""

    def stop(self, timeout: float = 15) -> int:
        if self.proc.poll() is None:
            try:
                self.send("quit")
                if self.proc.stdin is not None:
                    self.proc.stdin.close()
            except (BrokenPipeError, OSError):
                pass
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self._reader.join(5)
        for stream in (self.proc.stdin, self.proc.stdout):
            if stream is not None and not stream.closed:
                stream.close()
        self._log.close()
        broken = self.thread_rules_broken()
        assert not broken, f"the engine broke a thread rule (app/thread_rules.py):\n{broken[0]}"
        return int(self.proc.returncode)

    def thread_rules_broken(self) -> list[str]:
        """Log lines where the engine broke a thread rule (pjsua2 off the SIP thread): raised as
        ThreadRuleBroken under the test run's FRONTLINE_THREAD_RULES=raise, on whatever thread."""
        try:
            lines = self.log_path.read_text(errors="replace").splitlines()
        except OSError:
            return []
        return [line for line in lines if "ThreadRuleBroken" in line or "thread rule broken" in line]
