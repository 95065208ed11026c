"""The account's registration, driven on the SIP thread by `RegistrationKeeper`'s policy.

`registration.RegistrationKeeper` decides when to REGISTER and to probe the registrar (pure, no
pjsua2, no clock); this module is its hands: it feeds the keeper what pjsua2 reports (the
account's registration and probe outcomes, a dropped TCP/TLS connection), does what the keeper
says is due through the `Account`, and tells the window every state the keeper reports.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Any

from app.softphone.engine.pj import PJSIP_EBUSY, Account, Library, SipError
from app.softphone.engine.registration import (
    Action,
    RegistrationKeeper,
    RegistrationReport,
    RegistrationTimers,
)
from app.softphone.events import RegistrationChanged, RegistrationState, to_message

log = logging.getLogger("app.softphone.sip")
Emit = Callable[[dict[str, Any]], None]
_POLL_MS = 100


class AccountRegistration:
    """The registration state the window sees, and the keeper behind it (registrar mode only)."""

    def __init__(self, emit: Emit, *, registered_mode: bool) -> None:
        self._emit = emit
        self._reg_state = "none" if not registered_mode else "registering"
        self._keeper: RegistrationKeeper | None = None
        self._registrar_uri = ""

    @property
    def state(self) -> str:
        return self._reg_state

    def status(self) -> dict[str, str]:
        """The ``status`` command's view: our registration, and whether the registrar answers."""
        keeper = self._keeper
        registrar = keeper.registrar if keeper is not None else "none"
        return {"registration": self._reg_state, "registrar": registrar}

    def start(self, timers: RegistrationTimers, registrar_uri: str, lib: Library) -> None:
        """Registrar mode, before the account is created (pjsua sends the first REGISTER)."""
        self._registrar_uri = registrar_uri
        self._emit_reg("registering", 0, "registering")
        self._keeper = RegistrationKeeper(timers, self._on_keeper_report, time.monotonic())
        lib.on_transport_lost(self._on_transport_lost)

    def keep(self, account: Account | None) -> None:
        """REGISTER and probe the registrar when `RegistrationKeeper` says so (see registration.py)."""
        keeper = self._keeper
        if keeper is None or account is None:
            return
        for action in keeper.due(time.monotonic()):
            try:
                if action is Action.REGISTER:
                    account.renew_registration()
                else:
                    account.probe(self._registrar_uri)
            except SipError as exc:
                if action is Action.REGISTER:
                    keeper.send_refused(exc.status == PJSIP_EBUSY, str(exc), time.monotonic())
                else:
                    keeper.probe_failed(f"OPTIONS not sent: {exc}", time.monotonic())

    def unregistered_within(self, lib: Library, seconds: float) -> None:
        """After the account's shutdown: poll until the registrar confirmed (or ``seconds``)."""
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline and self._reg_state == "registered":
            lib.handle_events(_POLL_MS)

    # ---- what pjsua2 reported (SIP thread, inside handle_events) ------------------------------
    def on_reg_state(self, account: Account, code: int, reason: str, expires: int) -> None:
        keeper, now = self._keeper, time.monotonic()
        if keeper is None:
            return
        if 200 <= code < 300:
            keeper.registered(code, reason, expires, now)
        else:
            keeper.failed(code, reason, now)

    def on_probe_result(self, account: Account, answered: bool, code: int, reason: str) -> None:
        keeper, now = self._keeper, time.monotonic()
        if keeper is None:
            return
        if answered:
            keeper.probe_answered(now)
        else:
            keeper.probe_failed(f"OPTIONS: {code} {reason}", now)

    def _on_transport_lost(self, kind: str, error: int) -> None:
        if self._keeper is not None and kind in ("tcp", "tls"):
            log.info("%s connection closed (%s)", kind.upper(), error)
            self._keeper.transport_lost(time.monotonic())

    def _on_keeper_report(self, report: RegistrationReport) -> None:
        retry = f", retry in {report.retry_in}s" if report.retry_in else ""
        log.info("registration: %s (%s %s)%s", report.state, report.code, report.reason, retry)
        self._emit_reg(report.state, report.code, report.reason, report.expires, report.retry_in)

    def _emit_reg(
        self, state: str, code: int, reason: str, expires: int = 0, retry_in: float | None = None
    ) -> None:
        self._reg_state = state
        self._emit(
            to_message(
                RegistrationChanged(
                    state=RegistrationState(state),
                    code=code,
                    reason=reason,
                    expires=expires,
                    retry_in=retry_in,
                )
            )
        )

    def probe_outlives_account(self, lib: Library) -> bool:
        """Whether a keep-alive OPTIONS is still unanswered after a short wait.

        pjsua2 aborts the process when an out-of-dialog request's outcome arrives after its
        account was deleted (Endpoint::on_acc_send_request has no validity check), and an OPTIONS
        to a dead registrar lives 32 s.  Then the account is left to libDestroy, which unregisters
        and ends pending transactions before it deletes accounts (verified here).
        """
        keeper = self._keeper
        if keeper is None:
            return False
        keeper.stop()
        deadline = time.monotonic() + 0.5  # a registrar that answers does so in milliseconds
        while keeper.probing and time.monotonic() < deadline:
            lib.handle_events(_POLL_MS)
        if keeper.probing:
            log.info("registrar not answering: unregistering at library shutdown")
        return keeper.probing
