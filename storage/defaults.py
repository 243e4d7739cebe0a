"""Defaults other layers read without loading the database layer (SQLAlchemy costs a quarter of a second to
import, which `sellermate --help` should not pay)."""

# The database when none is configured (the settings' default, database.url).
DEFAULT_DATABASE_URL = "sqlite+aiosqlite:///sellermate.db"
