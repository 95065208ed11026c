"""The UI's ports, implemented by running blocking services on the database worker thread."""

from __future__ import annotations

import asyncio

from sqlalchemy import Engine, text
from sqlalchemy.exc import SQLAlchemyError

from app.services.db_worker import DatabaseWorker
from app.services.lookup import LookupService
from app.services.ports import DatabaseStatus
from app.services.sync_conflicts import ConflictService
from app.services.sync_ports import RefusedChange, RemoteConflict
from app.tickets.cards import LookupResult


class WorkerLookup:
    """`LookupPort` on the worker: the GUI awaits, the worker queries."""

    def __init__(self, worker: DatabaseWorker, service: LookupService) -> None:
        self._worker = worker
        self._service = service

    def lookup(self, query: str) -> asyncio.Future[LookupResult]:
        # Submitted at call time: the worker starts before the caller's coroutine first runs.
        return self._worker.run(self._service.lookup, query)


class WorkerDatabaseHealth:
    """`DatabaseHealthPort`: a `SELECT 1` on the worker, described without any password."""

    def __init__(self, worker: DatabaseWorker, engine: Engine) -> None:
        self._worker = worker
        self._engine = engine

    def _describe(self) -> tuple[str, str]:
        url = self._engine.url
        if url.get_backend_name() == "sqlite":
            return "SQLite", url.database or ":memory:"
        return "PostgreSQL", f"{url.host or 'localhost'}/{url.database}"

    def _check(self) -> DatabaseStatus:
        backend, location = self._describe()
        try:
            with self._engine.connect() as conn:
                conn.execute(text("SELECT 1"))
        except SQLAlchemyError as exc:
            # The first line only: drivers append SQL and connection details after it.
            reason = str(getattr(exc, "orig", exc) or exc).splitlines()[0][:200]
            return DatabaseStatus(ok=False, backend=backend, location=location, error=reason)
        return DatabaseStatus(ok=True, backend=backend, location=location)

    async def status(self) -> DatabaseStatus:
        return await self._worker.run(self._check)


class WorkerSync:
    """`SyncPort` over a `ConflictService` on the desk's database worker."""

    def __init__(self, worker: DatabaseWorker, service: ConflictService) -> None:
        self._worker = worker
        self._service = service

    async def conflicts(self) -> list[RemoteConflict]:
        return await self._worker.run(self._service.conflicts)

    async def resolve(self, key: str) -> None:
        await self._worker.run(self._service.resolve, key)

    async def refused(self) -> list[RefusedChange]:
        return await self._worker.run(self._service.refused)
