"""The cache refresher: central rows into a desk's SQLite cache (real PostgreSQL, a fresh cache file).

As a site runs it (`tests.fixtures.central`): the refresher reads the central database as the
desk's operator (a1 of department A), so row-level security decides what reaches the cache; IT
(the owner role) loads reference data and customers; other desks' changes are applied with their
own logins (a2, a1's colleague; b1 of department B), reference data is edited by the shift lead.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, create_engine, func, select, text
from sqlalchemy.engine import URL

from app.errors import DatabaseUnavailable
from app.services.customers import CustomerService
from app.services.lookup import LookupService
from app.storage import migrate
from app.storage.database import make_engine
from app.storage.schema import Base
from app.sync import changes
from app.sync import tables as t
from app.sync.applier import Applier, Conflict, Outcome
from app.sync.notify import ChangeNotice
from app.sync.outbox import Change, new_uid
from app.sync.pull import REFERENCE_TABLES, CachedRow, CacheRefresher
from tests.fixtures.central import CentralSite

pytestmark = pytest.mark.pg

AT = datetime(2026, 11, 22, 9, 0, tzinfo=UTC)
REFERENCE = REFERENCE_TABLES


# --- fixtures and helpers ---------------------------------------------------------------------------


@pytest.fixture
def cache(tmp_path: Path) -> Iterator[Engine]:
    engine = make_engine(f"sqlite:///{tmp_path / 'cache.sqlite3'}")
    migrate.upgrade(engine)
    try:
        yield engine
    finally:
        engine.dispose()


@pytest.fixture
def owner(central_site: CentralSite) -> Engine:
    """IT's connection (the owner role): what it loads, every desk finds there."""
    return central_site.engine("owner")


@pytest.fixture
def desk(central_site: CentralSite) -> Engine:
    """The central engine of the desk whose cache is refreshed: operator a1's own login."""
    return central_site.engine("a1")


@pytest.fixture
def colleague(central_site: CentralSite) -> Engine:
    """Another desk of department A (operator a2): what it writes, a1 may see."""
    return central_site.engine("a2")


@pytest.fixture
def ids(central_site: CentralSite, owner: Engine) -> dict[str, int]:
    """Reference data of every kind and 30 customers, loaded by IT; see `_seed`."""
    return _seed(owner, central_site)


def _sql(engine: Engine, statement: str, **params: Any) -> Any:
    with engine.begin() as conn:
        result = conn.execute(text(statement), params)
        return result.scalar() if result.returns_rows else None


def _seed(owner: Engine, site: CentralSite, customers: int = 30) -> dict[str, int]:
    """Reference data of every kind and `customers` customers with one or two phones each, loaded
    by the owner role as IT would; ``op`` is a1 (the desk), ``mate`` a2 (their colleague)."""
    ids = {"dept": site.ids["dept_a"], "op": site.ids["a1"], "mate": site.ids["a2"]}
    with owner.begin() as conn:

        def one(statement: str, **params: Any) -> int:
            return int(conn.execute(text(statement), params).scalar_one())

        ids["line"] = one("INSERT INTO lines (name) VALUES ('Internet') RETURNING id")
        one(
            "INSERT INTO line_numbers (line_id, number) VALUES (:l, '+78005550100') RETURNING id",
            l=ids["line"],
        )
        ids["root"] = one("INSERT INTO categories (name) VALUES ('Network') RETURNING id")
        ids["child"] = one(
            "INSERT INTO categories (parent_id, name) VALUES (:p, 'No link') RETURNING id", p=ids["root"]
        )
        one("INSERT INTO complexity_levels (name, rank) VALUES ('Simple', 1) RETURNING id")
        one("INSERT INTO priorities (name, rank, response_hours) VALUES ('High', 1, 4) RETURNING id")
        one(
            "INSERT INTO field_rules (category_id, transitions, fields) VALUES (:c, :tr, :f) RETURNING id",
            c=ids["root"],
            tr='["resolved"]',
            f='["resolution"]',
        )
        one(
            "INSERT INTO scripts (line_id, language, key, text) VALUES (:l, 'en', 'greeting', 'Hello') RETURNING id",
            l=ids["line"],
        )
        ids["announcement"] = one(
            "INSERT INTO announcements (text, regions, valid_from, created_by_id, created_at)"
            " VALUES ('Outage', '[\"North\"]', :at, :o, :at) RETURNING id",
            at=AT,
            o=site.ids["lead"],
        )
        for n in range(customers):
            cid = one(
                "INSERT INTO customers (contract_number, name, name_search, region, created_at, updated_at)"
                " VALUES (:cn, :name, :name, 'North', :at, :at) RETURNING id",
                cn=f"CN-{n:05d}",
                name=f"customer {n}",
                at=AT,
            )
            for k in range(1 + n % 2):
                one(
                    "INSERT INTO customer_phones (customer_id, e164) VALUES (:c, :p) RETURNING id",
                    c=cid,
                    p=f"+7912{n:05d}{k:02d}",
                )
            ids.setdefault("customer", cid)
    return ids


def _rows(engine: Engine, name: str, *, without: tuple[str, ...] = ()) -> list[tuple[Any, ...]]:
    table = Base.metadata.tables[name]
    columns = [c for c in table.c if c.name not in without]
    key = table.c.operator_id if name == "operator_states" else table.c.id
    with engine.connect() as conn:
        return [tuple(r) for r in conn.execute(select(*columns).order_by(key))]


def _count(engine: Engine, name: str) -> int:
    with engine.connect() as conn:
        return int(conn.scalar(select(func.count()).select_from(Base.metadata.tables[name])) or 0)


def _apply(engine: Engine, change: tuple[Any, dict[str, Any]]) -> Outcome | Conflict:
    """Apply a change to the central database as the replicator of the desk `engine` signs in for."""
    kind, payload = change
    applier = Applier(engine)
    try:
        return applier.apply(Change(0, new_uid(), kind, payload, AT, 0, None))
    finally:
        applier.close()


def _created(ids: dict[str, int], number: str, at: datetime = AT, **more: Any) -> changes.PendingChange:
    """A ticket created on a1's colleague's desk (a2's: department A's, so a1 may see it)."""
    return changes.ticket_created(number=number, at=at, created_by_id=ids["mate"], **more)


def _cache_ticket(cache: Engine, uid: str) -> Any:
    with cache.connect() as conn:
        return conn.execute(select(t.tickets).where(t.tickets.c.uid == uid)).one()


def _desk_creates_ticket(cache: Engine, *, number: str, at: datetime) -> tuple[str, str, int]:
    """What the desk's services do on answer: a ticket and its ``created`` event in the cache."""
    uid, event_uid = new_uid(), new_uid()
    with cache.begin() as conn:
        ticket_id = conn.execute(
            t.tickets.insert().returning(t.tickets.c.id),
            {
                "uid": uid,
                "number": number,
                "status": "new",
                "subject": "",
                "created_at": at,
                "updated_at": at,
                "version": 1,
            },
        ).scalar_one()
        conn.execute(
            t.ticket_events.insert(),
            {
                "uid": event_uid,
                "ticket_id": ticket_id,
                "kind": "created",
                "at": at,
                "payload": {"number": number, "status": "new"},
            },
        )
    return uid, event_uid, int(ticket_id)


# --- tests --------------------------------------------------------------------------------------------


def test_the_first_copy_holds_the_whole_directory_and_only_the_departments_tickets_and_calls(
    central_site: CentralSite, ids: dict[str, int], owner: Engine, desk: Engine, cache: Engine
) -> None:
    numbers = {}
    for who in ("a2", "b1"):  # a colleague of the desk's operator, and someone of department B
        ringing = changes.call_ringing(
            direction="inbound",
            caller_number="+79120000001",
            ringing_at=AT,
            operator_id=central_site.ids[who],
        )
        created = changes.ticket_created(
            number=f"T-{who}", at=AT, created_by_id=central_site.ids[who], call_uid=ringing[1]["uid"]
        )
        for change in (ringing, created):
            assert _apply(central_site.engine(who), change) is Outcome.APPLIED
        numbers[who] = created[1]["number"]

    report = CacheRefresher(desk, cache).refresh()

    for name in (*REFERENCE, "customers", "customer_phones"):  # shared: all of it, as IT loaded it
        assert _rows(cache, name) == _rows(owner, name), name
    assert report.rows["customers"] == 30
    assert report.rows["customer_phones"] == 45
    assert report.rows["categories"] == 2
    # Row-level security: department A's ticket and call, with their events; none of B's, which
    # is there centrally (b1 sees it).
    with cache.connect() as conn:
        assert conn.scalars(select(t.tickets.c.number)).all() == [numbers["a2"]]
        assert conn.scalars(select(t.calls.c.operator_id)).all() == [ids["mate"]]
        assert sorted(conn.scalars(select(t.ticket_events.c.kind))) == ["call_link", "created"]
    assert (report.rows["tickets"], report.rows["calls"], report.rows["ticket_events"]) == (1, 1, 2)
    with central_site.raw("b1") as conn:
        assert conn.execute("SELECT number FROM tickets").fetchall() == [(numbers["b1"],)]


def test_an_incremental_refresh_writes_only_the_changed_customer_and_the_new_ticket(
    ids: dict[str, int], desk: Engine, colleague: Engine, cache: Engine
) -> None:
    refresher = CacheRefresher(desk, cache)
    refresher.refresh()
    assert refresher.refresh().rows == {}  # nothing changed: nothing written

    _sql(  # another desk corrects a customer's name
        colleague,
        "UPDATE customers SET name = 'Renamed', name_search = 'renamed', updated_at = :at WHERE id = :id",
        at=AT + timedelta(hours=1),
        id=ids["customer"],
    )
    created = _created(ids, "T-1", AT + timedelta(hours=1), customer_id=ids["customer"])
    assert _apply(colleague, created) is Outcome.APPLIED

    report = refresher.refresh()

    assert report.rows == {"customers": 1, "tickets": 1, "ticket_events": 1}
    assert _rows(cache, "customers") == _rows(desk, "customers")
    assert _cache_ticket(cache, created[1]["uid"]).customer_id == ids["customer"]
    assert refresher.refresh().rows == {}


def test_a_ticket_the_desk_created_and_the_central_database_applied_is_not_duplicated(
    ids: dict[str, int], desk: Engine, cache: Engine
) -> None:
    refresher = CacheRefresher(desk, cache)
    refresher.refresh()
    uid, event_uid, local_id = _desk_creates_ticket(cache, number="T-DESK-1", at=AT)
    # ... and its outbox change reaches the central database, through this desk's own login
    created = changes.ticket_created(
        uid=uid, number="T-DESK-1", at=AT, event_uid=event_uid, created_by_id=ids["op"]
    )
    assert _apply(desk, created) is Outcome.APPLIED

    refresher.refresh()

    assert _count(cache, "tickets") == 1
    assert _count(cache, "ticket_events") == 1
    assert _cache_ticket(cache, uid).id == local_id


def test_a_row_with_a_pending_change_is_not_overwritten_until_the_outbox_is_done(
    ids: dict[str, int], owner: Engine, desk: Engine, colleague: Engine, cache: Engine
) -> None:
    created = _created(ids, "T-2")
    uid = created[1]["uid"]
    _apply(colleague, created)
    pending: set[str] = set()
    refresher = CacheRefresher(desk, cache, pending_uids=lambda: pending)
    refresher.refresh()
    # This desk saved the ticket locally (not sent yet); another desk saved it centrally.
    with cache.begin() as conn:
        conn.execute(t.tickets.update().where(t.tickets.c.uid == uid).values(subject="mine", version=2))
    pending.add(uid)
    theirs = changes.ticket_saved(
        uid, expected_version=1, fields={"subject": "theirs"}, at=AT + timedelta(minutes=1)
    )
    assert _apply(colleague, theirs) is Outcome.APPLIED

    assert "tickets" not in refresher.refresh().rows
    assert refresher.apply_notice(ChangeNotice("tickets", "update", None, uid, 2)) is None
    assert _cache_ticket(cache, uid).subject == "mine"

    # The change turned into a conflict (no longer pending): the next refresh brings theirs, even
    # though the central row is now older than the watermark (set back by the owner: no desk can).
    pending.clear()
    _sql(owner, "UPDATE tickets SET updated_at = :old WHERE uid = :uid", old=AT - timedelta(days=1), uid=uid)
    assert refresher.refresh().rows.get("tickets") == 1
    assert (_cache_ticket(cache, uid).subject, _cache_ticket(cache, uid).version) == ("theirs", 2)


def test_a_notice_of_a_ticket_update_brings_its_new_version_and_events(
    ids: dict[str, int], desk: Engine, colleague: Engine, cache: Engine
) -> None:
    created = _created(ids, "T-3")
    uid = created[1]["uid"]
    _apply(colleague, created)
    refresher = CacheRefresher(desk, cache)
    refresher.refresh()
    local_id = _cache_ticket(cache, uid).id
    saved = changes.ticket_saved(
        uid,
        expected_version=1,
        fields={"subject": "No link since 8:00", "assignee_id": ids["op"]},
        at=AT + timedelta(minutes=5),
        events=[("field_change", {"field": "subject"})],
    )
    _apply(colleague, saved)

    row = refresher.apply_notice(ChangeNotice("tickets", "update", None, uid, 2))

    assert row == CachedRow("tickets", local_id, uid)
    ticket = _cache_ticket(cache, uid)
    assert (ticket.version, ticket.subject, ticket.assignee_id) == (2, "No link since 8:00", ids["op"])
    with cache.connect() as conn:
        kinds = conn.scalars(
            select(t.ticket_events.c.kind).where(t.ticket_events.c.ticket_id == local_id)
        ).all()
    assert sorted(kinds) == ["created", "field_change"]
    assert refresher.apply_notice(ChangeNotice("tickets", "update", None, uid, 2)) is None  # nothing new


def test_calls_and_events_refer_to_the_cache_id_of_their_ticket(
    ids: dict[str, int], desk: Engine, colleague: Engine, cache: Engine
) -> None:
    refresher = CacheRefresher(desk, cache)
    refresher.refresh()
    _desk_creates_ticket(cache, number="T-LOCAL", at=AT)  # the cache's ids now differ from the central ones
    for n in range(3):
        _apply(colleague, _created(ids, f"T-FILL-{n}"))
    ringing = changes.call_ringing(
        direction="inbound", caller_number="+79120000000", ringing_at=AT, operator_id=ids["mate"]
    )
    created = _created(ids, "T-4", call_uid=ringing[1]["uid"])
    comment = changes.ticket_event(created[1]["uid"], "comment", {"text": "called back"}, AT)
    for change in (ringing, created, comment):
        assert _apply(colleague, change) is Outcome.APPLIED

    refresher.refresh()

    local_ticket = _cache_ticket(cache, created[1]["uid"]).id
    with desk.connect() as conn:
        central_ticket = conn.scalar(select(t.tickets.c.id).where(t.tickets.c.uid == created[1]["uid"]))
    assert local_ticket != central_ticket
    with cache.connect() as conn:
        call = conn.execute(select(t.calls).where(t.calls.c.uid == ringing[1]["uid"])).one()
        events = conn.execute(
            select(t.ticket_events.c.kind, t.ticket_events.c.ticket_id).where(
                t.ticket_events.c.uid.in_(
                    [created[1]["event_uid"], created[1]["link_event_uid"], comment[1]["uid"]]
                )
            )
        ).all()
    assert call.ticket_id == local_ticket
    assert sorted(events) == [
        ("call_link", local_ticket),
        ("comment", local_ticket),
        ("created", local_ticket),
    ]

    # A call notice after the call ended
    _apply(colleague, changes.call_ended(ringing[1]["uid"], AT + timedelta(minutes=3), "answered"))
    row = refresher.apply_notice(ChangeNotice("calls", "update", None, ringing[1]["uid"], None))
    assert row == CachedRow("calls", call.id, ringing[1]["uid"])
    with cache.connect() as conn:
        assert conn.scalar(select(t.calls.c.outcome).where(t.calls.c.id == call.id)) == "answered"


def test_reference_rows_gone_centrally_are_deleted_unless_the_cache_refers_to_them(
    central_site: CentralSite, ids: dict[str, int], owner: Engine, desk: Engine, cache: Engine
) -> None:
    lead = central_site.engine("lead")  # the shift lead edits priorities and scripts
    unused = _sql(lead, "INSERT INTO priorities (name, rank) VALUES ('Low', 9) RETURNING id")
    refresher = CacheRefresher(desk, cache)
    refresher.refresh()
    # a desk ticket on that line, not sent yet
    _, _, local_id = _desk_creates_ticket(cache, number="T-5", at=AT)
    with cache.begin() as conn:
        conn.execute(t.tickets.update().where(t.tickets.c.id == local_id).values(line_id=ids["line"]))
    _sql(lead, "DELETE FROM priorities WHERE id = :id", id=unused)
    _sql(lead, "DELETE FROM scripts")
    _sql(owner, "DELETE FROM line_numbers")  # lines are IT's
    _sql(owner, "DELETE FROM lines WHERE id = :id", id=ids["line"])

    report = refresher.refresh()

    assert report.rows == {"priorities": 1, "scripts": 1, "line_numbers": 1}
    assert _count(cache, "lines") == 1  # still referenced by the desk's ticket
    assert _rows(cache, "priorities") == _rows(desk, "priorities")


def test_operator_states_are_copied_and_a_notice_updates_one(
    ids: dict[str, int], desk: Engine, colleague: Engine, cache: Engine
) -> None:
    # The colleague's desk writes their own state; a1's cache holds the floor.
    assert _apply(colleague, changes.operator_state(operator_id=ids["mate"], status="ready", at=AT)) is (
        Outcome.APPLIED
    )
    refresher = CacheRefresher(desk, cache)
    assert refresher.refresh().rows.get("operator_states") == 1
    on_break = changes.operator_state(
        operator_id=ids["mate"], status="break", reason="lunch", at=AT + timedelta(minutes=1)
    )
    assert _apply(colleague, on_break) is Outcome.APPLIED

    row = refresher.apply_notice(ChangeNotice("operator_states", "update", ids["mate"], None, None))

    assert row == CachedRow("operator_states", ids["mate"], None)
    assert _rows(cache, "operator_states") == _rows(desk, "operator_states")
    with cache.connect() as conn:
        state = conn.execute(select(t.operator_states.c.status, t.operator_states.c.reason)).one()
    assert tuple(state) == ("break", "lunch")


def test_a_customer_the_desk_creates_centrally_is_pulled_into_its_cache_at_once(
    central_site: CentralSite, ids: dict[str, int], desk: Engine, cache: Engine
) -> None:
    """Wired as `app.main` wires a desk: the customer is created in the central database with the
    operator's own grants (the contract number must be unique across desks), then
    `refresh_customer` copies it into the cache, where the card is looked up."""
    refresher = CacheRefresher(desk, cache)
    refresher.refresh()
    customers = CustomerService(
        desk,
        "RU",
        lookup=LookupService(cache, "RU"),
        after_insert=refresher.refresh_customer,
    )

    card = customers.create(
        phone="+7 999 000-00-00",
        name="New",
        address=None,
        region=None,
        notes=None,
        operator_login=central_site.logins["a1"],
    )

    assert (card.name, card.phones) == ("New", ("+79990000000",))
    assert _rows(cache, "customers") == _rows(desk, "customers")
    assert _rows(cache, "customer_phones") == _rows(desk, "customer_phones")


def test_an_unreachable_central_database_is_reported_and_the_cache_stays_as_it_was(
    ids: dict[str, int], desk: Engine, cache: Engine
) -> None:
    CacheRefresher(desk, cache).refresh()
    before = _rows(cache, "customers")
    nowhere = create_engine(URL.create("postgresql+psycopg", "nobody", "x", "127.0.0.1", 1, "frontline"))
    try:
        with pytest.raises(DatabaseUnavailable):
            CacheRefresher(nowhere, cache).refresh()
    finally:
        nowhere.dispose()
    assert _rows(cache, "customers") == before


def test_a_desk_save_committed_while_the_pending_uids_are_read_is_not_overwritten(
    ids: dict[str, int], desk: Engine, colleague: Engine, cache: Engine
) -> None:
    created = _created(ids, "T-RACE")
    uid = created[1]["uid"]
    _apply(colleague, created)
    pending: set[str] = set()
    calls: list[int] = []

    def pending_uids() -> frozenset[str]:
        seen = frozenset(pending)
        if calls == [-1]:  # the desk saves (row and outbox entry) right after the outbox was read
            calls.clear()
            with cache.begin() as conn:
                conn.execute(
                    t.tickets.update().where(t.tickets.c.uid == uid).values(subject="mine", version=2)
                )
            pending.add(uid)
        calls.append(len(seen))
        return seen

    refresher = CacheRefresher(desk, cache, pending_uids=pending_uids)
    refresher.refresh()
    calls[:] = [-1]
    _apply(colleague, changes.ticket_saved(uid, expected_version=1, fields={"subject": "theirs"}, at=AT))

    refresher.refresh()

    assert calls[:2] == [0, 1]  # read again after the desk's commit
    assert _cache_ticket(cache, uid).subject == "mine"


def test_a_notice_of_an_announcement_updates_it_in_the_cache(
    central_site: CentralSite, ids: dict[str, int], desk: Engine, cache: Engine
) -> None:
    refresher = CacheRefresher(desk, cache)
    refresher.refresh()
    _sql(
        central_site.engine("lead"),
        "UPDATE announcements SET text = 'Outage over' WHERE id = :id",
        id=ids["announcement"],
    )
    notice = ChangeNotice("announcements", "update", ids["announcement"], None, None)

    assert refresher.apply_notice(notice) == CachedRow("announcements", ids["announcement"], None)
    assert _rows(cache, "announcements") == _rows(desk, "announcements")
    assert refresher.apply_notice(notice) is None


def test_a_desk_clock_running_ahead_does_not_hide_later_changes(
    ids: dict[str, int], desk: Engine, colleague: Engine, cache: Engine
) -> None:
    ahead = _created(ids, "T-AHEAD", datetime.now(UTC) + timedelta(days=1))
    _apply(colleague, ahead)
    refresher = CacheRefresher(desk, cache)
    refresher.refresh()
    later = _created(ids, "T-LATER", datetime.now(UTC))
    _apply(colleague, later)

    assert refresher.refresh().rows.get("tickets") == 1
    assert _cache_ticket(cache, later[1]["uid"]).number == "T-LATER"


def test_a_save_made_offline_long_ago_and_applied_now_is_found_by_the_next_refresh(
    ids: dict[str, int], desk: Engine, colleague: Engine, cache: Engine
) -> None:
    """A desk that was offline for an hour sends a save stamped an hour ago; desks that refreshed
    in between must still pick it up (the central clock stamps it when applied: 0006)."""
    created = _created(ids, "T-OFF", datetime.now(UTC), customer_id=ids["customer"])
    assert _apply(colleague, created) is Outcome.APPLIED
    refresher = CacheRefresher(desk, cache)
    refresher.refresh()
    saved_offline = changes.ticket_saved(
        created[1]["uid"],
        expected_version=1,
        fields={"subject": "Typed during the outage"},
        at=datetime.now(UTC) - timedelta(hours=1),
    )
    assert _apply(colleague, saved_offline) is Outcome.APPLIED

    assert refresher.refresh().rows.get("tickets") == 1
    cached = _cache_ticket(cache, created[1]["uid"])
    assert (cached.subject, cached.version) == ("Typed during the outage", 2)
