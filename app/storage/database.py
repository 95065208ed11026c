"""Engines for the two supported databases, and the one place database errors become user errors.

* SQLite (the embedded default): the parent directory is created, and every connection gets WAL,
  ``synchronous=FULL`` (a commit survives a power cut), enforced foreign keys and a busy timeout
  (the window and a CLI may write at once).
* PostgreSQL: ``postgresql://`` URLs are mapped to the psycopg 3 driver.  The site file never holds
  a password; when the URL has none it is read from the OS keyring under
  ``app.secrets.database_key(user, host)``, the user being the URL's or, as libpq does, the OS
  login (`database_user`).  Connections are pinged before use, so a database
  restart costs one reconnect instead of an error on the operator's screen.  TLS settings travel
  in the URL's query and reach libpq unchanged, e.g.
  ``postgresql://ivanov@db.example.org/frontline?sslmode=verify-full&sslrootcert=/etc/frontline/ca.pem``;
  a certificate that does not match is reported as such (`unavailable_message`), not as an outage.
"""

from __future__ import annotations

import getpass
import logging
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, OperationalError

from app.errors import ConfigError, DatabaseUnavailable
from app.secrets import database_key, get_secret

log = logging.getLogger(__name__)

SQLITE_BUSY_TIMEOUT_MS = 10_000


def parse_database_url(url: str | URL) -> URL:
    """The URL with the driver Frontline uses; `ConfigError` when it is not a supported database."""
    try:
        parsed = make_url(url)
    except ArgumentError as exc:
        raise ConfigError("The database URL is not valid.") from exc
    backend = parsed.get_backend_name()
    if backend in ("postgresql", "postgres"):
        return parsed.set(drivername="postgresql+psycopg")
    if backend == "sqlite":
        return parsed
    raise ConfigError(f"Unsupported database {backend!r}: use sqlite:/// or postgresql://.")


def describe(url: str | URL) -> str:
    """Where a database is, for messages: never includes the password."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        return f"SQLite file {parsed.database or ':memory:'}"
    host = parsed.host or "localhost"
    port = f":{parsed.port}" if parsed.port else ""
    return f"PostgreSQL database {parsed.database or ''} on {host}{port}"


def database_user(url: str | URL) -> str | None:
    """The PostgreSQL user a URL connects as: its own, else libpq's default (``$PGUSER``, else the
    OS login), so one site file without a user serves every desk whose OS login is the operator's
    database login.  None when there is no telling (no OS login name)."""
    named = make_url(url).username or os.environ.get("PGUSER")
    if named:
        return named
    try:
        return getpass.getuser()
    except (OSError, KeyError):
        return None


def make_engine(url: str | URL, **kwargs: Any) -> Engine:
    """An engine for `url` with Frontline's connection settings (see the module docstring)."""
    parsed = parse_database_url(url)
    if parsed.get_backend_name() == "sqlite":
        return _sqlite_engine(parsed, **kwargs)
    if parsed.username is None:
        parsed = parsed.set(username=database_user(parsed))
    if parsed.password is None and parsed.username:
        secret = get_secret(database_key(parsed.username, parsed.host))
        if secret is not None:
            parsed = parsed.set(password=secret)
    return create_engine(parsed, pool_pre_ping=True, **kwargs)


def _sqlite_engine(url: URL, **kwargs: Any) -> Engine:
    if url.database and url.database != ":memory:" and not url.database.startswith("file:"):
        Path(url.database).expanduser().parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(url, **kwargs)

    @event.listens_for(engine, "connect")
    def _set_pragmas(dbapi_connection: Any, _record: object) -> None:
        cursor = dbapi_connection.cursor()
        try:
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=FULL")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        finally:
            cursor.close()

    return engine


def unavailable_message(url: str | URL, exc: DBAPIError) -> str:
    """One sentence for the operator: which database, and the driver's first line of why."""
    text = str(exc.orig).strip() if exc.orig is not None else ""
    reason = text.splitlines()[0] if text else type(exc).__name__
    # libpq's words when the server's certificate is not what `sslmode=verify-full` expects (wrong
    # name, unknown CA, no root certificate file): retrying is no use, the configuration is wrong.
    if "certificate" in text.lower():
        detail = next((line for line in text.splitlines() if "certificate" in line.lower()), reason)
        return (
            f"The {describe(url)} was refused: its TLS certificate could not be verified ({detail.strip()}). "
            "The host name in database.url must be the one on the server's certificate, and sslrootcert "
            "the CA that signed it. Call IT."
        )
    return f"The {describe(url)} cannot be used right now ({reason}). Try again in a moment or call IT."


# sqlite3 raises OperationalError for schema mistakes too ("no such table"): only these are the
# file's or the disk's fault.
_SQLITE_UNAVAILABLE = (
    "locked",
    "busy",
    "unable to open",
    "disk i/o",
    "disk is full",
    "readonly",
    "not a database",
)


def _is_unavailable(engine: Engine, exc: DBAPIError) -> bool:
    if exc.connection_invalidated:
        return True
    if not isinstance(exc, OperationalError):
        return False
    if engine.dialect.name == "sqlite":
        return any(marker in str(exc.orig).lower() for marker in _SQLITE_UNAVAILABLE)
    return True


@contextmanager
def database_errors(engine: Engine) -> Iterator[None]:
    """Turn "cannot reach / use the database" driver errors into `DatabaseUnavailable`.

    Used at the service boundary.  Errors that are bugs or conflicts (integrity, programming
    errors, a missing table) pass through unchanged: they are not the network's fault.
    """
    try:
        yield
    except DBAPIError as exc:
        if not _is_unavailable(engine, exc):
            raise
        message = unavailable_message(engine.url, exc)
        log.warning("database unavailable: %s", message)
        raise DatabaseUnavailable(message) from exc
