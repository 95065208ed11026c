"""The SIP thread: its loop, and the pjsua2 callbacks that turn into events.

`Engine.run` is the target of the one thread that creates, holds and destroys every pjsua2 object
(LAB.md: any other thread calling pjsua2 aborts the process); it holds `Role.SIP` while the
library lives, so the guard in `pj` catches a call from elsewhere.  Its loop is
``drain(commands); libHandleEvents(100); expire ringing calls; ...``.  Callbacks (`on_*`) run inside
``libHandleEvents`` on this same thread.  The calls live in a `CallBook` (callbook.py), the
registration is kept by `AccountRegistration` (account_registration.py), and the commands
(commands.py) act through the book and the few `Engine` methods of `commands.EngineControl`.
"""

from __future__ import annotations

import gc
import logging
import os
import queue
import socket
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from app.softphone import protocol
from app.softphone.engine.account_registration import AccountRegistration
from app.softphone.engine.call_audio import AudioBackend, DeviceAudioBackend, Recording
from app.softphone.engine.callbook import CallBook
from app.softphone.engine.calls import CallEntry, CommandError, hold_of, phase_of, recording_name
from app.softphone.engine.callstate import CallSnapshot
from app.softphone.engine.commands import Commands
from app.softphone.engine.gate import ConnectionGuard, Gate, GatePolicy, Offer, source_ip
from app.softphone.engine.headers import caller_from_invite, parse_headers
from app.softphone.engine.options import EngineOptions
from app.softphone.engine.pj import (
    Account,
    AccountOptions,
    AudioPort,
    Call,
    Library,
    RefusalAccount,
    SipError,
    TlsOptions,
)
from app.softphone.events import (
    CallEnded,
    CallPhase,
    CallRefused,
    CallStateChanged,
    DtmfReceived,
    EngineMode,
    EngineStarted,
    EngineStopping,
    Event,
    Hold,
    IncomingCall,
    MediaStateChanged,
    MediaStatus,
    RecordingFinished,
    RecordingStarted,
    TransferProgressed,
    to_message,
)
from app.softphone.protocol import Command
from app.thread_rules import Role, give_up_role, take_role

log = logging.getLogger("app.softphone.sip")
Emit = Callable[[dict[str, Any]], None]
_POLL_MS = 100  # commands do not wait for it: `wake` interrupts the poll
_CRLF_PING = b"\r\n\r\n"  # RFC 5626 keep-alive: pjsip reads it and ignores it


class Engine:
    def __init__(
        self,
        options: EngineOptions,
        emit: Emit,
        commands: queue.SimpleQueue[Command],
        password: str | None,
        *,
        trace: logging.Logger | None = None,
        audio: Callable[[Library], AudioBackend] = DeviceAudioBackend,
    ) -> None:
        """``audio`` builds the audio backend once the library runs (the headset bridge plugs in here)."""
        self.opts = options
        self._audio_factory = audio
        self._emit = emit
        self._book = CallBook()
        self._commands_runner = Commands(self, self._book, emit)
        self._commands = commands
        self._password = password
        self._trace = trace
        self._lib: Library | None = None
        self._account: Account | None = None
        self._backend: AudioBackend | None = None
        self._attached: dict[int, AudioPort] = {}  # call key -> its audio, while the backend has it
        # The front gate (gate.py) and the account pjsua refuses its rejects on, before any media.
        self._gate = Gate(
            GatePolicy(
                limits=options.limits,
                only_from_proxy=options.registered_mode and options.accept_only_from_proxy,
                call_waiting=options.call_waiting,
            )
        )
        self._refusal: RefusalAccount | None = None
        # A full desk's callers (`Verdict.answer_busy`): the Call-ID the gate admitted for a 486,
        # then each such call in the book's `busy`, answered 486 after its callback (never inside
        # onIncomingCall, see _start) and kept until pjsua has ended it.
        self._answer_busy: str | None = None
        # Addresses the gate has just found flooding: their unanswered calls end after the poll.
        self._flooders: list[str] = []
        # Peer-to-peer mode's TCP listener (transport id, host, port), closed during a connection flood
        self._tcp_listener: tuple[int, str, int] | None = None
        self._tcp_guard = ConnectionGuard()
        self._quit = False
        self._proxy_addrs: set[str] = set()
        self._registration = AccountRegistration(emit, registered_mode=options.registered_mode)
        self._wake_sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self._wake_to: tuple[str, int] | None = None
        self.exit_code = 0

    def wake(self) -> None:
        """Any thread: make the SIP thread's poll return now (a command is waiting)."""
        target = self._wake_to
        if target is not None:
            try:
                self._wake_sock.sendto(_CRLF_PING, target)
            except OSError:
                log.debug("wake-up datagram not sent")

    # ---- the thread -------------------------------------------------------------------------
    def run(self) -> None:
        take_role(Role.SIP)  # before the library exists: every pjsua2 call from now on is ours
        try:
            self._run()
        finally:
            give_up_role(Role.SIP)

    def _run(self) -> None:
        try:
            self._start()
        except (SipError, OSError) as exc:
            log.error("engine failed to start: %s", exc)
            self._emit_event(EngineStopping(reason="start failed", error=str(exc)))
            self.exit_code = 2
            self._teardown()
            return
        try:
            while not self._quit:
                self._drain()
                assert self._lib is not None
                self._lib.handle_events(_POLL_MS)
                self._answer_busy_callers()
                self._end_flooders_calls()
                self._report_refusals()
                self._guard_tcp_listener()
                self._retry_deferred()
                self._registration.keep(self._account)
                self._expire_ringing()
                self._book.bury()
        finally:
            self._shutdown()

    def _start(self) -> None:
        o = self.opts
        self._lib = lib = Library(user_agent="Frontline/0.1", trace=self._trace)
        tls = TlsOptions(verify_server=o.verify_tls, ca_file=o.ca_file)
        if o.registered_mode:
            tid, bound = lib.add_transport(o.transport, o.listen_host, o.listen_port, tls)
            transports = {o.transport: bound}
        else:
            tid, transports = self._udp_and_tcp(lib)
        if "udp" not in transports:  # a loopback UDP transport just for waking the poll
            _, transports["wake"] = lib.add_transport("udp", "127.0.0.1", 0)
        wake_host, wake_port = (transports.get("udp") or transports["wake"]).rsplit(":", 1)
        wake_host = "127.0.0.1" if wake_host in ("0.0.0.0", "") else wake_host  # noqa: S104 - a comparison
        lib.start()
        self._wake_to = (wake_host, int(wake_port))
        self._backend = self._audio_factory(lib)
        host = o.listen_host
        media_address = "" if host in ("", "0.0.0.0", "::") else host  # noqa: S104 - a comparison
        if o.registered_mode:
            assert o.server is not None
            sport = o.server_port or (5061 if o.transport == "tls" else 5060)
            scheme = "sips" if o.transport == "tls" else "sip"
            target = f"{scheme}:{o.server}:{sport};transport={o.transport}"
            self._proxy_addrs = _resolve(o.server, sport)
            user = o.username or "operator"
            acc_opts = AccountOptions(
                id_uri=_id_uri(o.display_name, f"{scheme}:{user}@{o.server}"),
                transport_id=tid,
                rtp_port=o.effective_rtp_port(),
                media_address=media_address,
                registrar_uri=target,
                proxy_uri=f"{target};lr",
                username=o.username,
                reg_timeout_s=o.registration.expires_s,
            )
        else:
            acc_opts = AccountOptions(
                id_uri=_id_uri(o.display_name, f"sip:{o.username or 'operator'}@{transports['udp']}"),
                transport_id=-1,
                rtp_port=o.effective_rtp_port(),
                media_address=media_address,
            )
        self._emit_event(
            EngineStarted(
                pid=os.getpid(),
                mode=EngineMode.REGISTRAR if o.registered_mode else EngineMode.P2P,
                transports=transports,
                uri=acc_opts.id_uri,
            )
        )
        if o.registered_mode:
            self._registration.start(o.registration, target, lib)
        self._account = Account(self, acc_opts, self._password)
        self._password = None  # pjsua2 has its copy; ours goes
        self._refusal = RefusalAccount()
        lib.select_accounts_with(self._select_account)
        lib.watch_transports_with(self._on_transport_state)

    def _udp_and_tcp(self, lib: Library) -> tuple[int, dict[str, str]]:
        """Peer-to-peer mode listens on UDP and TCP with one port number.

        With port 0 the UDP port the kernel picks may be taken for TCP: then both go and we retry.
        """
        host, wanted = self.opts.listen_host, self.opts.listen_port
        for _ in range(1 if wanted else 20):
            tid, udp = lib.add_transport("udp", host, wanted)
            port = int(udp.rsplit(":", 1)[1])
            try:
                tcp_tid, tcp = lib.add_transport("tcp", host, port)
            except SipError:
                lib.close_transport(tid)
                if wanted:
                    raise
                continue
            self._tcp_listener = (tcp_tid, host, port)
            return tid, {"udp": udp, "tcp": tcp}
        raise SipError(f"no port on {host} free for both UDP and TCP")

    def _drain(self) -> None:
        while True:
            try:
                cmd = self._commands.get_nowait()
            except queue.Empty:
                return
            self._execute(cmd)

    def _execute(self, cmd: Command) -> None:
        try:
            result = self._commands_runner.run(cmd)
        except (CommandError, SipError) as exc:
            log.info("command %s failed: %s", cmd.name, exc)
            if not cmd.internal:
                self._emit(protocol.reply_error(cmd.id, str(exc)))
            return
        if not cmd.internal:
            self._emit(protocol.reply_ok(cmd.id, result))

    def _expire_ringing(self) -> None:
        now = time.monotonic()
        for e in self._book:
            if e.phase is CallPhase.INCOMING and e.ring_deadline is not None and now >= e.ring_deadline:
                e.ring_deadline = None
                e.ended_by = "timed_out"
                log.info("call %s: unanswered for %ss, 480", e.key, self.opts.ring_timeout_s)
                self.hangup(e, 480)

    def _end_flooders_calls(self) -> None:
        """An address found flooding loses the calls it still has ringing here (nobody answered
        them yet), so that a flood that got a first INVITE or two through cannot hold the desk."""
        while self._flooders:
            ip = self._flooders.pop()
            for e in self._book:
                if e.source_ip == ip and e.phase is CallPhase.INCOMING and e.call is not None:
                    e.ended_by = "refused"
                    log.info("call %s: %s is flooding; ending its ringing call", e.key, ip)
                    try:
                        self.hangup(e, 480)
                    except SipError as exc:
                        log.warning("call %s: ending it failed: %s", e.key, exc)

    def _on_transport_state(self, kind: str, state: str) -> None:
        if kind in ("TCP", "TLS"):
            if state == "connected":
                self._tcp_guard.connected()
                # Now, inside pjsip's accept loop: it takes every pending connection in one poll,
                # so a check after the poll comes too late (measured: 4 clients, dead at 69).
                self._guard_tcp_listener()
            elif state == "destroyed":
                self._tcp_guard.destroyed()

    def _guard_tcp_listener(self) -> None:
        """Close peer-to-peer mode's TCP listener during a connection flood, open it again after
        (gate.ConnectionGuard).  Called for each accepted connection and after each poll."""
        listener, lib = self._tcp_listener, self._lib
        if listener is None or lib is None:
            return
        change = self._tcp_guard.change()
        tid, host, port = listener
        if change is False:
            log.warning(
                "TCP connections come and go too fast (%d socket handles held): not accepting TCP"
                " for a while; UDP works",
                self._tcp_guard.handles(),
            )
            lib.close_transport(tid)
        elif change is True:
            try:
                tid, _ = lib.add_transport("tcp", host, port)
            except SipError as exc:
                level = logging.DEBUG if self._tcp_guard.reopen_failures else logging.WARNING
                log.log(level, "accepting TCP again failed (%s); trying every few seconds", exc)
                self._tcp_guard.reopen_failed()
                return
            self._tcp_listener = (tid, host, port)
            log.warning("accepting TCP connections again")

    def _report_refusals(self) -> None:
        refused = self._gate.tick()
        if refused is not None:
            self._emit_event(refused)

    def _retry_deferred(self) -> None:
        """hold/resume asked while the previous re-INVITE was still in flight: retried until due."""
        pending = self._book.take_deferred()
        if not pending:
            return
        now = time.monotonic()
        for due, entry, op in pending:
            if entry.call is None or entry.phase is not CallPhase.ACTIVE:
                continue
            try:
                getattr(entry.call, op)()
            except SipError as exc:
                if now < due:
                    self._book.defer(entry, op, due)
                else:
                    log.warning("call %s: %s gave up: %s", entry.key, op, exc)

    def _shutdown(self) -> None:
        self._emit_event(EngineStopping(reason="quit"))
        lib = self._lib
        if lib is None:
            return
        for e in self._book:
            self.stop_recording(e)
        if self._book.live():
            lib.hangup_all()
            deadline = time.monotonic() + 2.0
            while time.monotonic() < deadline and self._book.live():
                lib.handle_events(_POLL_MS)
        self._teardown()

    def _teardown(self) -> None:
        """The only safe order (LAB.md): calls gone → gc → account shutdown → libDestroy."""
        lib = self._lib
        self._attached.clear()  # call audio handles go before their calls
        self._book.release_all()
        gc.collect()
        left_to_lib = (
            self._account is not None and lib is not None and self._registration.probe_outlives_account(lib)
        )
        if self._account is not None and not left_to_lib:
            self._account.shutdown()
            self._account = None
            if lib is not None and self.opts.registered_mode:
                self._registration.unregistered_within(lib, 1.0)
        if self._refusal is not None:  # last: it turns away what arrives while the engine goes
            self._refusal.shutdown()
            self._refusal = None
        if self._backend is not None:
            self._backend.close()
            self._backend = None
        self._wake_to = None
        self._wake_sock.close()
        gc.collect()
        if lib is not None:
            lib.destroy()
            self._lib = None
        if self._account is not None:  # left to libDestroy, which has deleted it by now
            self._account.release()
            self._account = None

    # ---- helpers ----------------------------------------------------------------------------
    def _emit_event(self, event: Event) -> None:
        self._emit(to_message(event))

    def _emit_call(
        self, kind: type[IncomingCall] | type[CallStateChanged], entry: CallEntry, **extra: Any
    ) -> None:
        self._emit_event(kind(**entry.snap.event_fields(), **extra))

    def _is_from_proxy(self, source: str) -> bool:
        return source in self._proxy_addrs

    def stop_recording(self, entry: CallEntry) -> None:
        rec = entry.recording
        if rec is None:
            return
        entry.recording = None
        seconds = rec.stop()
        entry.update(recording=None)
        self._emit_event(RecordingFinished(call=entry.key, path=str(rec.path), seconds=seconds))

    def start_recording(self, entry: CallEntry, path: str | None) -> str:
        if entry.recording is not None:
            return str(entry.recording.path)
        target = (
            self.opts.record_dir / recording_name(entry.key, entry.snap.number) if not path else Path(path)
        )
        entry.recording = Recording.start(target)
        entry.update(recording=str(target))
        self._connect_media(entry)
        self._emit_event(RecordingStarted(call=entry.key, path=str(target)))
        return str(target)

    def _connect_media(self, entry: CallEntry) -> None:
        call, backend = entry.call, self._backend
        if call is None or backend is None or entry.phase is CallPhase.ENDED:
            return
        for m in call.info().media:
            if m.audio and m.status == "active":
                port = call.audio(m.index)
                if port is None:
                    continue
                backend.attach(port, muted=entry.snap.muted)
                self._attached[entry.key] = port
                if entry.recording is not None:
                    entry.recording.connect(port, backend)

    def _detach_media(self, entry: CallEntry) -> None:
        """The call no longer talks through the headset (on hold, or ended): take it off, so the
        bridge neither feeds it the microphone nor counts its missing frames as underruns."""
        port = self._attached.pop(entry.key, None)
        if port is not None and self._backend is not None:
            self._backend.detach(port)

    def _sync_hold(self) -> None:
        """Hold silences both ways: the headset is held while calls are up and every one of
        them is on hold on our side (with another call live, only the held one is detached)."""
        if self._backend is None:
            return
        live = [e for e in self._book if e.phase is CallPhase.ACTIVE]
        held = bool(live) and all(e.snap.hold in (Hold.LOCAL, Hold.BOTH) for e in live)
        self._backend.set_held(held)

    def _audio_port(self, entry: CallEntry) -> AudioPort | None:
        call = entry.call
        if call is None:
            return None
        for m in call.info().media:
            if m.audio and m.status == "active":
                return call.audio(m.index)
        return None

    # ---- what the commands ask of the engine (commands.EngineControl; also start/stop_recording)
    def registration_status(self) -> dict[str, str]:
        return self._registration.status()

    def request_quit(self) -> None:
        """The loop ends after this poll and the engine shuts down (calls hung up, unregistered)."""
        self._quit = True

    def new_call(self) -> Call:
        if self._account is None:
            raise CommandError("no account")
        if not self._gate.take_media():
            raise CommandError("too many calls started in the last second; try again")
        return Call(self._account, self)

    def hangup(self, entry: CallEntry, code: int = 0) -> None:
        if entry.call is None:
            raise CommandError(f"call {entry.key} is gone")
        entry.call.hangup(code)

    def set_muted(self, entry: CallEntry, muted: bool) -> None:
        """The operator's microphone off (or on again) towards this call."""
        entry.update(muted=muted)
        port = self._audio_port(entry)
        if port is not None and self._backend is not None:
            self._backend.set_muted(port, muted)

    # ---- pjsua2 callbacks (SIP thread, inside handle_events) --------------------------------
    def on_reg_state(self, account: Account, code: int, reason: str, expires: int) -> None:
        self._registration.on_reg_state(account, code, reason, expires)

    def on_probe_result(self, account: Account, answered: bool, code: int, reason: str) -> None:
        self._registration.on_probe_result(account, answered, code, reason)

    def _select_account(self, source: str, message: str) -> int | None:
        """`Endpoint.onSelectAccount`: the front gate, before pjsua creates a dialog or media."""
        account, refusal = self._account, self._refusal
        if account is None or refusal is None:
            return None
        if message and not message.startswith("INVITE "):
            return account.index  # MESSAGE, SUBSCRIBE, NOTIFY: never the refusal account's
        live = self._book.live()
        offer = Offer(
            source=source,
            message=message,
            from_proxy=self._is_from_proxy(source),
            live_incoming=sum(1 for e in live if e.snap.direction == "in"),
            live_total=len(live),
        )
        try:
            verdict = self._gate.decide(offer)
        except Exception:  # a bug here must cost one INVITE, not the engine
            log.exception("the INVITE gate failed; refusing the INVITE from %s", source[:64])
            return refusal.index
        if verdict.newly_flooding is not None:
            self._flooders.append(verdict.newly_flooding)
        self._answer_busy = _call_id(message) if verdict.answer_busy else None
        return account.index if verdict.admitted else refusal.index

    def on_incoming(self, account: Account, pj_call_id: int, message: str, source: str) -> None:
        """An INVITE the gate admitted (`_select_account`): it rings, or the desk is full."""
        received = time.time()
        mono = time.monotonic()
        call = Call(account, self, pj_call_id)
        caller = caller_from_invite(message, from_proxy=self._is_from_proxy(source))
        busy, self._answer_busy = (
            self._answer_busy is not None and self._answer_busy == _call_id(message),
            None,
        )
        if busy:
            self._refuse_busy(call, caller.number, source)
            return
        others = self._book.live()
        snap = CallSnapshot(
            call=self._book.take_key(),
            direction="in",
            phase=CallPhase.INCOMING,
            number=caller.number,
            display=caller.display,
            line=caller.line,
            remote_uri=call.info().remote_uri,
            waiting=bool(others),
        )
        entry = self._book.add(call, snap)
        entry.received_mono = mono
        entry.source_ip = source_ip(source)
        call.answer(180)
        entry.ring_deadline = mono + self.opts.ring_timeout_s
        if self._backend is not None:
            # The desk speaker rings for a first call; during a call, a soft beep in the headset.
            if others:
                self._backend.set_call_waiting(True)
            else:
                self._backend.start_ringing()
        self._emit_call(
            IncomingCall,
            entry,
            anonymous=caller.anonymous,
            line_name=self.opts.lines.get(caller.line or ""),
            received_at=received,
            received_mono=mono,
        )
        # After the event: the window hears of the call before anything else does.
        log.info("call %s: incoming from %s line %s via %s", entry.key, snap.number, snap.line, source[:64])
        if self.opts.auto_answer:
            call.answer(200)

    def on_call_state(self, call: Call) -> None:
        if call.key in self._book.busy:
            if call.info().state == "disconnected":
                self._book.retire_busy(call.key)
            return
        entry = self._book.of(call)
        if entry is None:
            return
        info = call.info()
        phase = phase_of(info.state, entry.snap.direction == "in")
        if entry.snap.number is None and entry.snap.direction == "in" and not entry.snap.remote_uri:
            entry.update(remote_uri=info.remote_uri)
        if phase is None or phase is entry.phase:
            return
        reason = f"{info.last_status} {info.last_reason}".strip()
        entry.move(phase, reason)
        if phase is not CallPhase.INCOMING:
            entry.ring_deadline = None
            if entry.snap.direction == "in" and self._backend is not None and not self._book.anyone_ringing():
                self._backend.stop_ringing()
                self._backend.set_call_waiting(False)
        self._emit_call(CallStateChanged, entry, code=info.last_status, reason=info.last_reason)
        if phase is CallPhase.ENDED:
            self.stop_recording(entry)
            self._detach_media(entry)
            self._emit_event(
                CallEnded(
                    call=entry.key,
                    outcome=entry.outcome(info.last_status),
                    code=info.last_status,
                    reason=info.last_reason,
                    duration=round(info.connect_s, 3),
                )
            )
            self._book.retire(entry)
            self._sync_hold()
        elif phase is CallPhase.ACTIVE and self.opts.auto_record and entry.recording is None:
            self.start_recording(entry, None)

    def _refuse_busy(self, call: Call, number: str | None, source: str) -> None:
        """A caller who met a full desk: 486 after this callback, and the window is told."""
        key = self._book.add_busy(call)
        log.info("call %s from %s: the desk is full, answering 486", key, source[:64])
        self._emit_event(CallRefused(call=key, code=486, reason="busy", number=number))

    def _answer_busy_callers(self) -> None:
        busy = self._book.busy
        for key, (call, answered) in list(busy.items()):
            if answered:
                continue
            busy[key] = (call, True)
            try:
                call.answer(486)
            except SipError as exc:  # the caller gave up meanwhile: pjsua ends it anyway
                log.info("call %s: answering 486 failed: %s", key, exc)

    def on_call_media(self, call: Call) -> None:
        entry = self._book.of(call)
        if entry is None:
            return
        status = next((m.status for m in call.info().media if m.audio), "none")
        entry.update(hold=hold_of(status, entry.snap.hold))
        if entry.snap.hold in (Hold.LOCAL, Hold.BOTH):
            self._detach_media(entry)
        else:
            self._connect_media(entry)
        self._sync_hold()
        self._emit_event(MediaStateChanged(call=entry.key, status=MediaStatus(status), hold=entry.snap.hold))

    def on_dtmf(self, call: Call, digit: str) -> None:
        entry = self._book.of(call)
        if entry is not None:
            self._emit_event(DtmfReceived(call=entry.key, digit=digit))

    def on_transfer_status(self, call: Call, code: int, reason: str, final: bool) -> None:
        entry = self._book.of(call)
        if entry is None:
            return
        self._emit_event(TransferProgressed(call=entry.key, code=code, reason=reason, final=final))
        if final:
            entry.update(transfer=None)
            if 200 <= code < 300 and entry.phase is not CallPhase.ENDED:
                entry.ended_by = "transferred"
                self.hangup(entry)

    def on_transfer_request(self, call: Call, dst_uri: str) -> Call | None:
        """Someone REFERs us elsewhere: follow it with a new outgoing call."""
        entry = self._book.of(call)
        if entry is None or self._account is None or not self._gate.take_media():
            return None
        new = Call(self._account, self)
        self._book.add_outgoing(new, dst_uri)
        log.info("call %s: transferred by the remote side to %s", entry.key, dst_uri)
        return new

    def on_replace_request(self, call: Call, message: str) -> Call | None:
        """An INVITE with Replaces for one of our calls (we are the attended-transfer target)."""
        if self._account is None:
            return None
        caller = caller_from_invite(message, from_proxy=False)
        new = Call(self._account, self)
        snap = CallSnapshot(
            call=self._book.take_key(),
            direction="in",
            phase=CallPhase.INCOMING,
            number=caller.number,
            display=caller.display,
            line=caller.line,
            remote_uri="",
        )
        entry = self._book.add(new, snap)
        self._emit_call(IncomingCall, entry, replaces=call.key, received_at=time.time())
        return new


def _id_uri(display: str | None, uri: str) -> str:
    if not display:
        return f"<{uri}>"
    escaped = display.replace("\\", "\\\\").replace('"', '\\"')
    return f'"{escaped}" <{uri}>'


def _call_id(message: str) -> str:
    """The Call-ID of a SIP message ("" when it has none): how the gate's verdict on an INVITE
    is matched to the call pjsua then makes of it."""
    return (parse_headers(message).get("call-id") or [""])[0]


def _resolve(host: str, port: int) -> set[str]:
    """Addresses INVITEs from our proxy arrive from (``ip:port`` as pjsip writes srcAddress)."""
    try:
        infos = socket.getaddrinfo(host, port, proto=socket.IPPROTO_UDP)
    except OSError:
        log.warning("cannot resolve %s; no INVITE will count as coming from the proxy", host)
        return set()
    out = set()
    for _family, _type, _proto, _canon, sockaddr in infos:
        ip = str(sockaddr[0])
        out.add(f"[{ip}]:{port}" if ":" in ip else f"{ip}:{port}")
    return out
