"""Alembic environment: always driven from `app.storage.migrate`, which passes the connection in."""

from __future__ import annotations

from alembic import context

from app.storage.schema import Base

config = context.config
target_metadata = Base.metadata


def _include_object(obj: object, name: str | None, type_: str, reflected: bool, compare_to: object) -> bool:
    # pg_trgm's own objects are not ours to compare.
    return not (type_ == "table" and name is not None and name.startswith("pg_"))


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is None:
        raise RuntimeError("Run migrations through app.storage.migrate, which supplies the connection.")
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
        include_object=_include_object,
    )
    with context.begin_transaction():
        context.run_migrations()


if context.is_offline_mode():
    raise RuntimeError("Offline (SQL script) migrations are not supported; use `frontline db upgrade`.")
run_migrations_online()
