"""The unit of work of the desk services: one session and one transaction per service call."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from app.storage.database import database_errors
from app.storage.schema import Operator

log = logging.getLogger(__name__)


@contextmanager
def session_scope(engine: Engine) -> Iterator[Session]:
    """A session in a transaction, committed on success, rolled back on error; driver errors that
    mean "cannot reach the database" become `DatabaseUnavailable`.  Objects stay readable after
    the commit, so frozen values can be built from them before the session closes."""
    with (
        database_errors(engine),
        Session(engine, expire_on_commit=False) as session,
        session.begin(),
    ):
        yield session


def operator_id(session: Session, login: str | None) -> int | None:
    """The id of the operator signed in as `login`; None (logged) when there is no such operator."""
    if not login:
        return None
    found = session.scalar(select(Operator.id).where(Operator.login == login))
    if found is None:
        log.warning("unknown operator login; the change is recorded without an author")
    return found
