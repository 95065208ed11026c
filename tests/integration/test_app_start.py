"""The real workstation process: it starts on the embedded database, becomes usable, and quits
cleanly on SIGTERM (how a session logout or `systemctl` ends it)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from tests.fixtures.processes import window

pytestmark = pytest.mark.gui


def test_window_becomes_ready_and_stops_cleanly_on_sigterm(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'fresh.sqlite3'}"
    env = {"QT_QPA_PLATFORM": "offscreen", "FRONTLINE_DATA_DIR": str(tmp_path)}
    with window([sys.executable, "-m", "app", "--db", db, "--demo"], env) as app:
        # The first database check runs at start-up, not after the periodic interval (15 s).
        assert "ok=True" in app.wait_ready(timeout=12)
        assert app.quit(timeout=20) == 0, app.log
    assert "Traceback" not in app.log
