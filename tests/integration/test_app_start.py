"""The real workstation process: it starts on the embedded database, becomes usable, pays the first
call's one-off costs once it is (issue 13, `app.warm_up`), and quits cleanly on SIGTERM (how a
session logout or `systemctl` ends it)."""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from tests.fixtures.processes import window

pytestmark = pytest.mark.gui


def _events(log: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in log.read_text(encoding="utf-8").splitlines()] if log.exists() else []


def _wait_event(log: Path, name: str, timeout: float) -> dict[str, Any]:
    """The app's first `name` event in its JSON log (another process: polled, no signal to await)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = next((e for e in _events(log) if e["event"] == name), None)
        if found is not None:
            return found
        time.sleep(0.1)
    pytest.fail(f"no {name} event in {timeout} s: {[e['event'] for e in _events(log)]}")


def test_window_becomes_ready_and_stops_cleanly_on_sigterm(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'fresh.sqlite3'}"
    log = tmp_path / "events.jsonl"
    env = {"QT_QPA_PLATFORM": "offscreen", "FRONTLINE_DATA_DIR": str(tmp_path)}
    with window([sys.executable, "-m", "app", "--db", db, "--demo", "--json-log", str(log)], env) as app:
        # The first database check runs at start-up, not after the periodic interval (15 s).
        assert "ok=True" in app.wait_ready(timeout=12)
        warmed = _wait_event(log, "warmed_up", timeout=20)
        assert warmed["looked_up"] is True  # a stored customer's lookup, on the worker
        assert warmed["ts"] >= _wait_event(log, "window_shown", timeout=1)["ts"]
        assert app.quit(timeout=20) == 0, app.log
    assert "Traceback" not in app.log
