"""The outage-and-SIGKILL scenario, shared by the fault test (seconds) and the outage benchmark
(a ten-minute outage): desk processes write while PostgreSQL goes away and they are killed at
random moments; afterwards the central database must hold exactly what they wrote.

Two desk processes (`tests.sync.workload`) append five changes per item to their outboxes, and a
third (`tests.sync.desk_workload`) takes calls through the real desk services on a local cache.
Each signs in as its own operator of department A (a1, a2, a3) -- row-level security applies to
every change -- with the password in ``PGPASSWORD``, never on the command line.  `run` stops the
cluster at ``outage_at_s`` for ``outage_for_s`` and SIGKILLs each desk up to ``kills_per_desk``
times (restarting it each time); `central_counts` reads the result back as the shift lead.
"""

from __future__ import annotations

import contextlib
import os
import random
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import TableClause, func, insert, select, text

from app.storage.schema import Customer, Line
from app.sync import tables as t
from app.sync.outbox import Outbox
from app.tickets.enums import Role
from tests.fixtures.central import CentralSite
from tests.fixtures.logins import PASSWORD
from tests.fixtures.site_on_server import central_site_on
from tests.sync.conftest import RestartableServer

ROOT = Path(__file__).resolve().parents[2]
DESKS = ("d1", "d2")  # the outbox desks; d3 takes calls through the desk services
OPERATORS = ("a1", "a2")  # who signs in on d1, d2 (d3: a3)


@dataclass(frozen=True)
class FaultPlan:
    items_per_desk: int = 500  # per outbox desk (five changes each)
    desk_items: int = 200  # calls the desk-services desk takes
    kills_per_desk: int = 5
    kill_gap_s: tuple[float, float] = (0.4, 2.0)  # between two kills of one desk
    outage_at_s: float = 3.0
    outage_for_s: float = 6.0
    pace_s: float = 0.004  # between an outbox desk's items
    desk_pace_s: float = 0.0  # between the desk-services desk's calls
    drain_wait_s: float = 120.0  # how long a desk waits for its outbox after its last item
    time_limit_s: float = 150.0

    @property
    def total(self) -> int:
        return len(DESKS) * self.items_per_desk + self.desk_items


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
        env = {
            **os.environ,
            "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]),
            "PGPASSWORD": PASSWORD,  # the operator's, as libpq takes it (never in argv)
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

    def output(self) -> tuple[int | None, str]:
        assert self.proc is not None
        return self.proc.returncode, self.log.read_text()[-3000:]


@dataclass
class FaultRun:
    desks: list[DeskProcess]
    outage_s: float
    backlog: int  # changes waiting in the outboxes when PostgreSQL returned
    drained_after_s: float  # from PostgreSQL's return until every desk finished and drained


@contextlib.contextmanager
def fault_site(server: RestartableServer) -> Iterator[CentralSite]:
    """A site on `server` with a third operator and the customer and line desk d3 needs."""
    with central_site_on(server.url) as site:
        site.add_person("a3", "Dept A", Role.OPERATOR)
        with site.engine("owner").begin() as conn:
            conn.execute(insert(Line).values(name="Home internet"))
            conn.execute(
                insert(Customer).values(
                    contract_number="CN-FAULT", name="Fault Test", name_search="fault test"
                )
            )
        yield site


def _desk_url(site: CentralSite, who: str) -> str:
    """`who`'s URL for a desk process's argv: their login, no password."""
    return site.url_of(who).set(password=None).render_as_string()


def pending(path: Path) -> int:
    box = Outbox(path)
    try:
        return box.pending_count()
    finally:
        box.close()


def run(
    server: RestartableServer, site: CentralSite, workdir: Path, plan: FaultPlan, rng: random.Random
) -> FaultRun:
    """Run the scenario; raises `TimeoutError` past ``plan.time_limit_s``."""
    desks = []
    for name, who in zip(DESKS, OPERATORS, strict=True):
        outbox = workdir / f"{name}.sqlite3"
        args = ["--outbox", str(outbox), "--db", _desk_url(site, who), "--desk", name]
        args += ["--operator-id", str(site.ids[who]), "--count", str(plan.items_per_desk)]
        args += ["--progress", str(workdir / f"{name}.progress"), "--pace", str(plan.pace_s)]
        args += ["--drain-wait", str(plan.drain_wait_s)]
        desks.append(DeskProcess(name, args, outbox, logs=workdir))
    home = workdir / "d3"
    home.mkdir()
    d3_args = ["--home", str(home), "--db", _desk_url(site, "a3"), "--count", str(plan.desk_items)]
    d3_args += ["--pace", str(plan.desk_pace_s), "--drain-wait", str(plan.drain_wait_s)]
    desks.append(
        DeskProcess("d3", d3_args, home / "cache.sqlite3", logs=workdir, module="tests.sync.desk_workload")
    )
    started = time.monotonic()
    for desk in desks:
        desk.start()
        desk.next_kill = started + rng.uniform(*plan.kill_gap_s)

    stopped_at = up_at = None
    backlog = 0
    try:
        while any(d.proc is not None and d.proc.poll() is None for d in desks) or up_at is None:
            now = time.monotonic()
            if stopped_at is None and now - started >= plan.outage_at_s:
                server.stop()
                stopped_at = time.monotonic()
            if stopped_at is not None and up_at is None and now - stopped_at >= plan.outage_for_s:
                server.start()
                up_at = time.monotonic()
                backlog = sum(pending(d.outbox) for d in desks)
            for desk in desks:
                assert desk.proc is not None
                if desk.proc.poll() is not None:
                    continue
                if desk.kills < plan.kills_per_desk and now >= desk.next_kill:
                    desk.proc.send_signal(signal.SIGKILL)
                    desk.exits.append(desk.proc.wait())
                    desk.kills += 1  # the next run logs to a new file
                    desk.next_kill = time.monotonic() + rng.uniform(*plan.kill_gap_s)
                    desk.start()
            if time.monotonic() - started > plan.time_limit_s:
                raise TimeoutError(f"the desks did not finish in {plan.time_limit_s:.0f} s")
            time.sleep(0.02)
        drained_at = time.monotonic()
    finally:
        for desk in desks:
            if desk.proc is not None and desk.proc.poll() is None:
                desk.proc.kill()
                desk.proc.wait()
        if up_at is None:
            server.start()
    assert stopped_at is not None and up_at is not None
    return FaultRun(desks, up_at - stopped_at, backlog, drained_at - up_at)


def central_counts(site: CentralSite) -> dict[str, int]:
    """What arrived, as the department's shift lead reads it: rows per table, the distinct calls
    (each desk has its own operator and gives each item its own caller number, so a call stored
    twice shows as a difference), and calls or tickets left incomplete."""
    with site.engine("lead").connect() as conn:

        def count(table: TableClause) -> int:
            return int(conn.scalar(select(func.count()).select_from(table)) or 0)

        return {
            "calls": count(t.calls),
            "distinct_calls": int(
                conn.scalar(text("SELECT count(DISTINCT (operator_id, caller_number)) FROM calls")) or 0
            ),
            "tickets": count(t.tickets),
            "ticket_events": count(t.ticket_events),
            "applied_changes": count(t.applied_changes),
            "incomplete": int(
                conn.scalar(
                    text(
                        "SELECT count(*) FROM calls c LEFT JOIN tickets k ON k.id = c.ticket_id "
                        "WHERE c.answered_at IS NULL OR c.ended_at IS NULL OR c.outcome <> 'answered' "
                        "OR k.id IS NULL OR k.version <> 2 OR k.subject NOT LIKE 'item %'"
                    )
                )
                or 0
            ),
        }
