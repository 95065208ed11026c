"""One call from ring to wrap-up: the glue between the phone, the pop, the call record, the ticket,
the scripts and the operator's own state.

Runs on the GUI thread.  Every slow step (call record, ticket creation, lookup) is awaited on the
database worker through the ports; the phone is awaited through the engine bridge.  What the
operator experiences is written to the JSON event log (`--json-log`) as it happens.

Order of events for an inbound call, and what each one does here:
  incoming_call  → pop banner at once (INVITE→pop measured on its first paint), lookup by number,
                   call record "ringing" (or 486 when the operator is not Ready)
  pop painted    → a ticket form in front -- beside, never over, one holding anything unfinished
                   (`TicketTabs`); after the paint, as a new tab costs ~10 ms the pop must not wait
  call active    → call record "answered", a ticket with its number (in the form the call got at
                   ring, keeping what was chosen there), greeting script, On call
  hold / resume  → hold script with the promised minutes / "thank you for waiting", hold time
  call_ended     → call record outcome, Wrap-up until the ticket is saved or the timer runs out
"""

from __future__ import annotations

import asyncio
import logging
import time
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime

from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtWidgets import QApplication, QWidget

from app.errors import UserFacingError
from app.json_log import JsonEventLog
from app.services.desk_ports import CallPort, TicketPort
from app.tickets.calls import CallRecord
from app.tickets.cards import CustomerCard, LookupResult
from app.tickets.drafts import TicketView
from app.tickets.enums import CallDirection, CallOutcome
from app.tickets.operator_state import (
    DEFAULT_WRAP_UP_S,
    IllegalOperatorChange,
    OperatorState,
    OperatorStatus,
    change,
    initial_state,
    tick,
    ticket_saved,
)
from app.tickets.scripts import CallEvent, ScriptContext, ScriptLibrary
from app.ui.audio_notices import audio_notice_text
from app.ui.operator_state_widget import OperatorStateWidget
from app.ui.phone_bridge import AudioDeviceNotice, CallEnded, CallInfo, IncomingCall, PhoneBridge
from app.ui.scripts_panel import ScriptsPanel
from app.ui.search_panel import SearchPanel
from app.ui.softphone_panel import SoftphonePanel
from app.ui.tasks import BackgroundTasks
from app.ui.ticket_form import TicketForm
from app.ui.ticket_tabs import TicketTabs

log = logging.getLogger(__name__)

# How the engine's end-of-call outcome maps onto the call record's.
_OUTCOMES = {
    "completed": CallOutcome.ANSWERED,
    "missed": CallOutcome.MISSED,
    "timed_out": CallOutcome.MISSED,
    "rejected": CallOutcome.REJECTED,
    "refused": CallOutcome.REJECTED,
    "busy": CallOutcome.REJECTED,
    "transferred": CallOutcome.TRANSFERRED,
}


@dataclass
class CurrentCall:
    """What the desk knows about the call in progress (mutable, GUI thread only)."""

    engine_call: int
    info: CallInfo
    received_at: float  # epoch seconds of the INVITE, from the engine
    # The id of the "ringing" row once stored; answer and end await it instead of racing it.
    record_id: asyncio.Future[int] = field(default_factory=lambda: asyncio.get_running_loop().create_future())
    answered: bool = False
    ticket: TicketView | None = None
    customer: CustomerCard | None = None
    held_since: float | None = None
    hold_total: float = 0.0
    lookup_done: bool = False
    line_name: str | None = None  # the support line's name once the call record resolved it
    form: TicketForm | None = None  # where this call's ticket is typed, from the pop on (`_form_of`)


@dataclass(frozen=True, slots=True)
class DeskIdentity:
    operator_login: str | None
    operator_name: str | None
    position: str | None
    company: str
    wrap_up_s: int = DEFAULT_WRAP_UP_S


class CallDesk(QObject):
    """Owns the current call and the operator's state; widgets only display what it decides."""

    operator_state_changed = Signal(object)  # OperatorState
    ticket_opened = Signal(object)  # TicketView created at answer
    unknown_caller = Signal(str)  # the number: nobody has it, offer the new-customer form
    message = Signal(str)  # something the operator should read in the status bar
    call_recorded = Signal(object, bool)  # CustomerCard | None, answered: the record is complete

    def __init__(
        self,
        *,
        window: QWidget,
        phone: PhoneBridge,
        calls: CallPort,
        tickets: TicketPort,
        softphone: SoftphonePanel,
        search: SearchPanel,
        ticket_tabs: TicketTabs,
        scripts: ScriptsPanel,
        operator_widget: OperatorStateWidget,
        identity: DeskIdentity,
        json_log: JsonEventLog,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._window = window
        self._phone = phone
        self._calls = calls
        self._tickets = tickets
        self._softphone = softphone
        self._search = search
        self._tabs = ticket_tabs
        self._scripts = scripts
        self._operator_widget = operator_widget
        self._identity = identity
        self._log = json_log
        self._tasks = BackgroundTasks(self._on_task_error)
        self.current: CurrentCall | None = None
        self.state: OperatorState = initial_state(_now())
        self._script_library_loaded = False

        phone.incoming_call.connect(self._on_phone_incoming_call)
        phone.call_changed.connect(self._on_phone_call_changed)
        phone.call_ended.connect(self._on_phone_call_ended)
        phone.registration_changed.connect(softphone.show_registration)
        phone.engine_died.connect(self._on_phone_engine_died)
        phone.engine_restarted.connect(self._on_phone_engine_restarted)
        phone.audio_device_changed.connect(self._on_phone_audio_device_changed)
        softphone.banner.painted.connect(self._on_banner_painted)
        softphone.transfer_target_entered.connect(self._on_softphone_transfer_target)
        acts = softphone.call_actions
        acts.answer.triggered.connect(self.answer)
        acts.reject.triggered.connect(self.reject)
        acts.hangup.triggered.connect(self.hangup)
        acts.hold.triggered.connect(self.toggle_hold)
        acts.mute.triggered.connect(self.toggle_mute)
        acts.transfer.triggered.connect(softphone.ask_transfer_target)
        acts.goodbye.triggered.connect(self.say_goodbye)
        search.lookup_finished.connect(self._on_search_lookup_finished)
        search.customer_opened.connect(self._on_search_customer_opened)
        ticket_tabs.saved.connect(self._on_form_saved)
        ticket_tabs.validation_failed.connect(self._on_form_validation_failed)
        ticket_tabs.save_failed.connect(self._on_form_save_failed)
        ticket_tabs.closed.connect(self._on_form_closed)
        operator_widget.change_requested.connect(self.request_state)
        self._scripts.set_context(self._context())
        operator_widget.show_state(self.state)

        self._ticker = QTimer(self)
        self._ticker.setInterval(1000)
        self._ticker.timeout.connect(self._on_ticker_timeout)
        self._ticker.start()

    def set_script_library(self, library: ScriptLibrary, language: str) -> None:
        line = self.current.line_name if self.current else None
        self._scripts.set_library(library, line, language)
        self._script_library_loaded = True

    def set_identity(self, identity: DeskIdentity) -> None:
        """The operator's name and position are known once reference data has loaded."""
        self._identity = identity
        self._scripts.set_context(self._context())

    @property
    def identity(self) -> DeskIdentity:
        return self._identity

    # --- operator state -----------------------------------------------------------------------
    def request_state(self, status: OperatorStatus, reason: str | None = None) -> None:
        try:
            self._set_state(change(self.state, status, _now(), reason=reason))
        except (IllegalOperatorChange, ValueError) as exc:
            self.message.emit(str(exc))

    def _set_state(self, state: OperatorState) -> None:
        if state == self.state:
            return
        old, self.state = self.state, state
        self._operator_widget.show_state(state)
        self.operator_state_changed.emit(state)
        if old.status is not state.status:
            self._log.write(
                "operator_state", old=old.status.value, new=state.status.value, reason=state.reason
            )

    def _on_ticker_timeout(self) -> None:
        self._set_state(tick(self.state, _now()))
        if self.state.status is OperatorStatus.WRAP_UP:
            self._operator_widget.show_state(self.state)  # the countdown

    # --- phone events -------------------------------------------------------------------------
    def _on_phone_incoming_call(self, call: IncomingCall) -> None:
        info = call.info
        if self.current is not None or not self.state.offers_calls:
            # Busy on a call, in wrap-up, on a break or not ready: the caller is told busy and
            # the call is still recorded, so shift leads see what was refused.
            why = "busy" if self.current is not None else self.state.status.value
            log.info("refusing call %s from %s: operator %s", info.call, info.number, why)
            self._tasks.spawn(self._refuse(call, why))
            return
        self.current = CurrentCall(
            engine_call=info.call,
            info=info,
            received_at=call.received_at,
            line_name=call.line_name,
        )
        if not call.anonymous and info.number:
            self._search.search_for(info.number)  # first: the database works while the pop paints
        self._softphone.show_incoming(call)
        self._scripts.set_context(self._context())
        self._window.raise_()
        QApplication.alert(self._window)
        self._log.write(
            "incoming_call", call=info.call, number=info.number, display=info.display, line=info.line
        )
        if call.anonymous or not info.number:
            self.current.lookup_done = True
            self._search.show_message(self.tr("Anonymous caller: nothing to look up."))
            self._log.write("card_filled", number=None, found=False, anonymous=True, invite_to_card_ms=None)
        self._tasks.spawn(self._record_ringing(self.current))

    def _on_banner_painted(self, painted_at: float) -> None:
        if self.current is None:
            return
        ms = (painted_at - self.current.received_at) * 1000
        info = self.current.info
        self._log.write(
            "pop_shown", call=info.call, number=info.number, line=info.line, invite_to_pop_ms=round(ms, 2)
        )
        self._form_of(self.current)

    def _on_search_lookup_finished(self, result: LookupResult) -> None:
        current = self.current
        if current is None or current.lookup_done or current.info.number is None:
            return
        current.lookup_done = True
        ms = (time.time() - current.received_at) * 1000
        found = len(result.customers)
        if found == 1:
            self._identify(result.customers[0])
        elif found == 0:
            self.unknown_caller.emit(current.info.number)
        elif found > 1:
            # A shared number (a family, an office): never guess; the operator picks with Enter.
            self.message.emit(
                self.tr("{count} customers share this number: pick the caller and press Enter.").format(
                    count=found
                )
            )
        self._log.write(
            "card_filled",
            call=current.info.call,
            number=current.info.number,
            found=found > 0,
            customers=found,
            invite_to_card_ms=round(ms, 2),
        )

    def customer_created(self, card: CustomerCard) -> None:
        """The operator created the caller as a new customer during the call."""
        self._log.write("customer_created", contract=card.contract_number, phones=list(card.phones))
        if self.current is not None:
            self._identify(card)

    def _on_search_customer_opened(self, card: CustomerCard) -> None:
        if self.current is not None:
            self._identify(card)

    def _identify(self, card: CustomerCard) -> None:
        current = self.current
        if current is None or (current.customer is not None and current.customer.id == card.id):
            return
        current.customer = card
        self._scripts.set_context(self._context())
        self._form_of(current).set_customer(card.id, f"{card.name} ({card.contract_number})")
        if current.record_id.done() and not current.record_id.exception():
            self._tasks.spawn(self._calls.identify(current.record_id.result(), card.id))

    def _on_phone_call_changed(self, info: CallInfo) -> None:
        current = self.current
        if current is None or info.call != current.engine_call:
            return
        previous, current.info = current.info, info
        self._softphone.show_call(info)
        if info.state == "active" and not current.answered:
            current.answered = True
            self._set_state_quietly(OperatorStatus.ON_CALL)
            self._scripts.on_call_event(CallEvent.ANSWERED)
            self._log.write("answered", call=info.call, number=info.number)
            self._tasks.spawn(self._open_ticket(current))
        if info.on_hold and not previous.on_hold:
            current.held_since = time.monotonic()
            self._scripts.on_call_event(CallEvent.HELD)  # promises the minutes set on the panel
            self._log.write("hold", call=info.call, promised_minutes=self._scripts.minutes.value())
        elif previous.on_hold and not info.on_hold:
            held = time.monotonic() - (current.held_since or time.monotonic())
            current.hold_total += held
            current.held_since = None
            self._scripts.on_call_event(CallEvent.RESUMED)
            self._log.write("resume", call=info.call, held_s=round(held, 2))

    def _on_phone_call_ended(self, ended: CallEnded) -> None:
        current = self.current
        if current is None or ended.call != current.engine_call:
            return
        self._softphone.show_ended(ended)
        if current.held_since is not None:
            current.hold_total += time.monotonic() - current.held_since
        outcome = _OUTCOMES.get(
            ended.outcome, CallOutcome.ANSWERED if current.answered else CallOutcome.MISSED
        )
        if current.answered and outcome in (CallOutcome.MISSED, CallOutcome.REJECTED):
            outcome = CallOutcome.ANSWERED
        self._log.write("call_ended", call=ended.call, outcome=outcome.value, engine_outcome=ended.outcome)
        self._scripts.on_call_event(CallEvent.ENDED)
        self.current = None
        if not current.answered or current.ticket is not None:
            self._release_form(current)  # else when its ticket has landed (`_open_ticket`)
        if current.answered:
            self._set_state_quietly(OperatorStatus.WRAP_UP)
        self._tasks.spawn(self._record_end(current, outcome))

    def _on_phone_engine_died(self, why: str) -> None:
        self._softphone.show_engine_down(why)
        self.message.emit(
            self.tr("The softphone stopped ({why}); restarting it. Your ticket is kept.").format(why=why)
        )
        self._log.write("engine_died", why=why)

    def _on_phone_audio_device_changed(self, notice: AudioDeviceNotice) -> None:
        self._log.write(
            "audio_device_changed",
            kind=notice.kind,
            role=notice.role,
            wanted=notice.wanted,
            using=notice.using,
        )
        self.message.emit(audio_notice_text(notice))

    def _on_phone_engine_restarted(self) -> None:
        self.message.emit(self.tr("The softphone is back."))
        self._log.write("engine_restarted")

    # --- operator actions ---------------------------------------------------------------------
    def answer(self) -> None:
        if self.current is not None and not self.current.answered:
            self._tasks.spawn(self._phone.answer(self.current.engine_call))

    def reject(self) -> None:
        if self.current is not None and not self.current.answered:
            self._tasks.spawn(self._phone.reject(self.current.engine_call, 486))

    def hangup(self) -> None:
        if self.current is not None:
            self._tasks.spawn(self._phone.hangup(self.current.engine_call))

    def toggle_hold(self) -> None:
        current = self.current
        if current is None or not current.answered:
            return
        call = current.engine_call
        self._tasks.spawn(self._phone.resume(call) if current.info.on_hold else self._phone.hold(call))

    def say_goodbye(self) -> None:
        """The closing words ("anything else?", the ticket number, thanks) before hanging up."""
        if self.current is not None and self.current.answered:
            self._scripts.on_call_event(CallEvent.CLOSING_STARTED)
            self._log.write("closing", call=self.current.engine_call)

    def toggle_mute(self) -> None:
        current = self.current
        if current is not None and current.answered:
            muted = not current.info.muted
            current.info = replace(current.info, muted=muted)
            self._tasks.spawn(self._phone.set_muted(current.engine_call, muted))
            self._log.write("mute", call=current.engine_call, muted=muted)

    def _on_softphone_transfer_target(self, target: str) -> None:
        current = self.current
        if current is None or not current.answered:
            return
        self._scripts.start_transfer(target)
        self._log.write("transfer", call=current.engine_call, target=target)
        # A bare extension is completed by the engine with the registrar's domain.
        self._tasks.spawn(self._phone.transfer(current.engine_call, target))

    # --- ticket -------------------------------------------------------------------------------
    def _on_form_saved(self, view: TicketView) -> None:
        self._log.write(
            "ticket_saved", number=view.number, status=view.draft.status.value, version=view.version
        )
        self._set_state(ticket_saved(self.state, _now()))

    def _on_form_validation_failed(self, fields: tuple[str, ...]) -> None:
        self._log.write("ticket_refused", missing=list(fields))

    def _on_form_save_failed(self, message: str) -> None:
        self._log.write("ticket_save_failed", message=message)

    def _on_form_closed(self, view: TicketView) -> None:
        self._log.write("ticket_closed", number=view.number, version=view.version)
        self._set_state(ticket_saved(self.state, _now()))

    # --- async steps (each on the DB worker or the engine, awaited here) ----------------------
    async def _refuse(self, call: IncomingCall, why: str) -> None:
        self._log.write("call_refused", call=call.info.call, number=call.info.number, reason=why)
        await self._phone.reject(call.info.call, 486)
        record = await self._store_ringing(call.info, call.received_at, customer_id=None)
        await self._calls.ended(record.id, _now(), CallOutcome.REJECTED, disposition=f"operator {why}")

    async def _store_ringing(
        self, info: CallInfo, received_at: float, *, customer_id: int | None
    ) -> CallRecord:
        """The inbound call's record, as it rang (answered or refused later)."""
        return await self._calls.ringing(
            direction=CallDirection.INBOUND,
            caller_number=info.number,
            display_name=info.display,
            dialled_number=info.line,
            at=_epoch(received_at),
            operator_login=self._identity.operator_login,
            customer_id=customer_id,
        )

    async def _record_ringing(self, current: CurrentCall) -> None:
        try:
            customer_id = current.customer.id if current.customer else None
            record = await self._store_ringing(current.info, current.received_at, customer_id=customer_id)
        except Exception as exc:
            current.record_id.set_exception(exc)
            raise
        current.record_id.set_result(record.id)
        if record.line and current.line_name != record.line:
            current.line_name = record.line
            if self.current is current:
                self._softphone.show_line_name(record.line)
            if self._script_library_loaded:
                self._scripts.set_line(record.line)
            self._scripts.set_context(self._context())
        if current.customer is not None and record.customer_id != current.customer.id:
            await self._calls.identify(record.id, current.customer.id)

    async def _open_ticket(self, current: CurrentCall) -> None:
        try:
            await self._create_ticket(current)
        finally:
            if self.current is not current:  # the call ended while the ticket was being made
                self._release_form(current)

    async def _create_ticket(self, current: CurrentCall) -> None:
        record = await self._calls.answered(await current.record_id, _now(), self._identity.operator_login)
        view = await self._tickets.create_for_call(
            record.id,
            current.customer.id if current.customer else None,
            record.line_id,
            self._identity.operator_login,
        )
        current.ticket = view
        form = self._form_of(current)
        form.take_ticket(view)  # what was chosen while it rang stays, as unsaved changes
        if current.customer is not None:
            form.set_customer(
                current.customer.id, f"{current.customer.name} ({current.customer.contract_number})"
            )
        self._scripts.set_context(self._context())
        self._log.write("ticket_created", number=view.number, call=current.engine_call, record=record.id)
        self.ticket_opened.emit(view)

    async def _record_end(self, current: CurrentCall, outcome: CallOutcome) -> None:
        record_id = await current.record_id
        if current.hold_total >= 1:
            await self._calls.add_hold(record_id, current.hold_total)
        await self._calls.ended(record_id, _now(), outcome)
        self.call_recorded.emit(current.customer, current.answered)

    # --- helpers ------------------------------------------------------------------------------
    def _form_of(self, current: CurrentCall) -> TicketForm:
        """The call's ticket form, chosen (or opened) at the first need: normally once the pop
        has painted."""
        if current.form is None:
            current.form = self._tabs.form_for_call()
        return current.form

    def _release_form(self, current: CurrentCall) -> None:
        if current.form is None:
            return
        if not current.answered and current.form.has_unsaved_changes():
            current.form.clear()  # a call nobody answered has no ticket to keep choices for
        self._tabs.call_finished(current.form)

    def _set_state_quietly(self, status: OperatorStatus) -> None:
        try:
            self._set_state(change(self.state, status, _now(), wrap_up_limit_s=self._identity.wrap_up_s))
        except IllegalOperatorChange as exc:
            log.warning("operator state: %s", exc)

    def _context(self) -> ScriptContext:
        current = self.current
        customer = current.customer if current else None
        ticket = current.ticket if current else None
        line = None
        if current is not None:
            line = current.line_name or current.info.line
        # Name and position come from the operator's row: once the name is known, a missing
        # position is known to be missing and the greeting leaves it out rather than "[position]".
        identity = self._identity
        omitted = frozenset({"position"}) if identity.operator_name and not identity.position else frozenset()
        return ScriptContext(
            omitted=omitted,
            company=self._identity.company,
            line=line,
            operator_name=self._identity.operator_name,
            position=self._identity.position,
            customer_name=customer.name if customer else None,
            contract_number=customer.contract_number if customer else None,
            ticket_number=ticket.number if ticket else None,
        )

    def _on_task_error(self, exc: BaseException) -> None:
        if isinstance(exc, UserFacingError):
            self.message.emit(str(exc))
            return
        log.error("call desk step failed", exc_info=exc)
        self.message.emit(
            self.tr("Something went wrong: {error}").format(error=str(exc) or type(exc).__name__)
        )


def _now() -> datetime:
    return datetime.now(UTC)


def _epoch(seconds: float) -> datetime:
    return datetime.fromtimestamp(seconds, UTC)
