"""The desk's own log file, for IT: what the window logs, kept on the desk.

The window's stderr goes nowhere when it is started from a desktop launcher, yet the README and
the messages for IT say "see the desk's log".  So the window also writes its log to
``frontline.log`` in the user's log folder (`app.config.log_dir`: ``~/.local/state/frontline/log``
on Linux, ``$FRONTLINE_LOG_DIR`` to move it), readable by the desk's user only, rotated at
`MAX_BYTES` with `BACKUPS` older files kept.  Nothing secret is logged anywhere (passwords live in
the keyring only); customer data is, which is why the file is private.
"""

from __future__ import annotations

import io
import logging
import logging.handlers
from pathlib import Path

from app.config import log_dir
from app.private_files import open_private, private_dir

LOG_NAME = "frontline.log"
MAX_BYTES = 5 * 1024 * 1024
BACKUPS = 5

log = logging.getLogger(__name__)


class PrivateRotatingFileHandler(logging.handlers.RotatingFileHandler):
    """`RotatingFileHandler` whose files (the first and each one after a rollover) are 0600."""

    def _open(self) -> io.TextIOWrapper:
        mode = "w" if self.mode == "w" else "a"
        stream = open_private(Path(self.baseFilename), mode, encoding=self.encoding or "utf-8")
        assert isinstance(stream, io.TextIOWrapper)  # os.fdopen in text mode
        return stream


def add_desk_log_file(formatter: logging.Formatter, folder: Path | None = None) -> Path | None:
    """Log everything the root logger passes to ``frontline.log`` in `folder` (default: the log
    folder) as well; the file's path, or None when it cannot be written (said in the log: the
    desk works on without it)."""
    path = (folder or log_dir()) / LOG_NAME
    try:
        private_dir(path.parent)
        handler = PrivateRotatingFileHandler(path, maxBytes=MAX_BYTES, backupCount=BACKUPS, encoding="utf-8")
    except OSError as exc:
        log.warning("no desk log file at %s: %s", path, exc)
        return None
    handler.setFormatter(formatter)
    logging.getLogger().addHandler(handler)
    return path
