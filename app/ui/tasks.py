"""Fire-and-forget coroutines on the GUI thread's asyncio loop (qasync), without losing errors.

asyncio keeps only weak references to tasks; a task nobody holds can be collected mid-flight.
`TaskGroup` holds them until done and routes exceptions to a handler instead of the void.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import Any

log = logging.getLogger(__name__)


class BackgroundTasks:
    def __init__(self, on_error: Callable[[BaseException], None]) -> None:
        self._tasks: set[asyncio.Task[Any]] = set()
        self._on_error = on_error

    def spawn(self, work: Awaitable[Any]) -> asyncio.Task[Any]:
        """`work`: a coroutine, or what a port returns (`app.services.ports`: already started)."""
        coro = work if asyncio.iscoroutine(work) else _awaiting(work)
        # get_running_loop: failing here beats a task parked on a loop that never runs.
        task = asyncio.get_running_loop().create_task(coro)
        self._tasks.add(task)
        task.add_done_callback(self._done)
        return task

    def _done(self, task: asyncio.Task[Any]) -> None:
        self._tasks.discard(task)
        if task.cancelled():
            return
        exc = task.exception()
        if exc is not None:
            self._on_error(exc)

    def cancel_all(self) -> None:
        for task in list(self._tasks):
            task.cancel()


async def _awaiting(work: Awaitable[Any]) -> Any:
    return await work
