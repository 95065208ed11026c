"""`frontline admin add-operator` against a real PostgreSQL, run as a site runs it: by IT as the
owner role (docs/central-database.md), never the superuser.  The operator row and their own login
role exist afterwards, the password came from stdin and appears nowhere in the output."""

from __future__ import annotations

import subprocess
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import psycopg
import pytest
from sqlalchemy.engine import URL

from tests.fixtures.logins import PASSWORD, drop_database_and_logins
from tests.fixtures.postgres import OWNER, owner_url
from tests.fixtures.processes import frontline

pytestmark = pytest.mark.pg
REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def database(pg_server: URL, pg_database_factory: Callable[..., URL]) -> Iterator[tuple[URL, str]]:
    """(the owner's URL, without the password; a new login), dropped with the database."""
    url = pg_database_factory(migrated=True)
    login = f"op_anna_{uuid.uuid4().hex[:8]}"  # login roles are cluster-wide
    yield owner_url(url).set(password=None), login
    drop_database_and_logins(pg_server, str(url.database), [login])


def add_operator(owner: URL, login: str, password: str) -> subprocess.CompletedProcess[str]:
    return frontline(
        "admin",
        "add-operator",
        "--db",
        owner.render_as_string(),
        "--login",
        login,
        "--department",
        "Billing",
        "--role",
        "operator",
        "--display-name",
        "Anna",
        stdin=f"{password}\n",
        env={"PGPASSWORD": PASSWORD},  # the owner's password as libpq takes it, never on the command line
    )


def test_add_operator_creates_the_row_and_a_login_that_works(database: tuple[URL, str]) -> None:
    owner, login = database
    done = add_operator(owner, login, "s3cret-Pa55")
    assert done.returncode == 0, done.stderr
    assert "s3cret-Pa55" not in done.stdout + done.stderr
    # The new operator signs in with their own credentials and is who the database thinks.
    with psycopg.connect(
        host=owner.host, port=owner.port, dbname=owner.database, user=login, password="s3cret-Pa55"
    ) as conn:
        assert conn.execute("SELECT current_user").fetchone() == (login,)
        assert conn.execute(
            "SELECT rolsuper, rolcreaterole, rolbypassrls FROM pg_roles WHERE rolname = current_user"
        ).fetchone() == (False, False, False)
        assert conn.execute(
            "SELECT d.name FROM operators o JOIN departments d ON d.id = o.department_id WHERE o.login = %s",
            (login,),
        ).fetchone() == ("Billing",)
        granted_by = conn.execute(  # made by IT's owner role, as the site runs it
            "SELECT grantor::regrole::text, roleid::regrole::text FROM pg_auth_members"
            " WHERE member = current_user::regrole"
        ).fetchall()
        assert granted_by == [(OWNER, "frontline_operator")]
    again = add_operator(owner, login, "another")
    assert again.returncode == 2
    assert login in again.stderr


def test_an_empty_password_is_refused(database: tuple[URL, str]) -> None:
    owner, login = database
    done = add_operator(owner, login, "")
    assert done.returncode == 2
    assert "Empty password" in done.stderr


def test_the_documented_lists_load_as_the_owner_and_an_operator_can_choose_from_them(
    database: tuple[URL, str],
) -> None:
    """docs/central-database.md, "The company's lists": found trying it as IT -- a database set up
    by the docs had no lines or categories, so no desk could save a ticket.  The documented SQL
    runs as the owner on a freshly migrated database, and an operator's login then reads it all."""
    owner, login = database
    docs = (REPO / "docs" / "central-database.md").read_text()
    section = docs.split("### The company's lists", 1)[1]
    sql = section.split("```sql", 1)[1].split("```", 1)[0]
    with psycopg.connect(
        host=owner.host, port=owner.port, dbname=owner.database, user=owner.username, password=PASSWORD
    ) as conn:
        conn.execute(sql)  # BEGIN ... COMMIT as written
    assert add_operator(owner, login, "s3cret-Pa55").returncode == 0
    with psycopg.connect(
        host=owner.host, port=owner.port, dbname=owner.database, user=login, password="s3cret-Pa55"
    ) as conn:
        counts = {
            table: conn.execute(f"SELECT count(*) FROM {table}").fetchone()
            for table in ("lines", "line_numbers", "categories", "complexity_levels", "priorities")
        }
        child = conn.execute(
            "SELECT p.name FROM categories c JOIN categories p ON p.id = c.parent_id WHERE c.name = 'No connection'"
        ).fetchone()
    assert counts == {
        "lines": (1,),
        "line_numbers": (1,),
        "categories": (3,),
        "complexity_levels": (3,),
        "priorities": (4,),
    }
    assert child == ("Internet",)
