"""The log check itself (tests/log_check.py): an undeclared WARNING fails the test that logged it,
a declared one does not, and a declaration covers only what it names."""

from __future__ import annotations

import pytest

TESTS = """
import logging
import threading

import pytest

log = logging.getLogger("app.services.example")


def test_quiet():
    log.info("fine")


def test_refusal_only_logged():
    log.warning("change 17 refused by the central database")


def test_error_on_a_worker_thread():
    worker = threading.Thread(target=lambda: logging.getLogger("asyncio").error("Task exception was never retrieved"))
    worker.start()
    worker.join()


@pytest.mark.expect_log("app.services", "refused by the central")
def test_declared():
    log.warning("change 17 refused by the central database")


@pytest.mark.expect_log("app.services", "refused")
def test_a_declared_warning_does_not_excuse_an_error():
    log.error("change 17 refused by the central database")


@pytest.mark.expect_log("app.storage", "refused")
def test_declared_for_another_logger():
    log.warning("change 17 refused by the central database")
"""


# The sample's records reach this process's loggers too: this test declares them.
@pytest.mark.expect_log("app.services.example", "refused by the central database", level="ERROR")
@pytest.mark.expect_log("asyncio", "never retrieved", level="ERROR")
def test_undeclared_warnings_and_errors_fail_the_test(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_sample=TESTS)
    result = pytester.runpytest_inprocess("-p", "tests.log_check", "-p", "no:randomly")
    outcomes = {
        r.nodeid.split("::")[-1]: r.outcome
        for r in result.reprec.getreports("pytest_runtest_logreport")
        if r.when == "teardown"
    }  # type: ignore[attr-defined]
    failed = {name for name, outcome in outcomes.items() if outcome == "failed"}
    assert failed == {
        "test_refusal_only_logged",
        "test_error_on_a_worker_thread",
        "test_a_declared_warning_does_not_excuse_an_error",
        "test_declared_for_another_logger",
    }
    result.stdout.fnmatch_lines(["*WARNING app.services.example: change 17 refused by the central database*"])
