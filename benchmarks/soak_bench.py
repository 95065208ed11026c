"""A whole shift, compressed: does the workstation grow, leak descriptors or threads, or slow down?
(Issue 21, part 3.)

Starts the real window (`python -m app`, on an X server of its own: Xvfb) with its own softphone
engine, peer-to-peer on loopback, Ready, on a demo database, with a short wrap-up from a site
file.  Then it plays --calls answered calls one after the other, each driven as an operator drives
the desk: keys typed through the X server with xdotool (XTEST), so the window's own shortcuts,
focus handling and slots run, exactly as for a person at the keyboard:

- the caller is a SIPp process (one per call, calling from a demo customer's number, so the card
  fills); every 3rd call is held and resumed (F6, F6: SIPp checks the re-INVITEs' SDP direction);
  every other call the caller hangs up after a short talk, the rest the operator does (F9);
- every 10th call is transferred (F8, the target typed, Enter): the caller is then a second
  softphone engine (the transferee must follow the REFER, which SIPp cannot do) and the target a
  SIPp UAS that answers the transferred call;
- the subject is typed into the ticket during the call; at wrap-up F10 and a digit pick the
  disposition; the ticket is saved (Ctrl+S), or on every 5th call closed (Ctrl+Shift+S, filling
  what the form names as missing: text typed, combo boxes get Down), which ends the wrap-up;
- the next call rings once the desk is Ready again.

Every --every calls it prints, for the window and the engine: RSS and USS (private memory,
/proc/PID/smaps_rollup), threads, open file descriptors; the pop and card p95 of those calls (the
app's JSON log: `pop_shown.invite_to_pop_ms`, `card_filled.invite_to_card_ms`); and the GUI
thread's stalls over 50 ms (the app logs each one: `event_loop_stall`) with the block's worst.
At the end: growth per 1 000 calls after the warm-up (the first report), and the app's own event
loop summary.  An idle figure is taken before the first call and after the last.

    .venv/bin/python benchmarks/soak_bench.py [--calls 1000] [--every 100] [--wrap-up-s 3]

Needs Xvfb, xdotool and sipp (Debian: xvfb, xdotool, sip-tester; `make test` installs them).
About 1 s per call on a 2-core machine (load ~1): 1 000 calls take ~17 min.
"""

from __future__ import annotations

import argparse
import json
import os
import shlex
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from sqlalchemy import create_engine, text  # noqa: E402

from app.demo import DEMO_OPERATOR  # noqa: E402
from app.demo.caller import free_udp_port  # noqa: E402
from benchmarks.flood_bench import _engine_pid  # noqa: E402
from benchmarks.screen_pop_bench import demo_data  # noqa: E402
from benchmarks.softphone_bench import pct  # noqa: E402
from tests.softphone import sipp as sc  # noqa: E402
from tests.softphone.engine_proc import EngineProcess  # noqa: E402

LINE_NUMBER = "+78005550100"  # the demo data's first support line
# What to type into a field the form names as missing on close (combo boxes get Down).
TEXT_FIELDS = {
    "subject": "No internet since the morning",
    "description": "Link light off.",
    "resolution": "Router rebooted; link is up.",
}
TALK_MS = 1200  # how long a caller who hangs up talks after the answer


class SoakFailed(Exception):
    pass


class GaveUp(Exception):
    pass


# --- the shift's calls ---------------------------------------------------------------------------
@dataclass(frozen=True)
class CallPlan:
    index: int
    number: str
    transfer: bool
    hold: bool
    caller_hangs_up: bool
    close: bool  # close the ticket (Ctrl+Shift+S) rather than save it (Ctrl+S)


def plan(index: int, number: str) -> CallPlan:
    transfer = index % 10 == 5
    return CallPlan(
        index=index,
        number=number,
        transfer=transfer,
        hold=index % 3 == 0,
        caller_hangs_up=not transfer and index % 2 == 1,
        close=index % 5 == 2,
    )


def caller_scenario(call: CallPlan) -> str:
    """The SIPp caller: rings the line from `call.number`, is answered, held and resumed if the
    plan says so, then hangs up after TALK_MS or waits for the operator's BYE."""
    from_ = f'"Soak caller {call.index}" <sip:{call.number}@[local_ip]:[local_port]>'
    to = f"<sip:{LINE_NUMBER}@[remote_ip]:[remote_port]>"
    ruri = f"sip:{LINE_NUMBER}@[remote_ip]:[remote_port]"
    parts = [sc.invite(from_=from_, to=to, request_uri=ruri), sc.RINGING, sc.answered(from_, to)]
    if call.hold:
        parts += sc.held_and_resumed()
    if call.caller_hangs_up:
        parts += [sc.pause(TALK_MS), sc.send_bye(from_, to)]
    else:
        parts.append(sc.RECV_BYE)
    return sc.scenario(f"soak-{call.index}", *parts)


# --- the app's JSON log, read as it grows ---------------------------------------------------------
class EventLog:
    """Another process's JSON log, read incrementally (the whole shift is ~30 000 lines)."""

    def __init__(self, path: Path, alive: Callable[[], bool]) -> None:
        self.path = path
        self.events: list[dict[str, Any]] = []
        self._offset = 0
        self._partial = b""
        self._alive = alive

    def _read(self) -> None:
        if not self.path.exists():
            return
        with self.path.open("rb") as f:
            f.seek(self._offset)
            chunk = f.read()
        self._offset += len(chunk)
        lines = (self._partial + chunk).split(b"\n")
        self._partial = lines.pop()
        self.events += [json.loads(line) for line in lines if line.strip()]

    def mark(self) -> int:
        self._read()
        return len(self.events)

    def wait(
        self,
        names: str | tuple[str, ...],
        after: int,
        timeout: float = 20.0,
        give_up: Callable[[], bool] = lambda: False,
        **match: Any,
    ) -> dict[str, Any]:
        """The first event named `names` (one of them) past index `after` whose fields equal
        `match`; `give_up()` true stops waiting (`GaveUp`)."""
        wanted = (names,) if isinstance(names, str) else names
        deadline = time.monotonic() + timeout
        while True:
            self._read()
            for event in self.events[after:]:
                if event["event"] in wanted and all(event.get(k) == v for k, v in match.items()):
                    return event
            if not self._alive():
                raise SoakFailed(f"the app exited while waiting for {wanted}")
            if give_up():
                raise GaveUp(f"gave up waiting for {wanted}")
            if time.monotonic() > deadline:
                seen = [e["event"] for e in self.events[after:]]
                raise SoakFailed(f"no {wanted} {match or ''} in {timeout} s; since then: {seen}")
            time.sleep(0.01)  # polling another process's file

    def since(self, after: int, name: str) -> list[dict[str, Any]]:
        self._read()
        return [e for e in self.events[after:] if e["event"] == name]


# --- the operator's hands ---------------------------------------------------------------------
class Keyboard:
    """Keys typed on the X server (xdotool: XTEST), into the window as a person's would be.  No
    window manager runs on Xvfb: the window is given the input focus before each key."""

    def __init__(self, display: str) -> None:
        self.env = {**os.environ, "DISPLAY": display}
        found = subprocess.run(
            ["xdotool", "search", "--sync", "--onlyvisible", "--name", "^Frontline"],
            env=self.env,
            capture_output=True,
            text=True,
            check=True,
            timeout=30,
        )
        self.window = found.stdout.split()[0]

    def key(self, *keys: str) -> None:
        self._xdotool("key", "--clearmodifiers", *keys)

    def type(self, text_: str) -> None:
        self._xdotool("type", "--delay", "4", text_)

    def _xdotool(self, *command: str) -> None:
        subprocess.run(
            ["xdotool", "windowfocus", "--sync", self.window, *command], env=self.env, check=True, timeout=30
        )


@contextmanager
def xvfb() -> Iterator[str]:
    """An X server of our own (a free display number), 1400x900."""
    for number in range(90, 160):
        if not Path(f"/tmp/.X11-unix/X{number}").exists() and not Path(f"/tmp/.X{number}-lock").exists():
            break
    display = f":{number}"
    proc = subprocess.Popen(
        ["Xvfb", display, "-screen", "0", "1400x900x24", "-nolisten", "tcp"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 10
    while not Path(f"/tmp/.X11-unix/X{number}").exists():  # Xvfb has no readiness signal but its socket
        if proc.poll() is not None or time.monotonic() > deadline:
            raise SoakFailed(f"Xvfb {display} did not start")
        time.sleep(0.05)
    try:
        yield display
    finally:
        proc.terminate()
        proc.wait(timeout=10)


# --- what the processes hold --------------------------------------------------------------------
@dataclass(frozen=True)
class Sample:
    rss: float  # MiB
    uss: float  # MiB: private clean + dirty (what this process alone holds)
    # MiB: anonymous memory (heaps, Python's arenas, stacks): what a leak grows.  RSS and USS
    # also count library pages, which move as other processes map the same files (tests run
    # from the same .venv make the window's Qt pages shared: its USS drops by 20 MiB).
    anon: float
    threads: int
    fds: int


def sample(pid: int) -> Sample:
    rollup: dict[str, int] = {}
    for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines()[1:]:
        key, _, rest = line.partition(":")
        rollup[key] = int(rest.split()[0])  # kB
    threads = next(
        int(line.split()[1])
        for line in Path(f"/proc/{pid}/status").read_text().splitlines()
        if line.startswith("Threads:")
    )
    return Sample(
        rss=rollup["Rss"] / 1024,
        uss=(rollup["Private_Clean"] + rollup["Private_Dirty"]) / 1024,
        anon=rollup["Anonymous"] / 1024,
        threads=threads,
        fds=sum(1 for _ in Path(f"/proc/{pid}/fd").iterdir()),
    )


@dataclass
class Block:
    calls: int
    window: Sample
    engine: Sample
    pops: list[float] = field(default_factory=list)
    cards: list[float] = field(default_factory=list)
    stalls: list[float] = field(default_factory=list)
    seconds: float = 0.0


# --- the shift ------------------------------------------------------------------------------------
class Shift:
    def __init__(self, work: Path, app: subprocess.Popen[bytes], log: EventLog, keys: Keyboard, port: int):
        self.work, self.app, self.log, self.keys, self.port = work, app, log, keys, port
        self.target: sc.Sipp | None = None
        self.transferee: EngineProcess | None = None

    def start_transfer_peers(self, transfers: int, number: str) -> None:
        self.target = sc.Sipp(self.work, "transfer-target")
        self.target.start(builtin="uas", calls=max(1, transfers), timeout_s=24 * 3600, trace=False)
        self.transferee = EngineProcess(
            ["--p2p", "--listen", f"127.0.0.1:{free_udp_port()}", "--user", number],
            self.work / "transferee.log",
        )

    def stop(self) -> None:
        if self.transferee is not None:
            self.transferee.stop()
        if self.target is not None:
            self.target.stop()

    def one_call(self, call: CallPlan) -> None:
        mark = self.log.mark()
        caller = self._ring(call, mark)
        try:
            self.log.wait("pop_shown", mark)
            self.log.wait("card_filled", mark)
            self.keys.key("F5")
            self.log.wait("ticket_created", mark)  # the subject has the keyboard now
            self.keys.type(f"Soak call {call.index}")
            if call.hold:
                self.keys.key("F6")
                self.log.wait("hold", mark)
                self.keys.key("F6")
                self.log.wait("resume", mark)
            if call.transfer:
                self._transfer(mark)
            elif not call.caller_hangs_up:
                self.keys.key("F9")
            ended = self.log.wait("call_ended", mark)
            expected = "transferred" if call.transfer else "answered"
            if ended["outcome"] != expected:
                raise SoakFailed(f"call {call.index} ended {ended['outcome']}, not {expected}")
            self._wrap_up(call, mark)
            if caller is not None:
                caller.assert_ok(timeout=30)
        finally:
            if caller is not None:
                caller.stop()

    def _ring(self, call: CallPlan, mark: int) -> sc.Sipp | None:
        """The call rings at the desk: the transferee engine dials, or a SIPp caller (started
        again if it could not start: a port it wanted was taken meanwhile)."""
        if call.transfer:
            assert self.transferee is not None
            self.transferee.ok("dial", uri=f"sip:{LINE_NUMBER}@127.0.0.1:{self.port}")
            return None
        for _ in range(3):
            caller = sc.Sipp(self.work, f"caller-{call.index % 2}")  # files reused: keep the disk small
            caller.start(
                xml=caller_scenario(call), remote=f"127.0.0.1:{self.port}", trace=False, timeout_s=60
            )
            try:
                self.log.wait("incoming_call", mark, give_up=partial(_exited, caller))
                return caller
            except GaveUp:
                print(f"  call {call.index}: SIPp did not start, again:\n{caller.report()}", file=sys.stderr)
        raise SoakFailed(f"call {call.index}: SIPp could not start")

    def _transfer(self, mark: int) -> None:
        assert self.target is not None and self.transferee is not None
        self.keys.key("F8")
        self.keys.type(f"sip:lead@127.0.0.1:{self.target.port}")
        self.keys.key("Return")
        self.log.wait("transfer", mark)
        # The transferee now talks to the target: it hangs up that call (the UAS waits for a BYE).
        new = self.transferee.wait_event("call_state", state="active", number="lead", timeout=20)
        self.transferee.ok("hangup", call=new["call"])

    def _wrap_up(self, call: CallPlan, mark: int) -> None:
        self.keys.key("F10", "1")  # the keyboard goes to the disposition list; 1 picks the first
        self.log.wait("disposition", mark)
        if call.close:
            self._close_ticket()
        else:
            at = self.log.mark()
            self.keys.key("ctrl+s")
            outcome = self.log.wait(("ticket_saved", "ticket_refused"), at)
            if outcome["event"] == "ticket_refused":
                raise SoakFailed(f"call {call.index}: the save was refused: {outcome}")
        self.log.wait("operator_state", mark, new="ready")

    def _close_ticket(self) -> None:
        """Ctrl+Shift+S; the form names what is missing and takes the focus there: fill it in."""
        for _ in range(12):
            at = self.log.mark()
            self.keys.key("ctrl+shift+s")
            outcome = self.log.wait(("ticket_refused", "ticket_closed"), at)
            if outcome["event"] == "ticket_closed":
                return
            missing = outcome["missing"][0]
            if missing in TEXT_FIELDS:
                self.keys.type(TEXT_FIELDS[missing])
            else:
                self.keys.key("Down")
        raise SoakFailed("the ticket could not be closed by filling what the form asked for")


def _exited(sipp: sc.Sipp) -> bool:
    return sipp.proc.poll() is not None


def _window_pid(pid: int) -> int:
    """The window's process: `pid` itself, or under a --wrap command its descendant running the app."""
    todo = [pid]
    while todo:
        pid = todo.pop(0)
        argv = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
        if Path(argv[0].decode()).name.startswith("python") and b"--json-log" in argv:
            return pid
        todo += [int(child) for child in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    raise SoakFailed("the window's process was not found")


def _numbers(db: str, count: int) -> list[str]:
    """Demo customers' numbers that belong to one customer each (so every card fills)."""
    engine = create_engine(db)
    with engine.connect() as conn:
        numbers = list(
            conn.execute(
                text(
                    "SELECT e164 FROM customer_phones p WHERE e164 LIKE '+7%' AND"
                    " (SELECT count(*) FROM customer_phones q WHERE q.e164 = p.e164) = 1"
                    " ORDER BY id LIMIT :n"
                ),
                {"n": count},
            ).scalars()
        )
    engine.dispose()
    return numbers


def _block_line(block: Block, previous: Block | None) -> str:
    w, e = block.window, block.engine
    stall = (
        f"max {max(block.stalls):.0f} ms ({len(block.stalls)} > 50 ms)" if block.stalls else "none > 50 ms"
    )
    rate = f" {block.seconds / max(1, block.calls - (previous.calls if previous else 0)):.2f} s/call"
    figures = ""
    if block.pops:
        figures = (
            f" | pop p95 {pct(block.pops, 0.95):.1f} ms, card p95 {pct(block.cards, 0.95):.1f} ms"
            f" | stalls {stall} |{rate} | load {os.getloadavg()[0]:.2f}"
        )
    return (
        f"{block.calls:5d} calls | window RSS {w.rss:6.1f} anon {w.anon:6.1f} USS {w.uss:6.1f} MiB"
        f" thr {w.threads:2d} fd {w.fds:3d} | engine RSS {e.rss:5.1f} anon {e.anon:5.1f}"
        f" USS {e.uss:5.1f} MiB thr {e.threads:2d} fd {e.fds:3d}{figures}"
    )


def _growth(blocks: list[Block]) -> None:
    """Per 1 000 calls after the warm-up (the first report): from the first report to the last,
    and the least-squares slope over all reports (one noisy sample moves it less)."""
    after = blocks[1:]  # blocks[0] is idle before the first call
    if len(after) < 2:
        return
    first, last = after[0], after[-1]
    per = 1000 / (last.calls - first.calls)
    calls = [b.calls for b in after]
    for who in ("window", "engine"):
        a, b = getattr(first, who), getattr(last, who)
        slope = {
            kind: statistics.linear_regression(calls, [getattr(getattr(x, who), kind) for x in after]).slope
            * 1000
            for kind in ("rss", "anon")
        }
        print(
            f"{who} growth from call {first.calls} to {last.calls}, per 1 000 calls:"
            f" RSS {(b.rss - a.rss) * per:+.2f} MiB (slope {slope['rss']:+.2f}),"
            f" anon {(b.anon - a.anon) * per:+.2f} MiB (slope {slope['anon']:+.2f}),"
            f" USS {(b.uss - a.uss) * per:+.2f} MiB,"
            f" threads {b.threads - a.threads:+d}, fds {b.fds - a.fds:+d}"
        )
    pops = [pct(b.pops, 0.95) for b in after if b.pops]
    print(f"pop p95 per block: first {pops[0]:.1f} ms, last {pops[-1]:.1f} ms, worst {max(pops):.1f} ms")


def probe(app: subprocess.Popen[bytes], work: Path, n: int, wanted: bool) -> None:
    """Ask the probe inside the window for report `n` and wait until it is written."""
    if not wanted:
        return
    app.send_signal(signal.SIGUSR1)
    deadline = time.monotonic() + 600  # a tracemalloc snapshot of the whole window takes a while
    while not (work / "probe" / f"probe-{n}.json").exists():
        if time.monotonic() > deadline:
            raise SoakFailed(f"the probe wrote no report {n}")
        time.sleep(0.1)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--calls", type=int, default=1000)
    parser.add_argument("--every", type=int, default=100, help="report every N calls")
    parser.add_argument("--customers", type=int, default=2000)
    parser.add_argument("--wrap-up-s", type=int, default=3, help="the site's wrap_up_seconds")
    parser.add_argument("--idle-s", type=float, default=5.0, help="settle before the idle samples")
    parser.add_argument("--keep", action="store_true", help="keep the work directory (logs, database)")
    parser.add_argument(
        "--probe",
        action="store_true",
        help="run the window with benchmarks/soak_probe.py (tracemalloc, object counts at every report;"
        " slower: its latency figures are not comparable) and keep the work directory",
    )
    parser.add_argument(
        "--wrap",
        default="",
        help='a command to run the window under, e.g. "heaptrack -o /tmp/soak" (what it allocated and'
        " never freed, by call stack: compare a short and a long shift)",
    )
    args = parser.parse_args()
    # `kill` ends the shift as Ctrl+C does: the window, the engines, SIPp and Xvfb are stopped.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    for tool, package in (("sipp", "sip-tester"), ("xdotool", "xdotool"), ("Xvfb", "xvfb")):
        if shutil.which(tool) is None:
            sys.exit(f"{tool} is missing: apt-get install {package}")
    work = Path(tempfile.mkdtemp(prefix="frontline-soak-"))
    db = f"sqlite:///{work / 'soak.sqlite3'}"
    site = work / "site.toml"
    site.write_text(
        f'[site]\ncompany = "Soak Telecom"\nwrap_up_seconds = {args.wrap_up_s}\n', encoding="utf-8"
    )
    env = {
        **os.environ,
        "FRONTLINE_DATA_DIR": str(work / "data"),
        "FRONTLINE_CONFIG": str(site),
        "HOME": str(work),
        "XDG_CONFIG_HOME": str(work / "config"),
        "PYTHONPATH": str(REPO),
        "LANG": "en_US.UTF-8",
        "QT_QPA_PLATFORM": "xcb",
    }
    demo_data(db, args.customers, env)
    numbers = _numbers(db, 500)
    print(f"load average at start: {os.getloadavg()[0]:.2f}; work directory {work}")
    with xvfb() as display:
        env["DISPLAY"] = display
        port = free_udp_port()
        log_path = work / "events.jsonl"
        window = [*shlex.split(args.wrap), sys.executable, "-m", "app"]
        if args.probe:
            window = [sys.executable, str(REPO / "benchmarks" / "soak_probe.py"), str(work / "probe")]
        app = subprocess.Popen(
            [
                *window,
                *("--db", db, "--listen", f"127.0.0.1:{port}"),
                *("--json-log", str(log_path), "--ready", "--operator", DEMO_OPERATOR),
            ],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=(work / "app.stderr").open("wb"),
        )
        log = EventLog(log_path, alive=lambda: app.poll() is None)
        shift: Shift | None = None
        try:
            log.wait("operator_state", 0, timeout=60, new="ready")
            window_pid = _window_pid(app.pid)
            engine = _engine_pid(window_pid)
            assert engine is not None, "the app's engine is not running"
            shift = Shift(work, app, log, Keyboard(display), port)
            shift.start_transfer_peers(args.calls // 10 + 1, numbers[0])
            time.sleep(args.idle_s)  # idle: what an operator's desk holds before the first call
            blocks = [Block(0, sample(window_pid), sample(engine))]
            print("idle  " + _block_line(blocks[0], None))
            probe(app, work, 1, args.probe)
            began, block_start = time.monotonic(), log.mark()
            for i in range(1, args.calls + 1):
                shift.one_call(plan(i, numbers[i % len(numbers)]))
                if i % args.every == 0 or i == args.calls:
                    block = Block(i, sample(window_pid), sample(engine))
                    block.pops = [e["invite_to_pop_ms"] for e in log.since(block_start, "pop_shown")]
                    block.cards = [
                        e["invite_to_card_ms"]
                        for e in log.since(block_start, "card_filled")
                        if e.get("found")
                    ]
                    block.stalls = [e["ms"] for e in log.since(block_start, "event_loop_stall")]
                    block.seconds = time.monotonic() - began
                    print(_block_line(block, blocks[-1]), flush=True)
                    blocks.append(block)
                    probe(app, work, len(blocks), args.probe)
                    began, block_start = time.monotonic(), log.mark()
            time.sleep(args.idle_s)
            print("idle  " + _block_line(Block(args.calls, sample(window_pid), sample(engine)), None))
            _growth(blocks)
            deaths = len(log.since(0, "engine_died"))
            print(f"engine deaths: {deaths}; engine pid unchanged: {_engine_pid(window_pid) == engine}")
        finally:
            if shift is not None:
                shift.stop()
            if app.poll() is None:
                os.kill(_window_pid(app.pid), signal.SIGTERM)  # as systemd or a logout would
            try:
                app.wait(timeout=30)
            except subprocess.TimeoutExpired:
                app.kill()
        loop = next((e for e in log.since(0, "event_loop")), {})
        print(
            f"GUI event loop over the shift: max stall {loop.get('max_stall_ms')} ms,"
            f" stalls > 50 ms: {loop.get('stalls_over_50ms')} of {loop.get('samples')} ticks"
        )
        print(f"load average at the end: {os.getloadavg()[0]:.2f}")
    if not (args.keep or args.probe):
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
