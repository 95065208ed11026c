"""The replicator: one worker thread that drains the outbox into the central database.

Thread model: `Replicator.start` starts a daemon thread named ``sync-replicator``; it alone calls
the `Applier`.  It sleeps on an event while the outbox is empty (woken by `wake`, which
`Outbox.on_append` calls after each durable append), drains changes in order, and while the
central database is unreachable retries the oldest change with exponential backoff (capped at
`max_backoff`).  Nothing is kept in memory that the outbox does not hold, so after a restart
(crash, SIGKILL) a new replicator simply carries on.

`on_status` is called on the replicator thread with a `SyncStatus` whenever the state changes
(and once per batch of up to 100 changes while catching up); marshal it to the GUI thread yourself (e.g. a
Qt signal).  Its ``text`` is what the status bar shows: ``online``, ``offline — N changes
waiting``, ``catching up i/N``.  `on_conflict` is called (same thread) with the `Change` and its
`Conflict` when a stale ticket update was set aside.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from app.sync.applier import Applier, Conflict, PermanentError, TransientError
from app.sync.outbox import Change, Outbox

log = logging.getLogger(__name__)

# Online, a burst smaller than this drains without a "catching up" flicker in the status bar.
CATCH_UP_FROM = 20


@dataclass(frozen=True)
class SyncStatus:
    """``state`` is ``online``, ``offline`` or ``catching_up``; ``done``/``total`` count the
    changes of the current catch-up, ``waiting`` the changes still pending."""

    state: str
    waiting: int = 0
    done: int = 0
    total: int = 0
    error: str | None = None

    @property
    def text(self) -> str:
        if self.state == "offline":
            return f"offline — {self.waiting} changes waiting"
        if self.state == "catching_up":
            return f"catching up {self.done}/{self.total}"
        return "online"


class Replicator:
    """Drains `outbox` through `applier` on its own thread (see the module docstring)."""

    def __init__(
        self,
        outbox: Outbox,
        applier: Applier,
        *,
        on_status: Callable[[SyncStatus], None] | None = None,
        on_conflict: Callable[[Change, Conflict], None] | None = None,
        min_backoff: float = 0.1,
        max_backoff: float = 2.0,
        batch: int = 100,
    ) -> None:
        self._outbox = outbox
        self._applier = applier
        self._on_status = on_status
        self._on_conflict = on_conflict
        self._min_backoff = min_backoff
        self._max_backoff = max_backoff
        self._batch = batch
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._idle = threading.Event()
        self._thread: threading.Thread | None = None
        self._status = SyncStatus("online")

    # --- any thread -----------------------------------------------------------------------------

    def start(self) -> None:
        if self._thread is not None:
            raise RuntimeError("The replicator is already running.")
        self._thread = threading.Thread(target=self._run, name="sync-replicator", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 30.0) -> None:
        """Stop after the change being applied (close the outbox only after this returns)."""
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout)
            if self._thread.is_alive():
                log.warning("the replicator did not stop within %.0fs", timeout)
            else:
                self._applier.close()
            self._thread = None

    def wake(self) -> None:
        """Something was appended: drain now (cheap; call it from any thread)."""
        self._idle.clear()
        self._wake.set()

    def pending_count(self) -> int:
        return self._outbox.pending_count()

    @property
    def status(self) -> SyncStatus:
        return self._status

    def wait_idle(self, timeout: float | None = None) -> bool:
        """Block until the outbox has been drained (True) or `timeout` passed (False)."""
        deadline = None if timeout is None else time.monotonic() + timeout
        while True:
            remaining = None if deadline is None else max(0.0, deadline - time.monotonic())
            if not self._idle.wait(remaining):
                return False
            if self._outbox.pending_count() == 0:
                return True
            self.wake()
            if deadline is not None and time.monotonic() >= deadline:
                return False

    # --- the replicator thread ------------------------------------------------------------------

    def _set_status(self, status: SyncStatus, *, force: bool = False) -> None:
        changed = (status.state, status.waiting) != (self._status.state, self._status.waiting)
        self._status = status
        if (changed or force) and self._on_status is not None:
            try:
                self._on_status(status)
            except Exception:
                log.exception("sync status callback failed")

    def _run(self) -> None:
        backoff = self._min_backoff
        while not self._stop.is_set():
            self._wake.clear()
            try:
                drained = self._drain()
            except TransientError as exc:
                waiting = self._outbox.pending_count()
                self._set_status(SyncStatus("offline", waiting=waiting, error=str(exc)))
                log.info(
                    "central database unreachable (%s); %d changes waiting, retry in %.1fs",
                    exc,
                    waiting,
                    backoff,
                )
                self._stop.wait(backoff)
                backoff = min(backoff * 2, self._max_backoff)
                continue
            except Exception:
                if self._stop.is_set():
                    break
                log.exception("replicator error; retrying")
                self._stop.wait(self._max_backoff)
                continue
            backoff = self._min_backoff
            if drained:
                self._set_status(SyncStatus("online"))
                self._idle.set()
                self._wake.wait()

    def _drain(self) -> bool:
        """Apply pending changes until none are left (True) or the stop flag is set (False).

        Several pending changes go in one transaction (`Applier.apply_many`); when one of them
        conflicts or is refused, that batch is applied change by change instead.
        """
        total = self._outbox.pending_count()
        done = 0
        catching_up = self._status.state != "online" or total >= CATCH_UP_FROM
        while not self._stop.is_set():
            changes = self._outbox.pending(self._batch)
            if not changes:
                return True
            if catching_up:
                total = max(total, done + len(changes))
                self._set_status(
                    SyncStatus("catching_up", waiting=total - done, done=done, total=total), force=True
                )
            if len(changes) > 1:
                try:
                    results = self._applier.apply_many(changes)
                except TransientError as exc:
                    self._outbox.mark_failed_attempt(changes[0].key, str(exc))
                    raise
                if results is not None:
                    self._outbox.mark_applied(c.key for c in changes)
                    done += len(changes)
                    continue
            applied: list[str] = []
            try:
                for change in changes:
                    if self._stop.is_set():
                        break
                    self._apply_one(change, applied)
                    done += 1
            finally:
                self._outbox.mark_applied(applied)
        return False

    def _apply_one(self, change: Change, applied: list[str]) -> None:
        try:
            result = self._applier.apply(change)
        except TransientError as exc:
            self._outbox.mark_applied(applied)
            applied.clear()
            self._outbox.mark_failed_attempt(change.key, str(exc))
            raise
        except PermanentError as exc:
            log.error("change %s (%s) refused by the central database: %s", change.key, change.kind, exc)
            self._outbox.mark_failed(change.key, str(exc))
            return
        if isinstance(result, Conflict):
            log.warning(
                "change %s: ticket %s changed meanwhile (v%d, expected v%d)",
                change.key,
                result.ticket_uid,
                result.current_version,
                result.expected_version,
            )
            self._outbox.mark_conflict(change.key, result.as_json())
            if self._on_conflict is not None:
                try:
                    self._on_conflict(change, result)
                except Exception:
                    log.exception("sync conflict callback failed")
            return
        applied.append(change.key)
