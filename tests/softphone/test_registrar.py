"""Registration with digest auth at a real Kamailio, calls through it, and INVITEs that bypass it."""

from __future__ import annotations

import socket
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.softphone import sipp as sc
from tests.softphone.conftest import EngineFactory, SippFactory
from tests.softphone.engine_proc import REPO, EngineProcess
from tests.softphone.kamailio_proc import SUBSCRIBERS, Kamailio
from tests.softphone.sipp import free_port

pytestmark = pytest.mark.sip
Registered = Callable[..., EngineProcess]


@pytest.mark.parametrize("transport", ["udp", "tcp"])
def test_register_and_call_another_engine_through_the_proxy(registered: Registered, transport: str) -> None:
    a = registered("1001", transport=transport)
    b = registered("1002", "--auto-answer", transport=transport)
    for eng in (a, b):
        assert eng.wait_event("registration_changed", state="registered")["expires"] > 0
    call = a.ok("dial", uri="1002")["call"]
    inc = b.wait_event("incoming_call")
    assert (inc["number"], inc["display"], inc["line"]) == ("1001", "Desk 1001", "1002")
    a.wait_event("call_state", call=call, state="active")
    a.ok("hold", call=call)
    b.wait_event("media_state", hold="remote")
    a.ok("resume", call=call)
    b.wait_event("media_state", hold="none")
    a.ok("hangup", call=call)
    assert b.wait_event("call_ended")["outcome"] == "completed"
    assert a.ok("status")["registration"] == "registered"


def test_wrong_password_is_a_clear_failed_state(registered: Registered) -> None:
    eng = registered("1003", password="not-the-password")
    failed = eng.wait_event("registration_changed", state="failed")
    assert failed["code"] in (401, 403, 407) and "wrong user name or password" in failed["reason"]
    assert 0.5 < failed["retry_in"] < 2  # backs off, starting at about a second
    assert eng.ok("status")["registration"] in ("failed", "registering")
    assert "not-the-password" not in eng.log_path.read_text()


def test_invite_not_from_the_proxy_is_refused_before_any_media(
    registered: Registered, sipps: SippFactory
) -> None:
    eng = registered("1004")
    eng.wait_event("registration_changed", state="registered")
    # 421: pjsua's refusal before the dialog and the media exist (RefusalAccount in pj.py)
    scanner = sipps("scanner").start(
        xml=sc.scenario("scan", sc.invite(), sc.expect_final(421)), remote=eng.address("udp")
    )
    refused = eng.wait_event("invites_refused")
    assert refused["reasons"] == {"not_from_proxy": 1} and refused["sources"] == {"127.0.0.1": 1}
    scanner.assert_ok()
    assert eng.events("incoming_call") == []


def test_external_caller_through_the_proxy_rings_with_the_line(
    registered: Registered, sipps: SippFactory, kamailio: Kamailio
) -> None:
    eng = registered("1005")
    eng.wait_event("registration_changed", state="registered")
    to = f"<sip:1005@{kamailio.address}>"
    ruri = f"sip:1005@{kamailio.address}"
    extra = (
        "Diversion: <sip:88005550000@pbx.example>;reason=unconditional\n"
        "P-Asserted-Identity: <sip:+74951112233@pstn>"
    )
    invite = sc.invite(to=to, extra=extra, request_uri=ruri)
    xml = sc.scenario("trunk", invite, sc.RINGING, sc.answered(to=to), sc.pause(300), sc.send_bye(to=to))
    trunk = sipps("trunk").start(xml=xml, remote=kamailio.address)
    inc = eng.wait_event("incoming_call")
    assert inc["line"] == "88005550000" and inc["number"] == "+74951112233"  # PAI trusted: came via the proxy
    eng.ok("answer")
    trunk.assert_ok()
    assert eng.wait_event("call_ended")["outcome"] == "completed"


def test_doctor_sip_check(kamailio: Kamailio, monkeypatch: pytest.MonkeyPatch) -> None:
    from app.config import SipConfig, SiteConfig
    from app.softphone.desk.sip_doctor import check_sip

    monkeypatch.setenv("PYTHONPATH", str(REPO))
    host, port = kamailio.address.split(":")
    site = SiteConfig(sip=SipConfig(server=host, port=int(port), username="1006", listen="127.0.0.1:0"))
    monkeypatch.setenv("FRONTLINE_SIP_PASSWORD", SUBSCRIBERS["1006"])
    good = check_sip(site)
    assert good.ok and good.name == "sip" and "Registered as 1006" in good.detail, good
    assert "the registrar answers keep-alive OPTIONS" in good.detail and good.data
    assert (good.data["registrar"], good.data["register_refresh_s"]) == ("answering", 25)
    monkeypatch.setenv("FRONTLINE_SIP_PASSWORD", "wrong")
    bad = check_sip(site)
    assert not bad.ok and "wrong user name or password" in bad.detail and bad.data and bad.data["code"] == 401
    assert "the server is up, so check the account" in bad.detail, bad  # not the network
    assert check_sip(SiteConfig()).ok  # peer-to-peer: nothing to register
    nobody = SipConfig(server=host, port=free_port(), username="1006", listen="127.0.0.1:0")
    gone = check_sip(SiteConfig(sip=nobody), timeout=3)
    assert not gone.ok and "does not answer keep-alive OPTIONS" in gone.detail, gone
    assert gone.data and gone.data["registrar"] == "silent"


def test_registers_by_itself_once_the_registrar_comes_up(engines: EngineFactory, tmp_path: Path) -> None:
    port = free_port(socket.SOCK_STREAM)
    eng = engines(
        "--server", f"127.0.0.1:{port}", "--transport", "tcp", "--user", "1008", "--listen", "127.0.0.1:0",
        env={"FRONTLINE_SIP_PASSWORD": SUBSCRIBERS["1008"]},
    )  # fmt: skip
    waits = [eng.wait_event("registration_changed", state="failed")["retry_in"] for _ in range(3)]
    assert waits[0] < waits[1] < waits[2], waits  # about 1, 2, 4 s
    assert "unreachable" in eng.events("registration_changed")[-1]["reason"]
    registrar = Kamailio(tmp_path / "late-kamailio", port=port)
    try:
        eng.wait_event("registration_changed", state="registered", timeout=15)  # next retry: ~8 s
    finally:
        registrar.stop()


def test_tls_registration_verifies_the_server_certificate(
    engines: EngineFactory, kamailio_tls: Kamailio, tls_material: tuple[Path, Path, Path]
) -> None:
    ca, _, _ = tls_material
    common = (
        "--server",
        f"127.0.0.1:{kamailio_tls.tls_port}",
        "--transport",
        "tls",
        "--listen",
        "127.0.0.1:0",
    )
    trusted = engines(
        *common, "--user", "1009", "--ca-file", str(ca), env={"FRONTLINE_SIP_PASSWORD": SUBSCRIBERS["1009"]}
    )
    assert trusted.wait_event("registration_changed", state="registered")["code"] == 200
    untrusted = engines(*common, "--user", "1010", env={"FRONTLINE_SIP_PASSWORD": SUBSCRIBERS["1010"]})
    failed = untrusted.wait_event("registration_changed", state="failed", timeout=20)
    assert "TLS certificate is not trusted" in failed["reason"], failed


def test_sip_trace_has_the_messages_but_no_digest(registered: Registered, tmp_path: Path) -> None:
    trace = tmp_path / "pjsip-trace.log"
    eng = registered("1006", "--sip-trace", str(trace))
    eng.wait_event("registration_changed", state="registered")
    eng.stop()
    text = trace.read_text()
    assert "REGISTER sip:" in text and "401 Unauthorized" in text
    assert "Authorization: <redacted>" in text
    assert 'response="' not in text and SUBSCRIBERS["1006"] not in text
    assert "REGISTER sip:" not in eng.log_path.read_text()  # the trace is a separate log


def test_two_engines_call_each_other_over_tls(
    engines: EngineFactory, kamailio_tls: Kamailio, tls_material: tuple[Path, Path, Path]
) -> None:
    ca, _, _ = tls_material
    server = ("--server", f"127.0.0.1:{kamailio_tls.tls_port}", "--transport", "tls", "--ca-file", str(ca))

    def desk(user: str, *extra: str) -> EngineProcess:
        env = {"FRONTLINE_SIP_PASSWORD": SUBSCRIBERS[user]}
        eng = engines(*server, "--user", user, "--listen", "127.0.0.1:0", *extra, env=env)
        eng.wait_event("registration_changed", state="registered")
        return eng

    a, b = desk("1003"), desk("1004", "--auto-answer")
    call = a.ok("dial", uri="1004")["call"]
    assert b.wait_event("incoming_call")["number"] == "1003"
    a.wait_event("call_state", call=call, state="active")
    a.ok("hangup", call=call)
    assert b.wait_event("call_ended")["outcome"] == "completed"
