"""An INVITE flood at a desk with the real window: does the phone survive, does the window stay
smooth, do genuine calls still pop?  (Issue 21.)

For each rate (0 = a control run without a flood, then 100 and 1 000 INVITE/s by default) it starts
`python -m app` (offscreen Qt, peer-to-peer on loopback, Ready) on a small demo database, floods
it from 127.0.0.2 with SIPp's ring-then-CANCEL scenario (the one that aborted the engine at
70/s) for --seconds, and meanwhile a second engine on 127.0.0.1 places genuine calls, two a
second: dial, wait for the pop, hang up.  (No warm-up call any more: the window pays its first call's
one-off costs at start-up, `app.warm_up`.)  Printed per rate:
- engine deaths (the app's JSON log) and whether the engine's pid changed;
- SIPp's achieved rate;
- genuine calls offered / popped, pop latency p50/p95/max: the app's own ``invite_to_pop_ms``
  (INVITE received by the engine -> pop painted) and dial -> pop (the caller's dial command ->
  the pop's paint, wall clock: includes the wait behind the flood in the desk's socket);
- the GUI event loop's stalls over 50 ms while the flood ran (the app's ``event_loop_stall`` log
  lines, app/ui/stall_monitor.py), and its max stall over the whole run;
- the engine's CPU (% of one core) over the flood and its peak RSS.

    .venv/bin/python benchmarks/flood_bench.py [--rates 0,100,1000] [--seconds 10]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from app.demo.caller import free_udp_port  # noqa: E402
from app.softphone.desk.client import EngineClient  # noqa: E402
from benchmarks.screen_pop_bench import _events, _wait_for  # noqa: E402
from benchmarks.softphone_bench import pct, proc_cpu_s, proc_rss_mb  # noqa: E402
from tests.softphone import sipp as sc  # noqa: E402

FLOOD_IP = "127.0.0.2"
CALLS_PER_S = 2.0  # the genuine caller stays within the per-address limit (2/s)


@dataclass
class Run:
    rate: int
    achieved: float = 0.0
    deaths: int = 0
    pid_changed: bool = False
    offered: int = 0
    pops: list[float] = field(default_factory=list)  # invite_to_pop_ms
    dial_to_pop: list[float] = field(default_factory=list)
    window: tuple[float, float] = (0.0, 0.0)  # epoch seconds the flood (or the control) ran
    max_stall_ms: float = 0.0
    flood_stalls: list[float] = field(default_factory=list)  # stalls over 50 ms in the window
    cpu: float = 0.0
    rss_peak: float = 0.0


def _engine_pid(app_pid: int) -> int | None:
    """The app's softphone engine: its child running app.softphone."""
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
            cmdline = (stat.parent / "cmdline").read_bytes()
        except OSError:
            continue
        if int(fields[1]) == app_pid and b"app.softphone" in cmdline:
            return int(stat.parent.name)
    return None


async def _genuine_calls(log: Path, port: int, until: float, run: Run) -> None:
    """Calls two a second until ``until`` (at least one): dial, wait for the pop, hang up."""
    with (log.parent / f"caller-{run.rate}.log").open("ab") as caller_log:
        caller = EngineClient(
            ["--p2p", "--listen", f"127.0.0.1:{free_udp_port()}", "--user", "+79161234567"],
            restart=False,
            stderr=caller_log,
        )
        await caller.start()
    try:
        while True:
            began = time.monotonic()
            await _one_call(caller, log, port, run)
            if time.monotonic() >= until:
                return
            await asyncio.sleep(max(0.0, began + 1 / CALLS_PER_S - time.monotonic()))
    finally:
        await caller.stop()


async def _one_call(caller: EngineClient, log: Path, port: int, run: Run) -> None:
    mark = len(_events(log))
    run.offered += 1
    dialled = time.time()
    await caller.request("dial", uri=f"sip:100@127.0.0.1:{port}")
    try:
        pop = await asyncio.wait_for(_wait_for(log, "pop_shown", mark, timeout=60), 5)
    except TimeoutError:  # no pop: the desk was busy (a flood call had got through first)
        await caller.request("hangup")
        return
    run.pops.append(float(pop["invite_to_pop_ms"]))
    run.dial_to_pop.append((float(pop["ts"]) - dialled) * 1000)
    await caller.request("hangup")
    await _wait_for(log, "call_ended", mark)


async def _sample_rss(pid: int, stop: asyncio.Event, run: Run) -> None:
    while not stop.is_set():
        try:
            run.rss_peak = max(run.rss_peak, proc_rss_mb(pid))
        except OSError:
            return
        await asyncio.sleep(0.25)


async def _flood_and_call(work: Path, log: Path, port: int, app_pid: int, run: Run, seconds: int) -> None:
    engine = _engine_pid(app_pid)
    assert engine is not None, "the app's engine is not running"
    flood = None
    if run.rate:
        flood = sc.Sipp(work, f"flood-{run.rate}")
        flood.start(
            xml=sc.flood(),
            remote=f"127.0.0.1:{port}",
            calls=run.rate * seconds,
            extra=["-r", str(run.rate)],
            local_ip=FLOOD_IP,
            trace=False,
            timeout_s=seconds + 30,
        )
    began, cpu0, wall = time.monotonic(), proc_cpu_s(engine), time.time()
    stop = asyncio.Event()
    sampler = asyncio.create_task(_sample_rss(engine, stop, run))
    await _genuine_calls(log, port, began + seconds, run)
    if flood is not None:
        await asyncio.to_thread(flood.wait, seconds + 40)
    elapsed = time.monotonic() - began
    run.window = (wall, wall + elapsed)
    if flood is not None:
        run.achieved = run.rate * seconds / elapsed
    try:
        run.cpu = 100 * (proc_cpu_s(engine) - cpu0) / elapsed
    except OSError:
        run.cpu = float("nan")  # the engine died
    stop.set()
    await sampler
    run.pid_changed = _engine_pid(app_pid) != engine


def _one_rate(work: Path, db: str, env: dict[str, str], rate: int, seconds: int) -> Run:
    run = Run(rate)
    log, port = work / f"events-{rate}.jsonl", free_udp_port()
    app = subprocess.Popen(
        [
            *(sys.executable, "-m", "app", "--db", db, "--listen", f"127.0.0.1:{port}"),
            *("--json-log", str(log), "--ready", "--operator", "smith"),
        ],
        env=env,
        stderr=(work / f"app-{rate}.log").open("wb"),
    )
    try:
        asyncio.run(_wait_for(log, "operator_state", 0, timeout=60))
        time.sleep(1)  # let the first card lookups and the reference data settle
        asyncio.run(_flood_and_call(work, log, port, app.pid, run, seconds))
    finally:
        app.send_signal(signal.SIGTERM)
        app.wait(timeout=30)
    events = _events(log)
    run.deaths = sum(1 for e in events if e["event"] == "engine_died")
    loop = next((e for e in events if e["event"] == "event_loop"), {})
    run.max_stall_ms = float(loop.get("max_stall_ms", float("nan")))
    start, end = run.window
    run.flood_stalls = [
        e["ms"] for e in events if e["event"] == "event_loop_stall" and start <= e["ts"] <= end
    ]
    return run


def _figures(values: list[float]) -> str:
    if not values:
        return "none"
    return (
        f"p50={statistics.median(values):.1f} p95={pct(values, 0.95):.1f} max={max(values):.1f} ms"
        f" (n={len(values)})"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rates", default="0,100,1000", help="INVITEs a second, comma-separated")
    parser.add_argument("--seconds", type=int, default=10)
    args = parser.parse_args()
    if shutil.which("sipp") is None:
        sys.exit("sipp is missing: apt-get install sip-tester")
    work = Path(tempfile.mkdtemp(prefix="frontline-flood-bench-"))
    db = f"sqlite:///{work / 'bench.sqlite3'}"
    env = {**os.environ, "FRONTLINE_DATA_DIR": str(work / "data"), "HOME": str(work)}
    env["QT_QPA_PLATFORM"] = "offscreen"
    env["PYTHONPATH"] = str(REPO)
    subprocess.run(
        [sys.executable, "-m", "app", "demo-data", "--db", db, "--customers", "2000", "--if-empty"],
        env=env,
        check=True,
    )
    print(f"load average at start: {os.getloadavg()[0]:.2f}")
    for rate in (int(r) for r in args.rates.split(",")):
        run = _one_rate(work, db, env, rate, args.seconds)
        label = f"{rate} INVITE/s for {args.seconds} s" if rate else f"no flood, {args.seconds} s"
        achieved = f" (SIPp achieved {run.achieved:.0f}/s)" if rate else ""
        print(f"== {label}{achieved}")
        print(f"  engine deaths: {run.deaths}; engine pid changed: {run.pid_changed}")
        print(f"  genuine calls: {len(run.pops)} of {run.offered} popped")
        print(f"  INVITE -> pop painted (app): {_figures(run.pops)}")
        print(f"  dial -> pop painted (caller's clock): {_figures(run.dial_to_pop)}")
        stalls = run.flood_stalls
        during = f"{len(stalls)} (max {max(stalls):.0f} ms)" if stalls else "none"
        print(f"  GUI event loop: stalls > 50 ms while it ran: {during}; run's max {run.max_stall_ms} ms")
        print(f"  engine: CPU {run.cpu:.0f} % of one core, peak RSS {run.rss_peak:.1f} MiB")
        print(f"  load average now: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
