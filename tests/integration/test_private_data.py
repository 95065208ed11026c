"""The desk's data directory holds customer data: after the real window has run (demo mode: the
embedded database, the ticket-number reserve, the demo voice), everything in it and the JSON log
are readable by the desk's user only -- also what an older version left readable by others."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

from tests.fixtures.file_modes import mode
from tests.fixtures.processes import window

pytestmark = [pytest.mark.gui, pytest.mark.skipif(os.name != "posix", reason="POSIX modes")]


def test_everything_the_window_wrote_is_the_desk_users_only(desktop_umask: None, tmp_path: Path) -> None:
    data = tmp_path / "data"
    old = data / "recordings" / "20250101-call1-from-an-older-version.wav"
    old.parent.mkdir(parents=True, mode=0o755)
    data.chmod(0o755)
    old.write_bytes(b"RIFF")
    old.chmod(0o644)
    json_log = tmp_path / "logs" / "events.jsonl"

    env = {"QT_QPA_PLATFORM": "offscreen", "FRONTLINE_DATA_DIR": str(data)}
    with window([sys.executable, "-m", "app", "--demo", "--json-log", str(json_log)], env) as app:
        app.wait_ready(timeout=30)
        assert app.quit() == 0, app.log

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
