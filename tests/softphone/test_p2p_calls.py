"""Peer-to-peer calls between the engine and SIPp (caller and callee) on 127.0.0.1."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from tests.softphone import sipp as sc
from tests.softphone.conftest import EngineFactory, SippFactory
from tests.softphone.engine_proc import REPO, EngineProcess

pytestmark = pytest.mark.sip


def test_builtin_uac_call_is_offered_answered_and_hung_up_by_caller(
    engine: EngineProcess, sipps: SippFactory
) -> None:
    caller = sipps("uac").start(builtin="uac", remote=engine.address(), extra=["-d", "500"])
    inc = engine.wait_event("incoming_call")
    assert inc["number"] == "sipp" and inc["display"] == "sipp" and inc["line"] == "service"
    assert inc["received_at"] > 0
    engine.ok("answer", call=inc["call"])
    engine.wait_event("call_state", call=inc["call"], state="active")
    caller.assert_ok()
    ended = engine.wait_event("call_ended", call=inc["call"])
    assert ended["outcome"] == "completed"


def test_text_commands_answer_and_engine_hangs_up(engine: EngineProcess, sipps: SippFactory) -> None:
    xml = sc.scenario("wait-bye", sc.invite(), sc.RINGING_REQUIRED, sc.answered(), sc.RECV_BYE)
    caller = sipps("caller").start(xml=xml, remote=engine.address())
    inc = engine.wait_event("incoming_call")
    assert (inc["number"], inc["display"], inc["line"]) == ("79001234567", "SIPp Caller", "8800")
    engine.send("answer")
    engine.wait_event("call_state", state="active")
    engine.send("hangup")
    caller.assert_ok()
    assert engine.wait_event("call_ended")["outcome"] == "completed"
    replies = [m for m in engine.messages if "reply" in m]
    assert all(r["ok"] and r["reply"] is None for r in replies), replies


@pytest.mark.parametrize(
    ("from_", "number", "display", "anonymous"),
    [
        ('"Anonymous" <sip:anonymous@anonymous.invalid>', None, None, True),
        (
            '"Алексей Петров 客户" <sip:+79001112233@[local_ip]:[local_port]>',
            "+79001112233",
            "Алексей Петров 客户",
            False,
        ),
        ("<sip:%2B7900%20555@[local_ip]:[local_port]>", "+7900 555", None, False),
        (
            '"Quote \\" and \\\\ backslash" <sip:42@[local_ip]:[local_port]>',
            "42",
            'Quote " and \\ backslash',
            False,
        ),
    ],
    ids=["anonymous", "unicode", "escaped-uri", "quoted-escapes"],
)
def test_caller_identity_variants(
    engine: EngineProcess,
    sipps: SippFactory,
    from_: str,
    number: str | None,
    display: str | None,
    anonymous: bool,
) -> None:
    xml = sc.scenario("id", sc.invite(from_=from_), sc.RINGING, sc.expect_final(603, from_=from_))
    caller = sipps("caller").start(xml=xml, remote=engine.address())
    inc = engine.wait_event("incoming_call")
    assert (inc["number"], inc["display"], inc["anonymous"]) == (number, display, anonymous)
    engine.ok("reject", code=603)
    caller.assert_ok()
    assert engine.wait_event("call_ended")["outcome"] == "rejected"


@pytest.mark.parametrize(
    ("extra", "line"),
    [
        ("Diversion: <sip:88005553535@pbx.example>;reason=unconditional", "88005553535"),
        (
            "Diversion: <sip:111@pbx.example>;reason=deflection\n"
            "Diversion: <sip:88001@pbx.example>;reason=user-busy",
            "88001",
        ),
        ("P-Called-Party-ID: <sip:4951234567@ims.example>\nDiversion: <sip:111@pbx.example>", "4951234567"),
    ],
    ids=["diversion", "diversion-original-is-last", "p-called-party-id"],
)
def test_dialled_line_from_headers(engine: EngineProcess, sipps: SippFactory, extra: str, line: str) -> None:
    xml = sc.scenario("line", sc.invite(extra=extra), sc.RINGING, sc.expect_final(486))
    caller = sipps("caller").start(xml=xml, remote=engine.address())
    inc = engine.wait_event("incoming_call")
    assert inc["line"] == line
    engine.ok("reject", code=486)
    caller.assert_ok()


def test_p_asserted_identity_is_ignored_without_a_proxy(engine: EngineProcess, sipps: SippFactory) -> None:
    xml = sc.scenario(
        "pai",
        sc.invite(extra="P-Asserted-Identity: <sip:+70000000000@evil.example>"),
        sc.RINGING,
        sc.expect_final(486),
    )
    caller = sipps("caller").start(xml=xml, remote=engine.address())
    assert engine.wait_event("incoming_call")["number"] == "79001234567"
    engine.ok("reject")
    caller.assert_ok()


def test_cancel_before_answer_is_a_missed_call(engine: EngineProcess, sipps: SippFactory) -> None:
    xml = sc.scenario("cancel", sc.invite(), sc.RINGING_REQUIRED, sc.pause(300), sc.cancel())
    caller = sipps("caller").start(xml=xml, remote=engine.address())
    inc = engine.wait_event("incoming_call")
    caller.assert_ok()
    ended = engine.wait_event("call_ended", call=inc["call"])
    assert ended["outcome"] == "missed" and ended["code"] == 487


def test_unanswered_call_times_out_with_480(engines: EngineFactory, sipps: SippFactory) -> None:
    eng = engines("--listen", "127.0.0.1:0", "--ring-timeout", "1")
    xml = sc.scenario("timeout", sc.invite(), sc.RINGING_REQUIRED, sc.expect_final(480))
    caller = sipps("caller").start(xml=xml, remote=eng.address())
    inc = eng.wait_event("incoming_call")
    caller.assert_ok()
    assert eng.wait_event("call_ended", call=inc["call"])["outcome"] == "timed_out"


def test_outgoing_call_to_sipp_uas_over_tcp(engine: EngineProcess, sipps: SippFactory) -> None:
    callee = sipps("uas").start(builtin="uas", transport="t1")
    result = engine.ok("dial", uri=f"sip:callee@127.0.0.1:{callee.port};transport=tcp")
    call = result["call"]
    engine.wait_event("call_state", call=call, state="active")
    engine.ok("hangup", call=call)
    assert engine.wait_event("call_ended", call=call)["outcome"] == "completed"
    callee.assert_ok()


def test_outgoing_text_dial_to_busy_callee(engine: EngineProcess, sipps: SippFactory) -> None:
    xml = sc.scenario(
        "busy-callee",
        '\n  <recv request="INVITE"/>\n',
        sc.reply("486 Busy Here"),
        '\n  <recv request="ACK"/>\n',
    )
    callee = sipps("busy").start(xml=xml)
    engine.send(f"dial sip:busy@127.0.0.1:{callee.port}")
    ended = engine.wait_event("call_ended")
    assert ended["outcome"] == "busy" and ended["code"] == 486
    callee.assert_ok()


def test_bad_commands_get_error_replies_and_engine_carries_on(engine: EngineProcess) -> None:
    assert engine.request("answer")["ok"] is False
    assert engine.request("dial", uri="not a uri")["ok"] is False
    engine.send('{"v":1,"id":99,"cmd":"launch_missiles"}')
    _, bad = engine.wait_for(lambda m: m.get("reply") == 99, 5, "error reply")
    assert bad["ok"] is False
    engine.send("this is not a command")
    assert engine.ok("ping")["pong"] > 0


@pytest.mark.parametrize("how", ["quit", "sigterm"])
def test_clean_shutdown_with_a_call_up_and_one_ringing(
    engine: EngineProcess, sipps: SippFactory, how: str
) -> None:
    first = sipps("first").start(
        xml=sc.scenario("up", sc.invite(), sc.RINGING, sc.answered(), sc.RECV_BYE), remote=engine.address()
    )
    engine.ok("answer", call=engine.wait_event("incoming_call")["call"])
    engine.wait_event("call_state", state="active")
    from_ = '"Second" <sip:222@[local_ip]:[local_port]>'
    second = sipps("second").start(
        xml=sc.scenario("ringing", sc.invite(from_=from_), sc.RINGING, sc.expect_final(603, from_=from_)),
        remote=engine.address(),
    )
    engine.wait_event("incoming_call", number="222")
    if how == "quit":
        engine.send("quit")
    else:
        engine.proc.terminate()
    assert engine.proc.wait(15) == 0, engine.log_tail()  # not 134: no pjsua2 abort on exit
    first.assert_ok()  # got its BYE
    second.assert_ok()  # got a final answer
    assert engine.events("engine_stopping")
    assert "Traceback" not in engine.log_path.read_text()


def test_engine_that_cannot_bind_says_why_and_exits_2(tmp_path: Path) -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as taken:
        taken.bind(("127.0.0.1", 0))
        port = taken.getsockname()[1]
        proc = subprocess.run(
            [sys.executable, "-m", "app.softphone", "--listen", f"127.0.0.1:{port}"],
            input=b"",
            capture_output=True,
            timeout=30,
            env={**os.environ, "PYTHONPATH": str(REPO)},
            check=False,
        )
    assert proc.returncode == 2, proc.stderr[-2000:]
    (msg,) = [json.loads(line) for line in proc.stdout.splitlines()]
    assert msg["event"] == "engine_stopping" and msg["reason"] == "start failed" and msg["error"]


@pytest.mark.slow
def test_answered_call_never_acked_is_cleaned_up(engines: EngineFactory, sipps: SippFactory) -> None:
    engine = engines("--listen", "127.0.0.1:0", "--auto-answer")
    xml = sc.scenario(
        "no-ack", sc.invite(), sc.RINGING, '\n  <recv response="200"/>\n',
        '\n  <recv request="BYE" timeout="45000"/>\n', sc.reply("200 OK"),
    )  # fmt: skip
    caller = sipps("no-ack").start(xml=xml, remote=engine.address(), timeout_s=60)
    inc = engine.wait_event("incoming_call")
    ended = engine.wait_event("call_ended", call=inc["call"], timeout=45)  # pjsip gives up after 64*T1
    assert ended["outcome"] == "failed"
    caller.assert_ok(60)
    assert engine.ok("status")["calls"] == []
