"""Bring the central database into the desk's SQLite cache, incrementally.

On a central deployment every desk reads and writes a local SQLite cache with the same schema
(`app.storage.migrate.upgrade`); its own writes reach PostgreSQL through the outbox
(`app.sync.replicator`).  `CacheRefresher` is the other direction:

* **Reference data** (lines, line numbers, disposition lists, departments, operators, categories,
  complexity levels, priorities, field rules, scripts, announcements) keeps the central ids: every
  table is read whole (they are small) and only rows that differ are written; a row gone centrally
  is deleted unless something in the cache still refers to it.  ``operator_states`` (migration
  0005) likewise, keyed by ``operator_id``, when both databases have it.
* **Customers** and their phones keep the central ids too (the desk's outbox payloads carry them):
  incremental by ``customers.updated_at`` (re-reading `OVERLAP` before the watermark, writing only
  rows that differ, a customer's phones replaced when they differ), in batches of `BATCH`.
  Customers deleted centrally are noticed by count and removed unless referenced.
* **Tickets, calls, ticket events** get the cache's *own* ids (the desk creates rows there with
  autoincrement ids) and are matched by ``uid``; ``calls.ticket_id`` and ``ticket_events.ticket_id``
  are mapped through the ticket's uid.  Incremental by ``tickets.updated_at``, ``calls.updated_at``
  (migration 0005; without it `CentralSchemaOutdated` is raised after everything else was pulled)
  and the central ``ticket_events.id`` (append-only; `EVENT_ID_OVERLAP` ids are re-read and
  deduplicated by uid).  Central rows without a uid (older than migration 0005's backfill) are
  not copied.  The cache ticket keeps the central ``version`` (optimistic concurrency).
* A ticket or call whose uid `pending_uids()` names (the desk has unsent changes to it) is not
  overwritten: the outbox wins until it is applied or becomes a conflict.  Likewise an operator's
  state row while the desk has an unsent state of that operator (`operator_key`): neither
  overwritten nor deleted before the central database has it.  A row whose change was *sent*
  after the central read began (`SentChanges`: the read may predate it, and the outbox no
  longer has it) is kept back in the same way.  Such rows are
  remembered (``deferred.*`` in the watermark table) and fetched again by the next `refresh`.

Watermarks live in the cache file, in ``sync_watermarks(name, value)`` (created here, not by
Alembic); ``refreshed_at`` there is when the last `refresh` completed (none: never copied).
`refresh` reads the central database in one REPEATABLE READ snapshot, so foreign keys between
what it copies hold; it sees only what row-level security lets the operator's own login see.
A failure (`DatabaseUnavailable` when either database cannot be used) leaves the cache
consistent: each batch is committed together with its watermark.

Thread model: blocking.  One worker thread of the window process (never the GUI thread) owns a
`CacheRefresher` and makes every call on it: `refresh` (at start, on a timer, after the
``sync-listener`` reconnects), `apply_notice` for each `ChangeNotice` the listener hands over
(e.g. through a queue) and `refresh_customer`.  It is not thread-safe.  It takes a central
connection per call and writes the cache in short ``BEGIN IMMEDIATE`` transactions, alongside
the desk's own database worker (WAL and the busy timeout come from `make_engine`).
`pending_uids` is called on this thread just before such a transaction; if another connection
committed to the cache in between, the transaction is restarted, so a desk change written with
its outbox entry is always seen as pending.  It must not wait for the cache's write lock.
"""

from __future__ import annotations

import json
import logging
import sqlite3
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Collection, Iterable, Iterator, Sequence
from contextlib import closing, contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol

from sqlalchemy import (
    ColumnElement,
    Connection,
    Engine,
    Enum,
    Select,
    String,
    TableClause,
    any_,
    bindparam,
    column,
    delete,
    func,
    insert,
    inspect,
    or_,
    select,
    table,
    update,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.types import DateTime, TypeEngine

from app.errors import UserFacingError
from app.storage.database import database_errors
from app.storage.schema import Base, UtcDateTime
from app.sync.notify import ChangeNotice

log = logging.getLogger(__name__)

# Parents before children: rows are inserted in this order and deleted in the reverse one.
REFERENCE_TABLES = (
    "departments",
    "lines",
    "line_numbers",
    "dispositions",
    "operators",
    "categories",
    "complexity_levels",
    "priorities",
    "field_rules",
    "scripts",
    "announcements",
)
UID_TABLES = ("tickets", "calls", "ticket_events")
ALL_TABLES = (*REFERENCE_TABLES, "customers", "customer_phones", *UID_TABLES, "operator_states")
# Foreign keys of the rows pulled by uid (and of operator states) to rows kept with central ids.
REFERENCES = {
    "tickets": {
        "customer_id": "customers",
        "line_id": "lines",
        "category_id": "categories",
        "complexity_id": "complexity_levels",
        "priority_id": "priorities",
        "department_id": "departments",
        "assignee_id": "operators",
        "created_by_id": "operators",
        "updated_by_id": "operators",
    },
    "calls": {"line_id": "lines", "operator_id": "operators", "customer_id": "customers"},
    "ticket_events": {"author_id": "operators"},
    "operator_states": {"operator_id": "operators"},
}

# ``updated_at`` comes from the central database's clock (migration 0006 stamps customers and
# tickets, the applier calls), but a transaction may commit after one that started later: rows
# this much older than the newest seen are read again (and written only when they differ).  The
# watermark never passes the central database's clock either, so a central database from before
# 0006, whose stamps came from the desks' clocks, cannot hide the changes of the others.
OVERLAP = timedelta(minutes=5)
EVENT_ID_OVERLAP = 500
BATCH = 5000
WATERMARKS = "sync_watermarks"
_PENDING_ATTEMPTS = 5


def last_refresh(cache: Engine) -> str | None:
    """When `cache` last completed a refresh (ISO 8601 text); None when it never did (no first
    copy yet)."""
    with cache.connect() as conn:
        if not inspect(conn).has_table(WATERMARKS):
            return None
        return CacheRefresher._get_mark(conn, "refreshed_at")


class SentChanges(Protocol):
    """What the desk's outbox sent lately (`app.sync.outbox.Outbox`)."""

    def sent_mark(self) -> int: ...

    def sent_since(self, mark: int) -> Collection[str]: ...


class CentralSchemaOutdated(UserFacingError):
    """The central database lacks a migration the cache needs (``calls.updated_at``, 0005)."""


@dataclass(frozen=True)
class CachedRow:
    """A row that changed in the cache, so the UI can refresh what it shows."""

    table: str
    local_id: int | None  # the row's id in the cache (tickets/calls: the cache's own id)
    uid: str | None


@dataclass(frozen=True)
class RefreshReport:
    rows: dict[str, int]  # rows written per table (tables with none left out)
    seconds: float


Row = dict[str, Any]


def _portable(typ: TypeEngine[Any]) -> TypeEngine[Any]:
    """A type that reads the same Python value from PostgreSQL and SQLite."""
    if isinstance(typ, Enum):  # the stored string, whatever values this version knows
        return String(typ.length)
    if isinstance(typ, UtcDateTime):
        return typ
    if not type(typ).__module__.startswith("sqlalchemy.sql"):
        try:
            typ = typ.as_generic()
        except NotImplementedError:
            return typ
    return UtcDateTime() if isinstance(typ, DateTime) else typ


def _parents_first(rows: list[Row]) -> list[Row]:
    by_id = {r["id"]: r for r in rows}

    def depth(row: Row) -> int:
        n, parent = 0, row.get("parent_id")
        while parent in by_id and n <= len(by_id):
            n, parent = n + 1, by_id[parent].get("parent_id")
        return n

    return sorted(rows, key=depth)


def operator_key(operator_id: object) -> str:
    """How `pending_uids` names an operator whose state the desk has not sent yet."""
    return f"operator:{operator_id}"


def _read(conn: Connection, stmt: Select[Any]) -> list[Row]:
    result = conn.execute(stmt)
    keys = list(result.keys())
    return [dict(zip(keys, r, strict=True)) for r in result]


def _among(conn: Connection, col: ColumnElement[Any], values: Iterable[Any]) -> ColumnElement[bool]:
    """``col IN values`` with one bound parameter, however many values (an array on PostgreSQL,
    a JSON list on SQLite): long IN lists cost more to build and parse than to run."""
    listed = list(values)
    if conn.dialect.name == "postgresql":
        return col == any_(bindparam(None, listed, type_=postgresql.ARRAY(col.type)))
    return col.in_(select(column("value")).select_from(func.json_each(json.dumps(listed))))


def _batches(conn: Connection, stmt: Select[Any]) -> Iterator[list[Row]]:
    """`stmt`'s rows, `BATCH` at a time, from a server-side cursor closed even when the caller fails."""
    with closing(conn.execute(stmt.execution_options(yield_per=BATCH))) as result:
        keys = list(result.keys())
        for part in result.partitions():
            yield [dict(zip(keys, r, strict=True)) for r in part]


class CacheRefresher:
    """Pulls central rows into the desk's cache (see the module docstring)."""

    def __init__(
        self,
        central: Engine,
        cache: Engine,
        *,
        pending_uids: Callable[[], Collection[str]] = lambda: (),
        sent: SentChanges | None = None,
    ) -> None:
        self._central = central
        self._cache = cache
        self._pending_uids = pending_uids
        self._sent = sent
        self._sent_mark = 0  # `sent.sent_mark()` before the current central read began
        self._tables: dict[str, TableClause] = {}  # columns of both databases (+ central watermarks)
        self._cols: dict[str, list[str]] = {}  # the columns copied: those both databases have
        self._central_cols: dict[str, set[str]] = {}
        self._pending: frozenset[str] = frozenset()  # read by `_write(with_pending=True)`
        self._now = datetime.now(UTC)  # the central clock when the current refresh began

    # --- the interface --------------------------------------------------------------------------

    def refresh(self) -> RefreshReport:
        """Pull what changed since the stored watermarks; the first call copies everything.

        Raises:
            DatabaseUnavailable: a database cannot be used now (what was committed stays).
            CentralSchemaOutdated: the central database lacks migration 0005 (calls not pulled).
        """
        start = time.perf_counter()
        counts: Counter[str] = Counter()
        with self._errors():
            self._prepare()
            self._note_sent_mark()
            with self._snapshot() as src:
                self._now = self._central_now(src)
                with self._write() as dst:
                    counts.update(self._sync_whole(src, dst, REFERENCE_TABLES))
                counts.update(self._refresh_customers(src))
                if "tickets" in self._tables:
                    counts.update(self._refresh_by_time(src, "tickets"))
                if "calls" in self._tables and "updated_at" in self._central_cols["calls"]:
                    counts.update(self._refresh_by_time(src, "calls"))
                if "ticket_events" in self._tables:
                    counts.update(self._refresh_events(src))
                with self._write(with_pending=True) as dst:
                    if "operator_states" in self._tables:
                        counts.update(self._sync_whole(src, dst, ("operator_states",)))
                    self._set_mark(dst, "refreshed_at", datetime.now(UTC).isoformat())
        rows = {name: n for name, n in counts.items() if n}
        seconds = time.perf_counter() - start
        log.info("cache refreshed in %.2fs: %s", seconds, rows or "nothing changed")
        if "calls" in self._tables and "updated_at" not in self._central_cols["calls"]:
            raise CentralSchemaOutdated(
                "The central database has no calls.updated_at (migration 0005): calls are not copied "
                "to this desk. Run `frontline admin migrate` on it."
            )
        return RefreshReport(rows=rows, seconds=seconds)

    def apply_notice(self, notice: ChangeNotice) -> CachedRow | None:
        """Pull the row a NOTIFY names into the cache; what changed there, or None.

        A ticket brings its new events along.  Raises `DatabaseUnavailable`.
        """
        with self._errors():
            self._prepare()
            self._note_sent_mark()
            if notice.table not in self._tables:
                return None
            with self._central.connect() as src, src.begin():
                if notice.table in ("tickets", "calls"):
                    return self._notice_by_uid(src, notice)
                if notice.table == "operator_states":  # 0005 notifies the operator id as ``id``
                    return self._notice_operator_state(src, notice.id)
                if notice.table == "customers" and notice.id is not None:
                    return self._pull_customers(src, [notice.id])
                if notice.table in REFERENCE_TABLES and notice.id is not None:
                    tc = self._tables[notice.table]
                    rows = _read(src, self._select(notice.table).where(tc.c.id == notice.id))
                    with self._write() as dst:
                        upserted = self._upsert(dst, notice.table, "id", rows)
                    return CachedRow(notice.table, notice.id, None) if upserted else None
        return None

    def refresh_customer(self, customer_id: int) -> None:
        """Pull one customer and their phones (after the desk created it on the central database)."""
        with self._errors():
            self._prepare()
            with self._central.connect() as src, src.begin():
                self._pull_customers(src, [customer_id])

    # --- plumbing -------------------------------------------------------------------------------

    @contextmanager
    def _errors(self) -> Iterator[None]:
        try:
            yield
        except DBAPIError as exc:
            engine = self._cache if isinstance(exc.orig, sqlite3.Error) else self._central
            with database_errors(engine):
                raise

    def _prepare(self) -> None:
        """Learn the columns both databases have (once) and create the watermark table."""
        if self._tables:
            return
        with self._cache.begin() as dst:
            dst.exec_driver_sql(
                f"CREATE TABLE IF NOT EXISTS {WATERMARKS} (name TEXT PRIMARY KEY, value TEXT)"
            )
        central, cache = inspect(self._central), inspect(self._cache)
        central_tables, cache_tables = set(central.get_table_names()), set(cache.get_table_names())
        tables: dict[str, TableClause] = {}
        for name in ALL_TABLES:
            if name not in central_tables or name not in cache_tables:
                continue
            central_cols = {c["name"] for c in central.get_columns(name)}
            known = Base.metadata.tables.get(name)
            columns = []
            for col in cache.get_columns(name):
                if col["name"] in central_cols:
                    known_col = known.c.get(col["name"]) if known is not None else None
                    columns.append(
                        column(col["name"], _portable(col["type"] if known_col is None else known_col.type))
                    )
            self._cols[name] = [c.name for c in columns]
            if "updated_at" in central_cols and "updated_at" not in self._cols[name]:
                columns.append(column("updated_at", UtcDateTime()))  # the watermark, not copied
            tables[name] = table(name, *columns)
            self._central_cols[name] = central_cols
        missing = {"customers", "customer_phones", "tickets"} - set(tables)
        if missing:
            raise RuntimeError(
                f"Tables {sorted(missing)} are missing from the central database or the cache."
            )
        self._tables = tables  # last: a failed attempt is made again next time

    @contextmanager
    def _snapshot(self) -> Iterator[Connection]:
        with self._central.connect() as src:
            if self._central.dialect.name == "postgresql":
                src.execution_options(isolation_level="REPEATABLE READ")
            with src.begin():
                yield src

    def _central_now(self, src: Connection) -> datetime:
        if self._central.dialect.name != "postgresql":
            return datetime.now(UTC)
        now = src.scalar(select(func.now()))
        return now.astimezone(UTC) if isinstance(now, datetime) else datetime.now(UTC)

    @contextmanager
    def _write(self, *, with_pending: bool = False) -> Iterator[Connection]:
        """One short cache transaction holding the write lock (``BEGIN IMMEDIATE``).

        `with_pending`: `pending_uids` is read just before; when another connection committed in
        between (a desk save and its outbox entry, perhaps), it is read again.
        """
        with self._cache.connect() as dst:
            for attempt in range(_PENDING_ATTEMPTS):
                before = dst.exec_driver_sql("PRAGMA data_version").scalar() if with_pending else None
                self._pending = frozenset(self._kept_back()) if with_pending else frozenset()
                dst.exec_driver_sql("BEGIN IMMEDIATE")
                if not with_pending or attempt == _PENDING_ATTEMPTS - 1:
                    break
                if dst.exec_driver_sql("PRAGMA data_version").scalar() == before:
                    break
                dst.rollback()
            try:
                yield dst
            except BaseException:
                dst.rollback()
                raise
            dst.commit()

    def _note_sent_mark(self) -> None:
        self._sent_mark = self._sent.sent_mark() if self._sent is not None else 0

    def _kept_back(self) -> set[str]:
        """The rows the write must leave as the cache has them: those of the desk's unsent
        changes, and of those sent since the central read began (the read may predate them)."""
        kept = set(self._pending_uids())
        if self._sent is not None:
            kept.update(self._sent.sent_since(self._sent_mark))
        return kept

    def _select(self, name: str) -> Select[Any]:
        tc = self._tables[name]
        return select(*(tc.c[c] for c in self._cols[name]))

    @staticmethod
    def _get_mark(conn: Connection, name: str) -> str | None:
        value = conn.exec_driver_sql(f"SELECT value FROM {WATERMARKS} WHERE name = ?", (name,)).scalar()  # noqa: S608
        return None if value is None else str(value)

    @staticmethod
    def _set_mark(conn: Connection, name: str, value: str) -> None:
        conn.exec_driver_sql(
            f"INSERT INTO {WATERMARKS} (name, value) VALUES (?, ?)"  # noqa: S608 - a constant name
            " ON CONFLICT (name) DO UPDATE SET value = excluded.value",
            (name, value),
        )

    def _marks(self, name: str) -> str | None:
        with self._cache.connect() as conn:
            return self._get_mark(conn, name)

    def _existing(self, dst: Connection, name: str, key: str, values: Collection[Any]) -> set[Any]:
        tc = self._tables[name]
        return set(dst.scalars(select(tc.c[key]).where(_among(dst, tc.c[key], list(values)))))

    # --- rows with central ids ----------------------------------------------------------------

    def _upsert(self, dst: Connection, name: str, key: str, rows: list[Row]) -> int:
        """Insert or update `rows` (central values) where they differ from the cache's."""
        if not rows:
            return 0
        tc = self._tables[name]
        cached = {
            r[key]: r
            for r in _read(dst, self._select(name).where(_among(dst, tc.c[key], [r[key] for r in rows])))
        }
        new = [r for r in rows if r[key] not in cached]
        changed = [r for r in rows if r[key] in cached and cached[r[key]] != r]
        if name == "categories":
            new = _parents_first(new)
        if new:
            dst.execute(insert(tc), new)
        if changed:
            dst.execute(
                update(tc).where(tc.c[key] == bindparam("_key")), [{**r, "_key": r[key]} for r in changed]
            )
        return len(new) + len(changed)

    def _delete_unreferenced(self, dst: Connection, name: str, key: str, keys: Collection[Any]) -> int:
        """Delete rows gone centrally, keeping those the cache still refers to."""
        tc, done = self._tables[name], 0
        for value in keys:
            try:
                with dst.begin_nested():
                    dst.execute(delete(tc).where(tc.c[key] == value))
                done += 1
            except IntegrityError:
                log.debug("%s %s is gone centrally but still referenced in the cache: kept", name, value)
        return done

    def _sync_whole(self, src: Connection, dst: Connection, names: Sequence[str]) -> Counter[str]:
        """Make small tables equal to the central ones (see the module docstring)."""
        written: Counter[str] = Counter()
        present = [n for n in names if n in self._tables]
        central = {n: _read(src, self._select(n)) for n in present}
        keys = {n: "operator_id" if n == "operator_states" else "id" for n in present}
        if "operator_states" in central:  # this desk's unsent states stay as they are
            central["operator_states"] = [
                r for r in central["operator_states"] if operator_key(r["operator_id"]) not in self._pending
            ]
        for name in reversed(present):
            key = keys[name]
            kept = {r[key] for r in central[name]}
            cached = set(dst.scalars(select(self._tables[name].c[key])))
            gone = cached - kept
            if name == "operator_states":
                gone = {k for k in gone if operator_key(k) not in self._pending}
            written[name] += self._delete_unreferenced(dst, name, key, sorted(gone, reverse=True))
        for name in present:
            if name == "operator_states":
                self._ensure_references(src, dst, name, central[name])
            written[name] += self._upsert(dst, name, keys[name], central[name])
        return written

    def _write_customers(self, src: Connection, dst: Connection, rows: list[Row]) -> Counter[str]:
        """Upsert customers and replace the phones of those whose phones differ."""
        written: Counter[str] = Counter()
        if not rows:
            return written
        phones_t = self._tables["customer_phones"]
        ids = [r["id"] for r in rows]
        theirs: dict[int, list[Row]] = defaultdict(list)
        mine: dict[int, list[Row]] = defaultdict(list)
        order = (phones_t.c.customer_id, phones_t.c.id)
        for phone in _read(
            src,
            self._select("customer_phones").where(_among(src, phones_t.c.customer_id, ids)).order_by(*order),
        ):
            theirs[phone["customer_id"]].append(phone)
        for phone in _read(
            dst,
            self._select("customer_phones").where(_among(dst, phones_t.c.customer_id, ids)).order_by(*order),
        ):
            mine[phone["customer_id"]].append(phone)
        written["customers"] = self._upsert(dst, "customers", "id", rows)
        stale = [i for i in ids if theirs.get(i, []) != mine.get(i, [])]
        if stale:
            gone = dst.execute(delete(phones_t).where(_among(dst, phones_t.c.customer_id, stale))).rowcount
            fresh = [p for i in stale for p in theirs.get(i, [])]
            if fresh:
                # a phone row that moved from another customer keeps its central id
                stmt = sqlite.insert(phones_t)
                others = {c: stmt.excluded[c] for c in self._cols["customer_phones"] if c != "id"}
                dst.execute(stmt.on_conflict_do_update(index_elements=["id"], set_=others), fresh)
            written["customer_phones"] = max(gone or 0, 0) + len(fresh)
        return written

    def _pull_customers(self, src: Connection, ids: Collection[int]) -> CachedRow | None:
        rows = _read(
            src, self._select("customers").where(_among(src, self._tables["customers"].c.id, list(ids)))
        )
        with self._write() as dst:
            written = self._write_customers(src, dst, rows)
        if len(ids) == 1 and written.total():
            return CachedRow("customers", next(iter(ids)), None)
        return None

    def _refresh_customers(self, src: Connection) -> Counter[str]:
        customers = self._tables["customers"]
        written: Counter[str] = Counter()
        mark = self._marks("customers.updated_at")
        stmt = self._select("customers")
        if mark is not None:
            since = customers.c.updated_at >= datetime.fromisoformat(mark) - OVERLAP
            stmt = stmt.where(_among(src, customers.c.id, self._changed_customer_ids(src, since)))
        for rows in _batches(src, stmt.order_by(customers.c.updated_at, customers.c.id)):
            with self._write() as dst:
                written.update(self._write_customers(src, dst, rows))
                newest = min(max(r["updated_at"] for r in rows), self._now)
                if mark is None or newest > datetime.fromisoformat(mark):
                    mark = newest.isoformat()
                    self._set_mark(dst, "customers.updated_at", mark)
        # Deletions leave no row to find by time: compare counts, then ids.
        total = src.scalar(select(func.count()).select_from(customers)) or 0
        with self._cache.connect() as conn:
            cached = conn.scalar(select(func.count()).select_from(customers)) or 0
            local_ids = set(conn.scalars(select(customers.c.id))) if cached > total else set()
        if gone := local_ids - set(src.scalars(select(customers.c.id))) if local_ids else set():
            with self._write() as dst:
                written["customers"] += self._delete_unreferenced(dst, "customers", "id", sorted(gone))
        return written

    def _changed_customer_ids(self, src: Connection, since: ColumnElement[bool]) -> list[int]:
        """Ids in the re-read window whose stamp differs from the cache's: the window (`OVERLAP`)
        may hold a whole bulk import stamped at once, so compare (id, updated_at) first and read
        whole rows (and their phones) only for those that changed."""
        customers = self._tables["customers"]
        central = dict(src.execute(select(customers.c.id, customers.c.updated_at).where(since)).all())
        if not central:
            return []
        with self._cache.connect() as conn:
            cached = dict(
                conn.execute(
                    select(customers.c.id, customers.c.updated_at).where(
                        _among(conn, customers.c.id, list(central))
                    )
                ).all()
            )
        return [i for i, stamp in central.items() if cached.get(i) != stamp]

    def _ensure_references(self, src: Connection, dst: Connection, name: str, rows: list[Row]) -> None:
        """Pull the customers and reference rows `rows` refer to that the cache lacks; a reference
        the operator may not see becomes NULL (the cache's foreign keys are enforced)."""
        reloaded = False
        for col, target in REFERENCES.get(name, {}).items():
            if col not in self._cols[name] or target not in self._tables:
                continue
            ids = {r[col] for r in rows if r.get(col) is not None}
            missing = ids - self._existing(dst, target, "id", ids) if ids else set()
            if not missing:
                continue
            if target == "customers":
                customers = self._tables["customers"]
                self._write_customers(
                    src,
                    dst,
                    _read(src, self._select("customers").where(_among(src, customers.c.id, missing))),
                )
            elif not reloaded:
                self._sync_whole(src, dst, REFERENCE_TABLES)
                reloaded = True
            still = missing - self._existing(dst, target, "id", missing)
            if still:
                log.warning(
                    "%s refer to %s %s the cache cannot get: stored without", name, target, sorted(still)
                )
                for r in rows:
                    if r[col] in still:
                        r[col] = None

    # --- rows with the cache's own ids, matched by uid ---------------------------------------

    def _local_ids(self, dst: Connection, name: str, uids: Collection[str]) -> dict[str, int]:
        if not uids:
            return {}
        tc = self._tables[name]
        found = dst.execute(select(tc.c.uid, tc.c.id).where(_among(dst, tc.c.uid, list(uids))))
        return {row[0]: row[1] for row in found}

    def _map_tickets(self, src: Connection, dst: Connection, rows: list[Row]) -> None:
        """Replace each row's central ``ticket_id`` by the cache's id of the ticket (by uid)."""
        uids = {r["ticket_uid"] for r in rows if r.get("ticket_uid")}
        local = self._local_ids(dst, "tickets", uids)
        if missing := uids - set(local):
            tickets = self._tables["tickets"]
            central = _read(src, self._select("tickets").where(_among(src, tickets.c.uid, missing)))
            self._write_uid_rows(src, dst, "tickets", central)
            local = self._local_ids(dst, "tickets", uids)
        for r in rows:
            r["ticket_id"] = local.get(r.pop("ticket_uid") or "")

    def _uid_select(self, name: str) -> Select[Any]:
        if name == "tickets":
            return self._select(name)
        tc, tickets = self._tables[name], self._tables["tickets"].alias("t")
        stmt = self._select(name).add_columns(tickets.c.uid.label("ticket_uid"))
        on = tickets.c.id == tc.c.ticket_id
        return stmt.select_from(
            tc.join(tickets, on) if name == "ticket_events" else tc.outerjoin(tickets, on)
        )

    def _write_uid_rows(
        self, src: Connection, dst: Connection, name: str, rows: list[Row]
    ) -> list[CachedRow]:
        """Write central tickets or calls into the cache by uid; rows with pending uids that differ
        are deferred.  Returns the rows written."""
        rows = [r for r in rows if r.get("uid")]
        if not rows:
            return []
        if name == "calls":
            self._map_tickets(src, dst, rows)
        self._ensure_references(src, dst, name, rows)
        tc = self._tables[name]
        cols = [c for c in self._cols[name] if c != "id"]
        cached = {
            r["uid"]: r
            for r in _read(dst, self._select(name).where(_among(dst, tc.c.uid, [r["uid"] for r in rows])))
        }
        new: list[Row] = []
        changed: list[Row] = []
        deferred: list[str] = []
        for row in rows:
            values = {c: row[c] for c in cols}
            mine = cached.get(row["uid"])
            if mine is None:
                new.append(values)
            elif {c: mine[c] for c in cols} == values:
                continue
            elif row["uid"] in self._pending:
                deferred.append(row["uid"])
            else:
                changed.append({**values, "_id": mine["id"]})
        if new:
            dst.execute(insert(tc), new)
        if changed:
            dst.execute(update(tc).where(tc.c.id == bindparam("_id")), changed)
        if deferred:
            self._defer(dst, name, add=deferred)
        local = self._local_ids(dst, name, [r["uid"] for r in new])
        return [CachedRow(name, local.get(r["uid"]), r["uid"]) for r in new] + [
            CachedRow(name, r["_id"], r["uid"]) for r in changed
        ]

    def _defer(
        self, dst: Connection, name: str, *, add: Collection[str] = (), drop: Collection[str] = ()
    ) -> None:
        key = f"deferred.{name}"
        stored = set(json.loads(self._get_mark(dst, key) or "[]"))
        updated = (stored - set(drop)) | set(add)
        if updated != stored:
            self._set_mark(dst, key, json.dumps(sorted(updated)))

    def _refresh_by_time(self, src: Connection, name: str) -> Counter[str]:
        """Tickets or calls changed since the watermark (and those deferred before)."""
        tc = self._tables[name]
        written: Counter[str] = Counter()
        mark_name = f"{name}.updated_at"
        mark = self._marks(mark_name)
        retry: list[str] = json.loads(self._marks(f"deferred.{name}") or "[]")
        stmt = self._uid_select(name).where(tc.c.uid.is_not(None))
        if mark is not None:
            since = tc.c.updated_at >= datetime.fromisoformat(mark) - OVERLAP
            stmt = stmt.where(or_(since, _among(src, tc.c.uid, retry)) if retry else since)
        stmt = (
            stmt.add_columns(tc.c.updated_at.label("_changed"))
            if "updated_at" not in self._cols[name]
            else stmt
        )
        seen: set[str] = set()
        for rows in _batches(src, stmt.order_by(tc.c.updated_at, tc.c.id)):
            seen.update(r["uid"] for r in rows)
            newest = min(max(r.pop("_changed", None) or r["updated_at"] for r in rows), self._now)
            with self._write(with_pending=True) as dst:
                if retry:
                    self._defer(dst, name, drop=[r["uid"] for r in rows])
                written[name] += len(self._write_uid_rows(src, dst, name, rows))
                if mark is None or newest > datetime.fromisoformat(mark):
                    mark = newest.isoformat()
                    self._set_mark(dst, mark_name, mark)
        if unseen := set(retry) - seen:  # gone centrally, or no longer visible to this operator
            with self._write() as dst:
                self._defer(dst, name, drop=unseen)
        return written

    def _write_events(self, src: Connection, dst: Connection, rows: list[Row]) -> int:
        rows = [r for r in rows if r.get("uid")]
        if not rows:
            return 0
        known = self._existing(dst, "ticket_events", "uid", [r["uid"] for r in rows])
        rows = [r for r in rows if r["uid"] not in known]
        if not rows:
            return 0
        self._map_tickets(src, dst, rows)
        self._ensure_references(src, dst, "ticket_events", rows)
        new = [{c: r[c] for c in self._cols["ticket_events"] if c != "id"} for r in rows if r["ticket_id"]]
        if new:
            dst.execute(insert(self._tables["ticket_events"]), new)
        return len(new)

    def _refresh_events(self, src: Connection) -> Counter[str]:
        events = self._tables["ticket_events"]
        written: Counter[str] = Counter()
        mark = self._marks("ticket_events.id")
        stmt = self._uid_select("ticket_events").where(events.c.uid.is_not(None))
        if mark is not None:
            stmt = stmt.where(events.c.id > int(mark) - EVENT_ID_OVERLAP)
        for rows in _batches(src, stmt.order_by(events.c.id)):
            newest = max(r["id"] for r in rows)
            with self._write(with_pending=True) as dst:
                written["ticket_events"] += self._write_events(src, dst, rows)
                if mark is None or newest > int(mark):
                    mark = str(newest)
                    self._set_mark(dst, "ticket_events.id", mark)
        return written

    def _notice_by_uid(self, src: Connection, notice: ChangeNotice) -> CachedRow | None:
        name = notice.table
        tc = self._tables[name]
        if notice.uid is not None:
            where = tc.c.uid == notice.uid
        elif notice.id is not None:
            where = tc.c.id == notice.id
        else:
            return None
        rows = _read(src, self._uid_select(name).where(where))
        if not rows:
            return None  # not visible to this operator, or without a uid
        central_id, uid = rows[0]["id"], rows[0]["uid"]
        with self._write(with_pending=True) as dst:
            written = self._write_uid_rows(src, dst, name, rows)
            events = 0
            if name == "tickets" and "ticket_events" in self._tables:
                ev = self._tables["ticket_events"]
                stmt = self._uid_select("ticket_events").where(
                    ev.c.ticket_id == central_id, ev.c.uid.is_not(None)
                )
                events = self._write_events(src, dst, _read(src, stmt))
            local = self._local_ids(dst, name, [uid]).get(uid)
        return CachedRow(name, local, uid) if written or events else None

    def _notice_operator_state(self, src: Connection, operator_id: int | None) -> CachedRow | None:
        with self._write(with_pending=True) as dst:
            if operator_id is None:
                written = self._sync_whole(src, dst, ("operator_states",)).total()
            elif operator_key(operator_id) in self._pending:
                written = 0  # this desk's own state, not sent yet: the outbox wins
            else:
                states = self._tables["operator_states"]
                rows = _read(src, self._select("operator_states").where(states.c.operator_id == operator_id))
                self._ensure_references(src, dst, "operator_states", rows)
                written = self._upsert(dst, "operator_states", "operator_id", rows)
        return CachedRow("operator_states", operator_id, None) if written else None
