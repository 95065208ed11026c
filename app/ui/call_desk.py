"""One call from ring to wrap-up: the glue between the phone, the pop, the call record, the ticket,
the scripts and the operator's own state.

Runs on the GUI thread.  Every slow step (call record, ticket creation, lookup) is awaited on the
database worker through the ports; the phone is awaited through the engine bridge.  What the
operator experiences is written to the JSON event log (`--json-log`) as it happens.

Order of events for an inbound call, and what each one does here:
  incoming_call  → pop banner at once (INVITE→pop measured on its first paint), lookup by number,
                   call record "ringing" once the caller's card is on screen (or 486 when the
                   operator is not Ready: recorded as rejected with the reason)
  pop painted    → a ticket form in front -- beside, never over, one holding anything unfinished
                   (`TicketTabs`); after the paint, as a new tab costs ~10 ms the pop must not wait
  call active    → call record "answered", a ticket with its number (in the form the call got at
                   ring, keeping what was chosen there), greeting script, On call, the
                   disposition list of the call's line
  hold / resume  → hold script with the promised minutes / "thank you for waiting", hold time
  call_ended     → call record outcome and end reason (`app.tickets.calls.end_of_call`), Wrap-up
                   until the ticket is saved or the timer runs out; a wrap-up that ends with no
                   disposition picked stores `NOT_CHOSEN`

Every call offered to the desk leaves one record, whatever happens (see `app.tickets.calls` for
the outcome of each path); its writes go through `CallJournal`, in order, retried while the
database is unavailable, and waited for when the window closes (`shutdown`).
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable
from dataclasses import dataclass, replace
from datetime import UTC, datetime

from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtWidgets import QApplication, QWidget

from app.errors import DatabaseUnavailable, UserFacingError, ValidationError
from app.json_log import JsonEventLog
from app.services.call_journal import CallJournal, CallRecordFailed, JournalledCall
from app.services.ports import CallPort, TicketPort
from app.softphone.events import (
    AudioDeviceChanged,
    CallEnded,
    CallEndOutcome,
    CallPhase,
    CallRefused,
    Direction,
)
from app.tickets.calls import CallRecord, end_of_call, refusal_reason
from app.tickets.cards import CustomerCard, LookupResult
from app.tickets.dispositions import NOT_CHOSEN, DispositionLists
from app.tickets.drafts import TicketView
from app.tickets.enums import CallDirection, CallEndReason, CallOutcome
from app.tickets.operator_state import (
    DEFAULT_WRAP_UP_S,
    IllegalOperatorChange,
    OperatorState,
    OperatorStatus,
    change,
    initial_state,
    tick,
    ticket_saved,
    with_phone,
)
from app.tickets.scripts import CallEvent, ScriptContext, ScriptLibrary
from app.ui.audio_notices import audio_notice_text
from app.ui.disposition_picker import DispositionPicker
from app.ui.operator_state_widget import OperatorStateWidget
from app.ui.phone_bridge import CallChange, CallInfo, OfferedCall, PhoneBridge
from app.ui.phone_presence import PhonePresence
from app.ui.scripts_panel import ScriptsPanel
from app.ui.search_panel import SearchPanel
from app.ui.softphone_panel import SoftphonePanel
from app.ui.tasks import BackgroundTasks
from app.ui.ticket_form import TicketForm
from app.ui.ticket_tabs import TicketTabs

log = logging.getLogger(__name__)

# How long a closing window waits for call records still being written.
SHUTDOWN_DRAIN_S = 15.0
# A ringing call's record is written once the caller's card is on screen, or after this long at
# most: the database worker and the GUI thread take turns on one interpreter lock, and a record
# written while the GUI filled the card held the card back by 3-10 ms (benchmarks/screen_pop_bench).
CARD_BEFORE_RECORD_S = 1.0


@dataclass
class CurrentCall:
    """What the desk knows about the call in progress (mutable, GUI thread only)."""

    engine_call: int
    info: CallInfo
    received_at: float  # epoch seconds of the INVITE, from the engine
    # The call's record: its steps (answer, identify, end) are queued on it, in order.
    record: JournalledCall
    answered: bool = False
    operator_hung_up: bool = False
    transfer_target: str | None = None  # the blind transfer asked for (F8), until it completes
    ticket: TicketView | None = None
    customer: CustomerCard | None = None
    held_since: float | None = None
    hold_total: float = 0.0
    lookup_done: bool = False
    # Done once the caller's card is on screen (or there is none to show): the record waits for it.
    card_shown: asyncio.Future[None] | None = None
    line_name: str | None = None  # the support line's name once the call record resolved it
    form: TicketForm | None = None  # where this call's ticket is typed, from the pop on (`_form_of`)


@dataclass
class DispositionTarget:
    """The answered call the disposition picker describes, until the next call rings."""

    record: JournalledCall
    line_name: str | None
    chosen: str | None = None


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
        disposition_picker: DispositionPicker,
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
        self._picker = disposition_picker
        self._identity = identity
        self._log = json_log
        self._tasks = BackgroundTasks(self._on_task_error)
        self.current: CurrentCall | None = None
        self.state: OperatorState = initial_state(_now())
        self._script_library_loaded = False
        self._lost_caller: str | None = None  # the call a dying engine took with it, for the words
        self._start_call_records(calls, disposition_picker)
        # Ready only while calls can reach the desk (engine up and registered): see with_phone.
        self.presence = PhonePresence(phone, json_log, parent=self)
        self.presence.online_changed.connect(self._on_presence_online_changed)
        self._connect_signals(phone, softphone, search, ticket_tabs, operator_widget)
        self._scripts.set_context(self._context())
        operator_widget.show_state(self.state)

        self._ticker = QTimer(self)
        self._ticker.setInterval(1000)
        self._ticker.timeout.connect(self._on_ticker_timeout)
        self._ticker.start()

    def _connect_signals(
        self,
        phone: PhoneBridge,
        softphone: SoftphonePanel,
        search: SearchPanel,
        ticket_tabs: TicketTabs,
        operator_widget: OperatorStateWidget,
    ) -> None:
        phone.incoming_call.connect(self._on_phone_incoming_call)
        phone.call_state_changed.connect(self._on_phone_call_state_changed)
        phone.call_ended.connect(self._on_phone_call_ended)
        phone.call_refused.connect(self._on_phone_call_refused)
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
        search.lookup_done.connect(self._on_search_lookup_done)
        search.customer_opened.connect(self._on_search_customer_opened)
        ticket_tabs.saved.connect(self._on_form_saved)
        ticket_tabs.validation_failed.connect(self._on_form_validation_failed)
        ticket_tabs.save_failed.connect(self._on_form_save_failed)
        ticket_tabs.closed.connect(self._on_form_closed)
        operator_widget.change_requested.connect(self.request_state)

    def set_script_library(self, library: ScriptLibrary, language: str) -> None:
        line = self.current.line_name if self.current else None
        self._scripts.set_library(library, line, language)
        self._script_library_loaded = True

    def _start_call_records(self, calls: CallPort, picker: DispositionPicker) -> None:
        self._journal = CallJournal(
            calls,
            on_delayed=self._on_journal_delayed,
            on_caught_up=self._on_journal_caught_up,
            on_failed=self._on_task_error,
        )
        self._dispositions = DispositionLists()
        self._language = "en"
        self.disposition: DispositionTarget | None = None
        self._closing = False
        picker.pick_action.triggered.connect(self.pick_disposition)
        picker.chosen.connect(self._on_picker_chosen)

    def set_dispositions(self, lists: DispositionLists, language: str) -> None:
        """The disposition lists (reference data) and the language their labels are shown in."""
        self._dispositions = lists
        self._language = language
        if self.disposition is not None:
            self._offer_dispositions(self.disposition)

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
            return
        if status is OperatorStatus.READY and not self.presence.online:
            self.message.emit(
                self.tr("Phone offline — calls can't reach you. You become Ready when it is back.")
            )

    def _on_presence_online_changed(self, online: bool) -> None:
        self._set_state(self.state)
        if online:
            self.message.emit(self.tr("Phone back: calls reach you again."))
        else:
            self.message.emit(self.tr("Phone offline — calls can't reach you."))

    def _set_state(self, state: OperatorState) -> None:
        state = with_phone(state, self.presence.online, _now())
        if state == self.state:
            return
        old, self.state = self.state, state
        self._operator_widget.show_state(state)
        self.operator_state_changed.emit(state)
        if old.status is OperatorStatus.WRAP_UP and state.status is not OperatorStatus.WRAP_UP:
            self._wrap_up_ended()
        if old.status is not state.status:
            self._log.write(
                "operator_state", old=old.status.value, new=state.status.value, reason=state.reason
            )

    def _on_ticker_timeout(self) -> None:
        self._set_state(tick(self.state, _now()))
        if self.state.status is OperatorStatus.WRAP_UP:
            self._operator_widget.show_state(self.state)  # the countdown

    # --- phone events -------------------------------------------------------------------------
    def _on_phone_incoming_call(self, call: OfferedCall) -> None:
        info = call.info
        if self.current is not None or not self.state.offers_calls or self._closing:
            # Busy on a call, in wrap-up, on a break or not ready: the caller is told busy and
            # the call is still recorded, so shift leads see what was refused.  A second call
            # during a call is refused too, although the engine could let it wait: one
            # conversation per operator, and the exchange offers the caller to the next one.
            why = refusal_reason(self.state.status, on_call=self.current is not None or self._closing)
            log.info("refusing call %s from %s: %s", info.call, info.number, why)
            self._tasks.spawn(self._turn_away(info.call))
            self._refuse(info, call.received_at, why)
            return
        self._forget_disposition()
        number = None if call.anonymous else info.number  # what the card is looked up by
        card_shown = asyncio.get_running_loop().create_future() if number else None
        self.current = CurrentCall(
            engine_call=info.call,
            info=info,
            received_at=call.received_at,
            record=self._open_record(info, call.received_at, after=card_shown),
            line_name=call.line_name,
            card_shown=card_shown,
        )
        if number:
            self._search.search_for(number)  # first: the database works while the pop paints
        self._softphone.show_incoming(call)
        self._scripts.set_context(self._context())
        self._window.raise_()
        QApplication.alert(self._window)
        self._log.write(
            "incoming_call", call=info.call, number=info.number, display=info.display, line=info.line
        )
        if not number:
            self.current.lookup_done = True
            self._search.show_message(self.tr("Anonymous caller: nothing to look up."))
            self._log.write("card_filled", number=None, found=False, anonymous=True, invite_to_card_ms=None)
        self._tasks.spawn(self._record_ringing(self.current))

    def _on_phone_call_refused(self, refused: CallRefused) -> None:
        """The engine turned a call away itself.  Only "busy" (call waiting switched off in the
        site file) was a caller wanting an operator; malformed or foreign INVITEs are not calls."""
        if refused.reason != "busy":
            return
        info = CallInfo(
            call=refused.call,
            direction=Direction.IN,
            phase=CallPhase.ENDED,
            number=refused.number,
            display=None,
            line=None,
        )
        self._refuse(info, time.time(), CallEndReason.BUSY)  # the engine told us at once

    def _on_banner_painted(self, painted_at: float) -> None:
        if self.current is None:
            return
        ms = (painted_at - self.current.received_at) * 1000
        info = self.current.info
        self._log.write(
            "pop_shown", call=info.call, number=info.number, line=info.line, invite_to_pop_ms=round(ms, 2)
        )
        self._form_of(self.current)

    def _on_search_lookup_done(self, query: str, outcome: object) -> None:
        """Every lookup's outcome arrives here; the one for this call's caller ID fills the card.
        Found, unknown or failed, the operator and the log are told.  (The operator may search for
        something else meanwhile: that answer is theirs, not the caller's.)"""
        current = self.current
        if current is None or current.lookup_done or current.info.number != query:
            return
        current.lookup_done = True
        ms = (time.time() - current.received_at) * 1000
        found, failure = 0, {}
        if isinstance(outcome, LookupResult):
            found = len(outcome.customers)
            self._fill_card(outcome)
        elif isinstance(outcome, ValidationError):  # digits that are nobody's number
            self.unknown_caller.emit(query)
        else:
            reason = str(outcome) or type(outcome).__name__
            self.message.emit(
                self.tr("The caller's card could not be looked up: {error}").format(error=reason)
            )
            failure = {
                "error": outcome.english if isinstance(outcome, UserFacingError) else type(outcome).__name__
            }
        self._log.write(
            "card_filled",
            call=current.info.call,
            number=query,
            found=found > 0,
            customers=found,
            invite_to_card_ms=round(ms, 2),
            **failure,
        )
        _card_shown(current)

    def _fill_card(self, result: LookupResult) -> None:
        found = len(result.customers)
        if found == 1:
            self._identify(result.customers[0])
        elif found == 0:
            self.unknown_caller.emit(result.query)
        else:
            # A shared number (a family, an office): never guess; the operator picks with Enter.
            self.message.emit(
                self.tr("{count} customers share this number: pick the caller and press Enter.").format(
                    count=found
                )
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
        current.record.then("identify", lambda call_id: self._calls.identify(call_id, card.id))

    def _on_phone_call_state_changed(self, change: CallChange) -> None:
        current, info = self.current, change.new
        if current is None or info.call != current.engine_call:
            return
        current.info = info
        self._softphone.show_call(info)
        if info.phase is CallPhase.ACTIVE and not current.answered:
            current.answered = True
            self._set_state_quietly(OperatorStatus.ON_CALL)
            self._scripts.on_call_event(CallEvent.ANSWERED)
            self._log.write("answered", call=info.call, number=info.number)
            self.disposition = DispositionTarget(current.record, current.line_name)
            self._offer_dispositions(self.disposition)
            # Queued now, before anything later in this call (its end) can be.
            at, login = _now(), self._identity.operator_login
            answered = current.record.then(
                "answered", lambda call_id: self._calls.answered(call_id, at, login)
            )
            self._tasks.spawn(self._open_ticket(current, answered))
        if change.held:
            current.held_since = time.monotonic()
            self._scripts.on_call_event(CallEvent.HELD)  # promises the minutes set on the panel
            self._log.write("hold", call=info.call, promised_minutes=self._scripts.minutes.value())
        elif change.resumed:
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
        self._end_current(current, ended.outcome)

    def _end_current(self, current: CurrentCall, engine_outcome: CallEndOutcome | None) -> None:
        """``engine_outcome`` is None when the engine never said how the call ended."""
        if current.held_since is not None:
            current.hold_total += time.monotonic() - current.held_since
        said = engine_outcome.value if engine_outcome is not None else ""
        outcome, reason = end_of_call(
            said,
            answered=current.answered,
            operator_hung_up=current.operator_hung_up,
            window_closing=self._closing,
        )
        target = current.transfer_target if outcome is CallOutcome.TRANSFERRED else None
        self._log.write(
            "call_ended",
            call=current.engine_call,
            outcome=outcome.value,
            reason=reason.value,
            engine_outcome=said,
            transferred_to=target,
        )
        if engine_outcome is CallEndOutcome.ENGINE_DIED:  # the bridge ends the calls first, then says it died
            self._lost_caller = current.info.number or current.info.display or self.tr("an anonymous caller")
        self._scripts.on_call_event(CallEvent.ENDED)
        _card_shown(current)  # whatever the lookup does now, the record goes ahead
        self.current = None
        if not current.answered or current.ticket is not None:
            self._release_form(current)  # else when its ticket has landed (`_open_ticket`)
        if current.answered:
            self._set_state_quietly(OperatorStatus.WRAP_UP)
        self._record_end(current, outcome, reason, target)

    def _on_phone_engine_died(self, why: str) -> None:
        self._softphone.show_engine_down(why)
        lost, self._lost_caller = self._lost_caller, None
        if lost is None:
            text = self.tr("The softphone stopped ({why}); restarting it. Your ticket is kept.").format(
                why=why
            )
        else:
            text = self.tr(
                "The softphone stopped ({why}) and the call with {caller} was lost; restarting it."
                " Your ticket and what you typed are kept."
            ).format(why=why, caller=lost)
        self.message.emit(text)
        self._log.write("engine_died", why=why, lost_call=lost)

    def _on_phone_audio_device_changed(self, notice: AudioDeviceChanged) -> None:
        self._log.write(
            "audio_device_changed",
            kind=notice.kind.value,
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
            self.current.operator_hung_up = True
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
        current.transfer_target = target
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

    # --- the call record (each step queued on the call's journal) and async steps -------------
    def _open_record(
        self, info: CallInfo, received_at: float, *, after: asyncio.Future[None] | None = None
    ) -> JournalledCall:
        """The inbound call's record, as it rang (answered, refused or missed later); written
        once `after` is done (the caller's card on screen), at most `CARD_BEFORE_RECORD_S` later."""
        at, login = _epoch(received_at), self._identity.operator_login

        async def ringing(uid: str) -> CallRecord:
            if after is not None:
                await asyncio.wait([after], timeout=CARD_BEFORE_RECORD_S)
            return await self._calls.ringing(
                direction=CallDirection.INBOUND,
                caller_number=info.number,
                display_name=info.display,
                dialled_number=info.line,
                at=at,
                operator_login=login,
                uid=uid,
            )

        return self._journal.open(ringing, summary=f"from {info.number or 'anonymous'} at {at.isoformat()}")

    async def _turn_away(self, engine_call: int) -> None:
        try:
            await self._phone.reject(engine_call, 486)
        except UserFacingError as exc:  # the caller hung up first, or the engine is restarting
            log.info("call %s could not be refused: %s", engine_call, exc)

    def _refuse(self, info: CallInfo, received_at: float, why: CallEndReason) -> None:
        """Record a call the desk turned away (the caller hears busy)."""
        self._log.write("call_refused", call=info.call, number=info.number, reason=why.value)
        at = _now()
        record = self._open_record(info, received_at)
        record.then(
            "ended", lambda call_id: self._calls.ended(call_id, at, CallOutcome.REJECTED, end_reason=why)
        )

    async def _record_ringing(self, current: CurrentCall) -> None:
        try:
            record = await current.record.record
        except CallRecordFailed:
            return  # reported by the journal
        if record.line and current.line_name != record.line:
            current.line_name = record.line
            if self.current is current:
                self._softphone.show_line_name(record.line)
            if self._script_library_loaded:
                self._scripts.set_line(record.line)
            self._scripts.set_context(self._context())
            if self.disposition is not None and self.disposition.record is current.record:
                self.disposition.line_name = record.line
                self._offer_dispositions(self.disposition)

    async def _open_ticket(self, current: CurrentCall, answered: Awaitable[CallRecord]) -> None:
        try:
            await self._create_ticket(current, answered)
        finally:
            if self.current is not current:  # the call ended while the ticket was being made
                self._release_form(current)

    async def _create_ticket(self, current: CurrentCall, answered: Awaitable[CallRecord]) -> None:
        try:
            record = await answered
        except CallRecordFailed:
            return  # reported by the journal
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

    def _record_end(
        self, current: CurrentCall, outcome: CallOutcome, reason: CallEndReason, transferred_to: str | None
    ) -> None:
        at, held = _now(), current.hold_total
        if held >= 1:
            current.record.then("hold", lambda call_id: self._calls.add_hold(call_id, held))
        ended = current.record.then(
            "ended",
            lambda call_id: self._calls.ended(
                call_id, at, outcome, end_reason=reason, transferred_to=transferred_to
            ),
        )
        customer, answered = current.customer, current.answered

        def recorded(step: asyncio.Task[CallRecord]) -> None:
            if not step.cancelled() and step.exception() is None:
                self.call_recorded.emit(customer, answered)

        ended.add_done_callback(recorded)

    def _on_journal_delayed(self, exc: DatabaseUnavailable) -> None:
        self._log.write("call_record_delayed", error=str(exc))
        self.message.emit(
            self.tr(
                "The call record could not be saved yet ({error}). It is kept and saved as soon as "
                "the database answers; carry on."
            ).format(error=str(exc))
        )

    def _on_journal_caught_up(self) -> None:
        self._log.write("call_record_saved")
        self.message.emit(self.tr("The delayed call records are saved now."))

    # --- disposition --------------------------------------------------------------------------
    def pick_disposition(self) -> None:
        """F10: the keyboard goes to the disposition list of the call being wrapped up."""
        if self.disposition is None or not self._picker.take_focus():
            self.message.emit(self.tr("A disposition is picked for an answered call, from its answer on."))

    def _offer_dispositions(self, target: DispositionTarget) -> None:
        items = self._dispositions.for_line(target.line_name)
        chosen = None if target.chosen == NOT_CHOSEN else target.chosen
        self._picker.offer([(d.code, d.label(self._language)) for d in items], chosen)

    def _on_picker_chosen(self, code: str) -> None:
        target = self.disposition
        if target is None:
            return
        self._store_disposition(target, code)
        self._picker.show_chosen(code, self._dispositions.label(code, self._language, target.line_name))

    def _store_disposition(self, target: DispositionTarget, code: str) -> None:
        target.chosen = code
        self._log.write("disposition", code=code)
        target.record.then("disposition", lambda call_id: self._calls.set_disposition(call_id, code))

    def _wrap_up_ended(self) -> None:
        """Wrap-up is over (ticket saved, timer ran out, another state): a call with no choice is
        stored as `NOT_CHOSEN`.  F10 can still set one until the next call rings."""
        target = self.disposition
        if target is None or target.chosen is not None:
            return
        self._store_disposition(target, NOT_CHOSEN)
        self.message.emit(
            self.tr(
                "No disposition was picked for the last call: it is stored as not chosen. "
                "F10 still picks one until the next call."
            )
        )

    def _forget_disposition(self) -> None:
        """A new call rings: the picker is for that one from its answer on."""
        self.disposition = None
        self._picker.clear()

    # --- closing ------------------------------------------------------------------------------
    async def shutdown(self) -> None:
        """The window is closing: stop the phone (it hangs up), record a call it could not report,
        finish the wrap-up's disposition, and wait for every call record to be written."""
        self._closing = True
        await self._phone.stop()
        current = self.current
        if current is not None:  # the engine was gone already: no call_ended came
            self._end_current(current, None)
        if self.disposition is not None and self.disposition.chosen is None:
            self._store_disposition(self.disposition, NOT_CHOSEN)
        lost = await self._journal.drain(SHUTDOWN_DRAIN_S)
        if lost:
            self._log.write("call_records_lost", steps=lost)

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
        if isinstance(exc, CallRecordFailed):
            return  # the journal reported the cause when it happened
        if isinstance(exc, UserFacingError):
            self.message.emit(str(exc))
            return
        log.error("call desk step failed", exc_info=exc)
        self.message.emit(
            self.tr("Something went wrong: {error}").format(error=str(exc) or type(exc).__name__)
        )


def _card_shown(current: CurrentCall) -> None:
    if current.card_shown is not None and not current.card_shown.done():
        current.card_shown.set_result(None)


def _now() -> datetime:
    return datetime.now(UTC)


def _epoch(seconds: float) -> datetime:
    return datetime.fromtimestamp(seconds, UTC)
