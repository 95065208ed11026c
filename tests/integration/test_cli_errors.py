"""`frontline` as a new IT admin meets it: every mistake of theirs and every fault of the
environment gets one sentence that says what to do, in the user's language, and a non-zero exit --
never a traceback, never the driver's own text or its documentation links.

The PostgreSQL cases run against a cluster of their own that asks for passwords (scram-sha-256
over TCP, as a site's server does; the session's throwaway cluster trusts everyone).
"""

from __future__ import annotations

import os
import socket
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.engine import URL

from app.storage import migrate
from app.storage.admin import add_operator
from app.storage.database import make_engine
from tests.fixtures.postgres import find_pg_bin, start_cluster
from tests.fixtures.processes import frontline

OPERATOR_PASSWORD = "op-secret-1"


def run(*args: str, stdin: str = "", lang: str = "C.UTF-8") -> subprocess.CompletedProcess[str]:
    """`frontline ARGS` in `lang` (LANGUAGE/LC_* would override LANG in a developer's shell), no keyring."""
    env = {"LANGUAGE": None, "LC_ALL": None, "LC_MESSAGES": None, "LANG": lang}
    return frontline(
        *args, stdin=stdin, env={**env, "PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring"}
    )


def assert_one_clean_sentence(done: subprocess.CompletedProcess[str], *words: str) -> str:
    """Exit 2, one line on stderr naming `words`, and nothing of the driver's or Python's own."""
    assert done.returncode == 2, done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    line = lines[0]
    for leak in ("Traceback", "sqlalche.me", "psycopg", "sqlalchemy", "FATAL", "Error:", "[SQL"):
        assert leak not in line, line
    for word in words:
        assert word in line, line
    return line


# --- the embedded database -------------------------------------------------------------------


def test_a_negative_customer_count_is_one_sentence(tmp_path: Path) -> None:
    done = run("demo-data", "--db", f"sqlite:///{tmp_path / 'x.sqlite3'}", "--customers", "-5")
    assert_one_clean_sentence(done, "at least one", "-5")


def test_a_missing_directory_is_refused_and_not_created(tmp_path: Path) -> None:
    missing = tmp_path / "no" / "such" / "dir"
    for command in (("demo-data", "--customers", "3"), ("lookup", "x")):
        done = run(*command, "--db", f"sqlite:///{missing / 'x.sqlite3'}")
        assert_one_clean_sentence(done, str(missing), "does not exist")
    assert not (tmp_path / "no").exists()


def test_the_sentence_is_in_the_users_language(tmp_path: Path) -> None:
    missing = tmp_path / "nowhere"
    done = run("lookup", "x", "--db", f"sqlite:///{missing / 'x.sqlite3'}", lang="ru_RU.UTF-8")
    line = assert_one_clean_sentence(done, str(missing))
    assert "не существует" in line


def test_a_site_file_language_wins_over_the_system_one(tmp_path: Path) -> None:
    site = tmp_path / "site.toml"
    site.write_text('[site]\nlanguage = "ru"\n', encoding="utf-8")
    done = run("--config", str(site), "demo-data", "--customers", "0", "--db", "sqlite:///:memory:")
    assert "Нужен хотя бы один" in assert_one_clean_sentence(done)


def test_a_database_of_another_kind_is_one_sentence() -> None:
    assert_one_clean_sentence(run("lookup", "x", "--db", "mysql://u@h/db"), "mysql")
    assert_one_clean_sentence(run("lookup", "x", "--db", "not a url"), "postgresql://")


# --- a site's PostgreSQL ----------------------------------------------------------------------


@dataclass
class PasswordServer:
    port: int
    socket_dir: Path

    def url(self, user: str, database: str = "frontline", password: str | None = None) -> str:
        secret = f":{password}" if password is not None else ""
        return f"postgresql://{user}{secret}@127.0.0.1:{self.port}/{database}"

    def owner(self, database: str) -> URL:
        owner = "postgres" if os.geteuid() == 0 else os.environ.get("USER", "postgres")
        return URL.create(
            "postgresql+psycopg",
            username=owner,
            database=database,
            query={"host": str(self.socket_dir), "port": str(self.port)},
        )


@pytest.fixture(scope="module")
def password_server() -> Iterator[PasswordServer]:
    pg_bin = find_pg_bin()
    if pg_bin is None:
        pytest.fail(
            "PostgreSQL server binaries were not found (see tests/fixtures/postgres.py).", pytrace=False
        )
    # Over TCP only with a password, as on a site; the socket (for setting up) trusts the superuser.
    cluster = start_cluster(pg_bin, hba="local all all trust\nhost all all 127.0.0.1/32 scram-sha-256\n")
    assert cluster.data_dir is not None and cluster.url.port is not None
    server = PasswordServer(port=cluster.url.port, socket_dir=cluster.data_dir)
    try:
        setup = make_engine(server.owner("postgres"), isolation_level="AUTOCOMMIT")
        with setup.connect() as conn:
            conn.execute(text("CREATE DATABASE frontline"))
            conn.execute(text("CREATE DATABASE not_migrated"))
        setup.dispose()
        owner = make_engine(server.owner("frontline"))
        migrate.upgrade(owner)
        add_operator(
            owner,
            login="op_desk",
            display_name="Desk",
            department="First line",
            role="operator",
            password=OPERATOR_PASSWORD,
        )
        owner.dispose()
        yield server
    finally:
        cluster.stop()


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.mark.pg
def test_a_wrong_password_is_not_an_outage(password_server: PasswordServer) -> None:
    done = run("lookup", "x", "--db", password_server.url("op_desk", password="guess"))
    line = assert_one_clean_sentence(done, "password", "op_desk", "frontline admin set-password")
    assert "Try again in a moment" not in line
    assert "guess" not in done.stderr + done.stdout


@pytest.mark.pg
def test_no_stored_password_says_how_to_store_it(password_server: PasswordServer) -> None:
    done = run("lookup", "x", "--db", password_server.url("op_desk"))
    assert_one_clean_sentence(done, "No password", "frontline admin set-password")


@pytest.mark.pg
def test_a_missing_database_is_named(password_server: PasswordServer) -> None:
    url = password_server.url("op_desk", database="frontlne", password=OPERATOR_PASSWORD)
    assert_one_clean_sentence(run("lookup", "x", "--db", url), "no database frontlne")


@pytest.mark.pg
def test_a_database_not_migrated_says_run_migrate(password_server: PasswordServer) -> None:
    url = password_server.url("op_desk", database="not_migrated", password=OPERATOR_PASSWORD)
    assert_one_clean_sentence(run("lookup", "x", "--db", url), "frontline admin migrate")


@pytest.mark.pg
def test_an_operator_adding_operators_is_told_they_may_not(password_server: PasswordServer) -> None:
    done = run(
        "admin",
        "add-operator",
        "--db",
        password_server.url("op_desk", password=OPERATOR_PASSWORD),
        "--login",
        "op_new",
        "--department",
        "Billing",
        "--role",
        "operator",
        stdin="new-password\n",
    )
    assert_one_clean_sentence(done, "op_desk", "not allowed")


@pytest.mark.pg
def test_a_server_that_is_down_is_a_try_again(password_server: PasswordServer) -> None:
    url = f"postgresql://op_desk:{OPERATOR_PASSWORD}@127.0.0.1:{_closed_port()}/frontline?connect_timeout=3"
    assert_one_clean_sentence(run("lookup", "x", "--db", url), "cannot reach", "Try again")


def test_an_unknown_host_is_named() -> None:
    url = "postgresql://op_desk@db.frontline-test.invalid/frontline?connect_timeout=3"
    assert_one_clean_sentence(run("lookup", "x", "--db", url), "db.frontline-test.invalid", "host name")


@pytest.mark.pg
def test_an_option_libpq_does_not_know_is_a_url_mistake(password_server: PasswordServer) -> None:
    url = password_server.url("op_desk", password=OPERATOR_PASSWORD) + "?sslmod=require"
    assert_one_clean_sentence(run("lookup", "x", "--db", url), "sslmod", "URL")


@pytest.mark.pg
def test_demo_data_after_the_documented_add_operator_example(password_server: PasswordServer) -> None:
    """docs/central-database.md adds `ivanov` to "First line"; demo data used both."""
    setup = make_engine(password_server.owner("postgres"), isolation_level="AUTOCOMMIT")
    with setup.connect() as conn:
        conn.execute(text("CREATE DATABASE docs_example"))
    setup.dispose()
    owner_url = password_server.owner("docs_example").render_as_string(hide_password=False)
    assert run("admin", "migrate", "--db", owner_url).returncode == 0
    added = run(
        "admin",
        "add-operator",
        "--db",
        owner_url,
        "--login",
        "ivanov",
        "--display-name",
        "Иван Иванов",
        "--department",
        "First line",
        "--role",
        "operator",
        stdin="pw-ivanov\n",
    )
    assert added.returncode == 0, added.stderr
    done = run("demo-data", "--db", owner_url, "--customers", "20")
    assert done.returncode == 0, done.stderr
    owner = make_engine(owner_url)
    with owner.connect() as conn:
        departments = conn.execute(
            text("SELECT count(*) FROM departments WHERE name = 'First line'")
        ).scalar()
        ivanov = conn.execute(text("SELECT count(*) FROM operators WHERE login = 'ivanov'")).scalar()
    owner.dispose()
    assert (departments, ivanov) == (1, 1)


def test_a_desk_signed_in_as_another_operator_than_its_database_login_is_refused_at_once() -> None:
    """Found trying it as IT: such a desk opened, and every change it made was refused centrally
    (row-level security knows the operator by the login) -- now it says so before it starts."""
    done = run("--db", "postgresql://ivanov@127.0.0.1:1/frontline", "--operator", "petrov", "--no-phone")
    assert_one_clean_sentence(done, "petrov", "ivanov")


def test_the_window_without_a_display_is_one_sentence_not_an_abort(tmp_path: Path) -> None:
    """Found trying it as IT over SSH: Qt aborted (SIGABRT) advising to reinstall libxcb-cursor0."""
    done = frontline(
        "--db",
        f"sqlite:///{tmp_path / 'x.sqlite3'}",
        "--no-phone",
        env={"DISPLAY": None, "WAYLAND_DISPLAY": None, "QT_QPA_PLATFORM": None, "LANG": "C.UTF-8"},
    )
    assert_one_clean_sentence(done, "display", "xvfb-run")
