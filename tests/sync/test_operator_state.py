"""Operator states (migration 0005): upserted by the applier, last state by time wins, NOTIFY,
and row-level security checked with each operator's own login."""

from __future__ import annotations

import dataclasses
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import psycopg
import pytest
from sqlalchemy import Engine, select, text
from sqlalchemy.engine import URL

from app.storage.admin import add_operator
from app.storage.database import make_engine
from app.sync import changes
from app.sync import tables as t
from app.sync.applier import Applier, Outcome, PermanentError
from app.sync.notify import ChangeNotice, libpq_conninfo
from app.sync.outbox import Change
from tests.fixtures.logins import PASSWORD, OperatorLogins, drop_database_and_logins

pytestmark = pytest.mark.pg

NOW = datetime(2026, 11, 22, 9, 0, tzinfo=UTC)


def _change(operator_id: int, status: str, at: datetime, **extra: Any) -> Change:
    kind, payload = changes.operator_state(operator_id=operator_id, status=status, at=at, **extra)
    return Change(0, str(uuid.uuid4()), kind, payload, datetime.now(UTC), 0, None)


def _state(engine: Engine, operator_id: int) -> Any:
    with engine.connect() as conn:
        return conn.execute(
            select(t.operator_states).where(t.operator_states.c.operator_id == operator_id)
        ).first()


@dataclass
class Floor(OperatorLogins):
    """A migrated central database with operators a, b (department A) and lead; their logins."""

    ids: dict[str, int] = dataclasses.field(kw_only=True)


@pytest.fixture
def floor(pg_server: URL, central_url: URL, central: Engine) -> Iterator[Floor]:
    suffix = uuid.uuid4().hex[:8]  # login roles are cluster-wide: unique per test
    logins = {who: f"{who}_{suffix}" for who in ("a", "b", "lead")}
    roles = {"a": "operator", "b": "operator", "lead": "shift_lead"}
    try:
        for who, login in logins.items():
            add_operator(
                central,
                login=login,
                display_name=who.upper(),
                department="Dept A",
                role=roles[who],
                password=PASSWORD,
            )
        with central.connect() as conn:
            ids = {
                who: int(conn.scalar(text("SELECT id FROM operators WHERE login = :l"), {"l": login}))
                for who, login in logins.items()
            }
        yield Floor(url=central_url, ids=ids, logins=logins)
    finally:
        drop_database_and_logins(pg_server, str(central_url.database), logins.values())


def test_a_state_is_upserted_and_a_replay_is_a_no_op(
    floor: Floor, central: Engine, appliers: Callable[[Engine], Applier]
) -> None:
    applier = appliers(central)
    a = floor.ids["a"]
    on_call = _change(a, "on_call", NOW, call_uid="c-1")
    assert applier.apply(on_call) is Outcome.APPLIED
    row = _state(central, a)
    assert (row.status, row.since, row.call_uid, row.reason) == ("on_call", NOW, "c-1", None)
    written_at = row.updated_at

    on_break = _change(a, "break", NOW + timedelta(minutes=5), reason="lunch")
    assert applier.apply(on_break) is Outcome.APPLIED
    row = _state(central, a)
    assert (row.status, row.since, row.call_uid, row.reason) == (
        "break",
        NOW + timedelta(minutes=5),
        None,
        "lunch",
    )
    assert row.updated_at >= written_at

    assert applier.apply(on_call) is Outcome.ALREADY_APPLIED  # the crash replay of an older change
    assert applier.apply(on_break) is Outcome.ALREADY_APPLIED
    assert _state(central, a).status == "break"


def test_an_older_state_arriving_late_is_ignored(
    floor: Floor, central: Engine, appliers: Callable[[Engine], Applier]
) -> None:
    applier = appliers(central)
    a = floor.ids["a"]
    assert applier.apply(_change(a, "ready", NOW + timedelta(seconds=30))) is Outcome.APPLIED
    # Written earlier (another desk of the same operator, or offline), applied later: no error.
    assert applier.apply(_change(a, "wrap_up", NOW)) is Outcome.APPLIED
    row = _state(central, a)
    assert (row.status, row.since) == ("ready", NOW + timedelta(seconds=30))
    # The same moment is not older: it applies.
    assert applier.apply(_change(a, "break", NOW + timedelta(seconds=30), reason="coffee")) is Outcome.APPLIED
    assert _state(central, a).status == "break"


def test_a_state_change_is_notified_with_the_operator_id(
    floor: Floor, central: Engine, appliers: Callable[[Engine], Applier]
) -> None:
    with psycopg.connect(libpq_conninfo(floor.url), autocommit=True) as listener:
        listener.execute("LISTEN frontline_changes")
        appliers(central).apply(_change(floor.ids["a"], "ready", NOW))
        notices = [ChangeNotice.parse(n.payload) for n in listener.notifies(timeout=10, stop_after=1)]
    assert notices == [
        ChangeNotice(table="operator_states", op="insert", id=floor.ids["a"], uid=None, version=None)
    ]


def test_an_operator_writes_only_their_own_state_and_reads_the_floor(
    floor: Floor, appliers: Callable[[Engine], Applier]
) -> None:
    a, b = floor.ids["a"], floor.ids["b"]
    engine_a = make_engine(floor.url_of("a"))
    engine_b = make_engine(floor.url_of("b"))
    as_a, as_b = appliers(engine_a), appliers(engine_b)
    try:
        assert as_a.apply(_change(a, "ready", NOW)) is Outcome.APPLIED  # with A's own login
        # A cannot create B's row, nor (once B has one) overwrite it, through the applier...
        with pytest.raises(PermanentError, match="row-level security"):
            as_a.apply(_change(b, "break", NOW, reason="not mine to say"))
        assert as_b.apply(_change(b, "ready", NOW)) is Outcome.APPLIED
        with pytest.raises(PermanentError, match="row-level security"):
            as_a.apply(_change(b, "break", NOW + timedelta(minutes=1)))
        assert _state(engine_b, b).status == "ready"
        # A change that refers to a row this login cannot see is refused as such (the applier's
        # refusal helper is executable with an operator's grants).
        with pytest.raises(PermanentError, match="no tickets row"):
            as_a.apply(
                Change(0, str(uuid.uuid4()), *changes.ticket_event("nope", "comment", {}, NOW), NOW, 0, None)
            )
    finally:
        for applier in (as_a, as_b):
            applier.close()  # before the engines go: an applier keeps its connection
        engine_a.dispose()
        engine_b.dispose()

    # ...nor in raw SQL with their own credentials; but everyone on the floor reads every state.
    with floor.raw("a") as conn:
        with conn.cursor() as cur:
            cur.execute("UPDATE operator_states SET status = 'break' WHERE operator_id = %s", (b,))
            assert cur.rowcount == 0
            cur.execute("SELECT operator_id, status FROM operator_states ORDER BY operator_id")
            assert cur.fetchall() == sorted([(a, "ready"), (b, "ready")])
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute("DELETE FROM operator_states")
        with pytest.raises(psycopg.errors.InsufficientPrivilege, match="row-level security"):
            conn.execute(
                "INSERT INTO operator_states (operator_id, status, since, updated_at) VALUES (%s, 'ready', now(), now())",
                (floor.ids["lead"],),
            )
    with floor.raw("lead") as conn:
        assert conn.execute("SELECT count(*) FROM operator_states").fetchone() == (2,)
