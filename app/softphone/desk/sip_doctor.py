"""`frontline doctor`'s SIP check: register with the configured account, say how it went, and
whether the registrar answers at all.

Runs in the caller's thread (the CLI's main thread): starts a short-lived engine process, waits for
its registration result, asks it (``status``) whether the registrar answered its keep-alive OPTIONS,
and asks it to quit (it unregisters).  pjsua2 never loads in the caller.  The two answers together
tell IT where to look: a registrar that answers but refuses the account (password, user), or one
that does not answer at all (address, network, the server itself).
"""

from __future__ import annotations

import json
import queue
import subprocess
import threading
import time
from collections.abc import Callable
from typing import IO, Any

from app.config import SiteConfig
from app.doctor_checks import CheckResult
from app.softphone.desk.client import engine_args, engine_command


def check_sip(site: SiteConfig, timeout: float = 10.0) -> CheckResult:
    sip = site.sip
    if not sip.server:
        where = f", listening on {sip.listen}" if sip.listen else ""
        return CheckResult(
            "sip", True, f"Peer-to-peer mode: no registrar configured{where}.", {"mode": "p2p"}
        )
    if not sip.username:
        return CheckResult("sip", False, "[sip] server is set but username is missing in the site file.")
    target = f"{sip.server}:{sip.port}" if sip.port else sip.server
    data: dict[str, object] = {
        "server": target,
        "transport": sip.transport,
        "username": sip.username,
        "register_expires_s": sip.register_expires_s,
        "register_refresh_s": sip.register_refresh_s,
        "keepalive_s": sip.keepalive_s,
    }
    try:
        proc = subprocess.Popen(  # noqa: S603 - our own interpreter and options
            # A 1-s keep-alive: the first OPTIONS goes within a second, whatever the site's cadence.
            [*engine_command(), *engine_args(site), "--ring-timeout", "1", "--keepalive", "1"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
        )
    except OSError as exc:
        return CheckResult("sip", False, f"Cannot start the softphone engine: {exc}.", data)
    lines: queue.SimpleQueue[dict[str, Any] | None] = queue.SimpleQueue()
    assert proc.stdout is not None
    threading.Thread(target=_read, args=(proc.stdout, lines), daemon=True).start()
    try:
        outcome = _wait_registration(proc, lines, timeout)
        stopped = outcome is not None and outcome.get("event") == "engine_stopping"
        registrar = "unknown" if stopped else _registrar_reachability(proc, lines)
    finally:
        _quit(proc)
    data["registrar"] = registrar
    return _verdict(outcome, f"{sip.username} at {target} over {sip.transport}", timeout, data)


_REACHABILITY = {
    "answering": "the registrar answers keep-alive OPTIONS",
    "silent": "the registrar does not answer keep-alive OPTIONS",
    "unknown": "whether the registrar answers OPTIONS is unknown",
}


def _verdict(
    outcome: dict[str, Any] | None, who: str, timeout: float, data: dict[str, object]
) -> CheckResult:
    reach = _REACHABILITY.get(str(data.get("registrar")), _REACHABILITY["unknown"])
    if outcome is None:
        return CheckResult(
            "sip",
            False,
            f"No answer to REGISTER for {who} within {timeout:g} s and {reach}: check the server "
            "address, the network and that the registrar runs.",
            data,
        )
    data.update({k: outcome.get(k) for k in ("state", "code", "reason", "expires", "error")})
    if outcome.get("event") == "engine_stopping":
        return CheckResult(
            "sip", False, f"The softphone engine could not start: {outcome.get('error')}.", data
        )
    if outcome.get("state") == "registered":
        refresh = f"refreshed every {data['register_refresh_s']} s"
        return CheckResult(
            "sip",
            True,
            f"Registered as {who} (expires {outcome.get('expires')} s, {refresh}); {reach}.",
            data,
        )
    hint = ""
    if data.get("registrar") == "answering":
        hint = ": the server is up, so check the account (user name, password in the keyring)"
    elif data.get("registrar") == "silent":
        hint = ": check the server address, the network and that the registrar runs"
    return CheckResult(
        "sip", False, f"Registration of {who} failed: {outcome.get('reason')}; {reach}{hint}.", data
    )


def _registrar_reachability(
    proc: subprocess.Popen[bytes], lines: queue.SimpleQueue[dict[str, Any] | None], timeout: float = 5.0
) -> str:
    """What the engine's keep-alive found (its ``status``): answering | silent | unknown."""
    deadline = time.monotonic() + timeout
    asked = 0
    while time.monotonic() < deadline and proc.stdin is not None:
        asked += 1
        try:
            proc.stdin.write(json.dumps({"v": 1, "id": asked, "cmd": "status"}).encode() + b"\n")
            proc.stdin.flush()
        except OSError:
            return "unknown"
        reply = _next_reply(lines, asked, deadline)
        registrar = str(((reply or {}).get("result") or {}).get("registrar", "unknown"))
        if registrar in ("answering", "silent"):
            return registrar
        time.sleep(0.2)  # the engine's first OPTIONS goes within a second (--keepalive 1)
    return "unknown"


def _next_reply(
    lines: queue.SimpleQueue[dict[str, Any] | None], request_id: int, deadline: float
) -> dict[str, Any] | None:
    msg = _next_message(lines, deadline, lambda m: m.get("reply") == request_id)
    return msg if msg is not _EXITED else None


def _wait_registration(
    proc: subprocess.Popen[bytes], lines: queue.SimpleQueue[dict[str, Any] | None], timeout: float
) -> dict[str, Any] | None:
    def outcome(msg: dict[str, Any]) -> bool:
        if msg.get("event") == "registration_changed":
            return msg.get("state") in ("registered", "failed")
        return msg.get("event") == "engine_stopping"

    msg = _next_message(lines, time.monotonic() + timeout, outcome)
    if msg is _EXITED:
        return {"event": "engine_stopping", "error": f"it exited with code {proc.poll()}"}
    return msg


_EXITED: dict[str, Any] = {"event": "engine_exited"}  # the engine's stdout ended


def _next_message(
    lines: queue.SimpleQueue[dict[str, Any] | None], deadline: float, wanted: Callable[[dict[str, Any]], bool]
) -> dict[str, Any] | None:
    """The first message `wanted` accepts before `deadline` (None), or `_EXITED`."""
    while (left := deadline - time.monotonic()) > 0:
        try:
            msg = lines.get(timeout=left)
        except queue.Empty:
            return None
        if msg is None:
            return _EXITED
        if wanted(msg):
            return msg
    return None


def _read(stream: IO[bytes], out: queue.SimpleQueue[dict[str, Any] | None]) -> None:
    for raw in stream:
        try:
            msg = json.loads(raw)
        except ValueError:
            continue
        if isinstance(msg, dict):
            out.put(msg)
    out.put(None)


def _quit(proc: subprocess.Popen[bytes]) -> None:
    try:
        if proc.stdin is not None:
            proc.stdin.write(b"quit\n")
            proc.stdin.close()
        proc.wait(5)
    except (OSError, subprocess.TimeoutExpired):
        proc.kill()
        proc.wait()
    if proc.stdout is not None:
        proc.stdout.close()
