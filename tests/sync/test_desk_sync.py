"""A desk on a central PostgreSQL: its services write the cache and the outbox, the replicator
brings every row to the central database exactly once, and a stale save becomes a conflict the
operator sees instead of an overwrite.  Real PostgreSQL, real SQLite cache files; each desk signs in
with its operator's own login (`desk_login`: an operator, then a shift lead), as a site runs it."""

from __future__ import annotations

import dataclasses
import sqlite3
import threading
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine, select, text
from sqlalchemy.engine import URL

from app.demo.data import generate_demo_data
from app.doctor import check_sync
from app.main import cache_path_for
from app.services.calls import CallService
from app.services.operator_states import OperatorStateService
from app.services.sync_conflicts import ConflictService
from app.services.tickets import TicketService
from app.storage.database import make_engine
from app.storage.migrate import current_revision, head_revision, upgrade
from app.storage.number_reserve import SqliteNumberReserve
from app.storage.schema import Call, Customer, Line, Operator, OperatorStateRow, Ticket, TicketEvent
from app.sync import changes
from app.sync.desk import DeskSync
from app.sync.notices import SyncState
from app.sync.outbox import Outbox
from app.sync.pull import CacheRefresher
from app.tickets.drafts import TicketDraft
from app.tickets.enums import CallDirection, CallOutcome
from app.tickets.numbering import TicketNumberAllocator
from app.tickets.operator_state import OperatorState, OperatorStatus
from tests.fixtures.central import CentralSite, make_central_site
from tests.fixtures.desks import desk_ticket_service
from tests.fixtures.logins import drop_database_and_logins
from tests.sync.conftest import RestartableServer

pytestmark = pytest.mark.pg

NOW = datetime(2026, 11, 22, 9, 0, tzinfo=UTC)
WAIT_S = 30.0


@pytest.fixture
def seeded_central(central_site: CentralSite, central_url: URL) -> URL:
    """Demo customers and lines loaded by the owner (as IT would); the desk's login's URL."""
    generate_demo_data(central_site.engine("owner"), customers=40, seed=3, default_region="RU")
    return central_url


class Desk:
    """One workstation's sync and services, as `app.main` wires them (without the window);
    `login` is the operator signed in (their own database login is in `url`)."""

    def __init__(self, url: URL, home: Path) -> None:
        home.mkdir(parents=True, exist_ok=True)
        self.login = url.username
        self.states: list[SyncState] = []
        self._state_seen = threading.Condition()
        self.conflict_keys: list[str] = []
        self.conflicted = threading.Event()
        self.refused_keys: list[str] = []
        self.sync = DeskSync(
            url.render_as_string(hide_password=False),
            home / "cache.sqlite3",
            on_state=self._on_state,
            on_conflict=self._on_conflict,
            on_refused=self.refused_keys.append,
        )
        self.sync.prepare()
        self.tickets = desk_ticket_service(self.sync, home / "numbers.sqlite3")
        self.calls = CallService(self.sync.cache, "RU", recorder=self.sync.recorder)
        self.conflicts = ConflictService(self.sync.cache, self.sync.outbox, self.tickets)

    def _on_state(self, state: SyncState) -> None:
        with self._state_seen:
            self.states.append(state)
            self._state_seen.notify_all()

    def wait_state(self, predicate: Callable[[SyncState], bool]) -> bool:
        """Wait until the latest state published satisfies `predicate`."""
        with self._state_seen:
            return self._state_seen.wait_for(lambda: bool(self.states) and predicate(self.states[-1]), WAIT_S)

    def _on_conflict(self, key: str) -> None:
        self.conflict_keys.append(key)
        self.conflicted.set()

    def drained(self) -> bool:
        return self.sync.replicator.wait_idle(WAIT_S)


@pytest.fixture
def desk_factory(
    central_site: CentralSite, seeded_central: URL, tmp_path: Path
) -> Iterator[Callable[..., Desk]]:
    """``make(name, who=None)``: a desk signed in as `who` (default: `desk_login`)."""
    desks: list[Desk] = []

    def make(name: str, who: str | None = None) -> Desk:
        url = central_site.url_of(who) if who else seeded_central
        desk = Desk(url, tmp_path / name)
        desks.append(desk)
        return desk

    yield make
    for desk in desks:
        desk.sync.stop()


def _a_customer(engine: Engine) -> int:
    with engine.connect() as conn:
        return int(conn.scalar(select(Customer.id).order_by(Customer.id).limit(1)))


def _a_line(engine: Engine) -> int:
    with engine.connect() as conn:
        return int(conn.scalar(select(Line.id).order_by(Line.id).limit(1)))


def test_a_call_taken_on_the_desk_reaches_the_central_database_once(
    desk_factory: Callable[..., Desk], central_site: CentralSite
) -> None:
    desk = desk_factory("a")
    desk.sync.start()
    customer = _a_customer(desk.sync.cache)
    call = desk.calls.ringing(
        direction=CallDirection.INBOUND,
        caller_number="+7 912 000-11-22",
        display_name="Ivan",
        dialled_number=None,
        at=NOW,
        operator_login=desk.login,
        customer_id=customer,
    )
    desk.calls.answered(call.id, NOW + timedelta(seconds=3), desk.login)
    ticket = desk.tickets.create_for_call(call.id, customer, _a_line(desk.sync.cache), desk.login)
    saved = desk.tickets.save(
        ticket.id, _with_subject(ticket.draft, "No internet since morning"), ticket.version, desk.login
    )
    desk.tickets.add_comment(ticket.id, "Rebooted the router together", desk.login)
    desk.calls.add_hold(call.id, 42)
    desk.calls.ended(call.id, NOW + timedelta(minutes=4), CallOutcome.ANSWERED)
    assert desk.drained()
    assert desk.sync.state() == SyncState("online", 0)  # nothing refused, nothing waiting

    # Read back as the department's shift lead: the operator's work is on the floor's books.
    with central_site.engine("lead").connect() as conn:
        central_ticket = conn.execute(select(Ticket).where(Ticket.number == ticket.number)).one()
        central_call = conn.execute(select(Call).where(Call.caller_number == "+79120001122")).one()
        events = conn.execute(
            select(TicketEvent.kind, TicketEvent.uid).where(TicketEvent.ticket_id == central_ticket.id)
        ).all()
    assert central_ticket.subject == "No internet since morning"
    assert central_ticket.version == saved.version == 2
    assert central_call.ticket_id == central_ticket.id
    assert central_call.hold_seconds == 42
    assert central_call.outcome == CallOutcome.ANSWERED
    assert central_call.answered_at == NOW + timedelta(seconds=3)
    kinds = sorted(k.value if hasattr(k, "value") else k for k, _ in events)
    assert kinds == ["call_link", "comment", "created", "field_change"]
    # The central rows carry the uids the desk gave its own rows: one row each, never two.
    with desk.sync.cache.connect() as conn:
        local_uids = set(
            conn.scalars(select(TicketEvent.uid).where(TicketEvent.ticket_id == ticket.id)).all()
        )
    assert {uid for _, uid in events} == local_uids
    assert desk.sync.outbox.pending_count() == 0


def _with_subject(draft: TicketDraft, subject: str) -> TicketDraft:
    return dataclasses.replace(draft, subject=subject)


@pytest.mark.expect_log("app.sync.replicator", "changed meanwhile")
def test_a_stale_save_is_set_aside_as_a_conflict_not_applied(
    desk_factory: Callable[..., Desk], central_site: CentralSite, central: Engine
) -> None:
    a, b = desk_factory("a"), desk_factory("b", "a2")  # two desks of one department
    a.sync.start()
    ticket = a.tickets.create_for_call(None, _a_customer(a.sync.cache), _a_line(a.sync.cache), a.login)
    assert a.drained()
    b.sync.refresher.refresh()  # desk B sees the ticket at version 1 ...
    with b.sync.cache.connect() as conn:
        b_id = conn.scalar(select(Ticket.id).where(Ticket.number == ticket.number))
    assert b_id is not None
    b_view = b.tickets.get(b_id)
    assert b_view.version == 1

    a.tickets.save(ticket.id, _with_subject(ticket.draft, "Desk A: line fault"), 1, a.login)
    assert a.drained()
    # ... and, not having heard of A's save yet, saves its own over version 1.
    b.tickets.save(b_id, _with_subject(b_view.draft, "Desk B: billing"), 1, b.login)
    b.sync.start()
    assert b.conflicted.wait(WAIT_S)

    with central.connect() as conn:
        stored = conn.execute(
            select(Ticket.subject, Ticket.version).where(Ticket.number == ticket.number)
        ).one()
    assert tuple(stored) == ("Desk A: line fault", 2)  # never silently overwritten
    conflicts = b.conflicts.conflicts()
    assert [c.key for c in conflicts] == b.conflict_keys
    conflict = conflicts[0]
    assert conflict.mine.subject == "Desk B: billing"
    assert conflict.theirs.draft.subject == "Desk A: line fault"
    assert conflict.theirs.version == 2
    assert conflict.changed_fields == ("subject",)
    assert b.sync.state().conflicts == 1

    # The operator applies theirs + mine: an ordinary save at the version they now see.
    b.tickets.save(b_id, conflict.mine, conflict.theirs.version, b.login)
    b.conflicts.resolve(conflict.key)
    assert b.drained()
    with central.connect() as conn:
        stored = conn.execute(
            select(Ticket.subject, Ticket.version).where(Ticket.number == ticket.number)
        ).one()
    assert tuple(stored) == ("Desk B: billing", 3)
    assert b.sync.state().conflicts == 0


@pytest.mark.expect_log(
    "app.sync.replicator", r"refused by the central database: permission denied", level="ERROR"
)
def test_a_refused_ticket_is_marked_kept_and_sent_once_the_cause_is_fixed(
    desk_factory: Callable[..., Desk], central_site: CentralSite
) -> None:
    """The desk never calls a refused change sent: the window hears of it (with the ticket's
    number), the state counts it, and it goes through after IT's fix."""
    with central_site.engine("owner").begin() as conn:  # IT got a grant wrong
        conn.execute(text("REVOKE INSERT ON ticket_events FROM frontline_operator"))
    desk = desk_factory("a")
    desk.sync.start()
    ticket = desk.tickets.create_for_call(
        None, _a_customer(desk.sync.cache), _a_line(desk.sync.cache), desk.login
    )
    desk.tickets.save(ticket.id, _with_subject(ticket.draft, "Router"), ticket.version, desk.login)
    assert desk.wait_state(lambda s: s.refused == 1 and s.held == 1), desk.states[-3:]
    assert desk.sync.state() == SyncState("online", 0, refused=1, held=1)
    assert len(desk.refused_keys) == 1
    (refused,) = desk.conflicts.refused()
    assert (refused.key, refused.kind, refused.ticket_id, refused.ticket_number, refused.held) == (
        desk.refused_keys[0],
        "ticket_created",
        ticket.id,
        ticket.number,
        1,
    )
    assert "permission denied for table ticket_events" in refused.error

    with central_site.engine("owner").begin() as conn:
        conn.execute(text("GRANT INSERT ON ticket_events TO frontline_operator"))
    desk.sync.replicator.retry_refused()
    assert desk.wait_state(lambda s: s == SyncState("online", 0)), desk.states[-3:]
    assert desk.conflicts.refused() == []
    with central_site.engine("lead").connect() as conn:
        stored = conn.execute(
            select(Ticket.subject, Ticket.version).where(Ticket.number == ticket.number)
        ).one()
    assert tuple(stored) == ("Router", 2)


def test_the_status_says_offline_and_how_many_changes_wait(
    restartable_pg: RestartableServer, tmp_path: Path
) -> None:
    url = restartable_pg.new_database()
    site = make_central_site(restartable_pg.url, url)
    generate_demo_data(site.engine("owner"), customers=10, seed=5, default_region="RU")
    desk = Desk(site.url_of("a1"), tmp_path / "desk")
    try:
        desk.sync.start()
        restartable_pg.stop()
        try:
            numbers = [desk.tickets.create_for_call(None, None, None, desk.login).number for _ in range(3)]
            # The replicator tries, fails, and says so: the status bar's "offline — 3 waiting".
            assert desk.wait_state(lambda s: s.state == "offline" and s.waiting == 3), desk.states
        finally:
            restartable_pg.start()
        assert desk.drained()
        # Online again once both the replicator and the live-update listener are back.
        assert desk.wait_state(lambda s: s == SyncState("online", 0)), desk.states[-3:]
        with site.engine("lead").connect() as conn:
            stored = conn.scalars(text("SELECT number FROM tickets WHERE number = ANY(:n)"), {"n": numbers})
            assert sorted(stored) == sorted(numbers)
    finally:
        desk.sync.stop()
        site.dispose()
        drop_database_and_logins(restartable_pg.url, str(url.database), site.logins.values())


@pytest.mark.expect_log("app.services.sessions", "unknown operator login")  # "nobody-by-that-login"
def test_the_operators_state_reaches_the_central_floor_row_and_an_older_one_does_not(
    desk_factory: Callable[..., Desk], central_site: CentralSite
) -> None:
    desk = desk_factory("a")
    desk.sync.start()
    states = OperatorStateService(desk.sync.cache, recorder=desk.sync.recorder)
    with desk.sync.cache.connect() as conn:
        login, op_id = conn.execute(
            select(Operator.login, Operator.id).where(Operator.login == desk.login)
        ).one()
    assert states.record(login, OperatorState(OperatorStatus.READY, NOW))
    assert states.record(
        login, OperatorState(OperatorStatus.BREAK, NOW + timedelta(minutes=5), reason="lunch")
    )
    # A state from before the one kept (a late event) changes nothing, here or centrally.
    assert not states.record(login, OperatorState(OperatorStatus.READY, NOW + timedelta(minutes=1)))
    assert not states.record("nobody-by-that-login", OperatorState(OperatorStatus.READY, NOW))
    assert desk.drained()
    with central_site.engine("lead").connect() as conn:  # the floor the lead watches
        row = conn.execute(select(OperatorStateRow).where(OperatorStateRow.operator_id == op_id)).one()
    assert (row.status, row.reason, row.since) == ("break", "lunch", NOW + timedelta(minutes=5))


def test_an_unsent_state_of_the_operator_survives_a_cache_refresh(
    desk_factory: Callable[..., Desk], central_site: CentralSite, me: int
) -> None:
    """The refresher makes the cache's operator states equal to the central ones -- except the
    desk's own state while it waits in the outbox (found racing the desk's next state change:
    the refresh deleted the row the desk was about to update)."""
    desk = desk_factory("a")  # not started: the state stays in the outbox
    states = OperatorStateService(desk.sync.cache, recorder=desk.sync.recorder)
    assert states.record(desk.login, OperatorState(OperatorStatus.READY, NOW))
    desk.sync.refresher.refresh()  # centrally there is no row for this operator yet
    later = OperatorState(OperatorStatus.BREAK, NOW + timedelta(minutes=5), reason="lunch")
    assert states.record(desk.login, later)  # the row is still there to update
    assert _cached_state(desk) == ("break", later.since)
    desk.sync.start()
    assert desk.drained()
    with central_site.engine("lead").connect() as conn:
        assert (
            conn.scalar(select(OperatorStateRow.status).where(OperatorStateRow.operator_id == me)) == "break"
        )


def test_a_state_sent_while_a_refresh_reads_the_central_database_is_not_undone(
    desk_factory: Callable[..., Desk], central_site: CentralSite
) -> None:
    """Found in CI: the refresh read its snapshot (no state row yet), the replicator then sent
    the desk's state (the outbox emptied), and the refresh deleted the row as gone centrally --
    the operator vanished from the floor, and a state change racing the delete failed."""
    desk = desk_factory("a")  # not started: the refresh and the replicator are driven here
    states = OperatorStateService(desk.sync.cache, recorder=desk.sync.recorder)
    assert states.record(desk.login, OperatorState(OperatorStatus.READY, NOW))

    def send_then_list_pending() -> set[str]:
        """The refresh asks what is pending after its central read: send the state just then."""
        if desk.sync.outbox.pending_count():
            desk.sync.replicator.start()
            assert desk.drained()
        return set(desk.sync.pending_uids())

    refresher = CacheRefresher(
        desk.sync.central, desk.sync.cache, pending_uids=send_then_list_pending, sent=desk.sync.outbox
    )
    try:
        refresher.refresh()
    finally:
        desk.sync.replicator.stop()
    assert _cached_state(desk) == ("ready", NOW)  # was None: the row had been deleted
    refresher.refresh()  # the next refresh reads the central row the desk sent
    assert _cached_state(desk) == ("ready", NOW)


def _cached_state(desk: Desk) -> tuple[str, datetime] | None:
    """The desk operator's state as the desk's cache has it: (status, since)."""
    with desk.sync.cache.connect() as conn:
        row = conn.execute(
            select(OperatorStateRow.status, OperatorStateRow.since)
            .join(Operator)
            .where(Operator.login == desk.login)
        ).one_or_none()
    return None if row is None else (row.status, row.since)


def test_doctor_reports_the_local_copy_and_what_waits_or_was_refused(seeded_central: URL) -> None:
    url = seeded_central.render_as_string(hide_password=False)
    assert check_sync(url).detail.startswith("no local copy yet")
    sync = DeskSync(url, cache_path_for(url))
    try:
        sync.prepare()
        reserve = SqliteNumberReserve(cache_path_for(url).with_name("doctor-numbers.sqlite3"))
        tickets = TicketService(sync.cache, TicketNumberAllocator(reserve), recorder=sync.recorder)
        tickets.create_for_call(None, None, None, seeded_central.username)  # not started: stays in the outbox
        report = check_sync(url)
        assert report.ok and report.data is not None
        assert (report.data["waiting"], report.data["conflicts"], report.data["refused"]) == (1, 0, 0)
        assert report.data["refreshed_at"] is not None
        (change,) = sync.outbox.pending()
        sync.outbox.mark_refused(change.key, "permission denied for table tickets")
        refused = check_sync(url)
        assert not refused.ok
        assert "permission denied for table tickets" in refused.detail
    finally:
        sync.stop()


def test_a_cache_half_built_by_a_killed_desk_is_not_what_the_next_start_opens(
    seeded_central: URL, tmp_path: Path
) -> None:
    """A desk SIGKILLed during its first start's migration leaves only a scratch file; the next
    start builds the cache again (found by the fault test on a cold fresh clone)."""
    path = tmp_path / "cache.sqlite3"
    scratch = path.with_name(path.name + ".new")
    with sqlite3.connect(scratch) as half_built:  # what a kill mid-migration leaves behind
        half_built.execute("CREATE TABLE categories (id INTEGER PRIMARY KEY)")
    sync = DeskSync(seeded_central.render_as_string(hide_password=False), path)
    try:
        sync.prepare()
        assert sync.has_cache()
        assert not scratch.exists()
    finally:
        sync.stop()


def test_an_app_upgrade_migrates_the_cache_and_keeps_the_changes_waiting_in_it(
    seeded_central: URL, tmp_path: Path
) -> None:
    path = tmp_path / "cache.sqlite3"
    old = make_engine(f"sqlite:///{path}")
    upgrade(old, "0005")  # a cache made by the previous version of the app
    old.dispose()
    box = Outbox(path)
    box.append(*changes.ticket_event("some-ticket-uid", "comment", {"text": "typed offline"}, NOW))
    box.close()

    sync = DeskSync(seeded_central.render_as_string(hide_password=False), path)
    try:
        assert current_revision(sync.cache) == head_revision()
        (waiting,) = sync.outbox.pending()
        assert waiting.payload["payload"] == {"text": "typed offline"}
    finally:
        sync.stop()
