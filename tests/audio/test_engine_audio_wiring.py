"""How the engine drives its audio backend through hold, resume, call waiting and call end: the
SIP thread's callbacks run here on fake calls (no pjsua2 library), the backend records what it
was told."""

from __future__ import annotations

import queue
from collections.abc import Iterator
from typing import Any

import pytest

from app.softphone.engine.callstate import CallSnapshot
from app.softphone.engine.options import EngineOptions
from app.softphone.engine.pj import AudioPort, CallInfoView, MediaView
from app.softphone.engine.sipthread import Engine
from app.softphone.events import CallPhase
from app.softphone.protocol import Command


class FakeMedia:
    def __init__(self, port_id: int) -> None:
        self.port_id = port_id

    def getPortId(self) -> int:
        return self.port_id


class FakeCall:
    """What the engine reads of a pjsua2 call in its media and state callbacks."""

    def __init__(self, key: int) -> None:
        self.key = key
        self.state = "confirmed"
        self.media_status = "active"
        self.media = FakeMedia(100 + key)

    def info(self) -> CallInfoView:
        return CallInfoView(
            pj_id=self.key,
            state=self.state,
            incoming=False,
            remote_uri=f"sip:{self.key}@example.invalid",
            last_status=200,
            last_reason="OK",
            call_id_string=str(self.key),
            connect_s=1.0,
            media=(MediaView(index=0, audio=True, status=self.media_status),),
        )

    def audio(self, index: int) -> AudioPort | None:
        return AudioPort(self.media) if self.media_status == "active" else None

    def release(self) -> None:
        pass


class RecordingBackend:
    def __init__(self) -> None:
        self.attached: set[int] = set()
        self.held: list[bool] = []

    def attach(self, call_audio: AudioPort, *, muted: bool) -> None:
        self.attached.add(call_audio.raw.getPortId())

    def detach(self, call_audio: AudioPort) -> None:
        self.attached.discard(call_audio.raw.getPortId())

    def set_held(self, held: bool) -> None:
        self.held.append(held)

    def set_muted(self, call_audio: AudioPort, muted: bool) -> None: ...
    def microphone(self) -> AudioPort:
        raise NotImplementedError

    def close(self) -> None: ...
    def start_ringing(self) -> None: ...
    def stop_ringing(self) -> None: ...
    def set_call_waiting(self, waiting: bool) -> None: ...


@pytest.fixture
def engine() -> Iterator[tuple[Engine, RecordingBackend]]:
    commands: queue.SimpleQueue[Command] = queue.SimpleQueue()
    events: list[dict[str, Any]] = []
    eng = Engine(EngineOptions(), events.append, commands, None)
    backend = RecordingBackend()
    eng._backend = backend
    yield eng, backend
    eng._wake_sock.close()


def active_call(eng: Engine, key: int) -> FakeCall:
    call = FakeCall(key)
    snap = CallSnapshot(
        call=key,
        direction="out",
        phase=CallPhase.ACTIVE,
        number=str(key),
        display=None,
        line=None,
        remote_uri="",
    )
    eng._book.add(call, snap)  # type: ignore[arg-type]  # a stand-in for pj.Call
    eng.on_call_media(call)  # type: ignore[arg-type]
    return call


def test_hold_takes_the_call_off_the_headset_and_holds_it_both_ways(
    engine: tuple[Engine, RecordingBackend],
) -> None:
    eng, backend = engine
    call = active_call(eng, 1)
    assert backend.attached == {101} and backend.held[-1] is False

    call.media_status = "local_hold"  # our hold re-INVITE went through
    eng.on_call_media(call)  # type: ignore[arg-type]
    assert backend.attached == set()
    assert backend.held[-1] is True

    call.media_status = "active"  # resumed
    eng.on_call_media(call)  # type: ignore[arg-type]
    assert backend.attached == {101}
    assert backend.held[-1] is False


def test_with_a_second_call_live_only_the_held_one_is_silenced(
    engine: tuple[Engine, RecordingBackend],
) -> None:
    eng, backend = engine
    first = active_call(eng, 1)
    first.media_status = "local_hold"  # call waiting: the first caller goes on hold
    eng.on_call_media(first)  # type: ignore[arg-type]
    active_call(eng, 2)
    assert backend.attached == {102}
    assert backend.held[-1] is False


def test_a_call_that_ends_is_detached_from_the_headset(engine: tuple[Engine, RecordingBackend]) -> None:
    eng, backend = engine
    call = active_call(eng, 1)
    call.state = "disconnected"
    eng.on_call_state(call)  # type: ignore[arg-type]
    assert backend.attached == set()
    assert backend.held[-1] is False
