"""The commands the window or a script sends, run on the SIP thread against the engine's calls.

`Commands.run` is called by the engine from its loop (SIP thread) for each decoded command.  It
finds the call a command is about in the engine's `CallBook` and acts on it through the call's
own pjsua2 operations; what only the engine can do (start a call on its account, hang up, audio,
recording, quit) it asks through `EngineControl`, the few engine operations it needs.  Each
``cmd_<name>`` returns the reply's result or raises `CommandError` / `SipError` (an error reply).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any, Protocol

from app.softphone.engine.callbook import CallBook
from app.softphone.engine.calls import CallEntry, CommandError
from app.softphone.engine.options import EngineOptions
from app.softphone.engine.pj import Call, SipError
from app.softphone.events import CallPhase, CallStateChanged, Hold, to_message
from app.softphone.protocol import Command

Emit = Callable[[dict[str, Any]], None]


class EngineControl(Protocol):
    """What the commands ask of the engine (`sipthread.Engine`), all on the SIP thread."""

    @property
    def opts(self) -> EngineOptions: ...
    def registration_status(self) -> dict[str, str]: ...
    def request_quit(self) -> None: ...
    def new_call(self) -> Call:
        """A new outgoing call on the account; CommandError when none may start now."""
        ...

    def hangup(self, entry: CallEntry, code: int = 0) -> None: ...
    def set_muted(self, entry: CallEntry, muted: bool) -> None: ...
    def start_recording(self, entry: CallEntry, path: str | None) -> str: ...
    def stop_recording(self, entry: CallEntry) -> None: ...


class Commands:
    def __init__(self, engine: EngineControl, book: CallBook, emit: Emit) -> None:
        self.e = engine
        self.book = book
        self._emit = emit

    def run(self, cmd: Command) -> dict[str, Any]:
        handler = getattr(self, f"cmd_{cmd.name}", None)
        if handler is None:
            raise CommandError(f"{cmd.name} is not supported")
        result: dict[str, Any] = handler(cmd.args)
        return result

    def _hold_or_resume(self, args: dict[str, Any], op: str) -> dict[str, Any]:
        entry, call = self._active(args)
        self.book.cancel_deferred(entry)  # the last wish wins
        try:
            getattr(call, op)()
        except SipError as exc:
            if "EINVALIDOP" not in str(exc):
                raise
            self.book.defer(entry, op, time.monotonic() + 5.0)
            return {"call": entry.key, "queued": True}
        return {"call": entry.key}

    def cmd_ping(self, args: dict[str, Any]) -> dict[str, Any]:
        return {"pong": time.time()}

    def cmd_status(self, args: dict[str, Any]) -> dict[str, Any]:
        return {**self.e.registration_status(), "calls": self.book.snapshots()}

    def cmd_quit(self, args: dict[str, Any]) -> dict[str, Any]:
        self.e.request_quit()
        return {}

    def cmd_dial(self, args: dict[str, Any]) -> dict[str, Any]:
        uri = self._target_uri(args.get("uri"))
        call = self.e.new_call()
        entry = self.book.add_outgoing(call, uri)
        try:
            call.make_call(uri)
        except SipError:
            self.book.retire(entry)
            raise
        self._emit(to_message(CallStateChanged(**entry.snap.event_fields(), code=0, reason="dialing")))
        return {"call": entry.key}

    def _target_uri(self, raw: object) -> str:
        if not isinstance(raw, str) or not raw.strip() or any(c in raw for c in '\r\n<>" '):
            raise CommandError("dial/transfer needs a number or a SIP URI")
        raw = raw.strip()
        if raw.lower().startswith(("sip:", "sips:", "tel:")):
            return raw
        if "@" in raw:
            return f"sip:{raw}"
        o = self.e.opts
        if not o.registered_mode:
            raise CommandError("peer-to-peer mode needs a full SIP URI (sip:user@host:port)")
        port = o.server_port or (5061 if o.transport == "tls" else 5060)
        scheme = "sips" if o.transport == "tls" else "sip"
        return f"{scheme}:{raw}@{o.server}:{port};transport={o.transport}"

    def cmd_answer(self, args: dict[str, Any]) -> dict[str, Any]:
        entry = self.book.pick(args.get("call"), CallPhase.INCOMING)
        if entry.phase is not CallPhase.INCOMING or entry.call is None:
            raise CommandError(f"call {entry.key} is not ringing")
        for other in self.book:
            busy = other.phase is CallPhase.ACTIVE and other.snap.hold is Hold.NONE
            if other is not entry and busy and other.call is not None:
                other.call.hold()  # call waiting: the current caller goes on hold
        entry.call.answer(200)
        entry.ring_deadline = None
        return {"call": entry.key}

    def cmd_reject(self, args: dict[str, Any]) -> dict[str, Any]:
        code = args.get("code", 486)
        if code not in (486, 603):
            raise CommandError("reject code must be 486 (busy) or 603 (decline)")
        entry = self.book.pick(args.get("call"), CallPhase.INCOMING)
        if entry.phase is not CallPhase.INCOMING:
            raise CommandError(f"call {entry.key} is not ringing")
        entry.ended_by = "rejected"
        self.e.hangup(entry, int(code))
        return {"call": entry.key}

    def cmd_hangup(self, args: dict[str, Any]) -> dict[str, Any]:
        entry = self.book.pick(args.get("call"))
        entry.ended_by = entry.ended_by or ("rejected" if entry.phase is CallPhase.INCOMING else "hangup")
        self.e.hangup(entry, 603 if entry.phase is CallPhase.INCOMING else 0)
        return {"call": entry.key}

    def _active(self, args: dict[str, Any]) -> tuple[CallEntry, Call]:
        entry = self.book.pick(args.get("call"), CallPhase.ACTIVE)
        if entry.phase is not CallPhase.ACTIVE or entry.call is None:
            raise CommandError(f"call {entry.key} is not connected")
        return entry, entry.call

    def cmd_hold(self, args: dict[str, Any]) -> dict[str, Any]:
        return self._hold_or_resume(args, "hold")

    def cmd_resume(self, args: dict[str, Any]) -> dict[str, Any]:
        return self._hold_or_resume(args, "resume")

    def cmd_mute(self, args: dict[str, Any], muted: bool = True) -> dict[str, Any]:
        entry, _ = self._active(args)
        self.e.set_muted(entry, muted)
        return {"call": entry.key, "muted": muted}

    def cmd_unmute(self, args: dict[str, Any]) -> dict[str, Any]:
        return self.cmd_mute(args, muted=False)

    def cmd_dtmf(self, args: dict[str, Any]) -> dict[str, Any]:
        digits = str(args.get("digits", ""))
        if not digits or any(c not in "0123456789*#ABCDabcd" for c in digits):
            raise CommandError("dtmf needs digits 0-9 * # A-D")
        entry, call = self._active(args)
        call.dial_dtmf(digits)
        return {"call": entry.key}

    def cmd_transfer(self, args: dict[str, Any]) -> dict[str, Any]:
        uri = self._target_uri(args.get("uri"))
        entry, call = self._active(args)
        call.xfer(uri)
        entry.update(transfer=f"blind:{uri}")
        return {"call": entry.key}

    def cmd_attended_transfer(self, args: dict[str, Any]) -> dict[str, Any]:
        entry, call = self._active(args)
        target = args.get("target")
        consult = self.book.get(target)
        if (
            consult is None
            or consult is entry
            or consult.call is None
            or consult.phase is not CallPhase.ACTIVE
        ):
            raise CommandError("attended_transfer needs target=<connected consult call>")
        call.xfer_replaces(consult.call)
        entry.update(transfer=f"attended:{consult.key}")
        return {"call": entry.key, "target": consult.key}

    def cmd_record_start(self, args: dict[str, Any]) -> dict[str, Any]:
        entry, _ = self._active(args)
        path = args.get("path")
        return {
            "call": entry.key,
            "path": self.e.start_recording(entry, path if isinstance(path, str) else None),
        }

    def cmd_record_stop(self, args: dict[str, Any]) -> dict[str, Any]:
        entry = self.book.pick(args.get("call"))
        if entry.recording is None:
            raise CommandError(f"call {entry.key} is not being recorded")
        path = str(entry.recording.path)
        self.e.stop_recording(entry)
        return {"call": entry.key, "path": path}
