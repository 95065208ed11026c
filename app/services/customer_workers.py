"""`CustomerPort` (`app.services.customer_ports`) on the database worker: the GUI awaits, the worker works."""

from __future__ import annotations

from app.services.customers import CustomerService
from app.services.db_worker import DatabaseWorker
from app.tickets.cards import CustomerCard


class WorkerCustomers:
    """`CustomerPort` over a `CustomerService`."""

    def __init__(self, worker: DatabaseWorker, service: CustomerService) -> None:
        self._worker = worker
        self._service = service

    async def create(
        self,
        *,
        phone: str,
        name: str | None,
        address: str | None,
        region: str | None,
        notes: str | None,
        operator_login: str | None,
    ) -> CustomerCard:
        return await self._worker.run(
            self._service.create,
            phone=phone,
            name=name,
            address=address,
            region=region,
            notes=notes,
            operator_login=operator_login,
        )
