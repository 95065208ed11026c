"""The threading rules of DESIGN.md, checked while the program runs.

Two rules keep the desk responsive and pjsua2 sane:

- no database I/O on the window's GUI thread (it waits for the database only by awaiting the
  database worker, `app.services.database_worker`);
- pjsua2 is called only on the engine's SIP thread (the one that created the library).

A thread takes its role with `take_role` when it starts being that thread; code that must (or must
not) run on a role's thread calls `require_role` / `forbid_role`.  A broken rule raises
`ThreadRuleBroken` when ``FRONTLINE_THREAD_RULES=raise`` (the test run sets it, engine processes
inherit it) and is otherwise logged once per place, so a production desk carries on.
"""

from __future__ import annotations

import enum
import logging
import os
import threading
import traceback

log = logging.getLogger(__name__)

RAISE_ENV = "FRONTLINE_THREAD_RULES"


class Role(enum.Enum):
    GUI = "the window's GUI thread"
    SIP = "the engine's SIP thread"


class ThreadRuleBroken(RuntimeError):
    """Code ran on a thread DESIGN.md forbids for it."""


_holders: dict[Role, int] = {}
_reported: set[str] = set()
_lock = threading.Lock()


def take_role(role: Role) -> None:
    """The calling thread is `role`'s thread from now on (until `give_up_role`)."""
    _holders[role] = threading.get_ident()


def give_up_role(role: Role) -> None:
    """The calling thread no longer holds `role` (the window closed, the engine stopped)."""
    if _holders.get(role) == threading.get_ident():
        del _holders[role]


def holds_role(role: Role) -> bool:
    return _holders.get(role) == threading.get_ident()


def forbid_role(role: Role, what: str) -> None:
    """`what` must not happen on `role`'s thread (a no-op while nobody holds the role)."""
    if holds_role(role):
        _broken(f"{what} on {role.value}")


def require_role(role: Role, what: str) -> None:
    """`what` must happen on `role`'s thread (a no-op while nobody holds the role)."""
    holder = _holders.get(role)
    if holder is not None and holder != threading.get_ident():
        _broken(f"{what} off {role.value} (on {threading.current_thread().name})")


def _broken(rule: str) -> None:
    if os.environ.get(RAISE_ENV) == "raise":
        raise ThreadRuleBroken(rule)
    # Where it happened, once: a broken rule inside a loop must not flood the desk's log.
    place = "".join(traceback.format_stack(limit=4)[:-2])
    with _lock:
        if place in _reported:
            return
        _reported.add(place)
    log.error("thread rule broken: %s\n%s", rule, place)
