"""The operator's window without a call: what it shows, its menus and keys, unfinished tickets,
drafts kept across a restart, and the question before quitting.  Real services on a real SQLite
database with demo data, driven by keys; the phone is not started (calls: test_call_desk.py)."""

from __future__ import annotations

import asyncio
import dataclasses
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import ParamSpec, TypeVar

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QLabel, QMenu, QToolButton
from pytestqt.qtbot import QtBot
from sqlalchemy import Engine, text

from app.demo.caller import DemoCaller, DemoCallers, free_udp_port
from app.demo.calls import sample_demo_callers
from app.services.database_worker import DatabaseWorker, awaited
from app.services.ports import SyncPort
from app.services.sync_conflicts import ConflictService
from app.sync.outbox import Outbox
from app.tickets.drafts import TicketView
from app.tickets.operator_state import OperatorStatus
from app.ui.main_window import DemoSetup, MainWindow
from app.ui.sync_status import SyncEvents
from tests.gui.desks import (
    OPERATOR,
    DeskParts,
    activate,
    close_window,
    desk_parts,
    on_worker,
    open_window,
    run,
)

pytestmark = pytest.mark.gui

CTRL = Qt.KeyboardModifier.ControlModifier
P = ParamSpec("P")
T = TypeVar("T")


class OpenDesk:
    """Opens desk windows on the module's demo database; each one is closed at the end."""

    def __init__(
        self, qtbot: QtBot, loop: asyncio.AbstractEventLoop, engine: Engine, worker: DatabaseWorker, tmp: Path
    ) -> None:
        self.qtbot, self.loop, self.engine, self.worker, self.tmp = qtbot, loop, engine, worker, tmp
        self.opened: list[tuple[MainWindow, DeskParts]] = []

    def __call__(
        self, *, demo: bool = False, central: bool = False, phone: bool = False
    ) -> tuple[MainWindow, DeskParts]:
        """A desk window; `phone`: its phone started too (a desk without one cannot be Ready)."""
        setup = None
        if demo:
            engine, worker = self.engine, self.worker

            async def callers() -> DemoCallers:
                return await worker.run(sample_demo_callers, engine)

            setup = DemoSetup(caller=DemoCaller("127.0.0.1", free_udp_port(), None), callers=callers)
        parts = desk_parts(
            self.engine,
            self.worker,
            self.tmp,
            phone_args=["--p2p", "--listen", f"127.0.0.1:{free_udp_port()}", "--null-audio"],
            demo=setup,
        )
        events = sync = None
        if central:
            events = SyncEvents()
            outbox = Outbox(self.tmp / "outbox.sqlite3")
            sync = awaited(self.worker, ConflictService(self.engine, outbox, parts.tickets), SyncPort)
        window = open_window(
            self.qtbot, self.engine, self.worker, parts.services, sync_events=events, sync=sync
        )
        self.opened.append((window, parts))
        if phone:
            with self.qtbot.waitSignal(parts.services.phone.registration_changed, timeout=20_000):
                run(self.qtbot, self.loop, window.start_phone())
        return window, parts

    def on_worker(self, fn: Callable[P, T], /, *args: P.args, **kwargs: P.kwargs) -> T:
        """The test's own database work while a window is open (`tests.gui.desks.on_worker`)."""
        return on_worker(self.worker, fn, *args, **kwargs)

    def close(self, window: MainWindow) -> None:
        for i, (opened, parts) in enumerate(self.opened):
            if opened is window:
                close_window(self.qtbot, self.loop, window)
                parts.json_log.close()
                del self.opened[i]
                return


@pytest.fixture
def open_desk(
    qtbot: QtBot,
    event_loop_qt: asyncio.AbstractEventLoop,
    demo_engine: Engine,
    worker: DatabaseWorker,
    tmp_path: Path,
) -> Iterator[OpenDesk]:
    desks = OpenDesk(qtbot, event_loop_qt, demo_engine, worker, tmp_path)
    yield desks
    for window, _parts in list(desks.opened):
        desks.close(window)


def _new_ticket(parts: DeskParts, engine: Engine) -> TicketView:
    """A call's ticket as the desk opens it at answer: number, customer, line, no subject."""
    with engine.connect() as conn:
        customer, line = conn.execute(
            text("SELECT (SELECT min(id) FROM customers), (SELECT min(id) FROM lines)")
        ).one()
    return parts.tickets.create_for_call(None, customer, line, OPERATOR)


def _longest_address(engine: Engine) -> str:
    with engine.connect() as conn:
        return str(
            conn.execute(
                text(
                    "SELECT contract_number FROM customers WHERE address IS NOT NULL"
                    " ORDER BY length(address) DESC LIMIT 1"
                )
            ).scalar_one()
        )


def _type_into_subject(qtbot: QtBot, window: MainWindow, text_: str) -> None:
    form = window.ticket_form
    form.subject.setFocus()
    qtbot.keyClicks(form.subject, text_)


# --- day-one window bugs ---------------------------------------------------------------------------


def test_ready_is_shown_once_not_also_as_a_greyed_button(qtbot: QtBot, open_desk: OpenDesk) -> None:
    window, _parts = open_desk(phone=True)
    assert window.desk is not None
    qtbot.keyClick(window, Qt.Key.Key_1, CTRL)
    assert window.desk.state.status is OperatorStatus.READY
    widget = window.operator_state
    texts = [widget.label.text(), *(b.text() for b in widget.findChildren(QToolButton) if b.isVisible())]
    assert [t.replace("&", "") for t in texts].count("Ready") == 1, texts
    # What the operator can switch to is still offered, and the keys still work.
    qtbot.keyClick(window, Qt.Key.Key_3, CTRL)
    assert window.desk.state.status is OperatorStatus.BREAK
    visible = [b.text().replace("&", "") for b in widget.findChildren(QToolButton) if b.isVisible()]
    assert "Ready" in visible and "Break" not in visible
    qtbot.keyClick(window, Qt.Key.Key_1, CTRL)
    assert window.desk.state.status is OperatorStatus.READY


def test_help_is_the_last_menu(open_desk: OpenDesk) -> None:
    window, _parts = open_desk()
    titles = [a.text() for a in window.menuBar().actions()]
    assert titles[-1] == "&Help", titles
    assert "T&icket" in titles and "&State" in titles


def _active_shortcuts(window: MainWindow) -> Counter[str]:
    """Every key sequence the window reacts to, once per action that has it."""
    actions = set(window.actions()) | set(window.ticket_form.actions())

    def walk(menu: QMenu) -> None:
        for action in menu.actions():
            if action.menu() is not None:
                walk(action.menu())
            else:
                actions.add(action)

    for top in window.menuBar().actions():
        if isinstance(top.menu(), QMenu):
            walk(top.menu())
    return Counter(seq.toString() for a in actions for seq in a.shortcuts() if not seq.isEmpty())


@pytest.mark.sip
def test_no_key_is_bound_twice_in_demo_and_central_mode(
    qtbot: QtBot, event_loop_qt: asyncio.AbstractEventLoop, open_desk: OpenDesk
) -> None:
    window, _parts = open_desk(demo=True, central=True)
    shortcuts = _active_shortcuts(window)
    assert [keys for keys, n in shortcuts.items() if n > 1] == []
    # Ctrl+Shift+K reviews conflicts (an ambiguous key would fire nothing, with a Qt warning).
    qtbot.keyClick(window, Qt.Key.Key_K, CTRL | Qt.KeyboardModifier.ShiftModifier)
    qtbot.waitUntil(lambda: window.statusBar().currentMessage() == "No conflicts to review.", timeout=5000)
    run(qtbot, event_loop_qt, window.shutdown())  # the demo's shift lead engine


def _clipped(label: QLabel) -> bool:
    if label.wordWrap():
        return label.height() < label.heightForWidth(label.width())
    return label.width() < label.sizeHint().width()


@pytest.mark.usefixtures("russian")
def test_the_russian_left_column_shows_the_card_unclipped(
    qtbot: QtBot, open_desk: OpenDesk, demo_engine: Engine
) -> None:
    window, _parts = open_desk()
    assert window.menuBar().actions()[0].text() == "&Файл"
    contract = open_desk.on_worker(_longest_address, demo_engine)  # the one most likely to be cut
    width = window.width()
    with qtbot.waitSignal(window.search.lookup_finished, timeout=10_000):
        qtbot.keyClicks(window.search.query, contract)
        qtbot.keyClick(window.search.query, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: window.card.card is not None, timeout=5000)
    qtbot.wait(50)  # one layout pass after the card's texts changed
    assert window.width() == width  # room was made inside the window: it did not grow
    card = window.card
    bar = card.tabs.tabBar()
    for i in range(bar.count()):
        assert bar.tabRect(i).right() < bar.width(), (bar.tabText(i), bar.tabRect(i), bar.width())
    assert not [b for b in bar.findChildren(QToolButton) if b.isVisible()]  # no scroll arrows
    labels = [w for w in card.findChildren(QLabel) if w.isVisible() and w.text()]
    assert labels
    assert [w.text() for w in labels if _clipped(w)] == []
    search = [w for w in window.search.findChildren(QLabel) if w.isVisible() and w.text()]
    assert [w.text() for w in search if _clipped(w)] == []
    # As narrow as the window goes, the card's tabs still show in full.
    window.resize(window.minimumSizeHint().width(), window.height())
    qtbot.waitUntil(lambda: window.width() == window.minimumSizeHint().width(), timeout=2000)
    qtbot.wait(50)
    assert bar.tabRect(bar.count() - 1).right() < bar.width()


# --- unfinished tickets --------------------------------------------------------------------------


def test_unfinished_tickets_are_counted_listed_and_reopened_with_keys(
    qtbot: QtBot, event_loop_qt: asyncio.AbstractEventLoop, open_desk: OpenDesk, demo_engine: Engine
) -> None:
    window, parts = open_desk()
    left = open_desk.on_worker(_new_ticket, parts, demo_engine)  # a call's ticket nobody filled in
    window.unfinished.refresh()
    label = window.unfinished_label
    qtbot.waitUntil(lambda: left.number in label.toolTip(), timeout=5000)
    assert label.isVisible() and "Unfinished tickets:" in label.text() and "(F2)" in label.text()

    qtbot.keyClick(window, Qt.Key.Key_F2)
    qtbot.waitUntil(lambda: getattr(window, "unfinished_dialog", None) is not None, timeout=5000)
    dialog = window.unfinished_dialog
    qtbot.waitUntil(dialog.isVisible, timeout=2000)
    rows = [dialog.list.item(i).text() for i in range(dialog.list.count())]
    mine = next(i for i, row in enumerate(rows) if row.startswith(left.number))
    assert "(no subject)" in rows[mine] and "missing: Subject" in rows[mine]
    for _ in range(mine):
        qtbot.keyClick(dialog.list, Qt.Key.Key_Down)
    qtbot.keyClick(dialog.list, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: (v := window.ticket_form.current()) is not None and v.id == left.id, timeout=5000)
    assert QApplication.activeModalWidget() is None  # the list went
    activate(qtbot, window)  # as the window manager does when the dialog goes

    _type_into_subject(qtbot, window, "Router light is red")
    with qtbot.waitSignal(window.ticket_form.saved, timeout=5000):
        qtbot.keyClick(window, Qt.Key.Key_S, CTRL)
    qtbot.waitUntil(lambda: left.number not in label.toolTip(), timeout=5000)


# --- drafts ------------------------------------------------------------------------------------------


def test_typing_is_kept_on_disk_and_reopened_by_the_next_window(
    qtbot: QtBot, open_desk: OpenDesk, demo_engine: Engine
) -> None:
    first, parts = open_desk()
    view = open_desk.on_worker(_new_ticket, parts, demo_engine)
    first.ticket_tabs.open_ticket(view)
    form = first.ticket_form
    form.category.setFocus()
    qtbot.keyClick(form.category, Qt.Key.Key_Down)
    _type_into_subject(qtbot, first, "Typed, never saved")
    category = form.draft().category_id
    assert category is not None
    open_desk.close(first)  # at once, no save: what was typed last goes to disk as the window goes

    second, parts = open_desk()
    qtbot.waitUntil(lambda: second.ticket_tabs.form_for(view.id) is not None, timeout=10_000)
    restored = second.ticket_tabs.form_for(view.id)
    assert restored is second.ticket_form  # in front: nothing else is going on
    assert restored.subject.text() == "Typed, never saved"
    assert restored.draft().category_id == category
    assert restored.has_unsaved_changes()
    assert parts.events("drafts_restored")[-1]["numbers"] == [view.number]
    with qtbot.waitSignal(restored.saved, timeout=5000):
        qtbot.keyClick(second, Qt.Key.Key_S, CTRL)
    stored = open_desk.on_worker(parts.tickets.get, view.id)
    assert (stored.draft.subject, stored.draft.category_id) == ("Typed, never saved", category)
    qtbot.waitUntil(lambda: not second.drafts.drafts(), timeout=5000)  # saved: the draft is gone


def test_a_restored_draft_never_overwrites_a_save_made_meanwhile(
    qtbot: QtBot, open_desk: OpenDesk, demo_engine: Engine
) -> None:
    first, parts = open_desk()
    view = open_desk.on_worker(_new_ticket, parts, demo_engine)
    first.ticket_tabs.open_ticket(view)
    with qtbot.waitSignal(first.drafts.written, timeout=5000):
        _type_into_subject(qtbot, first, "Mine, typed before the crash")
    open_desk.close(first)
    theirs = parts.tickets.save(
        view.id, dataclasses.replace(view.draft, subject="Theirs, saved meanwhile"), view.version, None
    )

    second, _parts = open_desk()
    qtbot.waitUntil(lambda: second.ticket_tabs.form_for(view.id) is not None, timeout=10_000)
    form = second.ticket_tabs.form_for(view.id)
    assert form is not None and form.subject.text() == "Mine, typed before the crash"
    with qtbot.waitSignal(form.edit_conflict, timeout=5000):
        qtbot.keyClick(second, Qt.Key.Key_S, CTRL)
    assert (
        open_desk.on_worker(parts.tickets.get, view.id).draft.subject == theirs.draft.subject
    )  # not overwritten
    assert form.subject.text() == "Mine, typed before the crash"  # nor lost


def test_a_ticket_put_aside_keeps_its_typing_and_comes_back_from_the_list(
    qtbot: QtBot, open_desk: OpenDesk, demo_engine: Engine
) -> None:
    window, parts = open_desk()
    aside, other = (
        open_desk.on_worker(_new_ticket, parts, demo_engine),
        open_desk.on_worker(_new_ticket, parts, demo_engine),
    )
    window.ticket_tabs.open_ticket(aside)
    with qtbot.waitSignal(window.drafts.written, timeout=5000):
        _type_into_subject(qtbot, window, "Put aside, not given up")
    window.ticket_tabs.open_ticket(other)
    assert window.ticket_tabs.count() == 2  # beside, not over: the first holds unsaved typing

    qtbot.keyClick(window, Qt.Key.Key_PageUp, CTRL)
    assert window.ticket_form.current() == aside
    qtbot.keyClicks(window.ticket_form.subject, " for long")
    qtbot.keyClick(window, Qt.Key.Key_W, CTRL)  # at once: the last words are not on disk yet
    assert window.ticket_tabs.form_for(aside.id) is None
    assert window.drafts.drafts()[aside.id].typed.subject == "Put aside, not given up for long"

    qtbot.keyClick(window, Qt.Key.Key_F2)
    qtbot.waitUntil(lambda: getattr(window, "unfinished_dialog", None) is not None, timeout=5000)
    dialog = window.unfinished_dialog
    rows = [dialog.list.item(i).text() for i in range(dialog.list.count())]
    row = next(i for i, text_ in enumerate(rows) if text_.startswith(aside.number))
    assert "Put aside, not given up for long" in rows[row] and "not saved" in rows[row]
    dialog.list.setCurrentRow(row)
    qtbot.keyClick(dialog.list, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: window.ticket_tabs.form_for(aside.id) is not None, timeout=5000)
    back = window.ticket_tabs.form_for(aside.id)
    assert back is window.ticket_form and back.subject.text() == "Put aside, not given up for long"
    assert back.has_unsaved_changes()


# --- quitting ----------------------------------------------------------------------------------------


def test_quitting_with_unsaved_typing_asks_and_says_what_is_at_stake(
    qtbot: QtBot, open_desk: OpenDesk, demo_engine: Engine
) -> None:
    window, parts = open_desk()
    view = open_desk.on_worker(_new_ticket, parts, demo_engine)
    window.ticket_tabs.open_ticket(view)
    _type_into_subject(qtbot, window, "Half a sentence")

    qtbot.keyClick(window, Qt.Key.Key_Q, CTRL)
    qtbot.waitUntil(
        lambda: window.quit_question is not None and window.quit_question.isVisible(), timeout=5000
    )
    question = window.quit_question
    assert question is not None
    said = question.informativeText()
    assert view.number in said and "Subject" in said and "not saved to the database" in said
    assert question.windowModality() == Qt.WindowModality.WindowModal
    qtbot.keyClick(question, Qt.Key.Key_Escape)  # keep working
    qtbot.waitUntil(lambda: window.quit_question is None, timeout=5000)
    assert window.isVisible()
    assert window.ticket_form.subject.text() == "Half a sentence"

    window.close()  # the window's close button asks the same
    qtbot.waitUntil(
        lambda: window.quit_question is not None and window.quit_question.isVisible(), timeout=5000
    )
    activate(qtbot, window.quit_question)  # as the window manager does with a new dialog
    qtbot.keyClick(window.quit_question, Qt.Key.Key_Q, Qt.KeyboardModifier.AltModifier)  # quit anyway
    qtbot.waitUntil(lambda: not window.isVisible(), timeout=5000)


def test_quitting_with_nothing_at_stake_does_not_ask(qtbot: QtBot, open_desk: OpenDesk) -> None:
    window, _parts = open_desk()
    qtbot.keyClick(window, Qt.Key.Key_Q, CTRL)
    qtbot.waitUntil(lambda: not window.isVisible(), timeout=5000)
    assert window.quit_question is None


def test_a_desktop_logout_with_unsaved_work_is_held_and_the_operator_asked(
    qtbot: QtBot, open_desk: OpenDesk, demo_engine: Engine
) -> None:
    """The session manager's request, as Qt delivers it at logout.  A stand-in for
    QSessionManager (which only a real desktop session creates; none runs under the tests):
    it records what the window asks of it."""

    class SessionManagerStandIn:
        cancelled = False

        def allowsInteraction(self) -> bool:
            return True

        def cancel(self) -> None:
            self.cancelled = True

    window, parts = open_desk()
    manager = SessionManagerStandIn()
    window._on_commit_data_request(manager)
    assert not manager.cancelled and window.quit_question is None  # nothing at stake: log out

    window.ticket_tabs.open_ticket(open_desk.on_worker(_new_ticket, parts, demo_engine))
    _type_into_subject(qtbot, window, "Mid-sentence at logout")
    window._on_commit_data_request(manager)
    assert manager.cancelled
    qtbot.waitUntil(
        lambda: window.quit_question is not None and window.quit_question.isVisible(), timeout=5000
    )
