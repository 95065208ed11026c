"""The scripts panel: the words to say for the current phase of the call, large enough to read
off the screen with a headset on.

The call's events move the phase (`app.tickets.scripts.next_phase`); the text is rendered from the
line's templates in the desk's language with what is known so far (operator, company, line,
customer, ticket number).  The greeting is picked by the local time at answer and does not flip
mid-call when the context changes.

On hold the operator promises "about N minutes" (the spin box, Alt+M); a countdown shows what is
left and turns into a warning once the promise is overdue.  Time comes from an injectable clock so
the countdown is testable without waiting.

Every value is shown as plain text: a customer called ``<b>Boss</b>`` appears literally.
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Callable
from datetime import datetime, timedelta

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QGuiApplication, QTextOption
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from app.tickets.scripts import (
    CallEvent,
    HoldPromise,
    ScriptContext,
    ScriptLibrary,
    ScriptPhase,
    ScriptTemplates,
    UnexpectedCallEvent,
    next_phase,
    render,
)

log = logging.getLogger(__name__)

TICK_MS = 1000
MIN_PROMISE_MINUTES = 1
MAX_PROMISE_MINUTES = 30
DEFAULT_PROMISE_MINUTES = 2
_TEXT_SCALE = 1.6
_OVERDUE_STYLE = "background: #b00020; color: white; font-weight: bold; padding: 4px;"


def local_now() -> datetime:
    """The desk's local time, timezone-aware: the greeting follows the operator's clock."""
    return datetime.now().astimezone()


def clock_text(span: timedelta) -> str:
    """``m:ss`` for a non-negative span, rounded down to the second (``2:05``, ``12:00``)."""
    seconds = max(0, int(span.total_seconds()))
    minutes, seconds = divmod(seconds, 60)
    return f"{minutes}:{seconds:02d}"


def _scale_font(widget: QWidget, scale: float, *, bold: bool = False) -> None:
    font = widget.font()
    font.setPointSizeF(font.pointSizeF() * scale)
    font.setBold(bold)
    widget.setFont(font)


def _plain_label(name: str, *, scale: float, bold: bool = False) -> QLabel:
    label = QLabel()
    label.setObjectName(name)
    label.setTextFormat(Qt.TextFormat.PlainText)
    label.setWordWrap(True)
    _scale_font(label, scale, bold=bold)
    return label


class ScriptsPanel(QWidget):
    """Shows the script for the call's current phase and runs the hold countdown.

    Args:
        clock: returns "now"; the countdown and the greeting read it.  Tests pass a fake one.
            Any ``now`` passed to the methods must be of the same kind (aware or naive).
    """

    phase_changed = Signal(object)  # ScriptPhase, after the text for it is on screen
    hold_overdue = Signal()  # once per hold promise, when its time is up

    def __init__(self, *, clock: Callable[[], datetime] = local_now, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("scriptsPanel")
        self._clock = clock
        self._phase = ScriptPhase.IDLE
        self._phase_started_at: datetime | None = None
        self._context = ScriptContext()
        self._templates: ScriptTemplates | None = None
        self._library: ScriptLibrary | None = None
        self._line: str | None = None
        self._promise: HoldPromise | None = None
        self._overdue_reported = False
        self._transfer_to: str | None = None  # from start_transfer, kept if set_context lacks it

        self.title = _plain_label("scriptPhase", scale=1.0, bold=True)
        # A read-only text edit rather than a label: it wraps even a 500-character name with no
        # spaces instead of widening the window, and the operator can select and copy from it.
        self.script = QPlainTextEdit()
        self.script.setObjectName("scriptText")
        self.script.setReadOnly(True)
        self.script.setLineWrapMode(QPlainTextEdit.LineWrapMode.WidgetWidth)
        self.script.setWordWrapMode(QTextOption.WrapMode.WrapAtWordBoundaryOrAnywhere)
        self.script.setAccessibleName(self.tr("Script"))
        self.script.setPlaceholderText(self.tr("The words to say appear here when a call is answered."))
        _scale_font(self.script, _TEXT_SCALE)
        self.countdown = _plain_label("holdCountdown", scale=1.3)
        self.countdown.setProperty("overdue", False)
        self.countdown.setVisible(False)

        layout = QVBoxLayout(self)
        layout.addWidget(self.title)
        layout.addWidget(self.script, stretch=1)
        layout.addWidget(self.countdown)
        layout.addLayout(self._build_controls())

        self.countdown_timer = QTimer(self)
        self.countdown_timer.setInterval(TICK_MS)
        self.countdown_timer.timeout.connect(self.update_countdown)
        self._show()

    def _build_controls(self) -> QVBoxLayout:
        self.minutes = QSpinBox()
        self.minutes.setObjectName("holdMinutes")
        self.minutes.setRange(MIN_PROMISE_MINUTES, MAX_PROMISE_MINUTES)
        self.minutes.setValue(DEFAULT_PROMISE_MINUTES)
        self.minutes.setSuffix(self.tr(" min"))
        self.minutes.setAccessibleName(self.tr("Minutes to promise on hold"))
        minutes_label = QLabel(self.tr("Hold &minutes:"))
        minutes_label.setBuddy(self.minutes)  # Alt+M, before or during the hold

        self.copy_button = QPushButton(self.tr("Copy script"))
        self.copy_button.setObjectName("copyScript")
        self.copy_button.setToolTip(self.tr("Copy the words on screen to the clipboard"))
        self.copy_button.clicked.connect(self.copy_text)

        # Two rows: in one the panel would be wider than the words need (in Russian it was what
        # squeezed the window's left column).
        minutes_row = QHBoxLayout()
        minutes_row.addWidget(minutes_label)
        minutes_row.addWidget(self.minutes)
        minutes_row.addStretch(1)
        controls = QVBoxLayout()
        controls.addLayout(minutes_row)
        controls.addWidget(self.copy_button, alignment=Qt.AlignmentFlag.AlignRight)
        return controls

    # --- state for the window and tests -------------------------------------------------------
    @property
    def phase(self) -> ScriptPhase:
        return self._phase

    @property
    def context(self) -> ScriptContext:
        return self._context

    @property
    def promise(self) -> HoldPromise | None:
        """The running hold promise, None when not on hold."""
        return self._promise

    def text(self) -> str:
        """The words on screen."""
        return self.script.toPlainText()

    # --- what to say and with which values ----------------------------------------------------
    def set_templates(self, templates: ScriptTemplates) -> None:
        self._templates = templates
        self._show()

    def set_library(self, library: ScriptLibrary, line: str | None, language: str) -> None:
        """Use `library` for `line` in `language`; later `set_language` / `set_line` switch."""
        self._library = library
        self._line = line
        self.set_templates(library.for_line(line, language))

    def set_language(self, language: str) -> None:
        if self._library is None:
            raise RuntimeError("set_language needs a library: call set_library first.")
        self.set_templates(self._library.for_line(self._line, language))

    def set_line(self, line: str | None) -> None:
        """The call came in on another support line: its own scripts, same language."""
        if self._library is None:
            raise RuntimeError("set_line needs a library: call set_library first.")
        self._line = line
        language = self._templates.language if self._templates is not None else "en"
        self.set_templates(self._library.for_line(line, language))

    def set_context(self, context: ScriptContext) -> None:
        """What is known now (customer identified, ticket created, ...); re-renders at once."""
        self._context = context
        self._show()

    # --- the call -----------------------------------------------------------------------------
    def on_call_event(self, event: CallEvent, now: datetime | None = None) -> None:
        """Move to the phase after `event`; an event that does not fit is logged and ignored."""
        try:
            new = next_phase(self._phase, event)
        except UnexpectedCallEvent as exc:
            log.warning("script panel ignores %s in phase %s", exc.event, exc.phase)
            return
        now = self._clock() if now is None else now
        if new is ScriptPhase.HOLD:
            if self._promise is None:  # a repeated "held" keeps the promise already made
                self._promise = HoldPromise(now, self.minutes.value())
                self._overdue_reported = False
        else:
            self._stop_countdown()
        if new is ScriptPhase.IDLE:
            self._transfer_to = None
        self._enter(new, now, event.value)

    def start_hold(self, minutes: int, now: datetime | None = None) -> None:
        """Promise the caller about `minutes` minutes on hold and start counting down.

        Called again while on hold, it makes a new promise from `now` (the operator told the caller
        it will take a little longer).  Ignored, with a log line, when the call cannot be held now.
        """
        try:
            new = next_phase(self._phase, CallEvent.HELD)
        except UnexpectedCallEvent as exc:
            log.warning("script panel ignores a hold promise in phase %s", exc.phase)
            return
        now = self._clock() if now is None else now
        minutes = max(MIN_PROMISE_MINUTES, min(MAX_PROMISE_MINUTES, minutes))
        self.minutes.setValue(minutes)
        self._promise = HoldPromise(now, minutes)
        self._overdue_reported = False
        self._enter(new, now, f"hold promised for {minutes} min")

    def start_transfer(self, transfer_to: str | None, now: datetime | None = None) -> None:
        """The transfer wording, naming who takes the call (a later `set_context` without a
        ``transfer_to`` keeps this one)."""
        self._transfer_to = transfer_to
        self.on_call_event(CallEvent.TRANSFER_STARTED, now)

    def update_countdown(self) -> None:
        """One tick of the hold countdown (the timer calls it every second)."""
        promise = self._promise
        if promise is None:
            return
        now = self._clock()
        overdue = promise.overdue(now)
        if overdue:
            text = self.tr("Promised wait is over by {overdue} — go back to the caller").format(
                overdue=clock_text(promise.overdue_by(now))
            )
        else:
            text = self.tr("On hold: {remaining} left of the {minutes} min promised").format(
                remaining=clock_text(promise.remaining(now)), minutes=promise.minutes
            )
        self.countdown.setText(text)
        if self.countdown.property("overdue") != overdue:
            self.countdown.setProperty("overdue", overdue)
            self.countdown.setStyleSheet(_OVERDUE_STYLE if overdue else "")
        self.countdown.setVisible(True)
        if overdue and not self._overdue_reported:
            self._overdue_reported = True
            log.info("hold promise of %d min is overdue", promise.minutes)
            self.hold_overdue.emit()

    def copy_text(self) -> None:
        clipboard = QGuiApplication.clipboard()
        if clipboard is not None:
            clipboard.setText(self.text())

    def focus_minutes(self) -> None:
        self.minutes.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.minutes.selectAll()

    # --- internals ----------------------------------------------------------------------------
    def _enter(self, new: ScriptPhase, now: datetime, reason: str) -> None:
        old = self._phase
        if new is not old:
            self._phase_started_at = now
        self._phase = new
        self._show()
        if self._promise is not None:
            self.update_countdown()
            self.countdown_timer.start()
        if new is not old:
            log.info("script phase %s -> %s (%s)", old.value, new.value, reason)
            self.phase_changed.emit(new)

    def _stop_countdown(self) -> None:
        self.countdown_timer.stop()
        self._promise = None
        self._overdue_reported = False
        self.countdown.clear()
        self.countdown.setProperty("overdue", False)
        self.countdown.setStyleSheet("")
        self.countdown.setVisible(False)

    def _show(self) -> None:
        self.title.setText(self._phase_title(self._phase))
        if self._phase is ScriptPhase.IDLE:
            text = ""
        elif self._templates is None:
            text = self.tr("No scripts are loaded for this line.")
        else:
            context = self._context
            if self._promise is not None:
                context = dataclasses.replace(context, minutes=self._promise.minutes)
            if context.transfer_to is None and self._transfer_to is not None:
                context = dataclasses.replace(context, transfer_to=self._transfer_to)
            started = self._phase_started_at if self._phase_started_at is not None else self._clock()
            text = render(self._phase, context, self._templates, started)
        if text != self.script.toPlainText():  # keeps the operator's selection on a no-op update
            self.script.setPlainText(text)

    def _phase_title(self, phase: ScriptPhase) -> str:
        return {
            ScriptPhase.IDLE: self.tr("No call"),
            ScriptPhase.GREETING: self.tr("Greeting"),
            ScriptPhase.HOLD: self.tr("On hold"),
            ScriptPhase.RESUME: self.tr("Back from hold"),
            ScriptPhase.TRANSFER: self.tr("Transfer"),
            ScriptPhase.CLOSING: self.tr("Closing"),
        }[phase]
