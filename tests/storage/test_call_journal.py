"""The desk's call records survive a database that cannot take them for a while: `CallJournal`
on the real SQLite file of a desk, locked by another connection (as a long cache refresh or a
backup tool would hold it), through the real worker thread and `CallService`.

SQLite only: the desk's services always write to a local SQLite file (the embedded database, or
the central database's cache).  The connections get a 200 ms busy timeout instead of the
product's 10 s, so a locked write fails fast; nothing else differs from the running desk.
"""

from __future__ import annotations

import asyncio
import logging
import sqlite3
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import Engine, event, text

from app.errors import DatabaseUnavailable
from app.services.call_journal import CallJournal, CallRecordFailed, JournalledCall
from app.services.calls import CallService
from app.services.database_worker import DatabaseWorker, awaited
from app.services.ports import CallPort
from app.storage.database import make_engine
from app.tickets.enums import CallDirection, CallEndReason, CallOutcome
from tests.storage.ticket_fixtures import make_reference

T0 = datetime(2026, 11, 22, 9, 0, tzinfo=UTC)


@pytest.fixture
def desk_db(sqlite_url: str) -> Iterator[Engine]:
    engine = make_engine(sqlite_url)

    @event.listens_for(engine, "connect")
    def _short_busy_timeout(dbapi_connection: Any, _record: object) -> None:
        dbapi_connection.execute("PRAGMA busy_timeout=200")

    make_reference(engine)
    yield engine
    engine.dispose()


class Seen:
    def __init__(self) -> None:
        self.delayed: list[DatabaseUnavailable] = []
        self.caught_up = 0
        self.failed: list[BaseException] = []
        self.delay_seen = asyncio.Event()

    def journal(self, calls: CallPort) -> CallJournal:
        return CallJournal(
            calls,
            on_delayed=self._on_delayed,
            on_caught_up=self._on_caught_up,
            on_failed=self.failed.append,
            delays=(0.05, 0.1),
        )

    def _on_delayed(self, exc: DatabaseUnavailable) -> None:
        self.delayed.append(exc)
        self.delay_seen.set()

    def _on_caught_up(self) -> None:
        self.caught_up += 1


def ring(journal: CallJournal, calls: CallPort, number: str) -> JournalledCall:
    """A call from `number` to the support line, at T0, for operator ivanov."""
    return journal.open(
        lambda uid: calls.ringing(
            direction=CallDirection.INBOUND,
            caller_number=number,
            display_name=None,
            dialled_number="+78005550100",
            at=T0,
            operator_login="ivanov",
            uid=uid,
        ),
        summary=f"from {number}",
    )


def _lock(engine: Engine) -> sqlite3.Connection:
    """Another connection holding the write lock, as a long transaction elsewhere would."""
    path = engine.url.database
    assert path is not None
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("BEGIN EXCLUSIVE")
    return conn


def _rows(engine: Engine) -> list[Any]:
    with engine.connect() as conn:
        return list(
            conn.execute(
                text(
                    "SELECT caller_number, answered_at, ended_at, outcome, end_reason, disposition FROM calls"
                )
            ).all()
        )


@pytest.mark.expect_log("app.services.call_journal", r"not written")
def test_a_call_recorded_while_the_database_is_locked_is_written_once_in_order_when_it_frees(
    desk_db: Engine, worker: DatabaseWorker
) -> None:
    calls = awaited(worker, CallService(desk_db, "RU"), CallPort)
    seen = Seen()
    lock = _lock(desk_db)

    async def shift() -> None:
        journal = seen.journal(calls)
        call = ring(journal, calls, "+79123456789")
        answered = call.then("answered", lambda i: calls.answered(i, T0 + timedelta(seconds=3), "ivanov"))
        call.then(
            "ended",
            lambda i: calls.ended(
                i, T0 + timedelta(seconds=60), CallOutcome.ANSWERED, end_reason=CallEndReason.CALLER_HUNG_UP
            ),
        )
        call.then("disposition", lambda i: calls.set_disposition(i, "resolved"))
        await asyncio.wait_for(seen.delay_seen.wait(), 10)
        assert _rows(desk_db) == []  # nothing yet: the lock holds
        await asyncio.sleep(0.3)  # a few retries fail too
        lock.commit()
        assert (await answered).answered_at == T0 + timedelta(seconds=3)
        assert await journal.drain(10) == 0

    try:
        asyncio.run(shift())
    finally:
        lock.close()
    assert len(seen.delayed) == 1  # told once, not at every retry
    assert seen.caught_up == 1 and seen.failed == []
    (row,) = _rows(desk_db)  # one row, with the times of the events, not of the late writes
    assert row.caller_number == "+79123456789"
    assert row.outcome == "answered" and row.end_reason == "caller_hung_up" and row.disposition == "resolved"
    with desk_db.connect() as conn:
        stamps = conn.execute(text("SELECT answered_at, ended_at FROM calls")).one()
    assert [str(s)[:19] for s in stamps] == ["2026-11-22 09:00:03", "2026-11-22 09:01:00"]


@pytest.mark.expect_log("app.services.call_journal", r"could not be written", level="ERROR")
def test_a_step_refused_for_good_is_reported_once_and_the_later_steps_still_run(
    desk_db: Engine, worker: DatabaseWorker
) -> None:
    calls = awaited(worker, CallService(desk_db, "RU"), CallPort)
    seen = Seen()

    async def shift() -> None:
        journal = seen.journal(calls)
        call = ring(journal, calls, "+79123456789")
        wrong = call.then("ended", lambda i: calls.ended(i, T0, CallOutcome.ANSWERED))  # never answered
        call.then("ended", lambda i: calls.ended(i, T0, CallOutcome.ABANDONED))
        with pytest.raises(CallRecordFailed):
            await wrong
        assert await journal.drain(10) == 0

    asyncio.run(shift())
    assert [type(e).__name__ for e in seen.failed] == ["ValidationError"]
    assert _rows(desk_db)[0].outcome == "abandoned"


@pytest.mark.expect_log(
    "app.services.call_journal", r"could not be written before the window closed", level="ERROR"
)
def test_what_the_database_never_took_before_the_window_closed_is_logged_with_the_call(
    desk_db: Engine, worker: DatabaseWorker, caplog: pytest.LogCaptureFixture
) -> None:
    calls = awaited(worker, CallService(desk_db, "RU"), CallPort)
    seen = Seen()
    lock = _lock(desk_db)

    async def shift() -> int:
        journal = seen.journal(calls)
        call = ring(journal, calls, "+79990001122")
        call.then("ended", lambda i: calls.ended(i, T0, CallOutcome.MISSED))
        return await journal.drain(0.5)

    try:
        with caplog.at_level(logging.ERROR, logger="app.services.call_journal"):
            assert asyncio.run(shift()) == 2  # ringing and ended
    finally:
        lock.close()
    assert "+79990001122" in caplog.text and "ringing" in caplog.text and "ended" in caplog.text
