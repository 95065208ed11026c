"""Two desks on one central PostgreSQL: what desk A saves, desk B's window shows, through
LISTEN/NOTIFY into B's cache and on to the card on B's screen (no polling).  Real PostgreSQL, two
`DeskSync`s with their own cache files, B's real `MainWindow` under pytest-qt.

As a site runs it (`central_site`): IT loads the demo data as the owner role; desk A is signed in
as operator a1, desk B as a2 (both of department A: row-level security lets each see the other's
tickets), the announcement comes from their shift lead."""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, Protocol

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot
from sqlalchemy import insert, select

from app.demo.data import generate_demo_data
from app.services.database_health import DatabaseHealth
from app.services.database_worker import DatabaseWorker, awaited
from app.services.lookup import LookupService
from app.services.ports import DatabaseHealthPort, LookupPort, SyncPort, TicketPort
from app.services.sync_conflicts import ConflictService
from app.storage.schema import Announcement, Customer, Line, Ticket
from app.sync.desk import DeskSync
from app.thread_rules import Role, take_role
from app.ui.customer_card import CustomerCardView
from app.ui.live_updates import LiveUpdates
from app.ui.main_window import MainWindow
from app.ui.sync_status import SyncEvents, SyncStatusLabel
from app.ui.ticket_tabs import TicketTabs
from tests.fixtures.central import CentralSite
from tests.fixtures.desks import desk_ticket_service
from tests.gui.desks import on_worker

pytestmark = [pytest.mark.gui, pytest.mark.pg]

WAIT_MS = 15_000


class OpenDesk(Protocol):
    def __call__(self, who: str, events: SyncEvents | None, *, start: bool = True) -> DeskSync: ...


def _first(desk: DeskSync, column: Any) -> Any:
    with desk.cache.connect() as conn:
        return conn.scalar(select(column).order_by(column).limit(1))


@pytest.fixture
def site(central_site: CentralSite) -> CentralSite:
    """`central_site` with demo data, loaded by IT (`frontline demo-data` as the owner role)."""
    generate_demo_data(central_site.engine("owner"), customers=30, seed=11, default_region="RU")
    return central_site


@pytest.fixture
def desks(site: CentralSite, tmp_path: Path) -> Iterator[OpenDesk]:
    """``desks(who, events)``: a desk signed in as `who`'s own login (a key of `site.logins`)."""
    opened: list[DeskSync] = []

    def open_desk(who: str, events: SyncEvents | None, *, start: bool = True) -> DeskSync:
        desk = DeskSync(
            site.url_of(who).render_as_string(hide_password=False),
            tmp_path / f"{who}.sqlite3",
            on_state=events.emit_state if events else None,
            on_rows=events.emit_rows if events else None,
            on_conflict=events.emit_conflict if events else None,
        )
        opened.append(desk)
        desk.prepare()
        if start:
            desk.start()
            assert desk.listener.wait_listening(10)
        return desk

    yield open_desk
    for desk in opened:
        desk.stop()


def test_a_ticket_saved_on_desk_a_appears_on_desk_b_card(
    qtbot: QtBot,
    event_loop_qt: asyncio.AbstractEventLoop,
    site: CentralSite,
    desks: OpenDesk,
    worker: DatabaseWorker,
    tmp_path: Path,
) -> None:
    events = SyncEvents()
    desk_b = desks("a2", events)
    with desk_b.cache.connect() as conn:
        customer_id, contract, region = conn.execute(
            select(Customer.id, Customer.contract_number, Customer.region).order_by(Customer.id).limit(1)
        ).one()
    # Desk A, another workstation with its own cache (its work below runs on the worker: this
    # thread is desk B's window's from now on, and does no database I/O).
    desk_a = desks("a1", None)
    tickets_a = desk_ticket_service(desk_a, tmp_path / "a-numbers.sqlite3")
    a1 = site.logins["a1"]
    take_role(Role.GUI)  # the window's thread: no database I/O on it (app.thread_rules)
    window = MainWindow(
        lookup=awaited(worker, LookupService(desk_b.cache, default_region="RU"), LookupPort),
        health=awaited(worker, DatabaseHealth(desk_b.cache), DatabaseHealthPort),
        company="Test Telecom",
        sync_events=events,
    )
    qtbot.addWidget(window)
    window.show()
    with qtbot.waitSignal(window.search.lookup_finished, timeout=WAIT_MS):
        qtbot.keyClicks(window.search.query, contract)
        qtbot.keyClick(window.search.query, Qt.Key.Key_Return)
    assert window.card.card is not None and window.card.card.id == customer_id
    tickets_before = window.card.tickets.rowCount()

    # Desk A opens and saves a ticket for that customer.
    line_id = on_worker(worker, _first, desk_a, Line.id)
    created = on_worker(worker, tickets_a.create_for_call, None, customer_id, line_id, a1)
    on_worker(
        worker,
        tickets_a.save,
        created.id,
        dataclasses.replace(created.draft, subject="Fibre cut on Lenina st."),
        created.version,
        a1,
    )

    def b_shows_the_ticket() -> None:
        table = window.card.tickets
        texts = [table.item(r, c).text() for r in range(table.rowCount()) for c in range(table.columnCount())]
        assert created.number in texts
        assert "Fibre cut on Lenina st." in texts

    qtbot.waitUntil(b_shows_the_ticket, timeout=WAIT_MS)
    assert window.card.tickets.rowCount() == tickets_before + 1

    # Their shift lead announces an outage in the customer's region: B's card shows it too.
    def announce() -> None:
        with site.engine("lead").begin() as conn:
            conn.execute(
                insert(Announcement).values(
                    text="Outage in the district: engineers on site",
                    regions=[region] if region else [],
                    valid_from=datetime.now(UTC) - timedelta(minutes=1),
                    valid_to=datetime.now(UTC) + timedelta(hours=2),
                    created_by_id=site.ids["lead"],
                )
            )

    on_worker(worker, announce)
    qtbot.waitUntil(lambda: "Outage in the district" in window.card.announcements.text(), timeout=WAIT_MS)
    assert window.sync_label.text().endswith("online")
    window.close()  # stops its live updates while this test's event loop still runs


@pytest.mark.expect_log("app.sync.replicator", "changed meanwhile")
def test_a_save_set_aside_by_the_central_database_shows_both_versions_and_applies_on_request(
    qtbot: QtBot,
    event_loop_qt: asyncio.AbstractEventLoop,
    site: CentralSite,
    desks: OpenDesk,
    worker: DatabaseWorker,
    tmp_path: Path,
) -> None:
    a1, a2 = site.logins["a1"], site.logins["a2"]
    desk_a = desks("a1", None)
    tickets_a = desk_ticket_service(desk_a, tmp_path / "a-numbers.sqlite3")
    created = tickets_a.create_for_call(None, _first(desk_a, Customer.id), _first(desk_a, Line.id), a1)
    assert desk_a.replicator.wait_idle(WAIT_MS / 1000)

    # Desk B copied the ticket at version 1, then lost the network (not started: no sync threads).
    events = SyncEvents()
    desk_b = desks("a2", events, start=False)
    tickets_b = desk_ticket_service(desk_b, tmp_path / "b-numbers.sqlite3")
    with desk_b.cache.connect() as conn:
        b_ticket = tickets_b.get(conn.scalar(select(Ticket.id).where(Ticket.number == created.number)))
    assert (b_ticket.number, b_ticket.version) == (created.number, 1)
    port_b = awaited(worker, tickets_b, TicketPort)
    tabs = TicketTabs(port_b, operator_login=a2)
    qtbot.addWidget(tabs)
    tabs.set_reference_data(tickets_b.reference_data())
    form = tabs.open_ticket(b_ticket)
    live = LiveUpdates(
        events,
        lookup=awaited(worker, LookupService(desk_b.cache, default_region="RU"), LookupPort),
        card=CustomerCardView(),
        label=SyncStatusLabel(),
        sync=awaited(worker, ConflictService(desk_b.cache, desk_b.outbox, tickets_b), SyncPort),
        tickets=port_b,
        ticket_tabs=tabs,
    )
    tabs.show()

    # A saves first; B, offline, saves its own change over version 1 (fine on B's own cache).
    tickets_a.save(created.id, dataclasses.replace(created.draft, subject="Desk A: line fault"), 1, a1)
    assert desk_a.replicator.wait_idle(WAIT_MS / 1000)
    form.subject.setText("Desk B: billing question")
    with qtbot.waitSignal(form.saved, timeout=WAIT_MS):
        form.save_action.trigger()

    # B is back: the central database refuses the stale save and B's operator sees both.
    desk_b.start()
    qtbot.waitUntil(lambda: form.conflict_dialog is not None, timeout=WAIT_MS)
    dialog = form.conflict_dialog
    assert dialog is not None
    table = dialog.table
    rows = {
        table.item(r, 0).text(): (table.item(r, 1).text(), table.item(r, 2).text())
        for r in range(table.rowCount())
    }
    assert rows["Subject"] == ("Desk B: billing question", "Desk A: line fault")
    assert form.subject.text() == "Desk B: billing question"  # nothing typed is lost
    lead = site.engine("lead")  # what arrived, as their shift lead sees it
    try:
        with lead.connect() as conn:
            stored = conn.execute(
                select(Ticket.subject, Ticket.version).where(Ticket.number == created.number)
            ).one()
        assert tuple(stored) == ("Desk A: line fault", 2)  # not overwritten

        with qtbot.waitSignal(form.saved, timeout=WAIT_MS):
            dialog.apply_mine.click()
        qtbot.waitUntil(lambda: not desk_b.outbox.conflicts(), timeout=WAIT_MS)
        assert desk_b.replicator.wait_idle(WAIT_MS / 1000)
        with lead.connect() as conn:
            stored = conn.execute(
                select(Ticket.subject, Ticket.version, Ticket.updated_by_id).where(
                    Ticket.number == created.number
                )
            ).one()
        assert tuple(stored) == ("Desk B: billing question", 3, site.ids["a2"])
    finally:
        live.shutdown()
