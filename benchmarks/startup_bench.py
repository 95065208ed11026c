"""Cold start of the workstation window, and its idle footprint.

Starts `python -m app --db URL` N times under the offscreen platform (or the current DISPLAY with
--display), measures from spawn to the "window ready" log line (window painted and the database
answered), then samples RSS and CPU over an idle period.  Prints p50/p95 and the figures.

    python benchmarks/startup_bench.py --runs 10 [--db sqlite:///path] [--idle 10]
"""

from __future__ import annotations

import argparse
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def _cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS


def _rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def one_run(db: str, env: dict[str, str], idle: float) -> tuple[float, float, float]:
    start = time.perf_counter()
    proc = subprocess.Popen(
        [sys.executable, "-m", "app", "--db", db],
        env=env,
        stderr=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
        text=True,
    )
    assert proc.stderr is not None
    ready = None
    for line in proc.stderr:
        if "window ready" in line:
            ready = time.perf_counter() - start
            break
    if ready is None:
        proc.wait()
        raise SystemExit(f"the window never became ready (exit {proc.returncode})")
    cpu0, t0 = _cpu_seconds(proc.pid), time.perf_counter()
    time.sleep(idle)  # idle on purpose: this is the measurement window
    cpu_pct = 100 * (_cpu_seconds(proc.pid) - cpu0) / (time.perf_counter() - t0)
    rss = _rss_mb(proc.pid)
    proc.send_signal(signal.SIGTERM)
    proc.communicate(timeout=10)
    return ready, rss, cpu_pct


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--db")
    parser.add_argument("--customers", type=int, default=2000)
    parser.add_argument("--idle", type=float, default=5.0)
    parser.add_argument("--display", action="store_true", help="use $DISPLAY instead of offscreen")
    args = parser.parse_args()
    env = dict(os.environ)
    if not args.display:
        env["QT_QPA_PLATFORM"] = "offscreen"
    db = args.db
    if db is None:
        db = f"sqlite:///{tempfile.mkdtemp()}/bench.sqlite3"
        subprocess.run(
            [sys.executable, "-m", "app", "demo-data", "--db", db, "--customers", str(args.customers)],
            check=True,
            capture_output=True,
        )
    subprocess.run(
        [sys.executable, "-m", "app", "--help"], check=True, capture_output=True
    )  # warm the disk cache
    starts, rsss, cpus = [], [], []
    for _ in range(args.runs):
        ready, rss, cpu = one_run(db, env, args.idle)
        starts.append(ready * 1000)
        rsss.append(rss)
        cpus.append(cpu)
    q = statistics.quantiles(starts, n=20) if len(starts) > 1 else [starts[0]] * 19
    print(f"runs={args.runs} platform={'display' if args.display else 'offscreen'} db={db.split('://')[0]}")
    p50, p95 = statistics.median(starts), q[18]
    print(f"start to usable window: p50={p50:.0f} ms p95={p95:.0f} ms max={max(starts):.0f} ms")
    print(f"RSS idle: median={statistics.median(rsss):.1f} MB max={max(rsss):.1f} MB")
    print(f"CPU idle: median={statistics.median(cpus):.2f} % of one core")


if __name__ == "__main__":
    main()
