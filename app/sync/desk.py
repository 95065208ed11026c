"""A desk on a central PostgreSQL database: its local cache, outbox, replicator, listener and refresher.

The desk's services (calls, tickets, lookup, scripts) work on a local SQLite **cache** file that
holds what the operator may see of the central database; every write there also lands in the
**outbox** table of the same file in the same transaction (`recorder`).  Then:

* ``sync-replicator`` (`app.sync.replicator.Replicator`) applies the outbox to the central
  database, in order, retrying with backoff while it is unreachable;
* ``sync-listener`` (`app.sync.notify.ChangeListener`) LISTENs for changes any desk made and hands
  each one to the pull thread; after a reconnect it asks for a full incremental refresh;
* ``cache-pull`` (one thread, this module's executor) runs `app.sync.pull.CacheRefresher`: the
  first copy, incremental refreshes, the one row a notification names, and the ticket behind a
  conflict.  Central reads for the cache happen only there, so an unreachable central database
  never holds up the desk's own database worker.

`on_state`, `on_rows`, `on_conflict` and `on_refused` are called on those threads with frozen
values (`app.sync.notices`); the composition root turns them into Qt signals.
"""

from __future__ import annotations

import concurrent.futures
import logging
import sqlite3
import threading
from collections.abc import Callable, Collection
from contextlib import closing
from dataclasses import replace
from pathlib import Path

from sqlalchemy import text

from app.errors import DatabaseUnavailable
from app.private_files import private_sqlite
from app.storage.database import make_engine
from app.storage.migrate import current_revision, head_revision, upgrade
from app.sync.applier import Applier, Conflict
from app.sync.capture import OutboxRecorder
from app.sync.notices import ChangedRows, SyncState
from app.sync.notify import ChangeListener, ChangeNotice, libpq_conninfo
from app.sync.outbox import Change, Outbox
from app.sync.pull import CachedRow, CacheRefresher, last_refresh
from app.sync.replicator import Replicator, SyncStatus

log = logging.getLogger(__name__)

CENTRAL_CONNECT_TIMEOUT_S = 5

# The rows an unsent change touches (waiting, held or refused): the refresher must not overwrite
# those in the cache with the central database's older (or missing) version.  Tickets, calls and
# events by uid; an operator's state by ``operator:<id>`` (`app.sync.pull.operator_key`).
_PENDING_UIDS = text(
    "SELECT json_extract(payload, '$.uid'), json_extract(payload, '$.ticket_uid'), "
    "json_extract(payload, '$.call_uid'), "
    "CASE WHEN kind = 'operator_state' THEN 'operator:' || json_extract(payload, '$.operator_id') END "
    "FROM outbox WHERE state IN ('pending', 'failed')"
)


def _prepare_cache_file(path: Path) -> None:
    """Make the cache file exist at the newest schema without ever leaving a half-migrated one.

    SQLite runs some of the migrations' DDL outside a transaction, so a desk killed while
    migrating could leave a cache every later start trips over ("table ... already exists") —
    and an existing cache holds the outbox, which must survive an app upgrade.  So the schema is
    built or upgraded on a copy under a scratch name, which then replaces the file in one rename:
    killed before it, the old file (WAL checkpointed into it first) is still complete; after it,
    the new one is.  Nothing else has the cache open yet (the desk is starting).
    """
    if path.exists():
        engine = make_engine(f"sqlite:///{path}")
        try:
            if current_revision(engine) == head_revision():
                return
            with engine.connect() as conn:  # fold the WAL in: the copy and the rename see it all
                conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
        finally:
            engine.dispose()
    fresh = path.with_name(path.name + ".new")
    for leftover in (fresh, fresh.with_name(fresh.name + "-wal"), fresh.with_name(fresh.name + "-shm")):
        leftover.unlink(missing_ok=True)
    if path.exists():
        private_sqlite(fresh)
        with closing(sqlite3.connect(path)) as source, closing(sqlite3.connect(fresh)) as copy:
            source.backup(copy)
        log.info("upgrading this desk's cache %s (changes waiting in it are kept)", path.name)
    engine = make_engine(f"sqlite:///{fresh}")
    try:
        upgrade(engine)
    finally:
        engine.dispose()  # the last connection checkpoints the WAL into the file
    fresh.replace(path)


class DeskSync:
    """See the module docstring.  Build it, `prepare` the cache, `start`; `stop` at the end."""

    def __init__(
        self,
        central_url: str,
        cache_path: Path,
        *,
        on_state: Callable[[SyncState], None] | None = None,
        on_rows: Callable[[ChangedRows], None] | None = None,
        on_conflict: Callable[[str], None] | None = None,
        on_refused: Callable[[str], None] | None = None,
    ) -> None:
        self.central = make_engine(central_url, connect_args={"connect_timeout": CENTRAL_CONNECT_TIMEOUT_S})
        _prepare_cache_file(cache_path)
        self.cache = make_engine(f"sqlite:///{cache_path}")
        self.outbox = Outbox(cache_path)
        self.on_state = on_state
        self.on_rows = on_rows
        self.on_conflict = on_conflict
        self.on_refused = on_refused
        self.refresher = CacheRefresher(
            self.central, self.cache, pending_uids=self.pending_uids, sent=self.outbox
        )
        self.replicator = Replicator(
            self.outbox,
            Applier(self.central),
            on_status=self._on_replicator_status,
            on_conflict=self._on_replicator_conflict,
            on_refused=self._on_replicator_refused,
        )
        self.recorder = OutboxRecorder(on_commit=self.replicator.wake)
        self.listener = ChangeListener(
            libpq_conninfo(self.central.url),
            self._on_notice,
            on_resync=self._on_resync,
            on_connection=self._on_listener_connection,
        )
        self._pull = concurrent.futures.ThreadPoolExecutor(max_workers=1, thread_name_prefix="cache-pull")
        self._lock = threading.Lock()
        self._replicator_status = SyncStatus("online")
        self._listening = True  # until the listener says otherwise
        self._started = False

    # --- set-up (the composition root, before the window) -------------------------------------

    def has_cache(self) -> bool:
        """Whether this desk copied the central database before (it can start offline)."""
        return last_refresh(self.cache) is not None

    def prepare(self) -> None:
        """Make sure the cache can serve the desk: the first start copies the central database
        (blocking; it needs the central database), later starts refresh in the background.

        Raises:
            DatabaseUnavailable: first start and the central database cannot be reached.
        """
        if not self.has_cache():
            report = self.refresher.refresh()
            log.info("first copy of the central database: %s in %.1fs", report.rows, report.seconds)

    def start(self) -> None:
        self._started = True
        self.replicator.start()
        self.listener.start()
        self.pull(self._refresh)

    def stop(self) -> None:
        """Stop the threads (the outbox keeps what was not sent yet) and close the files."""
        if self._started:
            self.listener.stop()
            self.replicator.stop()
        self._pull.shutdown(wait=True, cancel_futures=True)
        self.outbox.close()
        self.central.dispose()
        self.cache.dispose()

    # --- any thread --------------------------------------------------------------------------

    def pending_uids(self) -> Collection[str]:
        with self.cache.connect() as conn:
            rows = conn.execute(_PENDING_UIDS).all()
        return {uid for row in rows for uid in row if uid}

    def pull(self, fn: Callable[[], object]) -> concurrent.futures.Future[object] | None:
        """Run `fn` on the pull thread (where every central read for the cache happens); None
        once the desk is stopping (a late notification: the next start refreshes anyway)."""
        try:
            return self._pull.submit(self._guarded, fn)
        except RuntimeError:
            log.debug("cache pull not scheduled: stopping")
            return None

    def state(self) -> SyncState:
        with self._lock:
            status, listening = self._replicator_status, self._listening
        counts = self.outbox.counts()
        if status.state == "catching_up":
            state = SyncState("catching_up", done=status.done, total=status.total)
        elif status.state == "offline" or not listening:
            state = SyncState("offline", error=status.error)
        else:
            state = SyncState("online")
        return replace(
            state,
            waiting=counts["pending"],
            conflicts=counts["conflict"],
            refused=counts["failed"],
            held=counts["held"],
        )

    # --- callbacks (replicator, listener and pull threads) -----------------------------------

    @staticmethod
    def _guarded(fn: Callable[[], object]) -> object:
        try:
            return fn()
        except DatabaseUnavailable as exc:
            log.info("cache refresh postponed: %s", exc)
        except Exception:
            log.exception("cache refresh failed")
        return None

    def _publish(self) -> None:
        if self.on_state is not None:
            self.on_state(self.state())

    def _on_replicator_status(self, status: SyncStatus) -> None:
        with self._lock:
            self._replicator_status = status
        self._publish()

    def _on_listener_connection(self, up: bool) -> None:
        with self._lock:
            self._listening = up
        self._publish()

    def _on_replicator_conflict(self, change: Change, conflict: Conflict) -> None:
        # The central database has theirs: bring it into the cache, then tell the operator.
        notice = ChangeNotice("tickets", "update", None, conflict.ticket_uid, conflict.current_version)

        def pull_theirs() -> None:
            row = self.refresher.apply_notice(notice)
            self._rows_changed([row] if row else [])
            if self.on_conflict is not None:
                self.on_conflict(change.key)
            self._publish()

        self.pull(pull_theirs)

    def _on_replicator_refused(self, change: Change, _error: str) -> None:
        if self.on_refused is not None:
            self.on_refused(change.key)

    def _on_notice(self, notice: ChangeNotice) -> None:
        self.pull(lambda: self._rows_changed([row] if (row := self.refresher.apply_notice(notice)) else []))

    def _on_resync(self) -> None:
        self.pull(self._refresh)

    def _refresh(self) -> None:
        report = self.refresher.refresh()
        if any(report.rows.values()):
            log.info("cache refreshed: %s", {k: v for k, v in report.rows.items() if v})
            if self.on_rows is not None:
                self.on_rows(ChangedRows(everything=True))

    def _rows_changed(self, rows: list[CachedRow]) -> None:
        if not rows or self.on_rows is None:
            return

        def ids(table: str) -> frozenset[int]:
            return frozenset(r.local_id for r in rows if r.table == table and r.local_id is not None)

        self.on_rows(
            ChangedRows(
                tickets=ids("tickets"),
                customers=ids("customers"),
                calls=ids("calls"),
                announcements=any(r.table == "announcements" for r in rows),
                operator_states=any(r.table == "operator_states" for r in rows),
            )
        )
