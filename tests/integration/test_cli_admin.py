"""`frontline admin add-operator` against a real PostgreSQL: the operator row and their own login
role exist afterwards, the password came from stdin and appears nowhere in the output."""

from __future__ import annotations

from collections.abc import Callable

import psycopg
import pytest
from sqlalchemy.engine import URL

from tests.fixtures.processes import frontline

pytestmark = pytest.mark.pg


def test_add_operator_creates_the_row_and_a_login_that_works(pg_database_factory: Callable[..., URL]) -> None:
    url = pg_database_factory(migrated=True)
    db = url.render_as_string(hide_password=False)
    done = frontline(
        "admin",
        "add-operator",
        "--db",
        db,
        "--login",
        "op_anna",
        "--department",
        "Billing",
        "--role",
        "operator",
        "--display-name",
        "Anna",
        stdin="s3cret-Pa55\n",
    )
    assert done.returncode == 0, done.stderr
    assert "s3cret-Pa55" not in done.stdout + done.stderr
    # The new operator signs in with their own credentials and is who the database thinks.
    with psycopg.connect(
        host=url.host, port=url.port, dbname=url.database, user="op_anna", password="s3cret-Pa55"
    ) as conn:
        assert conn.execute("SELECT current_user").fetchone() == ("op_anna",)
        is_super = conn.execute("SELECT rolsuper FROM pg_roles WHERE rolname = current_user").fetchone()
        assert is_super == (False,)
    again = frontline(
        "admin",
        "add-operator",
        "--db",
        db,
        "--login",
        "op_anna",
        "--department",
        "Billing",
        "--role",
        "operator",
        stdin="another\n",
    )
    assert again.returncode == 2
    assert "op_anna" in again.stderr


def test_an_empty_password_is_refused(pg_database_factory: Callable[..., URL]) -> None:
    url = pg_database_factory(migrated=True)
    done = frontline(
        "admin",
        "add-operator",
        "--db",
        url.render_as_string(hide_password=False),
        "--login",
        "op_b",
        "--department",
        "A",
        "--role",
        "operator",
        stdin="\n",
    )
    assert done.returncode == 2
    assert "Empty password" in done.stderr
