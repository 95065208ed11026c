"""Fixtures for the softphone tests: engine processes and SIPp peers on 127.0.0.1, torn down after.

Every engine must stop with rc 0 (a clean pjsua2 shutdown; rc 134 would be an abort).
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.softphone.certs import make_ca_and_server
from tests.softphone.engine_proc import EngineProcess
from tests.softphone.kamailio_proc import SUBSCRIBERS, Kamailio
from tests.softphone.sipp import Sipp, sipp_binary

EngineFactory = Callable[..., EngineProcess]
SippFactory = Callable[[str], Sipp]


@pytest.fixture(scope="session")
def sipp_installed() -> str:
    try:
        return sipp_binary()
    except AssertionError as exc:
        pytest.fail(str(exc))


@pytest.fixture
def engines(tmp_path: Path) -> Iterator[EngineFactory]:
    started: list[EngineProcess] = []
    counter = itertools.count(1)

    def start(*args: str, env: dict[str, str] | None = None) -> EngineProcess:
        n = next(counter)
        eng = EngineProcess(
            ["--record-dir", str(tmp_path / f"rec{n}"), *args], tmp_path / f"engine{n}.log", env=env
        )
        started.append(eng)
        return eng

    yield start
    failures = []
    for eng in started:
        rc = eng.stop()
        if rc not in (0, -9):  # -9: the test killed it on purpose
            failures.append(f"engine exited rc={rc}\n{eng.log_tail()}")
        failures += [f"event schema: {e}" for e in eng.schema_errors]
    if failures:
        pytest.fail("\n".join(failures))


@pytest.fixture
def engine(engines: EngineFactory) -> EngineProcess:
    """A peer-to-peer engine on a free port (UDP and TCP)."""
    return engines("--listen", "127.0.0.1:0", "--ring-timeout", "20")


@pytest.fixture
def sipps(tmp_path: Path, sipp_installed: str) -> Iterator[SippFactory]:
    made: list[Sipp] = []

    def make(name: str) -> Sipp:
        s = Sipp(tmp_path, name)
        made.append(s)
        return s

    yield make
    for s in made:
        s.stop()


@pytest.fixture(scope="session")
def kamailio(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Kamailio]:
    try:
        k = Kamailio(tmp_path_factory.mktemp("kamailio"))
    except AssertionError as exc:
        pytest.fail(str(exc))
    yield k
    k.stop()


@pytest.fixture
def registered(engines: EngineFactory, kamailio: Kamailio) -> Callable[..., EngineProcess]:
    """An engine registered with the test Kamailio as `user` (password from SUBSCRIBERS)."""

    def start(user: str, *args: str, transport: str = "udp", password: str | None = None) -> EngineProcess:
        secret = SUBSCRIBERS[user] if password is None else password
        return engines(
            "--server", kamailio.address, "--transport", transport, "--user", user,
            "--display-name", f"Desk {user}", "--listen", "127.0.0.1:0", *args,
            env={"FRONTLINE_SIP_PASSWORD": secret},
        )  # fmt: skip

    return start


@pytest.fixture(scope="session")
def tls_material(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, Path]:
    return make_ca_and_server(tmp_path_factory.mktemp("pki"))


@pytest.fixture(scope="session")
def kamailio_tls(
    tmp_path_factory: pytest.TempPathFactory, tls_material: tuple[Path, Path, Path]
) -> Iterator[Kamailio]:
    _, cert, key = tls_material
    try:
        k = Kamailio(tmp_path_factory.mktemp("kamailio-tls"), tls=(cert, key))
    except AssertionError as exc:
        pytest.fail(str(exc))
    yield k
    k.stop()
