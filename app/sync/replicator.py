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

A change the central database refuses (`PermanentError`: a row-level security policy, a
constraint, a column the central schema does not have yet) is never dropped and never counted as
sent: the outbox keeps it as refused and holds the later changes of the same ticket or call
behind it; `on_refused` (same thread) says so the first time, and the refusal is reported
centrally (``sync_refusals``, listed by ``frontline admin sync-status``) so IT sees it without
visiting the desk.  Refused changes are tried again when the replicator starts and every
`retry_refused_every` seconds — after IT migrated the database or fixed the login's rights they
go through in their original order, and their central reports are removed.
"""

from __future__ import annotations

import getpass
import logging
import platform
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from app.sync.applier import Applier, Conflict, PermanentError, TransientError
from app.sync.outbox import Change, Outbox

log = logging.getLogger(__name__)

# Online, a burst smaller than this drains without a "catching up" flicker in the status bar.
CATCH_UP_FROM = 20
RETRY_REFUSED_EVERY_S = 300.0


def this_desk() -> str:
    """How a refusal report names this desk for IT: ``user@host`` (one host may serve several
    desks, e.g. a terminal server)."""
    try:
        user = getpass.getuser()
    except (OSError, KeyError):
        user = "?"
    return f"{user}@{platform.node() or '?'}"


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
        on_refused: Callable[[Change, str], None] | None = None,
        min_backoff: float = 0.1,
        max_backoff: float = 2.0,
        batch: int = 100,
        retry_refused_every: float = RETRY_REFUSED_EVERY_S,
        desk: str | None = None,
    ) -> None:
        """`on_refused(change, error)`: a change was refused for the first time; `desk`: how
        refusal reports name this desk (default `this_desk`)."""
        self._outbox = outbox
        self._applier = applier
        self._on_status = on_status
        self._on_conflict = on_conflict
        self._on_refused = on_refused
        self._retry_refused_every = retry_refused_every
        self._desk = desk or this_desk()
        self._min_backoff = min_backoff
        self._max_backoff = max_backoff
        self._batch = batch
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._idle = threading.Event()
        self._thread: threading.Thread | None = None
        self._status = SyncStatus("online")
        self._retry_now = True  # a new start gives what was refused before another chance
        self._counts: dict[str, int] = {}  # the outbox's counts when it was last idle

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

    def retry_refused(self) -> None:
        """Try the refused changes again now (e.g. IT says the cause is fixed); any thread."""
        self._retry_now = True
        self.wake()

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
                if self._retry_now:
                    self._retry_now = False
                    if retried := self._outbox.retry_refused():
                        log.info("trying %d refused or held changes again", retried)
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
                # Held or refused counts may have changed without the state changing: say so.
                counts = self._outbox.counts()
                self._set_status(SyncStatus("online"), force=counts != self._counts)
                self._counts = counts
                self._idle.set()
                if not self._wake.wait(self._retry_refused_every if counts["failed"] else None):
                    self._retry_now = True

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
                    self._acknowledge(changes)
                    done += len(changes)
                    continue
            applied: list[Change] = []
            blocked: set[str] = set()  # rows of changes refused in this batch
            try:
                for change in changes:
                    if self._stop.is_set():
                        break
                    if change.subjects & blocked:
                        blocked |= change.subjects
                        self._outbox.hold([change.key])
                    elif not self._apply_one(change, applied):
                        blocked |= change.subjects
                    done += 1
            finally:
                self._acknowledge(applied)
        return False

    def _acknowledge(self, applied: Sequence[Change]) -> None:
        """Forget applied changes; remove the central reports of those once refused."""
        self._outbox.mark_applied(c.key for c in applied)
        once_refused = [c for c in applied if c.refusals]
        if once_refused:
            log.info("%d changes refused before went through now", len(once_refused))
            try:
                self._applier.clear_refusals(once_refused)
            except (TransientError, PermanentError) as exc:
                log.warning("could not remove the central refusal reports: %s", exc)
            self._set_status(self._status, force=True)  # the refused count changed

    def _apply_one(self, change: Change, applied: list[Change]) -> bool:
        """Apply `change`; False when the central database refused it (kept, held back)."""
        try:
            result = self._applier.apply(change)
        except TransientError as exc:
            self._acknowledge(applied)
            applied.clear()
            self._outbox.mark_failed_attempt(change.key, str(exc))
            raise
        except PermanentError as exc:
            self._refused(change, str(exc))
            return False
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
            return True
        applied.append(change)
        return True

    def _refused(self, change: Change, error: str) -> None:
        """Keep a refused change (and what depends on it) and tell the operator and IT."""
        self._outbox.mark_refused(change.key, error)
        if change.refusals:
            log.info("change %s (%s) refused again: %s", change.key, change.kind, error)
        else:
            log.error("change %s (%s) refused by the central database: %s", change.key, change.kind, error)
        try:
            self._applier.report_refusal(change, error, self._desk)
        except (TransientError, PermanentError) as exc:
            log.warning("could not report the refusal of %s centrally: %s", change.key, exc)
        if not change.refusals and self._on_refused is not None:
            try:
                self._on_refused(change, error)
            except Exception:
                log.exception("sync refusal callback failed")
        self._set_status(self._status, force=True)  # the refused count changed
