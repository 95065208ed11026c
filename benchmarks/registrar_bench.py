"""Registrar outages, measured against a real Kamailio (issue 21, part 2).

    .venv/bin/python benchmarks/registrar_bench.py [--runs 5] [--transports udp,tcp,tls]
                                                    [--outage 5] [--load-window 250]

For each transport, one desk (the engine as the window runs it, with the site's default
registration settings) registered at a Kamailio that keeps its location table in memory; then,
``--runs`` times, at a random moment: ``kill -9`` Kamailio, wait until the desk says "failed",
leave it down ``--outage`` more seconds (plus a random part), restart it.  Prints p50 / max of
- registrar gone → operator told: SIGKILL → the engine's ``registration_changed: failed`` read by
  this process (the window turns that event into "Not ready: Phone offline" in the same GUI-thread
  slot; that hop is sub-millisecond and measured by screen_pop_bench's IPC figure);
- registrar back → registered: Kamailio answering again (restarted, every registration lost) → the
  engine's ``registered``.
Then the steady load one desk puts on the registrar (REGISTER and OPTIONS sent per minute, from
the engine's SIP trace over ``--load-window`` seconds) and what that makes for 200 and 1 000 desks.
Targets: gone → told ≤ 10 s; back → registered ≤ 30 s (UDP), ≤ 5 s (TCP/TLS).
"""

from __future__ import annotations

import argparse
import os
import random
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from tests.softphone.certs import make_ca_and_server  # noqa: E402
from tests.softphone.engine_proc import EngineProcess  # noqa: E402
from tests.softphone.kamailio_proc import SUBSCRIBERS, Kamailio  # noqa: E402

TARGET_BACK_S = {"udp": 30.0, "tcp": 5.0, "tls": 5.0}
TARGET_TOLD_S = 10.0
KEEPALIVE_S = 5.0  # the site default ([sip] keepalive_s): the random moments spread over it
_SENT = re.compile(r"TX \d+ bytes Request msg (REGISTER|OPTIONS)/")


def start_desk(k: Kamailio, transport: str, work: Path, ca: Path | None, trace: Path | None) -> EngineProcess:
    port = k.tls_port if transport == "tls" else k.port
    args = ["--server", f"127.0.0.1:{port}", "--transport", transport, "--user", "1001"]
    args += ["--listen", "127.0.0.1:0", "--null-audio", "--record-dir", str(work / "rec")]
    if ca is not None:
        args += ["--ca-file", str(ca)]
    if trace is not None:
        args += ["--sip-trace", str(trace)]
    eng = EngineProcess(
        args, work / f"engine-{transport}.log", env={"FRONTLINE_SIP_PASSWORD": SUBSCRIBERS["1001"]}
    )
    eng.wait_event("registration_changed", state="registered", timeout=15)
    return eng


def wait_answering(eng: EngineProcess, timeout: float = 15) -> None:
    """Until the desk's keep-alive has been answered (from then on silence counts as an outage)."""
    deadline = time.monotonic() + timeout
    while eng.ok("status")["registrar"] != "answering":
        if time.monotonic() > deadline:
            raise RuntimeError("the registrar never answered the keep-alive")
        time.sleep(0.1)


def next_registration(eng: EngineProcess, mark: int, state: str, timeout: float) -> float:
    """Seconds until the first registration_changed to `state` after message index `mark`."""
    t0 = time.monotonic()
    eng.wait_for(
        lambda m: m.get("event") == "registration_changed" and m.get("state") == state,
        timeout,
        f"registration {state}",
        start=mark,
    )
    return time.monotonic() - t0


def outages(transport: str, runs: int, outage_s: float, work: Path, pki: tuple[Path, Path, Path]) -> None:
    ca, cert, key = pki
    k = Kamailio(work / f"kamailio-{transport}", tls=(cert, key) if transport == "tls" else None)
    eng = start_desk(k, transport, work, ca if transport == "tls" else None, None)
    told: list[float] = []
    back: list[float] = []
    try:
        for _ in range(runs):
            wait_answering(eng)
            time.sleep(random.uniform(0, KEEPALIVE_S))  # any moment relative to the keep-alive
            mark = len(eng.messages)
            gone = time.monotonic()
            k.kill()
            next_registration(eng, mark, "failed", 60)
            told.append(time.monotonic() - gone)
            time.sleep(outage_s + random.uniform(0, KEEPALIVE_S))
            mark = len(eng.messages)
            k.restart()
            back.append(next_registration(eng, mark, "registered", 120))
    finally:
        eng.stop()
        k.kill()
    report(transport, "registrar gone → operator told", told, TARGET_TOLD_S)
    report(transport, "registrar back → registered", back, TARGET_BACK_S[transport])


def report(transport: str, what: str, values: list[float], target: float) -> None:
    verdict = "ok" if max(values) <= target else "OVER TARGET"
    print(
        f"{transport:4} {what:34} p50 {statistics.median(values):6.2f} s   max {max(values):6.2f} s"
        f"   (n={len(values)}, target ≤ {target:g} s: {verdict})",
        flush=True,
    )


def load(window_s: float, work: Path) -> None:
    """REGISTER and OPTIONS one idle UDP desk sends, from its SIP trace, over `window_s` seconds."""
    k = Kamailio(work / "kamailio-load")
    trace = work / "load-trace.log"
    eng = start_desk(k, "udp", work, None, trace)
    try:
        wait_answering(eng)
        before = count_sent(trace)
        time.sleep(window_s)
        after = count_sent(trace)
    finally:
        eng.stop()
        k.kill()
    minutes = window_s / 60
    for method in ("REGISTER", "OPTIONS"):
        per_desk = (after[method] - before[method]) / minutes
        print(
            f"load {method:8} {per_desk:5.2f}/min per desk → {per_desk * 200 / 60:6.1f}/s for 200 desks, "
            f"{per_desk * 1000 / 60:6.1f}/s for 1 000 desks (window {window_s:g} s)",
            flush=True,
        )


def count_sent(trace: Path) -> dict[str, int]:
    counts = {"REGISTER": 0, "OPTIONS": 0}
    for match in _SENT.finditer(trace.read_text(errors="replace")):
        counts[match.group(1)] += 1
    return counts


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--transports", default="udp,tcp,tls")
    parser.add_argument("--outage", type=float, default=5.0, help="seconds down after the desk noticed")
    parser.add_argument(
        "--load-window", type=float, default=250.0, help="seconds of idle load to count (10 refreshes)"
    )
    args = parser.parse_args()
    print(f"load average at start: {' '.join(f'{x:.2f}' for x in os.getloadavg())}", flush=True)
    with tempfile.TemporaryDirectory(prefix="registrar-bench-") as tmp:
        work = Path(tmp)
        pki = make_ca_and_server(work / "pki")
        for transport in [t.strip() for t in args.transports.split(",") if t.strip()]:
            outages(transport, args.runs, args.outage, work, pki)
        if args.load_window > 0:
            load(args.load_window, work)
    print(f"load average at end: {' '.join(f'{x:.2f}' for x in os.getloadavg())}", flush=True)


if __name__ == "__main__":
    main()
