"""Shared fixtures: real SQLite and PostgreSQL databases, migrated with Alembic.

SQLite: every test gets a fresh file copied from a migrated template (fast, fully isolated).
PostgreSQL: every test session works in its own database (so parallel runs never collide, and a CLI
subprocess can reach it by URL), and every test starts from empty tables. PostgreSQL tests skip with a message when no server is reachable; set
SELLERMATE_TEST_PG_URL to point them elsewhere (default: postgresql://postgres@127.0.0.1:5432/test), and
SELLERMATE_REQUIRE_POSTGRES=1 to make them fail with that message instead (CI: .ci/run).
"""

from __future__ import annotations

import asyncio
import copy
import io
import logging
import os
import pickle
import shutil
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio
from sqlalchemy import text

from storage.db import Database, create_engine, migrate
from storage.models import Base, declare_all
from storage.repositories.workspaces import get_or_create_workspace
from tests.fakes.openai_server import ScriptedOpenAI

declare_all()  # Base.metadata holds every table (the truncation between tests reads it)

try:
    import fcntl
except ImportError:  # Windows: each worker fills its own prepared databases
    fcntl = None  # type: ignore[assignment]

PG_URL = os.environ.get("SELLERMATE_TEST_PG_URL", "postgresql+asyncpg://postgres@127.0.0.1:5432/test")
# The shared evaluation folder beside the repository: an EXTRA source of cases when present, never needed
# (every test runs on data inside the repository). SELLERMATE_SHARED_DIR points it elsewhere.
SHARED = Path(os.environ.get("SELLERMATE_SHARED_DIR") or Path(__file__).resolve().parents[2] / "shared")
DEMO_AS_OF = date(2026, 11, 23)  # the demo exports cover the days before this date
DEMO_CUSTOMERS = 250


def run_isolated(coro_fn):  # type: ignore[no-untyped-def]
    """Run a coroutine to completion in its own thread and loop (fixtures may be set up inside a loop)."""
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(1) as pool:
        return pool.submit(lambda: asyncio.run(coro_fn())).result()


def _pg_reachable() -> str | None:
    async def probe() -> None:
        import asyncpg

        dsn = PG_URL.replace("postgresql+asyncpg://", "postgresql://")
        conn = await asyncio.wait_for(asyncpg.connect(dsn), timeout=3)
        await conn.close()

    try:
        run_isolated(probe)
        return None
    except Exception as exc:  # any failure means: skip with the reason
        return f"PostgreSQL not reachable at {PG_URL}: {exc.__class__.__name__}: {exc}"


_PG_SKIP: str | bool | None = False  # False = not probed yet
# Set (to anything but "" or "0") by CI: a test that needs PostgreSQL fails when no server answers.
REQUIRE_POSTGRES = os.environ.get("SELLERMATE_REQUIRE_POSTGRES", "") not in ("", "0")


def pg_skip_reason() -> str | None:
    global _PG_SKIP
    if _PG_SKIP is False:
        _PG_SKIP = _pg_reachable()
    return _PG_SKIP  # type: ignore[return-value]


def skip_without_postgres(reason: str) -> None:
    """Skip the test for want of a PostgreSQL server, or fail it with the same reason when
    SELLERMATE_REQUIRE_POSTGRES is set (so CI never passes having run only the SQLite half)."""
    if REQUIRE_POSTGRES:
        pytest.fail(f"{reason} (SELLERMATE_REQUIRE_POSTGRES is set)", pytrace=False)
    pytest.skip(reason)


@pytest.fixture(autouse=True)
def own_state_folder(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Each test (and the commands it runs) keeps SellerMate's per-user state, such as where the last demo
    database is (bot.demo_state), in a folder of its own: never the real user's, never another test's."""
    folder = tmp_path_factory.mktemp("state")
    monkeypatch.setenv("XDG_STATE_HOME", str(folder))
    return folder


@pytest.fixture(autouse=True)
def own_logging() -> Iterator[None]:
    """A command run in-process (`run`, `worker`, `--debug`) may configure the root logger with a handler on
    the stderr pytest captured for that test; that stream is closed afterwards, so the next test's log
    records would fail to write. Each test leaves the root logger as it found it."""
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    yield
    for handler in list(root.handlers):
        if handler not in handlers:
            root.removeHandler(handler)
    for handler in handlers:
        if handler not in root.handlers:
            root.addHandler(handler)
    root.setLevel(level)


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("template") / "template.db"

    async def build() -> None:
        engine = create_engine(f"sqlite+aiosqlite:///{path}")
        await migrate(engine)
        await engine.dispose()

    run_isolated(build)
    return path


@pytest.fixture(scope="session")
def demo_exports(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The project's own demo exports (every platform's real layout), written once per test session by the
    demo-data writer: file name -> path. Tests must not modify them."""
    from crm.importing.demo import generate_demo_exports

    folder = tmp_path_factory.mktemp("demo-exports")
    files = generate_demo_exports(folder, seed=7, customers=DEMO_CUSTOMERS, as_of=DEMO_AS_OF)
    return {f.name: f for f in files}


@pytest.fixture(scope="session")
def pg_database() -> str:
    """A private PostgreSQL database for this test session (so parallel runs and subprocesses both work)."""
    reason = pg_skip_reason()
    if reason:
        skip_without_postgres(reason)
    name = f"sellermate_test_{uuid.uuid4().hex[:10]}"

    async def admin(sql: str) -> None:
        engine = create_engine(PG_URL).execution_options(isolation_level="AUTOCOMMIT")
        async with engine.connect() as conn:
            await conn.execute(text(sql))
        await engine.dispose()

    async def build() -> None:
        await admin(f'CREATE DATABASE "{name}"')
        # A commit does not wait for its WAL to reach the disk (about 1 ms each, more while other databases
        # on the server write): what a commit makes visible, locks and isolation are unchanged; only a crash
        # of the server could lose the last commits of this throwaway database.
        await admin(f'ALTER DATABASE "{name}" SET synchronous_commit = off')
        engine = create_engine(pg_url_for(name))
        await migrate(engine)
        await engine.dispose()

    run_isolated(build)
    yield name
    run_isolated(lambda: admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


def pg_url_for(database: str) -> str:
    """The URL of the session's test database (usable by a CLI subprocess too)."""
    from sqlalchemy.engine import make_url

    return make_url(PG_URL).set(database=database).render_as_string(hide_password=False)


def _empty_tables_statement() -> str:
    """One statement that leaves every table empty with its ids starting again at 1, as
    `TRUNCATE ... RESTART IDENTITY CASCADE` did at about ten times the cost: TRUNCATE gives each of the 35
    tables and their indexes new files whether a test wrote to them or not, while DELETE on an empty table
    costs nothing. Children are emptied before their parents (foreign keys), and only the sequences a test
    used are set back (setval does not create a new file either)."""
    tables = ", ".join(f"'{t.name}'" for t in reversed(Base.metadata.sorted_tables))
    return f"""DO $$
DECLARE
    name text;
    seq record;
BEGIN
    FOREACH name IN ARRAY ARRAY[{tables}] LOOP
        EXECUTE format('DELETE FROM %I', name);
    END LOOP;
    FOR seq IN
        SELECT format('%I.%I', schemaname, sequencename) AS qualified, start_value FROM pg_sequences
        WHERE schemaname = current_schema() AND last_value IS NOT NULL
    LOOP
        PERFORM setval(seq.qualified, seq.start_value, false);
    END LOOP;
END $$"""


EMPTY_TABLES = _empty_tables_statement()


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def backend(request: pytest.FixtureRequest) -> str:
    return request.param


@pytest_asyncio.fixture
async def db(backend: str, request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Database]:
    """A migrated, empty database of each kind."""
    if backend == "sqlite":
        template = request.getfixturevalue("sqlite_template")
        path = tmp_path / "test.db"
        shutil.copy(template, path)
        database = Database(create_engine(f"sqlite+aiosqlite:///{path}"))
        database.url = f"sqlite+aiosqlite:///{path}"  # type: ignore[attr-defined]
    else:
        url = pg_url_for(request.getfixturevalue("pg_database"))
        database = Database(create_engine(url))
        database.url = url  # type: ignore[attr-defined]
        async with database.engine.begin() as conn:
            await conn.execute(text(EMPTY_TABLES))
    try:
        yield database
    finally:
        await database.dispose()


# What fills a prepared database: (the empty migrated database, its workspace id, a folder of its own) -> a
# value handed to every test along with its copy (each test gets a copy of the value too).
Build = Callable[[Database, int, Path], Awaitable[Any]]


async def _new_workspace(database: Database) -> int:
    async with database.sessions() as session:
        ws = await get_or_create_workspace(
            session, name="Test shop", base_currency="SGD", timezone="Asia/Singapore"
        )
        await session.commit()
        return ws.id


@dataclass
class _Filled:
    """A database as its build left it: a SQLite file, or every PostgreSQL table's rows and the sequences."""

    workspace_id: int
    value: Any
    sqlite_file: Path | None = None
    pg_tables: list[tuple[str, bytes]] = field(default_factory=list)  # COPY's binary format, exact
    pg_sequences: list[tuple[str, int]] = field(default_factory=list)


async def _pg_snapshot(database: Database, filled: _Filled) -> None:
    async with database.engine.connect() as conn:
        raw = (await conn.get_raw_connection()).driver_connection
        assert raw is not None
        for table in Base.metadata.sorted_tables:  # parents first
            if await raw.fetchval(f'SELECT EXISTS (SELECT FROM "{table.name}")'):
                rows = io.BytesIO()
                await raw.copy_from_table(table.name, output=rows, format="binary")
                filled.pg_tables.append((table.name, rows.getvalue()))
        filled.pg_sequences = [
            (r["qualified"], r["last_value"])
            for r in await raw.fetch(
                "SELECT format('%I.%I', schemaname, sequencename) AS qualified, last_value FROM pg_sequences"
                " WHERE schemaname = current_schema() AND last_value IS NOT NULL"
            )
        ]


class PreparedDatabases:
    """Databases filled once per test run and copied for each test that asks for one: for data that takes
    seconds to write (the demo shop imported) and is read by many tests. A test gets its own copy, so it may
    write to it and never sees what another test wrote. One xdist worker fills each (under a file lock in a
    folder the run's workers share) and the others read what it left there. SQLite: the filled file is
    copied. PostgreSQL: the session's database (the one `db` uses, so a test asks for one or the other) is
    emptied, the filled tables' rows are written back with COPY and the sequences set as the build left them:
    no database is created or dropped per test (a DROP DATABASE waits for a checkpoint of the whole
    server)."""

    def __init__(self, shared: Path, sqlite_template: Path) -> None:
        self.shared = shared
        self.sqlite_template = sqlite_template
        self.filled: dict[tuple[str, str], _Filled] = {}
        self.copies = 0

    async def _fill(self, backend: str, key: str, build: Build, into: Database | None) -> _Filled:
        stem = self.shared / f"{backend}-{key}"
        folder = stem.with_name(stem.name + "-files")
        folder.mkdir()
        if into is not None:  # PostgreSQL: the session's database, emptied
            workspace_id = await _new_workspace(into)
            filled = _Filled(workspace_id, await build(into, workspace_id, folder))
            await _pg_snapshot(into, filled)
            return filled
        path = stem.with_suffix(".db")
        shutil.copy(self.sqlite_template, path)
        source = Database(create_engine(f"sqlite+aiosqlite:///{path}"))
        try:
            workspace_id = await _new_workspace(source)
            filled = _Filled(workspace_id, await build(source, workspace_id, folder), sqlite_file=path)
            async with source.engine.connect() as conn:  # all of it in the file, none in the log
                await conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
        finally:
            await source.dispose()
        return filled

    async def _filled(
        self, backend: str, key: str, build: Build, into: Database | None
    ) -> tuple[_Filled, bool]:
        """What `build` left for `key`, and whether it was filled just now into `into`: from memory, else from
        the shared folder (another worker filled it), else filled here while the other workers wait."""
        if (backend, key) in self.filled:
            return self.filled[backend, key], False
        stem = self.shared / f"{backend}-{key}"
        done, here = stem.with_suffix(".pickle"), False
        with open(stem.with_suffix(".lock"), "w") as lock:
            if fcntl is not None:
                await asyncio.to_thread(fcntl.flock, lock, fcntl.LOCK_EX)  # released when closed
            if done.exists():
                filled = pickle.loads(done.read_bytes())
            else:
                filled, here = await self._fill(backend, key, build, into), True
                done.with_suffix(".part").write_bytes(pickle.dumps(filled))
                done.with_suffix(".part").replace(done)
        self.filled[backend, key] = filled
        return filled, here

    async def copy(
        self, backend: str, key: str, build: Build, tmp_path: Path, pg_database: str | None
    ) -> tuple[Database, int, Any]:
        """This test's copy of the database `build` fills for `key` (filled by the first test that asks),
        its workspace id and a copy of what `build` returned. The caller disposes of the database."""
        self.copies += 1
        if backend == "sqlite":
            filled, _ = await self._filled(backend, key, build, None)
            assert filled.sqlite_file is not None
            copy_path = tmp_path / f"prepared-{self.copies}.db"
            shutil.copy(filled.sqlite_file, copy_path)
            url = f"sqlite+aiosqlite:///{copy_path}"
            database = Database(create_engine(url))
        else:
            assert pg_database is not None
            url = pg_url_for(pg_database)
            database = Database(create_engine(url))
            try:
                async with database.engine.begin() as conn:
                    await conn.execute(text(EMPTY_TABLES))
                filled, here = await self._filled(backend, key, build, database)
                if not here:
                    async with database.engine.begin() as conn:
                        raw = (await conn.get_raw_connection()).driver_connection
                        assert raw is not None
                        for name, rows in filled.pg_tables:
                            await raw.copy_to_table(name, source=io.BytesIO(rows), format="binary")
                        for qualified, last_value in filled.pg_sequences:
                            await raw.execute("SELECT setval($1, $2, true)", qualified, last_value)
            except BaseException:
                await database.dispose()
                raise
        database.url = url  # type: ignore[attr-defined]
        return database, filled.workspace_id, copy.deepcopy(filled.value)


@pytest.fixture(scope="session")
def prepared_databases(tmp_path_factory: pytest.TempPathFactory, sqlite_template: Path) -> PreparedDatabases:
    # The folder of this run that every xdist worker sees (a worker's own folder is in it); without xdist,
    # or without file locks (Windows), this process's own.
    own = tmp_path_factory.getbasetemp()
    run = own.parent if os.environ.get("PYTEST_XDIST_WORKER") and fcntl is not None else own
    shared = run / "prepared"
    shared.mkdir(exist_ok=True)
    return PreparedDatabases(shared, sqlite_template)


@pytest_asyncio.fixture
async def prepared(
    backend: str, request: pytest.FixtureRequest, prepared_databases: PreparedDatabases, tmp_path: Path
) -> AsyncIterator[Callable[[str, Build], Awaitable[tuple[Database, int, Any]]]]:
    """`await prepared(key, build)`: this test's own copy of the database `build` fills (once per session and
    backend for each key), as (database, workspace id, what build returned). Not with `db` in one test: on
    PostgreSQL both are the session's database."""
    pg_database = request.getfixturevalue("pg_database") if backend == "postgres" else None
    opened: list[Database] = []

    async def prepare(key: str, build: Build) -> tuple[Database, int, Any]:
        assert not opened, "one prepared database per test"
        database, workspace_id, value = await prepared_databases.copy(
            backend, key, build, tmp_path, pg_database
        )
        opened.append(database)
        return database, workspace_id, value

    try:
        yield prepare
    finally:
        for database in opened:
            await database.dispose()


@pytest_asyncio.fixture
async def workspace_id(db: Database) -> int:
    return await _new_workspace(db)


@pytest_asyncio.fixture
async def server() -> AsyncIterator[ScriptedOpenAI]:
    """The scripted OpenAI-compatible HTTP server on loopback (tests queue its replies)."""
    s = await ScriptedOpenAI().start()
    try:
        yield s
    finally:
        await s.stop()
