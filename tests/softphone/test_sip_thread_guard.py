"""pjsua2 only on the SIP thread, enforced: while the engine runs, a pjsua2 operation from another
thread raises ThreadRuleBroken (the test run's FRONTLINE_THREAD_RULES=raise) instead of reaching
pjsua2, which would abort the process; the engine carries on and stops cleanly.

The engine runs in a child process (tests/softphone/sip_thread_guard.py), as the audio tests run
their pjsua2 agents: a missing guard aborts that child, not the test run.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def test_pjsua2_from_another_thread_raises_while_the_engine_runs(tmp_path: Path) -> None:
    assert os.environ.get("FRONTLINE_THREAD_RULES") == "raise"  # tests/conftest.py; inherited below
    done = subprocess.run(
        [sys.executable, "-m", "tests.softphone.sip_thread_guard"],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=tmp_path,
        env={**os.environ, "PYTHONPATH": str(REPO)},
        check=False,
    )
    assert done.returncode == 0, f"rc {done.returncode} (134: pjsua2 aborted)\n{done.stderr[-3000:]}"
    # pjlib prints its start-up lines on stdout before the engine's log writer takes over
    lines = [json.loads(line) for line in done.stdout.splitlines() if line.startswith("{")]
    attempts = {line["op"]: line for line in lines if "op" in line}
    assert set(attempts) == {
        "Library.handle_events",
        "Account.index",
        "Call.__init__",
        "AudioPort.start_transmit",
        "Recorder.__init__",
    }
    for op, attempt in attempts.items():
        assert attempt["raised"] == "ThreadRuleBroken", attempt
        assert attempt["text"] == f"pjsua2 {op} off the engine's SIP thread (on MainThread)"
    assert lines[0] == {"ready": True}
    assert {"pong": True} in lines  # the engine's own thread still works
    assert lines[-1] == {"stopped": 0, "alive": False}
