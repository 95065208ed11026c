"""Each call's record written in order, and written again until the database takes it.

The desk records a call in steps -- it rang, was answered, the caller was identified, held, it
ended, the operator picked a disposition -- each an await on the database worker (`CallPort`).
`CallJournal` chains one call's steps so they reach the database in that order (an "ended" never
overtakes a slow "ringing"), and retries a step the database could not take (`DatabaseUnavailable`:
the SQLite file locked past its busy timeout, unwritable, the disk full) after a growing pause,
for as long as the window lives.  A step that fails for any other reason (a bug, a refused value)
is reported once and not retried; the call's later steps still run.

The "ringing" row carries a uid chosen here, so a retry of a write that did commit finds the same
row (`CallService.ringing`) instead of adding a second one.  `drain` waits for what is still
unwritten when the window closes; whatever is left after its timeout is logged with the call's
details (caller, time, the steps missing) so IT can add it by hand.

Runs on the GUI thread's asyncio loop (no Qt here); the steps run on the database worker.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Sequence
from typing import Any, TypeVar

from app.errors import DatabaseUnavailable
from app.services.ports import CallPort
from app.sync.outbox import new_uid
from app.tickets.calls import CallRecord

log = logging.getLogger(__name__)

T = TypeVar("T")
RETRY_DELAYS_S = (0.5, 1.0, 2.0, 5.0, 10.0, 30.0)  # then every 30 s


class CallRecordFailed(Exception):
    """A step of a call's record could not be written and will not be retried; it was reported
    already (``on_failed``), so whoever awaited the step need not report it again."""


class JournalledCall:
    """One call's record: `record` is its ringing row once written; `then` queues the next step."""

    def __init__(self, journal: CallJournal, uid: str, summary: str) -> None:
        self._journal = journal
        self.uid = uid
        self.summary = summary  # who called and when, for the log if the record is lost
        self.record: asyncio.Task[CallRecord]
        self._last: asyncio.Task[Any]

    def then(self, what: str, step: Callable[[int], Awaitable[T]]) -> asyncio.Task[T]:
        """Write `step(call_id)` after every step queued before it (`what` names it in logs)."""
        previous = self._last
        task = self._journal._track(self, what, self._after(previous, what, step))
        self._last = task
        return task

    async def _after(self, previous: asyncio.Task[Any], what: str, step: Callable[[int], Awaitable[T]]) -> T:
        await asyncio.wait([previous])  # in order, whether the previous step worked or not
        if self.record.cancelled() or self.record.exception() is not None:
            raise CallRecordFailed(f"{what}: the call has no record")
        record_id = self.record.result().id
        return await self._journal._write(self, what, lambda: step(record_id))


class CallJournal:
    def __init__(
        self,
        calls: CallPort,
        *,
        on_delayed: Callable[[DatabaseUnavailable], None],
        on_caught_up: Callable[[], None],
        on_failed: Callable[[BaseException], None],
        delays: Sequence[float] = RETRY_DELAYS_S,
    ) -> None:
        """`on_delayed`: a step could not be written and will be tried again (once per wait);
        `on_caught_up`: every delayed step is written now; `on_failed`: a step failed for good."""
        self._calls = calls
        self._on_delayed = on_delayed
        self._on_caught_up = on_caught_up
        self._on_failed = on_failed
        self._delays = tuple(delays)
        self._pending: set[asyncio.Task[Any]] = set()
        self._waiting = 0  # steps currently waiting to be tried again

    def open(self, ringing: Callable[[str], Awaitable[CallRecord]], *, summary: str) -> JournalledCall:
        """Start a call's record with its "ringing" row: `ringing(uid)` writes it (e.g.
        ``CallPort.ringing(..., uid=uid)``); `summary` says who called when, for the log."""
        uid = new_uid()
        call = JournalledCall(self, uid, f"call {uid} ({summary})")
        call.record = self._track(call, "ringing", self._write(call, "ringing", lambda: ringing(uid)))
        call._last = call.record
        return call

    @property
    def pending(self) -> int:
        return len(self._pending)

    async def drain(self, timeout: float) -> int:
        """Wait up to `timeout` seconds for every queued step; returns how many could not be
        written, which are logged (with the call's details) and cancelled: the window is closing."""
        if self._pending:
            await asyncio.wait(set(self._pending), timeout=timeout)
        left = list(self._pending)
        for task in left:
            task.cancel()
        if left:
            log.error(
                "%d call record steps could not be written before the window closed: %s",
                len(left),
                "; ".join(sorted(task.get_name() for task in left)),
            )
        return len(left)

    def _track(self, call: JournalledCall, what: str, coro: Awaitable[T]) -> asyncio.Task[T]:
        task: asyncio.Task[T] = asyncio.ensure_future(coro)
        task.set_name(f"{call.summary}: {what}")
        self._pending.add(task)

        def done(finished: asyncio.Task[T]) -> None:
            self._pending.discard(finished)
            if not finished.cancelled():
                finished.exception()  # retrieved: reported through on_failed, or awaited by someone

        task.add_done_callback(done)
        return task

    async def _write(self, call: JournalledCall, what: str, attempt: Callable[[], Awaitable[T]]) -> T:
        tries = 0
        while True:
            try:
                result = await attempt()
            except DatabaseUnavailable as exc:
                delay = self._delays[min(tries, len(self._delays) - 1)]
                log.warning("%s: %s not written (%s); trying again in %.1f s", call.summary, what, exc, delay)
                if tries == 0:
                    self._waiting += 1
                    self._on_delayed(exc)
                tries += 1
                await asyncio.sleep(delay)
                continue
            except CallRecordFailed:
                raise
            except Exception as exc:
                log.error("%s: %s could not be written", call.summary, what, exc_info=exc)
                self._settle(tries)
                self._on_failed(exc)
                raise CallRecordFailed(f"{what}: {exc}") from exc
            except BaseException:
                self._settle(tries)
                raise
            self._settle(tries)
            if tries:
                log.info("%s: %s written after %d tries", call.summary, what, tries + 1)
            return result

    def _settle(self, tries: int) -> None:
        if tries:
            self._waiting -= 1
            if self._waiting == 0:
                self._on_caught_up()
