"""The desk's data directory holds customer data: after the real window has run (demo mode: the
embedded database, the ticket-number reserve, the demo voice), everything in it and the JSON log
are readable by the desk's user only -- also what an older version left readable by others."""

from __future__ import annotations

import os
import signal
import stat
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

pytestmark = [pytest.mark.gui, pytest.mark.skipif(os.name != "posix", reason="POSIX modes")]


def mode(path: Path) -> int:
    return stat.S_IMODE(path.lstat().st_mode)


@pytest.fixture
def desktop_umask() -> Iterator[None]:
    old = os.umask(0o022)
    yield
    os.umask(old)


def run_window_until_ready(tmp_path: Path, data: Path, json_log: Path) -> list[str]:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "FRONTLINE_DATA_DIR": str(data)}
    proc = subprocess.Popen(
        [sys.executable, "-m", "app", "--demo", "--json-log", str(json_log)],
        env=env,
        stderr=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
        text=True,
    )
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
        assert ready.wait(timeout=30), "".join(lines)
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=30) == 0, "".join(lines)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    reader.join(timeout=5)
    assert proc.stderr is not None
    proc.stderr.close()
    return lines


def test_everything_the_window_wrote_is_the_desk_users_only(desktop_umask: None, tmp_path: Path) -> None:
    data = tmp_path / "data"
    old = data / "recordings" / "20250101-call1-from-an-older-version.wav"
    old.parent.mkdir(parents=True, mode=0o755)
    data.chmod(0o755)
    old.write_bytes(b"RIFF")
    old.chmod(0o644)
    json_log = tmp_path / "logs" / "events.jsonl"

    run_window_until_ready(tmp_path, data, json_log)

    written = sorted(data.rglob("*"))
    names = {p.name for p in written}
    assert {"frontline.sqlite3", "voice.wav"} <= names, names
    assert any(n.startswith("ticket_numbers-") for n in names), names
    loose = {
        str(p.relative_to(data)): oct(mode(p)) for p in written if mode(p) != (0o700 if p.is_dir() else 0o600)
    }
    assert loose == {}
    assert mode(data) == 0o700
    assert (mode(json_log.parent), mode(json_log)) == (0o700, 0o600)
