"""INVITE floods (issue 21): 100 and 1 000 INVITEs a second for 10 s at a desk, from a peer in
peer-to-peer mode and unsolicited past the registrar.  The flood is SIPp's ring-then-CANCEL
scenario that killed the engine at 70 INVITE/s; it comes from 127.0.0.2, a source of its own,
while genuine callers use 127.0.0.1.  The engine must not die, the call in progress must not be
cut, and a genuine call during the flood and right after it must pop and be answered.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import pytest

from tests.softphone import sipp as sc
from tests.softphone.conftest import EngineFactory, SippFactory
from tests.softphone.engine_proc import EngineProcess
from tests.softphone.kamailio_proc import Kamailio

pytestmark = [pytest.mark.sip, pytest.mark.slow]
Registered = Callable[..., EngineProcess]

FLOOD_S = 10
FLOOD_IP = "127.0.0.2"
RATES = [100, 1000]


def _flood(sipps: SippFactory, target: str, rate: int) -> sc.Sipp:
    return sipps(f"flood-{rate}").start(
        xml=sc.flood(),
        remote=target,
        calls=rate * FLOOD_S,
        extra=["-r", str(rate)],
        local_ip=FLOOD_IP,
        trace=False,
        timeout_s=FLOOD_S + 30,
    )


def _refused_for(engine: EngineProcess, *reasons: str) -> dict[str, Any]:
    """The first `invites_refused` report that counts one of `reasons` and names the flooding address."""
    _, event = engine.wait_for(
        lambda m: (
            m.get("event") == "invites_refused"
            and any(r in m["reasons"] for r in reasons)
            and FLOOD_IP in m["sources"]
        ),
        timeout=15,
        what=f"invites_refused for {' or '.join(reasons)}",
    )
    return event


def _genuine_call(
    engine: EngineProcess,
    sipps: SippFactory,
    name: str,
    number: str,
    *,
    via: Kamailio | None = None,
    transport: str = "u1",
) -> dict[str, Any]:
    """A caller from 127.0.0.1 (through the registrar if ``via``): it must ring, be answered and end."""
    from_ = f'"{name}" <sip:{number}@[local_ip]:[local_port]>'
    to, ruri, remote = sc.DEFAULT_TO, "", engine.address()
    if via is not None:
        to, ruri, remote = f"<sip:1001@{via.address}>", f"sip:1001@{via.address}", via.address
    xml = sc.scenario(
        name,
        sc.invite(from_=from_, to=to, request_uri=ruri),
        sc.RINGING,
        sc.answered(from_=from_, to=to),
        sc.pause(300),
        sc.send_bye(from_=from_, to=to),
    )
    caller = sipps(name).start(xml=xml, remote=remote, transport=transport)
    ring = engine.wait_event("incoming_call", number=number, timeout=15)
    engine.ok("answer", call=ring["call"])
    caller.assert_ok()
    assert engine.wait_event("call_ended", call=ring["call"])["outcome"] == "completed"
    return ring


def _answered_call(desk: EngineProcess, peer: EngineProcess, uri: str, number: str) -> tuple[int, int]:
    """The call in progress when the flood starts: (desk's call, peer's call)."""
    peer_call = peer.ok("dial", uri=uri)["call"]
    ring = desk.wait_event("incoming_call", number=number)
    desk.ok("answer", call=ring["call"])
    peer.wait_event("call_state", call=peer_call, state="active")
    return ring["call"], peer_call


def _flood_then_calls(
    desk: EngineProcess,
    peer: EngineProcess,
    flood: sc.Sipp,
    sipps: SippFactory,
    calls: tuple[int, int],
    reason: str,
    via: Kamailio | None = None,
) -> None:
    _refused_for(desk, reason)
    assert flood.proc is not None and flood.proc.poll() is None, "the flood is over already"
    during = _genuine_call(desk, sipps, "during", "79001110001", via=via)
    assert during["waiting"] is True  # the call in progress is still there
    assert flood.proc.poll() is None, "the flood ended before the genuine call did"
    flood.wait(FLOOD_S + 40)
    _genuine_call(desk, sipps, "after", "79001110002", via=via)
    assert desk.proc.poll() is None
    desk_call, peer_call = calls
    assert peer.events("call_ended") == []  # the call in progress was never cut
    desk.ok("hangup", call=desk_call)
    ended = peer.wait_event("call_ended", call=peer_call)
    assert ended["outcome"] == "completed" and ended["duration"] >= FLOOD_S


@pytest.mark.parametrize("rate", RATES)
def test_a_flood_from_a_peer_kills_neither_the_phone_nor_its_calls(
    engines: EngineFactory, sipps: SippFactory, rate: int
) -> None:
    desk = engines("--listen", "127.0.0.1:0", "--ring-timeout", "20")
    peer = engines("--listen", "127.0.0.1:0", "--user", "5550001")
    calls = _answered_call(desk, peer, f"sip:desk@{desk.address()}", "5550001")
    flood = _flood(sipps, desk.address(), rate)
    _flood_then_calls(desk, peer, flood, sipps, calls, "rate_limited")
    flood_rang = [e for e in desk.events("incoming_call") if e["number"].startswith("666")]
    assert len(flood_rang) <= 10  # its burst at most, and every one of those was ended:
    ended = {e["call"] for e in desk.events("call_ended")}
    assert all(e["call"] in ended for e in flood_rang)
    refused = sum(e["count"] for e in desk.events("invites_refused"))
    print(f"{rate}/s from a peer: {len(flood_rang)} flood calls rang, {refused} INVITEs refused")
    assert refused > rate * FLOOD_S * 0.5


@pytest.mark.parametrize("rate", RATES)
def test_an_unsolicited_flood_past_the_registrar_kills_neither_the_phone_nor_its_calls(
    registered: Registered, sipps: SippFactory, kamailio: Kamailio, rate: int
) -> None:
    desk = registered("1001", "--ring-timeout", "20")
    peer = registered("1002")
    for eng in (desk, peer):
        eng.wait_event("registration_changed", state="registered")
    calls = _answered_call(desk, peer, "1001", "1002")
    flood = _flood(sipps, desk.address("udp"), rate)  # straight at the desk's contact address
    _flood_then_calls(desk, peer, flood, sipps, calls, "not_from_proxy", via=kamailio)
    assert not [e for e in desk.events("incoming_call") if e["number"].startswith("666")]
    reasons: dict[str, int] = {}
    for event in desk.events("invites_refused"):
        for reason, n in event["reasons"].items():
            reasons[reason] = reasons.get(reason, 0) + n
    print(f"{rate}/s unsolicited: refused {reasons}")
    assert set(reasons) == {"not_from_proxy", "rate_limited"}


def test_without_a_per_source_limit_the_media_budget_still_holds(
    engines: EngineFactory, sipps: SippFactory
) -> None:
    """The crash recipe at 1 000/s with the per-address limit off: only the media budget stands
    between the flood and pjmedia's 64 handles (gate.py)."""
    desk = engines("--listen", "127.0.0.1:0", "--ring-timeout", "20", "--invite-limit", "0,1")
    flood = _flood(sipps, desk.address(), 1000)
    # The media budget refuses as "busy" while two calls ring, "overloaded" otherwise; which one
    # comes first depends on when the flood's CANCELs land (each call rings 20 ms), not on the gate.
    _refused_for(desk, "busy", "overloaded")
    flood.wait(FLOOD_S + 40)
    assert desk.proc.poll() is None
    rang = len(desk.events("incoming_call"))
    assert 0 < rang <= 8 + 20 * (FLOOD_S + 5)  # the budget's burst and rate over the flood
    _genuine_call(desk, sipps, "after", "79001110003")


@contextmanager
def _tcp_churn(port: int, clients: int = 8) -> Iterator[dict[str, int]]:
    """Clients opening and closing TCP connections to ``port`` as fast as they can, until the
    block ends (the load the flood is; 4 such clients aborted the engine after 69 connections)."""
    counts = {"accepted": 0, "refused": 0}
    stop = threading.Event()

    def churn() -> None:
        while not stop.is_set():
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                counts["accepted"] += 1
            except OSError:
                counts["refused"] += 1

    threads = [threading.Thread(target=churn, daemon=True) for _ in range(clients)]
    for t in threads:
        t.start()
    try:
        yield counts
    finally:
        stop.set()
        for t in threads:
            t.join(5)


def _port_below_the_ephemeral_range() -> int:
    """While the desk's listener is closed, a client's connect() to its port may be given that very
    port as its own (Linux's ephemeral ports; the "self-connect"), and the desk cannot listen again:
    a desk's SIP port is below that range in practice (5060), so the test's is too."""
    for port in range(24000, 26000, 7):
        try:
            with (
                socket.socket(socket.AF_INET, socket.SOCK_STREAM) as t,
                socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as u,
            ):
                t.bind(("127.0.0.1", port))
                u.bind(("127.0.0.1", port))
        except OSError:
            continue
        return port
    raise AssertionError("no free port below the ephemeral range")


def test_a_tcp_connection_flood_does_not_kill_the_phone(engines: EngineFactory, sipps: SippFactory) -> None:
    port = _port_below_the_ephemeral_range()
    desk = engines("--listen", f"127.0.0.1:{port}", "--ring-timeout", "20")
    with _tcp_churn(desk.udp_port) as counts:
        _genuine_call(desk, sipps, "during", "79001110004")  # over UDP, while TCP is hammered
        deadline = time.monotonic() + FLOOD_S
        while time.monotonic() < deadline and desk.proc.poll() is None:
            desk.ok("ping")
    print(f"TCP churn: {counts}")
    assert desk.proc.poll() is None
    assert "not accepting TCP for a while" in desk.log_path.read_text()
    assert counts["accepted"] > 64  # more than the handle table holds, so the guard had to act
    desk.connect_tcp(within_s=10).close()  # TCP is back once the churn stops
    _genuine_call(desk, sipps, "after-tcp", "79001110005", transport="t1")
