"""`awaited`: a blocking service seen through its port, run on the database worker.

The services here are small stand-ins (pure Python, no database): what is tested is the wiring --
each port method runs the service's method of that name on the worker, started when called, and a
service that does not fit its port is refused when wired, not on the first call.  The real
services against their ports are checked below too.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Awaitable
from typing import Protocol

import pytest

from app.services import ports
from app.services.calls import CallService
from app.services.customers import CustomerService
from app.services.database_health import DatabaseHealth
from app.services.database_worker import DatabaseWorker, PortMismatch, awaited, port_methods
from app.services.lookup import LookupService
from app.services.operator_states import OperatorStateService
from app.services.scripts import ScriptService
from app.services.sync_conflicts import ConflictService
from app.services.tickets import TicketService
from app.services.unfinished import UnfinishedTicketService
from app.storage.draft_store import DraftStore
from app.tickets.cards import LookupResult
from app.tickets.enums import QueryKind
from app.tickets.unfinished import UnfinishedTicket


class Lookups:
    def __init__(self) -> None:
        self.started = threading.Event()
        self.release = threading.Event()
        self.threads: list[str] = []

    def lookup(self, query: str, *, limit: int = 20) -> LookupResult:  # an extra optional: allowed
        self.threads.append(threading.current_thread().name)
        self.started.set()
        assert self.release.wait(10)
        return LookupResult(query=query, kind=QueryKind.PHONE, normalized=query, customers=())


def test_a_port_method_starts_on_the_worker_when_called_and_is_awaited(worker: DatabaseWorker) -> None:
    service = Lookups()
    port = awaited(worker, service, ports.LookupPort)

    async def pop() -> LookupResult:
        pending = port.lookup("+79161234567")
        assert service.started.wait(10)  # working before anyone awaited it
        service.release.set()
        return await pending

    assert asyncio.run(pop()).query == "+79161234567"
    assert len(service.threads) == 1
    assert service.threads[0].startswith("test-db-worker")


class Unfinished:
    def of_operator(self, operator_login: str | None) -> tuple[UnfinishedTicket, ...]:
        return ()

    def of_department(self, department_id: int) -> tuple[UnfinishedTicket, ...]:
        return ()


def test_a_service_that_fits_its_port_is_wired(worker: DatabaseWorker) -> None:
    port = awaited(worker, Unfinished(), ports.UnfinishedPort)

    async def board() -> tuple[UnfinishedTicket, ...]:
        return await port.of_department(3)

    assert asyncio.run(board()) == ()
    assert "Unfinished as UnfinishedPort" in repr(port)


class Missing:
    def of_operator(self, operator_login: str | None) -> tuple[UnfinishedTicket, ...]:
        return ()


class Renamed(Unfinished):
    def of_department(self, department: int) -> tuple[UnfinishedTicket, ...]:  # type: ignore[override]
        return ()


class OtherType(Unfinished):
    def of_department(self, department_id: str) -> tuple[UnfinishedTicket, ...]:  # type: ignore[override]
        return ()


class KeywordOnly(Unfinished):
    def of_department(self, *, department_id: int) -> tuple[UnfinishedTicket, ...]:  # type: ignore[override]
        return ()


class NeedsMore(Unfinished):
    def of_department(self, department_id: int, shift: int) -> tuple[UnfinishedTicket, ...]:  # type: ignore[override]
        return ()


class ReturnsOther(Unfinished):
    def of_department(self, department_id: int) -> list[UnfinishedTicket]:  # type: ignore[override]
        return []


@pytest.mark.parametrize(
    ("service", "said"),
    [
        (Missing(), "Missing.of_department for UnfinishedPort: there is no such method"),
        (Renamed(), "positional parameters ['department'], the port's ['department_id']"),
        (OtherType(), "'department_id' is str, the port's int"),
        (KeywordOnly(), "'department_id' is keyword-only, the port's positional or keyword"),
        (NeedsMore(), "needs 'shift', which the port never passes"),
        (ReturnsOther(), "returns list[UnfinishedTicket], the port Awaitable[tuple[UnfinishedTicket, ...]]"),
    ],
    ids=["missing", "renamed", "another-type", "keyword-only", "needs-more", "returns-another"],
)
def test_a_service_that_does_not_fit_is_refused_when_wired(
    worker: DatabaseWorker, service: object, said: str
) -> None:
    with pytest.raises(PortMismatch) as refused:
        awaited(worker, service, ports.UnfinishedPort)
    assert said in str(refused.value)


class GreetingPort(Protocol):
    def greet(self, name: str, polite: bool = True) -> Awaitable[str]: ...


class RudeGreeter:
    def greet(self, name: str, polite: bool = False) -> str:
        return name


def test_a_different_default_is_refused(worker: DatabaseWorker) -> None:
    """The window would get the service's default where it relied on the port's."""
    with pytest.raises(PortMismatch, match="'polite' defaults to False, the port's to True"):
        awaited(worker, RudeGreeter(), GreetingPort)


@pytest.mark.parametrize(
    ("service", "port"),
    [
        (LookupService, ports.LookupPort),
        (DatabaseHealth, ports.DatabaseHealthPort),
        (TicketService, ports.TicketPort),
        (CallService, ports.CallPort),
        (OperatorStateService, ports.OperatorStatePort),
        (ScriptService, ports.ScriptPort),
        (CustomerService, ports.CustomerPort),
        (DraftStore, ports.DraftPort),
        (UnfinishedTicketService, ports.UnfinishedPort),
        (ConflictService, ports.SyncPort),
    ],
    ids=lambda v: v.__name__,
)
def test_every_real_service_fits_the_port_the_window_awaits_it_through(
    worker: DatabaseWorker, service: type, port: type
) -> None:
    """The pairs `app.main` wires (each port's docstring names its service)."""
    assert service.__name__ in (port.__doc__ or "")
    wired = awaited(worker, object.__new__(service), port)  # no database needed to wire it
    assert all(callable(getattr(wired, name)) for name in port_methods(port))
