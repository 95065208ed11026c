"""Engine construction and the mapping of "database unreachable" to a user-facing error."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest
from sqlalchemy import text

from app.errors import ConfigError, DatabaseUnavailable
from app.storage import database
from app.storage.database import database_errors, make_engine, parse_database_url


def test_postgresql_urls_use_psycopg() -> None:
    assert parse_database_url("postgresql://u@h/db").drivername == "postgresql+psycopg"
    assert parse_database_url("postgres://u@h/db").drivername == "postgresql+psycopg"
    assert parse_database_url("sqlite:///x.db").drivername == "sqlite"
    with pytest.raises(ConfigError):
        parse_database_url("mysql://u@h/db")
    with pytest.raises(ConfigError):
        parse_database_url("not a url")


def test_password_comes_from_the_keyring_when_the_url_has_none(monkeypatch: pytest.MonkeyPatch) -> None:
    asked: list[str] = []

    def fake_secret(key: str) -> str:
        asked.append(key)
        return "s3cret"

    monkeypatch.setattr(database, "get_secret", fake_secret)
    engine = make_engine("postgresql://alice@db.example.org/frontline")
    assert asked == ["db:alice@db.example.org"]
    assert engine.url.password == "s3cret"
    assert "s3cret" not in str(engine.url)  # SQLAlchemy masks it when the URL is printed or logged


def test_a_url_without_user_connects_as_the_os_login_with_its_keyring_password(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    asked: list[str] = []
    monkeypatch.setattr(database, "get_secret", lambda key: asked.append(key) or "pw")
    monkeypatch.delenv("PGUSER", raising=False)
    monkeypatch.setattr(database.getpass, "getuser", lambda: "ivanov")
    engine = make_engine("postgresql://db.example.org/frontline")
    assert (engine.url.username, engine.url.password) == ("ivanov", "pw")
    assert asked == ["db:ivanov@db.example.org"]
    monkeypatch.setenv("PGUSER", "petrova")
    assert make_engine("postgresql://db.example.org/frontline").url.username == "petrova"


def test_tls_settings_in_the_url_reach_the_driver() -> None:
    url = (
        "postgresql://alice:pw@db.example.org/frontline?sslmode=verify-full&sslrootcert=/etc/frontline/ca.pem"
    )
    engine = make_engine(url)
    _args, kwargs = engine.dialect.create_connect_args(engine.url)
    assert kwargs["sslmode"] == "verify-full"
    assert kwargs["sslrootcert"] == "/etc/frontline/ca.pem"


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_unreachable_postgres_becomes_database_unavailable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(database, "get_secret", lambda key: "topsecret")
    engine = make_engine(
        f"postgresql://alice@127.0.0.1:{_closed_port()}/frontline", connect_args={"connect_timeout": 2}
    )
    with pytest.raises(DatabaseUnavailable) as caught, database_errors(engine), engine.connect():
        pass
    message = str(caught.value)
    assert "127.0.0.1" in message
    assert "topsecret" not in message


def test_unusable_sqlite_file_becomes_database_unavailable(tmp_path: Path) -> None:
    (tmp_path / "dir.sqlite3").mkdir()  # a directory where the file should be
    engine = make_engine(f"sqlite:///{tmp_path / 'dir.sqlite3'}")
    with (
        pytest.raises(DatabaseUnavailable, match="SQLite"),
        database_errors(engine),
        engine.connect() as conn,
    ):
        conn.execute(text("SELECT 1"))


def test_other_errors_are_not_disguised(sqlite_url: str) -> None:
    engine = make_engine(sqlite_url)
    with (
        pytest.raises(Exception, match="no such table") as caught,
        database_errors(engine),
        engine.connect() as conn,
    ):
        conn.execute(text("SELECT * FROM no_such_table"))
    assert not isinstance(caught.value, DatabaseUnavailable)
