"""customer_order_stats (what RFM and CLV read) always equals the valid orders summed up per customer, after
every path that adds, changes or moves orders: imports, later exports, automatic and manual merges, undo,
split, FX rates. The truth here is computed in Python from the orders themselves."""

from __future__ import annotations

import csv
import math
from collections import defaultdict
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from bot.settings import WorkspaceSettings
from crm.importing.identity import merge_by_hand, split_identity, undo_merge
from crm.importing.service import import_file, import_rates
from storage.db import Database
from storage.models import (
    CustomerOrderStats,
    CustomerPlatformStats,
    Order,
    OrderLine,
    OrderProduct,
    ProductMonth,
    Workspace,
)
from storage.repositories.analytics import customer_countries, customer_country_arrays, customer_summary
from storage.repositories.order_products import KEPT_STATUSES, utc_month
from storage.repositories.product_blocks import read_blocks
from tests.test_importing import (
    LAZADA_HEADER,
    SHOPIFY_HEADER,
    lazada_row,
    orders_of,
    shopify_row,
    write_csv,
    write_xlsx,
)

VALID = {"paid", "shipped", "completed"}
FAR = datetime(2100, 1, 1, tzinfo=UTC)


async def truth(
    db: Database, workspace_id: int, end: datetime = FAR, *, per_platform: bool = False
) -> dict[Any, tuple[int, int, int, float]]:
    """Per customer (or per customer and platform) from the orders: first and last valid order, how many,
    their value."""
    per: dict[Any, list[tuple[datetime, float]]] = defaultdict(list)
    async with db.sessions() as s:
        for o in (await s.execute(select(Order).where(Order.workspace_id == workspace_id))).scalars():
            if o.customer_id is not None and o.status in VALID and o.created_at < end:
                key = (o.customer_id, o.platform) if per_platform else o.customer_id
                per[key].append((o.created_at, float(o.value_base or 0)))
    return {
        c: (
            int(min(t for t, _ in v).timestamp()),
            int(max(t for t, _ in v).timestamp()),
            len(v),
            round(sum(x for _, x in v), 4),
        )
        for c, v in per.items()
    }


async def stored(db: Database, workspace_id: int) -> dict[int, tuple[int, int, int, float]]:
    async with db.sessions() as s:
        rows = await s.execute(
            select(CustomerOrderStats).where(CustomerOrderStats.workspace_id == workspace_id)
        )
        return {
            r.customer_id: (r.first_order, r.last_order, r.orders, round(r.value, 4)) for r in rows.scalars()
        }


async def second_orders_truth(db: Database, workspace_id: int) -> dict[int, int | None]:
    """Each customer's second valid order (by time, then id) in floored UTC epoch seconds, None with one."""
    per: dict[int, list[tuple[datetime, int]]] = defaultdict(list)
    async with db.sessions() as s:
        for o in (await s.execute(select(Order).where(Order.workspace_id == workspace_id))).scalars():
            if o.customer_id is not None and o.status in VALID:
                per[o.customer_id].append((o.created_at, o.id))
    return {c: int(sorted(v)[1][0].timestamp()) if len(v) > 1 else None for c, v in per.items()}


async def stored_second_orders(db: Database, workspace_id: int) -> dict[int, int | None]:
    t = CustomerOrderStats
    async with db.sessions() as s:
        rows = await s.execute(select(t.customer_id, t.second_order).where(t.workspace_id == workspace_id))
        return {int(c): second for c, second in rows}


async def stored_per_platform(db: Database, workspace_id: int) -> dict[Any, tuple[int, int, int, float]]:
    async with db.sessions() as s:
        rows = await s.execute(
            select(CustomerPlatformStats).where(CustomerPlatformStats.workspace_id == workspace_id)
        )
        return {
            (r.customer_id, r.platform): (r.first_order, r.last_order, r.orders, round(float(r.value), 4))
            for r in rows.scalars()
        }


async def summary(
    db: Database, workspace_id: int, end: datetime = FAR
) -> dict[int, tuple[int, int, int, float]]:
    async with db.sessions() as s:
        d = await customer_summary(s, workspace_id, end)
        lean = await customer_summary(s, workspace_id, end, first=False)  # what segments read
    assert list(d["id"]) == sorted(d["id"])
    assert sorted(lean) == ["id", "last", "orders", "value"]
    assert all(lean[k].tolist() == d[k].tolist() for k in lean)  # the same values, to the last bit
    return {
        int(c): (int(f), int(la), int(n), round(float(v), 4))
        for c, f, la, n, v in zip(d["id"], d["first"], d["last"], d["orders"], d["value"], strict=True)
    }


async def previous_orders(
    db: Database, workspace_id: int
) -> tuple[dict[int, datetime | None], dict[int, datetime | None]]:
    """(stored previous_order_at per order, the truth: the customer's previous valid order by time then id)."""
    async with db.sessions() as s:
        orders = list((await s.execute(select(Order).where(Order.workspace_id == workspace_id))).scalars())
    want: dict[int, datetime | None] = {o.id: None for o in orders}
    last: dict[int, datetime] = {}
    for o in sorted(orders, key=lambda o: (o.created_at, o.id)):
        if o.customer_id is not None and o.status in VALID:
            want[o.id] = last.get(o.customer_id)
            last[o.customer_id] = o.created_at
    return {o.id: o.previous_order_at for o in orders}, want


def _line_value(line: OrderLine, order: Order, base: str) -> float | None:
    """docs/metrics.md, "Products": the line's value at its order's rate (None without one)."""
    if order.value_base is None:
        return None
    if order.order_value:
        rate = float(order.value_base) / float(order.order_value)
    elif order.currency == base:
        rate = 1.0
    else:
        return None
    if line.unit_price is not None:
        amount = float(line.unit_price) * line.quantity - float(line.line_discount or 0)
    else:
        amount = float(line.line_total or 0)
    return amount * rate


async def order_products_truth(db: Database, workspace_id: int) -> dict[tuple[int, str], tuple[Any, ...]]:
    """Per (order, product) of the valid and returned orders with a customer, from the lines themselves:
    customer, time, status, platform, units, value (None without a rate)."""
    out: dict[tuple[int, str], list[Any]] = {}
    async with db.sessions() as s:
        base = (await s.get(Workspace, workspace_id)).base_currency  # type: ignore[union-attr]
        rows = await s.execute(
            select(OrderLine, Order)
            .join(Order, Order.id == OrderLine.order_id)
            .where(Order.workspace_id == workspace_id)
        )
        for line, o in rows:
            if o.customer_id is None or o.status not in VALID | {"returned"}:
                continue
            sku = (line.sku or "").strip()
            name = (line.product_name or "").strip().lower()
            key = sku or (f"name:{name}" if name else "")
            if not key:
                continue
            row = out.setdefault((o.id, key), [o.customer_id, o.created_at, o.status, o.platform, 0, 0.0])
            row[4] += line.quantity
            value = _line_value(line, o, base)
            row[5] = None if value is None or row[5] is None else row[5] + value
    return {k: (*v[:5], None if v[5] is None else round(v[5], 4)) for k, v in out.items()}


async def stored_order_products(db: Database, workspace_id: int) -> dict[tuple[int, str], tuple[Any, ...]]:
    async with db.sessions() as s:
        rows = await s.execute(select(OrderProduct).where(OrderProduct.workspace_id == workspace_id))
        return {
            (r.order_id, r.product): (
                r.customer_id,
                r.created_at,
                r.status,
                r.platform,
                r.units,
                None if r.value is None else round(r.value, 4),
            )
            for r in rows.scalars()
        }


async def product_months_truth(db: Database, workspace_id: int) -> dict[tuple[Any, ...], tuple[Any, ...]]:
    """order_products summed per (product, UTC month, status, platform): units, value of the rows with one,
    rows, rows without a value, the largest and the smallest name."""
    out: dict[tuple[Any, ...], list[Any]] = {}
    async with db.sessions() as s:
        rows = await s.execute(select(OrderProduct).where(OrderProduct.workspace_id == workspace_id))
        for r in rows.scalars():
            month = r.created_at.astimezone(UTC).replace(day=1, hour=0, minute=0, second=0, microsecond=0)
            cell = out.setdefault((r.product, month, r.status, r.platform), [0, 0.0, 0, 0, None, None])
            cell[0] += r.units
            cell[1] += r.value or 0.0
            cell[2] += 1
            cell[3] += r.value is None
            if r.name is not None:
                cell[4] = r.name if cell[4] is None else max(cell[4], r.name)
                cell[5] = r.name if cell[5] is None else min(cell[5], r.name)
    return {k: (v[0], round(v[1], 4), v[2], v[3], v[4], v[5]) for k, v in out.items()}


async def stored_product_months(db: Database, workspace_id: int) -> dict[tuple[Any, ...], tuple[Any, ...]]:
    async with db.sessions() as s:
        rows = await s.execute(select(ProductMonth).where(ProductMonth.workspace_id == workspace_id))
        return {
            (r.product, r.month, r.status, r.platform): (
                r.units,
                round(r.value, 4),
                r.orders,
                r.unpriced,
                r.name,
                r.min_name,
            )
            for r in rows.scalars()
        }


async def block_rows(db: Database, workspace_id: int) -> dict[tuple[int, str], tuple[Any, ...]]:
    """order_products as the month blocks hold them (storage.repositories.product_blocks), in the form of
    `stored_order_products` plus the name: read twice, so that the second read is of the blocks the first
    stored (the first packs the months a change cleared), and both reads must agree."""
    out = []
    for _ in range(2):
        got: dict[tuple[int, str], tuple[Any, ...]] = {}
        async with db.sessions() as s:
            blocks = await read_blocks(s, workspace_id, None, datetime(2100, 1, 1, tzinfo=UTC))
        for b in blocks:
            c = b.columns
            for i in range(len(b)):
                at = datetime.fromtimestamp(int(c["at"][i]) // 1_000_000, UTC).replace(
                    microsecond=int(c["at"][i]) % 1_000_000
                )
                assert utc_month(at) == b.month
                value = float(c["value"][i])
                got[(int(c["order"][i]), b.keys[c["product"][i]])] = (
                    int(c["customer"][i]),
                    at,
                    KEPT_STATUSES[c["status"][i]],
                    b.platforms[c["platform"][i]],
                    int(c["units"][i]),
                    None if math.isnan(value) else round(value, 4),
                    b.names[c["name"][i]] if c["name"][i] >= 0 else None,
                )
        out.append(got)
    assert out[0] == out[1]
    return out[0]


async def stored_names(db: Database, workspace_id: int) -> dict[tuple[int, str], str | None]:
    async with db.sessions() as s:
        rows = await s.execute(
            select(OrderProduct.order_id, OrderProduct.product, OrderProduct.name).where(
                OrderProduct.workspace_id == workspace_id
            )
        )
        return {(o, p): n or None for o, p, n in rows}


async def order_countries(db: Database, workspace_id: int) -> dict[int, str | None]:
    """Each customer's `customer_country` as their orders hold it; every order of one customer must agree."""
    out: dict[int, str | None] = {}
    async with db.sessions() as s:
        rows = await s.execute(
            select(Order.customer_id, Order.customer_country).where(
                Order.workspace_id == workspace_id, Order.customer_id.is_not(None)
            )
        )
        for customer, country in rows:
            assert out.setdefault(customer, country) == country, customer
    return out


async def check(db: Database, workspace_id: int) -> dict[int, tuple[int, int, int, float]]:
    want = await truth(db, workspace_id)
    assert await stored(db, workspace_id) == want
    assert await stored_per_platform(db, workspace_id) == await truth(db, workspace_id, per_platform=True)
    # Both keep the customer's country as the analytics read it (the stored one, else the latest order's).
    async with db.sessions() as s:
        countries = await customer_countries(s, workspace_id)
        for table in (CustomerOrderStats, CustomerPlatformStats):
            for customer, country in await s.execute(select(table.customer_id, table.country)):
                assert country == countries[customer], (table.__tablename__, customer)
    # So does every order of a customer (what a breakdown by country groups by).
    held = await order_countries(db, workspace_id)
    assert held == {customer: countries[customer] for customer in held}
    assert await summary(db, workspace_id) == want
    got_prev, want_prev = await previous_orders(db, workspace_id)
    assert got_prev == want_prev
    assert await stored_second_orders(db, workspace_id) == await second_orders_truth(db, workspace_id)
    products = await order_products_truth(db, workspace_id)
    assert products  # the exports here have product lines
    assert await stored_order_products(db, workspace_id) == products
    # and their monthly sums, whichever way the rows were rewritten
    assert await stored_product_months(db, workspace_id) == await product_months_truth(db, workspace_id)
    # and their month blocks, packed again where a change cleared them
    names = await stored_names(db, workspace_id)
    assert await block_rows(db, workspace_id) == {k: (*v, names[k]) for k, v in products.items()}
    async with db.sessions() as s:
        ids, listed = await customer_country_arrays(s, workspace_id)
    assert dict(zip(ids.tolist(), listed, strict=True)) == countries
    return want


@pytest.mark.parametrize("whole", [True, False], ids=["whole-workspace", "per-customer"])
async def test_stats_follow_every_order_change(
    db: Database, workspace_id: int, tmp_path: Path, whole: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    # order_products is rewritten whole for a large share of a workspace's customers, else per customer: each
    # change below goes through one way or the other.
    monkeypatch.setattr("storage.repositories.order_products.WHOLE_SHARE", 0.0 if whole else 2.0)
    ws = WorkspaceSettings()
    sh = write_csv(
        tmp_path / "orders_export.csv",
        SHOPIFY_HEADER,
        [
            shopify_row(
                "#1", "tan@example.com", "paid", "10.00", "2026-01-01 10:00:00 +0800", phone="+65 8123 4567"
            ),
            # Tan's latest order goes to Malaysia: Tan's country is MY, on #1 too (the importer writes SG first).
            shopify_row(
                "#2",
                "tan@example.com",
                "paid",
                "30.00",
                "2026-02-01 10:00:00 +0800",
                phone="+65 8123 4567",
                country="MY",
            ),
            shopify_row("#3", "wei@example.com", "paid", "20.00", "2026-01-02 10:00:00 +0800"),
            shopify_row("#4", "lee@example.com", "paid", "15.00", "2026-01-03 10:00:00 +0800"),
        ],
    )
    await import_file(db, workspace_id, sh, settings=ws)
    assert len(await check(db, workspace_id)) == 3
    tan = (await orders_of(db))["#1"].customer_id
    assert (await order_countries(db, workspace_id))[tan] == "MY"
    lz = write_xlsx(tmp_path / "lazada.xlsx", LAZADA_HEADER, [lazada_row(1, 77, "tanwl", "")], sheet="sheet1")
    await import_file(db, workspace_id, lz, settings=ws)
    assert len(await check(db, workspace_id)) == 4
    # A later export reveals the Lazada buyer's phone: merged into Tan, whose stats now hold three orders.
    lz2 = write_xlsx(
        tmp_path / "lazada2.xlsx", LAZADA_HEADER, [lazada_row(1, 77, "tanwl", "81234567")], sheet="sheet1"
    )
    assert (await import_file(db, workspace_id, lz2, settings=ws)).customers_merged == 1
    orders = await orders_of(db)
    tan = orders["#1"].customer_id
    assert (await check(db, workspace_id))[tan][2] == 3
    # A later Shopify export cancels #2 and changes #1's amount.
    rows = list(csv.reader(sh.open(encoding="utf-8")))
    sh2 = write_csv(
        tmp_path / "orders_export2.csv",
        rows[0],
        [
            shopify_row(
                "#1", "tan@example.com", "paid", "12.00", "2026-01-01 10:00:00 +0800", phone="+65 8123 4567"
            ),
            shopify_row(
                "#2",
                "tan@example.com",
                "voided",
                "30.00",
                "2026-02-01 10:00:00 +0800",
                phone="+65 8123 4567",
                country="MY",
            ),
        ],
    )
    await import_file(db, workspace_id, sh2, settings=ws)
    assert (await check(db, workspace_id))[tan][2:] == (2, 32.0)
    # #2 no longer counts: Tan's latest valid order is from Lazada, and every order of Tan follows it.
    assert (await order_countries(db, workspace_id))[tan] != "MY"
    # Manual merge, its undo, and a split.
    wei, lee = orders["#3"].customer_id, orders["#4"].customer_id
    async with db.sessions() as s:
        ev = await merge_by_hand(s, workspace_id, wei, lee)
        await s.commit()
    stats = await check(db, workspace_id)
    assert lee not in stats and stats[wei][2] == 2
    async with db.sessions() as s:
        await undo_merge(s, workspace_id, ev)
        await s.commit()
    assert {wei, lee} <= set(await check(db, workspace_id))
    async with db.sessions() as s:
        new = await split_identity(s, workspace_id, (await orders_of(db))["77"].identity_id)
        await s.commit()
    stats = await check(db, workspace_id)
    assert stats[new][2] == 1 and stats[tan][2] == 1
    # Rates for a currency the orders were missing: the values follow.
    usd = write_csv(
        tmp_path / "usd_orders.csv",
        SHOPIFY_HEADER,
        [shopify_row("#9", "kim@example.com", "paid", "100.00", "2026-03-15 10:00:00 +0800")],
    )
    rows = list(csv.reader(usd.open(encoding="utf-8")))
    rows[1][SHOPIFY_HEADER.index("Currency")] = "USD"
    write_csv(usd, rows[0], rows[1:])
    await import_file(db, workspace_id, usd, settings=ws)
    kim = (await orders_of(db))["#9"].customer_id
    assert (await check(db, workspace_id))[kim][3] == 0.0
    rates = write_csv(tmp_path / "rates.csv", ["currency", "rate"], [["USD", "1.35"]])
    await import_rates(db, workspace_id, rates, base_currency="SGD")
    assert (await check(db, workspace_id))[kim][3] == 135.0


async def test_summary_as_of_a_past_date_counts_only_earlier_orders(
    db: Database, workspace_id: int, tmp_path: Path
) -> None:
    sh = write_csv(
        tmp_path / "orders_export.csv",
        SHOPIFY_HEADER,
        [
            shopify_row("#1", "tan@example.com", "paid", "10.00", "2026-01-01 10:00:00 +0800"),
            shopify_row("#2", "tan@example.com", "paid", "30.00", "2026-02-01 10:00:00 +0800"),
            shopify_row("#3", "wei@example.com", "paid", "20.00", "2026-03-02 10:00:00 +0800"),
        ],
    )
    await import_file(db, workspace_id, sh, settings=WorkspaceSettings())
    await check(db, workspace_id)
    for end in (
        datetime(2026, 1, 15, tzinfo=UTC),
        datetime(2026, 2, 1, 2, 0, 0, tzinfo=UTC),
        datetime(2026, 2, 1, 2, 0, 1, tzinfo=UTC),
        datetime(2026, 3, 2, 2, 0, 0, 500, tzinfo=UTC),
    ):
        assert await summary(db, workspace_id, end) == await truth(db, workspace_id, end), end


async def test_new_customers_and_ltv_from_the_statistics_match_the_orders(
    db: Database, workspace_id: int, tmp_path: Path
) -> None:
    from storage.repositories.analytics import Scope, ltv_totals, new_customers

    sh = write_csv(
        tmp_path / "orders_export.csv",
        SHOPIFY_HEADER,
        [
            shopify_row("#1", "tan@example.com", "paid", "10.00", "2026-01-01 10:00:00 +0800"),
            shopify_row("#2", "tan@example.com", "paid", "30.00", "2026-02-01 10:00:00 +0800"),
            shopify_row("#3", "wei@example.com", "paid", "20.00", "2026-03-02 10:00:00 +0800"),
            shopify_row("#4", "lee@example.com", "voided", "50.00", "2026-01-20 10:00:00 +0800"),
            shopify_row("#5", "lee@example.com", "paid", "5.00", "2026-03-20 10:00:00 +0800"),
        ],
    )
    await import_file(db, workspace_id, sh, settings=WorkspaceSettings())
    scope = Scope(workspace_id)
    for start, end in [
        (datetime(2026, 1, 1, tzinfo=UTC), datetime(2026, 2, 1, tzinfo=UTC)),
        (datetime(2026, 2, 1, tzinfo=UTC), datetime(2026, 4, 1, tzinfo=UTC)),
        (datetime(2026, 3, 2, 2, 0, 0, 1, tzinfo=UTC), FAR),
        (datetime(2025, 1, 1, tzinfo=UTC), datetime(2026, 3, 2, 2, 0, 0, 1, tzinfo=UTC)),
    ]:
        firsts = {c: v[0] for c, v in (await truth(db, workspace_id)).items()}
        want_new = sum(start.timestamp() <= f < end.timestamp() for f in firsts.values())
        before = await truth(db, workspace_id, end)
        async with db.sessions() as s:
            assert await new_customers(s, scope, start, end) == want_new, (start, end)
            n, value = await ltv_totals(s, scope, end)
        assert (n, round(value, 4)) == (len(before), round(sum(v[3] for v in before.values()), 4)), end


async def test_churn_and_ltv_from_the_statistics_match_the_orders(
    db: Database, workspace_id: int, tmp_path: Path
) -> None:
    """Churn (active in P', none in P) and LTV at past and present ends, against the orders themselves."""
    from storage.repositories.analytics import Scope, churn_counts, ltv_totals

    sh = write_csv(
        tmp_path / "orders_export.csv",
        SHOPIFY_HEADER,
        [
            shopify_row("#1", "tan@example.com", "paid", "10.00", "2026-01-05 10:00:00 +0800"),
            shopify_row("#2", "tan@example.com", "paid", "30.00", "2026-02-10 10:00:00 +0800"),
            shopify_row("#3", "wei@example.com", "paid", "20.00", "2026-01-20 10:00:00 +0800"),
            shopify_row("#4", "lee@example.com", "paid", "5.00", "2026-01-25 10:00:00 +0800"),
            shopify_row("#5", "lee@example.com", "paid", "7.00", "2026-03-25 10:00:00 +0800"),
            shopify_row("#6", "kim@example.com", "paid", "9.00", "2026-02-20 10:00:00 +0800"),
        ],
    )
    await import_file(db, workspace_id, sh, settings=WorkspaceSettings())
    async with db.sessions() as s:
        orders = [
            (o.customer_id, o.created_at, float(o.value_base or 0))
            for o in (await s.execute(select(Order))).scalars()
        ]
    scope = Scope(workspace_id)

    def d(m, day):
        return datetime(2026, m, day, tzinfo=UTC)

    for prev_start, start, end in [
        (d(1, 1), d(2, 1), d(3, 1)),
        (d(1, 1), d(2, 1), FAR),
        (d(2, 1), d(3, 1), d(4, 1)),
        (d(1, 15), d(2, 15), FAR),
    ]:
        active = {c for c, t, _ in orders if prev_start <= t < start}
        now = {c for c, t, _ in orders if start <= t < end}
        before = [(c, v) for c, t, v in orders if t < end]
        async with db.sessions() as s:
            assert await churn_counts(s, scope, prev_start, start, end) == (len(active), len(active - now))
            n, value = await ltv_totals(s, scope, end)
        assert (n, round(value, 4)) == (len({c for c, _ in before}), round(sum(v for _, v in before), 4))


def tie_orders_file(tmp_path: Path, n: int = 9) -> Path:
    """A Shopify export (its first n orders): two orders of one customer at the same instant, cancelled orders
    between valid ones, orders on the second before and at a window boundary."""
    return write_csv(
        tmp_path / "orders_export.csv",
        SHOPIFY_HEADER,
        [
            shopify_row("#1", "tan@example.com", "paid", "10.00", "2026-01-05 10:00:00 +0800"),
            shopify_row("#2", "tan@example.com", "paid", "30.00", "2026-01-05 10:00:00 +0800"),
            shopify_row("#3", "tan@example.com", "voided", "30.00", "2026-02-01 10:00:00 +0800"),
            shopify_row("#4", "tan@example.com", "paid", "12.00", "2026-03-01 08:00:00 +0800"),
            shopify_row("#5", "wei@example.com", "paid", "20.00", "2026-02-01 00:00:00 +0000"),
            shopify_row("#6", "wei@example.com", "paid", "20.00", "2026-03-01 00:00:00 +0000"),
            shopify_row("#7", "lee@example.com", "paid", "5.00", "2026-01-31 23:59:59 +0000"),
            shopify_row("#8", "kim@example.com", "voided", "9.00", "2026-02-20 10:00:00 +0800"),
            shopify_row("#9", "kim@example.com", "paid", "9.00", "2026-03-20 10:00:00 +0800"),
        ][:n],
    )


async def test_window_customers_and_churn_with_ties_and_boundaries_match_the_orders(
    db: Database, workspace_id: int, tmp_path: Path
) -> None:
    """Distinct customers of a window and churn over past windows, read off `previous_order_at`: orders of one
    customer at the same instant, windows starting exactly at an order, cancelled orders in between, a platform
    filter (which counts by DISTINCT) with a buyer on two platforms — every window against the orders themselves."""
    from storage.repositories.analytics import Scope, churn_counts, order_totals

    await import_file(db, workspace_id, tie_orders_file(tmp_path), settings=WorkspaceSettings())
    lz = write_xlsx(
        tmp_path / "lazada.xlsx",
        LAZADA_HEADER,
        [lazada_row(1, 77, "lee", "", email="lee@example.com", when="15 Feb 2026 10:00")],
        sheet="sheet1",
    )
    await import_file(db, workspace_id, lz, settings=WorkspaceSettings())
    await check(db, workspace_id)
    async with db.sessions() as s:
        orders = [
            (o.customer_id, o.created_at, o.platform)
            for o in (await s.execute(select(Order))).scalars()
            if o.status in VALID
        ]

    def d(m, day, h=0):
        return datetime(2026, m, day, h, tzinfo=UTC)

    marks = [d(1, 1), d(1, 5, 2), d(2, 1), d(2, 15), d(3, 1), d(4, 1), FAR]
    for platform in (None, "shopify"):
        scope = Scope(workspace_id, platform=platform)
        mine = [(c, t) for c, t, p in orders if platform in (None, p)]
        for i, a in enumerate(marks):
            for b in marks[i + 1 :]:
                async with db.sessions() as s:
                    got = (await order_totals(s, scope, a, b))[2]
                assert got == len({c for c, t in mine if a <= t < b}), (platform, a, b)
        for prev_start, start, end in [
            (d(1, 1), d(2, 1), d(3, 1)),
            (d(1, 5, 2), d(2, 1), d(3, 1)),
            (d(2, 1), d(3, 1), d(4, 1)),
            (d(1, 1), d(2, 15), d(3, 1)),
        ]:
            active = {c for c, t in mine if prev_start <= t < start}
            again = {c for c, t in mine if start <= t < end}
            async with db.sessions() as s:
                got_churn = await churn_counts(s, scope, prev_start, start, end)
            assert got_churn == (len(active), len(active - again)), (platform, prev_start, start, end)


async def test_an_order_that_changes_buyer_in_a_later_export_refreshes_its_old_customer(
    db: Database, workspace_id: int, tmp_path: Path
) -> None:
    """A later export gives an existing order another buyer (an edited or cleared e-mail): the customer who lost
    it gets fresh statistics and previous orders too, and the window counts stay right."""
    from storage.repositories.analytics import Scope, churn_counts, order_totals

    rows = [
        shopify_row("#1", "a@example.com", "paid", "10.00", "2026-01-05 10:00:00 +0000"),
        shopify_row("#2", "a@example.com", "paid", "10.00", "2026-02-05 10:00:00 +0000"),
        shopify_row("#3", "a@example.com", "paid", "10.00", "2026-03-05 10:00:00 +0000"),
        shopify_row("#4", "c@example.com", "paid", "10.00", "2026-05-05 10:00:00 +0000"),
    ]
    await import_file(
        db,
        workspace_id,
        write_csv(tmp_path / "orders_export.csv", SHOPIFY_HEADER, rows),
        settings=WorkspaceSettings(),
    )
    await check(db, workspace_id)

    def d(m):
        return datetime(2026, m, 1, tzinfo=UTC)

    for n, email in enumerate(("b@example.com", ""), start=2):
        moved = [shopify_row("#2", email, "paid", "10.00", "2026-02-05 10:00:00 +0000")]
        await import_file(
            db,
            workspace_id,
            write_csv(tmp_path / f"orders_export{n}.csv", SHOPIFY_HEADER, moved),
            settings=WorkspaceSettings(),
        )
        await check(db, workspace_id)
        async with db.sessions() as s:
            orders = [
                (o.customer_id, o.created_at)
                for o in (await s.execute(select(Order))).scalars()
                if o.customer_id is not None and o.status in VALID
            ]
            got = (await order_totals(s, Scope(workspace_id), d(2), d(4)))[2]
            got_churn = await churn_counts(s, Scope(workspace_id), d(2), d(3), d(4))
        assert got == len({c for c, t in orders if d(2) <= t < d(4)}), email
        active = {c for c, t in orders if d(2) <= t < d(3)}
        assert got_churn == (len(active), len(active - {c for c, t in orders if d(3) <= t < d(4)})), email


async def test_a_customers_total_is_money_to_the_cent(
    db: Database, workspace_id: int, tmp_path: Path
) -> None:
    """`customer_order_stats.value` is a NUMERIC money column like every other amount: on PostgreSQL a total
    is the exact sum of its orders (no binary float in between), and the stored column type says so."""
    from decimal import Decimal

    from sqlalchemy import inspect

    amounts = ["0.10", "0.20", "12.34", "19.99", "1234567.89"]  # added up as doubles: 1234600.5199999998
    sh = write_csv(
        tmp_path / "orders_export.csv",
        SHOPIFY_HEADER,
        [
            shopify_row(f"#{i}", "cent@example.com", "paid", a, f"2026-01-0{i} 10:00:00 +0800")
            for i, a in enumerate(amounts, start=1)
        ],
    )
    await import_file(db, workspace_id, sh, settings=WorkspaceSettings())
    async with db.engine.connect() as conn:
        column = await conn.run_sync(
            lambda c: {col["name"]: col["type"] for col in inspect(c).get_columns("customer_order_stats")}[
                "value"
            ]
        )
    assert "NUMERIC" in str(column).upper() or "DECIMAL" in str(column).upper(), column
    async with db.sessions() as s:
        value = (await s.execute(select(CustomerOrderStats.value))).scalar_one()
    want = sum(Decimal(a) for a in amounts)
    if db.engine.dialect.name == "postgresql":
        assert value == want and isinstance(value, Decimal)
    else:  # SQLite has no exact decimal storage; the amount is right to the cent
        assert Decimal(str(value)).quantize(Decimal("0.01")) == want
    # What RFM segments and scores read: the double nearest the exact total on both databases (SQLite's stored
    # double, a sum of doubles, can differ from it in the last bits), whether from the statistics or, as of a
    # past moment, from the orders.
    for end in (datetime(2027, 1, 1, tzinfo=UTC), datetime(2026, 1, 5, tzinfo=UTC)):
        async with db.sessions() as s:
            got = (await customer_summary(s, workspace_id, end))["value"].tolist()
        assert got == [float(want if end.year == 2027 else sum(Decimal(a) for a in amounts[:4]))], (end, got)


async def migrate_down_and_up(db: Database, revision: str) -> None:
    """Downgrade the database to `revision`, then upgrade it to the newest again (a migration's own fill)."""
    from alembic import command

    from storage.db import _alembic_config

    def _down_and_up(connection: Any) -> None:
        command.downgrade(_alembic_config(connection), revision)
        command.upgrade(_alembic_config(connection), "head")

    async with db.engine.begin() as conn:
        await conn.run_sync(_down_and_up)


async def _import_with_usd(
    db: Database, workspace_id: int, tmp_path: Path, rows: list[Any], usd: int
) -> None:
    """Import a Shopify export of `rows` whose file line `usd` (1: the first row) is in US dollars."""
    sh = write_csv(tmp_path / "orders_export.csv", SHOPIFY_HEADER, rows)
    file_rows = list(csv.reader(sh.open(encoding="utf-8")))
    file_rows[usd][SHOPIFY_HEADER.index("Currency")] = "USD"
    write_csv(sh, file_rows[0], file_rows[1:])
    await import_file(db, workspace_id, sh, settings=WorkspaceSettings())


async def test_the_order_products_migration_fills_the_rows_the_repository_writes(
    db: Database, workspace_id: int, tmp_path: Path
) -> None:
    """Migration 0020 creates order_products and fills it from the lines already imported: the same rows as
    refresh_order_stats writes (two products in one order, a refunded order, an order without a rate)."""
    rows = [
        shopify_row(
            "#1", "tan@example.com", "paid", "10.00", "2026-01-01 10:00:00 +0800", qty=2, price="5.00"
        ),
        shopify_row(
            "#1", "tan@example.com", "paid", "10.00", "2026-01-01 10:00:00 +0800", item="Toner", first=False
        ),
        shopify_row("#2", "wei@example.com", "refunded", "30.00", "2026-02-01 10:00:00 +0800", item="Mask"),
        shopify_row("#3", "lee@example.com", "paid", "20.00", "2026-01-02 10:00:00 +0800"),
    ]
    await _import_with_usd(db, workspace_id, tmp_path, rows, 4)  # #3: no rate for USD yet
    written = await stored_order_products(db, workspace_id)
    assert written == await order_products_truth(db, workspace_id)
    assert {k[1] for k in written} == {"SER", "TON", "MAS"} and None in {v[5] for v in written.values()}
    assert "returned" in {v[2] for v in written.values()}

    await migrate_down_and_up(db, "0019")
    assert await stored_order_products(db, workspace_id) == written


async def test_the_customer_country_migration_fills_every_order(
    db: Database, workspace_id: int, tmp_path: Path
) -> None:
    """Migration 0021 adds orders.customer_country and fills it as refresh_order_stats keeps it: a customer whose
    orders went to two countries has their latest valid order's on both."""
    rows = [
        shopify_row("#1", "tan@example.com", "paid", "10.00", "2026-01-01 10:00:00 +0800"),
        shopify_row("#2", "tan@example.com", "paid", "30.00", "2026-02-01 10:00:00 +0800", country="MY"),
        shopify_row("#3", "tan@example.com", "voided", "5.00", "2026-03-01 10:00:00 +0800", country="TH"),
        shopify_row("#4", "lee@example.com", "paid", "20.00", "2026-01-02 10:00:00 +0800", country="TH"),
    ]
    sh = write_csv(tmp_path / "orders_export.csv", SHOPIFY_HEADER, rows)
    await import_file(db, workspace_id, sh, settings=WorkspaceSettings())
    written = await order_countries(db, workspace_id)
    assert sorted(written.values()) == ["MY", "TH"]

    await migrate_down_and_up(db, "0020")
    assert await order_countries(db, workspace_id) == written


async def test_the_second_order_migration_fills_what_the_refresh_keeps(
    db: Database, workspace_id: int, tmp_path: Path
) -> None:
    """Migration 0025 adds customer_order_stats.second_order and fills it from the orders as
    refresh_order_stats keeps it: the second valid order (a cancelled one in between does not count; two in
    the same second are first and second), none with one."""
    rows = [
        shopify_row("#1", "tan@example.com", "paid", "10.00", "2026-01-01 10:00:00 +0800"),
        shopify_row("#2", "tan@example.com", "voided", "5.00", "2026-01-15 10:00:00 +0800"),
        shopify_row("#3", "tan@example.com", "paid", "30.00", "2026-02-01 10:00:00 +0800"),
        shopify_row("#4", "tan@example.com", "paid", "30.00", "2026-03-01 10:00:00 +0800"),
        shopify_row("#5", "lee@example.com", "paid", "20.00", "2026-01-02 10:00:00 +0800"),
        shopify_row("#6", "ong@example.com", "paid", "20.00", "2026-01-03 10:00:00 +0800"),
        shopify_row("#7", "ong@example.com", "paid", "25.00", "2026-01-03 10:00:00 +0800"),
    ]
    sh = write_csv(tmp_path / "orders_export.csv", SHOPIFY_HEADER, rows)
    await import_file(db, workspace_id, sh, settings=WorkspaceSettings())
    written = await stored_second_orders(db, workspace_id)
    assert written == await second_orders_truth(db, workspace_id)
    assert sorted(written.values(), key=lambda v: v or 0) == [
        None,
        int(datetime(2026, 1, 3, 2, tzinfo=UTC).timestamp()),
        int(datetime(2026, 2, 1, 2, tzinfo=UTC).timestamp()),
    ]

    await migrate_down_and_up(db, "0024")
    assert await stored_second_orders(db, workspace_id) == written


async def test_the_product_months_migration_sums_the_rows_the_repository_writes(
    db: Database, workspace_id: int, tmp_path: Path
) -> None:
    """Migration 0022 creates product_months and fills it from order_products: the same sums as
    refresh_order_stats keeps (two months, two products in one order, a refunded order, one without a rate)."""
    rows = [
        shopify_row(
            "#1", "tan@example.com", "paid", "10.00", "2026-01-31 10:00:00 +0800", qty=2, price="5.00"
        ),
        shopify_row(
            "#1", "tan@example.com", "paid", "10.00", "2026-01-31 10:00:00 +0800", item="Toner", first=False
        ),
        shopify_row("#2", "wei@example.com", "refunded", "30.00", "2026-02-01 10:00:00 +0800", item="Mask"),
        shopify_row("#3", "lee@example.com", "paid", "20.00", "2026-02-01 07:00:00 +0800"),
        shopify_row("#4", "kim@example.com", "paid", "20.00", "2026-02-02 10:00:00 +0800"),
    ]
    await _import_with_usd(db, workspace_id, tmp_path, rows, 4)  # #3: no rate for USD yet
    written = await stored_product_months(db, workspace_id)
    assert written == await product_months_truth(db, workspace_id)
    # #3 was placed on 1 February in Singapore, 31 January in UTC: the month is UTC's
    assert {(k[0], k[1].month, v[2], v[3]) for k, v in written.items() if k[0] == "SER"} == {
        ("SER", 1, 2, 1),
        ("SER", 2, 1, 0),
    }
    await migrate_down_and_up(db, "0021")
    assert await stored_product_months(db, workspace_id) == written
