"""The applier: exactly-once application by idempotency key, uids, optimistic version checks.

Every change is applied as a desk applies it: with the desk's own login, an operator and then a
shift lead (`desk_login`), row-level security forced; what arrived is read back with that login.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import Engine, TableClause, func, select, text

from app.sync import changes
from app.sync import tables as t
from app.sync.applier import Applier, Conflict, Outcome, PermanentError, TransientError
from app.sync.outbox import Change, Outbox
from tests.fixtures.central import CentralSite

pytestmark = pytest.mark.pg

NOW = datetime(2026, 11, 22, 9, 0, tzinfo=UTC)


def _count(engine: Engine, table: TableClause) -> int:
    with engine.connect() as conn:
        return int(conn.scalar(select(func.count()).select_from(table)) or 0)


def test_a_replayed_change_is_applied_once(
    central: Engine,
    outbox_factory: Callable[[str], Outbox],
    appliers: Callable[[Engine], Applier],
    me: int,
) -> None:
    box = outbox_factory("a")
    ringing = changes.call_ringing(
        direction="inbound", caller_number="+74951234567", ringing_at=NOW, operator_id=me
    )
    call_uid = ringing[1]["uid"]
    created = changes.ticket_created(number="A-1", at=NOW, call_uid=call_uid, created_by_id=me)
    box.append(*ringing)
    box.append(*changes.call_answered(call_uid, NOW))
    box.append(*created)
    box.append(*changes.ticket_event(created[1]["uid"], "comment", {"text": "hi"}, NOW))
    box.append(*changes.call_ended(call_uid, NOW, "answered", disposition="advice"))
    applier = appliers(central)
    pending = box.pending()
    assert [applier.apply(c) for c in pending] == [Outcome.APPLIED] * 5
    assert [applier.apply(c) for c in pending] == [Outcome.ALREADY_APPLIED] * 5  # the crash replay

    assert _count(central, t.calls) == 1
    assert _count(central, t.tickets) == 1
    assert _count(central, t.ticket_events) == 3  # created, call_link, comment
    assert _count(central, t.applied_changes) == 5
    with central.connect() as conn:
        call = conn.execute(select(t.calls).where(t.calls.c.uid == call_uid)).one()
        ticket = conn.execute(select(t.tickets).where(t.tickets.c.uid == created[1]["uid"])).one()
    assert call.answered_at == NOW
    assert call.outcome == "answered"
    assert call.ticket_id == ticket.id
    assert ticket.version == 1


def test_a_stale_ticket_update_is_a_conflict_and_writes_nothing(
    central: Engine,
    outbox_factory: Callable[[str], Outbox],
    appliers: Callable[[Engine], Applier],
    me: int,
) -> None:
    box = outbox_factory("a")
    created = changes.ticket_created(number="A-2", at=NOW, created_by_id=me)
    uid = created[1]["uid"]
    box.append(*created)
    box.append(
        *changes.ticket_saved(
            uid, expected_version=1, fields={"subject": "Desk A"}, at=NOW, events=[("field_change", {"x": 1})]
        )
    )
    box.append(*changes.ticket_saved(uid, expected_version=1, fields={"subject": "Desk B"}, at=NOW))
    applier = appliers(central)
    first, second, stale = box.pending()
    assert applier.apply(first) is Outcome.APPLIED
    assert applier.apply(second) is Outcome.APPLIED
    result = applier.apply(stale)
    assert isinstance(result, Conflict)
    assert result.expected_version == 1
    assert result.current_version == 2
    assert result.mine == {"subject": "Desk B"}
    assert result.theirs["subject"] == "Desk A"
    with central.connect() as conn:
        assert conn.scalar(select(t.tickets.c.subject).where(t.tickets.c.uid == uid)) == "Desk A"
        assert conn.scalar(select(func.count()).select_from(t.applied_changes)) == 2
    assert _count(central, t.ticket_events) == 2  # created + the first save's field_change


def test_a_change_the_database_refuses_is_permanent(
    central: Engine, outbox_factory: Callable[[str], Outbox], appliers: Callable[[Engine], Applier]
) -> None:
    box = outbox_factory("a")
    box.append(*changes.call_answered("no-such-call", NOW))
    with pytest.raises(PermanentError, match="no calls row"):
        appliers(central).apply(box.pending()[0])
    assert _count(central, t.applied_changes) == 0


def test_an_unreachable_database_is_transient(
    outbox_factory: Callable[[str], Outbox], appliers: Callable[[Engine], Applier]
) -> None:
    from app.storage.database import make_engine

    box = outbox_factory("a")
    box.append(*changes.call_answered("x", NOW))
    engine = make_engine("postgresql://nobody@127.0.0.1:1/none", connect_args={"connect_timeout": 2})
    try:
        with pytest.raises(TransientError):
            appliers(engine).apply(box.pending()[0])
    finally:
        engine.dispose()


def test_the_triggers_and_uid_indexes_exist(central: Engine) -> None:
    with central.connect() as conn:
        triggers = set(conn.scalars(text("SELECT tgname FROM pg_trigger WHERE tgname LIKE '%_notify'")).all())
        assert triggers == {
            "tickets_notify",
            "calls_notify",
            "announcements_notify",
            "operator_states_notify",
        }
        unique = conn.scalars(
            text("SELECT indexname FROM pg_indexes WHERE indexname LIKE '%_uid' AND indexdef LIKE '%UNIQUE%'")
        ).all()
        assert set(unique) == {"ix_calls_uid", "ix_tickets_uid", "ix_ticket_events_uid"}


def test_every_call_change_moves_updated_at(
    central: Engine,
    outbox_factory: Callable[[str], Outbox],
    appliers: Callable[[Engine], Applier],
    me: int,
) -> None:
    box = outbox_factory("a")
    ringing = changes.call_ringing(
        direction="inbound", caller_number="+74951234567", ringing_at=NOW, operator_id=me
    )
    uid = ringing[1]["uid"]
    box.append(*ringing)
    box.append(*changes.call_answered(uid, NOW))
    box.append(*changes.ticket_created(number="A-3", at=NOW, call_uid=uid, created_by_id=me))
    box.append(*changes.call_ended(uid, NOW, "answered"))
    applier = appliers(central)
    seen: list[datetime] = []
    for change in box.pending():
        assert applier.apply(change) is Outcome.APPLIED
        with central.connect() as conn:
            seen.append(conn.execute(select(t.calls.c.updated_at).where(t.calls.c.uid == uid)).scalar_one())
    assert seen == sorted(seen)
    assert seen[0] > NOW  # the central database's clock, not the desk's event time


def test_call_updates_ticket_saves_with_events_and_a_batch(
    central: Engine,
    outbox_factory: Callable[[str], Outbox],
    appliers: Callable[[Engine], Applier],
    me: int,
) -> None:
    box = outbox_factory("a")
    ringing = changes.call_ringing(
        direction="inbound", caller_number="+74951234567", ringing_at=NOW, operator_id=me
    )
    call_uid = ringing[1]["uid"]
    created = changes.ticket_created(number="A-4", at=NOW, created_by_id=me)
    ticket_uid = created[1]["uid"]
    saved = changes.ticket_saved(
        ticket_uid,
        expected_version=1,
        fields={"subject": "Router", "due_date": "2026-11-30", "description": "blinks"},
        at=NOW,
        events=[("field_change", {"n": 1}), ("status_change", {"n": 2})],
    )
    box.append_many([(*c, None) for c in (ringing, created, saved)])
    applier = appliers(central)
    assert applier.apply_many(box.pending()) == [Outcome.APPLIED] * 3
    assert applier.apply_many(box.pending()) == [Outcome.ALREADY_APPLIED] * 3
    with central.connect() as conn:
        ticket = conn.execute(select(t.tickets).where(t.tickets.c.uid == ticket_uid)).one()
        kinds = conn.execute(
            select(t.ticket_events.c.kind, t.ticket_events.c.payload)
            .where(t.ticket_events.c.ticket_id == ticket.id)
            .order_by(t.ticket_events.c.id)
        ).all()
    assert (ticket.subject, str(ticket.due_date), ticket.description, ticket.version) == (
        "Router",
        "2026-11-30",
        "blinks",
        2,
    )
    assert kinds == [
        ("created", {"number": "A-4", "status": "new"}),
        ("field_change", {"n": 1}),
        ("status_change", {"n": 2}),
    ]

    def key_of(change: changes.PendingChange) -> Change:
        return Change(0, str(uuid.uuid4()), change[0], change[1], NOW, 0, None)

    link = key_of(
        changes.call_updated(call_uid, disposition="advice", hold_seconds=30, ticket_uid=ticket_uid)
    )
    assert applier.apply(link) is Outcome.APPLIED
    with central.connect() as conn:
        call = conn.execute(select(t.calls).where(t.calls.c.uid == call_uid)).one()
    assert (call.disposition, call.hold_seconds, call.ticket_id) == ("advice", 30, ticket.id)
    assert (
        applier.apply(key_of(changes.call_updated(call_uid, ticket_uid=None, customer_id=None)))
        is Outcome.APPLIED
    )
    with central.connect() as conn:
        assert conn.execute(select(t.calls.c.ticket_id).where(t.calls.c.uid == call_uid)).scalar_one() is None

    keys_before = _count(central, t.applied_changes)
    with pytest.raises(PermanentError, match="no tickets row"):
        applier.apply(key_of(changes.call_updated(call_uid, ticket_uid="no-such-ticket")))
    with pytest.raises(PermanentError, match="no tickets row"):
        applier.apply(key_of(changes.ticket_event("no-such-ticket", "comment", {}, NOW)))
    with pytest.raises(PermanentError, match="no tickets row"):
        applier.apply(key_of(changes.ticket_saved("no-such-ticket", expected_version=1, fields={}, at=NOW)))
    # A batch with a stale save writes nothing at all, not even the good change before it.
    batch = [
        key_of(changes.call_answered(call_uid, NOW)),
        key_of(changes.ticket_saved(ticket_uid, expected_version=1, fields={"subject": "stale"}, at=NOW)),
    ]
    assert applier.apply_many(batch) is None
    assert _count(central, t.applied_changes) == keys_before
    with central.connect() as conn:
        assert (
            conn.execute(select(t.calls.c.answered_at).where(t.calls.c.uid == call_uid)).scalar_one() is None
        )


def test_a_save_may_change_every_form_field(
    central: Engine,
    outbox_factory: Callable[[str], Outbox],
    appliers: Callable[[Engine], Applier],
    me: int,
) -> None:
    box = outbox_factory("a")
    created = changes.ticket_created(number="A-5", at=NOW, created_by_id=me)
    uid = created[1]["uid"]
    fields: dict[str, object] = dict.fromkeys(t.TICKET_FIELDS)
    fields.update(status="in_progress", due_date="2026-12-01", subject="s", description="d", resolution="r")
    box.append(*created)
    box.append(*changes.ticket_saved(uid, expected_version=1, fields=fields, at=NOW))
    applier = appliers(central)
    assert [applier.apply(c) for c in box.pending()] == [Outcome.APPLIED] * 2
    with central.connect() as conn:
        row = conn.execute(select(t.tickets).where(t.tickets.c.uid == uid)).one()
    assert {name: row._mapping[name] for name in ("status", "subject", "resolution", "version")} == {
        "status": "in_progress",
        "subject": "s",
        "resolution": "r",
        "version": 2,
    }


def _a_call_with_everything(me: int) -> list[changes.PendingChange]:
    """Every kind of change a desk sends for one answered call, in the order it sends them."""
    ringing = changes.call_ringing(
        direction="inbound", caller_number="+74951234567", ringing_at=NOW, operator_id=me
    )
    call_uid = ringing[1]["uid"]
    created = changes.ticket_created(number="T-EVERY", at=NOW, call_uid=call_uid, created_by_id=me)
    ticket_uid = created[1]["uid"]
    return [
        ringing,
        changes.call_answered(call_uid, NOW, operator_id=me),
        created,
        changes.ticket_saved(
            ticket_uid,
            expected_version=1,
            fields={"subject": "No internet", "status": "in_progress"},
            at=NOW,
            updated_by_id=me,
            events=[("field_change", {"field": "subject"}), ("status_change", {"to": "in_progress"})],
        ),
        changes.ticket_event(ticket_uid, "comment", {"text": "rebooted"}, NOW, author_id=me),
        changes.call_updated(call_uid, disposition="advice", hold_seconds=30, ticket_uid=ticket_uid),
        changes.call_ended(call_uid, NOW, "answered"),
        changes.operator_state(operator_id=me, status="wrap_up", at=NOW, call_uid=call_uid),
    ]


def _what_arrived(engine: Engine) -> tuple[Any, list[str], Any]:
    """The ticket T-EVERY, its event kinds and its call, as `engine`'s login sees them."""
    with engine.connect() as conn:
        ticket = conn.execute(select(t.tickets).where(t.tickets.c.number == "T-EVERY")).one_or_none()
        if ticket is None:
            return None, [], None
        kinds = conn.scalars(
            select(t.ticket_events.c.kind)
            .where(t.ticket_events.c.ticket_id == ticket.id)
            .order_by(t.ticket_events.c.id)
        ).all()
        call = conn.execute(select(t.calls).where(t.calls.c.ticket_id == ticket.id)).one_or_none()
    return ticket, list(kinds), call


@pytest.mark.parametrize("batched", [False, True], ids=["one-by-one", "batched"])
def test_every_change_a_desk_sends_applies_under_its_own_login(
    central_site: CentralSite,
    desk_login: str,
    central: Engine,
    outbox_factory: Callable[[str], Outbox],
    appliers: Callable[[Engine], Applier],
    me: int,
    batched: bool,
) -> None:
    """The regression of issue 13: under an operator's own login a new ticket and everything after
    it was refused ("new row violates row-level security policy for table ticket_events")."""
    box = outbox_factory("a")
    box.append_many([(*c, None) for c in _a_call_with_everything(me)])
    applier = appliers(central)
    pending = box.pending()
    if batched:
        assert applier.apply_many(pending) == [Outcome.APPLIED] * len(pending)
    else:
        assert [applier.apply(c) for c in pending] == [Outcome.APPLIED] * len(pending)

    # The operator who took the call, a colleague and the shift lead of the department see it all.
    for who in dict.fromkeys((desk_login, "a2", "lead")):
        ticket, kinds, call = _what_arrived(central_site.engine(who))
        assert ticket is not None, who
        assert (ticket.subject, ticket.status, ticket.version, ticket.created_by_id) == (
            "No internet",
            "in_progress",
            2,
            me,
        )
        assert kinds == ["created", "call_link", "field_change", "status_change", "comment"], who
        assert call is not None
        assert (call.operator_id, call.outcome, call.disposition, call.hold_seconds) == (
            me,
            "answered",
            "advice",
            30,
        )
    # Another department's operator sees none of it: nothing was widened to make it arrive.
    assert _what_arrived(central_site.engine("b1")) == (None, [], None)
    with central_site.engine("lead").connect() as conn:
        state = conn.execute(select(t.operator_states).where(t.operator_states.c.operator_id == me)).one()
    assert state.status == "wrap_up"


def test_another_departments_desk_cannot_write_into_a_ticket_it_may_not_see(
    central_site: CentralSite,
    central: Engine,
    outbox_factory: Callable[[str], Outbox],
    appliers: Callable[[Engine], Applier],
    me: int,
) -> None:
    box = outbox_factory("a")
    box.append_many([(*c, None) for c in _a_call_with_everything(me)])
    assert appliers(central).apply_many(box.pending()) is not None
    with central.connect() as conn:
        ticket_uid = conn.scalar(select(t.tickets.c.uid).where(t.tickets.c.number == "T-EVERY"))
        call_uid = conn.scalar(select(t.calls.c.uid).where(t.calls.c.outcome == "answered"))
    assert ticket_uid is not None and call_uid is not None

    b1 = central_site.ids["b1"]
    intruder = appliers(central_site.engine("b1"))
    attempts = [
        changes.ticket_event(ticket_uid, "comment", {"text": "not mine"}, NOW, author_id=b1),
        changes.ticket_saved(ticket_uid, expected_version=2, fields={"subject": "taken"}, at=NOW),
        changes.call_updated(call_uid, disposition="taken"),
        changes.call_ended(call_uid, NOW, "missed"),
        changes.operator_state(operator_id=me, status="break", at=NOW),  # someone else's state
    ]
    for kind, payload in attempts:
        change = Change(0, str(uuid.uuid4()), kind, payload, NOW, 0, None)
        with pytest.raises(PermanentError):
            intruder.apply(change)
    ticket, kinds, call = _what_arrived(central_site.engine("lead"))
    assert (ticket.subject, len(kinds), call.disposition, call.outcome) == (
        "No internet",
        5,
        "advice",
        "answered",
    )
