"""Whether calls can reach this desk now: the phone engine's registration and its life, as one bit.

The engine says what its registration is (`PhoneBridge.registration_changed`: registering,
registered, failed, unregistered, or p2p when there is no registrar) and the window's client says
when the engine itself died or came back.  The phone is *online* when it is registered (or
peer-to-peer and running); anything else is offline.  `CallDesk` turns that bit into the operator's
state (`app.tickets.operator_state.with_phone`), and every registration change is written to the
JSON event log as a ``registration`` event:

    {"event": "registration", "state": "failed", "reason": "registrar unreachable (...)",
     "code": 408, "since_ms": 52031}

``state`` is registered / unregistered / failed (an engine that died is ``unregistered``);
``since_ms`` is how long the phone had been in its other condition: on ``registered``, how long it
was offline; on ``failed`` / ``unregistered``, how long it had been online (or, for a new failure
while already offline, how long it has been offline).  A ``registered`` after ``registered`` is a
re-registration the engine made because the registrar had probably lost this desk (its reason
says why).  Runs on the GUI thread.
"""

from __future__ import annotations

import logging
import time

from PySide6.QtCore import QObject, Signal

from app.json_log import JsonEventLog
from app.softphone.events import RegistrationState
from app.ui.phone_bridge import PhoneBridge, RegistrationChange

log = logging.getLogger(__name__)

_LOGGED = (RegistrationState.REGISTERED, RegistrationState.FAILED, RegistrationState.UNREGISTERED)


class PhonePresence(QObject):
    online_changed = Signal(bool)  # True: calls can reach the desk

    def __init__(self, phone: PhoneBridge, json_log: JsonEventLog, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._log = json_log
        self.online = False
        self._changed_at = time.monotonic()  # when `online` last flipped (or the window started)
        self._last: tuple[RegistrationState, str] | None = None  # (state, reason) last written to the log
        phone.registration_changed.connect(self._on_phone_registration_changed)
        phone.engine_died.connect(self._on_phone_engine_died)

    def _on_phone_registration_changed(self, change: RegistrationChange) -> None:
        if change.new in _LOGGED:
            self._write(change.new, change.reason or "", change.code, change.online)
        self._set_online(change.online)

    def _on_phone_engine_died(self, why: str) -> None:
        self._write(RegistrationState.UNREGISTERED, f"softphone engine stopped ({why})", None, False)
        self._set_online(False)

    def _write(self, state: RegistrationState, reason: str, code: int | None, online: bool) -> None:
        # Repeated failures with the same reason (a retry every minute) are one change, not many.
        if state is not RegistrationState.REGISTERED and self._last == (state, reason):
            return
        self._last = (state, reason)
        since_ms = round((time.monotonic() - self._changed_at) * 1000)
        self._log.write("registration", state=state.value, reason=reason, code=code, since_ms=since_ms)

    def _set_online(self, online: bool) -> None:
        if online == self.online:
            return
        self.online = online
        self._changed_at = time.monotonic()
        log.info("phone %s", "online" if online else "offline")
        self.online_changed.emit(online)
