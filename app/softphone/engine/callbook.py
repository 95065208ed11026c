"""The engine's calls by key: their entries, the callers refused busy, and the pjsua2 call
objects waiting to be released.

Owned by the SIP thread (no lock): the engine's callbacks add and retire calls, `Commands` finds
the call a command is about here.  Besides the live entries it keeps what must outlive a call's
entry for pjsua2's sake: the callers answered 486 because the desk is full (pjsua still holds
them until they end) and the graveyard of finished `Call` objects, released outside their own
callbacks by `bury` (LAB.md: releasing one inside its callback, or keeping one alive at
``libDestroy``, aborts the process).
"""

from __future__ import annotations

import logging
from collections.abc import Iterator

from app.softphone.engine.calls import CallEntry, pick
from app.softphone.engine.callstate import CallSnapshot
from app.softphone.engine.headers import uri_user
from app.softphone.engine.pj import Call
from app.softphone.events import CallPhase

log = logging.getLogger("app.softphone.sip")


class CallBook:
    """Every call the engine knows, by its key (the call number the window sees)."""

    def __init__(self) -> None:
        self._entries: dict[int, CallEntry] = {}
        self._next_key = 1
        # A full desk's callers (`Verdict.answer_busy`) by key: (call, answered 486 yet).
        self.busy: dict[int, tuple[Call, bool]] = {}
        self._graveyard: list[Call] = []
        # hold/resume asked while the previous re-INVITE is still in flight: (due, entry, op)
        self._deferred: list[tuple[float, CallEntry, str]] = []

    # ---- lookup -------------------------------------------------------------------------------
    def __iter__(self) -> Iterator[CallEntry]:
        return iter(list(self._entries.values()))

    def get(self, key: object) -> CallEntry | None:
        return self._entries.get(key) if isinstance(key, int) else None

    def of(self, call: Call) -> CallEntry | None:
        """The entry of a pjsua2 call (None for a call the book does not hold, e.g. a busy one)."""
        return self._entries.get(call.key)

    def pick(self, call: object, *phases: CallPhase) -> CallEntry:
        """The entry a command is about (`calls.pick`); CommandError when there is none."""
        return pick(self._entries, call, *phases)

    def live(self) -> list[CallEntry]:
        return [e for e in self._entries.values() if e.phase is not CallPhase.ENDED]

    def anyone_ringing(self) -> bool:
        return any(e.phase is CallPhase.INCOMING for e in self._entries.values())

    def snapshots(self) -> list[dict[str, object]]:
        return [e.snap.as_dict() for e in self._entries.values()]

    # ---- coming and going ---------------------------------------------------------------------
    def take_key(self) -> int:
        key, self._next_key = self._next_key, self._next_key + 1
        return key

    def add(self, call: Call, snap: CallSnapshot) -> CallEntry:
        call.key = snap.call
        entry = CallEntry(call=call, snap=snap)
        self._entries[snap.call] = entry
        return entry

    def add_outgoing(self, call: Call, uri: str) -> CallEntry:
        return self.add(call, self.outgoing_snapshot(uri))

    def outgoing_snapshot(self, uri: str) -> CallSnapshot:
        return CallSnapshot(
            call=self.take_key(),
            direction="out",
            phase=CallPhase.DIALING,
            number=uri_user(uri)[0],
            display=None,
            line=None,
            remote_uri=uri,
        )

    def add_busy(self, call: Call) -> int:
        """A caller the desk is too full for: kept (under a key of its own) until pjsua ends it."""
        key = self.take_key()
        call.key = key
        self.busy[key] = (call, False)
        return key

    def retire(self, entry: CallEntry) -> None:
        """The call is over (or never started): its pjsua2 object goes to the graveyard."""
        if entry.call is not None:
            self._graveyard.append(entry.call)
            entry.call = None
        self._entries.pop(entry.key, None)

    def retire_busy(self, key: int) -> None:
        self._graveyard.append(self.busy.pop(key)[0])

    def bury(self) -> None:
        """Release pjsua2 Call objects of finished calls, outside their own callbacks."""
        if not self._graveyard:
            return
        in_use = {e.call.slot for e in self._entries.values() if e.call is not None}
        in_use |= {call.slot for call, _ in self.busy.values()}
        while self._graveyard:
            dead = self._graveyard.pop()
            reused = dead.slot >= 0 and dead.slot in in_use
            if reused:
                log.info("call slot %s was reused before its old call object went", dead.slot)
            dead.release(slot_reused=reused)

    def release_all(self) -> None:
        """Engine teardown: every call object released, the book empty (before the account goes)."""
        for e in self._entries.values():
            if e.call is not None:
                self._graveyard.append(e.call)
                e.call = None
        self._graveyard.extend(call for call, _ in self.busy.values())
        self.busy.clear()
        self.bury()
        self._entries.clear()
        self._deferred.clear()

    # ---- hold/resume retried while a re-INVITE is in flight -----------------------------------
    def defer(self, entry: CallEntry, op: str, due: float) -> None:
        """Retry ``op`` ("hold" / "resume") on the call until ``due`` (`take_deferred`)."""
        self._deferred.append((due, entry, op))

    def cancel_deferred(self, entry: CallEntry) -> None:
        """A new hold/resume for the call: the last wish wins."""
        self._deferred = [d for d in self._deferred if d[1] is not entry]

    def take_deferred(self) -> list[tuple[float, CallEntry, str]]:
        pending, self._deferred = self._deferred, []
        return pending
