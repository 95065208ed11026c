"""Engines for the two supported databases, and the one place database errors become user errors.

* SQLite (the embedded default): the file and its ``-wal``/``-shm`` are private to the desk's user
  (`app.private_files`); the default data directory is created, any other missing directory is
  refused (a mistyped ``--db`` must not quietly become a new, empty database).  Every connection
  gets WAL, ``synchronous=FULL`` (a commit survives a power cut), enforced foreign keys and a busy
  timeout (the window and a CLI may write at once).
* PostgreSQL: ``postgresql://`` URLs are mapped to the psycopg 3 driver.  The site file never holds
  a password; when the URL has none it is read from the OS keyring under
  ``app.secrets.database_key(user, host)``, the user being the URL's or, as libpq does, the OS
  login (`database_user`).  Connections are pinged before use, so a database
  restart costs one reconnect instead of an error on the operator's screen.  TLS settings travel
  in the URL's query and reach libpq unchanged, e.g.
  ``postgresql://ivanov@db.example.org/frontline?sslmode=verify-full&sslrootcert=/etc/frontline/ca.pem``.

`database_errors` turns what the environment got wrong (server down, wrong or missing password, no
such database or login, a certificate that does not match, not migrated, permission denied) into
one translated sentence that says what to do (`app.text`); the driver's own words go to the log.
"""

from __future__ import annotations

import getpass
import logging
import os
import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event, inspect, text
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, OperationalError

from app.config import data_dir
from app.errors import ConfigError, DatabaseRefused, DatabaseUnavailable, UserFacingError
from app.private_files import private_dir, private_sqlite
from app.secrets import database_key, get_secret
from app.storage.revisions import known_revisions, newest_revision
from app.text import QT_TRANSLATE_NOOP, Text
from app.thread_rules import Role, forbid_role

log = logging.getLogger(__name__)

SQLITE_BUSY_TIMEOUT_MS = 10_000


def parse_database_url(url: str | URL) -> URL:
    """The URL with the driver Frontline uses; `ConfigError` when it is not a supported database."""
    try:
        parsed = make_url(url)
    except ArgumentError as exc:
        raise ConfigError(
            QT_TRANSLATE_NOOP(
                "DatabaseError",
                "The database URL is not valid: write it as postgresql://LOGIN@HOST/DATABASE or "
                "sqlite:///PATH.",
            )
        ) from exc
    backend = parsed.get_backend_name()
    if backend in ("postgresql", "postgres"):
        return parsed.set(drivername="postgresql+psycopg")
    if backend == "sqlite":
        return parsed
    raise ConfigError(
        QT_TRANSLATE_NOOP(
            "DatabaseError", "Frontline cannot use a {kind} database: use postgresql:// or sqlite:///."
        ).format(kind=backend)
    )


def _server(url: URL) -> str:
    return f"{url.host or 'localhost'}:{url.port}" if url.port else (url.host or "localhost")


def describe(url: str | URL) -> Text:
    """Where a database is, for messages (a phrase to put in a sentence): never the password."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        return QT_TRANSLATE_NOOP("DatabaseError", "the SQLite file {file}").format(
            file=parsed.database or ":memory:"
        )
    return QT_TRANSLATE_NOOP("DatabaseError", "the PostgreSQL database {name} on {server}").format(
        name=parsed.database or "", server=_server(parsed)
    )


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
    return _off_the_gui_thread(create_engine(parsed, pool_pre_ping=True, **kwargs))


def _off_the_gui_thread(engine: Engine) -> Engine:
    """`engine`, checking DESIGN.md's rule that the window's GUI thread does no database I/O.

    Checked when a connection leaves the pool: every session, query and ping passes there, on
    the embedded SQLite, the central database's cache and PostgreSQL alike."""

    @event.listens_for(engine, "checkout")
    def _not_on_the_gui_thread(_dbapi_connection: Any, _record: object, _proxy: object) -> None:
        forbid_role(Role.GUI, f"a connection to {engine.url.get_backend_name()} taken")

    return engine


def _sqlite_engine(url: URL, **kwargs: Any) -> Engine:
    if url.database and url.database != ":memory:" and not url.database.startswith("file:"):
        _prepare_sqlite_file(Path(url.database))
    engine = _off_the_gui_thread(create_engine(url, **kwargs))

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


def _prepare_sqlite_file(path: Path) -> None:
    """Create the default data directory if needed, refuse any other missing one, and make the
    database file private before SQLite creates it (its -wal/-shm then inherit the mode)."""
    folder = path.absolute().parent
    if folder.is_relative_to(data_dir().absolute()):
        private_dir(folder)
    elif not folder.is_dir():
        raise ConfigError(
            QT_TRANSLATE_NOOP(
                "DatabaseError",
                "The folder {folder} for the database file {file} does not exist. Create it first, or "
                "correct the path in the database URL: Frontline creates only its own data folder.",
            ).format(folder=folder, file=path.name)
        )
    try:
        private_sqlite(path)
    except OSError as exc:  # SQLite says what is wrong with the path when it opens it
        log.debug("cannot prepare %s: %s", path, exc)


# libpq reports connection failures in words only (no SQLSTATE reaches the client before the
# session exists), so they are told apart by its English phrases, as psql users read them.
_CONNECTION_PROBLEMS: tuple[tuple[str, Text, type[UserFacingError]], ...] = (
    (
        r"certificate",
        QT_TRANSLATE_NOOP(
            "DatabaseError",
            "Connecting to {database} was refused: its TLS certificate could not be verified. The host "
            "name in the database URL must be the one on the server's certificate, and sslrootcert the CA "
            "that signed it: call IT.",
        ),
        DatabaseUnavailable,
    ),
    (
        r"password authentication failed",
        QT_TRANSLATE_NOOP(
            "DatabaseError",
            "The password of {user} was refused by {database}. Store the right one on this desk with "
            "“frontline admin set-password --db URL”, or ask IT to reset it.",
        ),
        DatabaseUnavailable,
    ),
    (
        r"no password supplied|password is required|password must be supplied",
        QT_TRANSLATE_NOOP(
            "DatabaseError",
            "No password of {user} for {database} is stored on this desk. Store it with "
            "“frontline admin set-password --db URL” (it goes to the OS keyring).",
        ),
        DatabaseUnavailable,
    ),
    (
        r'role ".*" does not exist',
        QT_TRANSLATE_NOOP(
            "DatabaseError",
            "There is no login {user} in {database}. Ask IT to add the operator "
            "(“frontline admin add-operator”), or correct the user name in the database URL.",
        ),
        DatabaseUnavailable,
    ),
    (
        r'database ".*" does not exist',
        QT_TRANSLATE_NOOP(
            "DatabaseError",
            "The server {server} has no database {name}. Correct the database name in the URL, or ask IT "
            "to create the database (see docs/central-database.md).",
        ),
        DatabaseUnavailable,
    ),
    (
        r"pg_hba\.conf",
        QT_TRANSLATE_NOOP(
            "DatabaseError",
            "Connections from this computer as {user} are not allowed to {database} (pg_hba.conf). Ask IT "
            "to allow this desk.",
        ),
        DatabaseUnavailable,
    ),
    (
        r"does not support ssl",
        QT_TRANSLATE_NOOP(
            "DatabaseError",
            "The database URL requires TLS (sslmode), but {database} does not offer it. Ask IT to turn TLS "
            "on at the server.",
        ),
        DatabaseUnavailable,
    ),
    (
        r"could not translate host name|failed to resolve host|name or service not known|name resolution",
        QT_TRANSLATE_NOOP(
            "DatabaseError",
            "The database server {host} cannot be found on the network. Check the host name in the "
            "database URL; if it is right, this desk's network is down: call IT.",
        ),
        DatabaseUnavailable,
    ),
    (
        r"invalid connection option|invalid sslmode value|invalid integer value|invalid value for",
        QT_TRANSLATE_NOOP(
            "DatabaseError",
            "The database URL has an option PostgreSQL does not accept ({option}). Correct or remove it "
            "(the options are libpq's, e.g. sslmode=verify-full).",
        ),
        ConfigError,
    ),
)
_UNREACHABLE = QT_TRANSLATE_NOOP(
    "DatabaseError",
    "Frontline cannot reach {database} right now. Try again in a moment; if it lasts, check that the "
    "server is running and reachable from this desk, or call IT.",
)
_SQLITE_BUSY = QT_TRANSLATE_NOOP(
    "DatabaseError", "Another program is writing to {database}. Try again in a moment."
)
_SQLITE_UNUSABLE = QT_TRANSLATE_NOOP(
    "DatabaseError",
    "Frontline cannot open or write {database}. Check that it is a Frontline database, that the file and "
    "its folder belong to this user, and that the disk is not full.",
)
_PERMISSION_DENIED = QT_TRANSLATE_NOOP(
    "DatabaseError",
    "The login {user} is not allowed to do this in {database} (permission denied). Use a login with the "
    "right role (see docs/central-database.md), or ask IT.",
)
_NOT_MIGRATED = QT_TRANSLATE_NOOP(
    "DatabaseError",
    "There are no Frontline tables in {database} yet. Create them with “frontline admin migrate --db URL” "
    "(IT, as the database owner).",
)
_OLDER_SCHEMA = QT_TRANSLATE_NOOP(
    "DatabaseError",
    "The schema of {database} is at version {current}, and this Frontline needs {head}. Bring it up to "
    "date with “frontline admin migrate --db URL” (IT, as the database owner).",
)
_NEWER_SCHEMA = QT_TRANSLATE_NOOP(
    "DatabaseError",
    "The schema of {database} was upgraded by a newer Frontline (version {current}). Update Frontline on "
    "this desk.",
)

# sqlite3 raises OperationalError for schema mistakes too ("no such table"): only these are the
# file's or the disk's fault.
_SQLITE_BUSY_MARKERS = ("locked", "busy")
_SQLITE_UNUSABLE_MARKERS = ("unable to open", "disk i/o", "disk is full", "readonly", "not a database")
_SQLITE_SCHEMA_MARKERS = ("no such table", "no such column")
# PostgreSQL SQLSTATEs: undefined table, column, function; insufficient privilege.
_PG_SCHEMA_STATES = ("42P01", "42703", "42883")
_PG_PERMISSION_DENIED = "42501"
_OPTION_RE = re.compile(r"\"([^\"]+)\"")


def driver_text(exc: DBAPIError) -> str:
    """The driver's own words (for the log, never for the screen)."""
    text = str(exc.orig).strip() if exc.orig is not None else ""
    return " ".join(text.split()) or type(exc).__name__


def database_problem(engine: Engine, exc: DBAPIError) -> UserFacingError | None:
    """The user error `exc` amounts to, or None when it is no fault of the environment (a conflict
    or a bug: the caller handles or reports it).

    `DatabaseUnavailable` when the database cannot be used now (unreachable, login refused, no such
    database: the desk keeps working on what it has); `DatabaseRefused` when it answers but refuses
    (permission denied, schema not migrated); `ConfigError` for a URL it cannot understand.
    """
    url = engine.url
    words: dict[str, Any] = {
        "database": describe(url),
        "user": url.username or "",
        "host": url.host or "localhost",
        "server": _server(url),
        "name": url.database or "",
    }
    if engine.dialect.name == "sqlite":
        return _sqlite_problem(engine, exc, words)
    sqlstate = getattr(exc.orig, "sqlstate", None)
    if sqlstate == _PG_PERMISSION_DENIED:
        return DatabaseRefused(_PERMISSION_DENIED.format(**words))
    if sqlstate in _PG_SCHEMA_STATES:
        return _schema_problem(engine, words)
    if sqlstate is not None and not exc.connection_invalidated:
        return None  # the server answered with an error of its own: a conflict or a bug
    return _connection_problem(exc, words)


def _sqlite_problem(engine: Engine, exc: DBAPIError, words: dict[str, Any]) -> UserFacingError | None:
    text = str(exc.orig).lower()
    if any(marker in text for marker in _SQLITE_BUSY_MARKERS):
        return DatabaseUnavailable(_SQLITE_BUSY.format(**words))
    if any(marker in text for marker in _SQLITE_UNUSABLE_MARKERS):
        return DatabaseUnavailable(_SQLITE_UNUSABLE.format(**words))
    if any(marker in text for marker in _SQLITE_SCHEMA_MARKERS):
        return _schema_problem(engine, words)
    return None


def _connection_problem(exc: DBAPIError, words: dict[str, Any]) -> UserFacingError | None:
    said = driver_text(exc)
    for pattern, message, error in _CONNECTION_PROBLEMS:
        if re.search(pattern, said, re.IGNORECASE):
            option = _OPTION_RE.search(said)
            return error(message.format(**words, option=option.group(1) if option else ""))
    if isinstance(exc, OperationalError) or exc.connection_invalidated:
        return DatabaseUnavailable(_UNREACHABLE.format(**words))
    return None


def _schema_problem(engine: Engine, words: dict[str, Any]) -> UserFacingError | None:
    """A missing table or column: the schema is not the one this Frontline knows -- or, when it is,
    a bug (None)."""
    try:
        with engine.connect() as connection:
            current = _revision_in(connection)
    except DBAPIError:
        return None  # cannot tell: the error stays as it was
    head = newest_revision()
    if current == head:
        return None
    if current is None:
        return DatabaseRefused(_NOT_MIGRATED.format(**words))
    if current in known_revisions():
        return DatabaseRefused(_OLDER_SCHEMA.format(**words, current=current, head=head))
    return DatabaseRefused(_NEWER_SCHEMA.format(**words, current=current))


def _revision_in(connection: Connection) -> str | None:
    """The revision in Alembic's own table (None: never migrated); read here rather than through
    `app.storage.migrate`, which depends on this module."""
    if not inspect(connection).has_table("alembic_version"):
        return None
    return connection.execute(text("SELECT version_num FROM alembic_version")).scalar()


@contextmanager
def database_errors(engine: Engine) -> Iterator[None]:
    """Turn database errors that are the environment's fault into one user error (see
    `database_problem`).

    Used at the service boundary.  Errors that are conflicts or bugs (integrity, programming
    errors, a missing table in a database at the newest schema) pass through unchanged.
    """
    try:
        yield
    except DBAPIError as exc:
        problem = database_problem(engine, exc)
        if problem is None:
            raise
        log.info("%s (%s)", problem.english, driver_text(exc))
        raise problem from exc
