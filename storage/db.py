"""Engine and session factory, and bringing a database's schema up to date with Alembic."""

from __future__ import annotations

import itertools
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import CursorResult, Result, event, text
from sqlalchemy.engine import Connection, make_url
from sqlalchemy.engine.interfaces import DBAPIConnection, DBAPICursor, ExecutionContext
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import (
    AsyncConnection,
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)
from sqlalchemy.pool import ConnectionPoolEntry

if TYPE_CHECKING:
    from alembic.config import Config

MIGRATIONS_DIR = Path(__file__).parent / "migrations"


class DatabaseURLError(ValueError):
    """The configured database URL cannot be used; the message says what to set."""


class SchemaTooNewError(DatabaseURLError):
    """The database was brought to a newer schema by a newer SellerMate than this one; nothing is changed."""


def normalise_url(url: str) -> str:
    """Accept the plain driver names users type and use the async drivers SellerMate needs."""
    try:
        parsed = make_url(url)
    except Exception as exc:  # sqlalchemy raises ArgumentError with an unhelpful text
        raise DatabaseURLError(
            f"database URL {url!r} is not valid; expected e.g. sqlite+aiosqlite:///sellermate.db "
            "or postgresql+asyncpg://user@host/db"
        ) from exc
    backend = parsed.get_backend_name()
    if backend == "sqlite":
        parsed = parsed.set(drivername="sqlite+aiosqlite")
    elif backend == "postgresql":
        parsed = parsed.set(drivername="postgresql+asyncpg")
    else:
        raise DatabaseURLError(f"database {backend!r} is not supported: use SQLite or PostgreSQL")
    return parsed.render_as_string(hide_password=False)


# Schema names of an import's stage file while attached (storage.repositories.imports.attach_stage_file).
ATTACHED_PART_PREFIX = "import_part_"
# A pooled SQLite connection's settings an import changed ({setting: value before}, storage.repositories.imports:
# page cache, foreign keys, sorter threads): put back when the connection returns to the pool.
RESTORE_ON_CHECKIN = "sellermate_restore_on_checkin"


def rows_affected(result: Result[*tuple[Any, ...]]) -> int:
    """How many rows an INSERT, UPDATE or DELETE wrote. `Session.execute` is typed as returning any Result;
    a data-changing statement's is a CursorResult, the kind that has a row count."""
    assert isinstance(result, CursorResult)
    return result.rowcount


def create_engine(url: str, echo: bool = False) -> AsyncEngine:
    url = normalise_url(url)
    if url.startswith("sqlite"):
        engine = create_async_engine(url, echo=echo, connect_args={"timeout": 30})

        @event.listens_for(engine.sync_engine, "connect")
        def _sqlite_pragmas(dbapi_conn: DBAPIConnection, _record: ConnectionPoolEntry) -> None:
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA synchronous=NORMAL")
            cur.close()

        @event.listens_for(engine.sync_engine, "checkin")
        def _after_import(dbapi_conn: DBAPIConnection | None, _record: ConnectionPoolEntry | None) -> None:
            # An import's stage file is attached inside the import's transaction, where SQLite cannot detach
            # it, and the foreign-key setting cannot change there: the transaction is over
            # when the connection comes back to the pool.
            if dbapi_conn is None:
                return
            cur = dbapi_conn.cursor()
            try:
                restore = _record.info.pop(RESTORE_ON_CHECKIN, {}) if _record is not None else {}
                for setting, value in restore.items():
                    cur.execute(f"PRAGMA {setting}={value}")
                cur.execute("PRAGMA database_list")
                for name in [r[1] for r in cur.fetchall() if r[1].startswith(ATTACHED_PART_PREFIX)]:
                    cur.execute(f'DETACH DATABASE "{name}"')
            finally:
                cur.close()

        return engine
    return create_async_engine(url, echo=echo, pool_pre_ping=True)


def create_sessionmaker(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, expire_on_commit=False)


def _alembic_config(connection: Connection) -> Config:
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    cfg.attributes["connection"] = connection
    return cfg


def _upgrade(connection: Connection) -> None:
    from alembic import command

    command.upgrade(_alembic_config(connection), "head")


# PostgreSQL: bringing the schema up to date and creating the first workspace run one process at a time, under
# the advisory lock with this key ("SMsetup" in ASCII). Two first starts at once (two imports into a new
# database) would otherwise both create the tables, the second failing, or each create a workspace of its own.
SETUP_LOCK_KEY = int.from_bytes(b"SMsetup", "big")


async def hold_setup_lock(conn: AsyncConnection) -> None:
    """PostgreSQL: wait for the setup lock (SETUP_LOCK_KEY), then hold it until the connection's transaction
    ends. Nothing on SQLite."""
    if conn.dialect.name == "postgresql":
        await conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": SETUP_LOCK_KEY})


def head_revision() -> str:
    """The newest migration's revision id, read from the file names (NNNN_description.py, one linear chain;
    tests/test_storage.py checks it against Alembic's own head). Knowing it without importing Alembic lets
    a command on an up-to-date database skip the migration machinery (about a tenth of a second)."""
    return max(p.name[:4] for p in (MIGRATIONS_DIR / "versions").glob("[0-9][0-9][0-9][0-9]_*.py"))


async def schema_version(engine: AsyncEngine) -> str | None:
    """The database's schema revision (None for a new or unreadable database)."""
    try:
        async with engine.connect() as conn:
            version: str | None = await conn.scalar(text("SELECT version_num FROM alembic_version"))
    except SQLAlchemyError:
        return None
    return version


async def migrate(engine: AsyncEngine) -> None:
    """Bring the schema to the newest Alembic revision (idempotent, safe on every start, also of several
    processes at once on PostgreSQL). A database already there is only read, with no Alembic import."""
    version, head = await schema_version(engine), head_revision()
    if version == head:
        return
    if version is not None and version > head:
        raise SchemaTooNewError(
            f"this database was last opened by a newer SellerMate (schema {version}; this version knows up to "
            f"{head}); upgrade SellerMate, or open a copy made before the upgrade"
        )
    async with engine.begin() as conn:
        await hold_setup_lock(conn)
        await conn.run_sync(_upgrade)


# Tables whose rows the answers to questions are computed from. A committed write to any of them bumps
# Database.data_version, which invalidates cached answers (crm/query/cache.py).
DATA_TABLES = (
    "orders",
    "order_lines",
    "customers",
    "buyer_identities",
    "customer_tags",
    "tags",
    "fx_rates",
    "interactions",
    "products",
    "consent_records",
    "loyalty_ledger",
    "merge_events",
)
# Set in a connection's info by a statement that writes customer data, until its transaction ends.
DATA_WRITE_MARK = "sellermate_data_write"
_WRITE_VERBS = ("insert", "update", "delete")
_SERIALS = itertools.count(1)


def _watch_writes(db: Database) -> None:
    """Count committed transactions that wrote customer data, in this process, on this engine."""
    sync_engine = db.engine.sync_engine

    @event.listens_for(sync_engine, "before_cursor_execute")
    def _seen(
        conn: Connection,
        _cursor: DBAPICursor,
        statement: str,
        _params: Any,
        _context: ExecutionContext | None,
        _many: bool,
    ) -> None:
        head = statement.lstrip()[:120].lower()
        if head.startswith(_WRITE_VERBS) and any(t in head for t in DATA_TABLES):
            conn.info[DATA_WRITE_MARK] = True
            db.data_version += 1  # also now: an answer computed before the commit must not be kept

    @event.listens_for(sync_engine, "commit")
    def _committed(conn: Connection) -> None:
        if conn.info.pop(DATA_WRITE_MARK, False):
            db.data_version += 1

    @event.listens_for(sync_engine, "rollback")
    def _rolled_back(conn: Connection) -> None:
        try:  # noqa: SIM105
            conn.info.pop(DATA_WRITE_MARK, None)
        except (
            SQLAlchemyError
        ):  # a connection invalidated mid-transaction (a cancelled import) has no info left
            pass


async def has_uncommitted_data_write(session: AsyncSession) -> bool:
    """Whether the session's transaction has written customer data not yet committed (see _watch_writes)."""
    if not session.in_transaction():
        return False
    conn = await session.connection()
    return bool(conn.info.get(DATA_WRITE_MARK))


class Database:
    """The engine and its session factory, built once by the composition root and passed around."""

    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine
        self.sessions = create_sessionmaker(engine)
        self.serial = next(_SERIALS)  # unlike id(self), never reused by a later Database in this process
        self.data_version = 0  # bumped on every commit that changed customer data (see _watch_writes)
        _watch_writes(self)

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    async def dispose(self) -> None:
        await self.engine.dispose()


async def open_database(url: str, *, echo: bool = False, run_migrations: bool = True) -> Database:
    engine = create_engine(url, echo=echo)
    if run_migrations:
        await migrate(engine)
    return Database(engine)
