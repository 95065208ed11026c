"""The desk's log file (`app.desk_log`): written, private, rotated private.  Real files in a
temporary folder."""

from __future__ import annotations

import logging
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest

from app.desk_log import LOG_NAME, PrivateRotatingFileHandler, add_desk_log_file


@pytest.fixture
def root_handlers() -> Iterator[None]:
    """Take off the handlers a test adds to the root logger."""
    before = list(logging.getLogger().handlers)
    yield
    for handler in logging.getLogger().handlers:
        if handler not in before:
            logging.getLogger().removeHandler(handler)
            handler.close()


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.mark.usefixtures("root_handlers")
def test_the_window_log_goes_to_a_private_file_in_a_private_folder(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)  # the window's level
    folder = tmp_path / "state" / "log"
    path = add_desk_log_file(logging.Formatter("%(levelname)s %(name)s: %(message)s"), folder)
    assert path == folder / LOG_NAME
    logging.getLogger("app.test").info("registered with the registrar")
    assert "INFO app.test: registered with the registrar" in path.read_text()
    assert mode(path) == 0o600
    assert mode(folder) == 0o700


def test_a_rolled_over_file_is_private_too(tmp_path: Path) -> None:
    path = tmp_path / LOG_NAME
    handler = PrivateRotatingFileHandler(path, maxBytes=200, backupCount=2, encoding="utf-8")
    logger = logging.getLogger("tests.desk_log.rollover")
    logger.propagate = False  # this handler only
    logger.addHandler(handler)
    try:
        for n in range(20):
            logger.warning("line %d of a long shift", n)
    finally:
        logger.removeHandler(handler)
        handler.close()
    files = sorted(tmp_path.glob(LOG_NAME + "*"))
    assert [f.name for f in files] == [LOG_NAME, LOG_NAME + ".1", LOG_NAME + ".2"]
    assert {mode(f) for f in files} == {0o600}


@pytest.mark.usefixtures("root_handlers")
@pytest.mark.expect_log("app.desk_log", r"no desk log file", level="WARNING")
def test_a_folder_that_cannot_be_made_leaves_the_desk_without_the_file(tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    assert add_desk_log_file(logging.Formatter(), blocker / "log") is None
