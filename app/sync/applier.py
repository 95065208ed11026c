"""Apply one outbox change to the central database, exactly once.

Runs on the `app.sync.replicator.Replicator` thread (blocking).  Each change is one transaction
that first inserts its idempotency key into ``applied_changes`` (``ON CONFLICT DO NOTHING``): when
the key is already there the change was applied before (a replay after a crash or a lost
acknowledgement) and nothing else is written.  Rows the desk creates carry the ``uid`` it
generated, and later changes refer to them by that uid.

Payloads (JSON; datetimes as ISO 8601 with a zone, dates as ``YYYY-MM-DD``; ids are the central
database's reference-data ids the desk already knows):

* ``call_ringing``: uid, direction, caller_number, ringing_at; optional caller_name,
  dialled_number, line_id, operator_id, customer_id
* ``call_answered``: uid, at; optional operator_id
* ``call_ended``: uid, at, outcome; optional disposition, hold_seconds
* ``call_updated``: uid and any of customer_id, disposition, hold_seconds, ticket_uid
* ``ticket_created``: uid, number, at, event_uid; optional customer_id, line_id, created_by_id,
  call_uid + link_event_uid (links the call and records the ``call_link`` event)
* ``ticket_saved``: uid, expected_version, fields (a subset of `tables.TICKET_FIELDS`), at;
  optional updated_by_id, events (list of {uid, kind, payload} written with the save).  Applied
  only when the stored version is still ``expected_version`` (then it becomes +1); otherwise
  nothing is written and `Conflict` is returned with both sides.
* ``ticket_event``: uid, ticket_uid, kind, at, payload; optional author_id (append-only: never
  conflicts)

Errors: `TransientError` (the database cannot be reached or the transaction was aborted: retry
later) and `PermanentError` (the database refused the change: retrying will not help).
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any, TypeVar

from sqlalchemy import Connection, Engine, Insert, TableClause, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError

from app.sync import tables as t
from app.sync.outbox import Change, ChangeKind

_T = TypeVar("_T")


class Outcome(enum.StrEnum):
    APPLIED = "applied"
    ALREADY_APPLIED = "already_applied"


@dataclass(frozen=True)
class Conflict:
    """A stale ticket update, not applied.  `mine` is the desk's change (its ``fields``), `theirs`
    the ticket as stored now (the same fields, plus ``version``, ``updated_by_id``,
    ``updated_at``)."""

    ticket_uid: str
    expected_version: int
    current_version: int
    mine: dict[str, Any]
    theirs: dict[str, Any]

    def as_json(self) -> dict[str, Any]:
        return {
            "ticket_uid": self.ticket_uid,
            "expected_version": self.expected_version,
            "current_version": self.current_version,
            "mine": self.mine,
            "theirs": self.theirs,
        }


class TransientError(Exception):
    """The change could not be applied now (database unreachable, restarting, deadlock)."""


class PermanentError(Exception):
    """The central database refuses this change (a missing row, a constraint, a permission)."""


class _ConflictFound(Exception):
    def __init__(self, conflict: Conflict) -> None:
        super().__init__(conflict.ticket_uid)
        self.conflict = conflict


def _ts(value: str) -> datetime:
    parsed = datetime.fromisoformat(value)
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def _jsonable(value: Any) -> Any:
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    return value


class Applier:
    """Applies changes to one central database (an engine from `app.storage.database.make_engine`).

    Not thread-safe: one thread (the replicator's) uses an `Applier`, which keeps one connection.
    """

    def __init__(self, engine: Engine, clock: Callable[[], datetime] = lambda: datetime.now(UTC)) -> None:
        self._engine = engine
        self._clock = clock
        self._conn: Connection | None = None
        self._handlers: dict[ChangeKind, Callable[[Connection, Mapping[str, Any]], None]] = {
            ChangeKind.CALL_RINGING: self._call_ringing,
            ChangeKind.CALL_ANSWERED: self._call_answered,
            ChangeKind.CALL_ENDED: self._call_ended,
            ChangeKind.CALL_UPDATED: self._call_updated,
            ChangeKind.TICKET_CREATED: self._ticket_created,
            ChangeKind.TICKET_SAVED: self._ticket_saved,
            ChangeKind.TICKET_EVENT: self._ticket_event,
        }

    def apply(self, change: Change) -> Outcome | Conflict:
        """Apply `change` in one transaction (see the module docstring).

        Raises:
            TransientError: retry later.
            PermanentError: the change will never apply.
        """
        try:
            return self._in_transaction(change, lambda conn: self._apply_in(conn, change))
        except _ConflictFound as found:
            return found.conflict

    def apply_many(self, changes: Sequence[Change]) -> list[Outcome] | None:
        """Apply `changes` in order in *one* transaction (the fast path while catching up).

        Returns None, having written nothing, when one of them conflicts or is refused: apply
        them one by one with `apply` to find out which.

        Raises:
            TransientError: retry later (nothing was written).
        """
        try:
            return self._in_transaction(changes[0], lambda conn: [self._apply_in(conn, c) for c in changes])
        except (_ConflictFound, PermanentError):
            return None

    def close(self) -> None:
        """Give the connection back (call from the thread that applies, or after it stopped)."""
        if self._conn is not None:
            with suppress(DBAPIError):
                self._conn.close()
            self._conn = None

    def _in_transaction(self, change: Change, work: Callable[[Connection], _T]) -> _T:
        """Run `work` in a transaction on the kept connection.

        The connection is kept between changes (no pool checkout or ping per change).  When it
        turns out to be dead (the server restarted since), the work is retried once on a new
        connection: safe, because applying is idempotent by key.
        """
        for fresh in (self._conn is None, True):
            try:
                with self._translate_errors(change):
                    if self._conn is None:
                        self._conn = self._engine.connect()
                    with self._conn.begin():
                        return work(self._conn)
            except TransientError:
                self.close()
                if fresh:
                    raise
        raise AssertionError("unreachable")

    def _apply_in(self, conn: Connection, change: Change) -> Outcome:
        first = conn.execute(
            self._insert(t.applied_changes)
            .values(key=change.key, kind=change.kind.value, applied_at=self._clock())
            .on_conflict_do_nothing(index_elements=["key"])
            .returning(t.applied_changes.c.key)
        ).first()
        if first is None:
            return Outcome.ALREADY_APPLIED
        self._handlers[change.kind](conn, change.payload)
        return Outcome.APPLIED

    @staticmethod
    @contextmanager
    def _translate_errors(change: Change) -> Iterator[None]:
        try:
            yield
        except (OperationalError, InterfaceError) as exc:
            raise TransientError(_first_line(exc)) from exc
        except DBAPIError as exc:
            if exc.connection_invalidated:
                raise TransientError(_first_line(exc)) from exc
            raise PermanentError(_first_line(exc)) from exc
        except (KeyError, ValueError, TypeError) as exc:
            raise PermanentError(f"malformed {change.kind} change: {exc!r}") from exc

    # --- helpers ------------------------------------------------------------------------------

    def _insert(self, target: TableClause) -> Any:
        dialect = postgresql if self._engine.dialect.name == "postgresql" else sqlite
        insert: Insert = dialect.insert(target)
        return insert

    @staticmethod
    def _id_of(conn: Connection, target: TableClause, uid: str) -> int:
        row_id = conn.scalar(select(target.c.id).where(target.c.uid == uid))
        if row_id is None:
            raise PermanentError(f"no {target.name} row with uid {uid}")
        return int(row_id)

    @staticmethod
    def _update_call(conn: Connection, uid: str, values: Mapping[str, Any]) -> None:
        done = conn.execute(update(t.calls).where(t.calls.c.uid == uid).values(**values))
        if done.rowcount != 1:
            raise PermanentError(f"no calls row with uid {uid}")

    # --- calls --------------------------------------------------------------------------------

    def _call_ringing(self, conn: Connection, p: Mapping[str, Any]) -> None:
        conn.execute(
            self._insert(t.calls)
            .values(
                uid=p["uid"],
                direction=p["direction"],
                caller_number=p["caller_number"],
                caller_name=p.get("caller_name"),
                dialled_number=p.get("dialled_number"),
                line_id=p.get("line_id"),
                operator_id=p.get("operator_id"),
                customer_id=p.get("customer_id"),
                ringing_at=_ts(p["ringing_at"]),
                hold_seconds=0,
                problem=False,
            )
            .on_conflict_do_nothing(index_elements=["uid"])
        )

    def _call_answered(self, conn: Connection, p: Mapping[str, Any]) -> None:
        values: dict[str, Any] = {"answered_at": _ts(p["at"])}
        if p.get("operator_id") is not None:
            values["operator_id"] = p["operator_id"]
        self._update_call(conn, p["uid"], values)

    def _call_ended(self, conn: Connection, p: Mapping[str, Any]) -> None:
        values: dict[str, Any] = {"ended_at": _ts(p["at"]), "outcome": p["outcome"]}
        for name in ("disposition", "hold_seconds"):
            if name in p:
                values[name] = p[name]
        self._update_call(conn, p["uid"], values)

    def _call_updated(self, conn: Connection, p: Mapping[str, Any]) -> None:
        values = {name: p[name] for name in ("customer_id", "disposition", "hold_seconds") if name in p}
        if "ticket_uid" in p:
            values["ticket_id"] = self._id_of(conn, t.tickets, p["ticket_uid"])
        if not values:
            raise PermanentError("call_updated changes nothing")
        self._update_call(conn, p["uid"], values)

    # --- tickets ------------------------------------------------------------------------------

    def _ticket_created(self, conn: Connection, p: Mapping[str, Any]) -> None:
        at = _ts(p["at"])
        author = p.get("created_by_id")
        ticket_id = conn.scalar(
            self._insert(t.tickets)
            .values(
                uid=p["uid"],
                number=p["number"],
                customer_id=p.get("customer_id"),
                line_id=p.get("line_id"),
                status="new",
                subject="",
                created_by_id=author,
                updated_by_id=author,
                created_at=at,
                updated_at=at,
                version=1,
            )
            .returning(t.tickets.c.id)
        )
        events = [
            {
                "uid": p["event_uid"],
                "ticket_id": ticket_id,
                "kind": "created",
                "author_id": author,
                "at": at,
                "payload": {"number": p["number"], "status": "new"},
            }
        ]
        if p.get("call_uid"):
            call_id = conn.scalar(
                update(t.calls)
                .where(t.calls.c.uid == p["call_uid"])
                .values(ticket_id=ticket_id)
                .returning(t.calls.c.id)
            )
            if call_id is None:
                raise PermanentError(f"no calls row with uid {p['call_uid']}")
            events.append(
                {
                    "uid": p["link_event_uid"],
                    "ticket_id": ticket_id,
                    "kind": "call_link",
                    "author_id": author,
                    "at": at,
                    "payload": {"call_id": call_id},
                }
            )
        conn.execute(
            self._insert(t.ticket_events).values(events).on_conflict_do_nothing(index_elements=["uid"])
        )

    def _ticket_saved(self, conn: Connection, p: Mapping[str, Any]) -> None:
        fields: dict[str, Any] = dict(p["fields"])
        unknown = set(fields) - set(t.TICKET_FIELDS)
        if unknown:
            raise PermanentError(f"ticket_saved names unknown fields {sorted(unknown)}")
        values = dict(fields)
        if values.get("due_date"):
            values["due_date"] = date.fromisoformat(values["due_date"])
        at = _ts(p["at"])
        expected = int(p["expected_version"])
        ticket_id = conn.scalar(
            update(t.tickets)
            .where(t.tickets.c.uid == p["uid"], t.tickets.c.version == expected)
            .values(**values, updated_by_id=p.get("updated_by_id"), updated_at=at, version=expected + 1)
            .returning(t.tickets.c.id)
        )
        if ticket_id is None:
            row = conn.execute(
                select(
                    *(t.tickets.c[name] for name in t.TICKET_FIELDS),
                    t.tickets.c.version,
                    t.tickets.c.updated_by_id,
                    t.tickets.c.updated_at,
                ).where(t.tickets.c.uid == p["uid"])
            ).first()
            if row is None:
                raise PermanentError(f"no tickets row with uid {p['uid']}")
            theirs = {key: _jsonable(value) for key, value in row._mapping.items()}
            raise _ConflictFound(
                Conflict(
                    ticket_uid=p["uid"],
                    expected_version=expected,
                    current_version=int(row.version),
                    mine=fields,
                    theirs=theirs,
                )
            )
        for event in p.get("events", ()):
            self._event(
                conn,
                event["uid"],
                ticket_id=ticket_id,
                kind=event["kind"],
                author_id=p.get("updated_by_id"),
                at=at,
                payload=event.get("payload"),
            )

    def _ticket_event(self, conn: Connection, p: Mapping[str, Any]) -> None:
        ticket_id = self._id_of(conn, t.tickets, p["ticket_uid"])
        self._event(
            conn,
            p["uid"],
            ticket_id=ticket_id,
            kind=p["kind"],
            author_id=p.get("author_id"),
            at=_ts(p["at"]),
            payload=p.get("payload"),
        )

    def _event(
        self,
        conn: Connection,
        uid: str,
        *,
        ticket_id: int,
        kind: str,
        author_id: int | None,
        at: datetime,
        payload: Mapping[str, Any] | None,
    ) -> None:
        conn.execute(
            self._insert(t.ticket_events)
            .values(uid=uid, ticket_id=ticket_id, kind=kind, author_id=author_id, at=at, payload=payload)
            .on_conflict_do_nothing(index_elements=["uid"])
        )


def _first_line(exc: BaseException) -> str:
    orig = getattr(exc, "orig", None)
    text = str(orig if orig is not None else exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__
