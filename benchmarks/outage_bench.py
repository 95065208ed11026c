"""A long outage of the central database with desks working through it and killed at random.

The fault test's scenario (`tests.sync.fault_scenario`) at the scale of issue 13: three desk
processes, each signed in as its own operator (row-level security on every change), write 1 000
saved tickets in all -- two through their outboxes, one through the real desk services on its
cache -- paced so that most of them are written while PostgreSQL is stopped for ten minutes; each
desk is SIGKILLed at random moments and restarted.  Printed: the outage, the backlog when
PostgreSQL returned, how long the desks took to drain after it, the kills, and what the central
database holds (read back as the department's shift lead): exactly 1 000 calls and tickets, no
duplicates, nothing incomplete.  Exit status 1 when any of that is not so.

    python benchmarks/outage_bench.py                          # 10-minute outage, 1 000 saves
    python benchmarks/outage_bench.py --outage 60 --items 300  # a quicker look
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # the scenario lives with the tests

from tests.sync.conftest import RestartableServer  # noqa: E402
from tests.sync.fault_scenario import FaultPlan, central_counts, fault_site, run  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--outage", type=float, default=600.0, help="seconds PostgreSQL is stopped")
    parser.add_argument("--items", type=int, default=1000, help="saved tickets in all")
    parser.add_argument("--kills", type=int, default=8, help="SIGKILLs per desk")
    parser.add_argument("--seed", type=int, default=time.time_ns() % 1_000_000)
    args = parser.parse_args()

    # Two outbox desks take 40 % of the items each, the desk-services desk 20 %; everyone writes
    # from 20 s before the outage until 20 s after it, killed at random in between.
    span = args.outage + 40.0
    per_desk, desk_items = int(args.items * 0.4), args.items - 2 * int(args.items * 0.4)
    plan = FaultPlan(
        items_per_desk=per_desk,
        desk_items=desk_items,
        kills_per_desk=args.kills,
        kill_gap_s=(span / (args.kills + 1) * 0.5, span / (args.kills + 1) * 1.5),
        outage_at_s=20.0,
        outage_for_s=args.outage,
        pace_s=span / per_desk,
        desk_pace_s=span / desk_items,
        drain_wait_s=span + 300.0,
        time_limit_s=span + 600.0,
    )
    print(
        f"seed {args.seed}: {args.items} saves ({per_desk} + {per_desk} through outboxes,"
        f" {desk_items} through the desk services), PostgreSQL stopped at 20 s for"
        f" {args.outage:.0f} s, {args.kills} kills per desk",
        flush=True,
    )
    os.environ.setdefault("FRONTLINE_DATA_DIR", tempfile.mkdtemp(prefix="frontline-outage-"))
    server = RestartableServer()
    try:
        with fault_site(server) as site:
            workdir = Path(tempfile.mkdtemp(prefix="frontline-outage-bench-"))
            result = run(server, site, workdir, plan, random.Random(args.seed))
            counts = central_counts(site)
    finally:
        server.cluster.stop()
    outputs = {d.name: d.output() for d in result.desks}
    print(f"outage {result.outage_s:.0f} s; {result.backlog} changes waiting when PostgreSQL returned")
    print(f"every desk finished and drained {result.drained_after_s:.1f} s after PostgreSQL returned")
    print("kills:", {d.name: d.kills for d in result.desks})
    print("central database, read as the shift lead:", counts)
    ok = (
        all(code == 0 and "drained 0" in out for code, out in outputs.values())
        and counts["calls"] == counts["distinct_calls"] == counts["tickets"] == plan.total
        and counts["incomplete"] == 0
    )
    for name, (code, out) in outputs.items():
        if code != 0:
            print(f"{name} exited {code}:\n{out}")
    print(
        f"exactly {plan.total} records, 0 duplicates, drained within 60 s: "
        f"{'yes' if ok and result.drained_after_s <= 60 else 'NO'}"
    )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
