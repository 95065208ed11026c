"""The one way tests wait for something another process does.

Inside the test process, await the signal or event instead (`qtbot.waitSignal`, `asyncio.Event`,
`threading.Event`).  Another process -- an engine's recording growing, a JSON log line, a daemon
answering on its socket -- gives no signal to await: `wait_until` polls it, returns what the
condition found, and fails the test saying what did not happen and for how long.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TypeVar

import pytest

T = TypeVar("T")


def wait_until(
    condition: Callable[[], T],
    *,
    timeout: float,
    what: str | Callable[[], str],
    interval: float = 0.05,
) -> T:
    """Poll `condition` every `interval` seconds until it returns something truthy (returned);
    fail with `what` (a text, or a function that describes the state now) after `timeout` seconds.
    An exception from `condition` (a process that died) ends the wait at once."""
    deadline = time.monotonic() + timeout
    while True:
        found = condition()
        if found:
            return found
        if time.monotonic() > deadline:
            pytest.fail(f"{what() if callable(what) else what} (waited {timeout:g} s)")
        time.sleep(interval)
