"""`frontline doctor`'s SIP check: register with the configured account and say how it went.

Runs in the caller's thread (the CLI's main thread): starts a short-lived engine process, waits for
its registration result, asks it to quit (it unregisters).  pjsua2 never loads in the caller.
"""

from __future__ import annotations

import json
import queue
import subprocess
import threading
import time
from typing import IO, Any

from app.config import SiteConfig
from app.doctor_checks import CheckResult
from app.softphone.client import engine_args, engine_command


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
    data: dict[str, object] = {"server": target, "transport": sip.transport, "username": sip.username}
    try:
        proc = subprocess.Popen(  # noqa: S603 - our own interpreter and options
            [*engine_command(), *engine_args(site), "--ring-timeout", "1"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
        )
    except OSError as exc:
        return CheckResult("sip", False, f"Cannot start the softphone engine: {exc}.", data)
    try:
        outcome = _wait_registration(proc, timeout)
    finally:
        _quit(proc)
    return _verdict(outcome, f"{sip.username} at {target} over {sip.transport}", timeout, data)


def _verdict(
    outcome: dict[str, Any] | None, who: str, timeout: float, data: dict[str, object]
) -> CheckResult:
    if outcome is None:
        return CheckResult(
            "sip", False, f"No answer from the registrar for {who} within {timeout:g} s.", data
        )
    data.update({k: outcome.get(k) for k in ("state", "code", "reason", "expires", "error")})
    if outcome.get("event") == "engine_stopping":
        return CheckResult(
            "sip", False, f"The softphone engine could not start: {outcome.get('error')}.", data
        )
    if outcome.get("state") == "registered":
        return CheckResult("sip", True, f"Registered as {who} (expires {outcome.get('expires')} s).", data)
    return CheckResult("sip", False, f"Registration of {who} failed: {outcome.get('reason')}.", data)


def _wait_registration(proc: subprocess.Popen[bytes], timeout: float) -> dict[str, Any] | None:
    lines: queue.SimpleQueue[dict[str, Any] | None] = queue.SimpleQueue()
    assert proc.stdout is not None
    threading.Thread(target=_read, args=(proc.stdout, lines), daemon=True).start()
    deadline = time.monotonic() + timeout
    while (left := deadline - time.monotonic()) > 0:
        try:
            msg = lines.get(timeout=left)
        except queue.Empty:
            return None
        if msg is None:
            return {"event": "engine_stopping", "error": f"it exited with code {proc.poll()}"}
        if msg.get("event") == "engine_stopping":
            return msg
        if msg.get("event") == "registration_changed" and msg.get("state") in ("registered", "failed"):
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
