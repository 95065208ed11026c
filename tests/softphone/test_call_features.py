"""Hold/resume (checked in the SDP the peer received), DTMF both ways, recording, call waiting."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.softphone import sipp as sc
from tests.softphone.conftest import EngineFactory, SippFactory
from tests.softphone.engine_proc import EngineProcess
from tests.softphone.media import goertzel_power, read_wav, tone_pcap, window_levels

pytestmark = pytest.mark.sip


def test_hold_and_resume_change_the_sdp_direction_at_the_peer(
    engine: EngineProcess, sipps: SippFactory
) -> None:
    xml = sc.scenario(
        "held",
        sc.invite(),
        sc.RINGING,
        sc.answered(),
        *sc.held_and_resumed(),
        sc.pause(200),
        sc.send_bye(),
    )
    caller = sipps("caller").start(xml=xml, remote=engine.address())
    engine.wait_event("incoming_call")
    engine.ok("answer")
    engine.wait_event("call_state", state="active")
    engine.send("hold")
    engine.wait_event("media_state", hold="local")
    engine.send("resume")
    engine.wait_event("media_state", hold="none", status="active")
    caller.assert_ok()
    engine.wait_event("call_ended")
    trace = caller.messages()  # SIPp's check_it already failed the call without these lines
    assert "a=sendonly" in trace and trace.count("a=sendrecv") >= 2


def test_remote_hold_is_reported(engine: EngineProcess, sipps: SippFactory) -> None:
    xml = sc.scenario(
        "holds-us", sc.invite(), sc.RINGING, sc.answered(), sc.send_reinvite("a=sendonly", 2, 2),
        sc.pause(300), sc.send_reinvite("a=sendrecv", 3, 3), sc.pause(300), sc.send_bye(cseq=4),
    )  # fmt: skip
    caller = sipps("caller").start(xml=xml, remote=engine.address())
    engine.wait_event("incoming_call")
    engine.ok("answer")
    engine.wait_event("media_state", hold="remote")
    engine.wait_event("media_state", hold="none")
    caller.assert_ok()
    engine.wait_event("call_ended")


def test_dtmf_from_the_peer_is_received(engine: EngineProcess, sipps: SippFactory) -> None:
    xml = sc.scenario(
        "dtmf",
        sc.invite(),
        sc.RINGING,
        sc.answered(),
        sc.play_pcap(sc.PCAP_DIR / "dtmf_2833_1.pcap"),
        sc.pause(600),
        sc.play_pcap(sc.PCAP_DIR / "dtmf_2833_pound.pcap"),
        sc.pause(800),
        sc.send_bye(),
    )
    caller = sipps("caller").start(xml=xml, remote=engine.address())
    engine.wait_event("incoming_call")
    engine.ok("answer")
    assert engine.wait_event("dtmf_received")["digit"] == "1"
    assert engine.wait_event("dtmf_received")["digit"] == "#"
    caller.assert_ok()


def _engine_to_engine(engines: EngineFactory) -> tuple[EngineProcess, EngineProcess, int]:
    """Two engines, the second answering at once; returns (caller, callee, caller's call)."""
    callee = engines("--listen", "127.0.0.1:0", "--auto-answer")
    caller = engines("--listen", "127.0.0.1:0")
    call = caller.ok("dial", uri=f"sip:desk@{callee.address()}")["call"]
    caller.wait_event("call_state", call=call, state="active")
    return caller, callee, int(call)


def test_dtmf_sent_arrives_at_a_second_engine(engines: EngineFactory) -> None:
    caller, callee, _ = _engine_to_engine(engines)
    callee.wait_event("call_state", state="active")
    caller.send("dtmf 12*#")
    digits = "".join(callee.wait_event("dtmf_received")["digit"] for _ in range(4))
    assert digits == "12*#"
    caller.ok("hangup")
    callee.wait_event("call_ended")


def test_recording_contains_the_tone_the_peer_played(
    engines: EngineFactory, sipps: SippFactory, tmp_path: Path
) -> None:
    engine = engines("--listen", "127.0.0.1:0", "--auto-answer", "--auto-record")
    pcap = tone_pcap(tmp_path / "tone1k.pcap", freq=1000, seconds=2.0)
    xml = sc.scenario(
        "tone",
        sc.invite(),
        sc.RINGING,
        sc.answered(),
        sc.play_pcap(pcap),
        sc.pause(2600),
        sc.send_bye(),
    )
    caller = sipps("caller").start(xml=xml, remote=engine.address())
    started = engine.wait_event("recording_started")
    caller.assert_ok()
    finished = engine.wait_event("recording_finished", call=started["call"])
    assert finished["path"] == started["path"]
    engine.stop()  # the WAV header is final once the recorder is gone
    samples, rate = read_wav(tmp_path / finished["path"])
    duration = len(samples) / rate
    assert 2.0 <= duration <= 4.0, duration
    levels = window_levels(samples, rate)
    loud = [lv for lv in levels if lv > 1000]
    assert 15 <= len(loud) <= 24, levels  # ~2 s of tone in 100 ms windows
    tone = [
        s
        for s, lv in zip(samples, [lv for lv in levels for _ in range(int(rate * 0.1))], strict=False)
        if lv > 1000
    ]
    assert goertzel_power(tone, rate, 1000) > 20 * goertzel_power(tone, rate, 1500)


def test_manual_recording_start_stop(engine: EngineProcess, sipps: SippFactory, tmp_path: Path) -> None:
    xml = sc.scenario("rec", sc.invite(), sc.RINGING, sc.answered(), sc.pause(1500), sc.send_bye())
    caller = sipps("caller").start(xml=xml, remote=engine.address())
    engine.wait_event("incoming_call")
    engine.ok("answer")
    engine.wait_event("call_state", state="active")
    path = engine.ok("record_start", path=str(tmp_path / "manual.wav"))["path"]
    assert engine.ok("status")["calls"][0]["recording"] == path
    assert engine.ok("record_stop")["path"] == path
    assert engine.wait_event("recording_finished")["path"] == path
    caller.assert_ok()


def _second_caller(sipps: SippFactory, engine: EngineProcess, final: int) -> sc.Sipp:
    from_ = '"Second" <sip:222@[local_ip]:[local_port]>'
    xml = sc.scenario("second", sc.invite(from_=from_), sc.RINGING, sc.expect_final(final, from_=from_))
    return sipps("second").start(xml=xml, remote=engine.address())


def _first_call(sipps: SippFactory, engine: EngineProcess) -> sc.Sipp:
    xml = sc.scenario("first", sc.invite(), sc.RINGING, sc.answered(), sc.pause(2500), sc.send_bye())
    first = sipps("first").start(xml=xml, remote=engine.address())
    engine.wait_event("incoming_call")
    engine.ok("answer")
    engine.wait_event("call_state", state="active")
    return first


def test_call_waiting_offers_the_second_call(engine: EngineProcess, sipps: SippFactory) -> None:
    first = _first_call(sipps, engine)
    second = _second_caller(sipps, engine, 486)
    waiting = engine.wait_event("incoming_call", number="222")
    assert waiting["waiting"] is True
    engine.ok("reject", call=waiting["call"], code=486)
    second.assert_ok()
    first.assert_ok()


def test_without_call_waiting_a_second_caller_hears_busy_and_the_window_is_told(
    engines: EngineFactory, sipps: SippFactory
) -> None:
    """486 Busy Here is what a PBX or a queue acts on (it offers the caller to the next desk); the
    window hears of the call (`call_refused`) and records it.  It never rings."""
    engine = engines("--listen", "127.0.0.1:0", "--no-call-waiting")
    first = _first_call(sipps, engine)
    second = _second_caller(sipps, engine, 486)
    refused = engine.wait_event("call_refused")
    assert (refused["code"], refused["reason"], refused["number"]) == (486, "busy", "222")
    second.assert_ok()
    first.assert_ok()
    assert [e["number"] for e in engine.events("incoming_call")] == ["79001234567"]


def test_mute_and_unmute(engine: EngineProcess, sipps: SippFactory) -> None:
    caller = sipps("caller").start(
        xml=sc.scenario("mute", sc.invite(), sc.RINGING, sc.answered(), sc.pause(1500), sc.send_bye()),
        remote=engine.address(),
    )
    engine.ok("answer", call=engine.wait_event("incoming_call")["call"])
    engine.wait_event("call_state", state="active")
    assert engine.ok("mute")["muted"] is True
    assert engine.ok("status")["calls"][0]["muted"] is True
    assert engine.ok("unmute")["muted"] is False
    caller.assert_ok()


def test_hold_then_resume_at_once_is_queued_not_refused(engines: EngineFactory) -> None:
    caller, callee, call = _engine_to_engine(engines)
    caller.send("hold\nresume")  # one read, one drain: the hold re-INVITE is still in flight
    caller.wait_event("media_state", call=call, hold="local")
    caller.wait_event("media_state", call=call, hold="none")
    callee.wait_event("media_state", hold="remote")
    callee.wait_event("media_state", hold="none")
    replies = [r for r in caller.messages if "reply" in r]
    assert all(r["ok"] for r in replies) and any(r["result"].get("queued") for r in replies), replies
    caller.ok("hangup")
