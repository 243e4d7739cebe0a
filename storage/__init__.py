"""Storage layer: SQLAlchemy models, engine/session factory, repositories and Alembic migrations."""
