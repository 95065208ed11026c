"""How the window waits for the database: one serialized worker thread per database, and the one
way a blocking service is awaited on it.

Everything that touches SQLAlchemy runs on a worker, so the GUI thread never waits on a query and
a session is only ever used by the thread that created it (`app.thread_rules` checks the first
half).  The window depends on the async interfaces of `app.services.ports`; the composition root
makes each blocking service satisfy its port with `awaited`::

    tickets = awaited(worker, TicketService(engine, ...), TicketPort)
    view = await tickets.save(ticket_id, draft, version, login)  # TicketService.save, on the worker
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import inspect
import logging
from collections.abc import Callable
from typing import Any, ParamSpec, TypeVar, cast

log = logging.getLogger(__name__)

P = ParamSpec("P")
T = TypeVar("T")
PortT = TypeVar("PortT")


class DatabaseWorker:
    """A single-thread executor with a name that shows up in thread dumps."""

    def __init__(self, name: str = "db") -> None:
        self._executor = concurrent.futures.ThreadPoolExecutor(
            max_workers=1, thread_name_prefix=f"{name}-worker"
        )

    def submit(
        self, fn: Callable[P, T], /, *args: P.args, **kwargs: P.kwargs
    ) -> concurrent.futures.Future[T]:
        return self._executor.submit(fn, *args, **kwargs)

    def run(self, fn: Callable[P, T], /, *args: P.args, **kwargs: P.kwargs) -> asyncio.Future[T]:
        """Submit now, await on the caller's asyncio loop (the GUI thread under qasync).

        The one way results cross from the worker to the GUI thread; submitting at call time (not
        at first await) lets the database start while the GUI carries on.
        """
        return asyncio.wrap_future(self.submit(fn, *args, **kwargs))

    def shutdown(self, wait: bool = True) -> None:
        self._executor.shutdown(wait=wait, cancel_futures=True)


class PortMismatch(TypeError):
    """A service wired to a port it does not implement (a programming error, found at start)."""


def awaited(worker: DatabaseWorker, service: object, port: type[PortT]) -> PortT:
    """`service` (blocking) as `port` (awaitable): each of the port's methods runs the service's
    method of that name on `worker`, submitted when called, awaited by the caller.

    Raises:
        PortMismatch: `service` lacks one of the port's methods, or one takes other parameters
            (names, kinds, defaults, annotations) or returns another type.
    """
    methods = {name: _service_method(service, port, name) for name in port_methods(port)}
    # The cast is the one place the type checker takes our word: `_OnWorker` has the port's
    # methods only at run time, and `port_methods`/`_service_method` have just checked that each
    # takes the port's parameters (so a call the port allows is one the service accepts).
    return cast(PortT, _OnWorker(worker, service, port, methods))


def port_methods(port: type) -> list[str]:
    """The methods a port declares (its public functions)."""
    return [name for name, member in vars(port).items() if not name.startswith("_") and callable(member)]


def _service_method(service: object, port: type, name: str) -> Callable[..., Any]:
    method: Callable[..., Any] | None = getattr(service, name, None)
    where = f"{type(service).__name__}.{name} for {port.__name__}"
    if not callable(method):
        raise PortMismatch(f"{where}: there is no such method")
    wanted = inspect.signature(getattr(port, name))
    offered = inspect.signature(method)
    problems = [
        *_positional_order(wanted, offered),
        *_parameter_differences(wanted, offered),
        *_return_difference(wanted, offered),
    ]
    if problems:
        raise PortMismatch(f"{where}: {'; '.join(problems)}")
    return method


# Annotations are compared as written (every module here defers them, PEP 563): a port and its
# service name their types alike, and resolving them would import what the port must not.
_POSITIONAL = (inspect.Parameter.POSITIONAL_ONLY, inspect.Parameter.POSITIONAL_OR_KEYWORD)
_VARIADIC = (inspect.Parameter.VAR_POSITIONAL, inspect.Parameter.VAR_KEYWORD)


def _port_parameters(wanted: inspect.Signature) -> list[inspect.Parameter]:
    return list(wanted.parameters.values())[1:]  # without self


def _positional_order(wanted: inspect.Signature, offered: inspect.Signature) -> list[str]:
    ours = [p.name for p in _port_parameters(wanted) if p.kind in _POSITIONAL]
    theirs = [p.name for p in offered.parameters.values() if p.kind in _POSITIONAL]
    if theirs[: len(ours)] != ours:
        return [f"positional parameters {theirs}, the port's {ours}"]
    return []


def _parameter_differences(wanted: inspect.Signature, offered: inspect.Signature) -> list[str]:
    """What makes a call the port allows one the service would refuse or read differently."""
    problems = []
    ours = _port_parameters(wanted)
    for param in ours:
        other = offered.parameters.get(param.name)
        if other is None:
            problems.append(f"no parameter {param.name!r}")
        elif other.kind != param.kind:
            problems.append(
                f"{param.name!r} is {other.kind.description}, the port's {param.kind.description}"
            )
        elif param.default is not inspect.Parameter.empty and other.default != param.default:
            problems.append(f"{param.name!r} defaults to {other.default!r}, the port's to {param.default!r}")
        elif other.annotation != param.annotation:
            problems.append(f"{param.name!r} is {other.annotation}, the port's {param.annotation}")
    named = {p.name for p in ours}
    problems += [
        f"needs {other.name!r}, which the port never passes"
        for other in offered.parameters.values()
        if other.name not in named
        and other.default is inspect.Parameter.empty
        and other.kind not in _VARIADIC
    ]
    return problems


def _return_difference(wanted: inspect.Signature, offered: inspect.Signature) -> list[str]:
    """A port returns ``Awaitable[X]`` of the service's ``X``."""
    if wanted.return_annotation != f"Awaitable[{offered.return_annotation}]":
        return [f"returns {offered.return_annotation}, the port {wanted.return_annotation}"]
    return []


class _OnWorker:
    """A blocking service seen through a port: its methods run on the worker (see `awaited`)."""

    def __init__(
        self, worker: DatabaseWorker, service: object, port: type, methods: dict[str, Callable[..., Any]]
    ) -> None:
        self._description = f"{type(service).__name__} as {port.__name__} on the worker"
        for name, method in methods.items():
            setattr(self, name, _submitting(worker, method))

    def __repr__(self) -> str:
        return f"<{self._description}>"


def _submitting(worker: DatabaseWorker, method: Callable[..., T]) -> Callable[..., asyncio.Future[T]]:
    def submit(*args: Any, **kwargs: Any) -> asyncio.Future[T]:
        return worker.run(method, *args, **kwargs)

    submit.__name__ = submit.__qualname__ = method.__name__
    return submit
