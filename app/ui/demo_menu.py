"""The Demo menu (only with `--demo`): ring the desk from a demo customer, an unknown number or
an anonymous caller, now or every 90 seconds, and show where the demo shift lead answers."""

from __future__ import annotations

import logging
import random
from collections.abc import Awaitable, Callable

from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QMenu, QWidget

from app.demo.caller import DemoCaller, DemoCallers
from app.json_log import JsonEventLog
from app.ui.tasks import BackgroundTasks

log = logging.getLogger(__name__)

AUTO_INTERVAL_MS = 90_000
FIRST_CALL_MS = 8_000  # a newcomer sees a pop within seconds of `make demo`


class DemoMenu(QObject):
    lead_ready = Signal(str)  # the shift lead's SIP address, for the transfer box
    message = Signal(str)

    def __init__(
        self,
        caller: DemoCaller,
        callers: Callable[[], Awaitable[DemoCallers]],
        json_log: JsonEventLog,
        parent: QWidget,
    ) -> None:
        super().__init__(parent)
        self._caller = caller
        self._callers_source = callers
        self._callers: DemoCallers | None = None
        self._log = json_log
        self._rng = random.Random()
        self._tasks = BackgroundTasks(self._on_task_error)
        self.menu = QMenu(self.tr("&Demo"), parent)
        # Ctrl+Shift+K is the window's "review conflicts" on a central database.
        self.known = self._action(self.tr("Call from a &known customer"), "Ctrl+Shift+C", "known")
        self.unknown = self._action(self.tr("Call from an &unknown number"), "Ctrl+Shift+U", "unknown")
        self.anonymous = self._action(self.tr("Call &anonymously"), "Ctrl+Shift+A", "anonymous")
        self.auto = QAction(self.tr("Call every 90 &seconds"), self)
        self.auto.setCheckable(True)
        self.auto.setChecked(True)
        self.auto.toggled.connect(self._on_auto_toggled)
        self.menu.addSeparator()
        self.menu.addAction(self.auto)
        self._timer = QTimer(self)
        self._timer.setInterval(AUTO_INTERVAL_MS)
        self._timer.timeout.connect(self._on_timer_timeout)
        QTimer.singleShot(FIRST_CALL_MS, self._on_timer_timeout)
        self._timer.start()
        self._tasks.spawn(self._start_lead())

    def _action(self, text: str, keys: str, kind: str) -> QAction:
        action = QAction(text, self)
        action.setShortcut(QKeySequence(keys))
        action.triggered.connect(lambda: self.call(kind))
        self.menu.addAction(action)
        return action

    def actions(self) -> list[QAction]:
        return [self.known, self.unknown, self.anonymous, self.auto]

    def call(self, kind: str) -> None:
        self._tasks.spawn(self._call(kind))

    async def _call(self, kind: str) -> None:
        if self._callers is None:
            self._callers = await self._callers_source()
        spec = DemoCaller.pick(kind, self._callers.known, self._callers.line_numbers, self._rng)
        self._log.write("demo_call", kind=kind, number=spec.number, line=spec.line_number)
        await self._caller.place(spec)

    async def _start_lead(self) -> None:
        uri = await self._caller.start_shift_lead()
        self.lead_ready.emit(uri)

    def _on_timer_timeout(self) -> None:
        if self.auto.isChecked() and self._caller.active_calls == 0:
            self.call(self._rng.choice(["known", "known", "known", "unknown", "anonymous"]))

    def _on_auto_toggled(self, on: bool) -> None:
        if on:
            self._timer.start()
        else:
            self._timer.stop()

    def _on_task_error(self, exc: BaseException) -> None:
        log.error("demo caller failed", exc_info=exc)
        self.message.emit(self.tr("Demo caller: {error}").format(error=str(exc) or type(exc).__name__))

    async def shutdown(self) -> None:
        self._timer.stop()
        self._tasks.cancel_all()
        await self._caller.shutdown()
