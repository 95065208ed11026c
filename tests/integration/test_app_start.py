"""The real workstation process: it starts on the embedded database, becomes usable, pays the first
call's one-off costs once it is (issue 13, `app.warm_up`), and quits cleanly on SIGTERM (how a
session logout or `systemctl` ends it)."""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.fixtures.processes import frontline, window
from tests.waiting import wait_until

pytestmark = pytest.mark.gui


def _events(log: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in log.read_text(encoding="utf-8").splitlines()] if log.exists() else []


def _wait_event(log: Path, name: str, timeout: float) -> dict[str, Any]:
    """The app's first `name` event in its JSON log (another process: polled, no signal to await)."""
    return wait_until(
        lambda: next((e for e in _events(log) if e["event"] == name), None),
        timeout=timeout,
        what=lambda: f"no {name} event: {[e['event'] for e in _events(log)]}",
        interval=0.1,
    )


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
        running = {_thread_kind(name) for name in _wait_event(log, "threads", timeout=20)["names"]}
        assert app.quit(timeout=20) == 0, app.log
    assert "Traceback" not in app.log
    assert running - _threads_in_the_design() == set(), "threads docs/DESIGN.md does not map"
    assert {"MainThread", "db-worker", "drafts-worker"} <= running


def _thread_kind(name: str) -> str:
    """`db-worker_0` -> `db-worker`, `asyncio-waitpid-3` -> `asyncio-waitpid-N`: a pool's or a child's thread."""
    return re.sub(r"_\d+$", "", re.sub(r"^asyncio-waitpid-\d+$", "asyncio-waitpid-N", name))


def _threads_in_the_design() -> set[str]:
    """The window's threads as docs/DESIGN.md's table names them (first column, in backquotes)."""
    design = (Path(__file__).parents[2] / "docs" / "DESIGN.md").read_text(encoding="utf-8")
    table = design.split("### Window process", 1)[1].split("###", 1)[0]
    return {m.group(1) for m in re.finditer(r"^\| `([\w-]+)`", table, re.MULTILINE)}


# The window as `python -m app` runs it, counting the source text linecache reads, and reporting
# on exit that, what linecache still holds, and whether Alembic was imported.
_REPORT_ON_EXIT = """
import atexit, linecache, sys
read = 0
def counted(filename, module_globals=None, _update=linecache.updatecache):
    global read
    lines = _update(filename, module_globals)
    read += sum(map(len, lines))
    return lines
linecache.updatecache = counted
def report():
    held = sum(len(line) for entry in linecache.cache.values() if len(entry) > 2 for line in entry[2])
    alembic = int("alembic" in sys.modules)
    print(f"on exit: read {read} held {held} alembic {alembic}", file=sys.stderr, flush=True)
atexit.register(report)
from app.cli import main
sys.exit(main(sys.argv[1:]))
"""


def _window_report(tmp_path: Path) -> dict[str, int]:
    """Start the window on a desk's database (migrated: demo data), quit it; its exit report."""
    db = f"sqlite:///{tmp_path / 'desk.sqlite3'}"
    env = {"QT_QPA_PLATFORM": "offscreen", "FRONTLINE_DATA_DIR": str(tmp_path)}
    made = frontline("demo-data", "--db", db, "--customers", "50", env=env)
    assert made.returncode == 0, made.stderr
    with window([sys.executable, "-c", _REPORT_ON_EXIT, "--db", db], env) as app:
        app.wait_ready(timeout=12)
        assert app.quit(timeout=20) == 0, app.log
    words = next(line.split() for line in app.lines if line.startswith("on exit:"))
    return {words[i]: int(words[i + 1]) for i in range(2, len(words), 2)}


def test_the_window_neither_reads_nor_keeps_the_source_of_what_it_imports(tmp_path: Path) -> None:
    """PySide6's import hook reads the source of every module imported after PySide6 through
    linecache (13 MB of text: ~20 MiB of the idle window, issue 21): the layers below the window
    are imported before Qt, and what was read anyway is let go once the window is up."""
    report = _window_report(tmp_path)
    assert report["read"] < 4_000_000, report  # ~2.5 MB: what imports Qt
    assert report["held"] < 1_000_000, report


def test_the_window_on_a_database_at_the_newest_migration_does_not_load_alembic(tmp_path: Path) -> None:
    """Alembic (with Mako and Pygments: ~11 MiB kept for the whole shift) only when there is
    something to migrate."""
    assert _window_report(tmp_path)["alembic"] == 0
