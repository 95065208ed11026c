"""Session-wide test settings: offscreen Qt, a private data dir, no user config leaking in, and no
WARNING or ERROR logged that the test did not declare (tests/log_check.py), and the thread rules
(app/thread_rules.py) raise instead of logging."""

from __future__ import annotations

import os
import tempfile

# Set before anything imports Qt or platformdirs-based paths.
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ["FRONTLINE_DATA_DIR"] = tempfile.mkdtemp(prefix="frontline-test-data-")
os.environ["FRONTLINE_LOG_DIR"] = tempfile.mkdtemp(prefix="frontline-test-logs-")
os.environ.pop("FRONTLINE_CONFIG", None)
os.environ["XDG_CONFIG_HOME"] = tempfile.mkdtemp(prefix="frontline-test-config-")  # no developer site.toml
# A broken thread rule (app/thread_rules.py) fails the test, here and in every engine it starts.
os.environ["FRONTLINE_THREAD_RULES"] = "raise"

pytest_plugins = [
    "pytester",
    "tests.fixtures.postgres",  # before central, which imports it
    "tests.fixtures.central",
    "tests.fixtures.file_modes",
    "tests.fixtures.secret_service",
    "tests.fixtures.threads",
    "tests.log_check",
]
