"""Who is signed in at a desk (`app.cli._operator_login`): pure logic, no database."""

from __future__ import annotations

import getpass

import pytest

from app.cli import _operator_login
from app.errors import ValidationError


def test_on_a_central_database_the_operator_is_the_login_of_the_url(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("PGUSER", raising=False)
    assert _operator_login(None, "postgresql://ivanov@db/frontline", default="demo.smith") == "ivanov"
    assert _operator_login("ivanov", "postgresql://ivanov@db/frontline", default=None) == "ivanov"
    monkeypatch.setenv("PGUSER", "petrov")  # no user in the URL: libpq's choice
    assert _operator_login(None, "postgresql://db/frontline", default=None) == "petrov"
    monkeypatch.delenv("PGUSER")
    assert _operator_login(None, "postgresql://db/frontline", default=None) == getpass.getuser()


def test_another_operator_than_the_database_login_is_refused() -> None:
    with pytest.raises(ValidationError, match="petrov"):
        _operator_login("petrov", "postgresql://ivanov@db/frontline", default=None)


def test_on_the_embedded_database_the_operator_is_whoever_is_asked_for() -> None:
    assert _operator_login("petrov", "sqlite:///x.sqlite3", default="demo.smith") == "petrov"
    assert _operator_login(None, "sqlite:///x.sqlite3", default="demo.smith") == "demo.smith"
    assert _operator_login(None, "sqlite:///x.sqlite3", default=None) == getpass.getuser()
