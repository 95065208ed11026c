"""The new-customer form against a real SQLite database and the real CustomerService on the
database worker: the caller's number pre-filled, creation by keyboard alone, the new customer
found by its number, hostile names kept literal, a refused phone highlighted, and an unreachable
database that loses nothing."""

from __future__ import annotations

import asyncio
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from app.services.customers import CustomerService
from app.services.database_worker import DatabaseWorker, awaited
from app.services.lookup import LookupService
from app.services.new_customer import CUSTOMER_FIELDS
from app.services.ports import CustomerPort
from app.storage.database import make_engine
from app.storage.schema import Customer
from app.tickets.cards import CustomerCard
from app.ui.customer_card import CustomerCardView
from app.ui.new_customer_form import NewCustomerForm

pytestmark = pytest.mark.gui

CALLER = "+79123456789"


@dataclass
class Desk:
    engine: Engine
    customers: CustomerPort
    lookup: LookupService
    worker: DatabaseWorker

    def count(self) -> int:
        with Session(self.engine) as s:
            return s.scalar(select(func.count()).select_from(Customer)) or 0


@pytest.fixture
def desk(migrated_db: Path, tmp_path: Path, worker: DatabaseWorker) -> Iterator[Desk]:
    path = tmp_path / "frontline.sqlite3"
    shutil.copyfile(migrated_db, path)
    engine = make_engine(f"sqlite:///{path}")
    service = CustomerService(engine, "RU")
    yield Desk(engine, awaited(worker, service, CustomerPort), LookupService(engine, "RU"), worker)
    engine.dispose()


def _form(qtbot: QtBot, customers: CustomerPort, phone: str = CALLER) -> NewCustomerForm:
    form = NewCustomerForm(customers, operator_login="ivanov")
    qtbot.addWidget(form)
    form.resize(600, 420)
    form.show()
    qtbot.waitExposed(form)
    handle = form.windowHandle()
    assert handle is not None
    handle.requestActivate()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is form, timeout=2000)
    form.start(phone)
    return form


def _create_by_keyboard(qtbot: QtBot, form: NewCustomerForm) -> None:
    focused = QApplication.focusWidget()
    assert focused is not None
    qtbot.keyClick(
        focused, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier
    )


def test_the_callers_number_is_filled_in_and_the_focus_is_on_the_name(
    qtbot: QtBot, event_loop_qt: asyncio.AbstractEventLoop, desk: Desk
) -> None:
    form = _form(qtbot, desk.customers)
    assert form.phone.text() == "+7 912 345-67-89"
    assert not form.phone.isReadOnly()
    assert QApplication.focusWidget() is form.name
    assert all(form.values()[f] == "" for f in CUSTOMER_FIELDS if f != "phone")
    assert form.create_action.isEnabled()
    assert form.create_action.shortcut().toString() == "Ctrl+Shift+N"


def test_keyboard_alone_creates_a_customer_the_lookup_then_finds(
    qtbot: QtBot, event_loop_qt: asyncio.AbstractEventLoop, desk: Desk
) -> None:
    form = _form(qtbot, desk.customers)
    # QTest types ASCII only; Cyrillic goes in as the input method would deliver it.
    qtbot.keyClicks(form.name, "Anna ")
    form.name.insert("Петрова")
    qtbot.keyClick(form, Qt.Key.Key_D, Qt.KeyboardModifier.AltModifier)
    assert QApplication.focusWidget() is form.address
    qtbot.keyClicks(form.address, "1 Lenin St, Tver")
    qtbot.keyClick(form, Qt.Key.Key_G, Qt.KeyboardModifier.AltModifier)
    assert QApplication.focusWidget() is form.region
    form.region.insert("Тверская область")
    qtbot.keyClick(form.region, Qt.Key.Key_Tab)
    assert QApplication.focusWidget() is form.notes
    qtbot.keyClicks(form.notes, "Prefers calls after 18:00")

    with qtbot.waitSignal(form.created, timeout=5000) as done:
        _create_by_keyboard(qtbot, form)

    card = done.args[0]
    assert isinstance(card, CustomerCard)
    assert (card.name, card.region, card.phones) == ("Anna Петрова", "Тверская область", (CALLER,))
    assert (card.address, card.notes) == ("1 Lenin St, Tver", "Prefers calls after 18:00")
    assert card.contract_number in form.message.text()
    assert form.message.property("error") is False
    assert desk.lookup.lookup("8 912 345 67 89").customers == (card,)
    # Done: pressing the keys again does not create the same customer twice.
    assert not form.create_action.isEnabled()
    _create_by_keyboard(qtbot, form)
    assert desk.count() == 1


def test_a_phone_only_customer_and_a_second_one_on_the_same_number(
    qtbot: QtBot, event_loop_qt: asyncio.AbstractEventLoop, desk: Desk
) -> None:
    form = _form(qtbot, desk.customers)
    with qtbot.waitSignal(form.created, timeout=5000) as first:
        _create_by_keyboard(qtbot, form)
    assert first.args[0].name == "+7 912 345-67-89"

    form.start(CALLER)  # a family member on the same line
    form.name.insert("Пётр Петров")
    with qtbot.waitSignal(form.created, timeout=5000) as second:
        _create_by_keyboard(qtbot, form)
    found = desk.lookup.lookup(CALLER).customers
    assert {c.id for c in found} == {first.args[0].id, second.args[0].id}


HOSTILE_NAME = "<b>Boss</b><img src=x onerror=alert(1)> & \u202eevil \"q\" 'q' " + "Я" * 120


def test_hostile_names_are_stored_and_shown_literally(
    qtbot: QtBot, event_loop_qt: asyncio.AbstractEventLoop, desk: Desk
) -> None:
    form = _form(qtbot, desk.customers)
    form.name.setText(HOSTILE_NAME)
    form.notes.setPlainText("<script>alert('x')</script>\nمرحبا")
    with qtbot.waitSignal(form.created, timeout=5000) as done:
        form.create_action.trigger()
    card = done.args[0]
    assert card.name == HOSTILE_NAME.strip()
    assert form.message.textFormat() is Qt.TextFormat.PlainText
    assert HOSTILE_NAME.strip() in form.message.text()
    view = CustomerCardView()
    qtbot.addWidget(view)
    view.show_card(desk.lookup.lookup(CALLER).customers[0])
    assert view.name.text() == HOSTILE_NAME.strip()
    assert view.name.textFormat() is Qt.TextFormat.PlainText
    assert view.notes.text() == "<script>alert('x')</script>\nمرحبا"


def test_an_invalid_phone_is_highlighted_and_every_value_kept(
    qtbot: QtBot, event_loop_qt: asyncio.AbstractEventLoop, desk: Desk
) -> None:
    form = _form(qtbot, desk.customers)
    qtbot.keyClicks(form.name, "Anna")
    form.region.setText("Тверская область")
    form.phone.setText("12 34 5")  # too short for a number, too long for an extension
    typed = form.values()

    with qtbot.waitSignal(form.failed, timeout=5000) as failed:
        _create_by_keyboard(qtbot, form)

    assert "12 34 5" in failed.args[0]
    assert form.invalid() == ("phone",)
    assert form.phone.property("missing") is True
    assert form.labels["phone"].property("missing") is True
    assert form.labels["name"].property("missing") is not True
    assert form.phone.accessibleDescription()
    assert QApplication.focusWidget() is form.phone
    assert form.message.property("error") is True
    assert form.values() == typed
    assert desk.count() == 0

    # Fixing the number clears the mark; the next try succeeds.
    form.phone.selectAll()
    qtbot.keyClicks(form.phone, "8 912 345 67 89")
    assert form.invalid() == ()
    with qtbot.waitSignal(form.created, timeout=5000):
        _create_by_keyboard(qtbot, form)
    assert desk.count() == 1


def test_an_empty_phone_is_asked_for(
    qtbot: QtBot, event_loop_qt: asyncio.AbstractEventLoop, desk: Desk
) -> None:
    form = _form(qtbot, desk.customers, phone="")
    with qtbot.waitSignal(form.failed, timeout=5000):
        form.create_action.trigger()
    assert form.invalid() == ("phone",)
    assert "phone number" in form.message.text()


def test_an_unreachable_database_keeps_every_value_and_allows_a_retry(
    qtbot: QtBot,
    event_loop_qt: asyncio.AbstractEventLoop,
    desk: Desk,
    unused_tcp_port: int,
) -> None:
    # A real refused connection: nothing listens on the port.
    dead = make_engine(f"postgresql://nobody@127.0.0.1:{unused_tcp_port}/frontline?connect_timeout=2")
    form = _form(qtbot, awaited(desk.worker, CustomerService(dead, "RU"), CustomerPort))
    form.name.insert("Анна Петрова")
    form.address.setText("г. Тверь")
    form.notes.setPlainText("Calls after 18:00")
    typed = form.values()

    with qtbot.waitSignal(form.failed, timeout=15_000) as failed:
        _create_by_keyboard(qtbot, form)

    assert "PostgreSQL" in failed.args[0]
    assert "Not created" in form.message.text()
    assert form.message.property("error") is True
    assert form.values() == typed
    assert form.invalid() == ()
    assert form.create_action.isEnabled()  # ready to retry
    dead.dispose()


def test_every_field_has_a_label_with_its_own_mnemonic(qtbot: QtBot, desk: Desk) -> None:
    form = NewCustomerForm(desk.customers)
    qtbot.addWidget(form)
    texts = [form.labels[f].text() for f in CUSTOMER_FIELDS] + [form.create_action.text()]
    letters = [t[t.index("&") + 1].lower() for t in texts]
    assert len(set(letters)) == len(letters), texts
    assert all(form.labels[f].buddy() is form.fields[f] for f in CUSTOMER_FIELDS)
    assert form.name.maxLength() == 200 and form.region.maxLength() == 100
