"""Whatever a customer record holds is shown literally: markup, quotes, right-to-left text."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from app.tickets.cards import Announcement, CallSummary, CustomerCard, TicketSummary
from app.tickets.enums import CallDirection, CallOutcome, TicketStatus
from app.ui.customer_card import CustomerCardView

pytestmark = pytest.mark.gui

HOSTILE_NAMES = [
    "<b>Boss</b><img src=x onerror=alert(1)>",
    'O\'Brien "the" <Customer>',
    "مرحبا Иван & Co",  # right-to-left and Cyrillic mixed
    "x" * 400,
]


def _card(name: str) -> CustomerCard:
    now = datetime(2026, 11, 22, 9, 30, tzinfo=UTC)
    ticket = TicketSummary(
        number="T-1000-0013",
        subject="<i>No internet</i>",
        status=TicketStatus.IN_PROGRESS,
        priority="high",
        category="Internet",
        created_at=now,
        due_date=date(2026, 11, 23),
    )
    call = CallSummary(
        id=1,
        direction=CallDirection.INBOUND,
        caller_number="+79123456789",
        dialled_number="+74950000001",
        line="Internet",
        operator="anna",
        ringing_at=now,
        answered_at=now,
        ended_at=now,
        outcome=CallOutcome.ANSWERED,
        ticket_number="T-1000-0013",
    )
    return CustomerCard(
        id=1,
        contract_number="CN-000001",
        name=name,
        address="<script>",
        region="Moscow",
        service_plan=None,
        notes=None,
        phones=("+79123456789",),
        open_tickets=(ticket,),
        recent_calls=(call,),
    )


@pytest.mark.parametrize("name", HOSTILE_NAMES)
def test_names_and_fields_are_plain_text(qtbot: QtBot, name: str) -> None:
    view = CustomerCardView()
    qtbot.addWidget(view)
    view.show_card(_card(name))
    assert view.name.textFormat() == Qt.TextFormat.PlainText
    assert view.name.text() == name
    assert view.address.text() == "<script>"
    assert view.plan.text() == "—"
    assert view.tickets.item(0, 3).text() == "<i>No internet</i>"
    assert view.tickets.item(0, 0).text() == "T-1000-0013"
    assert view.calls.item(0, 1).text() == "+7 912 345-67-89"
    assert view.phones.text() == "+7 912 345-67-89"
    assert view.tabs.tabText(0) == "Open tickets (1)"


def test_an_outage_in_the_customers_region_is_shown_above_the_details(qtbot: QtBot) -> None:
    outage = Announcement(
        id=1,
        text="Outage in Moscow: <fibre cut>, repair by 18:00",
        regions=("Moscow",),
        valid_from=datetime(2026, 11, 22, 8, 0, tzinfo=UTC),
        valid_to=None,
    )
    view = CustomerCardView()
    qtbot.addWidget(view)
    view.show()
    view.show_card(replace(_card("Ivan"), announcements=(outage,)))
    assert view.announcements.isVisible()
    assert "Outage in Moscow: <fibre cut>, repair by 18:00" in view.announcements.text()
    view.show_card(_card("Petr"))
    assert not view.announcements.isVisible()


def test_clear_hides_the_previous_customer(qtbot: QtBot) -> None:
    view = CustomerCardView()
    qtbot.addWidget(view)
    view.show()
    view.show_card(_card("Ivan"))
    assert view.name.isVisible()
    view.clear("Nobody")
    assert view.card is None
    assert not view.name.isVisible()
    assert view.placeholder.text() == "Nobody"
