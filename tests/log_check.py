"""Fail any test in which the application logs a WARNING or ERROR it did not declare.

A refusal that is only logged (a change the central database rejected, a lookup that failed, a
device that vanished) must never pass unseen: each such record fails the test that caused it,
unless the test declares it with the ``expect_log`` marker --

    @pytest.mark.expect_log("app.sync.desk", "cache refresh failed")
    @pytest.mark.expect_log("app.storage.database", r"cannot reach", level="ERROR")

(logger name or a parent of it, a regular expression searched in the message, and the highest level
it may have: WARNING by default, so a declared WARNING does not excuse an ERROR).  Every logger
counts -- the application's, asyncio's and qasync's ("Task exception was never retrieved"),
SQLAlchemy's, Alembic's -- except `IGNORED` below, each with its reason.  Qt's own messages are
failed by pytest-qt (``qt_log_level_fail``); warnings by ``filterwarnings = error``.

The check runs in an autouse fixture set up before every other one, so it also sees what the
test's fixtures log while they are torn down (an engine stopping, a window closing).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from dataclasses import dataclass

import pytest

# (logger name or parent, message regex, why it is not the application's problem)
IGNORED: tuple[tuple[str, str, str], ...] = ()


@dataclass(frozen=True)
class Expected:
    logger: str
    message: re.Pattern[str]
    level: int

    def matches(self, record: logging.LogRecord) -> bool:
        return (
            _is_within(record.name, self.logger)
            and record.levelno <= self.level
            and self.message.search(record.getMessage()) is not None
        )


def _is_within(name: str, parent: str) -> bool:
    return name == parent or name.startswith(parent + ".")


class _Collector(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        "expect_log(logger, message_regex, level='WARNING'): a WARNING/ERROR record the test causes on "
        "purpose (tests/log_check.py)",
    )


def expectations(item: pytest.Item) -> list[Expected]:
    found = []
    for mark in item.iter_markers("expect_log"):
        logger, message = mark.args
        level = logging.getLevelName(mark.kwargs.get("level", "WARNING"))
        found.append(Expected(logger, re.compile(message), level))
    return found


def describe(record: logging.LogRecord) -> str:
    text = f"{record.levelname} {record.name}: {record.getMessage()}"
    if record.exc_info and record.exc_info[1] is not None:
        text += f" [{type(record.exc_info[1]).__name__}: {record.exc_info[1]}]"
    return text


@pytest.fixture(autouse=True)
def fail_on_unexpected_log(request: pytest.FixtureRequest) -> Iterator[None]:
    collector = _Collector()
    root = logging.getLogger()
    root.addHandler(collector)
    try:
        yield
    finally:
        root.removeHandler(collector)
    expected = expectations(request.node)
    unexpected = [
        r
        for r in collector.records
        if not any(e.matches(r) for e in expected)
        and not any(_is_within(r.name, name) and re.search(rx, r.getMessage()) for name, rx, _ in IGNORED)
    ]
    if unexpected:
        listed = "\n  ".join(describe(r) for r in unexpected)
        pytest.fail(
            f"logged {len(unexpected)} unexpected WARNING/ERROR record(s) "
            f"(declare them with @pytest.mark.expect_log if the test causes them on purpose):\n  {listed}",
            pytrace=False,
        )
