"""`--json-log FILE`: one JSON object per line for what the operator experiences.

End-to-end tests and IT read it (pop shown, card filled, answer, hold, ticket saved...).  Each line
has ``event``, ``ts`` (epoch seconds) and the event's own fields; values are plain JSON.  Lines are
flushed as they are written so a reader tailing the file sees them at once.  Never log secrets
here: it is a file on the desk, readable by the desk's user only (`app.private_files`).
"""

from __future__ import annotations

import json
import threading
import time
from pathlib import Path
from typing import IO, Any

from app.private_files import open_private, private_dir


class JsonEventLog:
    def __init__(self, path: str | Path | None) -> None:
        self._lock = threading.Lock()
        self._file: IO[str] | None = None
        if path is not None:
            private_dir(Path(path).parent, ours=False)
            self._file = open_private(Path(path))  # kept open for the session

    @property
    def enabled(self) -> bool:
        return self._file is not None

    def write(self, event: str, **fields: Any) -> None:
        if self._file is None:
            return
        line = json.dumps(
            {"event": event, "ts": round(time.time(), 6), **fields}, ensure_ascii=False, default=str
        )
        with self._lock:
            self._file.write(line + "\n")
            self._file.flush()

    def close(self) -> None:
        with self._lock:
            if self._file is not None:
                self._file.close()
                self._file = None
