"""A change the central database refuses is never shown as saved: the operator is told in words,
the ticket's form, its tab, the unfinished list and the card's open tickets are marked until the
change goes through.  Real PostgreSQL (the desk as operator a1, IT's mistake and its fix as the
owner), the desk's real sync and cache, its tabs and card under pytest-qt."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot
from sqlalchemy import select, text

from app.demo.data import generate_demo_data
from app.services.database_worker import DatabaseWorker, awaited
from app.services.lookup import LookupService
from app.services.ports import LookupPort, SyncPort, TicketPort
from app.services.sync_conflicts import ConflictService
from app.storage.schema import Customer, Line
from app.sync.desk import DeskSync
from app.ui.customer_card import CustomerCardView
from app.ui.live_updates import LiveUpdates
from app.ui.sync_status import SyncEvents, SyncStatusLabel
from app.ui.ticket_tabs import TicketTabs
from tests.fixtures.central import CentralSite
from tests.fixtures.desks import desk_ticket_service

pytestmark = [pytest.mark.gui, pytest.mark.pg]

WAIT_MS = 15_000


@pytest.fixture
def desk(central_site: CentralSite, tmp_path: Path) -> Iterator[tuple[DeskSync, SyncEvents]]:
    """Desk a1 on demo data IT loaded, its sync's signals going to the window's `SyncEvents`."""
    generate_demo_data(central_site.engine("owner"), customers=20, seed=7, default_region="RU")
    events = SyncEvents()
    sync = DeskSync(
        central_site.url_of("a1").render_as_string(hide_password=False),
        tmp_path / "a1.sqlite3",
        on_state=events.emit_state,
        on_rows=events.emit_rows,
        on_conflict=events.emit_conflict,
        on_refused=events.emit_refused,
    )
    sync.prepare()
    try:
        yield sync, events
    finally:
        sync.stop()


def _as_owner(site: CentralSite, statement: str) -> None:
    with site.engine("owner").begin() as conn:
        conn.execute(text(statement))


@pytest.mark.expect_log(
    "app.sync.replicator", "refused by the central database: permission denied", level="ERROR"
)
def test_a_refused_ticket_is_marked_and_the_operator_told_until_it_goes_through(
    qtbot: QtBot,
    event_loop_qt: asyncio.AbstractEventLoop,
    central_site: CentralSite,
    desk: tuple[DeskSync, SyncEvents],
    worker: DatabaseWorker,
    tmp_path: Path,
) -> None:
    sync, events = desk
    a1 = central_site.logins["a1"]
    tickets = desk_ticket_service(sync, tmp_path / "numbers.sqlite3")
    port = awaited(worker, tickets, TicketPort)
    tabs = TicketTabs(port, operator_login=a1)
    qtbot.addWidget(tabs)
    tabs.set_reference_data(tickets.reference_data())
    card, label = CustomerCardView(), SyncStatusLabel()
    live = LiveUpdates(
        events,
        lookup=awaited(worker, LookupService(sync.cache, default_region="RU"), LookupPort),
        card=card,
        label=label,
        sync=awaited(worker, ConflictService(sync.cache, sync.outbox, tickets), SyncPort),
        tickets=port,
        ticket_tabs=tabs,
    )
    tabs.show()
    try:
        _as_owner(central_site, "REVOKE INSERT ON ticket_events FROM frontline_operator")  # IT's mistake
        with sync.cache.connect() as conn:
            customer = conn.scalar(select(Customer.id).order_by(Customer.id).limit(1))
            line = conn.scalar(select(Line.id).order_by(Line.id).limit(1))
        view = tickets.create_for_call(None, customer, line, a1)  # what answering a call does
        form = tabs.open_ticket(view)
        with qtbot.waitSignal(live.message, timeout=WAIT_MS) as told:
            sync.start()
        assert f"refused ticket {view.number}" in told.args[0]
        assert "permission denied for table ticket_events" in told.args[0]

        qtbot.waitUntil(form.refusal.isVisible, timeout=WAIT_MS)
        assert "Not in the central database" in form.refusal.text()
        assert "⚠" in tabs.tabText(tabs.indexOf(form))
        assert "Refused by the central database" in tabs.tabToolTip(tabs.indexOf(form))
        assert tabs.is_unfinished(form)  # on the operator's unfinished list until it goes through
        assert "refused by the central database: 1" in label.text()
        with sync.cache.connect() as conn:
            contract = conn.scalar(select(Customer.contract_number).where(Customer.id == customer))
        (found,) = LookupService(sync.cache, default_region="RU").lookup(contract).customers
        card.show_card(found)  # the caller's card, with this ticket among the open ones
        row = next(r for r in range(card.tickets.rowCount()) if card.tickets.item(r, 0).text() == view.number)
        assert "refused by the central database" in card.tickets.item(row, 1).text()

        # IT puts the grant back; the desk sends it again (here at once, else within minutes).
        _as_owner(central_site, "GRANT INSERT ON ticket_events TO frontline_operator")
        sync.replicator.retry_refused()
        qtbot.waitUntil(lambda: not form.refusal.isVisible(), timeout=WAIT_MS)
        assert "⚠" not in tabs.tabText(tabs.indexOf(form))
        assert "refused" not in label.text()
        with central_site.engine("lead").connect() as conn:
            assert (
                conn.scalar(text("SELECT count(*) FROM tickets WHERE number = :n"), {"n": view.number}) == 1
            )
    finally:
        live.shutdown()
