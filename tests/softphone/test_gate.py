"""The front gate's pure logic (no SIP): per-source limits, desk capacity, the media budget, and
how refusals are logged and reported.  Time is a fake clock the tests move by hand."""

from __future__ import annotations

import logging
import re

import pytest

from app.softphone.engine import gate as g
from tests.softphone.torture import _invite

INVITE = _invite(1, "10.0.0.9:5060").decode()


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


# Every test here makes the gate refuse, which it logs (once, then a minute's summary).
pytestmark = pytest.mark.expect_log("app.softphone.gate", r"refus")


def _gate(
    clock: Clock,
    *,
    rate: float = 2.0,
    burst: int = 10,
    only_from_proxy: bool = False,
    call_waiting: bool = True,
) -> g.Gate:
    policy = g.GatePolicy(
        g.SourceLimits(rate, burst), only_from_proxy=only_from_proxy, call_waiting=call_waiting
    )
    return g.Gate(policy, clock=clock)


def _offer(
    source: str = "10.0.0.9:5060",
    message: str = INVITE,
    *,
    from_proxy: bool = False,
    live_in: int = 0,
    live_total: int = 0,
) -> g.Offer:
    return g.Offer(source, message, from_proxy, live_in, live_total)


def test_the_media_budget_cannot_exhaust_pjmedias_handles() -> None:
    assert g.handles_needed() <= g.MEDIA_HANDLES
    assert g.handles_needed(burst=8, rate=70) > g.MEDIA_HANDLES  # the rate that aborted the engine


def test_the_media_budget_admits_its_burst_then_its_rate() -> None:
    clock = Clock()
    gate = _gate(clock, rate=0)  # no per-source limit: only the budget
    admitted = sum(gate.decide(_offer()).admitted for _ in range(100))
    assert admitted == g.MEDIA_CALLS_BURST
    admitted = 0
    for _ in range(100):  # a second at 100 INVITEs/s
        clock.now += 0.01
        admitted += gate.decide(_offer()).admitted
    assert admitted == pytest.approx(g.MEDIA_CALLS_PER_S, abs=1)
    assert not gate.take_media()  # dialling shares the same budget
    clock.now += 1 / g.MEDIA_CALLS_PER_S
    assert gate.take_media()


def test_a_flooding_source_stays_refused_while_it_keeps_sending() -> None:
    clock = Clock()
    gate = _gate(clock, rate=2, burst=10)
    verdicts = []
    for _ in range(30):  # 100 INVITEs a second; the budget refills as the clock moves
        verdicts.append(gate.decide(_offer()))
        clock.now += 0.01
    assert g.RATE_LIMITED not in {v.reason for v in verdicts[:10]}  # its burst (the budget may say no)
    assert sum(v.admitted for v in verdicts[:10]) >= g.MEDIA_CALLS_BURST
    assert {v.reason for v in verdicts[10:]} == {g.RATE_LIMITED}
    assert [v.newly_flooding for v in verdicts if v.newly_flooding] == ["10.0.0.9"]  # told once
    for _ in range(20):  # still 10/s: above 2/s, so the block keeps being pushed out
        clock.now += 0.1
        assert gate.decide(_offer()).reason == g.RATE_LIMITED
    clock.now += 5.1  # quiet for as long as the bucket takes to refill
    assert gate.decide(_offer()).admitted
    assert gate.decide(_offer("10.0.0.10:5060")).admitted  # other addresses were never affected


def test_the_limit_is_per_address_not_per_port() -> None:
    clock = Clock()
    gate = _gate(clock, rate=1, burst=2)
    assert gate.decide(_offer("10.0.0.9:1000")).admitted
    assert gate.decide(_offer("10.0.0.9:1001")).admitted
    assert gate.decide(_offer("10.0.0.9:1002")).reason == g.RATE_LIMITED
    assert gate.decide(_offer("[2001:db8::1]:5060")).admitted
    assert g.source_ip("[2001:db8::1]:5060") == "2001:db8::1"


def test_the_proxy_is_never_rate_limited_but_the_budget_holds() -> None:
    clock = Clock()
    gate = _gate(clock, rate=1, burst=1, only_from_proxy=True)
    verdicts = [gate.decide(_offer(from_proxy=True)) for _ in range(20)]
    assert {v.reason for v in verdicts} == {None, g.OVERLOADED}
    assert sum(v.admitted for v in verdicts) == g.MEDIA_CALLS_BURST


def test_unsolicited_malformed_and_busy_offers_are_refused() -> None:
    clock = Clock()
    gate = _gate(clock, rate=0, only_from_proxy=True)
    assert gate.decide(_offer()).reason == g.NOT_FROM_PROXY
    bad = gate.decide(_offer(message=INVITE.replace("CSeq: 1 INVITE", "CSeq: 1 ACK"), from_proxy=True))
    assert (bad.reason, bad.detail) == (g.MALFORMED, "bad CSeq")
    assert gate.decide(_offer(message="", from_proxy=True)).reason == g.MALFORMED
    # A caller who meets a full desk is admitted to be answered 486 Busy Here (what a PBX or a
    # queue acts on) while the media budget lasts; after that, refused before media like the rest.
    full = gate.decide(_offer(from_proxy=True, live_in=2, live_total=2))
    assert full.admitted and full.answer_busy
    replaces = INVITE.replace("Max-Forwards: 70", "Max-Forwards: 70\r\nReplaces: abc;to-tag=1;from-tag=2")
    transferred = gate.decide(_offer(message=replaces, from_proxy=True, live_in=2, live_total=3))
    assert transferred.admitted and not transferred.answer_busy
    while gate.decide(_offer(from_proxy=True)).admitted:
        pass  # spend the media budget
    assert gate.decide(_offer(from_proxy=True, live_in=2, live_total=2)).reason == g.BUSY


@pytest.mark.parametrize(
    ("live_in", "live_total", "call_waiting", "busy"),
    [
        (0, 0, True, False),
        (1, 1, True, False),  # one call: a second one waits
        (0, 1, True, False),  # an outgoing call: an incoming one waits
        (1, 2, True, False),  # a call and a consult: one more may wait
        (2, 2, True, True),  # a call and one waiting
        (1, 3, True, True),  # a call, a consult and one waiting
        (0, 1, False, True),  # no call waiting: any call means busy
        (0, 0, False, False),
    ],
)
def test_desk_capacity(live_in: int, live_total: int, call_waiting: bool, busy: bool) -> None:
    assert g.over_capacity(live_in, live_total, call_waiting) is busy


def test_refusals_are_logged_at_once_then_once_a_minute(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.WARNING, logger="app.softphone.gate")
    clock = Clock()
    gate = _gate(clock, rate=1, burst=1)
    for i in range(6100):  # a minute at 100/s from two addresses
        gate.decide(_offer(f"10.0.0.{1 + i % 2}:5060"))
        clock.now += 0.01
        gate.tick()
    lines = [r.getMessage() for r in caplog.records]
    assert len(lines) == 2, lines
    assert lines[0].startswith("refusing INVITEs from 10.0.0.")
    summary = (
        r"refused (\d{4}) INVITEs in the last 60 s: rate_limited \1; from 10\.0\.0\.\d \d+, 10\.0\.0\.\d \d+"
    )
    assert re.fullmatch(summary, lines[1]), lines[1]
    caplog.clear()
    for _ in range(130):  # quiet: the rest of the minute is summed up, then nothing more
        clock.now += 1
        gate.tick()
    assert [r.getMessage().split(" ")[0] for r in caplog.records] == ["refused"]
    assert gate.decide(_offer("10.0.0.1:5060")).admitted  # its bucket has refilled
    assert gate.decide(_offer("10.0.0.1:5060")).reason == g.RATE_LIMITED  # and is logged at once:
    assert caplog.records[-1].getMessage().startswith("refusing INVITEs from 10.0.0.1: rate_limited")


def test_refusals_are_reported_at_most_once_a_second() -> None:
    clock = Clock()
    gate = _gate(clock, rate=1, burst=1)
    events = []
    for i in range(300):  # 3 s at 100/s
        gate.decide(_offer(f"10.0.{i % 7}.1:5060"))
        clock.now += 0.01
        event = gate.tick()
        if event is not None:
            events.append(event)
    clock.now += 1
    last = gate.tick()
    assert last is not None and 3 <= len(events) <= 4
    events.append(last)
    assert sum(e.count for e in events) == 300 - 7  # each address had one token
    assert all(len(e.sources) <= 5 and e.reasons == {g.RATE_LIMITED: e.count} for e in events)
    assert gate.tick() is None


def test_tracked_sources_are_bounded() -> None:
    clock = Clock()
    limiter = g.SourceLimiter(g.SourceLimits(1, 1))
    for i in range(g.MAX_TRACKED_SOURCES + 100):
        limiter.allow(f"10.{i >> 16 & 255}.{i >> 8 & 255}.{i & 255}", clock.now)
    assert len(limiter._buckets) == g.MAX_TRACKED_SOURCES


def test_source_limits_are_checked() -> None:
    with pytest.raises(ValueError, match="rate must be >= 0"):
        g.SourceLimits(-1, 10)
    with pytest.raises(ValueError, match="burst >= 1"):
        g.SourceLimits(1, 0)


def test_the_tcp_listener_closes_before_connections_exhaust_the_handles_and_opens_again() -> None:
    clock = Clock()
    guard = g.ConnectionGuard(clock)
    for _ in range(g.ConnectionGuard.CLOSE_AT - 1):  # connections that come and go at once
        guard.connected()
        guard.destroyed()
        assert guard.change() is None
    guard.connected()
    assert guard.change() is False and not guard.listening  # 40 handles held: stop accepting
    assert guard.change() is None  # closed already
    clock.now += 1.0  # the closed connections' handles are free again, but not long enough closed
    assert guard.handles() == 1 and guard.change() is None
    clock.now += 1.0
    assert guard.change() is True and guard.listening
    guard.listening = False
    guard.reopen_failed()  # the port was taken meanwhile: try again after a while, not at once
    assert guard.change() is None
    clock.now += g.ConnectionGuard.MIN_CLOSED_S
    assert guard.change() is True


def test_connections_that_stay_open_count_until_they_go() -> None:
    clock = Clock()
    guard = g.ConnectionGuard(clock)
    for _ in range(30):
        guard.connected()
    clock.now += 60
    assert guard.handles() == 30
    for _ in range(30):
        guard.destroyed()
    assert guard.handles() == 30  # closed, but their handles come back only after the delay
    clock.now += g.HANDLE_FREE_DELAY_S + 0.2
    assert guard.handles() == 0
