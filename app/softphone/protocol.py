"""The engine's wire protocol: one JSON object per line on stdin (commands) and stdout (replies, events).

Shared by the engine (its stdin reader and stdout writer threads) and the window-side client (its
asyncio loop); pure functions, no threads of its own.

Requests: ``{"v": 1, "id": 7, "cmd": "answer", "call": 3}`` → reply ``{"v": 1, "reply": 7, "ok": true,
"result": {...}}`` or ``{"v": 1, "reply": 7, "ok": false, "error": "..."}``.
Events: ``{"v": 1, "event": "incoming_call", ...}``: every event, its fields and enums, and the
one codec both sides use are in app.softphone.events.

For people and shell scripts the same stdin also takes plain text: ``answer``, ``hangup``, ``hold``,
``resume``, ``dial <uri>``, ``transfer <uri>``, ``dtmf <digits>``, ``quit`` (and every other command
as ``name key=value ...``).  Text commands carry no id; their reply comes back with ``"reply": null``.
"""

from __future__ import annotations

import json
import shlex
from dataclasses import dataclass, field
from typing import Any

VERSION = 1

COMMANDS = frozenset(
    {
        "ping",
        "status",
        "dial",
        "answer",
        "reject",
        "hangup",
        "hold",
        "resume",
        "mute",
        "unmute",
        "dtmf",
        "transfer",
        "attended_transfer",
        "record_start",
        "record_stop",
        "quit",
    }
)

# Positional argument of each text command ("dial sip:1@host" → uri="sip:1@host").
_TEXT_POSITIONAL = {
    "dial": "uri",
    "transfer": "uri",
    "dtmf": "digits",
    "reject": "code",
    "record_start": "path",
}


class ProtocolError(ValueError):
    """A line that is not a valid command; the engine answers it with an error reply."""


@dataclass(frozen=True, slots=True)
class Command:
    """One decoded request.  ``id`` is None for text commands and JSON without an id."""

    name: str
    args: dict[str, Any] = field(default_factory=dict)
    id: int | None = None
    internal: bool = False  # made by the engine itself (stdin closed, SIGTERM): nobody awaits a reply


def parse_command(line: str) -> Command:
    """Decode one stdin line (JSON object or text command)."""
    text = line.strip()
    if not text:
        raise ProtocolError("empty line")
    if text.startswith("{"):
        return _parse_json(text)
    return _parse_text(text)


def _parse_json(text: str) -> Command:
    try:
        obj = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ProtocolError(f"not JSON: {exc.msg}") from exc
    if not isinstance(obj, dict):
        raise ProtocolError("a command must be a JSON object")
    version = obj.pop("v", VERSION)
    if version != VERSION:
        raise ProtocolError(f"protocol version {version!r} is not supported (this engine speaks {VERSION})")
    req_id = obj.pop("id", None)
    if req_id is not None and (not isinstance(req_id, int) or isinstance(req_id, bool)):
        raise ProtocolError("id must be an integer")
    name = obj.pop("cmd", None)
    if not isinstance(name, str) or name not in COMMANDS:
        raise ProtocolError(f"unknown command {name!r}")
    return Command(name=name, args=obj, id=req_id)


def _parse_text(text: str) -> Command:
    try:
        words = shlex.split(text)
    except ValueError as exc:
        raise ProtocolError(f"cannot split command: {exc}") from exc
    name, rest = words[0].lower(), words[1:]
    if name not in COMMANDS:
        raise ProtocolError(f"unknown command {name!r}")
    args: dict[str, Any] = {}
    for word in rest:
        key, sep, value = word.partition("=")
        if sep and key.isidentifier():
            args[key] = _scalar(value)
        elif name in _TEXT_POSITIONAL and _TEXT_POSITIONAL[name] not in args:
            args[_TEXT_POSITIONAL[name]] = _scalar(word) if name == "reject" else word
        else:
            raise ProtocolError(f"unexpected argument {word!r} for {name}")
    return Command(name=name, args=args)


def _scalar(value: str) -> Any:
    if value.lower() in ("true", "on", "yes"):
        return True
    if value.lower() in ("false", "off", "no"):
        return False
    try:
        return int(value)
    except ValueError:
        return value


def encode(obj: dict[str, Any]) -> str:
    """One line of output (no newline), compact, UTF-8 kept readable."""
    return json.dumps(obj, ensure_ascii=False, separators=(",", ":"))


def reply_ok(req_id: int | None, result: dict[str, Any] | None = None) -> dict[str, Any]:
    return {"v": VERSION, "reply": req_id, "ok": True, "result": result or {}}


def reply_error(req_id: int | None, error: str) -> dict[str, Any]:
    return {"v": VERSION, "reply": req_id, "ok": False, "error": error}


def request(req_id: int, name: str, **args: Any) -> dict[str, Any]:
    if name not in COMMANDS:
        raise ProtocolError(f"unknown command {name!r}")
    return {"v": VERSION, "id": req_id, "cmd": name, **args}


def decode_output(line: str) -> dict[str, Any]:
    """Decode one engine stdout line (client side)."""
    obj = json.loads(line)
    if not isinstance(obj, dict) or obj.get("v") != VERSION:
        raise ProtocolError(f"not a v{VERSION} message: {line[:200]!r}")
    return obj
