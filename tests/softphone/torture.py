"""A corpus of malformed and torture SIP messages, by the categories of RFC 4475.

Each entry: (name, valid, message bytes).  ``valid`` entries are odd but legal INVITEs that may ring;
invalid ones must never produce an incoming-call event.  The caller number of entry N is ``tN`` so
an incoming-call event can be traced back to the entry that caused it.
"""

from __future__ import annotations

SDP = (
    "v=0\r\no=t 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n"
    "m=audio 9 RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\n"
)


def _invite(
    n: int,
    host: str,
    *,
    ruri: str | None = None,
    from_: str | None = None,
    drop: tuple[str, ...] = (),
    extra: tuple[str, ...] = (),
    cseq: str = "1 INVITE",
    version: str = "SIP/2.0",
    method: str = "INVITE",
    body: str = SDP,
    content_length: str | None = None,
) -> bytes:
    headers = {
        "Via": f"SIP/2.0/UDP {host};branch=z9hG4bK-torture-{n}",
        "From": from_ or f'"Torture {n}" <sip:t{n}@{host}>;tag=t{n}',
        "To": "<sip:8800@127.0.0.1>",
        "Call-ID": f"torture-{n}@127.0.0.1",
        "CSeq": cseq,
        "Contact": f"<sip:t{n}@{host}>",
        "Max-Forwards": "70",
        "Content-Type": "application/sdp",
    }
    lines = [f"{method} {ruri or 'sip:8800@127.0.0.1'} {version}"]
    lines += [f"{k}: {v}" for k, v in headers.items() if k not in drop]
    lines += list(extra)
    cl = str(len(body.encode())) if content_length is None else content_length
    if "Content-Length" not in drop:
        lines.append(f"Content-Length: {cl}")
    return ("\r\n".join(lines) + "\r\n\r\n" + body).encode("utf-8", errors="surrogateescape")


def corpus(host: str) -> list[tuple[str, bool, bytes]]:
    """All entries; `host` is the sender's ``ip:port`` written into Via/Contact."""
    items: list[tuple[str, bool, bytes]] = []

    def add(name: str, valid: bool, build: object) -> None:
        n = len(items)
        msg = build(n) if callable(build) else build
        assert isinstance(msg, bytes)
        items.append((name, valid, msg))

    # -- valid but strange (RFC 4475 3.1.1): must not crash, may ring
    add("escaped-ruri", True, lambda n: _invite(n, host, ruri="sip:%38%38%30%30@127.0.0.1;lr"))
    add(
        "compact-and-folded", True, lambda n: _invite(n, host, extra=("Subject: a\r\n  folded\r\n\tsubject",))
    )
    add("tel-from", True, lambda n: _invite(n, host, from_=f"<tel:+7-495-t{n}>;tag=x"))
    add("unknown-header", True, lambda n: _invite(n, host, extra=("X-Very-Odd: ;;;,,,<<>>",)))
    add("long-display", True, lambda n: _invite(n, host, from_=f'"{"Ж" * 300}" <sip:t{n}@{host}>;tag=x'))
    add("no-body", True, lambda n: _invite(n, host, body="", drop=("Content-Type",)))
    add(
        "utf8-everywhere",
        True,
        lambda n: _invite(n, host, from_=f'"Ёжик 🦔 \\"q\\"" <sip:t{n}@{host}>;tag=x'),
    )
    # -- bad headers / missing mandatory ones (3.1.2)
    add("no-from", False, lambda n: _invite(n, host, drop=("From",)))
    add("no-to", False, lambda n: _invite(n, host, drop=("To",)))
    add("no-call-id", False, lambda n: _invite(n, host, drop=("Call-ID",)))
    add("no-cseq", False, lambda n: _invite(n, host, drop=("CSeq",)))
    add("no-via", False, lambda n: _invite(n, host, drop=("Via",)))
    add("cseq-method-mismatch", False, lambda n: _invite(n, host, cseq="1 ACK"))
    add("cseq-not-a-number", False, lambda n: _invite(n, host, cseq="one INVITE"))
    add("cseq-huge", False, lambda n: _invite(n, host, cseq="99999999999999999999 INVITE"))
    add("bad-version", False, lambda n: _invite(n, host, version="SIP/7.0"))
    add("from-garbage", False, lambda n: _invite(n, host, from_="<<<>>>;;;@@@"))
    add("from-unknown-scheme", False, lambda n: _invite(n, host, from_=f"<mailto:t{n}@example.com>;tag=x"))
    add("ruri-unknown-scheme", False, lambda n: _invite(n, host, ruri="http://example.com/"))
    add(
        "unterminated-quote",
        False,
        lambda n: _invite(n, host, from_=f'"never closed <sip:t{n}@{host}>;tag=x'),
    )
    add("max-forwards-garbage", False, lambda n: _invite(n, host, extra=("Max-Forwards: -5",)))
    add("two-cseq", False, lambda n: _invite(n, host, extra=("CSeq: 2 INVITE",)))
    # -- wrong Content-Length (3.1.2.x)
    add("content-length-too-big", False, lambda n: _invite(n, host, content_length="9999"))
    add("content-length-negative", False, lambda n: _invite(n, host, content_length="-1"))
    add("content-length-garbage", False, lambda n: _invite(n, host, content_length="ten"))
    add("two-content-lengths", False, lambda n: _invite(n, host, extra=("Content-Length: 3",)))
    # -- huge values
    add("huge-header", False, lambda n: _invite(n, host, extra=("X-Huge: " + "A" * 60000,)))
    add(
        "many-vias",
        False,
        lambda n: _invite(
            n, host, extra=tuple(f"Via: SIP/2.0/UDP 10.0.0.{i % 250}:5060" for i in range(400))
        ),
    )
    add("huge-ruri", False, lambda n: _invite(n, host, ruri="sip:" + "9" * 20000 + "@127.0.0.1"))
    # -- bytes that are not SIP at all
    add("nul-bytes", False, b"\x00" * 512)
    add("random-binary", False, bytes(range(256)) * 4)
    add("invalid-utf8", False, lambda n: _invite(n, host).replace(b"Torture", b"\xff\xfe\xc3\x28"))
    add("only-request-line", False, b"INVITE sip:8800@127.0.0.1 SIP/2.0\r\n\r\n")
    add("crlf-flood", False, b"\r\n" * 2000)
    add(
        "response-out-of-nowhere",
        False,
        b"SIP/2.0 200 OK\r\nVia: SIP/2.0/UDP 1.2.3.4\r\nContent-Length: 0\r\n\r\n",
    )
    add("unknown-method", False, lambda n: _invite(n, host, method="FOOBAR", cseq="1 FOOBAR"))
    add("sdp-garbage", False, lambda n: _invite(n, host, body="v=banana\r\nm=audio x y z\r\n" + "\x01" * 40))
    return items
