"""A whole call at the operator's desk, for real: the window's own softphone engine (a child
process), a second engine as the caller on loopback, the real SQLite database with demo data,
and the keyboard.  Nothing here is faked; waits are on Qt signals, never sleeps.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot
from sqlalchemy import Engine, Row, text

from app.softphone.desk.client import EngineClient
from app.tickets.numbering import is_valid_ticket_number
from app.tickets.operator_state import OperatorStatus
from app.tickets.scripts import ScriptPhase
from app.ui.main_window import MainWindow
from tests.gui.desks import Desk, press_ready, run

pytestmark = [pytest.mark.gui, pytest.mark.sip, pytest.mark.slow]


def _customer_with_phone(engine: Engine, *, fewer_calls_than: int | None = None) -> tuple[str, str, str]:
    """(E.164 number, name, contract) of a customer whose number nobody shares."""
    few = (
        ""
        if fewer_calls_than is None
        else " AND (SELECT count(*) FROM calls k WHERE k.customer_id = c.id) < :n"
    )
    with engine.connect() as conn:
        row = conn.execute(
            text(
                "SELECT p.e164, c.name, c.contract_number FROM customer_phones p"
                " JOIN customers c ON c.id = p.customer_id WHERE p.e164 LIKE '+7%'"
                " AND (SELECT count(*) FROM customer_phones q WHERE q.e164 = p.e164) = 1"
                f"{few} ORDER BY p.id DESC LIMIT 1"
            ),
            {"n": fewer_calls_than},
        ).one()
    return row[0], row[1], row[2]


def _line_number(engine: Engine) -> tuple[str, str]:
    with engine.connect() as conn:
        row = conn.execute(
            text(
                "SELECT n.number, l.name FROM line_numbers n JOIN lines l ON l.id = n.line_id ORDER BY n.id LIMIT 1"
            )
        ).one()
    return row[0], row[1]


def _ticket_and_call(engine: Engine, number: str) -> tuple[Row[Any], Row[Any]]:
    with engine.connect() as conn:
        ticket = conn.execute(
            text(
                "SELECT t.status, t.resolution, c.contract_number FROM tickets t"
                " JOIN customers c ON c.id = t.customer_id WHERE t.number = :n"
            ),
            {"n": number},
        ).one()
        call = conn.execute(
            text(
                "SELECT outcome, answered_at IS NOT NULL, hold_seconds, t.number FROM calls"
                " JOIN tickets t ON t.id = calls.ticket_id WHERE t.number = :n"
            ),
            {"n": number},
        ).one()
    return ticket, call


def _dial(
    qtbot: QtBot, loop: asyncio.AbstractEventLoop, desk: Desk, caller: EngineClient, line: str = "100"
) -> None:
    """The caller dials the desk; returns once the pop is up and the call has its ticket form."""
    phone = desk.window._desk_services.phone  # type: ignore[union-attr]
    with qtbot.waitSignal(phone.incoming_call, timeout=15_000):
        run(qtbot, loop, caller.request("dial", uri=f"sip:{line}@127.0.0.1:{desk.sip_port}"))
    call_desk = desk.window.desk
    assert call_desk is not None
    qtbot.waitUntil(
        lambda: call_desk.current is not None and call_desk.current.form is not None, timeout=5000
    )


def _hang_up(qtbot: QtBot, loop: asyncio.AbstractEventLoop, desk: Desk, caller: EngineClient) -> None:
    phone = desk.window._desk_services.phone  # type: ignore[union-attr]
    with qtbot.waitSignal(phone.call_ended, timeout=10_000):
        run(qtbot, loop, caller.request("hangup"))


_ready = press_ready  # the name the tests below use


def test_a_call_from_ring_to_closed_ticket_with_the_keyboard(
    qtbot: QtBot, event_loop_qt: asyncio.AbstractEventLoop, desk: Desk, caller_factory: Any
) -> None:
    window, call_desk = desk.window, desk.window.desk
    assert call_desk is not None
    e164, name, contract = desk.on_worker(_customer_with_phone, desk.engine)
    dialled, line_name = desk.on_worker(_line_number, desk.engine)
    _ready(qtbot, desk)
    caller = caller_factory(e164, name)

    # Ring: the pop shows the number and the display name at once, then the card fills.
    phone = window._desk_services.phone  # type: ignore[union-attr]
    with qtbot.waitSignal(window.search.lookup_finished, timeout=15_000):
        run(qtbot, event_loop_qt, caller.request("dial", uri=f"sip:{dialled}@127.0.0.1:{desk.sip_port}"))
    assert window.softphone.banner.ringing
    assert window.softphone.banner.display.text() == name
    assert window.card.contract.text() == contract
    qtbot.waitUntil(lambda: bool(desk.events("pop_shown")), timeout=5000)
    pop = desk.events("pop_shown")[0]
    assert pop["number"] == e164 and pop["invite_to_pop_ms"] > 0
    filled = desk.events("card_filled")[0]
    assert filled["found"] is True

    # F5 answers; a ticket with a readable, valid number exists; the greeting names the operator.
    with qtbot.waitSignal(call_desk.ticket_opened, timeout=15_000) as opened:
        qtbot.keyClick(window, Qt.Key.Key_F5)
    number = opened.args[0].number
    assert is_valid_ticket_number(number)
    assert window.ticket_form.number.text() == number
    assert call_desk.state.status is OperatorStatus.ON_CALL
    assert window.scripts.phase is ScriptPhase.GREETING
    assert "John Smith" in window.scripts.text()
    assert "Test Telecom" in window.scripts.text()
    # The dialled number was resolved to the support line's name, and the greeting says it.
    assert call_desk.current is not None and call_desk.current.line_name == line_name
    qtbot.waitUntil(lambda: line_name in window.scripts.text(), timeout=5000)

    # F6 holds (the engine's SDP goes sendonly), the script promises the minutes; F6 resumes.
    with qtbot.waitSignal(phone.call_state_changed, timeout=10_000, check_params_cb=lambda c: c.held):
        qtbot.keyClick(window, Qt.Key.Key_F6)
    assert window.scripts.phase is ScriptPhase.HOLD
    assert "2" in window.scripts.text()
    with qtbot.waitSignal(phone.call_state_changed, timeout=10_000, check_params_cb=lambda c: c.resumed):
        qtbot.keyClick(window, Qt.Key.Key_F6)
    assert window.scripts.phase is ScriptPhase.RESUME

    # The caller hangs up: the desk goes to wrap-up and records the call.
    _hang_up(qtbot, event_loop_qt, desk, caller)
    assert call_desk.state.status is OperatorStatus.WRAP_UP

    # Closing needs the required fields: the form refuses, then takes them.
    form = window.ticket_form
    with qtbot.waitSignal(form.validation_failed, timeout=5000) as refused:
        qtbot.keyClick(
            window, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier
        )
    assert refused.args[0]  # the missing field ids
    assert QApplication.focusWidget() is not None
    form.subject.setFocus()
    qtbot.keyClicks(form.subject, "No internet since morning")
    form.category.setCurrentIndex(form.category.count() - 1)
    form.complexity.setCurrentIndex(1)
    form.priority.setCurrentIndex(1)
    form.resolution.setFocus()
    qtbot.keyClicks(form.resolution, "Router rebooted on the call; link is up.")
    with qtbot.waitSignal(form.closed, timeout=10_000):
        qtbot.keyClick(
            window, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier
        )
    assert call_desk.state.status is OperatorStatus.READY

    ticket, call = desk.on_worker(_ticket_and_call, desk.engine, number)
    assert ticket[0] == "closed"
    assert ticket[1] == "Router rebooted on the call; link is up."
    assert ticket[2] == contract
    assert call[0] == "answered" and call[1]
    names = [e["event"] for e in map(json.loads, desk.log_path.read_text().splitlines())]
    for expected in (
        "incoming_call",
        "pop_shown",
        "card_filled",
        "answered",
        "hold",
        "resume",
        "call_ended",
        "ticket_closed",
    ):
        assert expected in names


def test_a_desk_that_is_not_ready_refuses_busy_and_records_it(
    qtbot: QtBot, event_loop_qt: asyncio.AbstractEventLoop, desk: Desk, caller_factory: Any
) -> None:
    window = desk.window
    assert window.desk is not None
    assert window.desk.state.status is OperatorStatus.NOT_READY  # every desk starts not ready
    caller = caller_factory("+79990003344")
    run(qtbot, event_loop_qt, caller.request("dial", uri=f"sip:100@127.0.0.1:{desk.sip_port}"))
    ended = run(qtbot, event_loop_qt, caller.wait_event("call_ended", timeout=15))
    assert ended["code"] == 486
    assert not window.softphone.banner.ringing

    def outcome() -> str | None:
        with desk.engine.connect() as conn:
            return conn.execute(
                text(
                    "SELECT outcome FROM calls WHERE caller_number = '+79990003344' ORDER BY id DESC LIMIT 1"
                )
            ).scalar()

    qtbot.waitUntil(lambda: desk.on_worker(outcome) == "rejected", timeout=10_000)


def test_an_anonymous_caller_gets_no_lookup(
    qtbot: QtBot, event_loop_qt: asyncio.AbstractEventLoop, desk: Desk, caller_factory: Any
) -> None:
    window = desk.window
    phone = window._desk_services.phone  # type: ignore[union-attr]
    _ready(qtbot, desk)
    caller = caller_factory("anonymous", "Anonymous")
    with qtbot.waitSignal(phone.incoming_call, timeout=15_000) as rang:
        run(qtbot, event_loop_qt, caller.request("dial", uri=f"sip:100@127.0.0.1:{desk.sip_port}"))
    assert rang.args[0].anonymous
    assert window.softphone.banner.number.text() == "Anonymous caller"
    assert "Anonymous caller" in window.search.summary.text()
    assert desk.events("card_filled")[0]["anonymous"] is True
    _hang_up(qtbot, event_loop_qt, desk, caller)


def test_the_window_keeps_no_copy_of_the_phone_events_it_handled(
    qtbot: QtBot, event_loop_qt: asyncio.AbstractEventLoop, desk: Desk, caller_factory: Any
) -> None:
    """The window takes every engine event through its callback; a queue of them as well (for
    readers it has none of) filled up over a shift's first hundred calls (issue 21, part 3)."""
    phone = desk.window._desk_services.phone  # type: ignore[union-attr]
    _ready(qtbot, desk)
    caller = caller_factory("+79990004455")
    with qtbot.waitSignal(phone.incoming_call, timeout=15_000):
        run(qtbot, event_loop_qt, caller.request("dial", uri=f"sip:100@127.0.0.1:{desk.sip_port}"))
    _hang_up(qtbot, event_loop_qt, desk, caller)
    assert phone.client.unread_events == 0


def _shared_number(engine: Engine) -> tuple[str, list[str]]:
    with engine.connect() as conn:
        number = conn.execute(
            text("SELECT e164 FROM customer_phones GROUP BY e164 HAVING count(*) > 1 ORDER BY e164 LIMIT 1")
        ).scalar_one()
        contracts = (
            conn.execute(
                text(
                    "SELECT c.contract_number FROM customers c JOIN customer_phones p ON p.customer_id = c.id"
                    " WHERE p.e164 = :n ORDER BY c.contract_number"
                ),
                {"n": number},
            )
            .scalars()
            .all()
        )
    return number, list(contracts)


def test_a_shared_number_lists_every_customer_and_the_operator_chooses(
    qtbot: QtBot, event_loop_qt: asyncio.AbstractEventLoop, desk: Desk, caller_factory: Any
) -> None:
    window, call_desk = desk.window, desk.window.desk
    assert call_desk is not None
    number, contracts = desk.on_worker(_shared_number, desk.engine)
    assert len(contracts) >= 2
    _ready(qtbot, desk)
    caller = caller_factory(number)
    with qtbot.waitSignal(window.search.lookup_finished, timeout=15_000) as found:
        run(qtbot, event_loop_qt, caller.request("dial", uri=f"sip:100@127.0.0.1:{desk.sip_port}"))
    assert sorted(c.contract_number for c in found.args[0].customers) == contracts
    assert window.search.results.count() == len(contracts)
    assert call_desk.current is not None and call_desk.current.customer is None  # nobody guessed
    # The operator walks to the second customer and opens it with Enter.
    window.search.results.setFocus()
    qtbot.keyClick(window.search.results, Qt.Key.Key_Down)
    chosen = window.search.results.currentRow()
    qtbot.keyClick(window.search.results, Qt.Key.Key_Return)
    assert call_desk.current.customer is not None
    assert call_desk.current.customer.contract_number == found.args[0].customers[chosen].contract_number
    _hang_up(qtbot, event_loop_qt, desk, caller)


@pytest.mark.parametrize(
    "display",
    ["<b>Boss</b><img src=x>", 'O\'Brien "VIP" <sales>', "مرحبا Иван", "x" * 120],
    # 120 characters: the *calling* pjsua refuses to build an INVITE with a 400-byte From display
    # (PJ_ETOOSMALL); longer values on the desk side are covered by test_customer_card.
    ids=["markup", "quotes", "rtl", "long"],
)
def test_hostile_display_names_reach_the_pop_as_plain_text(
    qtbot: QtBot, event_loop_qt: asyncio.AbstractEventLoop, desk: Desk, caller_factory: Any, display: str
) -> None:
    window = desk.window
    phone = window._desk_services.phone  # type: ignore[union-attr]
    _ready(qtbot, desk)
    caller = caller_factory("+79990005566", display)
    with qtbot.waitSignal(phone.incoming_call, timeout=15_000) as rang:
        run(qtbot, event_loop_qt, caller.request("dial", uri=f"sip:100@127.0.0.1:{desk.sip_port}"))
    received = rang.args[0].info.display
    banner = window.softphone.banner
    assert banner.display.textFormat() == Qt.TextFormat.PlainText
    assert received is not None
    # What arrived over SIP is shown literally (capped at 80 characters, in full in the tooltip).
    assert banner.display.toolTip() == received
    assert banner.display.text() == (received if len(received) <= 80 else received[:79] + "…")
    assert received.startswith(display[:20])
    _hang_up(qtbot, event_loop_qt, desk, caller)


@pytest.mark.expect_log("app.softphone.desk.client", r"softphone engine \d+ died", level="ERROR")
def test_the_engine_dying_mid_call_keeps_the_ticket_and_the_typed_text(
    qtbot: QtBot, event_loop_qt: asyncio.AbstractEventLoop, desk: Desk, caller_factory: Any
) -> None:
    import os
    import signal

    window, call_desk = desk.window, desk.window.desk
    assert call_desk is not None
    phone = window._desk_services.phone  # type: ignore[union-attr]
    _ready(qtbot, desk)
    caller = caller_factory("+79990007788")
    _dial(qtbot, event_loop_qt, desk, caller)
    with qtbot.waitSignal(call_desk.ticket_opened, timeout=15_000) as opened:
        qtbot.keyClick(window, Qt.Key.Key_F5)
    form = window.ticket_form
    form.subject.setFocus()
    qtbot.keyClicks(form.subject, "Typed before the crash")

    pid = phone.client.pid
    assert pid is not None
    with (
        qtbot.waitSignal(phone.engine_died, timeout=10_000),
        qtbot.waitSignal(phone.call_ended, timeout=10_000),
    ):
        os.kill(pid, signal.SIGKILL)
    assert "restarting" in window.softphone.registration.text()
    # The operator is told in words that the caller is gone, not just that the phone restarts.
    assert "the call with +79990007788 was lost" in window.statusBar().currentMessage()
    with qtbot.waitSignal(phone.engine_restarted, timeout=15_000):
        pass
    assert phone.client.pid not in (None, pid)
    assert window.softphone.registration.text() == "Phone: ready (direct)"  # usable again
    # The operator lost nothing: same ticket, same typed text, and the desk is in wrap-up.
    assert form.current() is not None and form.current().number == opened.args[0].number
    assert form.subject.text() == "Typed before the crash"
    assert call_desk.state.status is OperatorStatus.WRAP_UP
    assert [e["lost_call"] for e in desk.events("engine_died")] == ["+79990007788"]


def test_an_unknown_caller_becomes_a_new_phone_only_customer(
    qtbot: QtBot, event_loop_qt: asyncio.AbstractEventLoop, desk: Desk, caller_factory: Any
) -> None:
    window, call_desk = desk.window, desk.window.desk
    assert call_desk is not None
    _ready(qtbot, desk)
    caller = caller_factory("+79991234500")
    with qtbot.waitSignal(call_desk.unknown_caller, timeout=15_000) as unknown:
        run(qtbot, event_loop_qt, caller.request("dial", uri=f"sip:100@127.0.0.1:{desk.sip_port}"))
    assert unknown.args[0] == "+79991234500"
    assert window.card_stack.currentWidget() is window.new_customer
    assert "912" not in window.new_customer.phone.text()  # pre-filled with the caller's number
    assert "999" in window.new_customer.phone.text()
    with qtbot.waitSignal(call_desk.ticket_opened, timeout=15_000):
        qtbot.keyClick(window, Qt.Key.Key_F5)
    with qtbot.waitSignal(window.new_customer.created, timeout=10_000) as created:
        window.new_customer.create_button.click()
    card = created.args[0]
    assert "+79991234500" in card.phones
    assert window.card_stack.currentWidget() is window.card
    assert call_desk.current is not None and call_desk.current.customer == card
    assert window.ticket_form.draft().customer_id == card.id
    assert desk.events("customer_created")[0]["contract"] == card.contract_number
    _hang_up(qtbot, event_loop_qt, desk, caller)


# --- nothing typed is lost ----------------------------------------------------------------------

CTRL = Qt.KeyboardModifier.ControlModifier


def test_a_new_call_opens_beside_the_unsaved_ticket_of_the_last_one(
    qtbot: QtBot, event_loop_qt: asyncio.AbstractEventLoop, desk: Desk, caller_factory: Any
) -> None:
    window, call_desk = desk.window, desk.window.desk
    assert call_desk is not None
    _ready(qtbot, desk)
    first = caller_factory("+79990002211")
    _dial(qtbot, event_loop_qt, desk, first)
    with qtbot.waitSignal(call_desk.ticket_opened, timeout=15_000) as opened:
        qtbot.keyClick(window, Qt.Key.Key_F5)
    first_ticket = opened.args[0]
    form = window.ticket_form
    assert QApplication.focusWidget() is form.subject
    with qtbot.waitSignal(window.drafts.written, timeout=5000):  # on this desk's disk as it is typed
        qtbot.keyClicks(form.subject, "The first caller's words")
    _hang_up(qtbot, event_loop_qt, desk, first)
    assert call_desk.state.status is OperatorStatus.WRAP_UP
    qtbot.keyClick(window, Qt.Key.Key_1, CTRL)  # Ready again, nothing saved

    second = caller_factory("+79990003322")
    _dial(qtbot, event_loop_qt, desk, second)
    assert window.ticket_tabs.count() == 2
    assert window.ticket_form is not form  # the new call's form in front ...
    assert form.current() == first_ticket  # ... the unsaved one beside it, as it was
    assert form.subject.text() == "The first caller's words"
    with qtbot.waitSignal(call_desk.ticket_opened, timeout=15_000) as opened:
        qtbot.keyClick(window, Qt.Key.Key_F5)
    assert window.ticket_form.current() == opened.args[0] != first_ticket

    qtbot.keyClick(window, Qt.Key.Key_PageUp, CTRL)  # a keystroke away
    assert window.ticket_form is form
    qtbot.keyClick(window, Qt.Key.Key_PageDown, CTRL)
    assert window.ticket_form.current() == opened.args[0]
    # Both are unfinished (no subject stored), the first also unsaved: counted for the operator.
    label = window.unfinished_label
    qtbot.waitUntil(lambda: {first_ticket.number, opened.args[0].number} <= set(label.toolTip().split("\n")))
    _hang_up(qtbot, event_loop_qt, desk, second)


def _pick(qtbot: QtBot, window: MainWindow, alt_key: Qt.Key) -> int:
    """The first choice of the combo box behind the Alt mnemonic, by keyboard; its id."""
    qtbot.keyClick(window, alt_key, Qt.KeyboardModifier.AltModifier)
    combo = QApplication.focusWidget()
    assert combo is not None
    qtbot.keyClick(combo, Qt.Key.Key_Down)
    value = combo.currentData()  # type: ignore[attr-defined]
    assert isinstance(value, int)
    return value


def test_category_complexity_and_priority_chosen_while_it_rings_reach_the_closed_ticket(
    qtbot: QtBot, event_loop_qt: asyncio.AbstractEventLoop, desk: Desk, caller_factory: Any
) -> None:
    window, call_desk = desk.window, desk.window.desk
    assert call_desk is not None
    e164, name, _contract = desk.on_worker(_customer_with_phone, desk.engine)
    dialled, _line = desk.on_worker(_line_number, desk.engine)
    _ready(qtbot, desk)
    caller = caller_factory(e164, name)
    _dial(qtbot, event_loop_qt, desk, caller, dialled)
    chosen = (
        _pick(qtbot, window, Qt.Key.Key_C),  # category
        _pick(qtbot, window, Qt.Key.Key_X),  # complexity
        _pick(qtbot, window, Qt.Key.Key_P),  # priority
    )
    with qtbot.waitSignal(call_desk.ticket_opened, timeout=15_000) as opened:
        qtbot.keyClick(window, Qt.Key.Key_F5)
    number = opened.args[0].number
    form = window.ticket_form
    assert form.current() is not None and form.current().number == number
    typed = form.draft()
    assert (typed.category_id, typed.complexity_id, typed.priority_id) == chosen  # kept, not reset

    _hang_up(qtbot, event_loop_qt, desk, caller)
    assert call_desk.state.status is OperatorStatus.WRAP_UP
    form.subject.setFocus()
    qtbot.keyClicks(form.subject, "Chosen at the first ring")
    qtbot.keyClick(window, Qt.Key.Key_R, Qt.KeyboardModifier.AltModifier)
    qtbot.keyClicks(form.resolution, "Explained on the call")
    form.description.setPlainText("Some categories want a description too.")
    with qtbot.waitSignal(form.closed, timeout=10_000):
        qtbot.keyClick(window, Qt.Key.Key_S, CTRL | Qt.KeyboardModifier.ShiftModifier)

    def stored_ticket() -> Row[Any]:
        with desk.engine.connect() as conn:
            return conn.execute(
                text("SELECT category_id, complexity_id, priority_id, status FROM tickets WHERE number = :n"),
                {"n": number},
            ).one()

    stored = desk.on_worker(stored_ticket)
    assert tuple(stored) == (*chosen, "closed")


def test_the_card_counts_the_call_just_taken(
    qtbot: QtBot, event_loop_qt: asyncio.AbstractEventLoop, desk: Desk, caller_factory: Any
) -> None:
    window, call_desk = desk.window, desk.window.desk
    assert call_desk is not None
    e164, _name, contract = desk.on_worker(
        _customer_with_phone, desk.engine, fewer_calls_than=3
    )  # card lists 5
    _ready(qtbot, desk)
    caller = caller_factory(e164)
    with qtbot.waitSignal(window.search.lookup_finished, timeout=15_000):
        run(qtbot, event_loop_qt, caller.request("dial", uri=f"sip:100@127.0.0.1:{desk.sip_port}"))
    assert window.card.card is not None and window.card.card.contract_number == contract
    calls_before = len(window.card.card.recent_calls)
    tickets_before = len(window.card.card.open_tickets)
    with qtbot.waitSignal(call_desk.ticket_opened, timeout=15_000):
        qtbot.keyClick(window, Qt.Key.Key_F5)
    _hang_up(qtbot, event_loop_qt, desk, caller)
    tabs = window.card.tabs
    qtbot.waitUntil(lambda: tabs.tabText(1) == f"Recent calls ({calls_before + 1})", timeout=10_000)
    assert tabs.tabText(0) == f"Open tickets ({tickets_before + 1})"  # and its ticket
    assert window.card.calls.rowCount() == calls_before + 1


def test_the_greeting_leaves_out_a_position_the_operator_does_not_have(
    qtbot: QtBot,
    event_loop_qt: asyncio.AbstractEventLoop,
    demo_engine: Engine,
    desk_factory: Callable[..., Desk],
    caller_factory: Any,
) -> None:
    with demo_engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO operators (login, display_name, position, role, active)"
                " VALUES ('no_position', 'Anna Nopos', NULL, 'operator', true)"
            )
        )
    desk = desk_factory(operator="no_position")
    window, call_desk = desk.window, desk.window.desk
    assert call_desk is not None
    _ready(qtbot, desk)
    caller = caller_factory("+79990005544")
    _dial(qtbot, event_loop_qt, desk, caller)
    with qtbot.waitSignal(call_desk.ticket_opened, timeout=15_000):
        qtbot.keyClick(window, Qt.Key.Key_F5)
    greeting = window.scripts.text()
    assert "my name is Anna Nopos. Please tell me your contract number." in greeting
    assert "[" not in greeting
    _hang_up(qtbot, event_loop_qt, desk, caller)


def test_quitting_during_a_call_asks_first_and_the_call_goes_on(
    qtbot: QtBot, event_loop_qt: asyncio.AbstractEventLoop, desk: Desk, caller_factory: Any
) -> None:
    window, call_desk = desk.window, desk.window.desk
    assert call_desk is not None
    _ready(qtbot, desk)
    caller = caller_factory("+79990006655")
    _dial(qtbot, event_loop_qt, desk, caller)
    with qtbot.waitSignal(call_desk.ticket_opened, timeout=15_000):
        qtbot.keyClick(window, Qt.Key.Key_F5)

    qtbot.keyClick(window, Qt.Key.Key_Q, CTRL)
    qtbot.waitUntil(
        lambda: window.quit_question is not None and window.quit_question.isVisible(), timeout=5000
    )
    question = window.quit_question
    assert question is not None
    assert "The call with +7 999 000-66-55 is hung up." in question.informativeText()
    qtbot.keyClick(question, Qt.Key.Key_Return)  # Enter: the default is to keep working
    qtbot.waitUntil(lambda: window.quit_question is None, timeout=5000)
    assert window.isVisible()
    assert call_desk.current is not None and call_desk.current.answered  # still talking
    _hang_up(qtbot, event_loop_qt, desk, caller)
