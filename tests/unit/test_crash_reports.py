"""Crash reports as a real process leaves them: an uncaught exception (main thread, other thread)
becomes a private report without secrets, and a fatal signal leaves every thread's stack."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

from app.crash_reports import REPORTS_KEPT, mask_secrets

SECRET = "s3cret-Pa55"


def _run(folder: Path, body: str) -> subprocess.CompletedProcess[str]:
    script = (
        "import threading\n"
        "from pathlib import Path\n"
        "from app import crash_reports\n"
        f"crash_reports.install('window', folder=Path({str(folder)!r}))\n" + body
    )
    env = {**os.environ, "PYTHONFAULTHANDLER": ""}
    return subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=60, env=env, check=False
    )


def test_an_uncaught_exception_leaves_a_private_report_without_the_password(tmp_path: Path) -> None:
    done = _run(
        tmp_path,
        f"raise RuntimeError('cannot reach postgresql://a1:{SECRET}@db.example/frontline password={SECRET}')\n",
    )
    assert done.returncode == 1
    (report,) = tmp_path.glob("crash-window-*.txt")
    text = report.read_text()
    assert "RuntimeError: cannot reach postgresql://a1:***@db.example/frontline password=***" in text
    assert "Frontline" in text and "where: MainThread" in text
    assert SECRET not in text
    assert SECRET not in done.stderr  # nor in the log line, which names the report
    assert str(report) in done.stderr
    assert stat.S_IMODE(report.stat().st_mode) == 0o600


def test_an_exception_in_another_thread_is_reported_with_the_threads_name(tmp_path: Path) -> None:
    done = _run(
        tmp_path,
        "def boom():\n    raise ValueError('the bridge broke')\n"
        "t = threading.Thread(target=boom, name='audio-watchdog'); t.start(); t.join()\n"
        "print('main carried on')\n",
    )
    assert done.returncode == 0 and "main carried on" in done.stdout
    (report,) = tmp_path.glob("crash-window-*.txt")
    text = report.read_text()
    assert "where: audio-watchdog" in text and "ValueError: the bridge broke" in text


def test_an_abort_leaves_every_threads_python_stack_in_the_faults_log(tmp_path: Path) -> None:
    done = _run(
        tmp_path,
        "import os, time\n"
        "def waiting_on_the_sip_thread():\n    time.sleep(60)\n"
        "threading.Thread(target=waiting_on_the_sip_thread, name='sip', daemon=True).start()\n"
        "time.sleep(0.2)\n"
        "os.abort()\n",
    )
    assert done.returncode != 0
    faults = (tmp_path / "window-faults.log").read_text()
    assert "Fatal Python error: Aborted" in faults
    assert "waiting_on_the_sip_thread" in faults  # the other thread's stack too
    assert "--- window pid" in faults


def test_only_the_newest_reports_are_kept(tmp_path: Path) -> None:
    for n in range(REPORTS_KEPT + 3):
        old = tmp_path / f"crash-window-2026010{n:02d}-000000-1.txt"
        old.write_text("old")
        os.utime(old, (1_000_000 + n, 1_000_000 + n))
    _run(tmp_path, "raise RuntimeError('new')\n")
    reports = list(tmp_path.glob("crash-*.txt"))
    assert len(reports) == REPORTS_KEPT
    assert not (tmp_path / "crash-window-202601000-000000-1.txt").exists()  # the oldest went
    assert any("RuntimeError: new" in r.read_text() for r in reports)


def test_secrets_are_masked_in_urls_and_pairs() -> None:
    assert (
        mask_secrets("sip:desk@pbx;password=x1 and https://u:p@h/x")
        == "sip:desk@pbx;password=*** and https://u:***@h/x"
    )
    assert mask_secrets("no secret here: sip:101@pbx.example") == "no secret here: sip:101@pbx.example"
