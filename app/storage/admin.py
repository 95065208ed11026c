"""Administration of the central database: operators and their PostgreSQL login roles.

`add_operator` is what ``frontline admin add-operator`` runs.  On PostgreSQL it must run as a role
that may create roles (the migrations' owner role, with CREATEROLE, or a superuser): in one
transaction it creates the department if needed, the ``operators`` row, and a LOGIN role named
after the operator, member of the group role of their `Role` (migration 0003).  On SQLite there
are no roles to create: only the department and the row.

The password never appears in SQL text in clear: it is hashed on this side into a SCRAM-SHA-256
verifier (libpq's ``PQencryptPasswordConn``, as psql's ``\\password`` does) and only the verifier
is sent, as a quoted literal (utility statements take no bind parameters), so a server logging
statements logs no password.  It is never logged here either.
"""

from __future__ import annotations

import logging
import re

import psycopg
from psycopg import sql
from sqlalchemy import Connection, Engine, select

from app.errors import UserFacingError, ValidationError
from app.storage.database import database_errors
from app.storage.schema import Department, Operator, table_of
from app.text import QT_TRANSLATE_NOOP
from app.tickets.enums import Role

log = logging.getLogger(__name__)

GROUP_ROLES: dict[Role, str] = {
    Role.OPERATOR: "frontline_operator",
    Role.SHIFT_LEAD: "frontline_shift_lead",
    Role.ADMIN: "frontline_admin",
}

# A login is also a PostgreSQL role name (quoted, so case is kept): at most 63 bytes, no pg_ prefix.
_LOGIN = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.@-]{0,62}")


class OperatorExists(UserFacingError):
    """An operator, or a PostgreSQL role, with that login exists already; nothing was changed."""


class AccessControlMissing(UserFacingError):
    """The database has no Frontline group roles: run the migrations first."""


def group_role(role: Role | str) -> str:
    """The PostgreSQL group role an operator of `role` is granted."""
    return GROUP_ROLES[Role(role)]


def check_login(login: str) -> str:
    """`login` if it can be an operator login and a PostgreSQL role name; `ValidationError` if not."""
    if not _LOGIN.fullmatch(login) or login.lower().startswith("pg_") or login in GROUP_ROLES.values():
        raise ValidationError(
            QT_TRANSLATE_NOOP(
                "AdminError",
                "{login} cannot be a login: use 1-63 letters, digits, '_', '.', '@' or '-' "
                "(not starting with pg_ nor naming a Frontline group role).",
            ).format(login=repr(login)),
            fields=("login",),
        )
    return login


def add_operator(
    engine: Engine,
    *,
    login: str,
    display_name: str,
    department: str,
    role: Role | str,
    password: str | None,
    position: str | None = None,
    sip_extension: str | None = None,
) -> None:
    """Create the operator `login` (and `department` if new); on PostgreSQL also their login role.

    `password` is required on PostgreSQL and ignored on SQLite.

    Raises:
        OperatorExists: the login is taken (an ``operators`` row or a PostgreSQL role).
        AccessControlMissing: the group roles do not exist (migrations not applied).
        ValidationError: a bad login, role, department name or an empty password.
        UserFacingError: the connected role may not create roles.
        DatabaseUnavailable: the database cannot be reached.
    """
    check_login(login)
    try:
        role = Role(role)
    except ValueError:
        raise ValidationError(
            QT_TRANSLATE_NOOP("AdminError", "Unknown role {role}: use {roles}.").format(
                role=repr(role), roles=", ".join(r.value for r in Role)
            ),
            fields=("role",),
        ) from None
    if not department.strip():
        raise ValidationError(
            QT_TRANSLATE_NOOP("AdminError", "The department needs a name."), fields=("department",)
        )
    if not display_name.strip():
        raise ValidationError(
            QT_TRANSLATE_NOOP("AdminError", "The operator needs a display name."), fields=("display_name",)
        )
    postgres = engine.dialect.name == "postgresql"
    if postgres and not password:
        raise ValidationError(
            QT_TRANSLATE_NOOP("AdminError", "The operator needs a password for their database login."),
            fields=("password",),
        )

    with database_errors(engine), engine.begin() as conn:
        if conn.scalar(select(Operator.id).where(Operator.login == login)) is not None:
            raise OperatorExists(
                QT_TRANSLATE_NOOP("AdminError", "An operator with the login {login} exists already.").format(
                    login=repr(login)
                )
            )
        department_id = department_id_for(conn, department.strip())
        conn.execute(
            table_of(Operator).insert(),
            {
                "login": login,
                "display_name": display_name.strip(),
                "position": position,
                "role": role.value,
                "department_id": department_id,
                "sip_extension": sip_extension,
                "active": True,
            },
        )
        if postgres:
            assert password is not None
            _create_login_role(conn, login, password, group_role(role))
    log.info("operator %s added (%s, department %s)", login, role.value, department.strip())


def department_id_for(conn: Connection, name: str) -> int:
    """The id of the department `name`, created if it does not exist yet."""
    found = conn.scalar(select(Department.id).where(Department.name == name))
    if found is not None:
        return int(found)
    table = table_of(Department)
    created = conn.execute(table.insert().returning(table.c.id), {"name": name}).scalar_one()
    log.info("department %s created", name)
    return int(created)


def _create_login_role(conn: Connection, login: str, password: str, group: str) -> None:
    groups = conn.exec_driver_sql(
        "SELECT count(*) FROM pg_roles WHERE rolname IN ('frontline_operator', 'frontline_shift_lead',"
        " 'frontline_admin')"
    ).scalar_one()
    if groups != len(GROUP_ROLES):
        raise AccessControlMissing(
            QT_TRANSLATE_NOOP(
                "AdminError",
                "The Frontline group roles do not exist: run “frontline admin migrate” on this database "
                "first.",
            )
        )
    exists = conn.exec_driver_sql(
        "SELECT 1 FROM pg_roles WHERE rolname = %(login)s", {"login": login}
    ).scalar()
    if exists:
        raise OperatorExists(
            QT_TRANSLATE_NOOP(
                "AdminError",
                "A PostgreSQL role named {login} exists already; choose another login or remove that role.",
            ).format(login=repr(login))
        )
    driver = conn.connection.driver_connection
    if not isinstance(driver, psycopg.Connection):
        raise TypeError("Operator roles are created through psycopg.")
    verifier = driver.pgconn.encrypt_password(password.encode(), login.encode(), b"scram-sha-256")
    statements = (
        sql.SQL("CREATE ROLE {} LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE INHERIT PASSWORD {}").format(
            sql.Identifier(login), sql.Literal(verifier.decode())
        ),
        sql.SQL("GRANT {} TO {}").format(sql.Identifier(group), sql.Identifier(login)),
    )
    try:
        with driver.cursor() as cursor:
            for statement in statements:
                cursor.execute(statement)
    except psycopg.errors.InsufficientPrivilege as exc:
        raise UserFacingError(
            QT_TRANSLATE_NOOP(
                "AdminError",
                "The database role used may not create login roles: run this as the owner role "
                "(with CREATEROLE) or a superuser.",
            )
        ) from exc
