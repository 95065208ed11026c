"""The phone part of the window: who is calling on which line, call state and timers, and the
buttons (each one also a keyboard shortcut, see `PhoneActions`).

The incoming-call banner is the screen pop: it is shown the moment the engine reports the
INVITE, before any lookup, and reports its own first paint so the window can log how long
INVITE → pop visible took.
"""

from __future__ import annotations

import time

from PySide6.QtCore import QObject, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QKeySequence, QPaintEvent
from PySide6.QtWidgets import (
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from app.softphone.events import CallEnded, CallPhase, RegistrationState
from app.tickets.phones import format_phone
from app.ui.action_button import ActionButton
from app.ui.phone_bridge import CallInfo, OfferedCall, RegistrationChange


def _plain(text: str = "") -> QLabel:
    label = QLabel(text)
    label.setTextFormat(Qt.TextFormat.PlainText)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    return label


def _clock(seconds: float) -> str:
    s = max(0, int(seconds))
    return f"{s // 3600}:{s % 3600 // 60:02d}:{s % 60:02d}" if s >= 3600 else f"{s // 60}:{s % 60:02d}"


class PhoneActions(QObject):
    """The call-control actions with their shortcuts; buttons and menus share them."""

    def __init__(self, parent: QObject) -> None:
        super().__init__(parent)
        self.answer = self._action(self.tr("&Answer"), "F5")
        self.reject = self._action(self.tr("&Reject (busy)"), "Shift+F9")
        self.hangup = self._action(self.tr("&Hang up"), "F9")
        self.hold = self._action(self.tr("H&old / resume"), "F6", checkable=True)
        self.mute = self._action(self.tr("&Mute"), "F7", checkable=True)
        self.transfer = self._action(self.tr("&Transfer…"), "F8")
        self.goodbye = self._action(self.tr("&Goodbye words"), "F4")
        for action in self.all():
            action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)

    def _action(self, text: str, keys: str, *, checkable: bool = False) -> QAction:
        action = QAction(text, self)
        action.setShortcut(QKeySequence(keys))
        action.setCheckable(checkable)
        action.setEnabled(False)
        return action

    def all(self) -> list[QAction]:
        return [self.answer, self.reject, self.hangup, self.hold, self.mute, self.transfer, self.goodbye]


class IncomingBanner(QFrame):
    """The pop: number, name and line of the ringing call, large.  Emits `painted` once per call.

    Always on screen, with a fixed height: a ringing call changes its text and colour, never the
    window's layout, so nothing the operator is reading jumps and only the banner is repainted.
    """

    painted = Signal(float)  # epoch seconds of the first paint after `show_call`

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("incomingBanner")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.title = _plain()
        self.number = _plain()
        self.number.setObjectName("popNumber")
        font = self.number.font()
        font.setPointSizeF(font.pointSizeF() * 1.8)
        font.setBold(True)
        self.number.setFont(font)
        self.display = _plain()
        self.display.setObjectName("popDisplay")
        self.display.setWordWrap(True)
        self.line = _plain()
        self.line.setObjectName("popLine")
        layout = QVBoxLayout(self)
        layout.addWidget(self.title)
        layout.addWidget(self.number)
        layout.addWidget(self.display)
        layout.addWidget(self.line)
        self._measure = False
        self.ringing = False
        self.setFixedHeight(self.sizeHint().height() + self.number.sizeHint().height())
        self.show_idle()

    def show_idle(self) -> None:
        self.ringing = False
        self.setStyleSheet("#incomingBanner { background: palette(window); border: 1px solid palette(mid); }")
        self.title.setText(self.tr("No call"))
        for label in (self.number, self.display, self.line):
            label.clear()

    def show_talking(self) -> None:
        """Answered: the caller's details stay in view, without the ringing colour."""
        self.ringing = False
        self.setStyleSheet("#incomingBanner { background: #eef5ff; border: 1px solid #0b5cad; }")
        self.title.setText(self.tr("On the line"))

    def show_call(self, call: OfferedCall) -> None:
        info = call.info
        if call.anonymous or not info.number:
            number = self.tr("Anonymous caller")
        else:
            number = format_phone(info.number)
        self.title.setText(self.tr("Call waiting") if info.waiting else self.tr("Incoming call"))
        self.number.setText(number)
        # Display names come from the network: shown literally, capped so a 300-char name cannot
        # push the buttons off the screen (the full text is in the tooltip).
        display = info.display or ""
        self.display.setText(display if len(display) <= 80 else display[:79] + "…")
        self.display.setToolTip(display)
        line = call.line_name or info.line
        self.line.setText(self.tr("Line: {line}").format(line=line) if line else self.tr("Line: unknown"))
        self.ringing = True
        self.setStyleSheet("#incomingBanner { background: #fff4d6; border: 2px solid #e0a800; }")
        self._measure = True
        self.update()

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802 (Qt override)
        super().paintEvent(event)
        if self._measure:
            self._measure = False
            self.painted.emit(time.time())


class SoftphonePanel(QWidget):
    """Shows the current call; the actions in `actions` drive the engine through the window."""

    transfer_target_entered = Signal(str)

    def __init__(self, actions: PhoneActions, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.call_actions = actions
        self.banner = IncomingBanner()
        self.state = _plain(self.tr("No call"))
        self.state.setObjectName("callState")
        bold = self.state.font()
        bold.setBold(True)
        self.state.setFont(bold)
        self.peer = _plain()
        self.peer.setObjectName("callPeer")
        self.talk_timer = _plain()
        self.talk_timer.setObjectName("talkTimer")
        self.hold_timer = _plain()
        self.hold_timer.setObjectName("holdTimer")
        self.registration = _plain(self.tr("Phone: starting…"))
        self.registration.setObjectName("registrationState")
        self.transfer_target = QLineEdit()
        self.transfer_target.setObjectName("transferTarget")
        self.transfer_target.setPlaceholderText(self.tr("Transfer to (extension or SIP address)"))
        self.transfer_target.returnPressed.connect(self._on_transfer_target_return_pressed)
        self.transfer_target.hide()

        buttons = QHBoxLayout()
        for action in actions.all():
            button = ActionButton(action)
            button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
            keys = action.shortcut().toString(QKeySequence.SequenceFormat.NativeText)
            button.setToolTip(f"{action.text().replace('&', '')} ({keys})")
            buttons.addWidget(button)
        buttons.addStretch(1)

        grid = QGridLayout()
        grid.addWidget(self.state, 0, 0)
        grid.addWidget(self.peer, 0, 1)
        grid.addWidget(self.talk_timer, 0, 2)
        grid.addWidget(self.hold_timer, 0, 3)
        grid.addWidget(self.registration, 0, 4, alignment=Qt.AlignmentFlag.AlignRight)
        grid.setColumnStretch(1, 1)

        layout = QVBoxLayout(self)
        layout.addWidget(self.banner)
        layout.addLayout(grid)
        layout.addLayout(buttons)
        layout.addWidget(self.transfer_target)

        self._call: CallInfo | None = None
        self._answered_at: float | None = None
        self._hold_started: float | None = None
        self._hold_total = 0.0
        self._ticker = QTimer(self)
        self._ticker.setInterval(1000)
        self._ticker.timeout.connect(self._refresh_timers)

    # --- what the window tells the panel -------------------------------------------------------
    @property
    def call(self) -> CallInfo | None:
        return self._call

    def show_incoming(self, call: OfferedCall) -> None:
        self._call = call.info
        self.banner.show_call(call)
        self.state.setText(self.tr("Ringing"))
        self.peer.setText(self.banner.number.text())
        self._answered_at = None
        self._hold_started = None
        self._hold_total = 0.0
        self._sync_actions()

    def show_dialing(self, info: CallInfo) -> None:
        self._call = info
        self.state.setText(self.tr("Calling…"))
        self.peer.setText(format_phone(info.number or ""))
        self._sync_actions()

    def show_call(self, info: CallInfo) -> None:
        if self._call is not None and info.call != self._call.call:
            return  # another call (waiting / consult) — this panel follows the current one
        was_on_hold = self._call is not None and self._call.on_hold
        self._call = info
        if info.phase is CallPhase.ACTIVE:
            self.banner.show_talking()
            if self._answered_at is None:
                self._answered_at = time.monotonic()
                self._ticker.start()
            self.state.setText(self.tr("On hold") if info.on_hold else self.tr("Talking"))
        if info.on_hold and not was_on_hold:
            self._hold_started = time.monotonic()
        elif was_on_hold and not info.on_hold and self._hold_started is not None:
            self._hold_total += time.monotonic() - self._hold_started
            self._hold_started = None
        self._sync_actions()
        self._refresh_timers()

    def show_ended(self, ended: CallEnded) -> None:
        if self._call is None or ended.call != self._call.call:
            return
        self._call = None
        self._ticker.stop()
        self.banner.show_idle()
        self.transfer_target.hide()
        self.state.setText(self.tr("Call ended"))
        self._sync_actions()

    def show_registration(self, change: RegistrationChange) -> None:
        texts = {
            RegistrationState.REGISTERED: self.tr("Phone: registered"),
            RegistrationState.P2P: self.tr("Phone: ready (direct)"),
            RegistrationState.UNREGISTERED: self.tr("Phone offline: not registered"),
            RegistrationState.REGISTERING: self.tr("Phone offline: registering…"),
        }
        # The engine's reason is English from the SIP layer (IT reads it); the frame is translated.
        text = texts.get(change.new) or self.tr("Phone offline: {reason}").format(
            reason=change.reason or change.new.value
        )
        self.registration.setText(text.strip())
        self.registration.setStyleSheet("" if change.online else "color: #b00020; font-weight: bold;")

    def show_engine_down(self, why: str) -> None:
        self.registration.setText(self.tr("Phone: engine stopped ({why}), restarting…").format(why=why))
        self.registration.setStyleSheet("color: #b00020; font-weight: bold;")

    def show_line_name(self, name: str) -> None:
        """The support line's name, once the call record has resolved the dialled number."""
        self.banner.line.setText(self.tr("Line: {line}").format(line=name))

    def ask_transfer_target(self) -> None:
        self.transfer_target.show()
        self.transfer_target.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.transfer_target.selectAll()

    @property
    def hold_seconds(self) -> float:
        running = time.monotonic() - self._hold_started if self._hold_started is not None else 0.0
        return self._hold_total + running

    # --- internals ----------------------------------------------------------------------------
    def _on_transfer_target_return_pressed(self) -> None:
        target = self.transfer_target.text().strip()
        if target:
            self.transfer_target.hide()
            self.transfer_target_entered.emit(target)

    def _sync_actions(self) -> None:
        call = self._call
        ringing = call is not None and call.phase is CallPhase.INCOMING
        up = call is not None and call.phase not in (CallPhase.INCOMING, CallPhase.ENDED)
        active = call is not None and call.phase is CallPhase.ACTIVE
        self.call_actions.answer.setEnabled(ringing)
        self.call_actions.reject.setEnabled(ringing)
        self.call_actions.hangup.setEnabled(up or ringing)
        self.call_actions.hold.setEnabled(active)
        self.call_actions.hold.setChecked(bool(call and call.on_hold))
        self.call_actions.mute.setEnabled(active)
        self.call_actions.mute.setChecked(bool(call and call.muted))
        self.call_actions.transfer.setEnabled(active)
        self.call_actions.goodbye.setEnabled(active)

    def _refresh_timers(self) -> None:
        if self._answered_at is None:
            self.talk_timer.clear()
            self.hold_timer.clear()
            return
        self.talk_timer.setText(
            self.tr("Talk {time}").format(time=_clock(time.monotonic() - self._answered_at))
        )
        hold = self.hold_seconds
        self.hold_timer.setText(self.tr("Hold {time}").format(time=_clock(hold)) if hold >= 1 else "")
