"""Apply one outbox change to the central database, exactly once.

Runs on the `app.sync.replicator.Replicator` thread (blocking), connected as the operator's own
login: row-level security (migration 0003) decides what the change may touch, exactly as for any
other statement of that operator.

Most changes are applied by *one* SQL statement, in autocommit: one round trip to the server and
one implicit transaction.  Its first data-modifying CTE inserts the change's idempotency key into
``applied_changes`` (``ON CONFLICT DO NOTHING``); the writes that follow happen only when that
insert returned the key.  When the key is already there the change was applied before (a replay
after a crash or a lost acknowledgement) and nothing else is written.  When the change cannot
apply (a row it refers to is missing or invisible to this login, a stale version) the statement
aborts itself through ``frontline_sync_refuse`` (migration 0005) with a SQLSTATE of ours, which
undoes the key too.  Rows the desk creates carry the ``uid`` it generated, and later changes
refer to them by that uid.  PostgreSQL only: the central database is PostgreSQL (SQLite cannot
modify data in a CTE).

A change that *creates* a row and also writes rows whose policy looks that row up (a new ticket
and its ``created`` event: the ``ticket_events`` policy asks whether the ticket is visible) cannot
be one statement: every part of a statement sees the snapshot taken before it started, so the
policy's subquery does not see the ticket inserted beside it and PostgreSQL refuses the event
("new row violates row-level security policy").  Such a change is a short transaction instead:
the keyed statement first, then its follow-up statements (`_Plan.then`), which see what the first
one wrote.  The policies stay as strict as they are; only the order of the writes changed.

Payloads (JSON; datetimes as ISO 8601 with a zone, dates as ``YYYY-MM-DD``; ids are the central
database's reference-data ids the desk already knows):

* ``call_ringing``: uid, direction, caller_number, ringing_at; optional caller_name,
  dialled_number, line_id, operator_id, customer_id
* ``call_answered``: uid, at; optional operator_id
* ``call_ended``: uid, at, outcome; optional disposition, hold_seconds, end_reason,
  transferred_to (migration 0007)
* ``call_updated``: uid and any of customer_id, disposition, hold_seconds, ticket_uid (None:
  unlink the ticket)
* ``ticket_created``: uid, number, at, event_uid; optional customer_id, line_id, created_by_id,
  call_uid + link_event_uid (links the call and records the ``call_link`` event)
* ``ticket_saved``: uid, expected_version, fields (a subset of `tables.TICKET_FIELDS`), at;
  optional updated_by_id, events (list of {uid, kind, payload} written with the save).  Applied
  only when the stored version is still ``expected_version`` (then it becomes +1); otherwise
  nothing is written and `Conflict` is returned with both sides.
* ``ticket_event``: uid, ticket_uid, kind, at, payload; optional author_id (append-only: never
  conflicts)
* ``operator_state``: operator_id, status, at; optional reason, call_uid.  Upserts the operator's
  ``operator_states`` row unless it holds a state from later than ``at`` (then it is a no-op:
  the last state by time wins, whatever order the changes arrive in).

Every change to a call also sets ``calls.updated_at`` to the central database's clock
(``now()``, the start of the change's transaction).

Errors: `TransientError` (the database cannot be reached or the transaction was aborted: retry
later) and `PermanentError` (the database refused the change: retrying will not help).
"""

from __future__ import annotations

import enum
import json
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime
from typing import Any, TypeVar

from sqlalchemy import Connection, Engine, select
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError

from app.sync import tables as t
from app.sync.outbox import Change, ChangeKind

_T = TypeVar("_T")

# SQLSTATEs the statements raise through ``frontline_sync_refuse`` (migration 0005).
_NO_ROW = "FL404"  # a row the change refers to is missing (or not visible to this login)
_STALE = "FL409"  # a ticket update's expected version is not the stored one

# Every statement starts by recording the key; the rest is written only when it was new.
_KEY_CTE = """WITH k AS (
    INSERT INTO applied_changes (key, kind, applied_at)
    VALUES (%(change_key)s, %(change_kind)s, %(applied_at)s)
    ON CONFLICT (key) DO NOTHING RETURNING key
)"""
_NEW = "EXISTS (SELECT FROM k)"

# The refusal report of a change (migration 0008); a repeated refusal counts up.
_REPORT_REFUSAL = """
INSERT INTO sync_refusals (key, desk, operator_id, kind, subject, error, first_at, last_at, attempts)
VALUES (%(key)s, %(desk)s, frontline_current_operator_id(), %(kind)s, %(subject)s, %(error)s,
        %(at)s, %(at)s, 1)
ON CONFLICT (key) DO UPDATE
SET desk = excluded.desk, error = excluded.error, last_at = excluded.last_at,
    attempts = sync_refusals.attempts + 1
"""
_CLEAR_REFUSALS = "DELETE FROM sync_refusals WHERE key = ANY(%(keys)s)"

# Columns a call change may set from its payload, with their SQL types.
_CALL_ENDED_OPTIONAL = {
    "disposition": "varchar",
    "hold_seconds": "integer",
    "end_reason": "varchar",
    "transferred_to": "varchar",
}
_CALL_UPDATED_FIELDS = {"customer_id": "integer", "disposition": "varchar", "hold_seconds": "integer"}
_TICKET_FIELD_TYPES = {
    "customer_id": "integer",
    "line_id": "integer",
    "category_id": "integer",
    "complexity_id": "integer",
    "priority_id": "integer",
    "status": "varchar",
    "department_id": "integer",
    "assignee_id": "integer",
    "due_date": "date",
    "subject": "varchar",
    "description": "text",
    "resolution": "text",
}

# Each check is (condition, sqlstate, message key) and aborts the keyed statement when its
# condition holds for a new key.
_Check = tuple[str, str, str]


@dataclass(frozen=True)
class _Plan:
    """How one change is written: the CTEs after the key's, the checks of the final SELECT, the
    bound parameters, and `then`: statements run after it in the same transaction, only when the
    key was new (see the module docstring for why some changes need them)."""

    ctes: str
    checks: list[_Check]
    params: dict[str, Any]
    then: tuple[str, ...] = ()


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


class _Stale(Exception):
    """A ticket update's expected version is not the stored one (nothing was written)."""


def _ts(value: str) -> datetime:
    parsed = datetime.fromisoformat(value)
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def _jsonable(value: Any) -> Any:
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    return value


def _json(value: Any) -> str:
    return json.dumps(value)


def _statement(ctes: str, checks: Sequence[_Check]) -> str:
    """The whole statement: the key's CTE, `ctes`, and a SELECT that is true for a new key, false
    for a replay, and aborts the statement when one of `checks` fails."""
    cases = "".join(
        f"\n        WHEN {condition} THEN frontline_sync_refuse('{state}', %({message})s)"
        for condition, state, message in checks
    )
    return f"{_KEY_CTE}{ctes}\nSELECT CASE WHEN NOT {_NEW} THEN false{cases}\n        ELSE true END"


class Applier:
    """Applies changes to one central PostgreSQL database (an engine from
    `app.storage.database.make_engine`).

    Not thread-safe: one thread (the replicator's) uses an `Applier`, which keeps one connection.
    """

    def __init__(self, engine: Engine, clock: Callable[[], datetime] = lambda: datetime.now(UTC)) -> None:
        self._engine = engine
        self._clock = clock
        self._conn: Connection | None = None
        self._handlers: dict[ChangeKind, Callable[[Mapping[str, Any]], _Plan]] = {
            ChangeKind.CALL_RINGING: self._call_ringing,
            ChangeKind.CALL_ANSWERED: self._call_answered,
            ChangeKind.CALL_ENDED: self._call_ended,
            ChangeKind.CALL_UPDATED: self._call_updated,
            ChangeKind.TICKET_CREATED: self._ticket_created,
            ChangeKind.TICKET_SAVED: self._ticket_saved,
            ChangeKind.TICKET_EVENT: self._ticket_event,
            ChangeKind.OPERATOR_STATE: self._operator_state,
        }

    def apply(self, change: Change) -> Outcome | Conflict:
        """Apply `change` in one statement, its own transaction (see the module docstring).

        Raises:
            TransientError: retry later.
            PermanentError: the change will never apply.
        """
        try:
            return self._run(change, lambda conn: self._apply_in(conn, change))
        except _Stale:
            return self._conflict(change)

    def apply_many(self, changes: Sequence[Change]) -> list[Outcome] | None:
        """Apply `changes` in order in *one* transaction (the fast path while catching up).

        Returns None, having written nothing, when one of them conflicts or is refused: apply
        them one by one with `apply` to find out which.

        Raises:
            TransientError: retry later (nothing was written).
        """

        def work(conn: Connection) -> list[Outcome]:
            with _transaction(conn):
                return [self._apply_in(conn, c, in_transaction=True) for c in changes]

        try:
            return self._run(changes[0], work)
        except (_Stale, PermanentError):
            return None

    def report_refusal(self, change: Change, error: str, desk: str) -> None:
        """Tell IT centrally that `change` was refused (``frontline admin sync-status``): one
        ``sync_refusals`` row per change, as the desk's own operator.

        Raises:
            TransientError, PermanentError: the report could not be written (it stays local).
        """
        params = {
            "key": change.key,
            "desk": desk[:200],
            "kind": change.kind.value,
            "subject": change.payload.get("ticket_uid") or change.payload.get("uid"),
            "error": error[:2000],
            "at": self._clock(),
        }
        self._run(change, lambda conn: conn.exec_driver_sql(_REPORT_REFUSAL, params))

    def clear_refusals(self, changes: Sequence[Change]) -> None:
        """The changes went through after all: remove their central refusal reports."""
        if changes:
            keys = [c.key for c in changes]
            self._run(changes[0], lambda conn: conn.exec_driver_sql(_CLEAR_REFUSALS, {"keys": keys}))

    def close(self) -> None:
        """Give the connection back (call from the thread that applies, or after it stopped)."""
        if self._conn is not None:
            with suppress(DBAPIError):
                self._conn.close()
            self._conn = None

    def _run(self, change: Change, work: Callable[[Connection], _T]) -> _T:
        """Run `work` on the kept autocommit connection.

        The connection is kept between changes (no pool checkout or ping per change).  When it
        turns out to be dead (the server restarted since), the work is retried once on a new
        connection: safe, because applying is idempotent by key.
        """
        for fresh in (self._conn is None, True):
            try:
                with self._translate_errors(change):
                    if self._conn is None:
                        self._conn = self._engine.connect().execution_options(isolation_level="AUTOCOMMIT")
                    return work(self._conn)
            except TransientError:
                self.close()
                if fresh:
                    raise
        raise AssertionError("unreachable")

    def _apply_in(self, conn: Connection, change: Change, *, in_transaction: bool = False) -> Outcome:
        """Write `change` on `conn` (autocommit); `in_transaction`: the caller opened one."""
        plan = self._handlers[change.kind](change.payload)
        params = dict(plan.params, change_key=change.key, change_kind=change.kind.value)
        params["applied_at"] = self._clock()
        if plan.then and not in_transaction:
            with _transaction(conn):
                return self._write(conn, plan, params)
        return self._write(conn, plan, params)

    @staticmethod
    def _write(conn: Connection, plan: _Plan, params: dict[str, Any]) -> Outcome:
        try:
            new = conn.exec_driver_sql(_statement(plan.ctes, plan.checks), params).scalar_one()
            if new:
                for statement in plan.then:
                    conn.exec_driver_sql(statement, params)
        except DBAPIError as exc:
            state = getattr(exc.orig, "sqlstate", None)
            if state == _STALE:
                raise _Stale from exc
            if state == _NO_ROW:
                raise PermanentError(_first_line(exc)) from exc
            raise
        return Outcome.APPLIED if new else Outcome.ALREADY_APPLIED

    def _conflict(self, change: Change) -> Conflict:
        """Both sides of a stale ``ticket_saved`` (read after the statement wrote nothing)."""
        p = change.payload

        def read(conn: Connection) -> Any:
            return conn.execute(
                select(
                    *(t.tickets.c[name] for name in t.TICKET_FIELDS),
                    t.tickets.c.version,
                    t.tickets.c.updated_by_id,
                    t.tickets.c.updated_at,
                ).where(t.tickets.c.uid == p["uid"])
            ).first()

        row = self._run(change, read)
        if row is None:
            raise PermanentError(f"no tickets row with uid {p['uid']}")
        return Conflict(
            ticket_uid=p["uid"],
            expected_version=int(p["expected_version"]),
            current_version=int(row.version),
            mine=dict(p["fields"]),
            theirs={key: _jsonable(value) for key, value in row._mapping.items()},
        )

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

    # --- calls --------------------------------------------------------------------------------

    @staticmethod
    def _call_ringing(p: Mapping[str, Any]) -> _Plan:
        ctes = """,
w AS (
    INSERT INTO calls (uid, direction, caller_number, caller_name, dialled_number, line_id, operator_id,
                       customer_id, ringing_at, hold_seconds, problem, updated_at)
    SELECT %(uid)s::varchar, %(direction)s::varchar, %(caller_number)s::varchar,
           %(caller_name)s::varchar, %(dialled_number)s::varchar, %(line_id)s::integer,
           %(operator_id)s::integer, %(customer_id)s::integer, %(ringing_at)s::timestamptz, 0, false, now()
    WHERE EXISTS (SELECT FROM k)
    ON CONFLICT (uid) DO NOTHING
)"""
        params = {
            "uid": p["uid"],
            "direction": p["direction"],
            "caller_number": p["caller_number"],
            "caller_name": p.get("caller_name"),
            "dialled_number": p.get("dialled_number"),
            "line_id": p.get("line_id"),
            "operator_id": p.get("operator_id"),
            "customer_id": p.get("customer_id"),
            "ringing_at": _ts(p["ringing_at"]),
        }
        return _Plan(ctes, [], params)

    @staticmethod
    def _update_call(
        p: Mapping[str, Any], sets: Sequence[str], params: dict[str, Any], ctes: str = ""
    ) -> _Plan:
        """Update the call `p["uid"]` with `sets` (SQL assignments); refused when there is none."""
        ctes += f""",
w AS (
    UPDATE calls SET {", ".join([*sets, "updated_at = now()"])}
    WHERE uid = %(uid)s AND EXISTS (SELECT FROM k)
    RETURNING id
)"""  # noqa: S608 - column names from a fixed list, values bound
        params.update(uid=p["uid"], no_call=f"no calls row with uid {p['uid']}")
        return _Plan(ctes, [("NOT EXISTS (SELECT FROM w)", _NO_ROW, "no_call")], params)

    def _call_answered(self, p: Mapping[str, Any]) -> _Plan:
        sets = ["answered_at = %(at)s::timestamptz"]
        params: dict[str, Any] = {"at": _ts(p["at"])}
        if p.get("operator_id") is not None:
            sets.append("operator_id = %(operator_id)s::integer")
            params["operator_id"] = p["operator_id"]
        return self._update_call(p, sets, params)

    def _call_ended(self, p: Mapping[str, Any]) -> _Plan:
        sets = ["ended_at = %(at)s::timestamptz", "outcome = %(outcome)s::varchar"]
        params: dict[str, Any] = {"at": _ts(p["at"]), "outcome": p["outcome"]}
        for name, sql_type in _CALL_ENDED_OPTIONAL.items():
            if name in p:
                sets.append(f"{name} = %({name})s::{sql_type}")
                params[name] = p[name]
        return self._update_call(p, sets, params)

    def _call_updated(self, p: Mapping[str, Any]) -> _Plan:
        sets = [
            f"{name} = %({name})s::{sql_type}" for name, sql_type in _CALL_UPDATED_FIELDS.items() if name in p
        ]
        params: dict[str, Any] = {name: p[name] for name in _CALL_UPDATED_FIELDS if name in p}
        if p.get("ticket_uid") is None:  # given as None: unlink the ticket; absent: leave it
            if "ticket_uid" in p:
                sets.append("ticket_id = NULL")
            if not sets:
                raise PermanentError("call_updated changes nothing")
            return self._update_call(p, sets, params)
        sets.append("ticket_id = (SELECT id FROM tk)")
        params.update(ticket_uid=p["ticket_uid"], no_ticket=f"no tickets row with uid {p['ticket_uid']}")
        plan = self._update_call(
            p, sets, params, ctes=",\ntk AS (SELECT id FROM tickets WHERE uid = %(ticket_uid)s)"
        )
        return replace(plan, checks=[("NOT EXISTS (SELECT FROM tk)", _NO_ROW, "no_ticket"), *plan.checks])

    # --- tickets ------------------------------------------------------------------------------

    @staticmethod
    def _ticket_created(p: Mapping[str, Any]) -> _Plan:
        params: dict[str, Any] = {
            "uid": p["uid"],
            "number": p["number"],
            "customer_id": p.get("customer_id"),
            "line_id": p.get("line_id"),
            "author": p.get("created_by_id"),
            "at": _ts(p["at"]),
            "event_uid": p["event_uid"],
            "created": _json({"number": p["number"], "status": "new"}),
        }
        ctes = """,
tk AS (
    INSERT INTO tickets (uid, number, customer_id, line_id, status, subject, created_by_id, updated_by_id,
                         created_at, updated_at, version)
    SELECT %(uid)s::varchar, %(number)s::varchar, %(customer_id)s::integer, %(line_id)s::integer, 'new', '',
           %(author)s::integer, %(author)s::integer, %(at)s::timestamptz, %(at)s::timestamptz, 1
    WHERE EXISTS (SELECT FROM k)
    RETURNING id
)"""
        # The events go in a follow-up statement: the ticket_events policy must see the ticket.
        events = """
    SELECT %(event_uid)s::varchar, t.id, 'created', %(author)s::integer, %(at)s::timestamptz,
           %(created)s::jsonb FROM tickets t WHERE t.uid = %(uid)s"""
        checks: list[_Check] = []
        if p.get("call_uid"):
            ctes += """,
c AS (
    UPDATE calls SET ticket_id = tk.id, updated_at = now() FROM tk WHERE calls.uid = %(call_uid)s
    RETURNING calls.id
)"""
            events += """
    UNION ALL
    SELECT %(link_event_uid)s::varchar, t.id, 'call_link', %(author)s::integer, %(at)s::timestamptz,
           jsonb_build_object('call_id', c.id)
    FROM tickets t JOIN calls c ON c.ticket_id = t.id WHERE t.uid = %(uid)s AND c.uid = %(call_uid)s"""
            params.update(
                call_uid=p["call_uid"],
                link_event_uid=p["link_event_uid"],
                no_call=f"no calls row with uid {p['call_uid']}",
            )
            checks.append(("NOT EXISTS (SELECT FROM c)", _NO_ROW, "no_call"))
        insert_events = f"""INSERT INTO ticket_events (uid, ticket_id, kind, author_id, at, payload){events}
ON CONFLICT (uid) DO NOTHING"""
        return _Plan(ctes, checks, params, then=(insert_events,))

    @staticmethod
    def _ticket_saved(p: Mapping[str, Any]) -> _Plan:
        fields: dict[str, Any] = dict(p["fields"])
        unknown = set(fields) - set(t.TICKET_FIELDS)
        if unknown:
            raise PermanentError(f"ticket_saved names unknown fields {sorted(unknown)}")
        if fields.get("due_date"):
            fields["due_date"] = date.fromisoformat(fields["due_date"])
        expected = int(p["expected_version"])
        events = [
            {"uid": e["uid"], "kind": e["kind"], "payload": e.get("payload")} for e in p.get("events", ())
        ]
        sets = [f"{name} = %(f_{name})s::{_TICKET_FIELD_TYPES[name]}" for name in fields]
        sets += [
            "updated_by_id = %(author)s::integer",
            "updated_at = %(at)s::timestamptz",
            "version = %(expected)s::integer + 1",
        ]
        params: dict[str, Any] = {f"f_{name}": value for name, value in fields.items()}
        params.update(
            uid=p["uid"],
            author=p.get("updated_by_id"),
            at=_ts(p["at"]),
            expected=expected,
            stale=f"ticket {p['uid']} is not at version {expected}",
        )
        ctes = f""",
tk AS (
    UPDATE tickets SET {", ".join(sets)}
    WHERE uid = %(uid)s AND version = %(expected)s::integer AND EXISTS (SELECT FROM k)
    RETURNING id
)"""  # noqa: S608 - column names from a fixed list, values bound
        if events:
            params["events"] = _json(events)
            ctes += """,
ev AS (
    INSERT INTO ticket_events (uid, ticket_id, kind, author_id, at, payload)
    SELECT e.item ->> 'uid', tk.id, e.item ->> 'kind', %(author)s::integer, %(at)s::timestamptz,
           e.item -> 'payload'
    FROM tk, jsonb_array_elements(%(events)s::jsonb) WITH ORDINALITY AS e(item, n)
    ORDER BY e.n
    ON CONFLICT (uid) DO NOTHING
)"""
        # Stale or missing: `apply` tells them apart afterwards (and reads the other side).
        return _Plan(ctes, [("NOT EXISTS (SELECT FROM tk)", _STALE, "stale")], params)

    @staticmethod
    def _ticket_event(p: Mapping[str, Any]) -> _Plan:
        params = {
            "uid": p["uid"],
            "ticket_uid": p["ticket_uid"],
            "kind": p["kind"],
            "author": p.get("author_id"),
            "at": _ts(p["at"]),
            "payload": _json(p.get("payload")),
            "no_ticket": f"no tickets row with uid {p['ticket_uid']}",
        }
        ctes = """,
tk AS (SELECT id FROM tickets WHERE uid = %(ticket_uid)s),
ev AS (
    INSERT INTO ticket_events (uid, ticket_id, kind, author_id, at, payload)
    SELECT %(uid)s::varchar, tk.id, %(kind)s::varchar, %(author)s::integer, %(at)s::timestamptz,
           %(payload)s::jsonb
    FROM tk WHERE EXISTS (SELECT FROM k)
    ON CONFLICT (uid) DO NOTHING
)"""
        return _Plan(ctes, [("NOT EXISTS (SELECT FROM tk)", _NO_ROW, "no_ticket")], params)

    # --- operator states ----------------------------------------------------------------------

    @staticmethod
    def _operator_state(p: Mapping[str, Any]) -> _Plan:
        params = {
            "operator_id": int(p["operator_id"]),
            "status": p["status"],
            "reason": p.get("reason"),
            "at": _ts(p["at"]),
            "call_uid": p.get("call_uid"),
        }
        # Last writer by time wins: an older change (a late replay) leaves the row alone.
        ctes = """,
w AS (
    INSERT INTO operator_states (operator_id, status, reason, since, call_uid, updated_at)
    SELECT %(operator_id)s::integer, %(status)s::varchar, %(reason)s::varchar, %(at)s::timestamptz,
           %(call_uid)s::varchar, now()
    WHERE EXISTS (SELECT FROM k)
    ON CONFLICT (operator_id) DO UPDATE
    SET status = excluded.status, reason = excluded.reason, since = excluded.since,
        call_uid = excluded.call_uid, updated_at = excluded.updated_at
    WHERE operator_states.since <= excluded.since
)"""
        return _Plan(ctes, [], params)


@contextmanager
def _transaction(conn: Connection) -> Iterator[None]:
    """An explicit transaction on the applier's autocommit connection."""
    conn.exec_driver_sql("BEGIN")
    try:
        yield
    except BaseException:
        with suppress(DBAPIError):
            conn.exec_driver_sql("ROLLBACK")
        raise
    conn.exec_driver_sql("COMMIT")


def _first_line(exc: BaseException) -> str:
    orig = getattr(exc, "orig", None)
    text = str(orig if orig is not None else exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__
