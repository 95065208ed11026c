"""The operator is told when the phone goes offline (issue 21): the desk leaves Ready by itself while
calls cannot reach it and returns to Ready when they can, the phone's status line says what is true,
and the JSON log has the ``registration`` events.  Real window, real engine, real Kamailio killed and
restarted (TCP: a dropped connection is noticed at once); waits are on Qt signals.
"""

from __future__ import annotations

import asyncio
import os
import signal
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot
from sqlalchemy import Engine

from app.demo.caller import free_udp_port
from app.services.database_worker import DatabaseWorker
from app.tickets.operator_state import PHONE_OFFLINE, OperatorState, OperatorStatus
from tests.gui.desks import Desk, open_desk
from tests.softphone.kamailio_proc import SUBSCRIBERS, Kamailio

pytestmark = [pytest.mark.gui, pytest.mark.sip, pytest.mark.slow]

OFFLINE_TEXT = "Not ready: Phone offline — calls can't reach you"


@pytest.fixture
def registrar(tmp_path: Path) -> Iterator[Kamailio]:
    k = Kamailio(tmp_path / "kamailio")
    yield k
    k.kill()


def _is(status: OperatorStatus, reason: str | None = None) -> object:
    def check(state: OperatorState) -> bool:
        return state.status is status and (reason is None or state.reason == reason)

    return check


def _ready_by_keyboard(qtbot: QtBot, desk: Desk) -> None:
    call_desk = desk.window.desk
    assert call_desk is not None
    qtbot.waitUntil(lambda: call_desk.presence.online, timeout=15_000)
    qtbot.keyClick(desk.window, Qt.Key.Key_1, Qt.KeyboardModifier.ControlModifier)
    assert call_desk.state.status is OperatorStatus.READY


# The engine's own log, relayed into the window's (app.softphone.desk.engine_log): the registrar is
# stopped on purpose, so pjsip says its REGISTER was refused.
@pytest.mark.expect_log("app.softphone.pjsip", r"SIP registration failed")
def test_a_lost_registrar_takes_the_desk_out_of_ready_and_its_return_puts_it_back(
    qtbot: QtBot,
    event_loop_qt: asyncio.AbstractEventLoop,
    demo_engine: Engine,
    worker: DatabaseWorker,
    tmp_path: Path,
    registrar: Kamailio,
) -> None:
    phone = ["--server", registrar.address, "--transport", "tcp", "--user", "1007", "--listen", "127.0.0.1:0"]
    env = {"FRONTLINE_SIP_PASSWORD": SUBSCRIBERS["1007"]}
    with open_desk(
        qtbot, event_loop_qt, demo_engine, worker, tmp_path, engine_args=phone, phone_env=env
    ) as desk:
        window, call_desk = desk.window, desk.window.desk
        assert call_desk is not None
        _ready_by_keyboard(qtbot, desk)
        assert window.softphone.registration.text() == "Phone: registered"

        with qtbot.waitSignal(
            call_desk.operator_state_changed, timeout=10_000, check_params_cb=_is(OperatorStatus.NOT_READY)
        ):
            registrar.kill()
        assert call_desk.state.reason == PHONE_OFFLINE and not call_desk.state.offers_calls
        assert window.operator_state.label.text() == OFFLINE_TEXT
        phone_line = window.softphone.registration.text()
        assert phone_line.startswith("Phone offline: registrar unreachable"), phone_line
        assert window.statusBar().currentMessage() == "Phone offline — calls can't reach you."

        with qtbot.waitSignal(
            call_desk.operator_state_changed, timeout=15_000, check_params_cb=_is(OperatorStatus.READY)
        ):
            registrar.restart()
        assert window.softphone.registration.text() == "Phone: registered"

    regs = desk.events("registration")
    assert [r["state"] for r in regs] == ["registered", "failed", "registered"], regs
    assert "registrar unreachable" in regs[1]["reason"]
    assert regs[2]["since_ms"] > 0  # how long the phone was offline
    moves = [(e["old"], e["new"], e["reason"]) for e in desk.events("operator_state")]
    assert moves[-2:] == [("ready", "not_ready", PHONE_OFFLINE), ("not_ready", "ready", None)]


@pytest.mark.expect_log("app.softphone.desk.client", r"softphone engine \d+ died", level="ERROR")
def test_a_dead_engine_takes_the_desk_out_of_ready_until_it_is_back(
    qtbot: QtBot,
    event_loop_qt: asyncio.AbstractEventLoop,
    demo_engine: Engine,
    worker: DatabaseWorker,
    tmp_path: Path,
) -> None:
    phone = ["--p2p", "--listen", f"127.0.0.1:{free_udp_port()}", "--user", "desk"]
    with open_desk(qtbot, event_loop_qt, demo_engine, worker, tmp_path, engine_args=phone) as desk:
        window, call_desk = desk.window, desk.window.desk
        assert call_desk is not None
        bridge = window._desk_services.phone  # type: ignore[union-attr]
        _ready_by_keyboard(qtbot, desk)
        pid = bridge.client.pid
        assert pid is not None
        with qtbot.waitSignal(
            call_desk.operator_state_changed, timeout=10_000, check_params_cb=_is(OperatorStatus.NOT_READY)
        ):
            os.kill(pid, signal.SIGKILL)
        assert window.operator_state.label.text() == OFFLINE_TEXT
        # Ready asked for while the phone is down waits for the phone rather than lying.
        qtbot.keyClick(window, Qt.Key.Key_1, Qt.KeyboardModifier.ControlModifier)
        assert call_desk.state.reason == PHONE_OFFLINE
        with qtbot.waitSignal(
            call_desk.operator_state_changed, timeout=15_000, check_params_cb=_is(OperatorStatus.READY)
        ):
            pass  # the supervisor restarts the engine
        assert window.softphone.registration.text() == "Phone: ready (direct)"

    died = desk.events("registration")
    assert died and died[0]["state"] == "unregistered" and "SIGKILL" in died[0]["reason"], died
