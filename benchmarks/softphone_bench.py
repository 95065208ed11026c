"""Softphone engine figures over real SIP calls from SIPp on 127.0.0.1.

    .venv/bin/python benchmarks/softphone_bench.py [--calls 100]

Prints p50/p95 of
- INVITE sent by SIPp (its message trace, wall clock) -> incoming_call event in this process (the
  window side; the asyncio loop stands in for the GUI thread),
- engine's onIncomingCall -> event in this process (the IPC hop alone, CLOCK_MONOTONIC),
- answer command written -> 200 OK received by SIPp (its trace),
and CPU (% of one core) and RSS of the engine idle, during a call with RTP, and RSS growth after the
calls.  Needs `sipp` (Debian package sip-tester).
"""

from __future__ import annotations

import argparse
import asyncio
import re
import shutil
import statistics
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from app.softphone.desk.client import EngineClient  # noqa: E402
from tests.softphone import sipp as sc  # noqa: E402

TICK = 100  # clock ticks per second for /proc/<pid>/stat


def proc_cpu_s(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICK


def proc_rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


async def cpu_percent(pid: int, seconds: float) -> float:
    c0, t0 = proc_cpu_s(pid), time.monotonic()
    await asyncio.sleep(seconds)
    return 100 * (proc_cpu_s(pid) - c0) / (time.monotonic() - t0)


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def sipp_times(trace: Path) -> tuple[dict[str, float], dict[str, float]]:
    """Call-ID -> wall time SIPp sent the INVITE, and -> time it received the 200 OK to it."""
    sent: dict[str, float] = {}
    ok: dict[str, float] = {}
    for block in trace.read_text(errors="replace").split("----------------------------------------------- ")[
        1:
    ]:
        stamp, _, rest = block.partition("\n")
        when = datetime.strptime(stamp.strip(), "%Y-%m-%d %H:%M:%S.%f").timestamp()
        cid = re.search(r"(?m)^Call-ID:\s*(\S+)", rest)
        if cid is None:
            continue
        if "message sent" in rest and "\nINVITE " in rest and "CSeq: 1 INVITE" in rest:
            sent.setdefault(cid.group(1), when)
        elif (
            "message received" in rest
            and "SIP/2.0 200" in rest
            and "INVITE" in rest.split("CSeq:", 1)[1][:20]
        ):
            ok.setdefault(cid.group(1), when)
    return sent, ok


async def run(calls: int) -> None:
    if shutil.which("sipp") is None:
        sys.exit("sipp is missing: apt-get install sip-tester")
    work = Path(tempfile.mkdtemp(prefix="softphone-bench-"))
    pop: dict[str, float] = {}
    hop: list[float] = []
    answer_sent: dict[str, float] = {}
    client: EngineClient

    def on_event(ev: dict[str, Any]) -> None:
        if ev.get("event") == "incoming_call":
            now_wall, now_mono = time.time(), time.monotonic()
            hop.append((now_mono - ev["received_mono"]) * 1000)
            asyncio.get_running_loop().create_task(answer(ev, now_wall))

    async def answer(ev: dict[str, Any], popped: float) -> None:
        key = str(ev["call"])
        pop[key] = popped
        answer_sent[key] = time.time()
        await client.request("answer", call=ev["call"])

    with (work / "engine.log").open("wb") as log:
        client = EngineClient(
            ["--listen", "127.0.0.1:0", "--record-dir", str(work / "rec"), "--log-level", "WARNING"],
            env={"PYTHONPATH": str(REPO)},
            stderr=log,
            on_event=on_event,
        )
        started = await client.start()
        pid = client.pid
        assert pid is not None
        await asyncio.sleep(2)
        idle_cpu = await cpu_percent(pid, 5)
        rss_start = proc_rss_mb(pid)

        # one call with RTP both ways for the in-call figures
        one = sc.Sipp(work, "media")
        xml = sc.scenario(
            "media", sc.invite(), sc.RINGING, sc.answered(), sc.play_pcap(sc.PCAP_DIR / "g711a.pcap"),
            sc.pause(9000), sc.send_bye(),
        )  # fmt: skip
        one.start(xml=xml, remote=started["transports"]["udp"])
        await client.wait_event("call_state", timeout=10, state="active")
        await asyncio.sleep(1)
        call_cpu = await cpu_percent(pid, 5)
        call_rss = proc_rss_mb(pid)
        await asyncio.to_thread(one.assert_ok, 30)
        await client.wait_event("call_ended", timeout=10)
        hop.clear()
        pop.clear()
        answer_sent.clear()

        # the timed calls, one at a time
        many = sc.Sipp(work, "many")
        xml = sc.scenario("many", sc.invite(), sc.RINGING, sc.answered(), sc.pause(100), sc.send_bye())
        many.start(
            xml=xml,
            remote=started["transports"]["udp"],
            calls=calls,
            extra=["-r", "5", "-l", "1"],
            timeout_s=120,
        )
        await asyncio.to_thread(many.assert_ok, calls / 2 + 60)
        await asyncio.sleep(1)
        rss_end = proc_rss_mb(pid)
        await client.stop()

    sent, ok = sipp_times(many.trace)
    # the engine numbers its calls in order; SIPp's call ids are in order too
    order = sorted(sent, key=lambda c: sent[c])
    keys = sorted(pop, key=int)
    pops = [(pop[k] - sent[c]) * 1000 for k, c in zip(keys, order, strict=False)]
    answers = [(ok[c] - answer_sent[k]) * 1000 for k, c in zip(keys, order, strict=False) if c in ok]
    print(f"calls: {len(keys)} answered of {calls}")
    _figure("INVITE sent (SIPp) -> incoming_call in the client", pops)
    _figure("onIncomingCall -> event in the client (IPC hop)", hop)
    _figure("answer command -> 200 OK at SIPp", answers)
    print(f"engine CPU idle: {idle_cpu:.2f} % of a core; during a call with RTP: {call_cpu:.2f} %")
    print(f"engine RSS idle: {rss_start:.1f} MB; in a call: {call_rss:.1f} MB; after: {rss_end:.1f} MB")
    print(f"RSS growth over the calls: {rss_end - rss_start:+.1f} MB")


def _figure(what: str, values: list[float]) -> None:
    print(f"{what}: p50 {statistics.median(values):.2f} ms, p95 {pct(values, 0.95):.2f} ms (n={len(values)})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=100)
    asyncio.run(run(parser.parse_args().calls))


if __name__ == "__main__":
    main()
