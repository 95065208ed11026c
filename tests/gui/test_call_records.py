"""Every way a call can go at the desk leaves exactly one call row with the right outcome, end
reason and times, and the disposition picked at wrap-up is stored on it.

Real parts throughout: the window with its own softphone engine (a child process), callers and a
transfer target that are second engines on loopback, the real SQLite database with demo data, the
keyboard.  Waits are on Qt signals and on the database row, never sleeps.
"""

from __future__ import annotations

import asyncio
import os
import signal
import sqlite3
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot
from sqlalchemy import Engine, text

from app.demo.caller import free_udp_port
from app.softphone.desk.client import EngineClient
from app.softphone.events import CallEndOutcome
from app.storage.seed import shipped_dispositions
from app.tickets.dispositions import NOT_CHOSEN
from app.tickets.operator_state import OperatorStatus
from tests.gui.desks import Desk, press_ready, run

pytestmark = [pytest.mark.gui, pytest.mark.sip, pytest.mark.slow]

Caller = Callable[..., EngineClient]
SHIFT = Qt.KeyboardModifier.ShiftModifier
CTRL = Qt.KeyboardModifier.ControlModifier


# --- helpers ------------------------------------------------------------------------------------


def dial(
    qtbot: QtBot, loop: asyncio.AbstractEventLoop, desk: Desk, caller: EngineClient, to: str = "100"
) -> None:
    """The caller rings the desk; returns once the desk has seen the INVITE."""
    with qtbot.waitSignal(desk.phone.incoming_call, timeout=15_000):
        run(qtbot, loop, caller.request("dial", uri=f"sip:{to}@127.0.0.1:{desk.sip_port}"))


def refused_code(qtbot: QtBot, loop: asyncio.AbstractEventLoop, desk: Desk, caller: EngineClient) -> int:
    """The caller rings a desk that will not take the call; the SIP code the caller got."""
    run(qtbot, loop, caller.request("dial", uri=f"sip:100@127.0.0.1:{desk.sip_port}"))
    return int(run(qtbot, loop, caller.wait_event("call_ended", timeout=15))["code"])


def calls_of(desk: Desk, number: str) -> list[Any]:
    return desk.on_worker(_calls_of, desk.engine, number)


def _calls_of(engine: Engine, number: str) -> list[Any]:
    with engine.connect() as conn:
        return list(
            conn.execute(
                text(
                    "SELECT outcome, end_reason, ringing_at, answered_at, ended_at, transferred_to,"
                    " disposition, operator_id IS NOT NULL AS has_operator"
                    " FROM calls WHERE caller_number = :n ORDER BY id"
                ),
                {"n": number},
            ).all()
        )


def ended_call(qtbot: QtBot, desk: Desk, number: str, count: int = 1) -> Any:
    """The caller's last call once it has an outcome; there must be exactly `count` rows."""

    def done() -> bool:
        rows = calls_of(desk, number)
        return len(rows) == count and rows[-1].outcome is not None

    qtbot.waitUntil(done, timeout=20_000)
    return calls_of(desk, number)[-1]


def stored(qtbot: QtBot, desk: Desk, number: str, **expected: Any) -> Any:
    """Wait until the caller's one call row has `expected` values (later steps may still be
    on their way: a disposition after the end)."""

    def matches() -> bool:
        rows = calls_of(desk, number)
        return len(rows) == 1 and all(getattr(rows[0], k) == v for k, v in expected.items())

    qtbot.waitUntil(matches, timeout=20_000)
    return calls_of(desk, number)[0]


def _stamp(value: Any) -> datetime:
    parsed = value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def answer(qtbot: QtBot, desk: Desk) -> None:
    assert desk.window.desk is not None
    with qtbot.waitSignal(desk.window.desk.ticket_opened, timeout=15_000):
        qtbot.keyClick(desk.window, Qt.Key.Key_F5)


def talking(
    qtbot: QtBot, loop: asyncio.AbstractEventLoop, desk: Desk, caller: EngineClient, to: str = "100"
) -> EngineClient:
    """Ready (Ctrl+1), the caller rings `to`, the operator answers (F5): they are talking."""
    press_ready(qtbot, desk)
    dial(qtbot, loop, desk, caller, to)
    answer(qtbot, desk)
    return caller


def line_number(engine: Engine, line: str) -> str:
    with engine.connect() as conn:
        return str(
            conn.execute(
                text(
                    "SELECT n.number FROM line_numbers n JOIN lines l ON l.id = n.line_id WHERE l.name = :l LIMIT 1"
                ),
                {"l": line},
            ).scalar_one()
        )


# --- calls nobody talked on ---------------------------------------------------------------------


@pytest.mark.parametrize("number", ["+79994440001", "anonymous"])
def test_a_caller_who_gives_up_while_it_rings_is_abandoned_and_has_no_disposition(
    qtbot: QtBot, event_loop_qt: asyncio.AbstractEventLoop, desk: Desk, caller_factory: Caller, number: str
) -> None:
    started = datetime.now(UTC)
    before = len(calls_of(desk, number))
    press_ready(qtbot, desk)
    caller = caller_factory(number, "Anonymous" if number == "anonymous" else None)
    dial(qtbot, event_loop_qt, desk, caller)
    with qtbot.waitSignal(desk.phone.call_ended, timeout=10_000):
        run(qtbot, event_loop_qt, caller.request("hangup"))
    row = ended_call(qtbot, desk, number, count=before + 1)
    assert (row.outcome, row.end_reason, row.answered_at, row.has_operator) == (
        "abandoned",
        "caller_hung_up",
        None,
        True,
    )
    assert started.replace(microsecond=0) <= _stamp(row.ringing_at) <= _stamp(row.ended_at)
    assert desk.window.desk is not None and desk.window.desk.state.status is OperatorStatus.READY
    # Nobody talked: no wrap-up, nothing to pick; F10 says why and leaves the keyboard alone.
    focus = QApplication.focusWidget()
    qtbot.keyClick(desk.window, Qt.Key.Key_F10)
    assert not desk.window.disposition_picker.isEnabled()
    assert QApplication.focusWidget() is focus
    assert "answered call" in desk.window.statusBar().currentMessage()
    assert row.disposition is None


def test_a_call_nobody_answers_rings_out_as_missed(
    qtbot: QtBot,
    event_loop_qt: asyncio.AbstractEventLoop,
    desk_factory: Callable[..., Desk],
    caller_factory: Caller,
) -> None:
    desk = desk_factory(phone_args=["--ring-timeout", "1.5"])
    press_ready(qtbot, desk)
    caller = caller_factory("+79994440002")
    dial(qtbot, event_loop_qt, desk, caller)
    ended = run(qtbot, event_loop_qt, caller.wait_event("call_ended", timeout=15))
    assert ended["code"] == 480  # the desk's engine gave up on it
    row = ended_call(qtbot, desk, "+79994440002")
    assert (row.outcome, row.end_reason, row.answered_at) == ("missed", "ring_timeout", None)
    assert (_stamp(row.ended_at) - _stamp(row.ringing_at)).total_seconds() >= 1.4


def test_shift_f9_refuses_a_ringing_call_and_records_it(
    qtbot: QtBot, event_loop_qt: asyncio.AbstractEventLoop, desk: Desk, caller_factory: Caller
) -> None:
    press_ready(qtbot, desk)
    caller = caller_factory("+79994440003")
    dial(qtbot, event_loop_qt, desk, caller)
    qtbot.keyClick(desk.window, Qt.Key.Key_F9, SHIFT)
    assert run(qtbot, event_loop_qt, caller.wait_event("call_ended", timeout=15))["code"] == 486
    row = ended_call(qtbot, desk, "+79994440003")
    assert (row.outcome, row.end_reason, row.answered_at, row.disposition) == (
        "rejected",
        "operator_rejected",
        None,
        None,
    )


def test_a_desk_not_taking_calls_refuses_busy_and_records_why(
    qtbot: QtBot, event_loop_qt: asyncio.AbstractEventLoop, desk: Desk, caller_factory: Caller
) -> None:
    assert desk.window.desk is not None
    caller = caller_factory("+79994440004")
    assert desk.window.desk.state.status is OperatorStatus.NOT_READY  # a desk starts Not ready
    assert refused_code(qtbot, event_loop_qt, desk, caller) == 486
    assert ended_call(qtbot, desk, "+79994440004").end_reason == "not_ready"
    press_ready(qtbot, desk)
    qtbot.keyClick(desk.window, Qt.Key.Key_3, CTRL)  # Break
    assert desk.window.desk.state.status is OperatorStatus.BREAK
    assert refused_code(qtbot, event_loop_qt, desk, caller) == 486
    row = ended_call(qtbot, desk, "+79994440004", count=2)
    assert (row.outcome, row.end_reason, row.answered_at, row.disposition) == (
        "rejected",
        "on_break",
        None,
        None,
    )
    assert not desk.window.softphone.banner.ringing


# --- calls that were answered -------------------------------------------------------------------


def test_a_second_call_is_refused_busy_the_first_goes_on_and_wrap_up_refuses_with_its_reason(
    qtbot: QtBot, event_loop_qt: asyncio.AbstractEventLoop, desk: Desk, caller_factory: Caller
) -> None:
    call_desk = desk.window.desk
    assert call_desk is not None
    first = talking(qtbot, event_loop_qt, desk, caller_factory("+79994440005"))
    second = caller_factory("+79994440006")
    assert refused_code(qtbot, event_loop_qt, desk, second) == 486
    busy = ended_call(qtbot, desk, "+79994440006")
    assert (busy.outcome, busy.end_reason) == ("rejected", "busy")
    assert call_desk.current is not None and call_desk.current.info.number == "+79994440005"
    assert call_desk.state.status is OperatorStatus.ON_CALL  # the first caller never noticed
    with qtbot.waitSignal(desk.phone.call_ended, timeout=10_000):
        run(qtbot, event_loop_qt, first.request("hangup"))
    assert call_desk.state.status is OperatorStatus.WRAP_UP
    assert refused_code(qtbot, event_loop_qt, desk, second) == 486
    assert ended_call(qtbot, desk, "+79994440006", count=2).end_reason == "wrap_up"
    talked = ended_call(qtbot, desk, "+79994440005")
    assert (talked.outcome, talked.end_reason) == ("answered", "caller_hung_up")
    assert _stamp(talked.ringing_at) <= _stamp(talked.answered_at) <= _stamp(talked.ended_at)


def test_a_second_call_the_engine_refuses_itself_is_recorded_too(
    qtbot: QtBot,
    event_loop_qt: asyncio.AbstractEventLoop,
    desk_factory: Callable[..., Desk],
    caller_factory: Caller,
) -> None:
    desk = desk_factory(phone_args=["--no-call-waiting"])  # a site with call waiting switched off
    talking(qtbot, event_loop_qt, desk, caller_factory("+79994440007"))
    second = caller_factory("+79994440008")
    with qtbot.assertNotEmitted(desk.phone.incoming_call):
        assert refused_code(qtbot, event_loop_qt, desk, second) == 486
    row = ended_call(qtbot, desk, "+79994440008")
    assert (row.outcome, row.end_reason, row.answered_at) == ("rejected", "busy", None)
    with qtbot.waitSignal(desk.phone.call_ended, timeout=10_000):
        qtbot.keyClick(desk.window, Qt.Key.Key_F9)


def test_a_blind_transfer_is_recorded_with_its_target(
    qtbot: QtBot, event_loop_qt: asyncio.AbstractEventLoop, desk: Desk, caller_factory: Caller
) -> None:
    port = free_udp_port()
    lead = EngineClient(
        ["--p2p", "--listen", f"127.0.0.1:{port}", "--user", "lead", "--auto-answer", "--null-audio"],
        restart=False,
    )
    run(qtbot, event_loop_qt, lead.start())
    try:
        talking(qtbot, event_loop_qt, desk, caller_factory("+79994440009"))
        target = f"sip:lead@127.0.0.1:{port}"
        qtbot.keyClick(desk.window, Qt.Key.Key_F8)
        box = desk.window.softphone.transfer_target
        qtbot.waitUntil(box.hasFocus, timeout=5000)
        box.clear()
        qtbot.keyClicks(box, target)
        with qtbot.waitSignal(
            desk.phone.call_ended,
            timeout=15_000,
            check_params_cb=lambda e: e.outcome is CallEndOutcome.TRANSFERRED,
        ):
            qtbot.keyClick(box, Qt.Key.Key_Return)
        run(
            qtbot, event_loop_qt, lead.wait_event("call_state", timeout=15, state="active")
        )  # the caller got there
        row = ended_call(qtbot, desk, "+79994440009")
        assert (row.outcome, row.end_reason, row.transferred_to) == ("transferred", "transferred", target)
        assert row.answered_at is not None
        assert desk.window.desk is not None and desk.window.desk.state.status is OperatorStatus.WRAP_UP
    finally:
        run(qtbot, event_loop_qt, lead.stop())


@pytest.mark.expect_log("app.softphone.desk.client", r"softphone engine \d+ died", level="ERROR")
def test_the_engine_dying_mid_call_records_the_cut_call(
    qtbot: QtBot, event_loop_qt: asyncio.AbstractEventLoop, desk: Desk, caller_factory: Caller
) -> None:
    talking(qtbot, event_loop_qt, desk, caller_factory("+79994440010"))
    pid = desk.phone.client.pid
    assert pid is not None
    with qtbot.waitSignal(desk.phone.engine_restarted, timeout=20_000):
        os.kill(pid, signal.SIGKILL)
    row = ended_call(qtbot, desk, "+79994440010")
    assert (row.outcome, row.end_reason) == ("answered", "engine_died")
    assert row.answered_at is not None and row.ended_at is not None
    # Ready ends the wrap-up with nothing picked: the call says so.
    press_ready(qtbot, desk)
    stored(qtbot, desk, "+79994440010", disposition=NOT_CHOSEN)


def test_closing_the_window_during_a_call_records_it_before_the_process_ends(
    qtbot: QtBot, event_loop_qt: asyncio.AbstractEventLoop, desk: Desk, caller_factory: Caller
) -> None:
    caller = talking(qtbot, event_loop_qt, desk, caller_factory("+79994440011"))
    # The database is slow to take the last writes (held by another connection for 1.5 s):
    # shutdown() must still return only once they are in, as app.main stops the loop after it.
    path = desk.engine.url.database
    assert path is not None
    lock = sqlite3.connect(path, isolation_level=None)
    lock.execute("BEGIN EXCLUSIVE")
    QTimer.singleShot(1500, lambda: lock.execute("COMMIT"))
    try:
        desk.window.close()
        run(qtbot, event_loop_qt, desk.window.shutdown())
    finally:
        lock.close()
    (row,) = calls_of(desk, "+79994440011")
    assert (row.outcome, row.end_reason, row.disposition) == ("answered", "window_closed", NOT_CHOSEN)
    assert row.ended_at is not None
    assert run(qtbot, event_loop_qt, caller.wait_event("call_ended", timeout=15))["outcome"] == "completed"


@pytest.mark.expect_log("app.services.call_journal", r"not written")
def test_a_call_rung_while_the_database_is_locked_is_recorded_when_it_frees(
    qtbot: QtBot, event_loop_qt: asyncio.AbstractEventLoop, desk: Desk, caller_factory: Caller
) -> None:
    """Another connection holds the desk's SQLite file longer than its 10 s busy timeout (a long
    cache refresh, a backup tool): the record waits, the operator is told, nothing is lost."""
    path = desk.engine.url.database
    assert path is not None
    press_ready(qtbot, desk)
    caller = caller_factory("+79994440012")
    lock = sqlite3.connect(path, isolation_level=None)
    try:
        lock.execute("BEGIN EXCLUSIVE")
        dial(qtbot, event_loop_qt, desk, caller)
        with qtbot.waitSignal(desk.phone.call_ended, timeout=10_000):
            run(qtbot, event_loop_qt, caller.request("hangup"))
        qtbot.waitUntil(lambda: bool(desk.events("call_record_delayed")), timeout=20_000)
        assert "could not be saved yet" in desk.window.statusBar().currentMessage()
        lock.execute("COMMIT")
    finally:
        lock.close()
    row = ended_call(qtbot, desk, "+79994440012")
    assert (row.outcome, row.end_reason) == ("abandoned", "caller_hung_up")
    qtbot.waitUntil(lambda: bool(desk.events("call_record_saved")), timeout=10_000)


# --- dispositions -------------------------------------------------------------------------------


def test_the_disposition_is_picked_with_f10_and_a_digit_from_the_lines_own_list(
    qtbot: QtBot, event_loop_qt: asyncio.AbstractEventLoop, desk: Desk, caller_factory: Caller
) -> None:
    window = desk.window
    picker = window.disposition_picker
    billing = shipped_dispositions().per_line["Billing"]
    assert ("F10", "Disposition…") in window.shortcut_rows()  # listed in F1
    talking(
        qtbot,
        event_loop_qt,
        desk,
        caller_factory("+79994440013"),
        to=desk.on_worker(line_number, desk.engine, "Billing"),
    )
    qtbot.waitUntil(lambda: picker.choices.count() == len(billing), timeout=10_000)
    assert picker.choices.item(0).text() == f"1  {billing[0].label('en')}"
    with qtbot.waitSignal(desk.phone.call_ended, timeout=10_000):
        qtbot.keyClick(window, Qt.Key.Key_F9)  # the operator hangs up
    assert window.desk is not None and window.desk.state.status is OperatorStatus.WRAP_UP
    subject = window.ticket_form.subject
    subject.setFocus()
    qtbot.waitUntil(subject.hasFocus, timeout=2000)
    qtbot.keyClick(window, Qt.Key.Key_F10)
    assert picker.choices.hasFocus()
    qtbot.keyClick(picker.choices, Qt.Key.Key_3)
    assert subject.hasFocus()  # back to where the operator was typing
    assert picker.status.text() == f"Chosen: {billing[2].label('en')}"
    row = stored(qtbot, desk, "+79994440013", disposition=billing[2].code)
    assert (row.outcome, row.end_reason) == ("answered", "operator_hung_up")
    # Changed with the arrows and Enter before wrap-up ends: the last choice is the one kept.
    qtbot.keyClick(window, Qt.Key.Key_F10)
    qtbot.keyClick(picker.choices, Qt.Key.Key_Down)
    qtbot.keyClick(picker.choices, Qt.Key.Key_Return)
    stored(qtbot, desk, "+79994440013", disposition=billing[3].code)
    press_ready(qtbot, desk)  # wrap-up ends with a choice made: nothing more is written
    assert [e["code"] for e in desk.events("disposition")] == [billing[2].code, billing[3].code]


def test_a_wrap_up_that_runs_out_without_a_choice_stores_not_chosen_and_f10_still_sets_one(
    qtbot: QtBot,
    event_loop_qt: asyncio.AbstractEventLoop,
    desk_factory: Callable[..., Desk],
    caller_factory: Caller,
) -> None:
    desk = desk_factory(wrap_up_s=1)
    call_desk = desk.window.desk
    assert call_desk is not None
    default = shipped_dispositions().default
    caller = talking(qtbot, event_loop_qt, desk, caller_factory("+79994440014"))
    with qtbot.waitSignal(desk.phone.call_ended, timeout=10_000):
        run(qtbot, event_loop_qt, caller.request("hangup"))
    assert call_desk.state.status is OperatorStatus.WRAP_UP
    qtbot.waitUntil(lambda: call_desk.state.status is OperatorStatus.READY, timeout=5000)  # the timer
    stored(qtbot, desk, "+79994440014", disposition=NOT_CHOSEN)
    assert "not chosen" in desk.window.statusBar().currentMessage()
    qtbot.keyClick(desk.window, Qt.Key.Key_F10)
    qtbot.keyClick(desk.window.disposition_picker.choices, Qt.Key.Key_1)
    stored(qtbot, desk, "+79994440014", disposition=default[0].code)
