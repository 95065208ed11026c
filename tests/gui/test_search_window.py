"""The first window against a real SQLite database: search by any number format, keyboard
navigation, plain-text rendering and the database state in the status bar."""

from __future__ import annotations

import asyncio

import phonenumbers
import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot
from sqlalchemy import Engine, text

from app.services.database_health import DatabaseHealth
from app.services.database_worker import DatabaseWorker, awaited
from app.services.lookup import LookupService
from app.services.ports import DatabaseHealthPort, LookupPort
from app.storage.database import make_engine
from app.thread_rules import Role, take_role
from app.tickets.cards import LookupResult
from app.tickets.phones import format_phone
from app.ui.main_window import MainWindow
from tests.gui.desks import show_active

pytestmark = pytest.mark.gui


def _window(qtbot: QtBot, engine: Engine, worker: DatabaseWorker) -> MainWindow:
    take_role(Role.GUI)  # the window's thread: no database I/O on it (app.thread_rules)
    window = MainWindow(
        lookup=awaited(worker, LookupService(engine, default_region="RU"), LookupPort),
        health=awaited(worker, DatabaseHealth(engine), DatabaseHealthPort),
        company="Test Telecom",
    )
    show_active(qtbot, window)
    return window


def _a_customer_phone(engine: Engine) -> tuple[str, str]:
    """(E.164 number, contract number) of a demo customer whose number nobody else shares."""
    with engine.connect() as conn:
        row = conn.execute(
            text(
                "SELECT p.e164, c.contract_number FROM customer_phones p"
                " JOIN customers c ON c.id = p.customer_id"
                " WHERE p.e164 LIKE '+7%'"
                " AND (SELECT count(*) FROM customer_phones q WHERE q.e164 = p.e164) = 1"
                " ORDER BY p.id LIMIT 1"
            )
        ).one()
    return row[0], row[1]


def _national_format(e164: str) -> str:
    # "8 (912) 345-67-89": the way Russian callers dictate their number.
    return phonenumbers.format_number(phonenumbers.parse(e164), phonenumbers.PhoneNumberFormat.NATIONAL)


def test_a_number_in_national_format_finds_the_customer_and_fills_the_card(
    qtbot: QtBot, event_loop_qt: asyncio.AbstractEventLoop, demo_engine: Engine, worker: DatabaseWorker
) -> None:
    e164, contract = _a_customer_phone(demo_engine)  # before the window: not on its thread
    window = _window(qtbot, demo_engine, worker)
    with qtbot.waitSignal(window.search.lookup_finished, timeout=5000) as blocker:
        qtbot.keyClicks(window.search.query, _national_format(e164))
        qtbot.keyClick(window.search.query, Qt.Key.Key_Return)
    result = blocker.args[0]
    assert isinstance(result, LookupResult)
    assert [c.contract_number for c in result.customers] == [contract]  # the number is nobody else's
    assert window.search.results.count() == 1
    assert window.card.card is not None
    assert window.card.contract.text() == contract
    assert format_phone(e164) in window.card.phones.text()


def test_keyboard_alone_finds_and_opens_a_customer(
    qtbot: QtBot, event_loop_qt: asyncio.AbstractEventLoop, demo_engine: Engine, worker: DatabaseWorker
) -> None:
    _e164, contract = _a_customer_phone(demo_engine)  # before the window: not on its thread
    window = _window(qtbot, demo_engine, worker)
    window.card.setFocus()
    qtbot.keyClick(window, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    assert QApplication.focusWidget() is window.search.query
    with qtbot.waitSignal(window.search.lookup_finished, timeout=5000):
        qtbot.keyClicks(window.search.query, contract)
        qtbot.keyClick(window.search.query, Qt.Key.Key_Return)
    qtbot.keyClick(window.search.query, Qt.Key.Key_Down)
    assert QApplication.focusWidget() is window.search.results
    with qtbot.waitSignal(window.search.customer_opened, timeout=2000) as opened:
        qtbot.keyClick(window.search.results, Qt.Key.Key_Return)
    assert opened.args[0].contract_number == contract
    assert window.card.contract.text() == contract
    assert QApplication.focusWidget() is window.card.tickets


def test_typing_searches_after_a_pause_and_shows_only_the_latest_answer(
    qtbot: QtBot, event_loop_qt: asyncio.AbstractEventLoop, demo_engine: Engine, worker: DatabaseWorker
) -> None:
    _e164, contract = _a_customer_phone(demo_engine)  # before the window: not on its thread
    window = _window(qtbot, demo_engine, worker)
    with qtbot.waitSignal(window.search.lookup_finished, timeout=5000) as blocker:
        qtbot.keyClicks(window.search.query, contract)  # no Enter: the debounce timer fires
    assert blocker.args[0].query == contract
    assert [c.contract_number for c in blocker.args[0].customers] == [contract]


def test_unknown_number_says_so(
    qtbot: QtBot, event_loop_qt: asyncio.AbstractEventLoop, demo_engine: Engine, worker: DatabaseWorker
) -> None:
    window = _window(qtbot, demo_engine, worker)
    with qtbot.waitSignal(window.search.lookup_finished, timeout=5000) as blocker:
        window.search.search_for("+7 999 000-00-01")
    assert blocker.args[0].customers == ()
    assert window.search.results.count() == 0
    assert "No customer found" in window.search.summary.text()
    assert window.card.card is None


def test_status_bar_shows_the_embedded_database(
    qtbot: QtBot, event_loop_qt: asyncio.AbstractEventLoop, demo_engine: Engine, worker: DatabaseWorker
) -> None:
    window = _window(qtbot, demo_engine, worker)
    with qtbot.waitSignal(window.database_status_changed, timeout=5000) as blocker:
        window.refresh_database_status()
    assert blocker.args[0].ok
    assert "SQLite" in window.db_label.text()


def test_status_bar_says_when_the_database_is_unreachable(
    qtbot: QtBot, event_loop_qt: asyncio.AbstractEventLoop, worker: DatabaseWorker, unused_tcp_port: int
) -> None:
    # A real connection attempt to a port where nothing listens: refused at once.
    engine = make_engine(f"postgresql://nobody@127.0.0.1:{unused_tcp_port}/frontline?connect_timeout=2")
    window = _window(qtbot, engine, worker)
    with qtbot.waitSignal(window.database_status_changed, timeout=10_000) as blocker:
        window.refresh_database_status()
    status = blocker.args[0]
    assert not status.ok
    assert "unavailable" in window.db_label.text()
    engine.dispose()
