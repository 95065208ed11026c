"""Files holding customer data are readable by the desk's user only: directories 0700, files 0600.

Every file Frontline writes is created through this module, so nobody has to remember the mode:

* the data directory (`app.config.data_dir`) and what is in it: the embedded SQLite database, the
  central database's local cache with its outbox, the ticket-number reserve (each with its
  ``-wal``/``-shm``), call recordings, the demo voice -- `private_dir`, `private_sqlite`,
  `private_file`;
* logs: ``--json-log``, the SIP trace -- `open_private`;
* small state files replaced whole (``audio-devices.json``) -- `replace_private`.

A file or directory that exists already is narrowed to these modes too (an older version, or a
umask of 022, may have left it 0644), and the window narrows the whole data directory at start
(`make_tree_private`).  SQLite gives its ``-wal`` and ``-shm`` files the mode of the database
file, so a database created 0600 here keeps them private.

Stdlib only: the softphone engine (recordings, trace) uses it without loading anything else.  On
Windows ``chmod`` only toggles read-only; the per-user profile's ACLs keep these files private.
"""

from __future__ import annotations

import contextlib
import os
import stat
from pathlib import Path
from typing import IO

DIR_MODE = 0o700
FILE_MODE = 0o600
_SQLITE_SIDE_FILES = ("-wal", "-shm", "-journal")


def _narrow(path: Path, mode: int) -> None:
    """chmod `path` to `mode` unless it already is; symbolic links and other users' files are left
    alone (chmod would fail on them, or change something that is not ours)."""
    if os.name != "posix":
        return
    st = path.lstat()
    if stat.S_ISLNK(st.st_mode) or st.st_uid != os.getuid():
        return
    if stat.S_IMODE(st.st_mode) != mode:
        path.chmod(mode)


def private_dir(path: Path, *, ours: bool = True) -> Path:
    """Create `path` (with any missing parents) for this user only.

    An existing `path` is narrowed too when it is `ours` (the data directory and the folders
    Frontline keeps in it); a folder the user pointed at (``--json-log``'s, ``--record-dir``) is
    left as it is -- the files Frontline puts there are private anyway.  Parents that exist already
    are never touched: ``~/.local/share`` is not ours to change.
    """
    missing = [p for p in (path, *path.parents) if not p.exists()]
    path.mkdir(mode=DIR_MODE, parents=True, exist_ok=True)
    for created in missing:  # mkdir's parents get the umask's mode, not ours
        created.chmod(DIR_MODE)
    if ours:
        _narrow(path, DIR_MODE)
    return path


def private_file(path: Path) -> Path:
    """Make `path` exist, readable by this user only (created empty if new, narrowed if not).

    For files a library then writes itself (pjsua's WAV recorder reopens and truncates it, keeping
    the mode).  The parent directory must exist.
    """
    fd = os.open(path, os.O_WRONLY | os.O_CREAT, FILE_MODE)
    os.close(fd)
    _narrow(path, FILE_MODE)
    return path


def private_sqlite(path: Path) -> Path:
    """`private_file` for a SQLite database, and narrow its journal files left by earlier runs."""
    private_file(path)
    for suffix in _SQLITE_SIDE_FILES:
        with contextlib.suppress(FileNotFoundError):
            _narrow(path.with_name(path.name + suffix), FILE_MODE)
    return path


def open_private(path: Path, mode: str = "a", *, encoding: str = "utf-8") -> IO[str]:
    """Open a text file for writing (``"a"`` or ``"w"``) that only this user can read."""
    if mode not in ("a", "w"):
        raise ValueError(f"open_private writes text: mode 'a' or 'w', not {mode!r}")
    flags = os.O_WRONLY | os.O_CREAT | (os.O_APPEND if mode == "a" else os.O_TRUNC)
    fd = os.open(path, flags, FILE_MODE)
    try:
        _narrow(path, FILE_MODE)
        return os.fdopen(fd, mode, encoding=encoding)
    except BaseException:
        os.close(fd)
        raise


def replace_private(path: Path, text: str, *, encoding: str = "utf-8") -> None:
    """Write `text` to `path` atomically (a crash mid-write leaves the old content), mode 0600."""
    tmp = path.with_name(path.name + ".tmp")
    with open_private(tmp, "w", encoding=encoding) as fh:
        fh.write(text)
    tmp.replace(path)


def make_tree_private(root: Path) -> None:
    """Narrow `root` and everything below it to 0700 / 0600 (files written by older versions)."""
    if not root.is_dir():
        return
    _narrow(root, DIR_MODE)
    for folder, dirs, files in os.walk(root):  # does not descend into linked directories
        base = Path(folder)
        for names, mode in ((dirs, DIR_MODE), (files, FILE_MODE)):
            for name in names:
                with contextlib.suppress(FileNotFoundError):  # a -shm/-journal may vanish meanwhile
                    _narrow(base / name, mode)
