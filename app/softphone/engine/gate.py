"""The front gate: which new INVITEs may become calls, decided before pjsua opens a media socket.

Why it exists (measured on the pjsua2 wheel, PJSIP 2.15.1): pjsua gives every INVITE it accepts an
RTP and an RTCP socket from pjmedia's select ioqueue, whose handle table is fixed at 64
(PJ_IOQUEUE_MAX_HANDLES); a closed socket's handle returns to the table only 500 ms later
(PJ_IOQUEUE_KEY_FREE_DELAY).  More than 64 calls set up and torn down per second therefore empty the
table, and the next ``pj_ioqueue_register_sock2`` fails an assertion that aborts the whole engine
(62 short calls/s survived, 70/s aborted after the 32nd call).  Neither number can be changed in
the wheel, so the engine bounds what it asks for.

Where it acts: pjsua calls `Endpoint.onSelectAccount` for each new INVITE after the message is
parsed and before it creates the dialog or the media.  An INVITE the gate refuses is handed to the
refusal account (`pj.RefusalAccount`), which pjsua turns away at once (421 or 488: the only
answers pjsua can give before media), without any socket and without holding a call slot.  A
caller who simply meets a full desk is the exception while the media budget allows: the INVITE is
admitted (`Verdict.answer_busy`) and answered 486 Busy Here, the answer a PBX or a queue acts on,
and the window records the call.  Nothing the engine emits per refused INVITE reaches the window:
refusals are counted, logged once a minute and reported as one `invites_refused` event a second.

The media budget, and why no rate of INVITEs can exhaust the handle table: every call that gets
media (incoming through this gate, dialled, or started by a REFER) first takes a token from the
gate's media budget, a token bucket (``MEDIA_CALLS_BURST`` at once, ``MEDIA_CALLS_PER_S``
sustained).  A call holds its two handles while it lives and for 0.5 s after.  So the handles in
use at any instant belong to calls that were alive 0.5 s earlier (at most 4: pjsua's compiled call
limit) or that started within the last 0.5 s (at most burst + rate x 0.5 = 8 + 10): at most
2 x (4 + 18) = 44 of the 64.
"""

from __future__ import annotations

import logging
import re
import time
from collections import Counter, OrderedDict, deque
from collections.abc import Callable
from dataclasses import dataclass

from app.softphone.engine.headers import invite_problem
from app.softphone.events import InvitesRefused

log = logging.getLogger("app.softphone.gate")

PJSUA_MAX_CALLS = 4  # compiled into the wheel (LAB.md)
MEDIA_HANDLES = 64  # pjmedia's ioqueue: PJ_IOQUEUE_MAX_HANDLES, 2 per call (RTP + RTCP)
HANDLE_FREE_DELAY_S = 0.5  # PJ_IOQUEUE_KEY_FREE_DELAY
MEDIA_CALLS_PER_S = 20.0
MEDIA_CALLS_BURST = 8
LOG_EVERY_S = 60.0
REPORT_EVERY_S = 1.0
MAX_TRACKED_SOURCES = 4096  # a flood from many (spoofed) addresses must not grow memory
_TOP_SOURCES = 5
_REPLACES = re.compile(r"^Replaces[ \t]*:", re.IGNORECASE | re.MULTILINE)

# Why an INVITE was refused at the gate (the keys of `invites_refused`'s `reasons`).
RATE_LIMITED = "rate_limited"
NOT_FROM_PROXY = "not_from_proxy"
MALFORMED = "malformed"
BUSY = "busy"
OVERLOADED = "overloaded"


def handles_needed(burst: int = MEDIA_CALLS_BURST, rate: float = MEDIA_CALLS_PER_S) -> float:
    """The most media handles the budget lets calls hold at once (the bound in the docstring)."""
    return 2 * (PJSUA_MAX_CALLS + burst + rate * HANDLE_FREE_DELAY_S)


@dataclass(frozen=True, slots=True)
class SourceLimits:
    """Kamailio pike's idea, for INVITEs only: what one address may send before it is refused."""

    rate_per_s: float = 2.0  # sustained; 0 switches the per-source limit off
    burst: int = 10

    def __post_init__(self) -> None:
        if self.rate_per_s < 0 or self.burst < 1:
            raise ValueError("INVITE limits per source: the rate must be >= 0 and the burst >= 1")


@dataclass(frozen=True, slots=True)
class GatePolicy:
    limits: SourceLimits
    only_from_proxy: bool  # registered mode with accept_only_from_proxy
    call_waiting: bool


@dataclass(frozen=True, slots=True)
class Offer:
    """What the gate knows about one new INVITE."""

    source: str  # "ip:port" as pjsip writes srcAddress
    message: str  # the whole INVITE ("" when it was not valid UTF-8)
    from_proxy: bool
    live_incoming: int  # the engine's calls in progress, not ended
    live_total: int


@dataclass(frozen=True, slots=True)
class Verdict:
    reason: str | None  # None: admitted
    detail: str = ""
    newly_flooding: str | None = None  # an address that has just gone over its limit
    # Admitted only to be answered 486 Busy Here (the desk is full): a caller meeting a busy desk
    # hears what a PBX or queue expects, and the window records the call.  Costs a media token.
    answer_busy: bool = False

    @property
    def admitted(self) -> bool:
        return self.reason is None


class TokenBucket:
    """``burst`` tokens at once, refilled at ``rate`` per second (time passed in, for tests)."""

    __slots__ = ("burst", "rate", "stamp", "tokens")

    def __init__(self, rate: float, burst: float, now: float) -> None:
        self.rate, self.burst = rate, float(burst)
        self.tokens, self.stamp = float(burst), now

    def take(self, now: float) -> bool:
        self.tokens = min(self.burst, self.tokens + max(0.0, now - self.stamp) * self.rate)
        self.stamp = now
        if self.tokens >= 1.0:
            self.tokens -= 1.0
            return True
        return False


class SourceLimiter:
    """One token bucket per source address (not port: a scanner changes ports freely).

    Like pike, an address that went over its limit stays refused while it keeps sending: each
    INVITE it sends pushes the end of its block out by the time its bucket takes to refill.
    """

    def __init__(self, limits: SourceLimits) -> None:
        self.limits = limits
        self.hold_s = limits.burst / limits.rate_per_s if limits.rate_per_s else 0.0
        self._buckets: OrderedDict[str, TokenBucket] = OrderedDict()
        self._blocked_until: dict[str, float] = {}

    def allow(self, ip: str, now: float) -> tuple[bool, bool]:
        """(allowed, newly flooding) for one INVITE from ``ip``."""
        if self.limits.rate_per_s == 0:
            return True, False
        bucket = self._buckets.get(ip)
        if bucket is None:
            bucket = self._buckets[ip] = TokenBucket(self.limits.rate_per_s, self.limits.burst, now)
            if len(self._buckets) > MAX_TRACKED_SOURCES:
                old, _ = self._buckets.popitem(last=False)
                self._blocked_until.pop(old, None)
        else:
            self._buckets.move_to_end(ip)
        blocked = self._blocked_until.get(ip)
        if blocked is not None and now < blocked:
            self._blocked_until[ip] = now + self.hold_s
            return False, False
        if bucket.take(now):
            self._blocked_until.pop(ip, None)
            return True, False
        self._blocked_until[ip] = now + self.hold_s
        return False, True


def over_capacity(live_incoming: int, live_total: int, call_waiting: bool) -> bool:
    """The desk takes one call, one call waiting (if the site allows it) and the operator's consult."""
    if not call_waiting:
        return live_total > 0
    return live_incoming >= 2 or live_total >= 3


def source_ip(source: str) -> str:
    """``1.2.3.4:5060`` → ``1.2.3.4``; ``[::1]:5060`` → ``::1``."""
    if source.startswith("["):
        return source[1 : source.find("]")] if "]" in source else source
    return source.rsplit(":", 1)[0] if source.count(":") == 1 else source


class RefusalTally:
    """Refusals counted since the last report, by reason and by source address."""

    def __init__(self) -> None:
        self.reasons: Counter[str] = Counter()
        self.sources: Counter[str] = Counter()

    def add(self, reason: str, ip: str) -> None:
        self.reasons[reason] += 1
        if ip in self.sources or len(self.sources) < MAX_TRACKED_SOURCES:
            self.sources[ip] += 1

    @property
    def count(self) -> int:
        return sum(self.reasons.values())

    def top_sources(self) -> dict[str, int]:
        return dict(self.sources.most_common(_TOP_SOURCES))

    def describe(self) -> str:
        reasons = ", ".join(f"{reason} {n}" for reason, n in self.reasons.most_common())
        sources = ", ".join(f"{ip} {n}" for ip, n in self.sources.most_common(_TOP_SOURCES))
        more = len(self.sources) - _TOP_SOURCES
        return f"{reasons}; from {sources}" + (f" and {more} more addresses" if more > 0 else "")


class Gate:
    """Decides on each new INVITE (SIP thread only); also owns the media budget."""

    def __init__(self, policy: GatePolicy, *, clock: Callable[[], float] = time.monotonic) -> None:
        self.policy = policy
        self._clock = clock
        now = clock()
        self._sources = SourceLimiter(policy.limits)
        self._media = TokenBucket(MEDIA_CALLS_PER_S, MEDIA_CALLS_BURST, now)
        self._for_log = RefusalTally()
        self._for_event = RefusalTally()
        self._logged_at: float | None = None
        self._reported_at = now - REPORT_EVERY_S

    def decide(self, offer: Offer) -> Verdict:
        now = self._clock()
        ip = source_ip(offer.source)
        newly: str | None = None
        if not offer.from_proxy:  # the proxy limits its own callers (pike there); never block it
            allowed, became = self._sources.allow(ip, now)
            newly = ip if became else None
            if not allowed:
                return self._refuse(RATE_LIMITED, ip, now, newly=newly)
        if self.policy.only_from_proxy and not offer.from_proxy:
            return self._refuse(NOT_FROM_PROXY, ip, now)
        problem = invite_problem(offer.message) if offer.message else "not valid UTF-8"
        if problem is not None:
            return self._refuse(MALFORMED, ip, now, detail=problem)
        replaces = _REPLACES.search(offer.message.split("\r\n\r\n", 1)[0]) is not None
        busy = not replaces and over_capacity(offer.live_incoming, offer.live_total, self.policy.call_waiting)
        if not self._media.take(now):  # a full desk's caller costs media too: it is answered 486
            return self._refuse(BUSY if busy else OVERLOADED, ip, now)
        return Verdict(None, answer_busy=busy)

    def take_media(self) -> bool:
        """A token for a call the engine starts itself (dial, REFER); False: not now."""
        return self._media.take(self._clock())

    def _refuse(
        self, reason: str, ip: str, now: float, *, detail: str = "", newly: str | None = None
    ) -> Verdict:
        self._for_log.add(reason, ip)
        self._for_event.add(reason, ip)
        if self._logged_at is None:  # the first refusal after a quiet minute is logged at once
            self._logged_at = now
            why = f"{reason} ({detail})" if detail else reason
            if newly is not None:
                limits = self.policy.limits
                why = f"{reason}: more than {limits.burst} INVITEs at once or {limits.rate_per_s:g}/s"
            log.warning("refusing INVITEs from %s: %s; a summary follows every minute", ip, why)
            self._for_log = RefusalTally()  # this one is told; the summary counts the rest
        return Verdict(reason, detail, newly)

    def tick(self) -> InvitesRefused | None:
        """Called by the SIP loop: logs the minute's summary; returns the `InvitesRefused` event
        to send when refusals are waiting to be reported (at most once a second)."""
        now = self._clock()
        if self._logged_at is not None and now - self._logged_at >= LOG_EVERY_S:
            if self._for_log.count:
                log.warning(
                    "refused %d INVITEs in the last %.0f s: %s",
                    self._for_log.count,
                    now - self._logged_at,
                    self._for_log.describe(),
                )
                self._for_log, self._logged_at = RefusalTally(), now
            else:
                self._logged_at = None  # quiet for a minute: the next refusal is logged at once
        if not self._for_event.count or now - self._reported_at < REPORT_EVERY_S:
            return None
        tally, self._for_event = self._for_event, RefusalTally()
        event = InvitesRefused(
            count=tally.count,
            reasons=dict(tally.reasons),
            sources=tally.top_sources(),
            period_s=round(now - self._reported_at, 3),
        )
        self._reported_at = now
        return event


class ConnectionGuard:
    """When to stop accepting TCP connections for a while (peer-to-peer mode's TCP listener).

    pjsip's own ioqueue, for the SIP sockets, has the same 64 handles and the same 500 ms delay as
    pjmedia's: a peer opening and closing TCP connections quickly (measured: about 130 a second)
    aborts the engine the same way.  Nothing can refuse a connection before pjsip has accepted it
    and taken a handle, so the engine closes its listener while the handles held by connections
    (open, or closed less than the delay ago) come near the limit, and opens it again once they
    are few: UDP keeps working meanwhile.
    """

    CLOSE_AT = 40  # of 64: one poll may still accept a listen backlog's worth after the check
    REOPEN_AT = 10
    MIN_CLOSED_S = 2.0

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self.open = 0
        self._closed: deque[float] = deque()
        self.listening = True
        self._shut_at = 0.0
        self.reopen_failures = 0  # in a row

    def connected(self) -> None:
        self.open += 1

    def destroyed(self) -> None:
        self.open = max(0, self.open - 1)
        self._closed.append(self._clock())

    def handles(self) -> int:
        """Handles the connections hold now (with 100 ms of margin on the free delay)."""
        horizon = self._clock() - HANDLE_FREE_DELAY_S - 0.1
        while self._closed and self._closed[0] < horizon:
            self._closed.popleft()
        return self.open + len(self._closed)

    def change(self) -> bool | None:
        """False: close the listener now; True: open it again; None: leave it."""
        held = self.handles()
        if self.listening and held >= self.CLOSE_AT:
            self.reopen_failures = 0
            self.listening, self._shut_at = False, self._clock()
            return False
        if (
            not self.listening
            and held <= self.REOPEN_AT
            and self._clock() - self._shut_at >= self.MIN_CLOSED_S
        ):
            self.listening = True
            return True
        return None

    def reopen_failed(self) -> None:
        self.listening, self._shut_at = False, self._clock()
        self.reopen_failures += 1
