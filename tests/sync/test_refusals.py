"""A change the central database refuses is never shown as sent, never dropped, reported to IT,
and goes through in order once the cause is fixed.  Real PostgreSQL; the desk signs in as its
operator; IT's side (the grant, the listing) runs as the owner and the admin."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime

import pytest
from sqlalchemy import Engine, select, text

from app.cli import main as frontline
from app.sync import changes
from app.sync import tables as t
from app.sync.applier import Applier
from app.sync.outbox import Change, Outbox
from app.sync.replicator import Replicator
from tests.fixtures.central import CentralSite

pytestmark = pytest.mark.pg

NOW = datetime(2026, 11, 22, 9, 0, tzinfo=UTC)
WAIT_S = 30.0
DESK = "a1@desk-07"


@dataclass
class Desk:
    """An outbox and its replicator, signed in as a1; records what the replicator says."""

    outbox: Outbox
    replicator: Replicator | None = None
    refused: list[tuple[str, str]] = field(default_factory=list)
    _changed: threading.Condition = field(default_factory=threading.Condition)

    def notify(self, *_args: object) -> None:
        with self._changed:
            self._changed.notify_all()

    def on_refused(self, change: Change, error: str) -> None:
        self.refused.append((change.key, error))
        self.notify()

    def wait_for(self, predicate: Callable[[], bool]) -> bool:
        """Wait until `predicate` holds; re-checked whenever the replicator reports something."""
        with self._changed:
            return self._changed.wait_for(predicate, WAIT_S)


@pytest.fixture
def desk_factory(
    central_site: CentralSite, outbox_factory: Callable[[str], Outbox]
) -> Iterator[Callable[[float], Desk]]:
    """``make(retry_refused_every)``: a desk whose replicator retries refused changes that often."""
    made: list[Desk] = []

    def make(retry_refused_every: float) -> Desk:
        desk = Desk(outbox_factory(f"a1-{len(made)}"))
        desk.replicator = Replicator(
            desk.outbox,
            Applier(central_site.engine("a1")),
            on_status=desk.notify,
            on_refused=desk.on_refused,
            retry_refused_every=retry_refused_every,
            desk=DESK,
        )
        desk.outbox.on_append = desk.replicator.wake
        made.append(desk)
        return desk

    yield make
    for desk in made:
        assert desk.replicator is not None
        desk.replicator.stop()


def _as_owner(site: CentralSite, statement: str) -> None:
    with site.engine("owner").begin() as conn:
        conn.execute(text(statement))


def _reports(engine: Engine) -> list[t.Row]:  # type: ignore[name-defined]
    with engine.connect() as conn:
        return list(conn.execute(select(t.sync_refusals).order_by(t.sync_refusals.c.first_at)).all())


@pytest.mark.expect_log(
    "app.sync.replicator", r"refused by the central database: permission denied", level="ERROR"
)
def test_a_refused_ticket_waits_with_its_later_changes_is_reported_and_goes_through_once_fixed(
    central_site: CentralSite, desk_factory: Callable[[float], Desk], capsys: pytest.CaptureFixture[str]
) -> None:
    desk = desk_factory(3600.0)  # retried when the test says (below), not by the clock
    a1 = central_site.ids["a1"]
    # IT got the rights wrong: operators may not add ticket events, so no new ticket can arrive.
    _as_owner(central_site, "REVOKE INSERT ON ticket_events FROM frontline_operator")

    ringing = changes.call_ringing(direction="inbound", caller_number="+7912", ringing_at=NOW, operator_id=a1)
    call_uid = ringing[1]["uid"]
    created = changes.ticket_created(number="T-REFUSED", at=NOW, call_uid=call_uid, created_by_id=a1)
    ticket_uid = created[1]["uid"]
    other = changes.call_ringing(direction="inbound", caller_number="+7913", ringing_at=NOW, operator_id=a1)
    work = [
        ringing,
        changes.call_answered(call_uid, NOW, operator_id=a1),
        created,
        changes.ticket_saved(ticket_uid, expected_version=1, fields={"subject": "Router"}, at=NOW),
        changes.ticket_event(ticket_uid, "comment", {"text": "typed"}, NOW, author_id=a1),
        changes.call_ended(call_uid, NOW, "answered"),
        other,  # another caller's call: nothing to do with the refused ticket
        changes.operator_state(operator_id=a1, status="ready", at=NOW),
    ]
    keys = desk.outbox.append_many([(*c, None) for c in work])
    replicator = desk.replicator
    assert replicator is not None
    replicator.start()

    assert replicator.wait_idle(WAIT_S)
    assert [key for key, _ in desk.refused] == [keys[2]]
    assert "permission denied for table ticket_events" in desk.refused[0][1]
    # Kept, never dropped: the ticket, its save, its comment and its call's end wait in order.
    assert [c.key for c in desk.outbox.unsent()] == keys[2:6]
    assert desk.outbox.counts() == {"pending": 0, "held": 3, "conflict": 0, "failed": 1}
    lead = central_site.engine("lead")
    with lead.connect() as conn:
        assert conn.scalar(select(t.tickets.c.id).where(t.tickets.c.uid == ticket_uid)) is None
        stored_calls = dict(conn.execute(select(t.calls.c.uid, t.calls.c.outcome)).all())
    assert stored_calls == {call_uid: None, other[1]["uid"]: None}  # both rang; neither ended wrongly

    # IT sees it without walking to the desk: the lead of the floor and the admin, not another floor.
    (report,) = _reports(lead)
    assert (report.key, report.desk, report.operator_id, report.kind, report.subject) == (
        keys[2],
        DESK,
        a1,
        "ticket_created",
        ticket_uid,
    )
    assert _reports(central_site.engine("b1")) == []
    assert (
        frontline(["admin", "sync-status", "--db", central_site.url_of("admin").render_as_string(False)]) == 1
    )
    listed = capsys.readouterr().out
    assert DESK in listed and central_site.logins["a1"] in listed and "ticket_created" in listed
    assert "permission denied for table ticket_events" in listed

    # Tried again (every few minutes, and at each start): refused again and counted, but the
    # operator is told only once.
    replicator.retry_refused()
    assert replicator.wait_idle(WAIT_S)
    assert _reports(lead)[0].attempts == 2
    assert len(desk.refused) == 1
    assert desk.outbox.counts() == {"pending": 0, "held": 3, "conflict": 0, "failed": 1}

    # IT fixes the grant: everything goes through in the order it was made, the report goes.
    _as_owner(central_site, "GRANT INSERT ON ticket_events TO frontline_operator")
    replicator.retry_refused()
    assert replicator.wait_idle(WAIT_S)
    assert desk.outbox.counts() == {"pending": 0, "held": 0, "conflict": 0, "failed": 0}
    with lead.connect() as conn:
        ticket = conn.execute(select(t.tickets).where(t.tickets.c.uid == ticket_uid)).one()
        kinds = conn.scalars(
            select(t.ticket_events.c.kind)
            .where(t.ticket_events.c.ticket_id == ticket.id)
            .order_by(t.ticket_events.c.id)
        ).all()
        call = conn.execute(select(t.calls).where(t.calls.c.uid == call_uid)).one()
    assert (ticket.subject, ticket.version) == ("Router", 2)
    assert kinds == ["created", "call_link", "comment"]
    assert (call.ticket_id, call.outcome) == (ticket.id, "answered")
    assert _reports(lead) == []
    assert (
        frontline(["admin", "sync-status", "--db", central_site.url_of("admin").render_as_string(False)]) == 0
    )


@pytest.mark.expect_log(
    "app.sync.replicator", r"refused by the central database: new row violates", level="ERROR"
)
@pytest.mark.expect_log("app.sync.replicator", r"could not report the refusal")
def test_refused_changes_are_tried_again_by_the_clock(
    central_site: CentralSite, desk_factory: Callable[[float], Desk]
) -> None:
    """Nobody has to restart the desk once IT fixed the cause: the replicator retries by itself."""
    a1 = central_site.ids["a1"]
    _as_owner(
        central_site, "UPDATE operators SET active = false WHERE login = '" + central_site.logins["a1"] + "'"
    )
    desk = desk_factory(0.2)  # a site: minutes; the test: a fifth of a second
    desk.outbox.append(
        *changes.call_ringing(direction="inbound", caller_number="+7", ringing_at=NOW, operator_id=a1)
    )
    assert desk.replicator is not None
    desk.replicator.start()
    assert desk.wait_for(lambda: len(desk.refused) == 1)  # an inactive operator may record no call
    _as_owner(
        central_site, "UPDATE operators SET active = true WHERE login = '" + central_site.logins["a1"] + "'"
    )
    assert desk.wait_for(lambda: desk.outbox.counts()["failed"] == 0)
    with central_site.engine("lead").connect() as conn:
        assert conn.scalar(select(t.calls.c.caller_number)) == "+7"


def test_sync_status_as_json_lists_one_object_per_refused_change(
    central_site: CentralSite, capsys: pytest.CaptureFixture[str]
) -> None:
    applier = Applier(central_site.engine("a2"))
    try:
        change = Change(0, "k-1", *changes.ticket_event("gone", "comment", {}, NOW), NOW, 0, None)
        applier.report_refusal(change, "no tickets row with uid gone", "a2@desk-9")
        applier.report_refusal(change, "no tickets row with uid gone", "a2@desk-9")
    finally:
        applier.close()
    url = central_site.url_of("lead").render_as_string(hide_password=False)
    assert frontline(["admin", "sync-status", "--db", url, "--json"]) == 1
    (line,) = capsys.readouterr().out.splitlines()
    item = json.loads(line)
    assert (item["desk"], item["operator"], item["kind"], item["subject"], item["attempts"]) == (
        "a2@desk-9",
        central_site.logins["a2"],
        "ticket_event",
        "gone",
        2,
    )
