"""Pure parts of the softphone, no SIP: protocol, call phase table, INVITE header parsing."""

from __future__ import annotations

import contextlib
import json
import logging
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.softphone import protocol
from app.softphone.engine.callstate import IllegalTransitionError, transition
from app.softphone.engine.headers import (
    caller_from_invite,
    invite_problem,
    name_addr,
    parse_headers,
    uri_user,
)
from app.softphone.engine.pj import redact
from app.softphone.events import (
    EVENT_TYPES,
    AudioDeviceChange,
    AudioDeviceChanged,
    CallEnded,
    CallEndOutcome,
    CallPhase,
    DtmfReceived,
    EngineDied,
    EngineMode,
    EngineStarted,
    Event,
    Hold,
    IncomingCall,
    InvitesRefused,
    MediaStateChanged,
    MediaStatus,
    RegistrationChanged,
    RegistrationState,
    UnknownEventError,
    encode,
    parse_event,
    to_message,
)
from tests.softphone.samples import incoming_call


def test_text_commands() -> None:
    assert protocol.parse_command("answer") == protocol.Command("answer")
    assert protocol.parse_command("dial sip:100@pbx.example").args == {"uri": "sip:100@pbx.example"}
    assert protocol.parse_command("dtmf 12#").args == {"digits": "12#"}
    assert protocol.parse_command("reject 603").args == {"code": 603}
    assert protocol.parse_command("hangup call=3").args == {"call": 3}
    for bad in ("", "launch", "dial a b", 'dial "unterminated'):
        with pytest.raises(protocol.ProtocolError):
            protocol.parse_command(bad)


def test_json_commands() -> None:
    cmd = protocol.parse_command('{"v":1,"id":5,"cmd":"transfer","uri":"sip:1@x","call":2}')
    assert cmd == protocol.Command("transfer", {"uri": "sip:1@x", "call": 2}, 5)
    for bad in ('{"v":2,"cmd":"ping"}', '{"id":"x","cmd":"ping"}', "[1]", "{nope", '{"cmd":"rm"}'):
        with pytest.raises(protocol.ProtocolError):
            protocol.parse_command(bad)


def test_encode_is_one_line_and_round_trips() -> None:
    event = DtmfReceived(call=1, digit='Иван\n"x"')
    line = encode(event)
    assert "\n" not in line and parse_event(protocol.decode_output(line), strict=True) == event


@given(st.text())
def test_parse_command_only_raises_protocol_errors(line: str) -> None:
    with contextlib.suppress(protocol.ProtocolError):
        protocol.parse_command(line)


def test_transition_table(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.INFO, logger="app.softphone.sip"):
        assert transition(CallPhase.INCOMING, CallPhase.ACTIVE, "200 OK", 1) is CallPhase.ACTIVE
    assert "incoming -> active (200 OK)" in caplog.text
    with pytest.raises(IllegalTransitionError):
        transition(CallPhase.ENDED, CallPhase.ACTIVE, "late 200", 1)
    with pytest.raises(IllegalTransitionError):
        transition(CallPhase.ACTIVE, CallPhase.INCOMING, "?", 1)


INVITE = (
    "INVITE sip:8800@10.0.0.1 SIP/2.0\r\n"
    "Via: SIP/2.0/UDP 10.0.0.2;branch=z9hG4bK1\r\n"
    'f: "Ivan \\"Big\\" Petrov" <sip:+79001234567@10.0.0.2>;tag=1\r\n'
    "t: <sip:8800@10.0.0.1>\r\n"
    "P-Asserted-Identity: <sip:+74950000000@proxy>\r\n"
    "Content-Length: 0\r\n\r\n"
)


def test_caller_from_invite_trusts_pai_only_from_proxy() -> None:
    untrusted = caller_from_invite(INVITE, from_proxy=False)
    assert (untrusted.number, untrusted.display, untrusted.line) == (
        "+79001234567",
        'Ivan "Big" Petrov',
        "8800",
    )
    trusted = caller_from_invite(INVITE, from_proxy=True)
    assert trusted.number == "+74950000000" and trusted.asserted


def test_privacy_id_makes_the_caller_anonymous() -> None:
    caller = caller_from_invite(
        INVITE.replace("Content-Length", "Privacy: id\r\nContent-Length"), from_proxy=False
    )
    assert caller.anonymous and caller.number is None


def test_header_helpers() -> None:
    assert name_addr("Bob <sip:b@h>") == ("Bob", "sip:b@h")
    assert name_addr("sip:b@h;tag=1") == (None, "sip:b@h")
    assert uri_user("tel:+7-900;phone-context=x") == ("+7-900", None)
    assert uri_user("mailto:x@y") == (None, None)
    assert parse_headers("X\r\nA: 1\r\n 2\r\n\r\nbody") == {"a": ["1 2"]}


@given(st.text(), st.booleans())
def test_caller_from_invite_never_raises(text: str, from_proxy: bool) -> None:
    caller = caller_from_invite(text, from_proxy=from_proxy)
    for value in (caller.number, caller.display, caller.line):
        assert value is None or (0 < len(value) <= 128 and "\n" not in value)


def test_redact_removes_digest_responses() -> None:
    text = (
        'REGISTER sip:x SIP/2.0\r\nAuthorization: Digest username="u", response="abc"\r\n'
        "Proxy-Authorization: Digest x\r\n"
    )
    out = redact(text)
    assert "abc" not in out and "Digest x" not in out and "Authorization: <redacted>" in out


def test_invite_problem_accepts_a_clean_invite_and_names_defects() -> None:
    body = "v=0\r\n"
    ok = INVITE.replace(
        "Content-Length: 0\r\n\r\n",
        f"Call-ID: c1\r\nCSeq: 1 INVITE\r\nContent-Length: {len(body)}\r\n\r\n{body}",
    )
    assert invite_problem(ok) is None
    assert invite_problem(ok.replace("t: <sip:8800@10.0.0.1>", 't: "x \\" y" <sip:8800@10.0.0.1>')) is None
    cases = {
        "bad CSeq": ok.replace("1 INVITE", "1 BYE"),
        "needs exactly one call-id header": ok.replace("Call-ID: c1\r\n", ""),
        "unterminated quote in from": ok.replace('Petrov" <sip', 'Petrov\\" <sip'),
        "Content-Length does not match the body": ok.replace(
            f"Content-Length: {len(body)}", "Content-Length: 99"
        ),
        "truncated (no end of headers)": ok.split("\r\n\r\n")[0],
        "to is not a sip/sips/tel URI": ok.replace("t: <sip:8800@10.0.0.1>", "t: <http://x>"),
        "too large": ok.replace("Call-ID", "X-Big: " + "a" * 20000 + "\r\nCall-ID"),
    }
    for problem, message in cases.items():
        assert invite_problem(message) == problem, problem


def test_parse_event_types_and_checks() -> None:
    ev = parse_event({"v": 1, "event": "dtmf_received", "call": 2, "digit": "5", "future_field": 1})
    assert ev == DtmfReceived(call=2, digit="5")
    assert parse_event({"v": 1, "reply": 3, "ok": True}) is None
    with pytest.raises(protocol.ProtocolError, match="lacks digit"):
        parse_event({"v": 1, "event": "dtmf_received", "call": 2})
    with pytest.raises(protocol.ProtocolError, match="unknown fields"):
        parse_event({"v": 1, "event": "dtmf_received", "call": 2, "digit": "5", "x": 1}, strict=True)
    with pytest.raises(UnknownEventError, match="'call_parked'"):
        parse_event({"v": 1, "event": "call_parked", "call": 2})
    with pytest.raises(protocol.ProtocolError, match="must be a string") as not_a_name:
        parse_event({"v": 1, "event": 5})
    assert not isinstance(not_a_name.value, UnknownEventError)


@pytest.mark.parametrize(
    ("change", "problem"),
    [
        ({"v": 2}, "version 2"),
        ({"v": None}, "version None"),
        ({"call": "x"}, "call: expected int"),
        ({"call": True}, "call: expected int"),
        ({"call": 1.5}, "call: expected int"),
        ({"state": "bogus"}, "state: 'bogus' is not a CallPhase"),
        ({"hold": None}, "hold: None is not a Hold"),
        ({"direction": ["in"]}, "direction: .* is not a Direction"),
        ({"number": 8800}, "number: expected str"),
        ({"waiting": "yes"}, "waiting: expected bool"),
        ({"received_at": "now"}, "received_at: expected float"),
    ],
)
def test_parse_event_rejects_wrong_types_and_values(change: dict[str, object], problem: str) -> None:
    good = to_message(incoming_call(received_at=1700000000))
    parsed = parse_event(good, strict=True)
    assert isinstance(parsed, IncomingCall) and parsed.state is CallPhase.INCOMING
    assert parsed.received_at == 1700000000.0 and isinstance(parsed.received_at, float)
    with pytest.raises(protocol.ProtocolError, match=problem):
        parse_event({**good, **change})


def test_every_event_class_round_trips_through_the_wire() -> None:
    """`to_message` and `parse_event` are one codec: each class's values come back equal."""
    samples: list[Event] = [
        EngineStarted(pid=1, mode=EngineMode.P2P, transports={"udp": "127.0.0.1:5060"}, uri="<sip:a@b>"),
        RegistrationChanged(RegistrationState.FAILED, 408, "timeout", 0, retry_in=2.5),
        CallEnded(call=4, outcome=CallEndOutcome.TIMED_OUT, code=408, reason="", duration=0.0),
        MediaStateChanged(call=4, status=MediaStatus.LOCAL_HOLD, hold=Hold.LOCAL),
        InvitesRefused(count=3, reasons={"rate_limited": 3}, sources={"10.0.0.1": 3}, period_s=1.0),
        AudioDeviceChanged(AudioDeviceChange.FELL_BACK, "playback", "Jabra", None, "unplugged"),
        EngineDied(pid=None, rc=-9, signal="SIGKILL", restarting=True),
    ]
    for event in samples:
        assert parse_event(json.loads(encode(event)), strict=True) == event
    assert {type(e).NAME for e in samples} <= set(EVENT_TYPES)


def test_cli_options_from_site_file_and_flags(tmp_path: Path) -> None:
    from app.softphone.engine.main import build_parser, options_from

    site = tmp_path / "site.toml"
    site.write_text(
        '[[lines]]\nname = "Internet"\nnumbers = ["8800"]\n'
        '[sip]\nserver = "pbx.example"\nport = 5070\ntransport = "tcp"\n'
        'username = "1001"\ncall_waiting = false\n'
    )
    opts = options_from(build_parser().parse_args(["--config", str(site), "--auto-answer"]))
    assert (opts.server, opts.server_port, opts.transport, opts.username) == (
        "pbx.example",
        5070,
        "tcp",
        "1001",
    )
    assert opts.registered_mode and not opts.call_waiting and opts.auto_answer
    assert opts.lines == {"8800": "Internet"}
    p2p = options_from(
        build_parser().parse_args(["--config", str(site), "--p2p", "--listen", "0.0.0.0:5099"])
    )
    assert not p2p.registered_mode and (p2p.listen_host, p2p.listen_port) == ("0.0.0.0", 5099)


def test_invite_limits_from_the_site_file_or_the_flag(tmp_path: Path) -> None:
    from app.softphone.engine.gate import SourceLimits
    from app.softphone.engine.main import build_parser, options_from

    site = tmp_path / "site.toml"
    site.write_text("[sip]\ninvite_rate_per_source = 0.5\ninvite_burst_per_source = 3\n")
    parse = build_parser().parse_args
    assert options_from(parse(["--config", str(site)])).limits == SourceLimits(0.5, 3)
    assert options_from(parse(["--config", str(site), "--invite-limit", "0,1"])).limits == SourceLimits(0, 1)
    bare = tmp_path / "bare.toml"
    bare.write_text("[sip]\n")
    assert options_from(parse(["--config", str(bare)])).limits == SourceLimits(2.0, 10)  # the defaults
    with pytest.raises(ValueError, match="RATE,BURST"):
        options_from(parse(["--invite-limit", "fast"]))


def test_restart_backoff_neither_spins_nor_leaves_the_desk_long_without_a_phone() -> None:
    from app.softphone.desk.client import DEFAULT_BACKOFF, RestartBackoff

    backoff = RestartBackoff()
    crash_loop = [backoff.after_death(uptime_s=0.5) for _ in range(7)]  # each engine dies at once
    assert crash_loop == [0.2, 0.5, 1.0, 2.0, 5.0, 5.0, 5.0]  # slower and slower, capped at 5 s
    assert backoff.after_failed_start() == DEFAULT_BACKOFF[-1]
    assert backoff.after_death(uptime_s=10.0) == DEFAULT_BACKOFF[0]  # 10 s up: it had been healthy
    assert backoff.after_death(uptime_s=1.0) == DEFAULT_BACKOFF[1]
