"""How long a typed draft takes to be on disk, and what the store costs.

    python benchmarks/draft_bench.py [--writes 500] [--open-drafts 20] [--dir DIR]

`app.storage.draft_store.DraftStore` as the desk uses it (a connection per write, WAL,
``synchronous=FULL``, one worker thread): `--open-drafts` tickets with typing, each rewritten in
turn with a growing description (what a 300 ms pause in typing writes), then all read back as at
the next start.  Prints the write latency (p50/p95/max: the time a draft needs from the worker
to the disk, on top of `app.ui.draft_keeper.DELAY_MS`), the read-back time, the file size, and
the process's CPU time and peak RSS.  `--dir` picks the disk (default: a temp dir).
"""

from __future__ import annotations

import argparse
import resource
import statistics
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from app.storage.draft_store import DraftStore
from app.tickets.drafts import TicketDraft
from app.tickets.enums import TicketStatus
from app.tickets.unfinished import LocalDraft


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--writes", type=int, default=500)
    parser.add_argument("--open-drafts", type=int, default=20)
    parser.add_argument("--dir", type=Path)
    args = parser.parse_args()
    directory = args.dir or Path(tempfile.mkdtemp(prefix="frontline-draft-bench-"))
    store = DraftStore(directory / "drafts.sqlite3")
    base = TicketDraft(customer_id=1, line_id=1)
    cpu_before = time.process_time()
    latencies = []
    for i in range(args.writes):
        ticket = i % args.open_drafts
        typed = TicketDraft(
            customer_id=1,
            line_id=1,
            category_id=3,
            priority_id=2,
            subject=f"Ticket {ticket}: no internet since the morning",
            description="The router's PON light blinks red; rebooted twice. " * (1 + i // args.open_drafts),
            status=TicketStatus.IN_PROGRESS,
            due_date=date(2026, 12, 24),
        )
        draft = LocalDraft(f"smith/{ticket}", "smith", ticket, f"T-{ticket:04d}", 1, base, typed)
        started = time.perf_counter()
        store.put(draft)
        latencies.append((time.perf_counter() - started) * 1000)
    started = time.perf_counter()
    drafts = store.drafts("smith")
    read_ms = (time.perf_counter() - started) * 1000
    cpu = time.process_time() - cpu_before
    size = sum(p.stat().st_size for p in directory.glob("drafts.sqlite3*"))
    print(f"dir={directory} writes={args.writes} open drafts={len(drafts)}")
    print(
        f"draft write (to disk, synchronous=FULL): p50={statistics.median(latencies):.2f} ms"
        f" p95={_pct(latencies, 0.95):.2f} ms max={max(latencies):.2f} ms"
    )
    print(f"read back all drafts (next start): {read_ms:.2f} ms; files {size / 1024:.0f} KiB")
    print(
        f"CPU {cpu / args.writes * 1000:.3f} ms per write;"
        f" peak RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MiB"
    )


if __name__ == "__main__":
    main()
