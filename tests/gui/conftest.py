"""GUI fixtures: a qasync loop riding on pytest-qt's QApplication, and a real demo database."""

from __future__ import annotations

import asyncio
import contextlib
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

import pytest
import qasync
from PySide6.QtCore import QCoreApplication, QTranslator
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot
from sqlalchemy import Engine

from app.demo.caller import free_udp_port
from app.demo.data import generate_demo_data
from app.resources import translations_dir
from app.services.database_worker import DatabaseWorker
from app.services.lookup import LookupService
from app.softphone.desk.client import EngineClient
from app.storage.database import make_engine
from app.storage.migrate import upgrade
from app.thread_rules import Role, give_up_role
from tests.gui.desks import Desk, open_desk, run


@pytest.fixture
def event_loop_qt(qapp: QApplication) -> Iterator[asyncio.AbstractEventLoop]:
    """asyncio on the Qt event loop, as in the running app; qtbot's waits drive both."""
    loop = qasync.QEventLoop(qapp, already_running=True)
    asyncio.set_event_loop(loop)
    yield loop
    for task in asyncio.all_tasks(loop):
        task.cancel()
    asyncio.events._set_running_loop(None)
    asyncio.set_event_loop(None)


@pytest.fixture(autouse=True)
def _gui_role_given_up() -> Iterator[None]:
    """A window a test left open holds the GUI role (`tests.gui.desks.open_window`): not the next
    test's setup."""
    yield
    give_up_role(Role.GUI)


@pytest.fixture(scope="module")
def demo_engine(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Engine]:
    path: Path = tmp_path_factory.mktemp("gui-db") / "demo.sqlite3"
    engine = make_engine(f"sqlite:///{path}")
    upgrade(engine)
    generate_demo_data(engine, customers=300, seed=7, default_region="RU")
    yield engine
    engine.dispose()


@pytest.fixture(scope="module")
def migrated_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An empty SQLite database at the newest schema; tests copy it rather than migrate again."""
    path = tmp_path_factory.mktemp("migrated-db") / "template.sqlite3"
    engine = make_engine(f"sqlite:///{path}")
    upgrade(engine)
    engine.dispose()  # checkpoints the WAL: copying the file is enough
    return path


@pytest.fixture
def russian(tmp_path: Path) -> Iterator[None]:
    """The UI in Russian, from the shipped catalogue (compiled here, as `make` does)."""
    lrelease = Path(sys.executable).with_name("pyside6-lrelease")
    src = translations_dir() / "frontline_ru.ts"
    shutil.copy(src, tmp_path / src.name)
    qm = tmp_path / "frontline_ru.qm"
    subprocess.run([str(lrelease), "-silent", str(tmp_path / src.name), "-qm", str(qm)], check=True)
    app = QCoreApplication.instance()
    assert app is not None
    translator = QTranslator()
    assert translator.load(str(qm))
    app.installTranslator(translator)
    yield
    app.removeTranslator(translator)


@pytest.fixture
def unused_tcp_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def caller_factory(
    qtbot: QtBot, event_loop_qt: asyncio.AbstractEventLoop
) -> Iterator[Callable[..., EngineClient]]:
    """Callers: second softphone engines (peer-to-peer on loopback) with a number and a display
    name; `extra` adds engine options (``--auto-answer`` for a transfer target)."""
    clients: list[EngineClient] = []

    def make(number: str, display: str | None = None, extra: Sequence[str] = ()) -> EngineClient:
        args = ["--p2p", "--listen", f"127.0.0.1:{free_udp_port()}", "--user", number, "--null-audio", *extra]
        if display:
            args += ["--display-name", display]
        client = EngineClient(args, restart=False)
        run(qtbot, event_loop_qt, client.start())
        clients.append(client)
        return client

    yield make
    for client in clients:
        run(qtbot, event_loop_qt, client.stop())


@pytest.fixture
def desk_factory(
    qtbot: QtBot,
    event_loop_qt: asyncio.AbstractEventLoop,
    demo_engine: Engine,
    worker: DatabaseWorker,
    tmp_path: Path,
) -> Iterator[Callable[..., Desk]]:
    """``make(**options)``: a desk as `tests.gui.desks.open_desk` opens it with `options` (engine
    options such as ``--ring-timeout``, a shorter wrap-up, another operator), closed at the end."""
    with contextlib.ExitStack() as stack:
        yield lambda **options: stack.enter_context(
            open_desk(qtbot, event_loop_qt, demo_engine, worker, tmp_path, **options)
        )


@pytest.fixture
def lookup_service(demo_engine: Engine) -> LookupService:
    """What the window's search (and so the screen pop) looks callers up with (a test may
    override it, e.g. with a database that cannot be opened)."""
    return LookupService(demo_engine, default_region="RU")


@pytest.fixture
def desk(
    qtbot: QtBot,
    event_loop_qt: asyncio.AbstractEventLoop,
    demo_engine: Engine,
    worker: DatabaseWorker,
    lookup_service: LookupService,
    tmp_path: Path,
) -> Iterator[Desk]:
    """The operator's window on the demo database, phone started (see `tests.gui.desks`)."""
    with open_desk(qtbot, event_loop_qt, demo_engine, worker, tmp_path, lookup=lookup_service) as opened:
        yield opened
