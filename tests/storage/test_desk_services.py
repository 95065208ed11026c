"""Scripts from the database, and the async desk ports running the services on the worker."""

from __future__ import annotations

import asyncio
import logging
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import Engine, select, update
from sqlalchemy.orm import Session

from app.services.calls import CallService
from app.services.database_worker import DatabaseWorker, awaited
from app.services.ports import CallPort, ScriptPort, TicketPort
from app.services.scripts import ScriptService
from app.services.tickets import TicketService
from app.storage.number_blocks import lease_function
from app.storage.number_reserve import SqliteNumberReserve
from app.storage.schema import DispositionRow, Line, ScriptText
from app.storage.seed import seed_defaults, shipped_dispositions, shipped_scripts
from app.tickets.drafts import TicketDraft
from app.tickets.enums import CallDirection, CallOutcome, TicketStatus
from app.tickets.numbering import ReservePolicy, TicketNumberAllocator
from app.tickets.scripts import ScriptContext, ScriptPhase, render
from tests.storage.ticket_fixtures import make_reference

NOON = datetime(2026, 11, 22, 12, 0)


def test_scripts_fall_back_to_the_shipped_ones_until_seeded_then_follow_edits(engine: Engine) -> None:
    make_reference(engine)
    service = ScriptService(engine)
    assert service.library() == shipped_scripts()
    seed_defaults(engine)
    with Session(engine) as s, s.begin():
        billing = s.scalars(select(Line.id).where(Line.name == "Billing")).one()
        s.execute(
            update(ScriptText)
            .where(ScriptText.line_id == billing, ScriptText.language == "en", ScriptText.key == "closing")
            .values(text="Billing says bye, ticket {ticket_number}.")
        )
    library = service.library()
    context = ScriptContext(ticket_number="T-0000-0013")
    assert render(ScriptPhase.CLOSING, context, library.for_line("Billing", "en"), NOON) == (
        "Billing says bye, ticket T-0000-0013."
    )
    default = render(ScriptPhase.CLOSING, context, library.for_line("Home internet & TV", "en"), NOON)
    assert default.endswith("your ticket number is T-0000-0013.")
    assert {"en", "ru"} <= set(library.languages())
    assert service.answers().for_language("ru")


def test_a_call_from_ring_to_closed_ticket_through_the_async_ports(
    engine: Engine, tmp_path: Path, worker: DatabaseWorker
) -> None:
    ref = make_reference(engine)
    reserve = SqliteNumberReserve(tmp_path / "reserve.sqlite3")
    allocator = TicketNumberAllocator(reserve, ReservePolicy(block_size=10, target_blocks=1, low_water=5))
    ticket_service = TicketService(engine, allocator, lease=lease_function(engine, reserve.workstation_id()))
    assert ticket_service.top_up_numbers() == 1
    tickets: TicketPort = awaited(worker, ticket_service, TicketPort)
    calls: CallPort = awaited(worker, CallService(engine, "RU"), CallPort)
    scripts: ScriptPort = awaited(worker, ScriptService(engine), ScriptPort)
    t0 = datetime(2026, 11, 22, 9, 0, tzinfo=UTC)

    async def shift() -> None:
        call = await calls.ringing(
            direction=CallDirection.INBOUND,
            caller_number="+79123456789",
            display_name="Ada",
            dialled_number="+78005550100",
            at=t0,
            customer_id=ref.customer,
        )
        await calls.answered(call.id, t0, ref.operator)
        view = await tickets.create_for_call(call.id, call.customer_id, call.line_id, ref.operator)
        data = await tickets.reference_data()
        draft = TicketDraft(
            customer_id=call.customer_id,
            line_id=call.line_id,
            subject="No connection",
            category_id=data.categories[0].id,
            complexity_id=data.complexity_levels[0].id,
            resolution="Explained the bill",
        )
        closed = await tickets.close(view.id, draft, view.version, ref.operator)
        assert closed.status is TicketStatus.CLOSED
        await tickets.add_comment(closed.id, "Customer happy", ref.operator)
        assert len((await tickets.get(closed.id)).comments) == 1
        ended = await calls.ended(call.id, t0, CallOutcome.ANSWERED, "Resolved on the call")
        assert ended.ticket_id == closed.id
        assert (await scripts.library()).languages()

    asyncio.run(shift())


@pytest.mark.expect_log("app.storage.seed", r"ignoring a stored disposition")
def test_dispositions_fall_back_to_the_shipped_lists_until_seeded_then_follow_edits(
    engine: Engine, caplog: pytest.LogCaptureFixture
) -> None:
    make_reference(engine)  # lines "Home internet & TV" and "Billing"
    service = ScriptService(engine)
    assert service.dispositions() == shipped_dispositions()
    report = seed_defaults(engine)
    shipped = shipped_dispositions()
    assert report.dispositions == len(shipped.default) + len(shipped.per_line["Billing"])
    assert seed_defaults(engine).dispositions == 0  # only into an empty table
    assert service.dispositions() == shipped  # what was seeded reads back the same, in order
    with Session(engine) as s, s.begin():
        billing = s.scalars(select(Line.id).where(Line.name == "Billing")).one()
        s.execute(
            update(DispositionRow)
            .where(DispositionRow.line_id == billing, DispositionRow.code == "plan_changed")
            .values(labels={"en": "Tariff switched", "ru": "Сменили тариф"})
        )
        s.add(DispositionRow(line_id=billing, code="Not A Code", position=99, labels={"en": "x"}))
    with caplog.at_level(logging.WARNING, logger="app.storage.seed"):
        lists = service.dispositions()
    assert "does not follow the format" in caplog.text  # one bad edit does not take the list away
    billing_list = lists.for_line("Billing")
    assert [d.code for d in billing_list] == [d.code for d in shipped.per_line["Billing"]]
    assert lists.label("plan_changed", "ru", "Billing") == "Сменили тариф"
    assert lists.for_line("Home internet & TV") == shipped.default


def test_dispositions_of_a_line_that_does_not_exist_are_not_seeded(engine: Engine) -> None:
    with Session(engine) as s, s.begin():
        s.add(Line(name="Only line"))
    seed_defaults(engine)
    lists = ScriptService(engine).dispositions()
    assert lists.per_line == {}
    assert lists.default == shipped_dispositions().default
