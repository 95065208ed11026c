"""The shape of one `frontline doctor` check, shared by every part that contributes a check."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class CheckResult:
    """One line of `frontline doctor`: what was checked, whether it is fine, and what to do if not."""

    name: str  # short id: "config", "database", "keyring", "sip", "audio"
    ok: bool
    detail: str  # one human sentence: what was found, or what is wrong and what to do
    data: dict[str, object] | None = None  # machine-readable extras for --json
