"""The scripts panel follows the call: greeting by time of day in both languages, the hold promise
with its countdown and overdue warning, resume, transfer and closing, hostile names shown literally.

Scripts come from the real demo database (migrations + seed) through the real service; only time
is faked, through the panel's clock.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
from datetime import UTC, datetime, timedelta

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot
from sqlalchemy import Engine

from app.resources import resources_dir
from app.services.database_worker import DatabaseWorker, awaited
from app.services.ports import ScriptPort
from app.services.scripts import ScriptService
from app.tickets.scripts import (
    CallEvent,
    ScriptContext,
    ScriptLibrary,
    ScriptPhase,
    ScriptTemplates,
    load_scripts_dir,
)
from app.ui.scripts_panel import ScriptsPanel, clock_text

pytestmark = pytest.mark.gui

LINE = "Home internet & TV"
CONTEXT = ScriptContext(
    company="Acme Telecom",
    line=LINE,
    operator_name="Anna Petrova",
    position="support engineer",
)


class FakeClock:
    def __init__(self, start: datetime) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


@pytest.fixture(scope="module")
def library(demo_engine: Engine) -> ScriptLibrary:
    # The seeded copy in the database, read by the service the desk uses.
    return ScriptService(demo_engine).library()


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(datetime(2026, 11, 22, 9, 0, tzinfo=UTC))


def _panel(qtbot: QtBot, library: ScriptLibrary, clock: FakeClock, language: str = "en") -> ScriptsPanel:
    panel = ScriptsPanel(clock=clock)
    qtbot.addWidget(panel)
    panel.set_library(library, LINE, language)
    panel.set_context(CONTEXT)
    return panel


def _answer(qtbot: QtBot, panel: ScriptsPanel) -> None:
    with qtbot.waitSignal(panel.phase_changed, timeout=1000) as changed:
        panel.on_call_event(CallEvent.ANSWERED)
    assert changed.args == [ScriptPhase.GREETING]


# --- greeting -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("hour", "words"),
    [(9, "Good morning"), (14, "Good afternoon"), (20, "Good evening"), (2, "Good night")],
)
def test_the_greeting_follows_the_time_of_day(
    qtbot: QtBot, library: ScriptLibrary, clock: FakeClock, hour: int, words: str
) -> None:
    panel = _panel(qtbot, library, clock)
    assert panel.phase is ScriptPhase.IDLE
    assert panel.text() == ""
    clock.now = clock.now.replace(hour=hour)
    _answer(qtbot, panel)
    assert panel.text().startswith(
        f"{words}, Acme Telecom, {LINE}, my name is Anna Petrova, support engineer."
    )
    assert "contract number" in panel.text()
    assert "[" not in panel.text()  # every value the greeting needs was known


@pytest.mark.parametrize(
    ("hour", "words"),
    [(9, "Доброе утро"), (14, "Добрый день"), (20, "Добрый вечер"), (2, "Доброй ночи")],
)
def test_the_greeting_in_russian(
    qtbot: QtBot, library: ScriptLibrary, clock: FakeClock, hour: int, words: str
) -> None:
    panel = _panel(qtbot, library, clock, language="ru")
    panel.set_context(
        ScriptContext(
            company="Акме Телеком", line="Домашний интернет", operator_name="Анна", position="инженер"
        )
    )
    panel.on_call_event(CallEvent.ANSWERED, now=clock.now.replace(hour=hour))
    assert panel.text().startswith(f"{words}, Акме Телеком, Домашний интернет, меня зовут Анна, инженер.")


def test_switching_language_re_renders_the_current_phase(
    qtbot: QtBot, library: ScriptLibrary, clock: FakeClock
) -> None:
    panel = _panel(qtbot, library, clock)
    _answer(qtbot, panel)
    panel.set_language("ru")
    assert panel.text().startswith("Доброе утро, Acme Telecom")
    panel.set_language("en")
    assert panel.text().startswith("Good morning, Acme Telecom")


def test_the_greeting_does_not_flip_when_the_context_changes_later(
    qtbot: QtBot, library: ScriptLibrary, clock: FakeClock
) -> None:
    clock.now = clock.now.replace(hour=11, minute=59)
    panel = _panel(qtbot, library, clock)
    _answer(qtbot, panel)
    clock.advance(minutes=2)  # past noon while the caller looks for the contract
    panel.set_context(CONTEXT)
    assert panel.text().startswith("Good morning")


def test_an_unknown_value_shows_as_a_marker_until_it_is_known(
    qtbot: QtBot, library: ScriptLibrary, clock: FakeClock
) -> None:
    panel = _panel(qtbot, library, clock)
    panel.set_context(ScriptContext(company="Acme Telecom"))
    _answer(qtbot, panel)
    assert "my name is [operator_name]" in panel.text()
    panel.set_context(CONTEXT)
    assert "my name is Anna Petrova" in panel.text()


# --- hold and the promise -------------------------------------------------------------------------


def test_hold_promise_counts_down_warns_once_when_overdue_and_resume_thanks(
    qtbot: QtBot, library: ScriptLibrary, clock: FakeClock
) -> None:
    panel = _panel(qtbot, library, clock)
    _answer(qtbot, panel)
    overdue_count: list[None] = []
    panel.hold_overdue.connect(lambda: overdue_count.append(None))

    with qtbot.waitSignal(panel.phase_changed, timeout=1000) as changed:
        panel.start_hold(3)
    assert changed.args == [ScriptPhase.HOLD]
    assert panel.text() == "Please stay on the line, it will take about 3 minutes."
    assert panel.minutes.value() == 3
    assert panel.countdown_timer.isActive()
    assert panel.countdown.isVisibleTo(panel)
    assert "3:00 left" in panel.countdown.text()

    clock.advance(minutes=1, seconds=15)
    qtbot.waitUntil(lambda: "1:45 left" in panel.countdown.text(), timeout=2000)  # the real timer ticks
    assert overdue_count == []

    clock.advance(minutes=1, seconds=45, milliseconds=1)
    with qtbot.waitSignal(panel.hold_overdue, timeout=2000):
        pass  # the next tick of the timer notices
    assert panel.countdown.property("overdue") is True
    assert "Promised wait is over by 0:00" in panel.countdown.text()

    clock.advance(seconds=35)
    qtbot.waitUntil(
        lambda: panel.countdown.text() == "Promised wait is over by 0:35 — go back to the caller",
        timeout=2000,
    )
    panel.update_countdown()
    panel.update_countdown()
    assert len(overdue_count) == 1  # once per promise, however many ticks follow

    with qtbot.waitSignal(panel.phase_changed, timeout=1000) as changed:
        panel.on_call_event(CallEvent.RESUMED)
    assert changed.args == [ScriptPhase.RESUME]
    assert panel.text() == "Thank you for waiting."
    assert not panel.countdown_timer.isActive()
    assert not panel.countdown.isVisibleTo(panel)
    assert panel.promise is None
    assert len(overdue_count) == 1


def test_held_from_the_engine_uses_the_minutes_set_beforehand(
    qtbot: QtBot, library: ScriptLibrary, clock: FakeClock
) -> None:
    panel = _panel(qtbot, library, clock)
    _answer(qtbot, panel)
    panel.minutes.setValue(5)
    panel.on_call_event(CallEvent.HELD)
    assert panel.text() == "Please stay on the line, it will take about 5 minutes."
    promise = panel.promise
    assert promise is not None and promise.minutes == 5

    clock.advance(minutes=1)
    panel.on_call_event(CallEvent.HELD)  # the engine repeats itself: the promise stands
    assert panel.promise == promise

    panel.start_hold(2)  # the operator promises again: "two more minutes"
    assert panel.promise is not None and panel.promise.started_at == clock.now
    assert "2 minutes" in panel.text()
    clock.advance(minutes=2, seconds=1)
    with qtbot.waitSignal(panel.hold_overdue, timeout=2000):
        panel.update_countdown()


def test_a_new_promise_can_be_overdue_again(qtbot: QtBot, library: ScriptLibrary, clock: FakeClock) -> None:
    panel = _panel(qtbot, library, clock)
    _answer(qtbot, panel)
    panel.start_hold(1)
    clock.advance(minutes=1)
    with qtbot.waitSignal(panel.hold_overdue, timeout=1000):
        panel.update_countdown()
    panel.on_call_event(CallEvent.RESUMED)
    panel.start_hold(1)
    assert panel.countdown.property("overdue") is False
    clock.advance(minutes=1)
    with qtbot.waitSignal(panel.hold_overdue, timeout=1000):
        panel.update_countdown()


def test_alt_m_reaches_the_minutes_box(qtbot: QtBot, library: ScriptLibrary, clock: FakeClock) -> None:
    panel = _panel(qtbot, library, clock)
    panel.show()
    qtbot.waitExposed(panel)
    handle = panel.windowHandle()
    assert handle is not None
    handle.requestActivate()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is panel, timeout=2000)
    panel.script.setFocus()
    qtbot.keyClick(panel, Qt.Key.Key_M, Qt.KeyboardModifier.AltModifier)
    assert QApplication.focusWidget() is panel.minutes
    qtbot.keyClick(panel.minutes, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClicks(panel.minutes, "7")
    assert panel.minutes.value() == 7
    assert (panel.minutes.minimum(), panel.minutes.maximum()) == (1, 30)


# --- transfer and closing -------------------------------------------------------------------------


def test_transfer_names_who_takes_the_call_and_a_cancelled_transfer_resumes(
    qtbot: QtBot, library: ScriptLibrary, clock: FakeClock
) -> None:
    panel = _panel(qtbot, library, clock)
    _answer(qtbot, panel)
    panel.start_hold(2)
    with qtbot.waitSignal(panel.phase_changed, timeout=1000) as changed:
        panel.start_transfer("the second line (technical)")
    assert changed.args == [ScriptPhase.TRANSFER]
    assert panel.text() == (
        "I am transferring you to the second line (technical), who will help you further. "
        "Please stay on the line."
    )
    assert not panel.countdown_timer.isActive()  # the caller is no longer waiting on our promise
    panel.set_context(dataclasses.replace(CONTEXT, customer_name="Ivan"))  # the window learns more
    assert "transferring you to the second line (technical)" in panel.text()
    panel.on_call_event(CallEvent.RESUMED)
    assert panel.phase is ScriptPhase.RESUME


def test_closing_shows_the_ticket_number_once_it_exists(
    qtbot: QtBot, library: ScriptLibrary, clock: FakeClock
) -> None:
    panel = _panel(qtbot, library, clock)
    _answer(qtbot, panel)
    with qtbot.waitSignal(panel.phase_changed, timeout=1000) as changed:
        panel.on_call_event(CallEvent.CLOSING_STARTED)
    assert changed.args == [ScriptPhase.CLOSING]
    assert panel.text().startswith("Is there anything else I can help you with?\n")
    assert panel.text().endswith("your ticket number is [ticket_number].")

    panel.set_context(dataclasses.replace(CONTEXT, ticket_number="T-0012-3459"))
    assert panel.text().endswith("Thank you for calling, your ticket number is T-0012-3459.")

    with qtbot.waitSignal(panel.phase_changed, timeout=1000) as changed:
        panel.on_call_event(CallEvent.ENDED)
    assert changed.args == [ScriptPhase.IDLE]
    assert panel.text() == ""


def test_a_line_with_its_own_closing_uses_it(qtbot: QtBot, library: ScriptLibrary, clock: FakeClock) -> None:
    panel = _panel(qtbot, library, clock)
    panel.set_line("Billing")
    panel.set_context(ScriptContext(company="Acme Telecom", ticket_number="T-1"))
    panel.on_call_event(CallEvent.ANSWERED)
    panel.on_call_event(CallEvent.CLOSING_STARTED)
    assert panel.text() == (
        "Is there anything else about your account I can help you with?\n"
        "Thank you for calling Acme Telecom billing, your ticket number is T-1."
    )


def test_the_library_through_the_database_worker_matches_the_shipped_files(
    qtbot: QtBot,
    event_loop_qt: asyncio.AbstractEventLoop,
    demo_engine: Engine,
    worker: DatabaseWorker,
    clock: FakeClock,
) -> None:
    task = awaited(worker, ScriptService(demo_engine), ScriptPort).library()
    qtbot.waitUntil(task.done, timeout=5000)
    loaded = task.result()
    shipped = load_scripts_dir(resources_dir() / "scripts")
    for line in (LINE, "Billing"):
        for language in ("en", "ru"):
            assert loaded.for_line(line, language) == shipped.for_line(line, language)
    panel = _panel(qtbot, loaded, clock, language="ru")
    panel.on_call_event(CallEvent.ANSWERED)
    panel.start_hold(3)
    assert panel.text() == "Пожалуйста, оставайтесь на линии, это займёт около 3 мин."
    panel.on_call_event(CallEvent.RESUMED)
    assert panel.text() == "Спасибо за ожидание."


# --- hostile values and bad events ----------------------------------------------------------------

HOSTILE = [
    "<b>Boss</b> <img src=x onerror=alert(1)>",
    'O\'Brien "the Quote" & <Sons>',
    "מרים כהן\u200f عبد الله",
    "{ticket_number} {company.__class__} %s",
    "Я" * 500,
]


@pytest.mark.parametrize("name", HOSTILE, ids=["markup", "quotes", "rtl", "braces", "long"])
def test_hostile_names_appear_literally(
    qtbot: QtBot, library: ScriptLibrary, clock: FakeClock, name: str
) -> None:
    panel = _panel(qtbot, library, clock)
    panel.resize(500, 400)
    panel.show()
    qtbot.waitExposed(panel)
    panel.set_context(ScriptContext(company="Acme", line=LINE, operator_name=name, position=name))
    panel.on_call_event(CallEvent.ANSWERED)
    assert f"my name is {name}, {name}." in panel.text()

    panel.set_templates(ScriptTemplates("en", {"greeting_morning": "Hello, {customer_name}!"}))
    panel.set_context(ScriptContext(customer_name=name, ticket_number="T-7"))
    assert panel.text() == f"Hello, {name}!"
    assert panel.script.document().toRawText() == f"Hello, {name}!"  # no markup was parsed
    assert panel.width() <= 500  # even a long name without spaces wraps instead of widening
    assert panel.script.horizontalScrollBar().maximum() == 0


@pytest.mark.expect_log("app.ui.scripts_panel", "script panel ignores")
def test_unexpected_events_are_logged_and_ignored(
    qtbot: QtBot, library: ScriptLibrary, clock: FakeClock, caplog: pytest.LogCaptureFixture
) -> None:
    panel = _panel(qtbot, library, clock)
    changes: list[object] = []
    panel.phase_changed.connect(changes.append)
    with caplog.at_level(logging.WARNING, logger="app.ui.scripts_panel"):
        panel.on_call_event(CallEvent.RESUMED)  # nothing is on hold
        panel.on_call_event(CallEvent.CLOSING_STARTED)  # no call
        panel.start_hold(2)  # no call to hold
    assert panel.phase is ScriptPhase.IDLE
    assert panel.text() == ""
    assert not panel.countdown_timer.isActive()
    assert changes == []
    assert len([r for r in caplog.records if "ignores" in r.getMessage()]) == 3

    panel.on_call_event(CallEvent.ANSWERED)
    panel.on_call_event(CallEvent.ANSWERED)  # answered twice: still greeting
    assert changes == [ScriptPhase.GREETING]
    assert panel.text().startswith("Good morning")


def test_without_templates_the_panel_says_so(qtbot: QtBot, clock: FakeClock) -> None:
    panel = ScriptsPanel(clock=clock)
    qtbot.addWidget(panel)
    panel.on_call_event(CallEvent.ANSWERED)
    assert panel.text() == "No scripts are loaded for this line."
    with pytest.raises(RuntimeError):
        panel.set_language("ru")


def test_copy_puts_the_words_on_the_clipboard(qtbot: QtBot, library: ScriptLibrary, clock: FakeClock) -> None:
    panel = _panel(qtbot, library, clock)
    panel.on_call_event(CallEvent.ANSWERED)
    qtbot.mouseClick(panel.copy_button, Qt.MouseButton.LeftButton)
    clipboard = QApplication.clipboard()
    assert clipboard is not None
    assert clipboard.text() == panel.text()


def test_clock_text() -> None:
    assert clock_text(timedelta(seconds=35)) == "0:35"
    assert clock_text(timedelta(minutes=2, seconds=5, milliseconds=999)) == "2:05"
    assert clock_text(timedelta(minutes=12)) == "12:00"
    assert clock_text(timedelta(seconds=-3)) == "0:00"
