"""Import repository: bulk, set-based writes of orders, lines, buyer identities, customers and ledgers."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Callable, Iterable, Sequence
from contextlib import asynccontextmanager, suppress
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal
from operator import itemgetter
from pathlib import Path
from typing import Any

from sqlalchemy import (
    Column,
    DateTime,
    Float,
    Integer,
    MetaData,
    Numeric,
    Select,
    String,
    Table,
    and_,
    bindparam,
    delete,
    func,
    insert,
    literal,
    or_,
    select,
    update,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncSession

from storage.db import ATTACHED_PART_PREFIX, RESTORE_ON_CHECKIN, rows_affected
from storage.models import (
    MONEY_PRECISION,
    MONEY_SCALE,
    AlertRecord,
    BehaviourEvent,
    BuyerIdentity,
    ConsentRecord,
    Customer,
    CustomerTag,
    FxRate,
    ImportLog,
    ImportRejection,
    Interaction,
    LoyaltyEntry,
    MergeEvent,
    Order,
    OrderLine,
    OutreachDraft,
    Product,
    Reminder,
    Store,
    Tag,
    UTCDateTime,
)
from storage.repositories.analytics import refresh_order_stats
from storage.stage_layout import STAGE_COLUMNS, STAGE_TABLE, BadRow, connect_stage_file
from storage.statuses import VALID_ORDER_STATUSES

VALID = VALID_ORDER_STATUSES
BATCH = 500
# What money columns (storage.models.Money, Numeric(18, 4)) hold: amounts strictly below this in size.
MONEY_CAPACITY = 10 ** (MONEY_PRECISION - MONEY_SCALE)
# What a 32-bit integer column (loyalty points) holds.
INT32_MAX = 2**31 - 1


def _chunks(seq: Sequence[Any], n: int = BATCH) -> Iterable[Sequence[Any]]:
    for i in range(0, len(seq), n):
        yield seq[i : i + n]


def upsert_insert(session: AsyncSession, table: Any) -> Any:
    """An INSERT that supports ON CONFLICT on both SQLite and PostgreSQL."""
    dialect = session.bind.dialect.name if session.bind is not None else "sqlite"
    return (postgresql.insert if dialect == "postgresql" else sqlite.insert)(table)


def _sqlite_time(v: datetime | None) -> str | None:
    if v is None:
        return None
    if v.tzinfo is not None:
        v = v.astimezone(UTC).replace(tzinfo=None)
    return v.strftime("%Y-%m-%d %H:%M:%S.%f")


def _sqlite_number(v: Decimal | float | None) -> float | None:
    return None if v is None else float(v)


async def bulk_insert(
    session: AsyncSession,
    table: Table,
    columns: Sequence[str],
    rows: list[tuple[Any, ...]],
    chunk: int = 5000,
) -> None:
    """INSERT many rows (tuples in `columns` order) through the driver's executemany.

    The import's hot paths use this to skip per-row SQLAlchemy processing; the conversions the column types
    would do (UTC datetimes as text and numbers as floats on SQLite) are applied here per column.
    """
    if not rows:
        return
    conn = await session.connection()
    dialect = conn.dialect
    style = dialect.paramstyle
    if style == "numeric_dollar":
        marks = ", ".join(f"${i + 1}" for i in range(len(columns)))
    elif style == "numeric":
        marks = ", ".join(f":{i + 1}" for i in range(len(columns)))
    elif style == "qmark":
        marks = ", ".join("?" for _ in columns)
    else:
        marks = ", ".join("%s" for _ in columns)
    quote = dialect.identifier_preparer.quote
    sql = f"INSERT INTO {quote(table.name)} ({', '.join(quote(n) for n in columns)}) VALUES ({marks})"
    if dialect.name == "sqlite":
        converters: dict[int, Callable[[Any], str | float | None]] = {}
        for i, name in enumerate(columns):
            col_type = table.c[name].type
            if isinstance(col_type, (DateTime, UTCDateTime)):
                converters[i] = _sqlite_time
            elif isinstance(col_type, Numeric) and not isinstance(col_type, Float):
                converters[i] = _sqlite_number
        if converters:
            rows = [tuple(converters[i](v) if i in converters else v for i, v in enumerate(r)) for r in rows]
    for part in _chunks(rows, chunk):
        await conn.exec_driver_sql(sql, list(part))


async def insert_returning_ids(session: AsyncSession, table: Table, rows: list[dict[str, Any]]) -> list[int]:
    """Bulk insert and return the new ids in the order of `rows`.

    PostgreSQL: INSERT .. RETURNING sorted by parameter order. SQLite would fall back to one statement per
    row for that, so there the rows are inserted in bulk and the ids read back: inside the write
    transaction SQLite hands out consecutive rowids after the current maximum, which is checked.
    """
    if not rows:
        return []
    if session.bind is not None and session.bind.dialect.name == "postgresql":
        ids: list[int] = []
        for chunk in _chunks(rows, 2000):
            result = await session.execute(
                insert(table).returning(table.c.id, sort_by_parameter_order=True), list(chunk)
            )
            ids.extend(r[0] for r in result)
        return ids
    before = (await session.execute(select(func.coalesce(func.max(table.c.id), 0)))).scalar_one()
    columns = list(rows[0])
    values = list(map(itemgetter(*columns), rows)) if len(columns) > 1 else [(r[columns[0]],) for r in rows]
    await bulk_insert(session, table, columns, values)
    new = [
        r[0]
        for r in await session.execute(select(table.c.id).where(table.c.id > before).order_by(table.c.id))
    ]
    if len(new) != len(rows) or (new and new[-1] - new[0] + 1 != len(rows)):
        raise RuntimeError("concurrent writer while importing: ids are not consecutive; try again")
    return new


# ---------------------------------------------------------------- staging of order lines
# Helper threads SQLite's sorter may start during an import: the other cores (the import itself is one).
SORT_HELPER_THREADS = max(0, min(3, (os.cpu_count() or 1) - 1))
IMPORT_CACHE_KIB = 16384  # page cache of the main and temp databases for an import's set-based steps (and the
# in-memory limit of each SQLite sort); 32 MB was 3% faster but peaked 34 MB higher at 1M lines


async def _pragma_until_checkin(session: AsyncSession, setting: str, value: object) -> None:
    """SQLite: `PRAGMA setting=value` on this session's connection; the value it had is put back when the
    connection returns to the pool (storage.db), after the import's commit or rollback."""
    from sqlalchemy import text

    before = (await session.execute(text(f"PRAGMA {setting}"))).scalar_one()
    conn = await session.connection()
    conn.info.setdefault(RESTORE_ON_CHECKIN, {}).setdefault(
        setting, before
    )  # the first value is the original
    await session.execute(text(f"PRAGMA {setting}={value}"))


def _on_sqlite(session: AsyncSession) -> bool:
    return session.bind is not None and session.bind.dialect.name == "sqlite"


async def widen_cache(session: AsyncSession) -> None:
    """SQLite: a larger page cache for this connection while an import runs (the stage, its index and the
    set-based upserts otherwise spill through the 2 MB default), until the connection returns to the pool.
    Durability settings (journal, synchronous) are left alone. Nothing on PostgreSQL."""
    if _on_sqlite(session):
        for schema in ("main", "temp"):
            await _pragma_until_checkin(session, f"{schema}.cache_size", -IMPORT_CACHE_KIB)


async def bulk_load_mode(session: AsyncSession) -> bool:
    """SQLite: this connection loads in bulk until it goes back to the pool (storage.db puts both back):

    - foreign keys are not checked. An import writes references only to rows it read or wrote itself in the
      same transaction (its store, its import log, the identities and customers it just resolved; orders it
      just inserted), under SQLite's one-writer lock; and it deletes nothing whose children it leaves behind.
      Checking every reference of a million new rows against five parent tables costs about a fifth of the
      set-based steps. (tests/test_import_integrity.py checks the result with `PRAGMA foreign_key_check`.)
    - large sorts (index builds, GROUP BY, window functions) use a helper thread on a second core.

    Must run before the session's first write (SQLite ignores `foreign_keys` inside a transaction); returns
    whether the foreign-key checks are off. False on PostgreSQL, which keeps its checks."""
    from sqlalchemy import text

    if not _on_sqlite(session):
        return False
    await _pragma_until_checkin(session, "threads", SORT_HELPER_THREADS)
    await _pragma_until_checkin(session, "foreign_keys", "OFF")
    return bool((await session.execute(text("PRAGMA foreign_keys"))).scalar_one() == 0)


# A load of at least this many rows into a table it at least doubles builds the table's secondary indexes after
# the load instead of during it (SQLite; see `indexes_deferred`).
DEFER_INDEXES_MIN_ROWS = 50_000


@asynccontextmanager
async def indexes_deferred(session: AsyncSession, table: str, incoming: int) -> AsyncIterator[bool]:
    """SQLite: while a large load goes into `table`, its secondary indexes are dropped, then built again from
    their stored definitions when the load is done, in the same transaction. Inserting rows in random key order
    into index b-trees larger than the page cache costs far more than one sorted build (625,000 orders: 6.8 s
    against 1.7 s + 2.9 s). Unique indexes stay, as they guard the data. Only for a load of at least
    DEFER_INDEXES_MIN_ROWS rows that at least doubles the table (rebuilding a large table's indexes for a small
    load would cost more than it saves); otherwise, and on PostgreSQL, nothing changes. Yields whether the
    indexes were deferred. Should the load fail, the rollback of the import's transaction brings the indexes
    back (SQLite's DDL is transactional)."""
    from sqlalchemy import text

    if not _on_sqlite(session) or incoming < DEFER_INDEXES_MIN_ROWS:
        yield False
        return
    existing = (await session.execute(text(f'SELECT count(*) FROM "{table}"'))).scalar_one()
    if existing > incoming:
        yield False
        return
    rows = (
        await session.execute(
            text(
                "SELECT name, sql FROM main.sqlite_master WHERE type = 'index' AND tbl_name = :t AND sql IS NOT NULL "
                "AND sql NOT LIKE 'CREATE UNIQUE%'"
            ),
            {"t": table},
        )
    ).all()
    for name, _ in rows:
        await session.execute(text(f'DROP INDEX "{name}"'))
    yield True
    for _, sql in rows:
        await session.execute(text(sql))


def _lines_table(name: str, md: MetaData, schema: str | None, prefixes: list[str]) -> Table:
    return Table(
        name,
        md,
        Column("file_line", Integer),
        Column("order_ref", String(128)),
        Column("status", String(16)),
        Column("raw_status", String(64)),
        Column("created_at", String(40)),
        Column("paid_at", String(40)),
        Column("currency", String(3)),
        Column("order_total", Float),
        Column("line_value", Float),
        Column("item_valid", Integer),
        Column("country", String(2)),
        Column("buyer_key", String(255)),
        Column("sku", String(128)),
        Column("product_name", String(500)),
        Column("variation", String(255)),
        Column("quantity", Integer),
        Column("unit_price", Float),
        Column("line_discount", Float),
        Column("line_total", Float),
        Column("category", String(200)),
        schema=schema,
        prefixes=prefixes,
    )


def _orders_table(name: str, md: MetaData, schema: str | None, prefixes: list[str]) -> Table:
    return Table(
        name,
        md,
        Column("order_ref", String(128), primary_key=True),
        Column("first_line", Integer),
        Column("status", String(16)),
        Column("raw_status", String(64)),
        Column("value", Float),
        Column("created_at", String(40)),
        Column("paid_at", String(40)),
        Column("currency", String(3)),
        Column("country", String(2)),
        Column("buyer_key", String(255)),
        Column("mixed_currency", Integer),
        Column("conflict", Integer),  # CONFLICTS: what the order's lines disagree on (0: nothing)
        schema=schema,
        prefixes=prefixes,
    )


def _products_table(name: str, md: MetaData, schema: str | None, prefixes: list[str]) -> Table:
    return Table(
        name,
        md,
        Column("sku", String(128), primary_key=True),
        Column("name", String(500)),
        Column("category", String(200)),
        schema=schema,
        prefixes=prefixes,
    )


@dataclass
class Stage:
    """Where an import's normalised rows wait: `lines` (STAGE_COLUMNS, one row per order line), and once
    prepared (`prepare_stage`) `orders` (one row per order) and `products` (sku, name). Either temporary tables
    of the import's own connection (`temporary`, PostgreSQL) or the tables of a stage file attached to it
    (SQLite, `storage.stage_layout.StageFile`: written, indexed and aggregated outside the import's
    connection, on another core, while the import resolves identities). `name`: unique, for helper tables."""

    name: str
    lines: Table
    orders: Table
    products: Table
    temporary: bool


def session_stage(name: str) -> Stage:
    """A stage of temporary tables in the import's own connection (memory stays flat)."""
    md, temp = MetaData(), ["TEMPORARY"]
    return Stage(
        name,
        _lines_table(name, md, None, temp),
        _orders_table(f"{name}_orders", md, None, temp),
        _products_table(f"{name}_products", md, None, temp),
        temporary=True,
    )


def file_stage(name: str, schema: str | None = None) -> Stage:
    """The tables of a stage file (`storage.stage_layout.StageFile`), as seen from a connection that has it
    attached as `schema` (None: the stage file's own connection)."""
    md = MetaData()
    return Stage(
        name,
        _lines_table(STAGE_TABLE, md, schema, []),
        _orders_table("stage_orders", md, schema, []),
        _products_table("stage_products", md, schema, []),
        temporary=False,
    )


async def create_stage(session: AsyncSession, table: Table) -> None:
    await session.run_sync(lambda s: table.create(s.connection()))


async def drop_stage(session: AsyncSession, table: Table) -> None:
    await session.run_sync(lambda s: table.drop(s.connection(), checkfirst=True))


async def drop_staged(session: AsyncSession, stage: Stage) -> None:
    """Drop a stage's temporary tables (a stage file goes with its folder once the connection is back in the
    pool: SQLite cannot detach it inside the import's transaction)."""
    if stage.temporary:
        for table in (stage.lines, stage.orders, stage.products):
            await drop_stage(session, table)


async def stage_rows(session: AsyncSession, table: Table, rows: list[tuple[Any, ...]]) -> None:
    """Stage normalised rows: tuples in STAGE_COLUMNS order (plain text and numbers)."""
    await bulk_insert(session, table, STAGE_COLUMNS, rows)


async def attach_stage_file(session: AsyncSession, name: str, path: str) -> Stage:
    """A prepared stage file attached to the import's connection (read in order: the default page cache).
    SQLite cannot detach it inside the import's transaction; it is detached when the connection goes back to
    the pool (storage.db)."""
    from sqlalchemy import text

    schema = f"{ATTACHED_PART_PREFIX}{name}"
    await session.execute(text(f'ATTACH DATABASE :path AS "{schema}"'), {"path": path})
    return file_stage(name, schema)


@dataclass(frozen=True)
class OrderBounds:
    """What an order's value may be (strictly below `amount_limit` in size, in its own currency and at
    `rates`, the highest rate of each currency into the base currency, in the base currency)."""

    amount_limit: float
    rates: dict[str, float] = field(default_factory=dict)


@dataclass
class PreparedStage:
    """What preparing a stage found: the orders it rejected (a line each, with line number and reason) and
    the buyers of rejected orders who have no other order in the file (an import brings them in not at all)."""

    rejected: list[BadRow] = field(default_factory=list)
    orphans: set[str] = field(default_factory=set)


# What the lines of one order may disagree on: an order id used for two orders (duplicated rows that differ).
CONFLICTS = {1: "order total", 2: "buyer"}


def _order_problem(
    created: object, currency: object, value: float | None, conflict: int, bounds: OrderBounds
) -> str | None:
    if conflict:
        return (
            f"the lines of this order give different {CONFLICTS[conflict]}s (the same order id for two "
            "orders?); the whole order is rejected"
        )
    if created is None:
        return "no order date"
    if currency is None:
        return "no currency (set the store's currency)"
    limit = bounds.amount_limit
    if value is None:
        return None
    if not -limit < value < limit:
        return (
            f"order value {value:.6g} {currency} is out of range (amounts must be below {limit:,.0f} in size); "
            "the whole order is rejected"
        )
    base = value * bounds.rates.get(str(currency), 0.0)
    if not -limit < base < limit:
        return (
            f"order value {value:.6g} {currency} is {base:.6g} in the base currency, out of range (amounts "
            f"must be below {limit:,.0f} in size); the whole order is rejected"
        )
    return None


def prepare_stage(
    conn: Connection, stage: Stage, rejected: Iterable[str], bounds: OrderBounds | None = None
) -> PreparedStage:
    """Ready a filled stage for the upsert: index its lines, aggregate one row per order into `stage.orders`,
    reject the orders in more than one currency, whose lines disagree on the order's total or buyer, without a
    date or a currency, or whose value is out of `bounds`, forget those and the orders rejected while reading
    (`rejected`: their ids), and collect the products into `stage.products`. Returns those rejections and the
    buyers left without an order.
    Synchronous, on a sync connection: a stage file's own connection in a thread (SQLite), or the import's
    session through `run_sync` (PostgreSQL).

    Status: the most advanced valid status of the order's rows, else returned, else cancelled, else pending.
    Value: the platform's order total when given, else the sum over valid items (over all when none is)."""
    from sqlalchemy import Index, case

    bounds = bounds or OrderBounds(amount_limit=float("inf"))
    t, a = stage.lines.c, stage.orders.c
    Index(f"ix_{stage.name}_ref", t.order_ref, t.file_line).create(conn)
    rank = func.max(case((t.status == "completed", 3), (t.status == "shipped", 2), (t.status == "paid", 1)))
    status = case(
        (rank == 3, "completed"),
        (rank == 2, "shipped"),
        (rank == 1, "paid"),
        (func.sum(case((t.status == "returned", 1), else_=0)) > 0, "returned"),
        (func.sum(case((t.status == "cancelled", 1), else_=0)) > 0, "cancelled"),
        else_="pending",
    )
    valid_sum = func.sum(case((t.item_valid == 1, t.line_value)))
    value = case(
        (func.max(t.order_total).is_not(None), func.max(t.order_total)),
        (and_(rank.is_not(None), func.coalesce(valid_sum, 0) != 0), valid_sum),
        else_=func.coalesce(func.sum(t.line_value), 0.0),
    )
    stage.orders.create(conn)
    conn.execute(
        insert(stage.orders).from_select(
            [c.name for c in stage.orders.c],
            select(
                t.order_ref,
                func.min(t.file_line),
                status,
                func.min(t.raw_status),
                value,
                func.min(t.created_at),
                func.min(t.paid_at),
                func.max(t.currency),
                func.max(t.country),
                func.max(t.buyer_key),
                case((func.min(t.currency) < func.max(t.currency), 1), else_=0),
                case(
                    (func.min(t.order_total) < func.max(t.order_total), 1),
                    (func.min(t.buyer_key) < func.max(t.buyer_key), 2),
                    else_=0,
                ),
            ).group_by(t.order_ref),
        )
    )
    # An order is in one currency: lines that disagree with the order's first line reject it (reported also
    # for an order rejected already for another of its rows).
    out = PreparedStage(rejected=_mixed_currency_lines(conn, stage))
    read_rejected = set(rejected)
    gone = read_rejected | {ref for _, ref, _ in out.rejected if ref}
    # Orders without a date or a currency, or of a value out of bounds (few: one statement, filtered here).
    limit = bounds.amount_limit
    rate = (
        case(*((a.currency == cur, r) for cur, r in bounds.rates.items()), else_=0.0) if bounds.rates else 0.0
    )
    candidates = select(a.first_line, a.order_ref, a.created_at, a.currency, a.value, a.conflict).where(
        or_(
            a.created_at.is_(None),
            a.currency.is_(None),
            func.abs(a.value) >= limit,
            func.abs(a.value * rate) >= limit,
            a.conflict != 0,
        )
    )
    for first_line, ref, created, currency, order_value, conflict in conn.execute(candidates):
        if ref in gone:
            continue
        problem = _order_problem(created, currency, order_value, conflict, bounds)
        if problem:
            out.rejected.append((first_line, ref, problem))
            gone.add(ref)
    buyers: set[str] = set()
    for chunk in _chunks(sorted(gone)):
        buyers.update(
            r[0]
            for r in conn.execute(
                select(t.buyer_key).distinct().where(t.order_ref.in_(chunk), t.buyer_key.is_not(None))
            )
        )
        conn.execute(delete(stage.lines).where(t.order_ref.in_(chunk)))
        conn.execute(delete(stage.orders).where(a.order_ref.in_(chunk)))
    # The buyers of rejected orders who are the buyer of no order left.
    kept: set[str] = set()
    for chunk in _chunks(sorted(buyers)):
        kept.update(r[0] for r in conn.execute(select(a.buyer_key).distinct().where(a.buyer_key.in_(chunk))))
    out.orphans = buyers - kept
    stage.products.create(conn)
    conn.execute(
        insert(stage.products).from_select(
            ["sku", "name", "category"],
            select(t.sku, func.max(t.product_name), func.max(t.category))
            .where(t.sku.is_not(None))
            .group_by(t.sku),
        )
    )
    return out


async def prepare_session_stage(
    session: AsyncSession, stage: Stage, rejected: Iterable[str], bounds: OrderBounds | None = None
) -> PreparedStage:
    """`prepare_stage` for a stage of the import's own connection."""
    return await session.run_sync(lambda s: prepare_stage(s.connection(), stage, rejected, bounds))


class StageFilePreparation:
    """`prepare_stage` for a stage file, on a connection of its own (call `run` in a thread): the parts other
    processes staged (`parts`: their stage files) are copied in first. `interrupt` (from any thread) stops the
    statement running, if any, and every one after it."""

    class Interrupted(Exception):
        """The preparation was stopped (its import failed or was cancelled)."""

    def __init__(
        self,
        name: str,
        path: Path,
        parts: Sequence[Path],
        rejected: Iterable[str],
        bounds: OrderBounds | None = None,
    ) -> None:
        self.name, self.path, self.parts, self.rejected = name, path, list(parts), set(rejected)
        self.bounds = bounds
        self._stopped = False
        self._con: Any = None

    def run(self) -> PreparedStage:
        from sqlalchemy import create_engine, event
        from sqlalchemy.pool import StaticPool

        # One statement at a time, from this thread; `interrupt` may come from another. (SQLite's default page
        # cache: it reads in order, and the import's own connection works at the same time.)
        con = self._con = connect_stage_file(self.path)
        try:
            engine = create_engine("sqlite://", creator=lambda: con, poolclass=StaticPool)

            @event.listens_for(engine, "before_cursor_execute")
            def _unless_stopped(*_: object) -> None:  # an interrupt between two statements stops the next one
                if self._stopped:
                    raise StageFilePreparation.Interrupted

            with engine.connect() as conn:
                cols = ", ".join(STAGE_COLUMNS)
                for i, part in enumerate(self.parts):
                    conn.exec_driver_sql(f"ATTACH DATABASE ? AS part{i}", (str(part),))
                    conn.exec_driver_sql(
                        f"INSERT INTO {STAGE_TABLE} ({cols}) SELECT {cols} FROM part{i}.{STAGE_TABLE}"
                    )
                    conn.commit()
                    conn.exec_driver_sql(f"DETACH DATABASE part{i}")
                prepared = prepare_stage(conn, file_stage(self.name), self.rejected, self.bounds)
                conn.commit()
            engine.dispose(close=False)
            return prepared
        finally:
            con.close()

    def interrupt(self) -> None:
        """Stop the preparation. An interrupt that comes just before a statement starts may be lost, as SQLite
        only interrupts what runs: until `run` has returned, call it again."""
        import sqlite3

        self._stopped = True
        con = self._con
        if con is not None:
            with suppress(sqlite3.ProgrammingError):  # closed already: it has just finished
                con.interrupt()


def _staged_time(session: AsyncSession, col: Any) -> Any:
    """A staged UTC timestamp as the orders table stores it."""
    from sqlalchemy import TIMESTAMP, cast

    if session.bind is not None and session.bind.dialect.name == "postgresql":
        return func.timezone("UTC", cast(col, TIMESTAMP))
    return col


def _buyer_map_table(name: str) -> Table:
    return Table(
        name,
        MetaData(),
        Column("buyer_key", String(255), primary_key=True),
        Column("identity_id", Integer),
        Column("customer_id", Integer),
        prefixes=["TEMPORARY"],
        sqlite_with_rowid=False,
    )


def _rates_table(name: str) -> Table:
    return Table(
        name,
        MetaData(),
        Column("currency", String(3), primary_key=True),
        Column("rate", Float),
        prefixes=["TEMPORARY"],
    )


def money_expr(session: AsyncSession, expr: Any) -> Any:
    """An amount rounded to the 4 decimals money columns keep, the same way on both databases."""
    from sqlalchemy import cast

    if session.bind is not None and session.bind.dialect.name == "postgresql":
        return func.round(cast(expr, Numeric), 4)
    return func.round(expr, 4)


@dataclass
class OrderUpsert:
    new: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: list[tuple[int, str, str]] = field(default_factory=list)
    missing_rates: list[str] = field(default_factory=list)
    moved_from: set[int] = field(default_factory=set)  # customers whose orders now belong to another
    statuses: dict[str, int] = field(default_factory=dict)  # the file's orders per normalised status
    # The workspace had no orders before: every order's previous_order_at, set on insert, is already right.
    first_orders: bool = False


async def upsert_staged_orders(
    session: AsyncSession,
    stage: Stage,
    *,
    workspace_id: int,
    store_id: int,
    platform: str,
    import_id: int,
    rates: dict[str, float],
    now: datetime,
    buyers: list[tuple[str, int, int | None]],
) -> OrderUpsert:
    """Turn a prepared stage's orders (`prepare_stage`) into orders with set-based SQL: update changed, insert
    new. `buyers`: (buyer key as staged, identity id, customer id) of every buyer of the file."""
    from sqlalchemy import case, exists

    out = OrderUpsert()
    out.first_orders = (
        await session.execute(select(Order.id).where(Order.workspace_id == workspace_id).limit(1))
    ).first() is None
    agg = stage.orders
    rt = _rates_table(f"{stage.name}_rates")
    await create_stage(session, rt)
    if rates:
        await session.execute(insert(rt), [{"currency": c, "rate": r} for c, r in rates.items()])

    a = agg.c
    bad = await session.execute(
        select(a.first_line, a.order_ref, a.created_at).where(
            or_(a.created_at.is_(None), a.currency.is_(None))
        )
    )
    out.rejected = [
        (n, ref, "no order date" if created is None else "no currency (set the store's currency)")
        for n, ref, created in bad
    ]
    out.statuses = {
        r[0]: int(r[1])
        for r in await session.execute(
            select(a.status, func.count())
            .where(a.created_at.is_not(None), a.currency.is_not(None))
            .group_by(a.status)
        )
    }
    out.missing_rates = sorted(
        r[0]
        for r in await session.execute(
            select(a.currency)
            .distinct()
            .where(a.currency.is_not(None), a.currency.not_in(select(rt.c.currency)))
        )
    )

    def money(expr: Any) -> Any:
        return money_expr(session, expr)

    # The file's buyers with their identity and customer, as a small temporary table: looking 625,000 orders up
    # in it costs a third of looking them up in buyer_identities.
    bm = _buyer_map_table(f"{stage.name}_buyers")
    await create_stage(session, bm)
    await bulk_insert(session, bm, ("buyer_key", "identity_id", "customer_id"), buyers)
    source = (
        select(
            a.order_ref,
            bm.c.identity_id,
            bm.c.customer_id,
            a.status,
            a.raw_status,
            a.currency,
            money(a.value).label("order_value"),
            money(a.value * rt.c.rate).label("value_base"),
            a.country,
            _staged_time(session, a.created_at).label("created_at"),
            _staged_time(session, a.paid_at).label("paid_at"),
        )
        .select_from(agg)
        .outerjoin(bm, bm.c.buyer_key == a.buyer_key)
        .outerjoin(rt, rt.c.currency == a.currency)
        .where(a.created_at.is_not(None), a.currency.is_not(None))
    )
    src = source.subquery("src")
    o = Order.__table__.c
    existing = (
        await session.execute(
            select(func.count())
            .select_from(src)
            .join(Order.__table__, and_(o.store_id == store_id, o.platform_order_id == src.c.order_ref))
        )
    ).scalar_one()
    changed = or_(
        o.status != src.c.status,
        o.currency != src.c.currency,
        o.order_value != src.c.order_value,
        o.created_at != src.c.created_at,
        o.identity_id.is_distinct_from(src.c.identity_id),
        o.customer_id.is_distinct_from(src.c.customer_id),
        o.country.is_distinct_from(src.c.country),
        o.value_base.is_distinct_from(src.c.value_base),
        o.paid_at.is_distinct_from(src.c.paid_at),
    )
    # Customers losing an order to another customer (a later export changed its buyer): their statistics and
    # previous orders are refreshed with the import's own customers.
    out.moved_from = {
        r[0]
        for r in await session.execute(
            select(o.customer_id)
            .distinct()
            .select_from(src)
            .join(Order.__table__, and_(o.store_id == store_id, o.platform_order_id == src.c.order_ref))
            .where(o.customer_id.is_not(None), o.customer_id.is_distinct_from(src.c.customer_id))
        )
    }
    result = await session.execute(
        update(Order.__table__)
        .where(o.store_id == store_id, o.platform_order_id == src.c.order_ref, changed)
        .values(
            status=src.c.status,
            raw_status=src.c.raw_status,
            currency=src.c.currency,
            order_value=src.c.order_value,
            value_base=src.c.value_base,
            country=src.c.country,
            created_at=src.c.created_at,
            paid_at=src.c.paid_at,
            identity_id=src.c.identity_id,
            customer_id=src.c.customer_id,
            import_id=import_id,
            updated_at=now,
            # Recomputed for its customer after the upsert; an order left without one keeps NULL.
            previous_order_at=None,
        )
    )
    out.updated = rows_affected(result)
    out.unchanged = existing - out.updated
    new_src = source.where(
        ~exists().where(o.store_id == store_id, o.platform_order_id == a.order_ref)
    ).subquery()
    # previous_order_at as it is among this file's new orders: right for customers with no other orders (a first
    # import), so refresh_order_stats, which recomputes every customer of the import, rewrites only the rest
    # (and ties, should ids not follow the order numbers) instead of every new order and its indexes.
    valid = new_src.c.status.in_(VALID)
    previous = case(
        (
            and_(valid, new_src.c.customer_id.is_not(None)),
            func.lag(new_src.c.created_at).over(
                partition_by=(new_src.c.customer_id, valid),
                order_by=(new_src.c.created_at, new_src.c.order_ref),
            ),
        )
    )
    incoming = sum(out.statuses.values()) - existing
    async with indexes_deferred(session, Order.__tablename__, incoming):
        result = await session.execute(
            insert(Order.__table__).from_select(
                [
                    "workspace_id",
                    "store_id",
                    "platform",
                    "platform_order_id",
                    "identity_id",
                    "customer_id",
                    "status",
                    "raw_status",
                    "currency",
                    "order_value",
                    "value_base",
                    "country",
                    # The customer's country (refresh_order_stats sets it where their latest order says otherwise).
                    "customer_country",
                    "created_at",
                    "paid_at",
                    "import_id",
                    "updated_at",
                    "previous_order_at",
                ],
                select(
                    literal(workspace_id),
                    literal(store_id),
                    literal(platform),
                    new_src.c.order_ref,
                    new_src.c.identity_id,
                    new_src.c.customer_id,
                    new_src.c.status,
                    new_src.c.raw_status,
                    new_src.c.currency,
                    new_src.c.order_value,
                    new_src.c.value_base,
                    new_src.c.country,
                    new_src.c.country,
                    new_src.c.created_at,
                    new_src.c.paid_at,
                    literal(import_id),
                    literal(now, UTCDateTime()),
                    previous,
                )
                # Ids in order-number order as without the window: the lines and ledger written next follow them.
                .order_by(new_src.c.order_ref),
            )
        )
    out.new = rows_affected(result)
    await drop_stage(session, bm)
    await drop_stage(session, rt)
    return out


async def write_lines_for_import(
    session: AsyncSession,
    table: Table,
    store_id: int,
    import_id: int,
    incoming: int = 0,
    all_new: bool = False,
) -> None:
    """Replace the lines of the orders this import created or changed with the staged ones (`incoming`: about
    how many, to defer the indexes of a large load; `all_new`: the orders are all new, no lines to remove)."""
    if not all_new:
        touched = select(Order.id).where(Order.store_id == store_id, Order.import_id == import_id)
        await session.execute(delete(OrderLine).where(OrderLine.order_id.in_(touched)))
    t = table.c
    line_no = func.row_number().over(partition_by=t.order_ref, order_by=t.file_line)
    src = (
        select(
            Order.id,
            line_no,
            t.sku,
            t.product_name,
            t.variation,
            t.quantity,
            t.unit_price,
            t.line_discount,
            t.line_total,
        )
        .join(Order, and_(Order.store_id == store_id, Order.platform_order_id == t.order_ref))
        .where(Order.import_id == import_id)
    )
    async with indexes_deferred(session, OrderLine.__tablename__, incoming):
        await session.execute(
            insert(OrderLine).from_select(
                [
                    "order_id",
                    "line_no",
                    "sku",
                    "product_name",
                    "variation",
                    "quantity",
                    "unit_price",
                    "line_discount",
                    "line_total",
                ],
                src,
            )
        )


async def upsert_products(session: AsyncSession, stage: Stage, workspace_id: int) -> None:
    """The file's products (a prepared stage's), added to the workspace's catalogue where new; a category the
    export names fills in a product that had none (an export's own category is never overwritten by another's
    blank)."""
    p = stage.products.c
    # (The WHERE also keeps SQLite from reading ON CONFLICT as part of the SELECT.)
    stmt = upsert_insert(session, Product).from_select(
        ["workspace_id", "sku", "name", "category"],
        select(literal(workspace_id), p.sku, p.name, p.category).where(p.sku.is_not(None)),
    )
    await session.execute(stmt.on_conflict_do_nothing(index_elements=["workspace_id", "sku"]))
    named = select(p.category).where(p.sku == Product.sku, p.category.is_not(None)).scalar_subquery()
    await session.execute(
        update(Product)
        .where(
            Product.workspace_id == workspace_id,
            Product.category.is_(None),
            Product.sku.in_(select(p.sku).where(p.category.is_not(None))),
        )
        .values(category=named)
    )


# ---------------------------------------------------------------- orders
# ---------------------------------------------------------------- identities and customers
async def _keys_table(session: AsyncSession, values: Iterable[Any], kind: type = String) -> Table:
    """A temporary one-column table of lookup keys, so a large lookup is one join instead of many IN lists."""
    import uuid

    column_type = Integer() if kind is Integer else String(255)
    table = Table(
        f"lookup_{uuid.uuid4().hex[:12]}",
        MetaData(),
        Column("k", column_type, primary_key=True),
        prefixes=["TEMPORARY"],
    )
    await create_stage(session, table)
    await bulk_insert(session, table, ("k",), [(v,) for v in sorted(set(values))])
    return table


async def existing_identities(
    session: AsyncSession, workspace_id: int, platform: str, keys: Sequence[str]
) -> dict[str, Any]:
    if not keys:
        return {}
    known = (
        select(BuyerIdentity.id)
        .where(BuyerIdentity.workspace_id == workspace_id, BuyerIdentity.platform == platform)
        .limit(1)
    )
    if (await session.execute(known)).first() is None:  # the platform's first import: nothing to look up
        return {}
    k = await _keys_table(session, keys)
    rows = await session.execute(
        select(
            BuyerIdentity.buyer_key,
            BuyerIdentity.id,
            BuyerIdentity.customer_id,
            BuyerIdentity.email,
            BuyerIdentity.email_norm,
            BuyerIdentity.phone,
            BuyerIdentity.phone_norm,
            BuyerIdentity.name,
            BuyerIdentity.country,
            BuyerIdentity.username,
            BuyerIdentity.accepts_marketing,
        )
        .join(k, k.c.k == BuyerIdentity.buyer_key)
        .where(BuyerIdentity.workspace_id == workspace_id, BuyerIdentity.platform == platform)
    )
    out = {r.buyer_key: r for r in rows}
    await drop_stage(session, k)
    return out


async def insert_identities(session: AsyncSession, rows: list[dict[str, Any]]) -> dict[str, int]:
    ids = await insert_returning_ids(session, BuyerIdentity.__table__, rows)
    return {r["buyer_key"]: i for r, i in zip(rows, ids, strict=True)}


async def update_identities(session: AsyncSession, rows: list[dict[str, Any]]) -> None:
    if not rows:
        return
    t = BuyerIdentity.__table__
    stmt = (
        update(t).where(t.c.id == bindparam("_id")).values({k: bindparam(k) for k in rows[0] if k != "_id"})
    )
    for chunk in _chunks(rows, 2000):
        await session.execute(stmt, list(chunk))


IdentityRow = tuple[
    int, int | None, str | None, str | None, bool
]  # id, customer_id, email_norm, phone_norm, pinned


def _select_identities() -> Select[int, int | None, str | None, str | None, bool]:
    """The columns of an IdentityRow."""
    return select(
        BuyerIdentity.id,
        BuyerIdentity.customer_id,
        BuyerIdentity.email_norm,
        BuyerIdentity.phone_norm,
        BuyerIdentity.pinned,
    )


async def identities_by_id(session: AsyncSession, ids: Sequence[int]) -> list[IdentityRow]:
    if not ids:
        return []
    k = await _keys_table(session, ids, Integer)
    rows = await session.execute(_select_identities().join(k, k.c.k == BuyerIdentity.id))
    out = [(*r,) for r in rows]
    await drop_stage(session, k)
    return out


async def identities_sharing(
    session: AsyncSession, workspace_id: int, emails: Sequence[str], phones: Sequence[str]
) -> list[IdentityRow]:
    out: list[IdentityRow] = []
    for values, column in ((emails, BuyerIdentity.email_norm), (phones, BuyerIdentity.phone_norm)):
        if not values:
            continue
        k = await _keys_table(session, values)
        rows = await session.execute(
            _select_identities().join(k, k.c.k == column).where(BuyerIdentity.workspace_id == workspace_id)
        )
        out.extend((*r,) for r in rows)
        await drop_stage(session, k)
    return out


async def create_customers(session: AsyncSession, rows: list[dict[str, Any]]) -> list[int]:
    return await insert_returning_ids(session, Customer.__table__, rows)


async def assign_identities(session: AsyncSession, assignments: dict[int, int]) -> None:
    """Point identities at their customers: one set-based UPDATE through a temporary table."""
    if not assignments:
        return
    import uuid

    tmp = Table(
        f"assign_{uuid.uuid4().hex[:12]}",
        MetaData(),
        Column("identity_id", Integer, primary_key=True),
        Column("customer_id", Integer),
        prefixes=["TEMPORARY"],
    )
    await create_stage(session, tmp)
    await bulk_insert(session, tmp, ("identity_id", "customer_id"), list(assignments.items()))
    target = select(tmp.c.customer_id).where(tmp.c.identity_id == BuyerIdentity.id).scalar_subquery()
    await session.execute(
        update(BuyerIdentity)
        .where(BuyerIdentity.id.in_(select(tmp.c.identity_id)))
        .values(customer_id=target)
    )
    await drop_stage(session, tmp)


# Tables whose customer_id moves to the survivor when two customers merge.
_CUSTOMER_OWNED = (
    Order,
    Interaction,
    BehaviourEvent,
    LoyaltyEntry,
    ConsentRecord,
    OutreachDraft,
    Reminder,
    AlertRecord,
)


async def merge_customers(
    session: AsyncSession,
    workspace_id: int,
    survivor: int,
    merged: int,
    *,
    reason: str,
    matched_on: str | None,
    identity_ids: list[int],
    import_id: int | None,
) -> None:
    for model in _CUSTOMER_OWNED:
        await session.execute(update(model).where(model.customer_id == merged).values(customer_id=survivor))
    await session.execute(
        upsert_insert(session, CustomerTag)
        .from_select(
            ["customer_id", "tag_id", "source"],
            select(literal(survivor), CustomerTag.tag_id, CustomerTag.source).where(
                CustomerTag.customer_id == merged
            ),
        )
        .on_conflict_do_nothing(index_elements=["customer_id", "tag_id"])
    )
    await session.execute(delete(CustomerTag).where(CustomerTag.customer_id == merged))
    await session.execute(update(Customer).where(Customer.id == merged).values(merged_into_id=survivor))
    await refresh_order_stats(session, [survivor, merged])
    session.add(
        MergeEvent(
            workspace_id=workspace_id,
            survivor_id=survivor,
            merged_id=merged,
            reason=reason,
            matched_on=matched_on,
            identity_ids=identity_ids,
            import_id=import_id,
        )
    )


async def refresh_customers(
    session: AsyncSession, customer_ids: Sequence[int], *, previous_orders: bool = True
) -> None:
    """After their orders changed: customer country = country of the most recent valid order (else of a buyer
    identity), and their order statistics; `previous_orders=False` when the orders' previous_order_at is known
    to be right (a workspace's first import sets it on insert)."""
    latest = (
        select(Order.country)
        .where(Order.customer_id == Customer.id, Order.status.in_(VALID), Order.country.is_not(None))
        .order_by(Order.created_at.desc(), Order.id.desc())
        .limit(1)
        .scalar_subquery()
    )
    fallback = (
        select(BuyerIdentity.country)
        .where(BuyerIdentity.customer_id == Customer.id, BuyerIdentity.country.is_not(None))
        .order_by(BuyerIdentity.id.desc())
        .limit(1)
        .scalar_subquery()
    )
    for chunk in _chunks(sorted(set(customer_ids)), 5000):
        await session.execute(
            update(Customer).where(Customer.id.in_(chunk)).values(country=func.coalesce(latest, fallback))
        )
    await refresh_order_stats(session, customer_ids, values_only=not previous_orders)


async def customers_of_import(session: AsyncSession, import_id: int) -> list[int]:
    rows = await session.execute(
        select(Order.customer_id)
        .where(Order.import_id == import_id, Order.customer_id.is_not(None))
        .distinct()
    )
    return [cid for (cid,) in rows if cid is not None]  # never None (the query leaves those out)


# ---------------------------------------------------------------- money
async def load_rates(session: AsyncSession, workspace_id: int) -> dict[str, list[tuple[date | None, float]]]:
    rows = await session.execute(
        select(FxRate.currency, FxRate.valid_from, FxRate.rate).where(FxRate.workspace_id == workspace_id)
    )
    out: dict[str, list[tuple[date | None, float]]] = {}
    for cur, valid_from, rate in rows:
        out.setdefault(cur, []).append((valid_from, float(rate)))
    for v in out.values():
        v.sort(key=lambda t: (t[0] is not None, t[0] or date.min))
    return out


async def save_rates(
    session: AsyncSession, workspace_id: int, rates: list[tuple[str, float, date | None]]
) -> None:
    for cur, rate, valid_from in rates:
        await session.execute(
            delete(FxRate).where(
                FxRate.workspace_id == workspace_id,
                FxRate.currency == cur,
                FxRate.valid_from.is_(None) if valid_from is None else FxRate.valid_from == valid_from,
            )
        )
        session.add(
            FxRate(workspace_id=workspace_id, currency=cur, rate=Decimal(repr(rate)), valid_from=valid_from)
        )
    await session.flush()


async def reprice_orders(
    session: AsyncSession,
    workspace_id: int,
    currency: str,
    periods: list[tuple[datetime | None, datetime | None, float]],
    import_id: int | None = None,
) -> None:
    """Set value_base for one currency's orders, rate by rate over [start, end) windows."""
    from sqlalchemy import case

    for start, end, rate in periods:
        cond = [Order.workspace_id == workspace_id, Order.currency == currency]
        if import_id is not None:
            cond.append(Order.import_id == import_id)
        if start is not None:
            cond.append(Order.created_at >= start)
        if end is not None:
            cond.append(Order.created_at < end)
        # A rate that would take an order's value beyond what the column holds leaves it unpriced.
        base = Order.order_value * rate
        await session.execute(
            update(Order)
            .where(*cond)
            .values(value_base=case((func.abs(base) < MONEY_CAPACITY, money_expr(session, base)), else_=None))
        )


# ---------------------------------------------------------------- loyalty, consent, tags
async def post_loyalty(
    session: AsyncSession,
    workspace_id: int,
    points_per_unit: float,
    import_id: int | None = None,
    incoming: int = 0,
) -> None:
    """Earn points for valid orders (floor of base value × rate); reverse them for cancelled/returned ones.
    `incoming`: about how many orders are new, to defer the ledger's indexes for a large load."""
    from sqlalchemy import case

    scope = [Order.workspace_id == workspace_id, Order.customer_id.is_not(None)]
    if import_id is not None:
        scope.append(Order.import_id == import_id)
    # Points are a 32-bit integer: an order worth more than that many points earns the most there can be.
    worth = Order.value_base * points_per_unit
    points = case((worth >= INT32_MAX, INT32_MAX), (worth <= -INT32_MAX, -INT32_MAX), else_=func.floor(worth))
    earn = (
        select(
            Order.workspace_id,
            Order.customer_id,
            Order.id,
            points.cast(Integer),
            literal("earn"),
            Order.created_at,
        )
        .where(*scope, Order.status.in_(VALID), Order.value_base.is_not(None))
        .order_by(Order.id)
    )  # ids in order
    cols = ["workspace_id", "customer_id", "order_id", "points", "reason", "created_at"]
    async with indexes_deferred(session, LoyaltyEntry.__tablename__, incoming):
        await session.execute(
            upsert_insert(session, LoyaltyEntry)
            .from_select(cols, earn)
            .on_conflict_do_nothing(index_elements=["order_id", "reason"])
        )
    reverse = (
        select(
            Order.workspace_id,
            Order.customer_id,
            Order.id,
            -LoyaltyEntry.points,
            literal("reverse"),
            func.coalesce(Order.updated_at, Order.created_at),
        )
        .join(LoyaltyEntry, and_(LoyaltyEntry.order_id == Order.id, LoyaltyEntry.reason == "earn"))
        .where(*scope, Order.status.in_(("cancelled", "returned")))
        .order_by(Order.id)
    )
    await session.execute(
        upsert_insert(session, LoyaltyEntry)
        .from_select(cols, reverse)
        .on_conflict_do_nothing(index_elements=["order_id", "reason"])
    )


async def latest_consent(session: AsyncSession, customer_ids: Sequence[int]) -> dict[int, bool]:
    out: dict[int, tuple[datetime, int, bool]] = {}
    for chunk in _chunks(list(customer_ids)):
        rows = await session.execute(
            select(
                ConsentRecord.customer_id, ConsentRecord.recorded_at, ConsentRecord.id, ConsentRecord.granted
            ).where(ConsentRecord.customer_id.in_(chunk), ConsentRecord.purpose == "marketing")
        )
        for cid, at, rid, granted in rows:
            if cid not in out or (at, rid) > out[cid][:2]:
                out[cid] = (at, rid, granted)
    return {k: v[2] for k, v in out.items()}


async def record_consents(
    session: AsyncSession, workspace_id: int, items: list[tuple[int, bool, str]]
) -> None:
    now = datetime.now(UTC)
    rows = [(workspace_id, c, "marketing", "email", g, src, now) for c, g, src in items]
    await bulk_insert(
        session,
        ConsentRecord.__table__,
        ("workspace_id", "customer_id", "purpose", "channel", "granted", "source", "recorded_at"),
        rows,
    )


async def tag_customers(
    session: AsyncSession, workspace_id: int, pairs: list[tuple[int, str]], source: str = "manual"
) -> None:
    names = sorted({n for _, n in pairs})
    if not names:
        return
    await session.execute(
        upsert_insert(session, Tag)
        .values([{"workspace_id": workspace_id, "name": n} for n in names])
        .on_conflict_do_nothing(index_elements=["workspace_id", "name"])
    )
    ids = dict(
        (
            await session.execute(
                select(Tag.name, Tag.id).where(Tag.workspace_id == workspace_id, Tag.name.in_(names))
            )
        ).all()
    )
    rows = [{"customer_id": c, "tag_id": ids[n], "source": source} for c, n in pairs]
    for chunk in _chunks(rows, 1000):
        await session.execute(
            upsert_insert(session, CustomerTag)
            .values(list(chunk))
            .on_conflict_do_nothing(index_elements=["customer_id", "tag_id"])
        )


# ---------------------------------------------------------------- interactions and behaviour events
async def customers_by_buyer(
    session: AsyncSession, workspace_id: int, keys: set[tuple[str, str]]
) -> dict[tuple[str, str], tuple[int, int]]:
    """(platform, buyer_key) -> (identity id, customer id) for known buyers."""
    out: dict[tuple[str, str], tuple[int, int]] = {}
    by_platform: dict[str, list[str]] = {}
    for platform, key in keys:
        by_platform.setdefault(platform, []).append(key)
    for platform, names in by_platform.items():
        for chunk in _chunks(sorted(names)):
            rows = await session.execute(
                select(BuyerIdentity.buyer_key, BuyerIdentity.id, BuyerIdentity.customer_id).where(
                    BuyerIdentity.workspace_id == workspace_id,
                    BuyerIdentity.platform == platform,
                    BuyerIdentity.buyer_key.in_(chunk),
                    BuyerIdentity.customer_id.is_not(None),
                )
            )
            for key, ident, cust in rows:
                if cust is not None:  # always: the query leaves unassigned identities out
                    out[(platform, key)] = (ident, cust)
    return out


async def orders_by_number(
    session: AsyncSession, workspace_id: int, keys: set[tuple[str, str]]
) -> dict[tuple[str, str], int]:
    """(platform, platform order number) -> order id, for the orders the workspace holds (the first store's
    when two stores of a platform share a number)."""
    out: dict[tuple[str, str], int] = {}
    by_platform: dict[str, list[str]] = {}
    for platform, number in keys:
        by_platform.setdefault(platform, []).append(number)
    for platform, numbers in by_platform.items():
        for chunk in _chunks(sorted(numbers)):
            rows = await session.execute(
                select(Order.platform_order_id, Order.id)
                .where(
                    Order.workspace_id == workspace_id,
                    Order.platform == platform,
                    Order.platform_order_id.in_(chunk),
                )
                .order_by(Order.id)
            )
            for number, order_id in rows:
                out.setdefault((platform, number), order_id)
    return out


async def add_activity(
    session: AsyncSession,
    workspace_id: int,
    kind: str,
    records: list[tuple[tuple[int, int], Any]],
    order_ids: list[int | None] | None = None,
    products: list[str | None] | None = None,
) -> int:
    """Insert interactions or behaviour events that are not there yet (same customer, kind, time, and for
    interactions the product a review is of); returns added. `order_ids` and `products`, aligned with
    `records`, link interactions to the orders and the product they are about."""
    model = Interaction if kind in ("interactions", "reviews") else BehaviourEvent
    customers = sorted({cust for (_, cust), _ in records})
    seen: set[tuple[int | None, str, datetime, str | None]] = set()
    for chunk in _chunks(customers):
        if model is Interaction:
            reviewed = await session.execute(
                select(
                    Interaction.customer_id, Interaction.kind, Interaction.occurred_at, Interaction.product
                ).where(Interaction.customer_id.in_(chunk))
            )
            seen |= {(c, k, t, p) for c, k, t, p in reviewed}
        else:
            rows = await session.execute(
                select(model.customer_id, model.kind, model.occurred_at).where(model.customer_id.in_(chunk))
            )
            seen |= {(c, k, t, None) for c, k, t in rows}
    new: list[dict[str, Any]] = []
    links = order_ids if order_ids is not None else [None] * len(records)
    about = products if products is not None else [None] * len(records)
    for ((ident, cust), a), order_id, product in zip(records, links, about, strict=True):
        key = (cust, a.kind, a.occurred_at.astimezone(UTC), product)
        if key in seen:
            continue
        seen.add(key)
        if model is Interaction:
            new.append(
                {
                    "workspace_id": workspace_id,
                    "customer_id": cust,
                    "kind": a.kind,
                    "channel": a.platform,
                    "rating": a.rating,
                    "body": a.body,
                    "language": a.language,
                    "reason": a.reason,
                    "order_id": order_id,
                    "product": product,
                    "occurred_at": a.occurred_at,
                }
            )
        else:
            new.append(
                {
                    "workspace_id": workspace_id,
                    "customer_id": cust,
                    "identity_id": ident,
                    "kind": a.kind,
                    "sku": a.sku,
                    "product_name": a.product_name,
                    "value": None if a.value is None else Decimal(repr(a.value)),
                    "currency": a.currency,
                    "occurred_at": a.occurred_at,
                }
            )
    for chunk in _chunks(new, 2000):
        await session.execute(insert(model), list(chunk))
    return len(new)


# ---------------------------------------------------------------- one import at a time per workspace
# PostgreSQL advisory locks take two 32-bit keys: this one says "a SellerMate import" ("SMim" in ASCII), the
# other is the workspace id.
IMPORT_LOCK_KEY = int.from_bytes(b"SMim", "big")


async def try_import_lock(session: AsyncSession, workspace_id: int) -> bool:
    """Take the workspace's import lock for the session's transaction unless another import holds it; whether
    it was taken. Imports into one workspace must run one after the other: identity resolution reads which
    buyers exist and then writes customers, so two imports at once each miss the other's new buyers (customers
    that should be one stay two) or insert the same buyers and orders (a unique-key conflict).

    PostgreSQL: a transaction-level advisory lock per workspace, released by the commit or rollback.
    SQLite, which has one writer per database anyway: the transaction starts here and holds the write lock
    (BEGIN IMMEDIATE). Otherwise it would start at its first write, which waits for the other writer only as
    long as the busy timeout and then fails with 'database is locked'.

    Must be the transaction's first statement (on SQLite: may follow `bulk_load_mode`'s settings)."""
    if _on_sqlite(session):
        return await _begin_immediate(session, patience_ms=0)
    return bool(await session.scalar(select(func.pg_try_advisory_xact_lock(IMPORT_LOCK_KEY, workspace_id))))


async def wait_import_lock(session: AsyncSession, workspace_id: int) -> None:
    """Take the workspace's import lock (see `try_import_lock`), waiting for as long as the import that holds
    it runs."""
    if _on_sqlite(session):
        # Tries of a second each (SQLite waits in a thread of its own): a cancelled import stops within one.
        while not await _begin_immediate(session, patience_ms=1000):
            pass
        return
    await session.execute(select(func.pg_advisory_xact_lock(IMPORT_LOCK_KEY, workspace_id)))


async def _begin_immediate(session: AsyncSession, *, patience_ms: int) -> bool:
    """SQLite: begin the session's transaction holding the write lock, waiting up to `patience_ms` for another
    writer; whether it began. The connection's own busy timeout is back once it began, or at check-in."""
    from sqlalchemy.exc import OperationalError

    await _pragma_until_checkin(session, "busy_timeout", int(patience_ms))
    conn = await session.connection()
    try:
        await conn.exec_driver_sql("BEGIN IMMEDIATE")
    except OperationalError as exc:
        if "database is locked" not in str(exc.orig):
            raise
        return False
    await conn.exec_driver_sql(f"PRAGMA busy_timeout={int(conn.info[RESTORE_ON_CHECKIN]['busy_timeout'])}")
    return True


# ---------------------------------------------------------------- import log
async def start_import_log(
    session: AsyncSession,
    workspace_id: int,
    file_name: str,
    sha256: str,
    platform: str | None,
    store_name: str | None,
) -> ImportLog:
    log = ImportLog(
        workspace_id=workspace_id,
        file_name=file_name,
        file_sha256=sha256,
        platform=platform,
        store_name=store_name,
        status="running",
    )
    session.add(log)
    await session.flush()
    return log


async def add_rejections(
    session: AsyncSession, import_id: int, items: list[tuple[int, str | None, str]]
) -> None:
    rows = [{"import_id": import_id, "line_no": n, "order_ref": ref, "reason": why} for n, ref, why in items]
    for chunk in _chunks(rows, 1000):
        await session.execute(insert(ImportRejection), list(chunk))


async def record_failed_import(session: AsyncSession, workspace_id: int, file_name: str, error: str) -> None:
    session.add(
        ImportLog(
            workspace_id=workspace_id,
            file_name=file_name,
            status="failed",
            error=error[:2000],
            finished_at=datetime.now(UTC),
        )
    )
    await session.flush()


async def similar_name_pairs(
    session: AsyncSession, workspace_id: int, customer_ids: Sequence[int], limit: int = 20
) -> list[tuple[int, str, int, str]]:
    """Pairs (one of `customer_ids`, another customer) with the same display name, case-insensitively.

    One grouped scan finds the names shared by several customers; pairs are then formed in Python.
    """
    if not customer_ids:
        return []
    name = func.lower(Customer.display_name)
    live = [
        Customer.workspace_id == workspace_id,
        Customer.merged_into_id.is_(None),
        Customer.display_name.is_not(None),
    ]
    shared = select(name).where(*live).group_by(name).having(func.count() > 1)
    rows = await session.execute(
        select(Customer.id, Customer.display_name, name.label("key"))
        .where(*live, name.in_(shared))
        .order_by(Customer.id)
    )
    groups: dict[str, list[tuple[int, str]]] = {}
    for cid, display, key in rows:
        groups.setdefault(key, []).append((cid, display))
    wanted = set(customer_ids)
    out: list[tuple[int, str, int, str]] = []
    for members in groups.values():
        for cid, display in members:
            if cid not in wanted:
                continue
            for other, other_name in members:
                if other != cid and not (other in wanted and other < cid):  # each pair once
                    out.append((cid, display, other, other_name))
                    if len(out) >= limit:
                        return out
    return out


# ---------------------------------------------------------------- merging and splitting by hand
async def live_customer(session: AsyncSession, workspace_id: int, customer_id: int) -> Customer | None:
    c = await session.get(Customer, customer_id)
    if c is None or c.workspace_id != workspace_id:
        return None
    return c


async def identity_ids_of(session: AsyncSession, customer_id: int) -> list[int]:
    rows = await session.execute(select(BuyerIdentity.id).where(BuyerIdentity.customer_id == customer_id))
    return [r[0] for r in rows]


async def pin_identities(session: AsyncSession, ids: Sequence[int], customer_id: int) -> None:
    for chunk in _chunks(list(ids)):
        await session.execute(
            update(BuyerIdentity)
            .where(BuyerIdentity.id.in_(chunk))
            .values(customer_id=customer_id, pinned=True)
        )


async def move_orders_of_identities(session: AsyncSession, ids: Sequence[int], customer_id: int) -> None:
    for chunk in _chunks(list(ids)):
        orders = select(Order.id).where(Order.identity_id.in_(chunk))
        await session.execute(
            update(LoyaltyEntry).where(LoyaltyEntry.order_id.in_(orders)).values(customer_id=customer_id)
        )
        await session.execute(
            update(Order).where(Order.identity_id.in_(chunk)).values(customer_id=customer_id)
        )


async def merge_event(session: AsyncSession, workspace_id: int, event_id: int) -> MergeEvent | None:
    ev = await session.get(MergeEvent, event_id)
    return ev if ev is not None and ev.workspace_id == workspace_id else None


async def recent_merges(session: AsyncSession, workspace_id: int, limit: int = 20) -> list[MergeEvent]:
    rows = await session.execute(
        select(MergeEvent)
        .where(MergeEvent.workspace_id == workspace_id)
        .order_by(MergeEvent.id.desc())
        .limit(limit)
    )
    return list(rows.scalars())


# ---------------------------------------------------------------- one file, one store, one currency per order
def _mixed_currency_lines(conn: Connection, stage: Stage) -> list[BadRow]:
    """Rejections for the staged lines whose currency differs from their order's first line (the orders the
    per-order aggregate found in more than one currency; set-based, so a large file costs no memory)."""
    t, a = stage.lines.c, stage.orders.c
    rows = conn.execute(
        select(t.order_ref, t.file_line, t.currency)
        .where(t.currency.is_not(None), t.order_ref.in_(select(a.order_ref).where(a.mixed_currency == 1)))
        .order_by(t.order_ref, t.file_line)
    ).all()
    out: list[BadRow] = []
    first: dict[str, tuple[str, int]] = {}
    for ref, line_no, cur in rows:
        seen = first.setdefault(ref, (cur, line_no))
        if cur != seen[0]:
            why = (
                f"currency {cur} differs from {seen[0]} on line {seen[1]} of the same order "
                "(an order is in one currency); the whole order is rejected"
            )
            out.append((line_no, ref, why))
    return out


async def earlier_store_of_file(
    session: AsyncSession, workspace_id: int, sha: str, platform: str
) -> str | None:
    """The store the very same file (by sha256) was last imported into, if any."""
    q = (
        select(ImportLog.store_name)
        .where(
            ImportLog.workspace_id == workspace_id,
            ImportLog.file_sha256 == sha,
            ImportLog.platform == platform,
            ImportLog.status == "done",
            ImportLog.store_name.is_not(None),
        )
        .order_by(ImportLog.id.desc())
        .limit(1)
    )
    return (await session.execute(q)).scalar_one_or_none()


def staged_utc(text: str | None) -> datetime | None:
    if not text:
        return None
    try:
        return datetime.fromisoformat(text).replace(tzinfo=UTC)
    except ValueError:
        return None


async def stores_holding(
    session: AsyncSession,
    workspace_id: int,
    platform: str,
    own_store: str,
    stage: Table,
    *,
    per_store_ids: bool,
) -> dict[str, tuple[int, str]]:
    """How many of the staged file's orders each of the workspace's stores of its platform already holds:
    {store: (count, an example order id)}. Per-store numbered ids count in another store only when that
    order was placed at the same moment (within a minute)."""
    in_file = Order.platform_order_id.in_(select(stage.c.order_ref).distinct())
    base = (
        select(Store.name, func.count(), func.min(Order.platform_order_id))
        .join(Store, Store.id == Order.store_id)
        .where(
            Order.workspace_id == workspace_id,
            Order.platform == platform,
            Store.platform == platform,
            in_file,
        )
        .group_by(Store.name)
    )
    found = {name: (n, example) for name, n, example in (await session.execute(base)).all() if n}
    if not per_store_ids or not (set(found) - {own_store}):
        return found
    rows = (
        await session.execute(
            select(Store.name, Order.platform_order_id, Order.created_at)
            .join(Store, Store.id == Order.store_id)
            .where(
                Order.workspace_id == workspace_id,
                Order.platform == platform,
                Store.platform == platform,
                Store.name != own_store,
                in_file,
            )
        )
    ).all()
    refs = sorted({r[1] for r in rows})
    staged_at: dict[str, datetime | None] = {}
    for i in range(0, len(refs), 1000):
        q = (
            select(stage.c.order_ref, func.min(stage.c.created_at))
            .where(stage.c.order_ref.in_(refs[i : i + 1000]))
            .group_by(stage.c.order_ref)
        )
        staged_at.update((ref, staged_utc(t)) for ref, t in (await session.execute(q)).all())
    same: dict[str, list[str]] = {}
    for name, ref, created in rows:
        mine = staged_at.get(ref)
        if mine is None or created is None:
            continue
        created = created if created.tzinfo else created.replace(tzinfo=UTC)
        if abs((created - mine).total_seconds()) <= 60:
            same.setdefault(name, []).append(ref)
    out = {name: (len(ids), min(ids)) for name, ids in same.items()}
    if own_store in found:
        out[own_store] = found[own_store]
    return out
