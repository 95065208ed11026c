"""What the window shows of the database it works on (no SQL here: the UI reads it)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class DatabaseStatus:
    ok: bool
    backend: str  # "SQLite" / "PostgreSQL"
    location: str  # file path or host/database, never with a password
    error: str | None = None
