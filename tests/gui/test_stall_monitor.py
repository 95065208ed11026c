"""The event-loop stall monitor: a frozen GUI thread is measured and reported as it happens."""

from __future__ import annotations

import time

import pytest
from pytestqt.qtbot import QtBot

from app.ui.stall_monitor import BUDGET_MS, StallMonitor

pytestmark = pytest.mark.gui


def test_a_stall_over_the_budget_is_reported_when_it_happens(qtbot: QtBot) -> None:
    stalls: list[float] = []
    monitor = StallMonitor(on_stall=stalls.append)
    monitor.start()
    qtbot.waitUntil(lambda: monitor.samples >= 3, timeout=2000)  # running, and no stall so far
    assert stalls == []
    time.sleep(0.15)  # the GUI thread is frozen for 150 ms: this is the stall being measured
    qtbot.waitUntil(lambda: bool(stalls), timeout=2000)
    monitor.stop()
    assert len(stalls) == 1 and stalls[0] > 2 * BUDGET_MS  # ~130 ms late: 150 ms less the 20 ms tick
    assert monitor.summary()["stalls_over_50ms"] == 1 and monitor.max_ms == stalls[0]
