"""Whether the desk's database answers, for the status bar (blocking: run it on the database
worker, as `app.services.ports.DatabaseHealthPort`)."""

from __future__ import annotations

from sqlalchemy import Engine, text
from sqlalchemy.exc import SQLAlchemyError

from app.services.database_status import DatabaseStatus


class DatabaseHealth:
    """A `SELECT 1`, described without any password."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def _describe(self) -> tuple[str, str]:
        url = self._engine.url
        if url.get_backend_name() == "sqlite":
            return "SQLite", url.database or ":memory:"
        return "PostgreSQL", f"{url.host or 'localhost'}/{url.database}"

    def status(self) -> DatabaseStatus:
        backend, location = self._describe()
        try:
            with self._engine.connect() as conn:
                conn.execute(text("SELECT 1"))
        except SQLAlchemyError as exc:
            # The first line only: drivers append SQL and connection details after it.
            reason = str(getattr(exc, "orig", exc) or exc).splitlines()[0][:200]
            return DatabaseStatus(ok=False, backend=backend, location=location, error=reason)
        return DatabaseStatus(ok=True, backend=backend, location=location)
