"""Fixtures for the sync tests: a central database (PostgreSQL clone at head) and desk outboxes."""

from __future__ import annotations

import os
import subprocess
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import URL

from app.storage import migrate
from app.sync.applier import Applier
from app.sync.outbox import Outbox
from tests.fixtures.central import CentralSite
from tests.fixtures.postgres import ENV_URL, OWNER, ensure_owner_role, find_pg_bin, owner_url, start_cluster


@pytest.fixture
def appliers() -> Iterator[Callable[[Engine], Applier]]:
    """Appliers on any engine, each closed after the test."""
    made: list[Applier] = []

    def make(engine: Engine) -> Applier:
        made.append(Applier(engine))
        return made[-1]

    yield make
    for applier in made:
        applier.close()


@pytest.fixture(params=["a1", "lead"])
def desk_login(request: pytest.FixtureRequest) -> str:
    """Who the desk signs in as: an operator, then a shift lead (both take calls)."""
    return str(request.param)


@pytest.fixture
def central_url(central_site: CentralSite, desk_login: str) -> URL:
    """The central database as the desk's own login (row-level security applies)."""
    return central_site.url_of(desk_login)


@pytest.fixture
def central(central_site: CentralSite, desk_login: str) -> Engine:
    """An engine on the central database as the desk's own login."""
    return central_site.engine(desk_login)


@pytest.fixture
def me(central_site: CentralSite, desk_login: str) -> int:
    """The operator id of the desk's login (what a desk puts in the changes it sends)."""
    return central_site.ids[desk_login]


@pytest.fixture
def outbox_factory(tmp_path: Path) -> Iterator[Callable[[str], Outbox]]:
    opened: list[Outbox] = []

    def factory(name: str = "desk") -> Outbox:
        box = Outbox(tmp_path / f"{name}-outbox.sqlite3")
        opened.append(box)
        return box

    yield factory
    for box in opened:
        box.close()


class RestartableServer:
    """A private PostgreSQL cluster a test may stop (``pg_ctl stop -m fast``) and start again."""

    def __init__(self) -> None:
        pg_bin = find_pg_bin()
        if pg_bin is None:
            pytest.fail("PostgreSQL server binaries were not found (see tests/fixtures/postgres.py).")
        self.cluster = start_cluster(pg_bin)
        self.url = self.cluster.url

    @property
    def _data(self) -> str:
        assert self.cluster.data_dir is not None
        return str(self.cluster.data_dir / "data")

    def _pg_ctl(self, *args: str) -> None:
        assert self.cluster.pg_bin is not None
        subprocess.run(
            [str(self.cluster.pg_bin / "pg_ctl"), "-D", self._data, *args],
            check=True,
            capture_output=True,
            user=self.cluster.run_as,
        )

    def stop(self) -> None:
        self._pg_ctl("-m", "fast", "-w", "stop")

    def start(self) -> None:
        assert self.cluster.data_dir is not None
        options = (
            f"-p {self.url.port} -k {self.cluster.data_dir} -c listen_addresses=127.0.0.1"
            " -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200"
        )
        log = str(self.cluster.data_dir / "server.log")
        self._pg_ctl("-l", log, "-o", options, "-w", "start")

    def new_database(self) -> URL:
        """A new database on this server, created by the superuser and migrated to head by the
        owner role (as a site does); the URL connects as the superuser (set-up only)."""
        name = f"sync_{uuid.uuid4().hex[:10]}"
        ensure_owner_role(self.url)
        engine = create_engine(self.url, isolation_level="AUTOCOMMIT")
        try:
            with engine.connect() as conn:
                conn.execute(text(f'CREATE DATABASE "{name}" OWNER {OWNER}'))
        finally:
            engine.dispose()
        url = self.url.set(database=name)
        migrate.upgrade(owner_url(url))
        return url


@pytest.fixture(scope="session")
def restartable_pg() -> Iterator[RestartableServer]:
    """Skips the shared cluster: this one is stopped and started by the tests that use it."""
    if os.environ.get(ENV_URL):
        pytest.skip(f"needs a local cluster to stop and start ({ENV_URL} points at a shared server)")
    server = RestartableServer()
    try:
        yield server
    finally:
        server.cluster.stop()
