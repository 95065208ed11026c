"""The real workstation process: it starts on the embedded database, becomes usable, and quits
cleanly on SIGTERM (how a session logout or `systemctl` ends it)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
from pathlib import Path

import pytest

pytestmark = pytest.mark.gui


def test_window_becomes_ready_and_stops_cleanly_on_sigterm(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'fresh.sqlite3'}"
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "FRONTLINE_DATA_DIR": str(tmp_path)}
    proc = subprocess.Popen(
        [sys.executable, "-m", "app", "--db", db, "--demo"],
        env=env,
        stderr=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
        text=True,
    )
    assert proc.stderr is not None
    ready = threading.Event()
    lines: list[str] = []

    def read_stderr() -> None:
        assert proc.stderr is not None
        for line in proc.stderr:
            lines.append(line)
            if "window ready" in line:
                ready.set()

    reader = threading.Thread(target=read_stderr, daemon=True)
    reader.start()
    try:
        # The first database check runs at start-up, not after the periodic interval (15 s).
        assert ready.wait(timeout=12), "".join(lines)
        assert "ok=True" in next(line for line in lines if "window ready" in line)
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=20) == 0, "".join(lines)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    reader.join(timeout=5)
    proc.stderr.close()
    assert not any("Traceback" in line for line in lines), "".join(lines)
