"""Crash reports: what a bug leaves behind for IT, with no secret in it.

`app.errors` sorts failures into the ones a person can act on (shown to them) and bugs; this is
where the bugs go.  In each process (the window, the softphone engine):

- an exception nobody caught -- on the main thread, in a Qt slot (PySide6 hands those to
  `sys.excepthook`), in any other thread, or in an asyncio task -- is written to its own report
  ``crash-<process>-<time>-<pid>.txt`` in the log folder, logged with the report's path, and
  handed to `on_report` (the window tells the operator where the report is and that their typed
  work is kept);
- a fatal signal or abort (a segfault in a C library, a failed assertion in pjsip) cannot run
  Python code any more: `faulthandler` writes every thread's Python stack to
  ``<process>-faults.log`` in the same folder, which each start stamps with its pid and time.

Reports hold the program's version, the platform, the thread and the traceback; never the
environment or local variables, and credentials in URLs or ``password=`` pairs are masked (an
exception message may quote a connection string).  Files are the desk user's only (0600); the
newest `REPORTS_KEPT` reports are kept.
"""

from __future__ import annotations

import asyncio
import faulthandler
import logging
import os
import platform
import re
import sys
import threading
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from typing import IO, Any

from app import __version__
from app.config import log_dir
from app.private_files import open_private, private_dir

log = logging.getLogger(__name__)

REPORTS_KEPT = 20

_SECRETS = (
    (re.compile(r"(\b[a-z][a-z0-9+.-]*://[^:/@\s]*:)[^@\s]+@", re.IGNORECASE), r"\1***@"),
    (re.compile(r"\b(password|passwd|pwd|secret|token)(\s*[=:]\s*)[^\s,;&'\"]+", re.IGNORECASE), r"\1\2***"),
)


def mask_secrets(text: str) -> str:
    """`text` with credentials in URLs and ``password=...`` pairs replaced by ``***``."""
    for pattern, replacement in _SECRETS:
        text = pattern.sub(replacement, text)
    return text


@dataclass
class CrashReports:
    """The hooks of one process; `uninstall` puts the previous ones back (for tests)."""

    folder: Path
    process: str
    on_report: Callable[[Path], None] | None = None
    _faults: IO[str] | None = None
    _previous: tuple[Any, Any] = field(default=(None, None))
    _faulthandler_was_on: bool = False

    def install(self) -> CrashReports:
        private_dir(self.folder)
        self._faults = open_private(self.folder / f"{self.process}-faults.log", "a", encoding="utf-8")
        started = f"--- {self.process} pid {os.getpid()} started {_now()} (Frontline {__version__})"
        self._faults.write(started + "\n")
        self._faults.flush()
        self._faulthandler_was_on = faulthandler.is_enabled()
        faulthandler.enable(file=self._faults, all_threads=True)
        self._previous = (sys.excepthook, threading.excepthook)
        sys.excepthook = self._on_uncaught
        threading.excepthook = self._on_uncaught_in_thread
        return self

    def uninstall(self) -> None:
        faulthandler.disable()
        if self._faulthandler_was_on:  # e.g. pytest's: a later crash still shows its stacks
            faulthandler.enable(file=2, all_threads=True)  # fd 2: the process's stderr
        if self._faults is not None:
            self._faults.close()
        sys.excepthook, threading.excepthook = self._previous

    def asyncio_handler(self, loop: asyncio.AbstractEventLoop, context: dict[str, Any]) -> None:
        """For `loop.set_exception_handler`: a report for an exception, then asyncio's own logging."""
        exc = context.get("exception")
        if isinstance(exc, BaseException):
            self.write(type(exc), exc, exc.__traceback__, where=str(context.get("message", "asyncio")))
        loop.default_exception_handler(context)

    def write(
        self,
        exc_type: type[BaseException],
        exc: BaseException | None,
        tb: TracebackType | None,
        *,
        where: str,
    ) -> Path | None:
        """Write one report; its path, or None when the log folder cannot be written."""
        path = self.folder / f"crash-{self.process}-{time.strftime('%Y%m%d-%H%M%S')}-{os.getpid()}.txt"
        body = "".join(traceback.format_exception(exc_type, exc, tb))
        text = (
            f"Frontline {__version__} crash report ({self.process})\n"
            f"time: {_now()}\npid: {os.getpid()}\nwhere: {where}\n"
            f"python: {platform.python_version()}\nplatform: {platform.platform()}\n\n"
            f"{mask_secrets(body)}"
        )
        try:
            with open_private(path, "a", encoding="utf-8") as report:
                report.write(text)
            self._prune()
        except OSError as error:
            log.error("unexpected error (no crash report: %s): %s", error, mask_secrets(body))
            return None
        log.error("unexpected error in %s; crash report written to %s", where, path)
        if self.on_report is not None:
            try:
                self.on_report(path)
            except Exception:
                log.exception("could not show the crash report notice")
        return path

    def _on_uncaught(
        self, exc_type: type[BaseException], exc: BaseException, tb: TracebackType | None
    ) -> None:
        if issubclass(exc_type, KeyboardInterrupt):
            sys.__excepthook__(exc_type, exc, tb)
            return
        self.write(exc_type, exc, tb, where=threading.current_thread().name)

    def _on_uncaught_in_thread(self, args: threading.ExceptHookArgs) -> None:
        if args.exc_value is None or issubclass(args.exc_type, SystemExit):
            return
        name = args.thread.name if args.thread is not None else "a thread"
        self.write(args.exc_type, args.exc_value, args.exc_traceback, where=name)

    def _prune(self) -> None:
        reports = sorted(self.folder.glob("crash-*.txt"), key=lambda p: p.stat().st_mtime)
        for old in reports[:-REPORTS_KEPT]:
            old.unlink(missing_ok=True)


def install(
    process: str, on_report: Callable[[Path], None] | None = None, folder: Path | None = None
) -> CrashReports | None:
    """Crash reports for this process in `folder` (default: the log folder); None when that
    folder cannot be written (said in the log: the program runs on without reports)."""
    reports = CrashReports(folder or log_dir(), process, on_report)
    try:
        return reports.install()
    except OSError as exc:
        log.warning("no crash reports in %s: %s", reports.folder, exc)
        return None


def _now() -> str:
    return time.strftime("%Y-%m-%d %H:%M:%S %z")
