"""Who is calling and which support line they dialled, read from the raw INVITE text.

Pure functions, called on the SIP thread from the incoming-call callback.  pjsua2's own
``remoteUri`` is not used for the number: it degrades to ``<-error: uri too long->`` on long
display names (LAB.md).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import unquote

_COMPACT = {"f": "from", "t": "to", "i": "call-id", "m": "contact", "l": "content-length", "v": "via"}
_URI_SCHEMES = ("sip:", "sips:", "tel:")
_ANONYMOUS_USERS = frozenset({"anonymous", "unknown", "restricted", "unavailable", "private"})
MAX_INVITE = 16384  # an INVITE for a desk phone; anything bigger is refused
MAX_FIELD = 128  # longer names/numbers are cut: they go to a popup, not to a parser


@dataclass(frozen=True, slots=True)
class Caller:
    number: str | None  # None when anonymous
    display: str | None
    line: str | None  # the dialled number identifying the support line
    anonymous: bool
    asserted: bool  # number taken from P-Asserted-Identity (trusted proxy only)


def parse_headers(message: str) -> dict[str, list[str]]:
    """Header name (lower case, compact forms expanded) → values in order; folded lines joined."""
    head = message.split("\r\n\r\n", 1)[0].split("\n\n", 1)[0]
    lines = head.replace("\r\n", "\n").split("\n")[1:]
    headers: dict[str, list[str]] = {}
    last: str | None = None
    for raw in lines:
        if raw[:1] in (" ", "\t") and last is not None:
            headers[last][-1] += " " + raw.strip()
            continue
        name, sep, value = raw.partition(":")
        if not sep:
            continue
        key = name.strip().lower()
        key = _COMPACT.get(key, key)
        headers.setdefault(key, []).append(value.strip())
        last = key
    return headers


def name_addr(value: str) -> tuple[str | None, str]:
    """Split ``"Display" <uri>;params`` into (display, uri).  Tolerant of garbage."""
    value = value.strip()
    display: str | None = None
    if value.startswith('"'):
        i, out = 1, []
        while i < len(value):
            ch = value[i]
            if ch == "\\" and i + 1 < len(value):
                out.append(value[i + 1])
                i += 2
                continue
            if ch == '"':
                break
            out.append(ch)
            i += 1
        display = "".join(out)
        value = value[i + 1 :].strip()
    if "<" in value:
        before, _, after = value.partition("<")
        if display is None and before.strip():
            display = before.strip()
        uri = after.partition(">")[0].strip()
    else:
        uri = value.split(";", 1)[0].strip()
    return (display or None), uri


def uri_user(uri: str) -> tuple[str | None, str | None]:
    """(user, host) of a sip/sips/tel URI, user percent-decoded; (None, None) for other schemes."""
    low = uri.lower()
    for scheme in _URI_SCHEMES:
        if low.startswith(scheme):
            rest = uri[len(scheme) :]
            break
    else:
        return None, None
    if low.startswith("tel:"):
        return unquote(rest.split(";", 1)[0]) or None, None
    userinfo, at, hostpart = rest.partition("@")
    if not at:
        return None, rest.split(";", 1)[0] or None
    user = unquote(userinfo.split(":", 1)[0].split(";", 1)[0])
    return (user or None), (hostpart.split(";", 1)[0].split(">", 1)[0] or None)


def _clip(value: str | None) -> str | None:
    if value is None:
        return None
    value = re.sub(r"[\x00-\x1f\x7f]", "", value).strip()
    return value[:MAX_FIELD] or None


def _first_user(values: list[str] | None, *, last: bool = False) -> str | None:
    if not values:
        return None
    # one header line may hold several comma-separated entries
    entries = [e for v in values for e in _split_commas(v)]
    if not entries:
        return None
    return uri_user(name_addr(entries[-1] if last else entries[0])[1])[0]


def _split_commas(value: str) -> list[str]:
    out: list[str] = []
    cur: list[str] = []
    depth, quoted = 0, False
    for ch in value:
        if ch == '"':
            quoted = not quoted
        elif not quoted and ch == "<":
            depth += 1
        elif not quoted and ch == ">":
            depth = max(0, depth - 1)
        if ch == "," and not quoted and depth == 0:
            out.append("".join(cur).strip())
            cur = []
        else:
            cur.append(ch)
    if "".join(cur).strip():
        out.append("".join(cur).strip())
    return out


def caller_from_invite(message: str, *, from_proxy: bool) -> Caller:
    """Caller number, display name and dialled line from an INVITE.

    The line is P-Called-Party-ID, else the original called number of Diversion (its last entry),
    else the To user.  P-Asserted-Identity replaces From only when the INVITE came from our proxy:
    anybody else could write it.
    """
    h = parse_headers(message)
    display, from_uri = name_addr(h.get("from", [""])[0])
    number, host = uri_user(from_uri)
    asserted = False
    if from_proxy and h.get("p-asserted-identity"):
        pai_display, pai_uri = name_addr(_split_commas(h["p-asserted-identity"][0])[0] or "")
        pai_number = uri_user(pai_uri)[0]
        if pai_number:
            number, asserted = pai_number, True
            display = pai_display or display
    privacy = " ".join(h.get("privacy", [])).lower()
    anonymous = (
        number is None
        or number.lower() in _ANONYMOUS_USERS
        or (host or "").lower() == "anonymous.invalid"
        or ("id" in privacy.split(";") and not asserted)
    )
    if display is not None and display.lower() in _ANONYMOUS_USERS and anonymous:
        display = None
    line = (
        _first_user(h.get("p-called-party-id"))
        or _first_user(h.get("diversion"), last=True)
        or _first_user(h.get("to"))
    )
    return Caller(
        number=None if anonymous else _clip(number),
        display=_clip(display),
        line=_clip(line),
        anonymous=anonymous,
        asserted=asserted,
    )


_CSEQ = re.compile(r"^\d{1,10}\s+INVITE$")
_SINGLE = ("from", "to", "call-id", "cseq")


def invite_problem(message: str) -> str | None:  # noqa: PLR0911, PLR0912 - a flat list of checks
    """Why an INVITE pjsip let through is still not fit to ring the operator, or None.

    pjsip's parser is lenient; this is the engine's own second look before anything is shown.
    """
    if not message.startswith("INVITE "):
        return "not an INVITE"
    h = parse_headers(message)
    for name in _SINGLE:
        if len(h.get(name, [])) != 1:
            return f"needs exactly one {name} header"
    if not h.get("via"):
        return "no Via"
    if not _CSEQ.match(h["cseq"][0]):
        return "bad CSeq"
    if len(message) > MAX_INVITE:
        return "too large"
    if "\r\n\r\n" not in message:
        return "truncated (no end of headers)"
    lengths = h.get("content-length", [])
    if len(lengths) > 1:
        return "several Content-Length headers"
    body = message.partition("\r\n\r\n")[2]
    if lengths and (not lengths[0].isdigit() or int(lengths[0]) != len(body.encode("utf-8"))):
        return "Content-Length does not match the body"
    for name in ("from", "to"):
        value = h[name][0]
        if not _quotes_balanced(value):
            return f"unterminated quote in {name}"
        uri = name_addr(value)[1]
        if not uri.lower().startswith(_URI_SCHEMES) or uri_user(uri) == (None, None):
            return f"{name} is not a sip/sips/tel URI"
    mf = h.get("max-forwards", ["70"])
    if len(mf) != 1 or not mf[0].isdigit():
        return "bad Max-Forwards"
    return None


def _quotes_balanced(value: str) -> bool:
    quoted, escaped = False, False
    for ch in value:
        if escaped:
            escaped = False
        elif quoted and ch == "\\":
            escaped = True
        elif ch == '"':
            quoted = not quoted
    return not quoted
