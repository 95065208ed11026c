"""The cache refresher: central rows into a desk's SQLite cache (real PostgreSQL, a fresh cache file)."""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, create_engine, func, select, text
from sqlalchemy.engine import URL

from app.errors import DatabaseUnavailable
from app.storage import migrate
from app.storage.admin import add_operator
from app.storage.database import make_engine
from app.storage.schema import Base
from app.sync import changes
from app.sync import tables as t
from app.sync.applier import Applier, Conflict, Outcome
from app.sync.notify import ChangeNotice
from app.sync.outbox import Change, new_uid
from app.sync.pull import REFERENCE_TABLES, CachedRow, CacheRefresher
from app.tickets.enums import Role

pytestmark = pytest.mark.pg

AT = datetime(2026, 11, 22, 9, 0, tzinfo=UTC)
PASSWORD = "correct horse battery staple"
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


def _sql(engine: Engine, statement: str, **params: Any) -> Any:
    with engine.begin() as conn:
        result = conn.execute(text(statement), params)
        return result.scalar() if result.returns_rows else None


def _seed(central: Engine, customers: int = 30) -> dict[str, int]:
    """Reference data of every kind and `customers` customers with one or two phones each."""
    ids: dict[str, int] = {}
    with central.begin() as conn:

        def one(statement: str, **params: Any) -> int:
            return int(conn.execute(text(statement), params).scalar_one())

        ids["dept"] = one("INSERT INTO departments (name) VALUES ('Support') RETURNING id")
        ids["line"] = one("INSERT INTO lines (name) VALUES ('Internet') RETURNING id")
        one(
            "INSERT INTO line_numbers (line_id, number) VALUES (:l, '+78005550100') RETURNING id",
            l=ids["line"],
        )
        ids["op"] = one(
            "INSERT INTO operators (login, display_name, role, department_id, active)"
            " VALUES ('ivanov', 'Ivanov', 'operator', :d, true) RETURNING id",
            d=ids["dept"],
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
            o=ids["op"],
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


def _apply(central: Engine, change: tuple[Any, dict[str, Any]]) -> Outcome | Conflict:
    """Apply a change to the central database as another desk's replicator would."""
    kind, payload = change
    applier = Applier(central)
    try:
        return applier.apply(Change(0, new_uid(), kind, payload, AT, 0, None))
    finally:
        applier.close()


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


def test_the_first_copy_equals_the_central_reference_data_and_customers(
    central: Engine, cache: Engine
) -> None:
    _seed(central, customers=40)

    report = CacheRefresher(central, cache).refresh()

    for name in (*REFERENCE, "customers", "customer_phones"):
        assert _rows(cache, name) == _rows(central, name), name
    assert report.rows["customers"] == 40
    assert report.rows["customer_phones"] == 60
    assert report.rows["categories"] == 2


def test_an_incremental_refresh_writes_only_the_changed_customer_and_the_new_ticket(
    central: Engine, cache: Engine
) -> None:
    ids = _seed(central)
    refresher = CacheRefresher(central, cache)
    refresher.refresh()
    assert refresher.refresh().rows == {}  # nothing changed: nothing written

    _sql(
        central,
        "UPDATE customers SET name = 'Renamed', name_search = 'renamed', updated_at = :at WHERE id = :id",
        at=AT + timedelta(hours=1),
        id=ids["customer"],
    )
    created = changes.ticket_created(number="T-1", at=AT + timedelta(hours=1), customer_id=ids["customer"])
    assert _apply(central, created) is Outcome.APPLIED

    report = refresher.refresh()

    assert report.rows == {"customers": 1, "tickets": 1, "ticket_events": 1}
    assert _rows(cache, "customers") == _rows(central, "customers")
    assert _cache_ticket(cache, created[1]["uid"]).customer_id == ids["customer"]
    assert refresher.refresh().rows == {}


def test_a_ticket_the_desk_created_and_the_central_database_applied_is_not_duplicated(
    central: Engine, cache: Engine
) -> None:
    _seed(central, customers=1)
    refresher = CacheRefresher(central, cache)
    refresher.refresh()
    uid, event_uid, local_id = _desk_creates_ticket(cache, number="T-DESK-1", at=AT)
    # ... and its outbox change reaches the central database
    created = changes.ticket_created(uid=uid, number="T-DESK-1", at=AT, event_uid=event_uid)
    assert _apply(central, created) is Outcome.APPLIED

    refresher.refresh()

    assert _count(cache, "tickets") == 1
    assert _count(cache, "ticket_events") == 1
    assert _cache_ticket(cache, uid).id == local_id


def test_a_row_with_a_pending_change_is_not_overwritten_until_the_outbox_is_done(
    central: Engine, cache: Engine
) -> None:
    _seed(central, customers=1)
    created = changes.ticket_created(number="T-2", at=AT)
    uid = created[1]["uid"]
    _apply(central, created)
    pending: set[str] = set()
    refresher = CacheRefresher(central, cache, pending_uids=lambda: pending)
    refresher.refresh()
    # This desk saved the ticket locally (not sent yet); another desk saved it centrally.
    with cache.begin() as conn:
        conn.execute(t.tickets.update().where(t.tickets.c.uid == uid).values(subject="mine", version=2))
    pending.add(uid)
    theirs = changes.ticket_saved(
        uid, expected_version=1, fields={"subject": "theirs"}, at=AT + timedelta(minutes=1)
    )
    assert _apply(central, theirs) is Outcome.APPLIED

    assert "tickets" not in refresher.refresh().rows
    assert refresher.apply_notice(ChangeNotice("tickets", "update", None, uid, 2)) is None
    assert _cache_ticket(cache, uid).subject == "mine"

    # The change turned into a conflict (no longer pending): the next refresh brings theirs, even
    # though the central row is now older than the watermark.
    pending.clear()
    _sql(
        central, "UPDATE tickets SET updated_at = :old WHERE uid = :uid", old=AT - timedelta(days=1), uid=uid
    )
    assert refresher.refresh().rows.get("tickets") == 1
    assert (_cache_ticket(cache, uid).subject, _cache_ticket(cache, uid).version) == ("theirs", 2)


def test_a_notice_of_a_ticket_update_brings_its_new_version_and_events(
    central: Engine, cache: Engine
) -> None:
    ids = _seed(central, customers=1)
    created = changes.ticket_created(number="T-3", at=AT)
    uid = created[1]["uid"]
    _apply(central, created)
    refresher = CacheRefresher(central, cache)
    refresher.refresh()
    local_id = _cache_ticket(cache, uid).id
    saved = changes.ticket_saved(
        uid,
        expected_version=1,
        fields={"subject": "No link since 8:00", "assignee_id": ids["op"]},
        at=AT + timedelta(minutes=5),
        events=[("field_change", {"field": "subject"})],
    )
    _apply(central, saved)

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


def test_calls_and_events_refer_to_the_cache_id_of_their_ticket(central: Engine, cache: Engine) -> None:
    ids = _seed(central, customers=1)
    refresher = CacheRefresher(central, cache)
    refresher.refresh()
    _desk_creates_ticket(cache, number="T-LOCAL", at=AT)  # the cache's ids now differ from the central ones
    for n in range(3):
        _apply(central, changes.ticket_created(number=f"T-FILL-{n}", at=AT))
    ringing = changes.call_ringing(
        direction="inbound", caller_number="+79120000000", ringing_at=AT, operator_id=ids["op"]
    )
    created = changes.ticket_created(number="T-4", at=AT, call_uid=ringing[1]["uid"])
    comment = changes.ticket_event(created[1]["uid"], "comment", {"text": "called back"}, AT)
    for change in (ringing, created, comment):
        assert _apply(central, change) is Outcome.APPLIED

    refresher.refresh()

    local_ticket = _cache_ticket(cache, created[1]["uid"]).id
    with central.connect() as conn:
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
    _apply(central, changes.call_ended(ringing[1]["uid"], AT + timedelta(minutes=3), "answered"))
    row = refresher.apply_notice(ChangeNotice("calls", "update", None, ringing[1]["uid"], None))
    assert row == CachedRow("calls", call.id, ringing[1]["uid"])
    with cache.connect() as conn:
        assert conn.scalar(select(t.calls.c.outcome).where(t.calls.c.id == call.id)) == "answered"


def test_reference_rows_gone_centrally_are_deleted_unless_the_cache_refers_to_them(
    central: Engine, cache: Engine
) -> None:
    ids = _seed(central, customers=1)
    unused = _sql(central, "INSERT INTO priorities (name, rank) VALUES ('Low', 9) RETURNING id")
    refresher = CacheRefresher(central, cache)
    refresher.refresh()
    # a desk ticket on that line, not sent yet
    _, _, local_id = _desk_creates_ticket(cache, number="T-5", at=AT)
    with cache.begin() as conn:
        conn.execute(t.tickets.update().where(t.tickets.c.id == local_id).values(line_id=ids["line"]))
    _sql(central, "DELETE FROM priorities WHERE id = :id", id=unused)
    _sql(central, "DELETE FROM scripts")
    _sql(central, "DELETE FROM line_numbers")
    _sql(central, "DELETE FROM lines WHERE id = :id", id=ids["line"])

    report = refresher.refresh()

    assert report.rows == {"priorities": 1, "scripts": 1, "line_numbers": 1}
    assert _count(cache, "lines") == 1  # still referenced by the desk's ticket
    assert _rows(cache, "priorities") == _rows(central, "priorities")


def test_operator_states_are_copied_and_a_notice_updates_one(central: Engine, cache: Engine) -> None:
    ids = _seed(central, customers=1)
    _sql(
        central,
        "INSERT INTO operator_states (operator_id, status, since, updated_at) VALUES (:o, 'ready', :at, :at)",
        o=ids["op"],
        at=AT,
    )
    refresher = CacheRefresher(central, cache)
    assert refresher.refresh().rows.get("operator_states") == 1
    _sql(
        central,
        "UPDATE operator_states SET status = 'break', reason = 'lunch', updated_at = :at WHERE operator_id = :o",
        o=ids["op"],
        at=AT + timedelta(minutes=1),
    )

    row = refresher.apply_notice(ChangeNotice("operator_states", "update", ids["op"], None, None))

    assert row == CachedRow("operator_states", ids["op"], None)
    assert _rows(cache, "operator_states") == _rows(central, "operator_states")


def test_refresh_customer_pulls_one_new_customer(central: Engine, cache: Engine) -> None:
    _seed(central, customers=2)
    refresher = CacheRefresher(central, cache)
    refresher.refresh()
    new_id = _sql(
        central,
        "INSERT INTO customers (contract_number, name, name_search, created_at, updated_at)"
        " VALUES ('CN-NEW', 'New', 'new', :at, :at) RETURNING id",
        at=AT,
    )
    _sql(central, "INSERT INTO customer_phones (customer_id, e164) VALUES (:c, '+79990000000')", c=new_id)

    refresher.refresh_customer(new_id)

    assert _rows(cache, "customers") == _rows(central, "customers")
    assert _rows(cache, "customer_phones") == _rows(central, "customer_phones")


def test_an_unreachable_central_database_is_reported_and_the_cache_stays_as_it_was(
    central: Engine, cache: Engine
) -> None:
    _seed(central, customers=3)
    CacheRefresher(central, cache).refresh()
    before = _rows(cache, "customers")
    nowhere = create_engine(URL.create("postgresql+psycopg", "nobody", "x", "127.0.0.1", 1, "frontline"))
    try:
        with pytest.raises(DatabaseUnavailable):
            CacheRefresher(nowhere, cache).refresh()
    finally:
        nowhere.dispose()
    assert _rows(cache, "customers") == before


# --- row-level security -------------------------------------------------------------------------------


@pytest.fixture
def logins(pg_server: URL) -> Iterator[Callable[[str], str]]:
    """Unique login names (roles are cluster-wide), dropped after the test."""
    made: list[str] = []

    def login(name: str) -> str:
        made.append(f"{name}_{uuid.uuid4().hex[:8]}")
        return made[-1]

    yield login
    engine = create_engine(pg_server, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as conn:
            for name in made:
                with contextlib.suppress(Exception):
                    conn.execute(text(f'DROP OWNED BY "{name}"'))
                    conn.execute(text(f'DROP ROLE IF EXISTS "{name}"'))
    finally:
        engine.dispose()


def test_an_operator_login_caches_only_the_tickets_of_their_department(
    central: Engine, central_url: URL, cache: Engine, logins: Callable[[str], str]
) -> None:
    _seed(central, customers=2)
    people = {"a": (logins("pull_a"), "Dept A"), "b": (logins("pull_b"), "Dept B")}
    op_ids = {}
    for key, (login, department) in people.items():
        add_operator(
            central,
            login=login,
            display_name=key,
            department=department,
            role=Role.OPERATOR,
            password=PASSWORD,
        )
        op_ids[key] = _sql(central, "SELECT id FROM operators WHERE login = :l", l=login)
    numbers = {}
    for key in ("a", "b"):
        created = changes.ticket_created(number=f"T-{key}", at=AT, created_by_id=op_ids[key])
        _apply(central, created)
        _apply(
            central,
            changes.call_ringing(
                direction="inbound", caller_number="+79120000001", ringing_at=AT, operator_id=op_ids[key]
            ),
        )
        numbers[key] = created[1]["number"]
    as_a = make_engine(central_url.set(username=people["a"][0], password=PASSWORD))
    try:
        report = CacheRefresher(as_a, cache).refresh()
    finally:
        as_a.dispose()

    with cache.connect() as conn:
        assert conn.scalars(select(t.tickets.c.number)).all() == [numbers["a"]]
        assert conn.scalars(select(t.calls.c.operator_id)).all() == [op_ids["a"]]
    assert report.rows["tickets"] == 1
    assert report.rows["ticket_events"] == 1
    assert _count(cache, "customers") == 2  # the customer directory is shared


def test_a_desk_save_committed_while_the_pending_uids_are_read_is_not_overwritten(
    central: Engine, cache: Engine
) -> None:
    _seed(central, customers=1)
    created = changes.ticket_created(number="T-RACE", at=AT)
    uid = created[1]["uid"]
    _apply(central, created)
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

    refresher = CacheRefresher(central, cache, pending_uids=pending_uids)
    refresher.refresh()
    calls[:] = [-1]
    _apply(central, changes.ticket_saved(uid, expected_version=1, fields={"subject": "theirs"}, at=AT))

    refresher.refresh()

    assert calls[:2] == [0, 1]  # read again after the desk's commit
    assert _cache_ticket(cache, uid).subject == "mine"


def test_a_notice_of_an_announcement_updates_it_in_the_cache(central: Engine, cache: Engine) -> None:
    ids = _seed(central, customers=1)
    refresher = CacheRefresher(central, cache)
    refresher.refresh()
    _sql(central, "UPDATE announcements SET text = 'Outage over' WHERE id = :id", id=ids["announcement"])
    notice = ChangeNotice("announcements", "update", ids["announcement"], None, None)

    assert refresher.apply_notice(notice) == CachedRow("announcements", ids["announcement"], None)
    assert _rows(cache, "announcements") == _rows(central, "announcements")
    assert refresher.apply_notice(notice) is None


def test_a_desk_clock_running_ahead_does_not_hide_later_changes(central: Engine, cache: Engine) -> None:
    _seed(central, customers=1)
    ahead = changes.ticket_created(number="T-AHEAD", at=datetime.now(UTC) + timedelta(days=1))
    _apply(central, ahead)
    refresher = CacheRefresher(central, cache)
    refresher.refresh()
    later = changes.ticket_created(number="T-LATER", at=datetime.now(UTC))
    _apply(central, later)

    assert refresher.refresh().rows.get("tickets") == 1
    assert _cache_ticket(cache, later[1]["uid"]).number == "T-LATER"


def test_a_save_made_offline_long_ago_and_applied_now_is_found_by_the_next_refresh(
    central: Engine, cache: Engine
) -> None:
    """A desk that was offline for an hour sends a save stamped an hour ago; desks that refreshed
    in between must still pick it up (the central clock stamps it when applied: 0006)."""
    ids = _seed(central)
    created = changes.ticket_created(number="T-OFF", at=datetime.now(UTC), customer_id=ids["customer"])
    assert _apply(central, created) is Outcome.APPLIED
    refresher = CacheRefresher(central, cache)
    refresher.refresh()
    saved_offline = changes.ticket_saved(
        created[1]["uid"],
        expected_version=1,
        fields={"subject": "Typed during the outage"},
        at=datetime.now(UTC) - timedelta(hours=1),
    )
    assert _apply(central, saved_offline) is Outcome.APPLIED

    assert refresher.refresh().rows.get("tickets") == 1
    cached = _cache_ticket(cache, created[1]["uid"])
    assert (cached.subject, cached.version) == ("Typed during the outage", 2)
