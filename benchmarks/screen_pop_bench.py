"""INVITE → pop visible and INVITE → customer card filled, measured on the real workstation.

Starts `python -m app` (offscreen Qt, or the current DISPLAY with --display) with its own
softphone engine, then a second engine places N calls from demo customers' numbers.  For each
call it waits for the app's `card_filled` log line, hangs up, and waits for `call_ended`.  The
figures come from the app's own JSON log: `invite_to_pop_ms` (INVITE received by the engine →
first paint of the pop) and `invite_to_card_ms` (→ lookup result on screen).  The app's
event-loop stall summary (20 ms timer lateness) is printed at the end.

    python benchmarks/screen_pop_bench.py --calls 200 --customers 100000            # SQLite
    python benchmarks/screen_pop_bench.py --calls 200 --db postgresql://... --customers 1000000
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, text

from app.demo import DEMO_OPERATOR
from app.demo.caller import free_udp_port
from app.softphone.client import EngineClient


def _events(log: Path) -> list[dict[str, Any]]:
    if not log.exists():
        return []
    return [json.loads(line) for line in log.read_text(encoding="utf-8").splitlines() if line.strip()]


async def _wait_for(log: Path, name: str, after: int, timeout: float = 20.0) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for event in _events(log)[after:]:
            if event["event"] == name:
                return event
        await asyncio.sleep(0.01)  # polling another process's log file
    raise SystemExit(f"no {name} within {timeout} s")


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def _numbers(db: str, count: int) -> list[str]:
    engine = create_engine(db)
    with engine.connect() as conn:
        rows = conn.execute(
            text("SELECT e164 FROM customer_phones WHERE id % 97 = 1 ORDER BY id LIMIT :n"), {"n": count}
        ).scalars()
        numbers = list(rows)
    engine.dispose()
    return numbers


async def run_calls(log: Path, port: int, numbers: list[str]) -> None:
    for i, number in enumerate(numbers):
        caller = EngineClient(
            ["--p2p", "--listen", f"127.0.0.1:{free_udp_port()}", "--user", number], restart=False
        )
        await caller.start()
        mark = len(_events(log))
        await caller.request("dial", uri=f"sip:100@127.0.0.1:{port}")
        await _wait_for(log, "card_filled", mark)
        await caller.request("hangup")
        await _wait_for(log, "call_ended", mark)
        await caller.stop()
        if (i + 1) % 20 == 0:
            print(f"  {i + 1}/{len(numbers)} calls", file=sys.stderr)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--calls", type=int, default=200)
    parser.add_argument("--db")
    parser.add_argument("--customers", type=int, default=100_000)
    parser.add_argument(
        "--display", action="store_true", help="use $DISPLAY (e.g. Xvfb) instead of offscreen"
    )
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="frontline-pop-bench-"))
    db = args.db or f"sqlite:///{work / 'bench.sqlite3'}"
    env = {**os.environ, "FRONTLINE_DATA_DIR": str(work / "data"), "HOME": str(work)}
    if not args.display:
        env["QT_QPA_PLATFORM"] = "offscreen"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "app",
            "demo-data",
            "--db",
            db,
            "--customers",
            str(args.customers),
            "--if-empty",
        ],
        env=env,
        check=True,
    )
    numbers = _numbers(db, args.calls)
    log, port = work / "events.jsonl", free_udp_port()
    app = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "app",
            "--db",
            db,
            "--listen",
            f"127.0.0.1:{port}",
            "--json-log",
            str(log),
            "--ready",
            "--operator",
            DEMO_OPERATOR,
        ],
        env=env,
        stderr=subprocess.DEVNULL,
    )
    try:
        asyncio.run(_wait_for(log, "operator_state", 0, timeout=60))
        started = time.monotonic()
        asyncio.run(run_calls(log, port, numbers))
        elapsed = time.monotonic() - started
    finally:
        app.send_signal(signal.SIGTERM)
        app.wait(timeout=30)
    events = _events(log)
    pops = [e["invite_to_pop_ms"] for e in events if e["event"] == "pop_shown"]
    cards = [
        e["invite_to_card_ms"] for e in events if e["event"] == "card_filled" and e.get("invite_to_card_ms")
    ]
    found = sum(1 for e in events if e["event"] == "card_filled" and e.get("found"))
    loop = next((e for e in events if e["event"] == "event_loop"), {})
    backend = db.split(":", 1)[0]
    print(f"backend={backend} customers={args.customers} calls={len(numbers)} in {elapsed:.0f} s")
    print(f"cards found: {found} of {len(numbers)}")
    for name, values in (("INVITE -> pop visible", pops), ("INVITE -> card filled", cards)):
        print(
            f"{name}: p50={statistics.median(values):.1f} ms p95={_pct(values, 0.95):.1f} ms"
            f" p99={_pct(values, 0.99):.1f} ms max={max(values):.1f} ms (n={len(values)})"
        )
    print(
        f"GUI event loop: max stall {loop.get('max_stall_ms')} ms,"
        f" stalls > 50 ms: {loop.get('stalls_over_50ms')} of {loop.get('samples')} ticks"
    )


if __name__ == "__main__":
    main()
