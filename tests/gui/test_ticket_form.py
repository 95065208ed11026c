"""The ticket form against a real SQLite database and the real TicketService on the database worker:
required fields per transition (form first, service second), edit conflicts, an unreachable
database, hostile text and the keyboard."""

from __future__ import annotations

import asyncio
import dataclasses
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QApplication, QComboBox, QWidget
from pytestqt.qtbot import QtBot
from sqlalchemy import Engine

from app.services.database_worker import DatabaseWorker, awaited
from app.services.ports import TicketPort
from app.services.tickets import TicketService
from app.storage.database import make_engine
from app.storage.number_blocks import lease_function
from app.storage.number_reserve import SqliteNumberReserve
from app.tickets.answers import AnswerLibrary, AnswerTemplate
from app.tickets.drafts import FIELD_LABELS, FORM_ORDER, FieldName, TicketDraft, TicketView
from app.tickets.enums import TicketStatus
from app.tickets.numbering import ReservePolicy, TicketNumberAllocator
from app.tickets.reference import ReferenceData
from app.tickets.rules import TRANSITION_LABELS, RequiredFieldRules, Transition
from app.ui.field_labels import field_label, field_name, transition_text
from app.ui.ticket_form import TicketForm
from tests.storage.ticket_fixtures import Ref, make_reference

pytestmark = pytest.mark.gui

CUSTOMER_NAME = "Ада Лавлейс"


class RecordingTickets:
    """The real `TicketPort` on the worker, noting which calls reached it (to prove the form did not call)."""

    def __init__(self, inner: TicketPort) -> None:
        self.inner = inner
        self.calls: list[str] = []

    async def reference_data(self) -> ReferenceData:
        self.calls.append("reference_data")
        return await self.inner.reference_data()

    async def create_for_call(
        self,
        call_id: int | None,
        customer_id: int | None,
        line_id: int | None,
        operator_login: str | None,
        *,
        number: str | None = None,
    ) -> TicketView:
        self.calls.append("create_for_call")
        return await self.inner.create_for_call(call_id, customer_id, line_id, operator_login, number=number)

    async def save(
        self, ticket_id: int, draft: TicketDraft, expected_version: int, operator_login: str | None
    ) -> TicketView:
        self.calls.append("save")
        return await self.inner.save(ticket_id, draft, expected_version, operator_login)

    async def close(
        self, ticket_id: int, draft: TicketDraft, expected_version: int, operator_login: str | None
    ) -> TicketView:
        self.calls.append("close")
        return await self.inner.close(ticket_id, draft, expected_version, operator_login)

    async def add_comment(self, ticket_id: int, text: str, operator_login: str | None) -> TicketView:
        self.calls.append("add_comment")
        return await self.inner.add_comment(ticket_id, text, operator_login)

    async def get(self, ticket_id: int) -> TicketView:
        self.calls.append("get")
        return await self.inner.get(ticket_id)


@dataclass
class Desk:
    engine: Engine
    service: TicketService
    tickets: RecordingTickets
    ref: Ref
    data: ReferenceData
    worker: DatabaseWorker

    def new_ticket(self, *, customer: bool = True) -> TicketView:
        return self.service.create_for_call(
            None, self.ref.customer if customer else None, self.ref.support_line, self.ref.operator
        )


@pytest.fixture
def desk(migrated_db: Path, tmp_path: Path, worker: DatabaseWorker) -> Iterator[Desk]:
    path = tmp_path / "frontline.sqlite3"
    shutil.copyfile(migrated_db, path)
    engine = make_engine(f"sqlite:///{path}")
    ref = make_reference(engine)
    reserve = SqliteNumberReserve(tmp_path / "reserve.sqlite3")
    allocator = TicketNumberAllocator(reserve, ReservePolicy(block_size=10, target_blocks=1, low_water=5))
    service = TicketService(engine, allocator, lease=lease_function(engine, reserve.workstation_id()))
    service.top_up_numbers()
    tickets = RecordingTickets(awaited(worker, service, TicketPort))
    yield Desk(engine, service, tickets, ref, service.reference_data(), worker)
    engine.dispose()


def _form(
    qtbot: QtBot,
    desk: Desk,
    view: TicketView | None = None,
    *,
    data: ReferenceData | None = None,
    tickets: TicketPort | None = None,
    activate: bool = True,
) -> TicketForm:
    form = TicketForm(tickets or desk.tickets, operator_login=desk.ref.operator)
    qtbot.addWidget(form)
    form.set_reference_data(data or desk.data)
    if view is not None:
        form.load(view)
        form.set_customer(view.draft.customer_id, CUSTOMER_NAME if view.draft.customer_id else "")
    form.resize(1000, 700)
    form.show()
    qtbot.waitExposed(form)
    if activate:
        handle = form.windowHandle()
        assert handle is not None
        handle.requestActivate()
        qtbot.waitUntil(lambda: QApplication.activeWindow() is form, timeout=2000)
    return form


def _choose(combo: QComboBox, value: object) -> None:
    index = combo.findData(value)
    assert index >= 0, value
    combo.setCurrentIndex(index)


def _assert_highlighted(form: TicketForm, names: tuple[FieldName, ...]) -> None:
    assert form.missing() == names
    for name in FORM_ORDER:
        assert bool(form.labels[name].property("missing")) is (name in names), name


# --- required fields ----------------------------------------------------------------------------


def test_closing_without_category_complexity_resolution_is_stopped_in_the_form(
    qtbot: QtBot, event_loop_qt: asyncio.AbstractEventLoop, desk: Desk
) -> None:
    view = desk.new_ticket()
    form = _form(qtbot, desk, view)
    form.subject.setText("No connection since noon")

    with qtbot.waitSignal(form.validation_failed, timeout=5000) as refused:
        form.close_action.trigger()

    assert refused.args == [("category", "complexity", "resolution")]
    _assert_highlighted(form, (FieldName.CATEGORY, FieldName.COMPLEXITY, FieldName.RESOLUTION))
    assert form.category.property("missing") is True
    assert form.category.accessibleDescription()
    assert QApplication.focusWidget() is form.category
    for label in ("Category", "Complexity", "Resolution"):
        assert label in form.message.text()
    assert "close the ticket" in form.message.text()
    assert desk.tickets.calls == []  # the service was never asked
    stored = desk.service.get(view.id)
    assert (stored.version, stored.status, stored.draft.subject) == (view.version, TicketStatus.NEW, "")
    assert form.subject.text() == "No connection since noon"

    # A category rule adds to it: "Internet / No connection" also wants a description.
    _choose(form.category, desk.ref.no_connection)
    _choose(form.complexity, desk.ref.simple)
    form.resolution.setPlainText("Rebooted the router")
    with qtbot.waitSignal(form.validation_failed, timeout=5000) as refused:
        form.close_action.trigger()
    assert refused.args == [("description",)]
    assert QApplication.focusWidget() is form.description
    assert desk.tickets.calls == []

    form.description.setPlainText("Line checked from the exchange")
    with qtbot.waitSignal(form.closed, timeout=5000) as closed:
        form.close_action.trigger()
    assert desk.tickets.calls == ["close"]
    assert closed.args[0].status is TicketStatus.CLOSED
    stored = desk.service.get(view.id)
    assert stored.status is TicketStatus.CLOSED
    assert stored.draft.resolution == "Rebooted the router"
    assert stored.version == view.version + 1
    _assert_highlighted(form, ())
    assert not form.category.accessibleDescription()
    assert form.current() == stored
    assert not form.has_unsaved_changes()
    assert stored.number in form.message.text()

    # Closed is closed: saving it again is refused in the form, which names the way out.
    with qtbot.waitSignal(form.validation_failed, timeout=5000) as refused:
        form.save_action.trigger()
    assert refused.args == [("status",)]
    assert "In progress" in form.message.text()
    assert [form.status.itemData(i) for i in range(form.status.count())] == ["closed", "in_progress"]
    assert desk.tickets.calls == ["close"]


def test_the_fill_in_message_follows_the_filling_and_goes_once_all_is_filled(
    qtbot: QtBot, event_loop_qt: asyncio.AbstractEventLoop, desk: Desk
) -> None:
    view = desk.new_ticket()
    form = _form(qtbot, desk, view)
    form.subject.setText("Slow in the evenings")
    with qtbot.waitSignal(form.validation_failed, timeout=5000):
        qtbot.keyClick(
            form, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier
        )
    assert form.message.text() == "Fill in Category, Complexity, Resolution to close the ticket."
    assert form.message.property("error") is True

    qtbot.keyClick(form.category, Qt.Key.Key_Down)  # the focus is on the first missing field
    assert form.message.text() == "Fill in Complexity, Resolution to close the ticket."
    qtbot.keyClick(form, Qt.Key.Key_X, Qt.KeyboardModifier.AltModifier)
    qtbot.keyClick(form.complexity, Qt.Key.Key_Down)
    qtbot.keyClick(form, Qt.Key.Key_R, Qt.KeyboardModifier.AltModifier)
    qtbot.keyClicks(form.resolution, "Changed the channel")
    assert form.message.text() == ""  # nothing red is left to say
    assert not form.message.property("error")
    assert desk.tickets.calls == []


def _red_on_screen(widget: QWidget) -> int:
    """Red pixels of `widget` as last painted on the screen (the window's backing store), not as
    `grab()` would render it now: what the operator actually sees."""
    top = widget.window()
    corner = widget.mapTo(top, QPoint(0, 0))
    image = top.screen().grabWindow(top.winId()).toImage()
    image = image.copy(corner.x(), corner.y(), widget.width(), widget.height())
    return sum(
        1
        for y in range(image.height())
        for x in range(image.width())
        if (c := image.pixelColor(x, y)).red() > 150 and c.green() < 60 and c.blue() < 60
    )


def test_a_field_filled_in_stops_being_red_on_the_screen(
    qtbot: QtBot, event_loop_qt: asyncio.AbstractEventLoop, desk: Desk
) -> None:
    view = desk.new_ticket()
    form = _form(qtbot, desk, view)
    form.subject.setText("Box reboots")
    with qtbot.waitSignal(form.validation_failed, timeout=5000):
        form.close_action.trigger()
    qtbot.keyClick(form, Qt.Key.Key_R, Qt.KeyboardModifier.AltModifier)
    qtbot.waitUntil(lambda: _red_on_screen(form.resolution) > 0, timeout=2000)
    qtbot.keyClicks(form.resolution, "Firmware updated")
    qtbot.waitUntil(lambda: _red_on_screen(form.resolution) == 0, timeout=2000)
    assert _red_on_screen(form.labels[FieldName.RESOLUTION]) == 0
    assert _red_on_screen(form.labels[FieldName.CATEGORY]) > 0  # still missing, still red


def test_escalating_needs_department_and_due_date(
    qtbot: QtBot, event_loop_qt: asyncio.AbstractEventLoop, desk: Desk
) -> None:
    view = desk.new_ticket()
    form = _form(qtbot, desk, view)
    form.subject.setText("Speed drops every evening")
    _choose(form.status, TicketStatus.ESCALATED.value)

    with qtbot.waitSignal(form.validation_failed, timeout=5000) as refused:
        form.save_action.trigger()
    assert refused.args == [("department", "due_date")]
    _assert_highlighted(form, (FieldName.DEPARTMENT, FieldName.DUE_DATE))
    assert QApplication.focusWidget() is form.department
    assert "pass the ticket to another department" in form.message.text()
    assert desk.tickets.calls == []

    _choose(form.department, desk.ref.second_line)
    assert form.missing() == (FieldName.DUE_DATE,)  # fixing a field takes its highlight away
    form.due_date.set_value(date(2026, 12, 1))
    with qtbot.waitSignal(form.saved, timeout=5000):
        form.save_action.trigger()
    stored = desk.service.get(view.id)
    assert (stored.status, stored.draft.department_id, stored.draft.due_date) == (
        TicketStatus.ESCALATED,
        desk.ref.second_line,
        date(2026, 12, 1),
    )
    # "No date" is an explicit state, and stays refused while the ticket is escalated.
    form.due_date.no_date.setChecked(True)
    assert form.draft().due_date is None
    with qtbot.waitSignal(form.validation_failed, timeout=5000) as refused:
        form.save_action.trigger()
    assert refused.args == [("due_date",)]
    assert QApplication.focusWidget() is form.due_date.no_date


def test_the_service_refuses_when_the_forms_rules_are_weaker(
    qtbot: QtBot, event_loop_qt: asyncio.AbstractEventLoop, desk: Desk
) -> None:
    view = desk.new_ticket()
    no_rules = dataclasses.replace(desk.data, rules=RequiredFieldRules.build((), desk.data.categories))
    form = _form(qtbot, desk, view, data=no_rules)
    form.subject.setText("Wants to close at once")

    with qtbot.waitSignal(form.validation_failed, timeout=5000) as refused:
        form.close_action.trigger()

    assert desk.tickets.calls == ["close"]  # the form let it through; the service did not
    assert refused.args == [("category", "complexity", "resolution")]
    _assert_highlighted(form, (FieldName.CATEGORY, FieldName.COMPLEXITY, FieldName.RESOLUTION))
    assert QApplication.focusWidget() is form.category
    assert "Resolution" in form.message.text()
    stored = desk.service.get(view.id)
    assert (stored.version, stored.status) == (view.version, TicketStatus.NEW)
    assert form.save_action.isEnabled()


class HeldTickets(RecordingTickets):
    """Holds every save until `release` is set: what the operator does meanwhile."""

    def __init__(self, inner: TicketPort) -> None:
        super().__init__(inner)
        self.release = asyncio.Event()

    async def save(
        self, ticket_id: int, draft: TicketDraft, expected_version: int, operator_login: str | None
    ) -> TicketView:
        await self.release.wait()
        return await super().save(ticket_id, draft, expected_version, operator_login)


def test_typing_during_a_save_is_kept_and_a_second_save_waits(
    qtbot: QtBot, event_loop_qt: asyncio.AbstractEventLoop, desk: Desk
) -> None:
    view = desk.new_ticket()
    held = HeldTickets(desk.tickets.inner)
    form = _form(qtbot, desk, view, tickets=held)
    form.subject.setText("Slow database day")
    form.save_action.trigger()
    qtbot.waitUntil(lambda: not form.save_action.isEnabled(), timeout=2000)
    assert not form.close_action.isEnabled()  # no second write while one is under way
    form.description.setPlainText("Typed while saving")
    with qtbot.waitSignal(form.saved, timeout=5000) as saved:
        held.release.set()
    assert saved.args[0].draft.subject == "Slow database day"
    assert saved.args[0].draft.description == ""
    assert form.description.toPlainText() == "Typed while saving"
    assert form.has_unsaved_changes()
    assert form.save_action.isEnabled()
    with qtbot.waitSignal(form.saved, timeout=5000):  # based on the new version: no conflict
        form.save_action.trigger()
    assert desk.service.get(view.id).draft.description == "Typed while saving"


# --- edit conflicts -----------------------------------------------------------------------------


def _conflict_rows(form: TicketForm) -> dict[str, tuple[str, str]]:
    dialog = form.conflict_dialog
    assert dialog is not None
    table = dialog.table
    rows = {}
    for row in range(table.rowCount()):
        cells = [table.item(row, col) for col in range(3)]
        assert all(c is not None for c in cells)
        rows[cells[0].text()] = (cells[1].text(), cells[2].text())  # type: ignore[union-attr]
    return rows


def _two_forms_in_conflict(qtbot: QtBot, desk: Desk) -> tuple[TicketView, TicketForm, TicketForm]:
    view = desk.new_ticket()
    theirs = _form(qtbot, desk, view, activate=False)
    mine = _form(qtbot, desk, view, activate=False)
    theirs.subject.setText("Theirs: no TV signal")
    theirs.description.setPlainText("Their notes")
    with qtbot.waitSignal(theirs.saved, timeout=5000):
        theirs.save_action.trigger()
    mine.subject.setText("Mine: no TV since the storm")
    with qtbot.waitSignal(mine.edit_conflict, timeout=5000) as conflict:
        mine.save_action.trigger()
    assert (conflict.args[0].expected_version, conflict.args[0].current_version) == (1, 2)
    return view, theirs, mine


def test_a_conflicting_save_shows_both_values_and_overwrites_nothing_until_asked(
    qtbot: QtBot, event_loop_qt: asyncio.AbstractEventLoop, desk: Desk
) -> None:
    view, _theirs, mine = _two_forms_in_conflict(qtbot, desk)
    dialog = mine.conflict_dialog
    assert dialog is not None
    assert dialog.isVisible()
    rows = _conflict_rows(mine)
    assert rows["Subject"] == ("Mine: no TV since the storm", "Theirs: no TV signal")
    assert rows["Description"] == ("—", "Their notes")
    stored = desk.service.get(view.id)
    assert (stored.version, stored.draft.subject) == (2, "Theirs: no TV signal")
    assert mine.subject.text() == "Mine: no TV since the storm"  # nothing typed is lost
    assert mine.has_unsaved_changes()

    with qtbot.waitSignal(mine.saved, timeout=5000):
        dialog.apply_mine.click()
    stored = desk.service.get(view.id)
    # Mine on top of theirs: my subject, their description kept.
    assert (stored.version, stored.draft.subject, stored.draft.description) == (
        3,
        "Mine: no TV since the storm",
        "Their notes",
    )
    assert mine.description.toPlainText() == "Their notes"
    assert mine.current() == stored


def test_keeping_theirs_reloads_and_writes_nothing(
    qtbot: QtBot, event_loop_qt: asyncio.AbstractEventLoop, desk: Desk
) -> None:
    view, _theirs, mine = _two_forms_in_conflict(qtbot, desk)
    dialog = mine.conflict_dialog
    assert dialog is not None
    dialog.keep_theirs.click()
    assert mine.conflict_dialog is None
    assert mine.subject.text() == "Theirs: no TV signal"
    assert mine.description.toPlainText() == "Their notes"
    assert not mine.has_unsaved_changes()
    current = mine.current()
    assert current is not None
    assert current.version == 2
    assert desk.service.get(view.id).version == 2
    assert desk.tickets.calls.count("save") == 2  # theirs, and my refused one


def test_escaping_the_conflict_dialog_keeps_what_was_typed(
    qtbot: QtBot, event_loop_qt: asyncio.AbstractEventLoop, desk: Desk
) -> None:
    view, _theirs, mine = _two_forms_in_conflict(qtbot, desk)
    dialog = mine.conflict_dialog
    assert dialog is not None
    dialog.reject()
    assert mine.subject.text() == "Mine: no TV since the storm"
    assert desk.service.get(view.id).draft.subject == "Theirs: no TV signal"
    with qtbot.waitSignal(mine.edit_conflict, timeout=5000):  # still based on version 1: asked again
        mine.save_action.trigger()


def test_a_conflicting_close_can_be_applied_on_top(
    qtbot: QtBot, event_loop_qt: asyncio.AbstractEventLoop, desk: Desk
) -> None:
    view = desk.new_ticket()
    theirs = _form(qtbot, desk, view, activate=False)
    mine = _form(qtbot, desk, view, activate=False)
    theirs.subject.setText("Their subject")
    with qtbot.waitSignal(theirs.saved, timeout=5000):
        theirs.save_action.trigger()
    mine.subject.setText("My subject")
    _choose(mine.category, desk.ref.internet)
    _choose(mine.complexity, desk.ref.simple)
    mine.resolution.setPlainText("Fixed on the call")
    with qtbot.waitSignal(mine.edit_conflict, timeout=5000):
        mine.close_action.trigger()
    assert _conflict_rows(mine)["Status"] == ("Closed", "New")
    assert desk.service.get(view.id).status is TicketStatus.NEW
    dialog = mine.conflict_dialog
    assert dialog is not None
    with qtbot.waitSignal(mine.closed, timeout=5000):
        dialog.apply_mine.click()
    stored = desk.service.get(view.id)
    assert (stored.status, stored.draft.subject, stored.version) == (TicketStatus.CLOSED, "My subject", 3)


# --- the database goes away ---------------------------------------------------------------------


def test_an_unreachable_database_keeps_every_typed_value(
    qtbot: QtBot,
    event_loop_qt: asyncio.AbstractEventLoop,
    desk: Desk,
    unused_tcp_port: int,
    tmp_path: Path,
) -> None:
    view = desk.new_ticket()
    # The ticket was opened while the database was up; now its server is gone (a real refused
    # connection: nothing listens on the port).
    dead = make_engine(f"postgresql://nobody@127.0.0.1:{unused_tcp_port}/frontline?connect_timeout=2")
    offline = TicketService(dead, TicketNumberAllocator(SqliteNumberReserve(tmp_path / "offline.sqlite3")))
    form = _form(qtbot, desk, view, tickets=awaited(desk.worker, offline, TicketPort))
    qtbot.keyClicks(form.subject, "Router lost its settings")
    form.description.setFocus()
    qtbot.keyClicks(form.description, "Customer reset it by mistake")
    _choose(form.priority, desk.ref.normal_priority)
    typed = form.draft()

    with qtbot.waitSignal(form.save_failed, timeout=15_000) as failed:
        form.save_action.trigger()

    assert "PostgreSQL" in failed.args[0]
    assert "Not saved" in form.message.text()
    assert form.message.property("error") is True
    assert form.draft() == typed
    assert form.subject.text() == "Router lost its settings"
    assert form.description.toPlainText() == "Customer reset it by mistake"
    assert form.has_unsaved_changes()
    assert form.save_action.isEnabled()  # ready to retry
    current = form.current()
    assert current is not None
    assert current.version == view.version
    dead.dispose()


# --- hostile text -------------------------------------------------------------------------------

HOSTILE_SUBJECT = "<b>Boss</b><img src=x onerror=alert(1)> & \u202eevil"
HOSTILE_DESCRIPTION = "مرحبا Иван & Co\n<i>not italic</i>\n" + "long line " * 2000
HOSTILE_COMMENT = "<script>alert('x')</script> שלום"


def test_hostile_text_round_trips_as_plain_text(
    qtbot: QtBot, event_loop_qt: asyncio.AbstractEventLoop, desk: Desk
) -> None:
    view = desk.new_ticket()
    form = _form(qtbot, desk, view)
    form.subject.setText(HOSTILE_SUBJECT)
    form.description.setPlainText(HOSTILE_DESCRIPTION)
    form.subject.setText(form.subject.text() + "x" * 500)  # longer than the column: cut to fit
    assert len(form.subject.text()) == 200
    with qtbot.waitSignal(form.saved, timeout=5000):
        form.save_action.trigger()
    form.comment_box.setPlainText(HOSTILE_COMMENT)
    with qtbot.waitSignal(form.comment_added, timeout=5000):
        form.add_comment_button.click()
    assert form.comment_box.toPlainText() == ""

    stored = desk.service.get(view.id)
    assert stored.draft.subject == form.subject.text()
    assert stored.draft.subject.startswith(HOSTILE_SUBJECT)
    assert stored.draft.description == HOSTILE_DESCRIPTION.strip()

    again = _form(qtbot, desk, stored, activate=False)
    assert again.subject.text() == stored.draft.subject
    assert again.description.toPlainText() == stored.draft.description
    assert again.number.textFormat() is Qt.TextFormat.PlainText
    assert again.number.text() == stored.number
    assert again.comments.count() == 1
    item = again.comments.item(0)
    assert item is not None
    assert item.text().endswith(HOSTILE_COMMENT)
    assert not again.has_unsaved_changes()


# --- keyboard -----------------------------------------------------------------------------------


def test_keyboard_alone_fills_saves_and_closes(
    qtbot: QtBot, event_loop_qt: asyncio.AbstractEventLoop, desk: Desk
) -> None:
    view = desk.new_ticket()
    form = _form(qtbot, desk, view)

    qtbot.keyClick(form, Qt.Key.Key_B, Qt.KeyboardModifier.AltModifier)
    assert QApplication.focusWidget() is form.subject
    qtbot.keyClicks(form.subject, "Router blinks red")
    qtbot.keyClick(form, Qt.Key.Key_D, Qt.KeyboardModifier.AltModifier)
    assert QApplication.focusWidget() is form.description
    qtbot.keyClicks(form.description, "Power cycled twice")
    with qtbot.waitSignal(form.saved, timeout=5000):
        qtbot.keyClick(form.description, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    assert desk.service.get(view.id).draft.subject == "Router blinks red"

    qtbot.keyClick(form, Qt.Key.Key_C, Qt.KeyboardModifier.AltModifier)
    assert QApplication.focusWidget() is form.category
    qtbot.keyClick(form.category, Qt.Key.Key_Down)  # the first category
    qtbot.keyClick(form, Qt.Key.Key_X, Qt.KeyboardModifier.AltModifier)
    qtbot.keyClick(form.complexity, Qt.Key.Key_Down)
    qtbot.keyClick(form, Qt.Key.Key_R, Qt.KeyboardModifier.AltModifier)
    qtbot.keyClicks(form.resolution, "Replaced the power supply")
    with qtbot.waitSignal(form.closed, timeout=5000):
        qtbot.keyClick(
            form.resolution,
            Qt.Key.Key_S,
            Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier,
        )
    stored = desk.service.get(view.id)
    assert stored.status is TicketStatus.CLOSED
    assert stored.draft.resolution == "Replaced the power supply"

    # Comments: Ctrl+Enter in the box adds one.
    qtbot.keyClick(form, Qt.Key.Key_W, Qt.KeyboardModifier.AltModifier)
    assert QApplication.focusWidget() is form.comment_box
    qtbot.keyClicks(form.comment_box, "Customer thanked us")
    with qtbot.waitSignal(form.comment_added, timeout=5000):
        qtbot.keyClick(form.comment_box, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    assert [c.comment for c in desk.service.get(view.id).comments] == ["Customer thanked us"]


def test_tab_walks_the_fields_in_form_order_then_the_buttons(
    qtbot: QtBot, event_loop_qt: asyncio.AbstractEventLoop, desk: Desk
) -> None:
    form = _form(qtbot, desk, desk.new_ticket())
    form.due_date.set_value(date(2026, 12, 1))  # the date box is only a stop when there is a date
    form.set_answer_templates(AnswerLibrary({"en": (AnswerTemplate("k", "Title", "Text"),)}), "en")
    form.customer.setFocus()
    seen: list[QWidget | None] = [QApplication.focusWidget()]
    for _ in range(30):
        focused = QApplication.focusWidget()
        assert focused is not None
        qtbot.keyClick(focused, Qt.Key.Key_Tab)
        if QApplication.focusWidget() is not seen[-1]:  # Tab first walks day, month, year of a date
            seen.append(QApplication.focusWidget())
    fields: list[QWidget] = [form.fields[n] for n in FORM_ORDER if n is not FieldName.DUE_DATE]
    expected = [
        *fields,
        form.due_date.no_date,
        form.due_date.date,
        form.answers_button,
        form.save_button,
        form.close_button,
        form.comment_box,
        form.add_comment_button,
        form.comments,
    ]
    assert seen[: len(expected)] == expected


def test_every_field_has_a_label_with_its_own_mnemonic(qtbot: QtBot, desk: Desk) -> None:
    form = TicketForm(desk.tickets, operator_login=None)
    qtbot.addWidget(form)
    texts = [form.labels[n].text() for n in FORM_ORDER] + [
        form.comment_label.text(),
        form.answers_button.text(),
        form.add_comment_button.text(),
        form.save_action.text(),
        form.close_action.text(),
    ]
    letters = [t[t.index("&") + 1].lower() for t in texts]
    assert len(set(letters)) == len(letters), texts
    assert all(form.labels[n].buddy() is form.fields[n] for n in FORM_ORDER if n is not FieldName.DUE_DATE)
    assert form.labels[FieldName.DUE_DATE].buddy() is form.due_date.no_date
    assert form.save_action.shortcut().toString() == "Ctrl+S"
    assert "Ctrl+Shift+S" in [k.toString() for k in form.close_action.shortcuts()]


def test_a_form_cleared_for_call_after_call_keeps_no_names_of_earlier_callers(
    qtbot: QtBot, desk: Desk
) -> None:
    """The desk's last form is cleared and reused for every call of a shift (issue 21, part 3):
    what it remembers of each caller must not pile up."""
    form = _form(qtbot, desk, activate=False)
    for customer in range(1, 201):
        form.set_customer(customer, f"Caller {customer} (C-{customer:05d})")
        assert form.customer.text() == f"Caller {customer} (C-{customer:05d})"
        form.clear()
        assert form.customer.text() == "\u2014"  # no customer
    assert not form._customer_names


def test_field_names_mirror_the_domain_tables() -> None:
    assert {n: field_name(n) for n in FieldName} == FIELD_LABELS
    assert all(field_label(n).replace("&", "").rstrip(":") == FIELD_LABELS[n] for n in FieldName)
    assert {t: transition_text(t) for t in Transition} == TRANSITION_LABELS


# --- the rest of the form -----------------------------------------------------------------------


def test_answer_templates_are_inserted_at_the_cursor_with_the_ticket_number(
    qtbot: QtBot, event_loop_qt: asyncio.AbstractEventLoop, desk: Desk
) -> None:
    view = desk.new_ticket()
    form = _form(qtbot, desk, view)
    library = AnswerLibrary(
        {
            "en": (
                AnswerTemplate("generic", "Passed on", "Passed on, ticket {ticket_number}."),
                AnswerTemplate("reboot", "Router rebooted", "Rebooted the router.", ("Internet",)),
            )
        }
    )
    form.set_answer_templates(library, "en")
    titles = [a.text() for a in form.answers_menu.actions()]
    assert titles == ["Passed on", "Router rebooted"]
    _choose(form.category, desk.ref.no_connection)  # the category's answers come first
    assert [a.text() for a in form.answers_menu.actions()] == ["Router rebooted", "Passed on"]

    form.description.setFocus()
    form.description.setPlainText("Checked. ")
    cursor = form.description.textCursor()
    cursor.movePosition(cursor.MoveOperation.End)
    form.description.setTextCursor(cursor)
    form.answers_menu.actions()[1].trigger()
    assert form.description.toPlainText() == f"Checked. Passed on, ticket {view.number}."
    assert form.resolution.toPlainText() == ""


def test_loading_limits_the_status_to_allowed_moves_and_shows_the_number_large(
    qtbot: QtBot, event_loop_qt: asyncio.AbstractEventLoop, desk: Desk
) -> None:
    view = desk.new_ticket()
    form = _form(qtbot, desk, view, activate=False)
    statuses = [form.status.itemData(i) for i in range(form.status.count())]
    assert statuses[0] == "new"
    assert set(statuses) == {"new", "in_progress", "escalated", "waiting_customer", "resolved", "closed"}
    assert form.number.objectName() == "ticketNumber"
    assert form.number.text() == view.number
    assert form.number.font().pointSizeF() > form.subject.font().pointSizeF() * 1.5
    assert form.customer.text() == CUSTOMER_NAME
    assert not form.has_unsaved_changes()
    form.clear()
    assert form.current() is None
    assert not form.save_action.isEnabled()
