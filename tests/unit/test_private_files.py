"""`app.private_files`: what Frontline writes is readable by the desk's user only, including
files an older version (or a 022 umask) left readable by others."""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

import pytest

from app.private_files import make_tree_private, open_private, private_dir, private_sqlite, replace_private
from tests.fixtures.file_modes import mode

# Under the usual desktop umask, without the helpers files would be 0644 and folders 0755.
pytestmark = [
    pytest.mark.skipif(os.name != "posix", reason="POSIX modes"),
    pytest.mark.usefixtures("desktop_umask"),
]


def test_new_folders_are_private_down_from_the_first_one_created(tmp_path: Path) -> None:
    home = tmp_path / "home"
    home.mkdir(mode=0o755)
    private_dir(home / "a" / "b")
    assert mode(home / "a") == 0o700
    assert mode(home / "a" / "b") == 0o700
    assert mode(home) == 0o755  # a parent that existed is not ours to change


def test_an_existing_folder_is_narrowed(tmp_path: Path) -> None:
    folder = tmp_path / "data"
    folder.mkdir(mode=0o755)
    private_dir(folder)
    assert mode(folder) == 0o700


def test_a_folder_the_user_pointed_at_is_left_as_it_is(tmp_path: Path) -> None:
    shared = tmp_path / "shared"
    shared.mkdir(mode=0o755)
    private_dir(shared, ours=False)
    assert mode(shared) == 0o755
    private_dir(shared / "new", ours=False)
    assert mode(shared / "new") == 0o700


def test_a_sqlite_database_and_its_wal_are_private(tmp_path: Path) -> None:
    db = private_sqlite(tmp_path / "x.sqlite3")
    with sqlite3.connect(db) as conn:
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("CREATE TABLE t (x)")
        conn.execute("INSERT INTO t VALUES (1)")
        side = [db.with_name(db.name + s) for s in ("-wal", "-shm")]
        assert all(p.exists() for p in side)
        assert [mode(p) for p in (db, *side)] == [0o600, 0o600, 0o600]


def test_an_existing_database_and_its_side_files_are_narrowed(tmp_path: Path) -> None:
    db = tmp_path / "x.sqlite3"
    for path in (db, db.with_name(db.name + "-wal"), db.with_name(db.name + "-shm")):
        path.write_bytes(b"")
        path.chmod(0o644)
    private_sqlite(db)
    assert {mode(p) for p in tmp_path.iterdir()} == {0o600}


def test_logs_opened_for_append_are_private_and_keep_their_lines(tmp_path: Path) -> None:
    log = tmp_path / "events.jsonl"
    log.write_text("old\n")
    log.chmod(0o644)
    with open_private(log) as fh:
        fh.write("new\n")
    assert log.read_text() == "old\nnew\n"
    assert mode(log) == 0o600


def test_replaced_files_are_private(tmp_path: Path) -> None:
    target = tmp_path / "audio-devices.json"
    target.write_text("{}")
    target.chmod(0o644)
    replace_private(target, '{"capture": "x"}')
    assert target.read_text() == '{"capture": "x"}'
    assert mode(target) == 0o600


def test_a_whole_tree_left_open_is_narrowed(tmp_path: Path) -> None:
    root = tmp_path / "data"
    (root / "recordings").mkdir(parents=True)
    for name in ("frontline.sqlite3", "recordings/call.wav"):
        (root / name).write_bytes(b"x")
        (root / name).chmod(0o644)
    (root / "recordings").chmod(0o755)
    make_tree_private(root)
    assert mode(root) == mode(root / "recordings") == 0o700
    assert mode(root / "frontline.sqlite3") == mode(root / "recordings" / "call.wav") == 0o600


def test_the_outbox_and_the_number_reserve_are_private(tmp_path: Path) -> None:
    from app.storage.number_reserve import SqliteNumberReserve
    from app.sync.outbox import Outbox

    outbox = Outbox(tmp_path / "desk" / "central-cache.sqlite3")
    try:
        SqliteNumberReserve(tmp_path / "desk" / "ticket_numbers.sqlite3", workstation_id=7)
        files = sorted((tmp_path / "desk").iterdir())
        assert any(p.name.endswith("-wal") for p in files)
        assert {p.name: oct(mode(p)) for p in files if mode(p) != 0o600} == {}
        assert mode(tmp_path / "desk") == 0o700
    finally:
        outbox.close()


def test_the_json_log_is_private(tmp_path: Path) -> None:
    from app.json_log import JsonEventLog

    log = JsonEventLog(tmp_path / "logs" / "events.jsonl")
    log.write("window_shown")
    log.close()
    assert (mode(tmp_path / "logs"), mode(tmp_path / "logs" / "events.jsonl")) == (0o700, 0o600)
