"""Measures how late the GUI thread's event loop runs a 20 ms timer: the "stall" an operator
would feel as a frozen window.  Cheap enough to run always; the window logs a summary, and each
stall over the 50 ms budget as it happens (so a benchmark can tell when it was)."""

from __future__ import annotations

import time
from collections.abc import Callable

from PySide6.QtCore import QObject, QTimer

INTERVAL_MS = 20
BUDGET_MS = 50


class StallMonitor(QObject):
    def __init__(
        self, parent: QObject | None = None, *, on_stall: Callable[[float], None] | None = None
    ) -> None:
        """``on_stall(ms)`` is called (on the GUI thread) for each stall over `BUDGET_MS`."""
        super().__init__(parent)
        self._on_stall = on_stall
        self._timer = QTimer(self)
        self._timer.setInterval(INTERVAL_MS)
        self._timer.timeout.connect(self._on_timer_timeout)
        self._last = time.perf_counter()
        self.samples = 0
        self.max_ms = 0.0
        self.over_50ms = 0

    def start(self) -> None:
        self._last = time.perf_counter()
        self._timer.start()

    def stop(self) -> None:
        self._timer.stop()

    def _on_timer_timeout(self) -> None:
        now = time.perf_counter()
        late_ms = (now - self._last) * 1000 - INTERVAL_MS
        self._last = now
        self.samples += 1
        self.max_ms = max(self.max_ms, late_ms)
        if late_ms > BUDGET_MS:
            self.over_50ms += 1
            if self._on_stall is not None:
                self._on_stall(late_ms)

    def summary(self) -> dict[str, float | int]:
        return {
            "samples": self.samples,
            "max_stall_ms": round(self.max_ms, 1),
            "stalls_over_50ms": self.over_50ms,
        }
