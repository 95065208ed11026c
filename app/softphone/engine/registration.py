"""Keeping the desk registered: when to REGISTER and to probe the registrar, and what to report.

The issue this answers (21, part 2): a registrar that restarts with its location table in memory
forgets every desk, and a desk that only refreshes every few minutes is unreachable all that time
while it still says "registered".  `RegistrationKeeper` is the policy; the SIP thread (`Engine`)
feeds it what pjsua2 reports and does what `due` asks.  It holds no pjsua2 object and reads no
clock: every input carries ``now`` (``time.monotonic()``), so it is unit-tested with plain numbers.

What it does, and why:
- **Refresh** every ``refresh_s`` (25 s by default) while registered, whatever expiry the registrar
  granted.  pjsua's own refresh timer (sip_reg.c) runs at "granted expiry − delayBeforeRefreshSec",
  so it moves with whatever the registrar grants (a ``min_expires`` above ours stretches it); our
  timer does not.  The binding asked for
  (``expires_s``, 60 s) stays at or above common ``min_expires`` values, and pjsua's timer (at
  granted − 5 s) remains a safety net that ours always pre-empts.  A registrar restarted faster than
  the probe can notice costs at most one refresh interval.
- **Probe** the registrar with an OPTIONS every ``keepalive_s`` (5 s) through the account's own
  transport (`Account.sendRequest`).  Any answer, even 404 or 407, means it is there.  No answer within
  ``probe_timeout_s`` (3 s; pjsip retransmits a UDP OPTIONS at 0.5 and 1.5 s, so a lost datagram is
  not an outage), or a transport error, means it is gone: reported as ``failed`` at once, so loss is
  known within keepalive + timeout = 8 s.  A registrar that has never answered a probe may simply
  drop OPTIONS (some SBCs do): its silence is then not trusted, and loss is found by refreshes.
- **Re-register at once** when the registrar answers a probe again after silence (it may have
  restarted and forgotten us), when a TCP/TLS connection drops while registered, and at start once it
  first answers.  A UDP probe answered only by a retransmission (later than pjsip's first retransmit
  at 0.5 s plus the best round trip seen) means the registrar was not there for the first datagram:
  a restart too short to be called an outage.  That is repaired the same way, quietly: the desk is
  reported re-registered, never offline, so a lost datagram costs one REGISTER and no flicker.
  pjsua's own CRLF keep-alive (``udpKaIntervalSec``) is left as it is: nothing answers it on UDP.
- **One probe at a time**: while the registrar is silent a UDP OPTIONS keeps being retransmitted by
  pjsip (every 4 s), a TCP/TLS one fails at once and is repeated every ``down_probe_s`` (2 s), so its
  return is noticed within about 4 s (UDP) or 2 s (TCP/TLS).  Desks probe at random phases, so a
  site's desks come back spread over those seconds rather than all at once.
- **Back off** after a failed REGISTER (1, 2, 4 … 60 s, ±20 %): a wrong password or a registrar
  refusing with 503 is not hammered.  Only the registrar's return after silence skips the wait.
  While a registrar known to answer probes is silent no REGISTER is sent at all (a UDP one would
  only sit in pjsip for 32 s): the desk stays "failed: registrar unreachable" until it answers.
"""

from __future__ import annotations

import enum
import logging
import random
from collections.abc import Callable
from dataclasses import dataclass

log = logging.getLogger("app.softphone.sip")

BACKOFF_MAX_S = 60.0
IN_FLIGHT_MAX_S = 40.0  # pjsip ends a REGISTER transaction after 32 s; past this we assume it was lost
# pjsip retransmits a UDP request first after 0.5 s (T1): an answer later than 0.4 s + the best
# round trip seen answered a retransmission, so the first datagram found nobody listening.
LATE_ANSWER_S = 0.4
_AUTH_CODES = (401, 403, 407)
_UNREACHABLE_CODES = (408, 480, 500, 502, 503, 504)


class Action(enum.Enum):
    REGISTER = "register"
    PROBE = "probe"


@dataclass(frozen=True, slots=True)
class RegistrationTimers:
    """The site's registration settings (``[sip]`` in the site file), in seconds."""

    expires_s: int = 60  # binding lifetime asked for; keep it >= the registrar's min_expires
    refresh_s: int = 25  # REGISTER again this often while registered
    keepalive_s: float = 5.0  # OPTIONS to the registrar this often; 0 turns probing off
    probe_timeout_s: float = 3.0  # an OPTIONS unanswered this long: the registrar is gone
    down_probe_s: float = 2.0  # while it is gone, probe again this long after a probe failed

    def __post_init__(self) -> None:
        if self.expires_s < 1 or not 1 <= self.refresh_s < self.expires_s:
            raise ValueError("registration refresh must be at least 1 s and shorter than the expiry")
        if self.keepalive_s < 0 or self.probe_timeout_s <= 0 or self.down_probe_s <= 0:
            raise ValueError("keep-alive and probe times must be positive (keep-alive 0: off)")


@dataclass(frozen=True, slots=True)
class RegistrationReport:
    """What the window is told (the ``registration_changed`` event)."""

    state: str  # registering | registered | failed | unregistered
    code: int
    reason: str
    expires: int = 0
    retry_in: float | None = None


def describe_failure(code: int, reason: str) -> str:
    """Words for the operator and IT about a failed REGISTER (pjsip's code and reason kept)."""
    if code in _AUTH_CODES:
        return f"authentication failed: wrong user name or password ({code} {reason})"
    if "ECERT" in reason or "certificate" in reason.lower():
        return f"the registrar's TLS certificate is not trusted ({code} {reason})"
    if code in _UNREACHABLE_CODES or code < 200 or code >= 600:
        return f"registrar unreachable ({code} {reason})"
    return f"registration refused ({code} {reason})"


class RegistrationKeeper:
    """Decides REGISTERs and probes for one account; reports state changes through ``report``."""

    def __init__(
        self,
        timers: RegistrationTimers,
        report: Callable[[RegistrationReport], None],
        now: float,
        *,
        jitter: Callable[[float, float], float] = random.uniform,
    ) -> None:
        """``now``: when the account was created (pjsua sends the first REGISTER itself)."""
        self.t = timers
        self._report = report
        self._jitter = jitter
        self.state = "registering"
        self._in_flight_since: float | None = now
        self._register_at: float | None = None  # next REGISTER (refresh or retry)
        self._announce_retry: str | None = None  # publish "registering" with this reason when sent
        self._repair: str | None = None  # why the next REGISTER is more than a routine refresh
        self._in_flight_repair: str | None = None
        self._best_rtt: float | None = None
        self._stopped = False
        self._failures = 0
        self._answering: bool | None = None  # did the registrar answer the last probe
        self._trusted = False  # it has answered a probe once: its silence means something
        self._probe_sent: float | None = None
        self._probe_missed = False
        self._next_probe: float | None = (
            now + jitter(0.0, timers.keepalive_s) if timers.keepalive_s > 0 else None
        )

    @property
    def probing(self) -> bool:
        """A keep-alive OPTIONS is under way (its outcome has not been reported)."""
        return self._probe_sent is not None

    @property
    def registrar(self) -> str:
        """What the probes say: answering | silent | unknown (no answer seen yet, or probing off)."""
        return {True: "answering", False: "silent", None: "unknown"}[self._answering]

    # ---- what pjsua2 reported -----------------------------------------------------------------
    def registered(self, code: int, reason: str, expires: int, now: float) -> None:
        """A 2xx to REGISTER: ``expires`` > 0 is a binding, 0 an unregistration."""
        self._in_flight_since = None
        repair, self._in_flight_repair = self._in_flight_repair, None
        if expires <= 0:
            self._register_at = None
            self._publish(RegistrationReport("unregistered", code, reason))
            return
        self._failures = 0
        self._register_at = now + min(float(self.t.refresh_s), max(1.0, expires / 2))
        self._announce_retry = None
        if repair is not None or self.state != "registered":
            # A repair is news even without a state change: the registrar had probably lost us.
            words = f"{reason} (re-registered: {repair})" if repair else reason
            self._publish(RegistrationReport("registered", code, words, expires), force=True)

    def failed(self, code: int, reason: str, now: float) -> None:
        """REGISTER failed (final response, timeout or transport error): back off, report it."""
        self._in_flight_since = None
        self._in_flight_repair = None
        words = describe_failure(code, reason)
        self._failures += 1
        delay = min(BACKOFF_MAX_S, 2.0 ** (self._failures - 1)) * self._jitter(0.8, 1.2)
        self._register_at = now + delay
        self._announce_retry = f"retry {self._failures}"
        # Every failure is news (a new reason, a new delay), even when already failed.
        self._publish(RegistrationReport("failed", code, words, 0, round(delay, 2)), force=True)

    def send_refused(self, busy: bool, error: str, now: float) -> None:
        """Asking pjsua for a REGISTER raised: busy means one is already under way."""
        if busy:
            self._in_flight_since = now
            return
        self.failed(0, f"REGISTER not sent: {error}", now)

    def probe_answered(self, now: float) -> None:
        if self._stopped:
            self._probe_sent = None
            return
        first, came_back = self._answering is None, self._answering is False
        rtt = now - self._probe_sent if self._probe_sent is not None else None
        self._finish_probe(now, self.t.keepalive_s)
        self._answering = True
        self._trusted = True
        late = rtt is not None and self._best_rtt is not None and rtt > LATE_ANSWER_S + self._best_rtt
        if rtt is not None and not late:
            self._best_rtt = rtt if self._best_rtt is None else min(self._best_rtt, rtt)
        if (first or came_back) and self.state != "registered":
            # Back after silence (or answering for the first time while we are not registered):
            # it may have restarted and forgotten us, so register now rather than at the backoff.
            log.info("registration: the registrar answers again; registering now")
            self._failures = 0
            self._schedule_repair(now, "the registrar answers again", announce=True)
        elif (came_back or late) and self.state == "registered":
            log.info(
                "registration: the registrar answered late (%.2f s); re-registering in case it restarted", rtt
            )
            self._schedule_repair(
                now, "the registrar did not answer the keep-alive at once: it may have restarted"
            )

    def probe_failed(self, why: str, now: float) -> None:
        """The OPTIONS ended without an answer from the registrar (timeout, transport error)."""
        if self._stopped:
            self._probe_sent = None
            return
        missed = self._probe_missed
        self._finish_probe(now, self.t.down_probe_s)
        if not missed:
            self._registrar_silent(why)

    def transport_lost(self, now: float) -> None:
        """A TCP/TLS connection dropped: a registrar that restarted has no binding for us."""
        if self.state == "registered" and self._in_flight_since is None:
            log.info("registration: connection to the registrar lost; registering again now")
            self._schedule_repair(now, "the connection to the registrar dropped")

    # ---- the clock ----------------------------------------------------------------------------
    def due(self, now: float) -> list[Action]:
        """What to do now; the caller does it and reports back through the methods above."""
        actions: list[Action] = []
        sent = self._probe_sent
        if sent is not None and not self._probe_missed and now - sent >= self.t.probe_timeout_s:
            self._probe_missed = True
            self._registrar_silent(f"no answer to OPTIONS within {self.t.probe_timeout_s:g} s")
        if self._in_flight_since is not None and now - self._in_flight_since > IN_FLIGHT_MAX_S:
            log.warning("registration: no outcome for a REGISTER after %ss; sending another", IN_FLIGHT_MAX_S)
            self._in_flight_since = None
            self._register_at = now
        silent = self._trusted and self._answering is False  # a REGISTER now could not be answered
        due_at = self._register_at
        if self._in_flight_since is None and due_at is not None and now >= due_at and not silent:
            self._register_at = None
            self._in_flight_since = now
            self._in_flight_repair, self._repair = self._repair, None
            if self._announce_retry is not None:
                self._publish(RegistrationReport("registering", 0, self._announce_retry))
                self._announce_retry = None
            actions.append(Action.REGISTER)
        if self._probe_sent is None and self._next_probe is not None and now >= self._next_probe:
            self._probe_sent = now
            self._probe_missed = False
            actions.append(Action.PROBE)
        return actions

    def stop(self) -> None:
        """The account is going away: nothing more to send, probe outcomes no longer matter."""
        self._stopped = True
        self._register_at = self._next_probe = None

    # ---- internals ----------------------------------------------------------------------------
    def _schedule_repair(self, now: float, why: str, *, announce: bool = False) -> None:
        """REGISTER now because the registrar may have lost us; ``announce``: say "registering"
        (the desk is offline anyway); otherwise it stays registered until that REGISTER fails."""
        self._register_at = now
        self._repair = why
        self._announce_retry = why if announce else None

    def _finish_probe(self, now: float, pause: float) -> None:
        sent = self._probe_sent if self._probe_sent is not None else now
        self._probe_sent = None
        self._probe_missed = False
        if self._next_probe is not None:
            self._next_probe = max(now, sent + pause)

    def _registrar_silent(self, why: str) -> None:
        self._answering = False
        if not self._trusted:
            return  # it never answered a probe: it may just ignore OPTIONS
        if self.state in ("registered", "registering"):
            log.warning("registration: registrar unreachable (%s)", why)
            self._publish(RegistrationReport("failed", 408, f"registrar unreachable ({why})"))

    def _publish(self, report: RegistrationReport, *, force: bool = False) -> None:
        if report.state == self.state and not force:
            return
        self.state = report.state
        self._report(report)
