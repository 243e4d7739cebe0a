"""Month blocks: each UTC calendar month of a workspace's `order_products` rows as packed NumPy columns, one row
of `product_blocks` per month (storage.models.ProductBlock).

Why: the category preference, replenishment cycles, products bought together and what lapsed customers bought
need every row of their period, not sums: at 1,000,000 orders a year is 850,000 rows and all time 1.5 million,
and SQLite reads, converts and hands over about 5 million values a second here (0.6-1.5 s a figure). A block is
one blob read in a few milliseconds and turned into arrays without a copy (`np.frombuffer`).

How they are kept: `write_order_products` knows which months' rows it changed; for each it bumps the month's
`generation` and clears its data (`invalidate_months`, `invalidate_workspace`), in the writer's transaction.
A reader packs the months it finds without data from `order_products` (one statement for all of them) and
stores each only where the month's generation is still the one it read before reading the rows, in a short
transaction of its own that gives up at once if another transaction holds the table: a block built from rows a
writer has since changed is never stored. A reader whose own transaction has written customer data stores
nothing (its view is not committed).

No library packs aligned typed columns into one blob as simply: Arrow or Parquet would be a 40-100 MB
dependency for what `tobytes` and `frombuffer` do here.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import case, cast, func, literal, select, text, update
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.types import BigInteger

from storage.models import OrderProduct, ProductBlock
from storage.repositories.order_products import KEPT_STATUSES, next_month, utc_month

if TYPE_CHECKING:
    import numpy as np

log = logging.getLogger(__name__)

OP = OrderProduct
FORMAT = 1
# Columns as packed, each with its widest type (an integer column is stored 32-bit where its values fit).
# product, name and platform index the block's own keys, names and platforms lists (name -1: none); status
# indexes KEPT_STATUSES; at is UTC microseconds since 1970; value NaN where the order has no rate.
WIDEST = {
    "product": "<i4",
    "customer": "<i8",
    "at": "<i8",
    "order": "<i8",
    "status": "<i1",
    "platform": "<i2",
    "units": "<i8",
    "value": "<f8",
    "name": "<i4",
}


@dataclass(frozen=True)
class Block:
    """One month's rows, grouped by product in key order: `keys` ascending, indexed by the product column."""

    month: datetime
    keys: list[str]
    names: list[str]  # ascending, so the largest code of a product's rows is its largest name
    platforms: list[str]
    columns: dict[str, np.ndarray]

    def __len__(self) -> int:
        return len(self.columns["product"])


def pack(block: Block) -> tuple[str, bytes]:
    """(header, data) of a block: the JSON header names the lists and each column's type."""
    import numpy as np

    dtypes: dict[str, str] = {}
    parts = []
    for name, widest in WIDEST.items():
        col = block.columns[name]
        dtype = widest
        if widest == "<i8" and (not len(col) or (int(col.min()) >= -(2**31) and int(col.max()) < 2**31)):
            dtype = "<i4"
        dtypes[name] = dtype
        parts.append(np.ascontiguousarray(col, dtype=dtype).tobytes())
    header = {
        "format": FORMAT,
        "rows": len(block),
        "dtypes": dtypes,
        "keys": block.keys,
        "names": block.names,
        "platforms": block.platforms,
    }
    return json.dumps(header, ensure_ascii=False, separators=(",", ":")), b"".join(parts)


def unpack(month: datetime, header: str, data: bytes) -> Block | None:
    """The block of a stored header and data (read-only arrays over the bytes); None for another format."""
    import numpy as np

    h = json.loads(header)
    if h.get("format") != FORMAT:
        return None
    n, offset, columns = int(h["rows"]), 0, {}
    for name in WIDEST:
        dtype = np.dtype(h["dtypes"][name])
        columns[name] = np.frombuffer(data, dtype=dtype, count=n, offset=offset)
        offset += dtype.itemsize * n
    return Block(month, list(h["keys"]), list(h["names"]), list(h["platforms"]), columns)


async def read_blocks(
    session: AsyncSession, workspace_id: int, start: datetime | None, end: datetime
) -> list[Block]:
    """The blocks of every month that has rows and overlaps [start, end) (start None: from the first), in month
    order; months without data are packed from order_products and stored for the next reader."""
    pb = ProductBlock
    last = utc_month(end)
    cond = [pb.workspace_id == workspace_id, pb.month <= last]
    if start is not None:
        cond.append(pb.month >= utc_month(start))
    found = (
        await session.execute(
            select(pb.month, pb.generation, pb.header, pb.data).where(*cond).order_by(pb.month)
        )
    ).all()
    blocks: dict[datetime, Block] = {}
    missing: dict[datetime, int] = {}
    for month, generation, header, data in found:
        block = unpack(month, header, data) if header is not None and data is not None else None
        if block is None:
            missing[month] = int(generation)
        else:
            blocks[month] = block
    if missing:
        built = await build_blocks(session, workspace_id, sorted(missing))
        blocks.update(built)
        await _store(session, workspace_id, [(built[m], missing[m]) for m in sorted(missing)])
    if end == last:  # the month `end` opens has no rows before it
        blocks.pop(last, None)
    return [blocks[m] for m in sorted(blocks)]


def micros(session: AsyncSession, expr: Any) -> Any:
    """Whole UTC microseconds since 1970 of a stored time, exact on both databases (SQLite keeps UTC text
    with six decimals; a value without them counts as .000000)."""
    if session.get_bind().dialect.name == "sqlite":
        from storage.repositories.analytics import _epoch_seconds

        fraction = cast(func.substr(expr + literal("000000"), 21, 6), BigInteger)
        return _epoch_seconds(session, expr) * 1_000_000 + fraction
    return cast(func.extract("epoch", expr) * 1_000_000, BigInteger)


async def build_blocks(
    session: AsyncSession, workspace_id: int, months: Sequence[datetime]
) -> dict[datetime, Block]:
    """Pack these months (ascending) of the workspace from order_products: one statement over the range they
    span, grouped by product (each product's rows are one range of the table's key, read in order), the
    rows then split by month. Months of the range not asked for are dropped."""
    import numpy as np

    from storage.arrays import text_codes
    from storage.repositories.analytics import _plain_rows, array_of, parse_array, split_texts, texts_of
    from storage.repositories.products import product_keys

    if not months:
        return {}
    first, after = months[0], next_month(months[-1])
    status = case(*((OP.status == s, i) for i, s in enumerate(KEPT_STATUSES)), else_=-1)
    numbers = [
        ("customer", OP.customer_id, np.int64),
        ("at", micros(session, OP.created_at), np.int64),
        ("order", OP.order_id, np.int64),
        ("status", status, np.int64),
        ("units", OP.units, np.int64),
        ("value", OP.value, np.float64),
    ]
    q = (
        select(
            OP.product,
            *(array_of(session, e, d) for _, e, d in numbers),
            texts_of(session, OP.name),
            texts_of(session, OP.platform),
        )
        .where(
            OP.workspace_id == workspace_id,
            OP.product.in_(product_keys(workspace_id)),
            OP.created_at >= first,
            OP.created_at < after,
            OP.status.in_(KEPT_STATUSES),
        )
        .group_by(OP.product)
    )
    found = sorted(await _plain_rows(session, q), key=lambda r: str(r[0]))
    keys = [str(r[0]) for r in found]
    parsed = [[parse_array(v, d) for v, (_, _, d) in zip(r[1:7], numbers, strict=True)] for r in found]
    lengths = [len(p[0]) for p in parsed]
    cols: dict[str, np.ndarray] = {
        name: (np.concatenate([p[j] for p in parsed]) if parsed else np.empty(0, d))
        for j, (name, _, d) in enumerate(numbers)
    }
    cols["product"] = np.repeat(np.arange(len(found), dtype=np.int64), lengths)
    names = [n for r in found for n in split_texts(r[7])]
    platforms = [p or "" for r in found for p in split_texts(r[8])]
    cols["name"], name_list = text_codes(names)
    cols["platform"], platform_list = text_codes(platforms)
    bounds = np.array([micros_of(m) for m in [*months, after]], np.int64)
    where = np.searchsorted(bounds, cols["at"], side="right") - 1  # the month asked for each row falls in
    by_month = np.argsort(where, kind="stable")  # each month's rows stay in product order
    ends = np.cumsum(np.bincount(where, minlength=len(months)))
    out = {}
    for i, month in enumerate(months):
        inside = by_month[(ends[i - 1] if i else 0) : ends[i]]
        if i + 1 < len(months) and next_month(month) != months[i + 1]:  # rows of months not asked for
            inside = inside[cols["at"][inside] < micros_of(next_month(month))]
        out[month] = _block(month, {k: v[inside] for k, v in cols.items()}, keys, name_list, platform_list)
    return out


def micros_of(at: datetime) -> int:
    at = at if at.tzinfo else at.replace(tzinfo=UTC)
    return int(at.timestamp()) * 1_000_000 + at.microsecond


def _block(
    month: datetime, cols: dict[str, np.ndarray], keys: list[str], names: list[str], platforms: list[str]
) -> Block:
    """A month's block from rows coded against the whole range's lists: each list cut to what the month uses."""
    import numpy as np

    def compact(codes: np.ndarray, values: list[str]) -> tuple[np.ndarray, list[str]]:
        used = np.flatnonzero(np.bincount(codes[codes >= 0], minlength=len(values)))
        remap = np.full(len(values) + 1, -1, np.int64)
        remap[used] = np.arange(len(used))
        return remap[codes], [values[i] for i in used.tolist()]  # codes -1 read remap[-1] = -1

    cols = dict(cols)
    cols["product"], block_keys = compact(cols["product"], keys)
    cols["name"], block_names = compact(cols["name"], names)
    cols["platform"], block_platforms = compact(cols["platform"], platforms)
    return Block(month, block_keys, block_names, block_platforms, cols)


async def _store(session: AsyncSession, workspace_id: int, built: Iterable[tuple[Block, int]]) -> None:
    """Store packed blocks where their month's generation is still the one read before the rows were, in a
    transaction of its own that waits for no lock; nothing when the caller's transaction has written customer
    data (what it read is not committed) or anything goes wrong (the next reader packs them again)."""
    from sqlalchemy.ext.asyncio import AsyncEngine

    from storage.db import RESTORE_ON_CHECKIN, has_uncommitted_data_write

    engine = session.bind
    if not isinstance(engine, AsyncEngine) or await has_uncommitted_data_write(session):
        return
    pb = ProductBlock
    sqlite = engine.dialect.name == "sqlite"
    try:
        async with engine.connect() as conn:
            try:
                if sqlite:  # an import holding the database: give up at once rather than wait
                    before = (await conn.exec_driver_sql("PRAGMA busy_timeout")).scalar_one()
                    # put back when the connection returns to the pool (storage.db), also if this is cancelled
                    conn.info.setdefault(RESTORE_ON_CHECKIN, {}).setdefault("busy_timeout", before)
                    await conn.exec_driver_sql("PRAGMA busy_timeout = 0")
                else:
                    await conn.execute(text("SET LOCAL lock_timeout = '100ms'"))
                for block, generation in built:
                    header, data = pack(block)
                    await conn.execute(
                        update(pb)
                        .where(
                            pb.workspace_id == workspace_id,
                            pb.month == block.month,
                            pb.generation == generation,
                            pb.data.is_(None),
                        )
                        .values(header=header, data=data)
                    )
                await conn.commit()
            finally:
                if conn.in_transaction():
                    await conn.rollback()
    except SQLAlchemyError as exc:  # locked, or the connection failed: the blocks are packed again next time
        log.debug("product blocks not stored: %s", exc)


async def invalidate_months(session: AsyncSession, cells: Iterable[tuple[int, datetime]]) -> None:
    """Bump the generation and clear the data of these (workspace, first instant of a UTC month) blocks, adding
    the row of a month that had none."""
    rows = sorted(set(cells))
    if not rows:
        return
    from sqlalchemy.dialects import postgresql, sqlite

    pb = ProductBlock
    insert = sqlite.insert if session.get_bind().dialect.name == "sqlite" else postgresql.insert
    for i in range(0, len(rows), 500):
        stmt = insert(pb).values(
            [{"workspace_id": ws, "month": month, "generation": 0} for ws, month in rows[i : i + 500]]
        )
        await session.execute(
            stmt.on_conflict_do_update(
                index_elements=[pb.workspace_id, pb.month],
                set_={"generation": pb.generation + 1, "header": None, "data": None},
            )
        )


async def invalidate_workspace(session: AsyncSession, workspace_id: int) -> None:
    """Clear every block of a workspace whose rows were all rewritten, and add the rows of its months that had
    none (read off the monthly sums, which the caller has just rewritten)."""
    from storage.models import ProductMonth

    pb = ProductBlock
    await session.execute(
        update(pb)
        .where(pb.workspace_id == workspace_id)
        .values(generation=pb.generation + 1, header=None, data=None)
    )
    months = await session.scalars(
        select(ProductMonth.month).where(ProductMonth.workspace_id == workspace_id).distinct()
    )
    await invalidate_months(session, [(workspace_id, m) for m in months])
