"""The replicator drains the outbox, waits out an outage with backoff, surfaces conflicts;
the listener delivers other desks' changes through NOTIFY and survives a server restart.

Each desk applies with its operator's own login and listens as one (`central_site`: a1, a2 of
department A); what arrived is read back as their shift lead."""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable, Iterator
from datetime import UTC, datetime

import pytest
from sqlalchemy import Engine, select
from sqlalchemy.engine import URL
from sqlalchemy.exc import OperationalError

from app.storage.database import make_engine
from app.sync import changes
from app.sync import tables as t
from app.sync.applier import Applier, Conflict
from app.sync.notify import ChangeListener, ChangeNotice, libpq_conninfo
from app.sync.outbox import Change, Outbox
from app.sync.replicator import Replicator, SyncStatus
from tests.fixtures.central import CentralSite
from tests.fixtures.site_on_server import central_site_on
from tests.sync.conftest import RestartableServer

pytestmark = pytest.mark.pg

NOW = datetime(2026, 11, 22, 9, 0, tzinfo=UTC)


class Desk:
    """One workstation's sync stack: outbox + replicator against the central database."""

    def __init__(self, outbox: Outbox, engine: Engine) -> None:
        self.outbox = outbox
        self.statuses: list[SyncStatus] = []
        self.conflicts: list[tuple[Change, Conflict]] = []
        self.replicator = Replicator(
            outbox,
            Applier(engine),
            on_status=self.statuses.append,
            on_conflict=lambda change, conflict: self.conflicts.append((change, conflict)),
            max_backoff=0.5,
        )
        outbox.on_append = self.replicator.wake
        self.replicator.start()

    def write(self, change: changes.PendingChange) -> str:
        self.outbox.append(*change)
        return str(change[1]["uid"])

    def sync(self) -> None:
        assert self.replicator.wait_idle(30), self.replicator.status


@pytest.fixture
def desks(
    central_site: CentralSite, outbox_factory: Callable[[str], Outbox]
) -> Iterator[Callable[[str], Desk]]:
    """``desks("a1")``: a desk signed in as that operator of `central_site`."""
    made: list[Desk] = []

    def desk(who: str) -> Desk:
        made.append(Desk(outbox_factory(who), central_site.engine(who)))
        return made[-1]

    yield desk
    for d in made:
        d.replicator.stop()


def _engine_on(url: URL) -> Engine:
    return make_engine(url, connect_args={"connect_timeout": 2})


def _ringing(site: CentralSite, who: str, caller: str) -> changes.PendingChange:
    return changes.call_ringing(
        direction="inbound", caller_number=caller, ringing_at=NOW, operator_id=site.ids[who]
    )


@pytest.mark.expect_log("app.sync.replicator", "changed meanwhile")
def test_two_desks_editing_one_ticket_surface_a_conflict(
    central_site: CentralSite, desks: Callable[[str], Desk]
) -> None:
    a, b = desks("a1"), desks("a2")
    uid = a.write(changes.ticket_created(number="A-10", at=NOW, created_by_id=central_site.ids["a1"]))
    a.sync()
    # Both desks opened the ticket at version 1; A saves first, then B.
    a.write(changes.ticket_saved(uid, expected_version=1, fields={"subject": "from A"}, at=NOW))
    a.sync()
    b.write(changes.ticket_saved(uid, expected_version=1, fields={"subject": "from B"}, at=NOW))
    b.sync()

    with central_site.engine("lead").connect() as conn:
        subject, version = conn.execute(
            select(t.tickets.c.subject, t.tickets.c.version).where(t.tickets.c.uid == uid)
        ).one()
    assert (subject, version) == ("from A", 2)  # B did not overwrite A
    ((change, conflict),) = b.conflicts
    assert conflict.mine == {"subject": "from B"}
    assert conflict.theirs["subject"] == "from A"
    assert conflict.current_version == 2
    (stored,) = b.outbox.conflicts()  # what the UI lists, after a restart too
    assert stored.key == change.key
    assert stored.conflict is not None
    assert stored.conflict["theirs"]["subject"] == "from A"
    assert b.outbox.pending_count() == 0
    assert a.conflicts == []


def test_an_outage_shows_offline_then_catches_up(
    restartable_pg: RestartableServer, outbox_factory: Callable[[str], Outbox]
) -> None:
    with central_site_on(restartable_pg.url) as site:
        engine = _engine_on(site.url_of("a1"))
        restartable_pg.stop()
        try:
            desk = Desk(outbox_factory("outage"), engine)
            uids = [desk.write(_ringing(site, "a1", "101")) for _ in range(300)]
            assert not desk.replicator.wait_idle(1.0)
            assert desk.replicator.status.state == "offline"
            assert desk.replicator.status.text == "offline — 300 changes waiting"
            restartable_pg.start()
            desk.sync()
            desk.replicator.stop()
            texts = [s.text for s in desk.statuses]
            assert "offline — 300 changes waiting" in texts
            assert any(text.startswith("catching up ") and text.endswith("/300") for text in texts)
            assert texts[-1] == "online"
            with site.engine("lead").connect() as conn:
                assert set(conn.scalars(select(t.calls.c.uid))) == set(uids)
        finally:
            if not _is_up(site.url):
                restartable_pg.start()
            engine.dispose()


def _is_up(url: URL) -> bool:
    engine = _engine_on(url)
    try:
        with engine.connect():
            return True
    except OperationalError:
        return False
    finally:
        engine.dispose()


def test_a_change_on_one_desk_reaches_the_other_desks_listener(
    central_site: CentralSite, desks: Callable[[str], Desk]
) -> None:
    notices: queue.Queue[ChangeNotice] = queue.Queue()
    listener = ChangeListener(libpq_conninfo(central_site.url_of("a2")), notices.put)
    listener.start()
    try:
        assert listener.wait_listening(10)
        a = desks("a1")
        uid = a.write(changes.ticket_created(number="A-20", at=NOW, created_by_id=central_site.ids["a1"]))
        notice = notices.get(timeout=10)
        assert (notice.table, notice.op, notice.uid, notice.version) == ("tickets", "insert", uid, 1)
        a.write(changes.ticket_saved(uid, expected_version=1, fields={"subject": "x"}, at=NOW))
        notice = notices.get(timeout=10)
        assert (notice.table, notice.op, notice.uid, notice.version) == ("tickets", "update", uid, 2)
    finally:
        listener.stop()


def test_the_listener_reconnects_after_a_server_restart(
    restartable_pg: RestartableServer, outbox_factory: Callable[[str], Outbox]
) -> None:
    with central_site_on(restartable_pg.url) as site:
        notices: queue.Queue[ChangeNotice] = queue.Queue()
        resynced = threading.Event()
        listener = ChangeListener(
            libpq_conninfo(site.url_of("a2")), notices.put, on_resync=resynced.set, max_backoff=0.5
        )
        listener.start()
        engine = _engine_on(site.url_of("a1"))
        desk = Desk(outbox_factory("restart"), engine)
        try:
            assert listener.wait_listening(10)
            restartable_pg.stop()
            restartable_pg.start()
            assert resynced.wait(15)
            uid = desk.write(_ringing(site, "a1", "102"))
            notice = notices.get(timeout=15)
            assert (notice.table, notice.uid) == ("calls", uid)
        finally:
            desk.replicator.stop()
            listener.stop()
            engine.dispose()
