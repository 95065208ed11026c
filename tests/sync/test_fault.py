"""Fault test: 1 000 calls and tickets through the outbox while PostgreSQL goes away and the
desks are SIGKILLed at random moments; afterwards the central database holds exactly the expected
records and the outboxes drained within 60 s of PostgreSQL returning.

Two desk processes (`tests.sync.workload`, 500 items each, five changes per item: 5 000 changes)
append to their outboxes directly, and a third (`tests.sync.desk_workload`, `DESK_ITEMS` calls)
takes calls through the real desk services on a local cache, all against a private cluster.  The test stops PostgreSQL (``pg_ctl stop -m fast``) shortly after
the start and starts it again a few seconds later, and meanwhile kills each desk with SIGKILL at
random moments (up to `KILLS_PER_DESK` times), restarting it each time.  The random seed is
printed, and can be forced with ``FRONTLINE_FAULT_SEED``.
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from sqlalchemy import TableClause, func, insert, select, text

from app.storage.database import make_engine
from app.storage.schema import Customer, Line
from app.sync import tables as t
from app.sync.outbox import Outbox
from tests.sync.conftest import RestartableServer
from tests.sync.desk_workload import caller
from tests.sync.workload import uid

pytestmark = [pytest.mark.pg, pytest.mark.slow]

ROOT = Path(__file__).resolve().parents[2]
DESKS = ("d1", "d2")
ITEMS_PER_DESK = 500
DESK_ITEMS = 200  # the desk-services desk: ringing, answered, ticket, saved, ended per call
KILLS_PER_DESK = 5
OUTAGE_AT_S = 3.0
OUTAGE_FOR_S = 6.0
DRAIN_LIMIT_S = 60.0


@dataclass
class DeskProcess:
    name: str
    args: list[str]
    outbox: Path
    logs: Path
    module: str = "tests.sync.workload"
    proc: subprocess.Popen[bytes] | None = None
    kills: int = 0
    next_kill: float = 0.0
    exits: list[int] = field(default_factory=list)

    def start(self) -> None:
        env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")])}
        with open(self.log, "wb") as log:
            self.proc = subprocess.Popen(
                [sys.executable, "-m", self.module, *self.args],
                cwd=ROOT,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )

    @property
    def log(self) -> Path:
        return self.logs / f"{self.name}-{self.kills}.log"


def _pending(path: Path) -> int:
    box = Outbox(path)
    try:
        return box.pending_count()
    finally:
        box.close()


def test_outage_and_sigkills_lose_nothing_and_duplicate_nothing(
    restartable_pg: RestartableServer, tmp_path: Path
) -> None:
    seed = int(os.environ.get("FRONTLINE_FAULT_SEED", time.time_ns() % 1_000_000))
    print(f"fault test seed {seed}")
    rng = random.Random(seed)
    url = restartable_pg.new_database()
    db = url.render_as_string(hide_password=False)
    seed = make_engine(url)
    with seed.begin() as conn:  # what the desk-services desk needs: a customer and a line
        conn.execute(insert(Line).values(name="Home internet"))
        conn.execute(
            insert(Customer).values(contract_number="CN-FAULT", name="Fault Test", name_search="fault test")
        )
    seed.dispose()

    desks = []
    for name in DESKS:
        outbox = tmp_path / f"{name}.sqlite3"
        args = ["--outbox", str(outbox), "--db", db, "--desk", name, "--count", str(ITEMS_PER_DESK)]
        args += ["--progress", str(tmp_path / f"{name}.progress"), "--pace", "0.004"]
        desks.append(DeskProcess(name, args, outbox, logs=tmp_path))
    home = tmp_path / "d3"
    home.mkdir()
    desks.append(
        DeskProcess(
            "d3",
            ["--home", str(home), "--db", db, "--count", str(DESK_ITEMS)],
            home / "cache.sqlite3",
            logs=tmp_path,
            module="tests.sync.desk_workload",
        )
    )
    started = time.monotonic()
    for desk in desks:
        desk.start()
        desk.next_kill = started + rng.uniform(0.5, 2.0)

    stopped_at = up_at = None
    backlog = 0
    try:
        while any(d.proc is not None and d.proc.poll() is None for d in desks) or up_at is None:
            now = time.monotonic()
            if stopped_at is None and now - started >= OUTAGE_AT_S:
                restartable_pg.stop()
                stopped_at = time.monotonic()
            if stopped_at is not None and up_at is None and now - stopped_at >= OUTAGE_FOR_S:
                restartable_pg.start()
                up_at = time.monotonic()
                backlog = sum(_pending(d.outbox) for d in desks)
            for desk in desks:
                assert desk.proc is not None
                if desk.proc.poll() is not None:
                    continue
                if desk.kills < KILLS_PER_DESK and now >= desk.next_kill:
                    desk.proc.send_signal(signal.SIGKILL)
                    desk.exits.append(desk.proc.wait())
                    desk.kills += 1  # the next run logs to a new file
                    desk.next_kill = time.monotonic() + rng.uniform(0.4, 2.0)
                    desk.start()
            if time.monotonic() - started > 150:
                pytest.fail("the desks did not finish in 150 s")
            time.sleep(0.02)
        drained_at = time.monotonic()
    finally:
        for desk in desks:
            if desk.proc is not None and desk.proc.poll() is None:
                desk.proc.kill()
                desk.proc.wait()
        if up_at is None:
            restartable_pg.start()

    assert stopped_at is not None
    assert up_at is not None
    outputs = {}
    for desk in desks:
        assert desk.proc is not None
        outputs[desk.name] = (desk.proc.returncode, desk.log.read_text()[-3000:])
    print({d.name: {"kills": d.kills, "exits": d.exits} for d in desks})
    print(
        f"outage {up_at - stopped_at:.1f}s, {backlog} changes waiting when PostgreSQL returned, "
        f"all desks finished and drained {drained_at - up_at:.1f}s later"
    )
    assert backlog > 0
    for name, (code, out) in outputs.items():
        assert code == 0, f"{name}: {out}"
        assert "drained 0" in out
    assert all(d.exits == [-signal.SIGKILL] * d.kills for d in desks)
    assert drained_at - up_at <= DRAIN_LIMIT_S
    for desk in desks:
        box = Outbox(desk.outbox)
        try:
            assert box.pending_count() == 0
            assert box.conflicts() == []
            assert box.failed() == []
        finally:
            box.close()

    engine = make_engine(url)
    try:
        with engine.connect() as conn:

            def count(table: TableClause) -> int:
                return int(conn.scalar(select(func.count()).select_from(table)) or 0)

            total = len(DESKS) * ITEMS_PER_DESK + DESK_ITEMS
            assert count(t.calls) == total
            assert count(t.tickets) == total
            assert count(t.ticket_events) == 3 * total  # created, call_link, field_change
            assert count(t.applied_changes) == 5 * total
            expected_calls = {uid(d, i, "call") for d in DESKS for i in range(ITEMS_PER_DESK)}
            assert set(
                conn.scalars(select(t.calls.c.uid).where(~t.calls.c.caller_number.like("+7496%")))
            ) == (expected_calls)
            desk_callers = conn.scalars(
                select(t.calls.c.caller_number).where(t.calls.c.caller_number.like("+7496%"))
            )
            assert sorted(desk_callers) == sorted(caller(i) for i in range(DESK_ITEMS))  # once each
            expected_tickets = {uid(d, i, "ticket") for d in DESKS for i in range(ITEMS_PER_DESK)}
            assert expected_tickets <= set(conn.scalars(select(t.tickets.c.uid)))
            incomplete = conn.scalar(
                text(
                    "SELECT count(*) FROM calls c LEFT JOIN tickets k ON k.id = c.ticket_id "
                    "WHERE c.answered_at IS NULL OR c.ended_at IS NULL OR c.outcome <> 'answered' "
                    "OR k.id IS NULL OR k.version <> 2 OR k.subject NOT LIKE 'item %'"
                )
            )
            assert incomplete == 0
            per_ticket = conn.execute(
                text("SELECT kind, count(*) FROM ticket_events GROUP BY kind ORDER BY kind")
            ).all()
            assert [tuple(row) for row in per_ticket] == [
                ("call_link", total),
                ("created", total),
                ("field_change", total),
            ]
    finally:
        engine.dispose()
