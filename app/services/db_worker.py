"""One serialized worker thread per database.

Everything that touches SQLAlchemy runs here, so the GUI thread never waits on a query and a
session is only ever used by the thread that created it.  Callers get a
`concurrent.futures.Future` (awaitable on the GUI thread with `asyncio.wrap_future`).
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import logging
from collections.abc import Callable
from typing import ParamSpec, TypeVar

log = logging.getLogger(__name__)

P = ParamSpec("P")
T = TypeVar("T")


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
