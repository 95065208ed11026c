"""Fault test: 1 000 calls and tickets through the outbox while PostgreSQL goes away and the
desks are SIGKILLed at random moments; afterwards the central database holds exactly the expected
records and the outboxes drained within 60 s of PostgreSQL returning.

The scenario (`tests.sync.fault_scenario`; `benchmarks/outage_bench.py` runs it with a ten-minute
outage): two desk processes append to their outboxes directly (500 items each, five changes per
item: 5 000 changes), a third takes 200 calls through the real desk services on a local cache,
all against a private cluster.  Each desk signs in as its own operator of department A (a1, a2,
a3), so row-level security applies to every change; the expected rows are read back as the
department's shift lead, and department B's operator sees none of them.

PostgreSQL is stopped (``pg_ctl stop -m fast``) 3 s after the start and started again 6 s later;
meanwhile each desk is SIGKILLed at random moments (up to five times) and restarted.  The random
seed is printed, and can be forced with ``FRONTLINE_FAULT_SEED``.
"""

from __future__ import annotations

import os
import random
import signal
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import func, select

from app.sync import tables as t
from app.sync.outbox import Outbox
from tests.fixtures.central import CentralSite
from tests.sync.conftest import RestartableServer
from tests.sync.desk_workload import caller
from tests.sync.fault_scenario import DESKS, FaultPlan, central_counts, fault_site, run
from tests.sync.workload import uid

pytestmark = [pytest.mark.pg, pytest.mark.slow]

PLAN = FaultPlan()  # 2 x 500 items through outboxes, 200 calls through the desk services
DRAIN_LIMIT_S = 60.0


@pytest.fixture
def site(restartable_pg: RestartableServer) -> Iterator[CentralSite]:
    with fault_site(restartable_pg) as site:
        yield site


def test_outage_and_sigkills_lose_nothing_and_duplicate_nothing(
    restartable_pg: RestartableServer, site: CentralSite, tmp_path: Path
) -> None:
    seed = int(os.environ.get("FRONTLINE_FAULT_SEED", time.time_ns() % 1_000_000))
    print(f"fault test seed {seed}")
    result = run(restartable_pg, site, tmp_path, PLAN, random.Random(seed))
    print({d.name: {"kills": d.kills, "exits": d.exits} for d in result.desks})
    print(
        f"outage {result.outage_s:.1f}s, {result.backlog} changes waiting when PostgreSQL returned, "
        f"all desks finished and drained {result.drained_after_s:.1f}s later"
    )
    assert result.backlog > 0
    for desk in result.desks:
        code, out = desk.output()
        assert code == 0, f"{desk.name}: {out}"
        assert "drained 0" in out
        assert desk.exits == [-signal.SIGKILL] * desk.kills
        box = Outbox(desk.outbox)
        try:
            assert box.pending_count() == 0
            assert box.conflicts() == []
            assert box.refused() == []
        finally:
            box.close()
    assert result.drained_after_s <= DRAIN_LIMIT_S

    total = PLAN.total
    assert central_counts(site) == {
        "calls": total,
        "distinct_calls": total,
        "tickets": total,
        "ticket_events": 3 * total,  # created, call_link, field_change
        "applied_changes": 5 * total,
        "incomplete": 0,
    }
    with site.engine("lead").connect() as conn:  # the shift lead sees the whole floor's work
        expected_calls = {uid(d, i, "call") for d in DESKS for i in range(PLAN.items_per_desk)}
        assert set(conn.scalars(select(t.calls.c.uid).where(~t.calls.c.caller_number.like("+7496%")))) == (
            expected_calls
        )
        desk_callers = conn.scalars(
            select(t.calls.c.caller_number).where(t.calls.c.caller_number.like("+7496%"))
        )
        assert sorted(desk_callers) == sorted(caller(i) for i in range(PLAN.desk_items))  # once each
        expected_tickets = {uid(d, i, "ticket") for d in DESKS for i in range(PLAN.items_per_desk)}
        assert expected_tickets <= set(conn.scalars(select(t.tickets.c.uid)))
        per_operator = dict(
            conn.execute(select(t.calls.c.operator_id, func.count()).group_by(t.calls.c.operator_id)).all()
        )
        assert per_operator == {  # each desk's calls are its operator's
            site.ids["a1"]: PLAN.items_per_desk,
            site.ids["a2"]: PLAN.items_per_desk,
            site.ids["a3"]: PLAN.desk_items,
        }
    with site.raw("b1") as conn:  # department B's operator sees none of it
        assert conn.execute("SELECT count(*) FROM calls").fetchone() == (0,)
        assert conn.execute("SELECT count(*) FROM tickets").fetchone() == (0,)
