"""`RegistrationKeeper` alone: when it registers, probes and reports, with plain numbers as the clock.

Pure policy, no SIP (the tests against a real Kamailio are in test_registrar_outage.py).  Jitter is
fixed at its midpoint so the times below are exact.
"""

from __future__ import annotations

import pytest

from app.softphone.engine.registration import (
    Action,
    RegistrationKeeper,
    RegistrationReport,
    RegistrationTimers,
    describe_failure,
)

TIMERS = RegistrationTimers(expires_s=60, refresh_s=25, keepalive_s=5, probe_timeout_s=4, down_probe_s=2)


class Desk:
    """A keeper and what it reported, with the probe schedule started at t=0."""

    def __init__(self, timers: RegistrationTimers = TIMERS) -> None:
        self.reports: list[RegistrationReport] = []
        self.keeper = RegistrationKeeper(timers, self.reports.append, 0.0, jitter=lambda a, b: a)

    @property
    def states(self) -> list[str]:
        return [r.state for r in self.reports]

    def registered_at(self, t: float) -> None:
        self.keeper.registered(200, "OK", 60, t)

    def answer_probe_at(self, t: float) -> None:
        assert Action.PROBE in self.keeper.due(t)
        self.keeper.probe_answered(t)


def trusted_desk() -> Desk:
    """Registered at t=0, and the registrar answered the first keep-alive at once."""
    desk = Desk()
    desk.registered_at(0.0)
    desk.answer_probe_at(0.0)
    return desk


def test_refreshes_every_refresh_interval_whatever_the_registrar_granted() -> None:
    desk = Desk()
    desk.keeper.due(0.0)  # the first probe goes out; REGISTER is in flight from account creation
    desk.keeper.registered(200, "OK", 3600, 0.5)  # granted far more than asked
    assert Action.REGISTER not in desk.keeper.due(25.4)
    assert Action.REGISTER in desk.keeper.due(25.5)
    assert Action.REGISTER not in desk.keeper.due(26.0)  # one at a time
    desk.keeper.registered(200, "OK", 3600, 26.0)
    assert desk.states == ["registered"]  # a refresh is no news


def test_a_short_grant_is_refreshed_at_half_its_life() -> None:
    desk = Desk()
    desk.keeper.registered(200, "OK", 20, 0.0)
    assert Action.REGISTER in desk.keeper.due(10.0)


@pytest.mark.expect_log("app.softphone.sip", r"registrar unreachable")
def test_loss_is_reported_when_a_probe_goes_unanswered_for_the_timeout() -> None:
    desk = trusted_desk()
    assert Action.PROBE in desk.keeper.due(5.0)  # the registrar dies right after the first answer
    assert desk.keeper.due(8.9) == []
    desk.keeper.due(9.0)
    assert desk.states == ["registered", "failed"]
    failed = desk.reports[-1]
    assert failed.code == 408 and "registrar unreachable" in failed.reason and "OPTIONS" in failed.reason


@pytest.mark.expect_log("app.softphone.sip", r"registrar unreachable")
def test_a_transport_error_on_the_probe_reports_loss_at_once() -> None:
    desk = trusted_desk()
    desk.keeper.due(5.0)
    desk.keeper.probe_failed("OPTIONS: 503 Connection refused", 5.0)
    assert desk.states == ["registered", "failed"]
    assert desk.keeper.due(6.9) == []  # while it is gone, probes every down_probe_s
    assert desk.keeper.due(7.0) == [Action.PROBE]


@pytest.mark.expect_log("app.softphone.sip", r"registrar unreachable")
def test_the_registrar_answering_again_means_register_now_not_at_the_refresh() -> None:
    desk = trusted_desk()
    desk.keeper.due(5.0)
    desk.keeper.due(9.0)  # silent: failed
    desk.keeper.probe_answered(12.0)  # pjsip's retransmission reached the restarted registrar
    assert Action.REGISTER in desk.keeper.due(12.0)
    assert desk.states == ["registered", "failed", "registering"]
    desk.registered_at(12.01)
    assert desk.states == ["registered", "failed", "registering", "registered"]


def test_an_answer_only_to_a_retransmission_repairs_quietly() -> None:
    """A restart shorter than the probe timeout: the first datagram found nobody."""
    desk = Desk()
    desk.registered_at(0.0)
    desk.answer_probe_at(0.0)  # best round trip: 0 s
    assert Action.PROBE in desk.keeper.due(5.0)
    desk.keeper.probe_answered(6.6)  # answered by the retransmission at 6.5 s
    assert Action.REGISTER in desk.keeper.due(6.6)
    assert desk.states == ["registered"]  # never offline
    desk.keeper.registered(200, "OK", 60, 6.61)
    assert desk.states == ["registered", "registered"]
    assert "re-registered" in desk.reports[-1].reason and "may have restarted" in desk.reports[-1].reason


def test_the_first_answer_after_registering_is_no_reason_to_register_again() -> None:
    desk = Desk()
    desk.registered_at(0.0)
    assert desk.keeper.registrar == "unknown"
    desk.answer_probe_at(0.0)
    assert desk.keeper.registrar == "answering"
    assert Action.REGISTER not in desk.keeper.due(1.0)


def test_a_registrar_that_answers_for_the_first_time_is_registered_with_at_once() -> None:
    """The desk started while the registrar was down: no need to wait out the backoff."""
    desk = Desk()
    desk.keeper.due(0.0)
    for _ in range(5):
        desk.keeper.failed(503, "Connection refused", 0.0)  # the next try is 12.8 s away
    desk.keeper.probe_failed("OPTIONS: 503 Connection refused", 0.0)
    assert desk.keeper.due(2.0) == [Action.PROBE]
    desk.keeper.probe_answered(2.0)
    assert desk.keeper.due(2.0) == [Action.REGISTER]


def test_outcomes_after_stop_are_ignored() -> None:
    desk = trusted_desk()
    desk.keeper.due(5.0)
    assert desk.keeper.probing
    desk.keeper.stop()
    desk.keeper.probe_failed("OPTIONS: 408 Request Timeout", 6.0)
    assert not desk.keeper.probing and desk.states == ["registered"]


def test_a_prompt_answer_changes_nothing() -> None:
    desk = trusted_desk()
    desk.keeper.due(5.0)
    desk.keeper.probe_answered(5.3)  # slower than before, but before any retransmission
    assert Action.REGISTER not in desk.keeper.due(5.3)


@pytest.mark.expect_log("app.softphone.sip", r"registrar unreachable")
def test_no_register_is_sent_to_a_registrar_known_to_be_silent() -> None:
    desk = trusted_desk()
    desk.keeper.due(5.0)
    desk.keeper.probe_failed("OPTIONS: 503 Connection refused", 5.0)
    desk.keeper.failed(503, "Connection refused", 5.0)
    assert all(Action.REGISTER not in desk.keeper.due(t) for t in (25.0, 40.0, 100.0))
    assert "registering" not in desk.states  # stays failed, no "registering" flicker
    desk.keeper.probe_answered(101.0)
    assert Action.REGISTER in desk.keeper.due(101.0)


def test_silence_from_a_registrar_that_never_answered_a_probe_is_not_an_outage() -> None:
    """Some SBCs drop OPTIONS: the desk must not call itself offline because of that."""
    desk = Desk()
    desk.registered_at(0.0)
    desk.keeper.due(0.0)
    desk.keeper.due(4.0)  # the probe went unanswered
    desk.keeper.due(20.0)
    assert desk.states == ["registered"]
    assert Action.REGISTER in desk.keeper.due(25.0)  # refreshes go on: they find a real loss


def test_a_failed_refresh_backs_off_and_reports_each_failure() -> None:
    desk = trusted_desk()
    desk.keeper.failed(401, "Unauthorized", 1.0)
    desk.keeper.failed(401, "Unauthorized", 1.0)
    assert [r.retry_in for r in desk.reports[1:]] == [0.8, 1.6]
    assert "wrong user name or password" in desk.reports[-1].reason
    assert Action.REGISTER not in desk.keeper.due(2.5)
    assert Action.REGISTER in desk.keeper.due(2.6)
    assert desk.reports[-1] == RegistrationReport("registering", 0, "retry 2")


def test_backoff_stops_growing_at_a_minute() -> None:
    desk = Desk()
    for _ in range(12):
        desk.keeper.failed(503, "Service Unavailable", 0.0)
    assert desk.reports[-1].retry_in == pytest.approx(60 * 0.8)


@pytest.mark.expect_log("app.softphone.sip", r"registrar unreachable")
def test_the_registrar_coming_back_skips_the_backoff() -> None:
    desk = trusted_desk()
    for t in (5.0, 9.0):
        desk.keeper.due(t)  # silent from 5 s: failed at 9 s
    for _ in range(6):
        desk.keeper.failed(408, "Request Timeout", 30.0)  # refreshes timed out: backoff is 32 s
    desk.keeper.probe_answered(40.0)
    assert Action.REGISTER in desk.keeper.due(40.0)


def test_a_dropped_tcp_connection_re_registers_at_once_without_saying_offline() -> None:
    desk = Desk()
    desk.registered_at(0.0)
    desk.keeper.transport_lost(3.0)
    assert Action.REGISTER in desk.keeper.due(3.0)
    assert desk.states == ["registered"]
    desk.keeper.failed(503, "Connection refused", 3.0)
    assert desk.states == ["registered", "failed"]
    assert "registrar unreachable" in desk.reports[-1].reason


def test_a_re_registration_after_a_dropped_connection_is_reported() -> None:
    desk = Desk()
    desk.registered_at(0.0)
    desk.keeper.transport_lost(3.0)
    desk.keeper.due(3.0)
    desk.keeper.registered(200, "OK", 60, 3.01)
    assert desk.states == ["registered", "registered"]
    assert desk.reports[-1].reason == "OK (re-registered: the connection to the registrar dropped)"


@pytest.mark.expect_log("app.softphone.sip", r"no outcome for a REGISTER")
def test_a_busy_register_is_waited_for_and_a_lost_one_is_replaced() -> None:
    desk = Desk()
    desk.keeper.failed(408, "Request Timeout", 0.0)
    assert Action.REGISTER in desk.keeper.due(1.0)
    desk.keeper.send_refused(True, "Object is busy (PJSIP_EBUSY)", 1.0)
    assert Action.REGISTER not in desk.keeper.due(30.0)
    assert Action.REGISTER in desk.keeper.due(41.5)  # pjsip ends a REGISTER within 32 s


def test_a_register_that_cannot_be_sent_is_a_failure() -> None:
    desk = Desk()
    desk.keeper.send_refused(False, "no transport", 0.0)
    assert desk.reports[-1].state == "failed" and "REGISTER not sent: no transport" in desk.reports[-1].reason


def test_unregistering_is_reported_and_stop_ends_the_schedule() -> None:
    desk = Desk()
    desk.registered_at(0.0)
    desk.keeper.stop()
    desk.keeper.registered(200, "OK", 0, 1.0)
    assert desk.states == ["registered", "unregistered"]
    assert desk.keeper.due(100.0) == []


def test_keepalive_off_sends_no_probe() -> None:
    desk = Desk(RegistrationTimers(keepalive_s=0))
    desk.registered_at(0.0)
    assert desk.keeper.due(20.0) == []


@pytest.mark.parametrize(
    ("code", "reason", "words"),
    [
        (401, "Unauthorized", "wrong user name or password"),
        (408, "Request Timeout", "registrar unreachable"),
        (503, "Connection refused", "registrar unreachable"),
        (171039, "ECERTCHAIN", "TLS certificate is not trusted"),
        (404, "Not Found", "registration refused"),
    ],
)
def test_failures_are_described_in_words(code: int, reason: str, words: str) -> None:
    described = describe_failure(code, reason)
    assert words in described and f"({code} {reason})" in described  # pjsip's own words are kept


@pytest.mark.parametrize(
    "kwargs", [{"refresh_s": 60}, {"refresh_s": 0}, {"keepalive_s": -1}, {"probe_timeout_s": 0}]
)
def test_impossible_timers_are_refused(kwargs: dict[str, float]) -> None:
    with pytest.raises(ValueError):
        RegistrationTimers(**kwargs)  # type: ignore[arg-type]
