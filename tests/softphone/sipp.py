"""Test helper: SIPp runs and the scenario XML they use, built from small pieces.

Every scenario is a real SIPp scenario file written into the test's tmp dir; values in [brackets]
are SIPp's own keywords.  The INVITE uses a fixed branch so that CANCEL and non-2xx ACKs match it.
"""

from __future__ import annotations

import contextlib
import shutil
import socket
import subprocess
from pathlib import Path

from tests.waiting import wait_until

SIPP_MISSING = "SIPp is not installed: run `make test`, which installs the Debian package sip-tester"
PCAP_DIR = Path("/usr/share/sip-tester")

BRANCH = "z9hG4bK-[pid]-[call_number]-inv"
DEFAULT_FROM = '"SIPp Caller" <sip:79001234567@[local_ip]:[local_port]>'
DEFAULT_TO = "<sip:8800@[remote_ip]:[remote_port]>"

SDP = """v=0
o=sipp 53655765 {version} IN IP[local_ip_type] [local_ip]
s=-
c=IN IP[media_ip_type] [media_ip]
t=0 0
m=audio [media_port] RTP/AVP 0 8 101
a=rtpmap:0 PCMU/8000
a=rtpmap:8 PCMA/8000
a=rtpmap:101 telephone-event/8000
a=fmtp:101 0-15
{direction}
"""


def sipp_binary() -> str:
    path = shutil.which("sipp")
    if path is None:
        raise AssertionError(SIPP_MISSING)
    return path


def free_port(kind: int = socket.SOCK_DGRAM) -> int:
    """A port free for both UDP and TCP on 127.0.0.1 (at the moment of asking)."""
    for _ in range(50):
        with socket.socket(socket.AF_INET, kind) as s:
            s.bind(("127.0.0.1", 0))
            port = int(s.getsockname()[1])
        other = socket.SOCK_STREAM if kind == socket.SOCK_DGRAM else socket.SOCK_DGRAM
        try:
            with socket.socket(socket.AF_INET, other) as s2:
                s2.bind(("127.0.0.1", port))
        except OSError:
            continue
        return port
    raise RuntimeError("no free port")


def free_media_port() -> int:
    """An even port with the next three free too: SIPp binds audio RTP and RTCP there, and video
    RTP and RTCP at +2 and +3 (it exits with "Unable to bind video RTP socket" otherwise)."""
    for _ in range(100):
        port = free_port()
        if port % 2 == 0 and port < 65000:
            try:
                with contextlib.ExitStack() as held:
                    for offset in (1, 2, 3):
                        s = held.enter_context(socket.socket(socket.AF_INET, socket.SOCK_DGRAM))
                        s.bind(("127.0.0.1", port + offset))
            except OSError:
                continue
            return port
    raise RuntimeError("no free media port")


def invite(from_: str = DEFAULT_FROM, to: str = DEFAULT_TO, extra: str = "", request_uri: str = "") -> str:
    ruri = request_uri or "sip:8800@[remote_ip]:[remote_port]"
    extra_lines = (extra.strip() + "\n") if extra.strip() else ""
    return f"""
  <send retrans="500">
    <![CDATA[
INVITE {ruri} SIP/2.0
Via: SIP/2.0/[transport] [local_ip]:[local_port];branch={BRANCH}
From: {from_};tag=[pid]SIPpTag00[call_number]
To: {to}
Call-ID: [call_id]
CSeq: 1 INVITE
Contact: <sip:sipp@[local_ip]:[local_port]>
Max-Forwards: 70
{extra_lines}Content-Type: application/sdp
Content-Length: [len]

{SDP.format(version=1, direction="a=sendrecv")}
    ]]>
  </send>
  <recv response="100" optional="true"/>
"""


RINGING = """
  <recv response="180" optional="true"/>
  <recv response="183" optional="true"/>
"""
RINGING_REQUIRED = """
  <recv response="180"/>
"""


def answered(from_: str = DEFAULT_FROM, to: str = DEFAULT_TO) -> str:
    """The 200 OK (its Contact kept in $contact for in-dialog requests), then the ACK."""
    return """
  <recv response="200" rtd="true" rrs="true">
    <action>
      <ereg regexp="&lt;(sips?:[^&gt;]*)&gt;" search_in="hdr" header="Contact:"
            check_it="true" assign_to="whole,contact"/>
    </action>
  </recv>
  <Reference variables="whole"/>
""" + ack(from_, to, 1)


def in_dialog(method: str, cseq: int, from_: str, to: str, body: str = "", retrans: bool = True) -> str:
    """A request inside the dialog, sent to the Contact of the 200 OK along the recorded route."""
    ctype = "Content-Type: application/sdp\n" if body else ""
    attr = ' retrans="500"' if retrans else ""
    return f"""
  <send{attr}>
    <![CDATA[
{method} [$contact] SIP/2.0
Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
From: {from_};tag=[pid]SIPpTag00[call_number]
To: {to}[peer_tag_param]
Call-ID: [call_id]
CSeq: {cseq} {method}
Contact: <sip:sipp@[local_ip]:[local_port]>
[routes]
Max-Forwards: 70
{ctype}Content-Length: [len]

{body}
    ]]>
  </send>
"""


def ack(from_: str = DEFAULT_FROM, to: str = DEFAULT_TO, cseq: int = 1) -> str:
    return in_dialog("ACK", cseq, from_, to, retrans=False)


def send_reinvite(
    direction: str, cseq: int, version: int, from_: str = DEFAULT_FROM, to: str = DEFAULT_TO
) -> str:
    """A re-INVITE from SIPp (e.g. a=sendonly: SIPp puts us on hold), its 200 and the ACK."""
    sdp = SDP.format(version=version, direction=direction)
    return (
        in_dialog("INVITE", cseq, from_, to, body=sdp)
        + '\n  <recv response="100" optional="true"/>\n  <recv response="200"/>\n'
        + ack(from_, to, cseq)
    )


def send_bye(from_: str = DEFAULT_FROM, to: str = DEFAULT_TO, cseq: int = 2) -> str:
    return in_dialog("BYE", cseq, from_, to) + '\n  <recv response="200" crlf="true"/>\n'


def reply(code: str, sdp_direction: str | None = None, version: int = 2) -> str:
    body = SDP.format(version=version, direction=sdp_direction) if sdp_direction else ""
    ctype = "Content-Type: application/sdp\n" if body else ""
    return f"""
  <send>
    <![CDATA[
SIP/2.0 {code}
[last_Via:]
[last_From:]
[last_To:]
[last_Call-ID:]
[last_CSeq:]
Contact: <sip:sipp@[local_ip]:[local_port]>
{ctype}Content-Length: [len]

{body}
    ]]>
  </send>
"""


RECV_BYE = """
  <recv request="BYE"/>
""" + reply("200 OK")


def recv_reinvite(must_contain: str, var: str) -> str:
    """A re-INVITE whose SDP must contain `must_contain` (the call fails otherwise)."""
    return f"""
  <recv request="INVITE">
    <action>
      <ereg regexp="{must_contain}" search_in="msg" check_it="true" assign_to="{var}"/>
    </action>
  </recv>
  <Reference variables="{var}"/>
"""


RECV_ACK = """
  <recv request="ACK"/>
"""


def held_and_resumed() -> list[str]:
    """The peer is put on hold (a re-INVITE offering sendonly, answered recvonly) and resumed
    (sendrecv both ways): SIPp fails the call if the SDP directions are not those."""
    return [
        recv_reinvite("a=sendonly", "hold"),
        reply("200 OK", "a=recvonly", version=2),
        RECV_ACK,
        recv_reinvite("a=sendrecv", "resume"),
        reply("200 OK", "a=sendrecv", version=3),
        RECV_ACK,
    ]


def _same_transaction(method: str, from_: str, to: str, request_uri: str) -> str:
    """CANCEL, or the ACK of a failure: the INVITE's branch and CSeq number (RFC 3261 9.1, 17.1.1.3)."""
    ruri = request_uri or "sip:8800@[remote_ip]:[remote_port]"
    to_tag = "[peer_tag_param]" if method == "ACK" else ""
    return f"""
  <send>
    <![CDATA[
{method} {ruri} SIP/2.0
Via: SIP/2.0/[transport] [local_ip]:[local_port];branch={BRANCH}
From: {from_};tag=[pid]SIPpTag00[call_number]
To: {to}{to_tag}
Call-ID: [call_id]
CSeq: 1 {method}
Max-Forwards: 70
Content-Length: 0

    ]]>
  </send>
"""


def cancel(from_: str = DEFAULT_FROM, to: str = DEFAULT_TO, request_uri: str = "") -> str:
    return (
        _same_transaction("CANCEL", from_, to, request_uri)
        + '\n  <recv response="200"/>\n  <recv response="487"/>\n'
        + ack_failure(from_, to, request_uri)
    )


def ack_failure(from_: str = DEFAULT_FROM, to: str = DEFAULT_TO, request_uri: str = "") -> str:
    return _same_transaction("ACK", from_, to, request_uri)


def expect_final(code: int, from_: str = DEFAULT_FROM, to: str = DEFAULT_TO) -> str:
    return f"""
  <recv response="{code}"/>
""" + ack_failure(from_, to)


FLOOD_FROM = '"Flood" <sip:666[call_number]@[local_ip]:[local_port]>'
_FLOOD_FINALS = (400, 403, 421, 480, 486, 488, 500, 503, 603)


def flood(ring_ms: int = 20) -> str:
    """The INVITE flood of issue 21: each call rings for ``ring_ms`` then CANCELs; any final
    response (the engine refuses most of them) is ACKed.  Run it with ``-r RATE -m COUNT``."""
    finals = "".join(
        f'  <recv response="{code}" optional="true" next="final"/>\n' for code in _FLOOD_FINALS[:-1]
    )
    return scenario(
        "flood",
        invite(from_=FLOOD_FROM),
        '  <recv response="180" optional="true" next="ring"/>\n',
        '  <recv response="183" optional="true" next="ring"/>\n',
        finals,
        f'  <recv response="{_FLOOD_FINALS[-1]}" next="final"/>\n',
        '  <label id="ring"/>\n',
        pause(ring_ms),
        _same_transaction("CANCEL", FLOOD_FROM, DEFAULT_TO, ""),
        '  <recv response="200" optional="true"/>\n',
        "".join(f'  <recv response="{code}" optional="true" next="final"/>\n' for code in (480, 603)),
        '  <recv response="487" next="final"/>\n',
        '  <label id="final"/>\n',
        ack_failure(FLOOD_FROM),
    )


def pause(ms: int) -> str:
    return f'\n  <pause milliseconds="{ms}"/>\n'


def play_pcap(path: Path) -> str:
    return f"""
  <nop>
    <action>
      <exec play_pcap_audio="{path}"/>
    </action>
  </nop>
"""


def scenario(name: str, *parts: str) -> str:
    body = "".join(parts)
    return f"""<?xml version="1.0" encoding="UTF-8" ?>
<!DOCTYPE scenario SYSTEM "sipp.dtd">
<scenario name="{name}">
{body}
</scenario>
"""


class Sipp:
    """One SIPp process (caller or callee) with its message trace kept in the tmp dir."""

    def __init__(self, workdir: Path, name: str) -> None:
        self.workdir = workdir
        self.name = name
        self.port = free_port()
        self.media_port = free_media_port()
        self.proc: subprocess.Popen[bytes] | None = None
        self.trace = workdir / f"{name}-messages.log"
        self.errors = workdir / f"{name}-errors.log"
        self.out = workdir / f"{name}-stdout.log"

    def start(
        self,
        *,
        xml: str | None = None,
        builtin: str | None = None,
        remote: str | None = None,
        calls: int = 1,
        transport: str = "u1",
        extra: list[str] | None = None,
        timeout_s: int = 30,
        local_ip: str = "127.0.0.1",
        trace: bool = True,
    ) -> Sipp:
        """``local_ip``: another loopback address (127.0.0.2...) is another source for the engine's
        per-address limits.  ``trace``: keep the message trace (off for floods: it would be huge)."""
        args = [sipp_binary()]
        if xml is not None:
            sf = self.workdir / f"{self.name}.xml"
            sf.write_text(xml, encoding="utf-8")
            args += ["-sf", str(sf)]
        else:
            args += ["-sn", builtin or "uac"]
        if remote:
            args.append(remote)
        args += [
            "-i", local_ip, "-mi", local_ip, "-p", str(self.port), "-mp", str(self.media_port),
            "-t", transport, "-m", str(calls), "-nostdin", "-timeout", str(timeout_s), "-timeout_error",
            "-trace_err", "-error_file", str(self.errors), "-max_recv_loops", "1000",
        ]  # fmt: skip
        if trace:
            args += ["-trace_msg", "-message_file", str(self.trace)]
        args += extra or []
        with self.out.open("wb") as out:
            self.proc = subprocess.Popen(args, stdout=out, stderr=subprocess.STDOUT, cwd=str(self.workdir))
        if remote is None and transport.startswith("t"):
            self._wait_tcp_listening()
        return self

    def _wait_tcp_listening(self, timeout: float = 10) -> None:
        """A callee over TCP must accept before we dial (UDP is covered by retransmissions)."""

        def listening() -> bool:
            assert self.proc is not None
            if self.proc.poll() is not None:
                raise AssertionError(f"SIPp {self.name} exited early\n{self.report()}")
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.2).close()
            except OSError:
                return False
            return True

        wait_until(
            listening,
            timeout=timeout,
            what=f"SIPp {self.name} not listening on TCP {self.port}",
            interval=0.02,
        )

    def wait(self, timeout: float = 40) -> int:
        assert self.proc is not None
        try:
            return int(self.proc.wait(timeout))
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
            raise AssertionError(f"SIPp {self.name} did not finish in {timeout}s\n{self.report()}") from None

    def assert_ok(self, timeout: float = 40) -> None:
        rc = self.wait(timeout)
        assert rc == 0, f"SIPp {self.name} rc={rc}\n{self.report()}"

    def messages(self) -> str:
        return self.trace.read_text(errors="replace") if self.trace.exists() else ""

    def report(self) -> str:
        err = self.errors.read_text(errors="replace") if self.errors.exists() else ""
        out = self.out.read_text(errors="replace")[-2000:] if self.out.exists() else ""
        return f"--- errors\n{err[-3000:]}\n--- stdout\n{out}"

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
