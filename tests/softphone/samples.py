"""Typed engine events for tests that need a well-formed one to start from (pure values)."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from app.softphone.events import CallPhase, Direction, Hold, IncomingCall


def incoming_call(**changes: Any) -> IncomingCall:
    """A ringing call from +79123456789 on line 8800 (call 7), with ``changes`` applied."""
    call = IncomingCall(
        call=7,
        direction=Direction.IN,
        state=CallPhase.INCOMING,
        number="+79123456789",
        display="Ivan",
        line="8800",
        remote_uri="sip:+79123456789@pbx",
        hold=Hold.NONE,
        muted=False,
        recording=None,
        transfer=None,
        waiting=False,
        received_at=1.0,
    )
    return replace(call, **changes)
