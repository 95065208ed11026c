"""Malformed and torture SIP over UDP and TCP, and a burst of 100 INVITEs: the engine stays up.
(Floods lasting seconds, with SIPp: test_flood.py.)"""

from __future__ import annotations

import re
import socket
import threading
import time

import pytest

from tests.softphone import sipp as sc
from tests.softphone.conftest import EngineFactory, SippFactory
from tests.softphone.engine_proc import EngineProcess
from tests.softphone.torture import _invite, corpus

pytestmark = [pytest.mark.sip, pytest.mark.slow]


def _options(n: int, host: str) -> bytes:
    return (
        f"OPTIONS sip:8800@127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/UDP {host};branch=z9hG4bK-sync-{n}\r\n"
        f"From: <sip:sync@{host}>;tag=s{n}\r\nTo: <sip:8800@127.0.0.1>\r\nCall-ID: sync-{n}\r\n"
        "CSeq: 1 OPTIONS\r\nMax-Forwards: 70\r\nContent-Length: 0\r\n\r\n"
    ).encode()


def _send_udp(engine: EngineProcess, messages: list[bytes]) -> None:
    """Send every message from one socket, then an OPTIONS: its answer means all were processed."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.bind(("127.0.0.1", 0))
        s.settimeout(10)
        for msg in messages:
            s.sendto(msg[:65000], ("127.0.0.1", engine.udp_port))
        s.sendto(_options(0, f"127.0.0.1:{s.getsockname()[1]}"), ("127.0.0.1", engine.udp_port))
        while b"sync-0" not in s.recv(65536):
            pass


def _send_tcp(engine: EngineProcess, messages: list[bytes]) -> None:
    """One connection per message (a broken one may poison its stream), then an OPTIONS round trip.

    So many connections so fast are a connection flood: the engine may stop accepting TCP for a
    few seconds (gate.ConnectionGuard); each connection is retried until it is accepted."""
    for msg in messages:
        with engine.connect_tcp() as s:
            s.sendall(msg)
            s.shutdown(socket.SHUT_WR)
            s.settimeout(0.5)
            try:
                while s.recv(65536):
                    pass
            except (TimeoutError, ConnectionResetError):
                pass
    with engine.connect_tcp() as s:
        s.sendall(_options(1, "127.0.0.1:9").replace(b"SIP/2.0/UDP", b"SIP/2.0/TCP"))
        data = b""
        while b"sync-1" not in data:
            data += s.recv(65536)


def _settle(engine: EngineProcess) -> None:
    """Every call the corpus made ring has ended (ring timeout) and freed its slot."""
    for inc in engine.events("incoming_call"):
        engine.wait_event("call_ended", call=inc["call"], timeout=20)


def _valid_call_works(engine: EngineProcess, sipps: SippFactory, name: str) -> None:
    caller = sipps(name).start(
        xml=sc.scenario("after", sc.invite(), sc.RINGING, sc.answered(), sc.send_bye()),
        remote=engine.address(),
    )
    inc = engine.wait_event("incoming_call", number="79001234567")
    engine.ok("answer", call=inc["call"])
    caller.assert_ok()
    engine.wait_event("call_ended", call=inc["call"])


@pytest.mark.parametrize("transport", ["udp", "tcp"])
def test_torture_corpus_never_crashes_nor_rings(
    engines: EngineFactory, sipps: SippFactory, transport: str
) -> None:
    # every message of the corpus must meet the parser, not the per-address INVITE limit
    engine = engines("--listen", "127.0.0.1:0", "--ring-timeout", "1", "--invite-limit", "0,1")
    items = corpus("127.0.0.1:9")
    send = _send_udp if transport == "udp" else _send_tcp
    for _, _, msg in items:  # one at a time, so every message meets free call slots
        send(engine, [msg])
        for call in engine.ok("status")["calls"]:
            engine.ok("reject", call=call["call"], code=603)
            engine.wait_event("call_ended", call=call["call"])
    refused = sum(e["reasons"].get("malformed", 0) for e in engine.events("invites_refused"))
    print(f"{transport}: rang {len(engine.events('incoming_call'))}, refused as malformed: {refused}")
    assert engine.proc.poll() is None, engine.log_tail()
    invalid = {f"t{i}": name for i, (name, valid, _) in enumerate(items) if not valid}
    rang = [e["number"] for e in engine.events("incoming_call")]
    assert not [invalid[n] for n in rang if n in invalid], rang
    names = [e.get("display") or "" for e in engine.events("incoming_call")]
    assert all(len(n) <= 128 for n in names)
    assert engine.ok("ping")
    _valid_call_works(engine, sipps, "after-" + transport)


def test_burst_of_100_invites_leaves_the_engine_responsive(
    engines: EngineFactory, sipps: SippFactory
) -> None:
    engine = engines("--listen", "127.0.0.1:0", "--ring-timeout", "1")
    finals: dict[str, str] = {}
    stop = threading.Event()
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.bind(("127.0.0.2", 0))  # not the address the valid call comes from afterwards
        s.settimeout(0.2)
        host = f"127.0.0.2:{s.getsockname()[1]}"

        def collect() -> None:
            while not stop.is_set():
                try:
                    data = s.recv(65536).decode(errors="replace")
                except TimeoutError:
                    continue
                m = re.match(r"SIP/2.0 ([2-6]\d\d)", data)
                cid = re.search(r"(?im)^(?:Call-ID|i):\s*(\S+)", data)
                if m and cid:
                    finals.setdefault(cid.group(1), m.group(1))

        reader = threading.Thread(target=collect, daemon=True)
        reader.start()
        began = time.monotonic()
        for n in range(100):
            s.sendto(_invite(1000 + n, host), ("127.0.0.1", engine.udp_port))
            time.sleep(max(0.0, began + (n + 1) * 0.01 - time.monotonic()))
        t0 = time.monotonic()
        assert engine.ok("ping", timeout=5)["pong"] > 0
        ping_s = time.monotonic() - t0
        deadline = time.monotonic() + 20
        while len(finals) < 100 and time.monotonic() < deadline:
            time.sleep(0.1)
        stop.set()
        reader.join(2)
    print(f"burst: ping answered in {ping_s * 1000:.1f} ms; finals {sorted(set(finals.values()))}")
    assert len(finals) == 100, f"only {len(finals)} INVITEs got a final response"
    codes = list(finals.values())
    # 480: rang for its second; 486: met the desk full while the media budget allowed a proper busy
    # answer; 421: refused before any media (the per-source limit, or the budget spent).
    assert set(codes) <= {"421", "480", "486"}
    assert codes.count("421") >= 80
    _settle(engine)
    _valid_call_works(engine, sipps, "after-burst")
