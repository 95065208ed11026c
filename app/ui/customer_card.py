"""The customer card: who the customer is, their open tickets and their last calls.

Every value a caller or a customer record could carry is shown as plain text: a display name
such as `<b>Boss</b>` must appear literally, never as markup.
"""

from __future__ import annotations

from datetime import UTC, datetime

from PySide6.QtCore import QCoreApplication, QDate, QDateTime, QLocale, Qt, QTime
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFormLayout,
    QGroupBox,
    QHeaderView,
    QLabel,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from app.services.ports import LookupPort
from app.tickets.cards import CallSummary, CustomerCard, TicketSummary
from app.tickets.enums import CallOutcome, TicketStatus
from app.tickets.phones import format_phone


def short_datetime(value: datetime) -> str:
    """Local date and time in the UI language's short format.  Naive values are UTC (SQLite)."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    local = value.astimezone()
    qt_value = QDateTime(QDate(local.year, local.month, local.day), QTime(local.hour, local.minute))
    return QLocale().toString(qt_value, QLocale.FormatType.ShortFormat)


async def refreshed_card(lookup: LookupPort, contract: str) -> CustomerCard | None:
    """The customer with contract number `contract` read again (None if no longer found)."""
    result = await lookup.lookup(contract)
    return next((c for c in result.customers if c.contract_number == contract), None)


def _plain_label() -> QLabel:
    label = QLabel()
    label.setTextFormat(Qt.TextFormat.PlainText)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    label.setWordWrap(True)
    return label


def status_text(status: TicketStatus) -> str:
    return {
        TicketStatus.NEW: QCoreApplication.translate("Status", "New"),
        TicketStatus.IN_PROGRESS: QCoreApplication.translate("Status", "In progress"),
        TicketStatus.ESCALATED: QCoreApplication.translate("Status", "Escalated"),
        TicketStatus.WAITING_CUSTOMER: QCoreApplication.translate("Status", "Waiting for customer"),
        TicketStatus.RESOLVED: QCoreApplication.translate("Status", "Resolved"),
        TicketStatus.CLOSED: QCoreApplication.translate("Status", "Closed"),
    }[status]


def outcome_text(outcome: CallOutcome | None) -> str:
    if outcome is None:
        return QCoreApplication.translate("Outcome", "in progress")
    return {
        CallOutcome.ANSWERED: QCoreApplication.translate("Outcome", "Answered"),
        CallOutcome.MISSED: QCoreApplication.translate("Outcome", "Missed"),
        CallOutcome.ABANDONED: QCoreApplication.translate("Outcome", "Abandoned"),
        CallOutcome.TRANSFERRED: QCoreApplication.translate("Outcome", "Transferred"),
        CallOutcome.REJECTED: QCoreApplication.translate("Outcome", "Rejected"),
    }[outcome]


def _table(headers: list[str]) -> QTableWidget:
    table = QTableWidget(0, len(headers))
    table.setHorizontalHeaderLabels(headers)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.verticalHeader().setVisible(False)
    table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    table.horizontalHeader().setStretchLastSection(True)
    return table


class CustomerCardView(QWidget):
    """Shows one `CustomerCard`; empty until `show_card` is called."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._card: CustomerCard | None = None
        self._refused: frozenset[str] = frozenset()  # ticket numbers the central database refused
        self.name = _plain_label()
        self.name.setObjectName("customerName")
        font = self.name.font()
        font.setPointSizeF(font.pointSizeF() * 1.4)
        font.setBold(True)
        self.name.setFont(font)
        self.contract = _plain_label()
        self.phones = _plain_label()
        self.address = _plain_label()
        self.region = _plain_label()
        self.plan = _plain_label()
        self.notes = _plain_label()

        self._details = QGroupBox(self.tr("Customer"))
        form = QFormLayout(self._details)
        form.addRow(self.tr("Contract:"), self.contract)
        form.addRow(self.tr("Phones:"), self.phones)
        form.addRow(self.tr("Address:"), self.address)
        form.addRow(self.tr("Region:"), self.region)
        form.addRow(self.tr("Plan:"), self.plan)
        form.addRow(self.tr("Notes:"), self.notes)

        self.tickets = _table([self.tr("Ticket"), self.tr("Status"), self.tr("Created"), self.tr("Subject")])
        self.tickets.setObjectName("openTickets")
        self.calls = _table(
            [self.tr("When"), self.tr("From"), self.tr("Line"), self.tr("Outcome"), self.tr("Ticket")]
        )
        self.calls.setObjectName("recentCalls")
        self.tabs = QTabWidget()
        # Both tabs in full, never behind scroll arrows: the card (and the window's left column)
        # is at least as wide as their titles, in every language.
        self.tabs.setUsesScrollButtons(False)
        self.tabs.addTab(self.tickets, self.tr("Open tickets"))
        self.tabs.addTab(self.calls, self.tr("Recent calls"))

        # Outages and notices for the customer's region: the first thing to tell the caller.
        self.announcements = _plain_label()
        self.announcements.setObjectName("announcements")
        self.announcements.setStyleSheet(
            "#announcements { background: #fde2e1; color: #7a0010; border: 1px solid #d32f2f; padding: 6px; }"
        )

        self.placeholder = _plain_label()
        self.placeholder.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.placeholder.setText(self.tr("Search for a customer by phone number, contract number or name."))

        layout = QVBoxLayout(self)
        layout.addWidget(self.placeholder)
        layout.addWidget(self.name)
        layout.addWidget(self.announcements)
        layout.addWidget(self._details)
        layout.addWidget(self.tabs, stretch=1)
        self._set_card_visible(False)

    @property
    def card(self) -> CustomerCard | None:
        return self._card

    def clear(self, message: str | None = None) -> None:
        self._card = None
        if message is not None:
            self.placeholder.setText(message)
        self._set_card_visible(False)

    def show_card(self, card: CustomerCard) -> None:
        self._card = card
        self.name.setText(card.name)
        self.contract.setText(card.contract_number)
        self.phones.setText(", ".join(format_phone(p) for p in card.phones) or "—")
        self.address.setText(card.address or "—")
        self.region.setText(card.region or "—")
        self.plan.setText(card.service_plan or "—")
        self.notes.setText(card.notes or "—")
        notices = [a.text for a in card.announcements]
        self.announcements.setText("\n".join(self.tr("⚠ {text}").format(text=t) for t in notices))
        self._fill_tickets(card.open_tickets)
        self._fill_calls(card.recent_calls)
        self.tabs.setTabText(0, self.tr("Open tickets ({count})").format(count=len(card.open_tickets)))
        self.tabs.setTabText(1, self.tr("Recent calls ({count})").format(count=len(card.recent_calls)))
        self._set_card_visible(True)

    def _set_card_visible(self, visible: bool) -> None:
        self.placeholder.setVisible(not visible)
        for w in (self.name, self._details, self.tabs):
            w.setVisible(visible)
        has_notices = bool(visible and self._card is not None and self._card.announcements)
        self.announcements.setVisible(has_notices)

    def set_refused(self, numbers: frozenset[str]) -> None:
        """Mark the open tickets (by number) the central database refused a change of."""
        if numbers != self._refused:
            self._refused = numbers
            if self._card is not None:
                self._fill_tickets(self._card.open_tickets)

    def _fill_tickets(self, tickets: tuple[TicketSummary, ...]) -> None:
        self.tickets.setRowCount(len(tickets))
        for row, t in enumerate(tickets):
            created = short_datetime(t.created_at)
            status = status_text(t.status)
            if t.number in self._refused:
                status = self.tr("{status} — refused by the central database").format(status=status)
            for col, text in enumerate((t.number, status, created, t.subject)):
                item = QTableWidgetItem(text)
                if t.number in self._refused:
                    item.setForeground(QColor("#b00020"))
                self.tickets.setItem(row, col, item)

    def _fill_calls(self, calls: tuple[CallSummary, ...]) -> None:
        self.calls.setRowCount(len(calls))
        for row, c in enumerate(calls):
            when = short_datetime(c.ringing_at)
            values = (
                when,
                format_phone(c.caller_number),
                c.line or "—",
                outcome_text(c.outcome),
                c.ticket_number or "—",
            )
            for col, text in enumerate(values):
                self.calls.setItem(row, col, QTableWidgetItem(text))
