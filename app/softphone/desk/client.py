"""The window's side of the engine: spawn `frontline phone`, talk to it, restart it when it dies.

Runs on the window's asyncio loop (the Qt GUI thread under qasync, or plain asyncio in tests and
tools); never blocks it.  The UI turns `on_event` calls (or `events()`) into Qt signals.

    client = EngineClient(["--config", path])
    started = await client.start()           # the engine_started event
    reply = await client.request("dial", uri="sip:100@pbx")   # {"call": 3}
    async for event in client.events(): ...  # incoming_call, call_state, engine_died, ...
    await client.stop()

Supervision: when the engine exits without being asked to, pending requests fail with
`EngineUnavailable`, an ``engine_died`` event is delivered, and the engine is started again after a
backoff (`RestartBackoff`: 0.2 s, 0.5 s, 1 s, 2 s, then every 5 s; from 0.2 s again once an engine
has stayed up 10 s) with the same arguments, so it registers again by itself; ``engine_restarted``
follows.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import logging
import os
import signal
import sys
import time
from collections.abc import AsyncIterator, Callable, Mapping, Sequence
from typing import IO, Any

from app.config import SiteConfig
from app.errors import UserFacingError
from app.softphone import protocol
from app.softphone.desk import engine_log
from app.softphone.events import EngineDied, EngineRestarted, to_message

log = logging.getLogger(__name__)

EventCallback = Callable[[dict[str, Any]], None]
DEFAULT_BACKOFF = (0.2, 0.5, 1.0, 2.0, 5.0)
STABLE_S = 10.0  # an engine up this long was healthy: its death restarts from the first step
_LINE_LIMIT = 1 << 20
_QUEUE_MAX = 1000


class EngineUnavailable(UserFacingError):
    """The softphone engine is not running (died, restarting, or stopped)."""


class CommandFailed(UserFacingError):
    """The engine refused a command (no such call, not ringing...); the message says why."""


def engine_command() -> list[str]:
    """How to start the engine: this interpreter's `-m app.softphone`, or the frozen app's `phone`."""
    if getattr(sys, "frozen", False):
        return [sys.executable, "phone"]
    return [sys.executable, "-m", "app.softphone"]


def engine_args(site: SiteConfig) -> list[str]:
    """Engine options that reproduce the site file's [sip] table (for doctor and the window)."""
    sip = site.sip
    args: list[str] = []
    if site.source is not None:
        args += ["--config", str(site.source)]
    if sip.server:
        args += ["--server", f"{sip.server}:{sip.port}" if sip.port else sip.server]
    else:
        args.append("--p2p")
    args += ["--transport", sip.transport]
    if sip.username:
        args += ["--user", sip.username]
    if sip.display_name:
        args += ["--display-name", sip.display_name]
    if sip.listen:
        args += ["--listen", sip.listen]
    if sip.ca_file:
        args += ["--ca-file", sip.ca_file]
    if not sip.verify_tls:
        args.append("--no-verify-tls")
    args += ["--reg-timeout", str(sip.register_expires_s), "--reg-refresh", str(sip.register_refresh_s)]
    args += ["--keepalive", str(sip.keepalive_s)]
    return args


class RestartBackoff:
    """How long the supervisor waits before it starts a dead engine again.

    The first restart comes almost at once: the operator has no phone meanwhile.  An engine that
    dies again soon after starting waits one step longer each time, so a crash loop cannot spin,
    but never longer than the last step, so the phone comes back as soon as it can; one that stayed
    up `STABLE_S` seconds was healthy, and its death starts from the first step again.
    """

    def __init__(self, steps: Sequence[float] = DEFAULT_BACKOFF, stable_s: float = STABLE_S) -> None:
        self.steps = tuple(steps) or DEFAULT_BACKOFF
        self.stable_s = stable_s
        self.attempt = 0  # restarts tried since the last healthy engine

    def after_death(self, uptime_s: float) -> float:
        if uptime_s >= self.stable_s:
            self.attempt = 0
        return self.after_failed_start()

    def after_failed_start(self) -> float:
        delay = self.steps[min(self.attempt, len(self.steps) - 1)]
        self.attempt += 1
        return delay


class EngineClient:
    def __init__(
        self,
        args: Sequence[str] = (),
        *,
        env: Mapping[str, str] | None = None,
        on_event: EventCallback | None = None,
        restart: bool = True,
        backoff: Sequence[float] = DEFAULT_BACKOFF,
        request_timeout: float = 5.0,
        stderr: IO[bytes] | int | None = None,
        command: Sequence[str] | None = None,
        queue_events: bool = True,
    ) -> None:
        """`queue_events`: keep events for `events()` / `wait_event` (the last `_QUEUE_MAX` unread);
        a client served by `on_event` alone (the window) passes False: nobody would read them."""
        self._argv = [*(command or engine_command()), *args]
        self._env = {**os.environ, **(env or {})}
        self._on_event = on_event
        self._restart = restart
        self._backoff = tuple(backoff) or DEFAULT_BACKOFF
        self._timeout = request_timeout
        self._stderr = stderr
        self._proc: asyncio.subprocess.Process | None = None
        self._pending: dict[int, asyncio.Future[dict[str, Any]]] = {}
        self._ids = itertools.count(1)
        # for `events()`/`wait_event`; bounded so a reader that falls behind cannot grow it
        self._queue: asyncio.Queue[dict[str, Any]] | None = (
            asyncio.Queue(maxsize=_QUEUE_MAX) if queue_events else None
        )
        self._started: asyncio.Future[dict[str, Any]] | None = None
        self._supervisor: asyncio.Task[None] | None = None
        self._stopping = False
        self.restarts = 0
        self.last_started: dict[str, Any] | None = None
        self.registration: dict[str, Any] | None = None

    # ---- lifecycle ---------------------------------------------------------------------------
    @property
    def pid(self) -> int | None:
        return self._proc.pid if self._proc is not None and self._proc.returncode is None else None

    @property
    def running(self) -> bool:
        return self.pid is not None

    async def start(self, timeout: float = 15.0) -> dict[str, Any]:
        """Start the engine and supervise it; returns its ``engine_started`` event."""
        if self._supervisor is not None:
            raise RuntimeError("already started")
        self._stopping = False
        started = await self._spawn(timeout)
        self._supervisor = asyncio.create_task(self._supervise(), name="softphone-supervisor")
        return started

    async def stop(self, timeout: float = 10.0) -> int | None:
        """Ask the engine to quit (hangs up calls, unregisters); kill it if it does not."""
        self._stopping = True
        if self._supervisor is not None:
            self._supervisor.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._supervisor
            self._supervisor = None
        proc = self._proc
        if proc is None:
            return None
        if proc.returncode is None:
            with contextlib.suppress(ConnectionError, RuntimeError):
                self._write(protocol.request(next(self._ids), "quit"))
                if proc.stdin is not None:
                    proc.stdin.close()
            try:
                await asyncio.wait_for(proc.wait(), timeout)
            except TimeoutError:
                log.warning("engine %s did not quit in %ss; killing it", proc.pid, timeout)
                proc.kill()
                await proc.wait()
        await self._reader_done()
        self._fail_pending("engine stopped")
        return proc.returncode

    async def _spawn(self, timeout: float) -> dict[str, Any]:
        loop = asyncio.get_running_loop()
        self._started = loop.create_future()
        self._proc = await asyncio.create_subprocess_exec(
            *self._argv,
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE if self._stderr is None else self._stderr,
            env=self._env,
            limit=_LINE_LIMIT,
        )
        self._reader = asyncio.create_task(self._read(self._proc), name="softphone-reader")
        if self._proc.stderr is not None:  # its log, into ours (`engine_log`)
            self._log_relay = asyncio.create_task(
                engine_log.relay(self._proc.pid, self._proc.stderr), name="softphone-log"
            )
        try:
            return await asyncio.wait_for(asyncio.shield(self._started), timeout)
        except EngineUnavailable:
            await self._proc.wait()
            await self._reader_done()
            raise
        except TimeoutError:
            raise EngineUnavailable(f"the softphone engine did not start within {timeout:g} s") from None

    async def _reader_done(self) -> None:
        for task in (getattr(self, "_reader", None), getattr(self, "_log_relay", None)):
            if task is not None:
                with contextlib.suppress(asyncio.CancelledError):
                    await task

    async def _supervise(self) -> None:
        backoff = RestartBackoff(self._backoff)
        while not self._stopping:
            proc = self._proc
            assert proc is not None
            began = time.monotonic()
            rc = await proc.wait()
            await self._reader_done()
            if self._stopping:
                return
            self._fail_pending("the softphone engine died")
            sig = signal.Signals(-rc).name if rc < 0 and -rc in signal.Signals._value2member_map_ else None
            log.error("softphone engine %s died (rc %s, signal %s)", proc.pid, rc, sig)
            self._deliver(to_message(EngineDied(pid=proc.pid, rc=rc, signal=sig, restarting=self._restart)))
            if not self._restart:
                return
            delay = backoff.after_death(time.monotonic() - began)
            while not self._stopping:
                await asyncio.sleep(delay)
                try:
                    started = await self._spawn(15.0)
                except (EngineUnavailable, OSError) as exc:
                    log.error("restarting the softphone engine failed: %s", exc)
                    if self._proc is not None and self._proc.returncode is None:
                        self._proc.kill()
                        await self._proc.wait()
                    delay = backoff.after_failed_start()
                    continue
                self.restarts += 1
                self._deliver(
                    to_message(
                        EngineRestarted(
                            pid=started.get("pid"), attempt=backoff.attempt, restarts=self.restarts
                        )
                    )
                )
                break

    # ---- traffic -----------------------------------------------------------------------------
    async def _read(self, proc: asyncio.subprocess.Process) -> None:
        assert proc.stdout is not None
        while True:
            try:
                line = await proc.stdout.readline()
            except (ValueError, asyncio.LimitOverrunError):
                log.error("engine wrote an over-long line; dropping it")
                continue
            if not line:
                return
            try:
                msg = protocol.decode_output(line.decode("utf-8"))
            except (ValueError, UnicodeDecodeError):
                log.warning("not a protocol line from the engine: %r", line[:200])
                continue
            if "reply" in msg:
                fut = self._pending.pop(msg["reply"], None) if msg["reply"] is not None else None
                if fut is not None and not fut.done():
                    fut.set_result(msg)
                continue
            if msg.get("event") == "engine_started":
                self.last_started = msg
                if self._started is not None and not self._started.done():
                    self._started.set_result(msg)
            elif (
                msg.get("event") == "engine_stopping"
                and self._started is not None
                and not self._started.done()
            ):
                why = msg.get("error") or msg.get("reason")
                self._started.set_exception(EngineUnavailable(f"the softphone engine could not start: {why}"))
            elif msg.get("event") == "registration_changed":
                self.registration = msg
            self._deliver(msg)

    def _deliver(self, msg: dict[str, Any]) -> None:
        if self._queue is not None:
            if self._queue.full():
                self._queue.get_nowait()  # the oldest unread event goes
            self._queue.put_nowait(msg)
        if self._on_event is not None:
            try:
                self._on_event(msg)
            except Exception:  # a UI slot must not kill the reader
                log.exception("event callback failed for %s", msg.get("event"))

    def _write(self, obj: dict[str, Any]) -> None:
        proc = self._proc
        if proc is None or proc.returncode is not None or proc.stdin is None or proc.stdin.is_closing():
            raise EngineUnavailable("the softphone engine is not running")
        proc.stdin.write(protocol.encode(obj).encode("utf-8") + b"\n")

    def _fail_pending(self, why: str) -> None:
        pending, self._pending = self._pending, {}
        for fut in pending.values():
            if not fut.done():
                fut.set_exception(EngineUnavailable(why))

    async def request(self, cmd: str, timeout: float | None = None, **args: Any) -> dict[str, Any]:
        """Send one command and await its reply's result; raises `CommandFailed` if refused."""
        req_id = next(self._ids)
        fut: asyncio.Future[dict[str, Any]] = asyncio.get_running_loop().create_future()
        self._pending[req_id] = fut
        try:
            self._write(protocol.request(req_id, cmd, **args))
            reply = await asyncio.wait_for(fut, timeout or self._timeout)
        finally:
            self._pending.pop(req_id, None)
        if not reply.get("ok"):
            raise CommandFailed(str(reply.get("error", "refused")))
        result = reply.get("result") or {}
        return dict(result)

    @property
    def unread_events(self) -> int:
        """Events kept for `events()` / `wait_event` and not read yet."""
        return self._queue.qsize() if self._queue is not None else 0

    def _events_queue(self) -> asyncio.Queue[dict[str, Any]]:
        if self._queue is None:
            raise RuntimeError("this client was made with queue_events=False: use on_event")
        return self._queue

    async def events(self) -> AsyncIterator[dict[str, Any]]:
        """Every event in order (one consumer); `engine_died`/`engine_restarted` included."""
        queue = self._events_queue()
        while True:
            yield await queue.get()

    async def wait_event(self, name: str, timeout: float = 10.0, **match: Any) -> dict[str, Any]:
        """Convenience for tools and tests: the next queued event `name` matching `match`."""

        queue = self._events_queue()

        async def find() -> dict[str, Any]:
            while True:
                msg = await queue.get()
                if msg.get("event") == name and all(msg.get(k) == v for k, v in match.items()):
                    return msg

        return await asyncio.wait_for(find(), timeout)
