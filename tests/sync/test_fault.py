"""Fault test: 1 000 calls and tickets through the outbox while PostgreSQL goes away and the
desks are SIGKILLed at random moments; afterwards the central database holds exactly the expected
records and the outboxes drained within 60 s of PostgreSQL returning.

Two desk processes (`tests.sync.workload`, 500 items each, five changes per item: 5 000 changes)
append to their outboxes directly, and a third (`tests.sync.desk_workload`, `DESK_ITEMS` calls)
takes calls through the real desk services on a local cache, all against a private cluster.  Each
desk signs in as its own operator of department A (`central_site_on`: a1, a2, and a3 added for
the third), so row-level security applies to every change; the expected rows are read back as
the department's shift lead, and department B's operator sees none of them.

The test stops PostgreSQL (``pg_ctl stop -m fast``) shortly after the start and starts it again a few seconds later, and meanwhile kills each desk with SIGKILL at
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
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from sqlalchemy import TableClause, func, insert, select, text

from app.storage.schema import Customer, Line
from app.sync import tables as t
from app.sync.outbox import Outbox
from app.tickets.enums import Role
from tests.fixtures.central import CentralSite
from tests.fixtures.logins import PASSWORD
from tests.fixtures.site_on_server import central_site_on
from tests.sync.conftest import RestartableServer
from tests.sync.desk_workload import caller
from tests.sync.workload import uid

pytestmark = [pytest.mark.pg, pytest.mark.slow]

ROOT = Path(__file__).resolve().parents[2]
DESKS = ("d1", "d2")
OPERATORS = ("a1", "a2")  # who signs in on d1, d2 (d3: a3)
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
    password: str = ""  # the operator's, handed over in PGPASSWORD (never in argv)
    proc: subprocess.Popen[bytes] | None = None
    kills: int = 0
    next_kill: float = 0.0
    exits: list[int] = field(default_factory=list)

    def start(self) -> None:
        env = {
            **os.environ,
            "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]),
            "PGPASSWORD": self.password,
        }
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


@pytest.fixture
def site(restartable_pg: RestartableServer) -> Iterator[CentralSite]:
    with central_site_on(restartable_pg.url) as site:
        site.add_person("a3", "Dept A", Role.OPERATOR)
        owner = site.engine("owner")
        with owner.begin() as conn:  # IT's data the desk-services desk needs: a customer and a line
            conn.execute(insert(Line).values(name="Home internet"))
            conn.execute(
                insert(Customer).values(
                    contract_number="CN-FAULT", name="Fault Test", name_search="fault test"
                )
            )
        yield site


def _desk_url(site: CentralSite, who: str) -> str:
    """`who`'s URL for a desk process's argv: their login, no password (that goes in PGPASSWORD)."""
    return site.url_of(who).set(password=None).render_as_string()


def test_outage_and_sigkills_lose_nothing_and_duplicate_nothing(
    restartable_pg: RestartableServer, site: CentralSite, tmp_path: Path
) -> None:
    seed = int(os.environ.get("FRONTLINE_FAULT_SEED", time.time_ns() % 1_000_000))
    print(f"fault test seed {seed}")
    rng = random.Random(seed)

    desks = []
    for name, who in zip(DESKS, OPERATORS, strict=True):
        outbox = tmp_path / f"{name}.sqlite3"
        args = ["--outbox", str(outbox), "--db", _desk_url(site, who), "--desk", name]
        args += ["--operator-id", str(site.ids[who]), "--count", str(ITEMS_PER_DESK)]
        args += ["--progress", str(tmp_path / f"{name}.progress"), "--pace", "0.004"]
        desks.append(DeskProcess(name, args, outbox, logs=tmp_path, password=PASSWORD))
    home = tmp_path / "d3"
    home.mkdir()
    desks.append(
        DeskProcess(
            "d3",
            ["--home", str(home), "--db", _desk_url(site, "a3"), "--count", str(DESK_ITEMS)],
            home / "cache.sqlite3",
            logs=tmp_path,
            module="tests.sync.desk_workload",
            password=PASSWORD,
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
            assert box.refused() == []
        finally:
            box.close()

    with site.engine("lead").connect() as conn:  # the shift lead sees the whole floor's work

        def count(table: TableClause) -> int:
            return int(conn.scalar(select(func.count()).select_from(table)) or 0)

        total = len(DESKS) * ITEMS_PER_DESK + DESK_ITEMS
        assert count(t.calls) == total
        assert count(t.tickets) == total
        assert count(t.ticket_events) == 3 * total  # created, call_link, field_change
        assert count(t.applied_changes) == 5 * total
        expected_calls = {uid(d, i, "call") for d in DESKS for i in range(ITEMS_PER_DESK)}
        assert set(conn.scalars(select(t.calls.c.uid).where(~t.calls.c.caller_number.like("+7496%")))) == (
            expected_calls
        )
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
        per_operator = conn.execute(
            text("SELECT operator_id, count(*) FROM calls GROUP BY operator_id")
        ).all()
        assert dict(per_operator) == {  # each desk's calls are its operator's
            site.ids["a1"]: ITEMS_PER_DESK,
            site.ids["a2"]: ITEMS_PER_DESK,
            site.ids["a3"]: DESK_ITEMS,
        }
    with site.raw("b1") as conn:  # department B's operator sees none of it
        assert conn.execute("SELECT count(*) FROM calls").fetchone() == (0,)
        assert conn.execute("SELECT count(*) FROM tickets").fetchone() == (0,)
