"""Operator states (migration 0005): upserted by the applier, last state by time wins, NOTIFY,
and row-level security -- each desk applying with its operator's own login (`central_site`: a1 and
a2 of department A, their shift lead, b1 of department B), what arrived read back as the lead."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import psycopg
import pytest
from sqlalchemy import Engine, select

from app.sync import changes
from app.sync import tables as t
from app.sync.applier import Applier, Outcome, PermanentError
from app.sync.notify import ChangeNotice, libpq_conninfo
from app.sync.outbox import Change
from tests.fixtures.central import CentralSite

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


def test_a_state_is_upserted_and_a_replay_is_a_no_op(
    central_site: CentralSite, appliers: Callable[[Engine], Applier]
) -> None:
    applier = appliers(central_site.engine("a1"))  # a1's desk
    lead = central_site.engine("lead")  # the floor view
    a1 = central_site.ids["a1"]
    on_call = _change(a1, "on_call", NOW, call_uid="c-1")
    assert applier.apply(on_call) is Outcome.APPLIED
    row = _state(lead, a1)
    assert (row.status, row.since, row.call_uid, row.reason) == ("on_call", NOW, "c-1", None)
    written_at = row.updated_at

    on_break = _change(a1, "break", NOW + timedelta(minutes=5), reason="lunch")
    assert applier.apply(on_break) is Outcome.APPLIED
    row = _state(lead, a1)
    assert (row.status, row.since, row.call_uid, row.reason) == (
        "break",
        NOW + timedelta(minutes=5),
        None,
        "lunch",
    )
    assert row.updated_at >= written_at

    assert applier.apply(on_call) is Outcome.ALREADY_APPLIED  # the crash replay of an older change
    assert applier.apply(on_break) is Outcome.ALREADY_APPLIED
    assert _state(lead, a1).status == "break"


def test_an_older_state_arriving_late_is_ignored(
    central_site: CentralSite, appliers: Callable[[Engine], Applier]
) -> None:
    applier = appliers(central_site.engine("a1"))
    lead = central_site.engine("lead")
    a1 = central_site.ids["a1"]
    assert applier.apply(_change(a1, "ready", NOW + timedelta(seconds=30))) is Outcome.APPLIED
    # Written earlier (another desk of the same operator, or offline), applied later: no error.
    assert applier.apply(_change(a1, "wrap_up", NOW)) is Outcome.APPLIED
    row = _state(lead, a1)
    assert (row.status, row.since) == ("ready", NOW + timedelta(seconds=30))
    # The same moment is not older: it applies.
    assert (
        applier.apply(_change(a1, "break", NOW + timedelta(seconds=30), reason="coffee")) is Outcome.APPLIED
    )
    assert _state(lead, a1).status == "break"


def test_a_state_change_is_notified_with_the_operator_id(
    central_site: CentralSite, appliers: Callable[[Engine], Applier]
) -> None:
    a1 = central_site.ids["a1"]
    with psycopg.connect(libpq_conninfo(central_site.url_of("lead")), autocommit=True) as listener:
        listener.execute("LISTEN frontline_changes")
        appliers(central_site.engine("a1")).apply(_change(a1, "ready", NOW))
        notices = [ChangeNotice.parse(n.payload) for n in listener.notifies(timeout=10, stop_after=1)]
    assert notices == [ChangeNotice(table="operator_states", op="insert", id=a1, uid=None, version=None)]


def test_an_operator_writes_only_their_own_state_and_reads_the_floor(
    central_site: CentralSite, appliers: Callable[[Engine], Applier]
) -> None:
    a1, a2 = central_site.ids["a1"], central_site.ids["a2"]
    as_a1, as_a2 = appliers(central_site.engine("a1")), appliers(central_site.engine("a2"))
    assert as_a1.apply(_change(a1, "ready", NOW)) is Outcome.APPLIED  # with a1's own login
    # a1 cannot create a2's row, nor (once a2 has one) overwrite it, through the applier...
    with pytest.raises(PermanentError, match="row-level security"):
        as_a1.apply(_change(a2, "break", NOW, reason="not mine to say"))
    assert as_a2.apply(_change(a2, "ready", NOW)) is Outcome.APPLIED
    with pytest.raises(PermanentError, match="row-level security"):
        as_a1.apply(_change(a2, "break", NOW + timedelta(minutes=1)))
    assert _state(central_site.engine("a2"), a2).status == "ready"
    # A change that refers to a row this login cannot see is refused as such (the applier's
    # refusal helper is executable with an operator's grants).
    with pytest.raises(PermanentError, match="no tickets row"):
        as_a1.apply(
            Change(0, str(uuid.uuid4()), *changes.ticket_event("nope", "comment", {}, NOW), NOW, 0, None)
        )

    # ...nor in raw SQL with their own credentials; but everyone on the floor reads every state.
    with central_site.raw("a1") as conn:
        with conn.cursor() as cur:
            cur.execute("UPDATE operator_states SET status = 'break' WHERE operator_id = %s", (a2,))
            assert cur.rowcount == 0
            cur.execute("SELECT operator_id, status FROM operator_states ORDER BY operator_id")
            assert cur.fetchall() == sorted([(a1, "ready"), (a2, "ready")])
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute("DELETE FROM operator_states")
        with pytest.raises(psycopg.errors.InsufficientPrivilege, match="row-level security"):
            conn.execute(
                "INSERT INTO operator_states (operator_id, status, since, updated_at) VALUES (%s, 'ready', now(), now())",
                (central_site.ids["lead"],),
            )
    with central_site.raw("lead") as conn:
        assert conn.execute("SELECT count(*) FROM operator_states").fetchone() == (2,)
