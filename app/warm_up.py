"""The first call after start as quick as any other: its one-off costs paid while the desk is idle.

Measured with benchmarks/screen_pop_bench.py (100 000 customers): the first call's card took
45-80 ms where later ones took about 15 (and once stalled the window 42 ms).  What that first
call paid, and where it is paid now:

* the first lookup, on the database worker: building and compiling its statements (SQLAlchemy
  keeps them compiled per engine), this connection's page cache, the site region's phone metadata
  -- 35-55 ms.  `LookupService.warm_up` runs one lookup of a stored number instead;
* phone metadata loaded on first use, also on the GUI thread (the pop and the card format the
  caller's number): every region's is loaded here on a background thread, and its patterns are
  kept compiled (`app.tickets.phones.load_phone_metadata`);
* a full garbage collection falling due soon after start (60-160 ms, every thread stopped): the
  objects start-up made -- the window, the compiled statements, the metadata -- are frozen once
  the warm-up has made its own (`gc.freeze`), so the collections of a shift only look at what its
  calls create.  Nothing is frozen that a call makes: the soak over many calls is unchanged.

It starts once the window is ready (its first database check answered), so the start-up itself
waits for none of it; a call ringing meanwhile only queues its lookup behind the warm-up one (the
worker runs one thing at a time).  None of it repeats per call.  The JSON event log says when it
is done (``warmed_up``); a failure (the database unreachable at start) is logged and the first
call simply pays as before.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import logging
import time
from collections.abc import AsyncIterator
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING

from app.errors import UserFacingError
from app.tickets.phones import load_phone_metadata

if TYPE_CHECKING:
    from app.json_log import JsonEventLog
    from app.services.database_status import DatabaseStatus
    from app.services.database_worker import DatabaseWorker
    from app.services.lookup import LookupService
    from app.ui.main_window import MainWindow

log = logging.getLogger(__name__)


@contextlib.asynccontextmanager
async def warming_up(
    window: MainWindow, worker: DatabaseWorker, lookup: LookupService, json_log: JsonEventLog
) -> AsyncIterator[None]:
    """While the block runs (the window's life): once `window` is ready, pay the first call's
    one-off costs in the background (see the module)."""
    ready: asyncio.Future[None] = asyncio.get_running_loop().create_future()

    def on_status(_status: DatabaseStatus) -> None:
        if not ready.done():
            ready.set_result(None)

    window.database_status_changed.connect(on_status)  # before the first check can answer
    task = asyncio.ensure_future(_warm_up(ready, worker, lookup, json_log))
    task.add_done_callback(_report_failure)
    try:
        yield
    finally:
        task.cancel()


async def _warm_up(
    ready: asyncio.Future[None], worker: DatabaseWorker, lookup: LookupService, json_log: JsonEventLog
) -> None:
    await ready
    began = time.perf_counter()
    number = None
    try:
        number = await worker.run(lookup.warm_up)
    except UserFacingError as exc:  # the database unreachable now: the first call pays as before
        log.info("start-up warm-up skipped the lookup: %s", exc.english)
    # A thread of its own, not the loop's default executor: under qasync that is a pool of
    # QThreads, which must be shut down with the loop (and warns if it is not).
    metadata = ThreadPoolExecutor(max_workers=1, thread_name_prefix="warm-up")
    try:
        await asyncio.get_running_loop().run_in_executor(metadata, load_phone_metadata)
    finally:
        metadata.shutdown(wait=False)  # its one job is done, or finishes on its own (closing)
    gc.freeze()
    json_log.write(
        "warmed_up",
        ms=round((time.perf_counter() - began) * 1000, 1),
        looked_up=number is not None,
        frozen_objects=gc.get_freeze_count(),
    )


def _report_failure(task: asyncio.Future[None]) -> None:
    if not task.cancelled() and task.exception() is not None:
        log.error("start-up warm-up failed", exc_info=task.exception())
