"""The screen pop always hears how its caller's lookup ended -- found, unknown or failed -- with the
real window, its own softphone engine and a second engine calling on loopback (the `desk` of
test_call_desk).  Caller IDs come as carriers send them: international numbers without "+"."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from pytestqt.qtbot import QtBot
from sqlalchemy import Engine, text

from app.services.lookup import LookupService
from app.storage.database import make_engine
from app.tickets.calls import CallRecord
from app.tickets.cards import LookupResult
from app.ui import call_desk as call_desk_module
from tests.gui.desks import Desk, press_ready, run

pytestmark = [pytest.mark.gui, pytest.mark.sip, pytest.mark.slow]


def _english_customer(engine: Engine) -> tuple[str, str]:
    """A demo customer with a British number nobody else has: (E.164, contract)."""
    with engine.connect() as conn:
        row = conn.execute(
            text(
                "SELECT p.e164, c.contract_number FROM customer_phones p JOIN customers c ON c.id = p.customer_id"
                " WHERE p.e164 LIKE '+44%'"
                " AND (SELECT count(*) FROM customer_phones q WHERE q.e164 = p.e164) = 1 ORDER BY p.id LIMIT 1"
            )
        ).one()
    return row[0], row[1]


def _ring(qtbot: QtBot, loop: asyncio.AbstractEventLoop, desk: Desk, caller: Any) -> None:
    run(qtbot, loop, caller.request("dial", uri=f"sip:100@127.0.0.1:{desk.sip_port}"))
    qtbot.waitUntil(lambda: bool(desk.events("card_filled")), timeout=15_000)


def test_an_international_caller_id_without_plus_fills_the_card(
    qtbot: QtBot, event_loop_qt: asyncio.AbstractEventLoop, desk: Desk, caller_factory: Any
) -> None:
    e164, contract = desk.on_worker(_english_customer, desk.engine)
    press_ready(qtbot, desk)
    caller = caller_factory(e164.lstrip("+"))  # e.g. 447712345678, read in Russia (region RU)
    _ring(qtbot, event_loop_qt, desk, caller)
    filled = desk.events("card_filled")[0]
    assert (filled["found"], filled["customers"]) == (True, 1)
    assert desk.window.card.contract.text() == contract
    with qtbot.waitSignal(desk.window.desk._phone.call_ended, timeout=10_000):  # type: ignore[union-attr]
        run(qtbot, event_loop_qt, caller.request("hangup"))


def test_a_caller_id_that_is_nobodys_number_is_an_unknown_caller(
    qtbot: QtBot, event_loop_qt: asyncio.AbstractEventLoop, desk: Desk, caller_factory: Any
) -> None:
    call_desk = desk.window.desk
    assert call_desk is not None
    press_ready(qtbot, desk)
    caller = caller_factory("12345678")  # too long for an extension, too short for a number
    with qtbot.waitSignal(call_desk.unknown_caller, timeout=15_000) as unknown:
        _ring(qtbot, event_loop_qt, desk, caller)
    assert unknown.args == ["12345678"]
    assert desk.events("card_filled")[0]["found"] is False
    with qtbot.waitSignal(call_desk._phone.call_ended, timeout=10_000):
        run(qtbot, event_loop_qt, caller.request("hangup"))


class TestWithTheDatabaseDown:
    @pytest.fixture
    def lookup_service(self, tmp_path: Path) -> LookupService:
        """Lookups go to a database that cannot be opened (a folder where the file should be)."""
        (tmp_path / "gone.sqlite3").mkdir()
        return LookupService(make_engine(f"sqlite:///{tmp_path / 'gone.sqlite3'}"), default_region="RU")

    def test_the_operator_is_told_the_card_could_not_be_looked_up(
        self, qtbot: QtBot, event_loop_qt: asyncio.AbstractEventLoop, desk: Desk, caller_factory: Any
    ) -> None:
        call_desk = desk.window.desk
        assert call_desk is not None
        e164, _contract = desk.on_worker(_english_customer, desk.engine)
        press_ready(qtbot, desk)
        caller = caller_factory(e164)
        with qtbot.waitSignal(
            call_desk.message, timeout=15_000, check_params_cb=lambda m: "could not be looked up" in m
        ):
            _ring(qtbot, event_loop_qt, desk, caller)
        filled = desk.events("card_filled")[0]
        assert filled["found"] is False
        assert "cannot open" in filled["error"]
        with qtbot.waitSignal(call_desk._phone.call_ended, timeout=10_000):
            run(qtbot, event_loop_qt, caller.request("hangup"))


class HeldLookup(LookupService):
    """The real lookup, held on the database worker until the test lets it `go`."""

    def __init__(self, engine: Engine) -> None:
        super().__init__(engine, default_region="RU")
        self.go = threading.Event()

    def lookup(self, query: str, **limits: int) -> LookupResult:
        self.go.wait(timeout=30)
        return super().lookup(query, **limits)


class TestWithTheCardSlowToCome:
    """Issue 13: the call's record is written once the caller's card is on screen, not meanwhile
    -- the database worker and the window take turns on one interpreter lock, and a record
    written while the window filled the card held the card back."""

    @pytest.fixture
    def lookup_service(self, demo_engine: Engine) -> Iterator[HeldLookup]:
        held = HeldLookup(demo_engine)
        yield held
        held.go.set()  # never leave the worker waiting

    @pytest.fixture
    def asked(self, desk: Desk, monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, int]]:
        """Each ringing row the desk asks for: (caller number, cards shown by then).  The record's
        wait is made long enough that only the card, or the call's end, can end it."""
        call_desk = desk.window.desk
        assert call_desk is not None
        monkeypatch.setattr(call_desk_module, "CARD_BEFORE_RECORD_S", 60.0)  # however slow the box
        calls = call_desk._calls
        ringing = calls.ringing
        asked: list[tuple[str, int]] = []

        async def spy(**step: Any) -> CallRecord:
            asked.append((step["caller_number"], len(desk.events("card_filled"))))
            return await ringing(**step)

        monkeypatch.setattr(calls, "ringing", spy)
        return asked

    def test_the_record_is_asked_for_after_the_card_is_shown(
        self,
        qtbot: QtBot,
        event_loop_qt: asyncio.AbstractEventLoop,
        desk: Desk,
        caller_factory: Any,
        lookup_service: HeldLookup,
        asked: list[tuple[str, int]],
    ) -> None:
        call_desk = desk.window.desk
        assert call_desk is not None
        e164, contract = desk.on_worker(_english_customer, desk.engine)
        press_ready(qtbot, desk)
        caller = caller_factory(e164)
        try:
            run(qtbot, event_loop_qt, caller.request("dial", uri=f"sip:100@127.0.0.1:{desk.sip_port}"))
            # The pop is painted and the call has its ticket form: the desk has done all it does
            # at the ring; the lookup is still held on the worker.
            qtbot.waitUntil(
                lambda: call_desk.current is not None and call_desk.current.form is not None, timeout=15_000
            )
            assert asked == []
        finally:
            lookup_service.go.set()
        qtbot.waitUntil(lambda: bool(asked), timeout=15_000)
        assert asked == [(e164, 1)]
        assert desk.window.card.contract.text() == contract
        qtbot.waitUntil(lambda: call_desk.current is not None and call_desk.current.record.record.done())
        assert call_desk.current.record.record.result().caller_number == e164
        with qtbot.waitSignal(call_desk._phone.call_ended, timeout=10_000):
            run(qtbot, event_loop_qt, caller.request("hangup"))

    def test_a_caller_who_hangs_up_before_the_card_has_the_record_asked_for_at_once(
        self,
        qtbot: QtBot,
        event_loop_qt: asyncio.AbstractEventLoop,
        desk: Desk,
        caller_factory: Any,
        lookup_service: HeldLookup,
        asked: list[tuple[str, int]],
    ) -> None:
        """The record waits for the card only while the call lasts: a call that ends first (the
        lookup still held) is asked for at once, and stored as abandoned."""
        call_desk = desk.window.desk
        assert call_desk is not None
        number = "+79994440101"
        press_ready(qtbot, desk)
        caller = caller_factory(number)
        try:
            run(qtbot, event_loop_qt, caller.request("dial", uri=f"sip:100@127.0.0.1:{desk.sip_port}"))
            qtbot.waitUntil(lambda: call_desk.current is not None, timeout=15_000)
            assert asked == []
            with qtbot.waitSignal(call_desk._phone.call_ended, timeout=10_000):
                run(qtbot, event_loop_qt, caller.request("hangup"))
            qtbot.waitUntil(lambda: asked == [(number, 0)], timeout=5_000)  # not after CARD_BEFORE_RECORD_S
        finally:
            lookup_service.go.set()

        def stored() -> list[Any]:
            with desk.engine.connect() as conn:
                return list(
                    conn.execute(
                        text("SELECT outcome, ended_at FROM calls WHERE caller_number = :n"), {"n": number}
                    )
                )

        qtbot.waitUntil(
            lambda: [r.outcome for r in desk.on_worker(stored) if r.ended_at is not None] == ["abandoned"]
        )
