"""Storage: SQLAlchemy models, Alembic migrations, repositories.  Rows never leave this package."""
