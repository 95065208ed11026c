"""What the window needs from the services, as small async interfaces (no SQL imported here).

The composition root (`app.main`) supplies implementations that run the real work on the
database worker thread; tests may supply their own.  Every method is awaited on the GUI thread
and must never block it.
"""

from __future__ import annotations

from collections.abc import Awaitable
from dataclasses import dataclass
from typing import Protocol

from app.tickets.cards import LookupResult


@dataclass(frozen=True, slots=True)
class DatabaseStatus:
    ok: bool
    backend: str  # "SQLite" / "PostgreSQL"
    location: str  # file path or host/database, never with a password
    error: str | None = None


class LookupPort(Protocol):
    def lookup(self, query: str) -> Awaitable[LookupResult]:
        """Start the lookup now (not when first awaited), so the database works while the GUI
        paints the pop; await the result."""
        ...


class DatabaseHealthPort(Protocol):
    async def status(self) -> DatabaseStatus: ...
