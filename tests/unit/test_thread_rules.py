"""The thread-rule guard itself: raises under the test run's setting, logs once otherwise."""

from __future__ import annotations

import threading

import pytest

from app import thread_rules
from app.thread_rules import Role, ThreadRuleBroken


@pytest.fixture
def gui_role() -> object:
    thread_rules.take_role(Role.GUI)
    yield
    thread_rules.give_up_role(Role.GUI)


def test_a_forbidden_thing_on_the_roles_thread_raises(gui_role: object) -> None:
    with pytest.raises(ThreadRuleBroken, match="database session on the window's GUI thread"):
        thread_rules.forbid_role(Role.GUI, "database session")


def test_the_same_thing_on_another_thread_is_allowed(gui_role: object) -> None:
    errors: list[BaseException] = []

    def worker() -> None:
        try:
            thread_rules.forbid_role(Role.GUI, "database session")
            thread_rules.require_role(Role.SIP, "pjsua2 call")  # nobody holds SIP: no rule yet
        except BaseException as exc:  # noqa: BLE001 - handed to the test thread
            errors.append(exc)

    t = threading.Thread(target=worker)
    t.start()
    t.join()
    assert errors == []


def test_required_thread_is_enforced_once_someone_holds_the_role() -> None:
    holder_ready, release = threading.Event(), threading.Event()

    def sip_thread() -> None:
        thread_rules.take_role(Role.SIP)
        holder_ready.set()
        release.wait()
        thread_rules.give_up_role(Role.SIP)

    t = threading.Thread(target=sip_thread)
    t.start()
    holder_ready.wait()
    try:
        with pytest.raises(ThreadRuleBroken, match="pjsua2 call off the engine's SIP thread"):
            thread_rules.require_role(Role.SIP, "pjsua2 call")
    finally:
        release.set()
        t.join()
    thread_rules.require_role(Role.SIP, "pjsua2 call")  # role given up: no rule


@pytest.mark.expect_log("app.thread_rules", r"thread rule broken: database session", level="ERROR")
def test_in_production_a_broken_rule_is_logged_once_per_place(
    gui_role: object, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.delenv(thread_rules.RAISE_ENV)
    for _ in range(3):
        thread_rules.forbid_role(Role.GUI, "database session")
    broken = [r for r in caplog.records if r.name == "app.thread_rules"]
    assert len(broken) == 1
    assert "test_thread_rules.py" in broken[0].getMessage()  # says where
