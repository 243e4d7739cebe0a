"""Product answers (docs/metrics.md, "Products") against a direct computation of each definition: plain Python
over the same rows the test writes, on SQLite and PostgreSQL, in English and Chinese."""

from __future__ import annotations

import asyncio
import csv
import random
import statistics
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from itertools import pairwise
from pathlib import Path
from typing import NamedTuple
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select, update

from bot.settings import Settings
from crm.analytics.metrics import segments_by_customer
from crm.query.compiler import execute
from crm.query.ir import Filters, Period, ProductQuery
from storage.db import Database
from storage.models import Customer, Order, OrderLine, Product, Store
from storage.repositories.analytics import refresh_order_stats

pytestmark = pytest.mark.asyncio
SETTINGS = Settings()
TZ = ZoneInfo("Asia/Singapore")
AS_OF = datetime(2026, 12, 1, tzinfo=TZ)  # the end of 2026-11-30
VALID = ("paid", "shipped", "completed")
# sku (None: only a name), name, category in the catalogue (None: none), price
PRODUCTS = [
    ("SER-1", "Hydrating Serum", "Skincare", 30.0),
    ("SUN-2", "Sunscreen SPF50", "Skincare", 20.0),
    ("CAT-3", "Cat Treats", None, 10.0),
    (None, "Batik Scarf", None, 25.0),
    ("WAT-5", "Minimalist Watch", "Accessories", 80.0),
]
RATES = {"SGD": 1.0, "MYR": 0.3, "IDR": None}  # IDR: no rate, its orders stay unpriced


@dataclass
class Row:
    order: int
    customer: int
    country: str
    status: str
    currency: str
    created: datetime
    lines: list[tuple[str, str, int, float, float]] = field(
        default_factory=list
    )  # key, name, qty, price, disc


def _data(seed: int = 3) -> list[Row]:
    rng = random.Random(seed)
    rows: list[Row] = []
    oid = 0
    for customer in range(1, 41):
        country = "TH" if customer % 3 == 0 else "SG"
        currency = "IDR" if customer == 7 else ("MYR" if customer % 5 == 0 else "SGD")
        start = datetime(2026, 5, 1, 10, tzinfo=UTC) + timedelta(days=rng.randint(0, 60))
        every = rng.choice([20, 30, 45])
        for k in range(rng.randint(1, 5)):
            oid += 1
            status = rng.choices(["completed", "shipped", "returned", "cancelled"], [6, 2, 1, 1])[0]
            # a quarter of the customers order at 17:00 UTC, 01:00 the next day in Singapore: some on the first of
            # a local month while still in the last day of the UTC month (the monthly sums' edge)
            late = timedelta(hours=7) if customer % 4 == 1 else timedelta(0)
            row = Row(oid, customer, country, status, currency, start + timedelta(days=k * every) + late)
            picks = rng.sample(PRODUCTS, rng.randint(1, 3))
            if customer % 4 == 0 and PRODUCTS[0] not in picks:
                picks.append(PRODUCTS[0])
                picks.append(PRODUCTS[1]) if PRODUCTS[1] not in picks else None
            for sku, name, _, price in picks:
                key = sku if sku else "name:" + name.lower()
                row.lines.append((key, name, rng.randint(1, 3), price, rng.choice([0.0, 0.0, 2.0])))
            rows.append(row)
    return rows


async def _write(db: Database, workspace_id: int, rows: list[Row]) -> None:
    async with db.sessions() as s:
        store = Store(workspace_id=workspace_id, platform="shopee", name="shop", country="SG")
        s.add(store)
        for sku, name, category, _ in PRODUCTS:
            if sku:
                s.add(Product(workspace_id=workspace_id, sku=sku, name=name, category=category))
        customers = {}
        for r in rows:
            if r.customer not in customers:
                customers[r.customer] = Customer(
                    workspace_id=workspace_id, display_name=f"Buyer {r.customer}", country=r.country
                )
                s.add(customers[r.customer])
        await s.flush()
        for r in rows:
            total = sum(q * p - d for _, _, q, p, d in r.lines) + 3.0  # shipping is not a product's
            rate = RATES[r.currency]
            o = Order(
                workspace_id=workspace_id,
                store_id=store.id,
                platform="shopee",
                platform_order_id=f"O{r.order}",
                customer_id=customers[r.customer].id,
                status=r.status,
                currency=r.currency,
                order_value=Decimal(str(total)),
                value_base=None if rate is None else Decimal(str(round(total * rate, 4))),
                country=r.country,
                created_at=r.created,
            )
            s.add(o)
            await s.flush()
            for i, (key, name, qty, price, disc) in enumerate(r.lines, start=1):
                sku = None if key.startswith("name:") else key
                s.add(
                    OrderLine(
                        order_id=o.id,
                        line_no=i,
                        sku=sku,
                        product_name=name,
                        quantity=qty,
                        unit_price=Decimal(str(price)),
                        line_discount=Decimal(str(disc)),
                    )
                )
            r.customer = customers[r.customer].id  # the database's id from here on
        await s.flush()
        await refresh_order_stats(s, workspace_id=workspace_id)
        await s.commit()


def _rate(r: Row) -> float | None:
    rate = RATES[r.currency]
    if rate is None:
        return None
    total = sum(q * p - d for _, _, q, p, d in r.lines) + 3.0
    return round(total * rate, 4) / total  # the order's rate: its base value over its value


async def _ask(db: Database, workspace_id: int, q: ProductQuery, language: str = "en"):  # type: ignore[no-untyped-def]
    return await execute(
        q, db=db, workspace_id=workspace_id, settings=SETTINGS, as_of=AS_OF, language=language
    )


class Shop(NamedTuple):
    db: Database
    workspace_id: int
    rows: list[Row]  # with the database's customer ids


async def _seed(db: Database, workspace_id: int, _folder: Path) -> list[Row]:
    rows = _data()
    await _write(db, workspace_id, rows)
    return rows


@pytest.fixture
async def shop(prepared) -> Shop:  # type: ignore[no-untyped-def]
    """The shop of _data(), written once per test session and backend: each test reads its own copy."""
    return Shop(*(await prepared("products", _seed)))


def _in(r: Row, start: datetime | None, end: datetime) -> bool:
    return (start is None or r.created >= start) and r.created < end


# Periods of whole UTC months and of parts of months at either end (a best-seller list without buyers reads its
# whole months from product_months and the rest from order_products), and of no whole month.
BEST_PERIODS = [
    Period(kind="all_time"),
    Period(kind="this_year"),
    Period(kind="range", start=date(2026, 6, 17), end=date(2026, 9, 3)),
    # local months: each starts 8 hours before its UTC month; an order in those hours of 1 June
    Period(kind="range", start=date(2026, 7, 1), end=date(2026, 9, 1)),
    Period(kind="range", start=date(2026, 6, 1), end=date(2026, 8, 1)),
    Period(kind="range", start=date(2026, 7, 3), end=date(2026, 7, 29)),
]


@pytest.mark.parametrize("period", BEST_PERIODS, ids=lambda p: f"{p.kind}-{p.start}")
async def test_best_sellers_by_units_revenue_and_buyers_follow_the_definition(
    shop: Shop, period: Period
) -> None:
    db, workspace_id, seeded = shop
    start, end = period.bounds(AS_OF, TZ)
    units: dict[str, int] = defaultdict(int)
    revenue: dict[str, float] = defaultdict(float)
    buyers: dict[str, set[int]] = defaultdict(set)
    orders: dict[str, int] = defaultdict(int)
    names: dict[str, str] = {}
    for r in seeded:
        if r.status not in VALID or not _in(r, start, end):
            continue
        rate = _rate(r)
        for key, name, qty, price, disc in r.lines:
            names[key] = name
            units[key] += qty
            revenue[key] += 0.0 if rate is None else (qty * price - disc) * rate
            buyers[key].add(r.customer)
        for key in {k for k, *_ in r.lines}:
            orders[key] += 1
    for by in ("units", "revenue", "buyers"):
        measure = {"units": units, "revenue": revenue, "buyers": {k: len(v) for k, v in buyers.items()}}[by]
        expected = sorted(names, key=lambda k: (-measure[k], -round(revenue[k], 2), names[k].lower()))[:3]
        result = await _ask(db, workspace_id, ProductQuery(kind="best", by=by, n=3, period=period))  # type: ignore[arg-type]
        assert [r[0] for r in result.rows] == [names[k] for k in expected], by
        for row, key in zip(result.rows, expected, strict=True):
            assert row[1] == units[key]
            assert row[2] == pytest.approx(round(revenue[key], 2), abs=0.01)
            assert row[3] == len(buyers[key])
            assert row[4] == orders[key]
        assert result.chart is not None and result.chart.kind == "hbar"
        unpriced = any(r.currency == "IDR" and r.status in VALID and _in(r, start, end) for r in seeded)
        assert ("IDR" in result.text) is unpriced  # the unpriced orders are said, not counted as 0
    zh = await _ask(db, workspace_id, ProductQuery(kind="best", period=period), "zh")
    assert zh.text.startswith("全部时间") or "畅销商品" in zh.text
    # the shop sells on Shopee only: on Lazada nothing, also from the monthly sums
    for by in ("units", "buyers"):  # from the monthly sums, and from the rows
        lazada = ProductQuery(kind="best", by=by, period=period, filters=Filters(platform="lazada"))  # type: ignore[arg-type]
        assert (await _ask(db, workspace_id, lazada)).rows == []
    # of Thai customers on Shopee (rows chosen by customer and platform, read from the month blocks)
    thai = [r for r in seeded if r.country == "TH"]
    for by in ("units", "buyers"):
        q = ProductQuery(
            kind="best", by=by, n=5, period=period, filters=Filters(country="TH", platform="shopee")
        )  # type: ignore[arg-type]
        got = {row[0]: row[1:5] for row in (await _ask(db, workspace_id, q)).rows}
        want = _sales(thai, start, end)
        top = sorted(
            want, key=lambda k: (-want[k][0 if by == "units" else 2], -round(want[k][1], 2), k.lower())
        )
        assert list(got) == top[:5], by
        for name, (n_units, revenue, n_buyers, n_orders) in got.items():
            assert (n_units, n_buyers, n_orders) == (want[name][0], want[name][2], want[name][3])
            assert revenue == pytest.approx(round(want[name][1], 2), abs=0.01)


def _sales(rows: list[Row], start: datetime | None, end: datetime) -> dict[str, tuple[int, float, int, int]]:
    """Per product name: units, revenue, buyers, orders of the valid orders among `rows` in [start, end)."""
    units: dict[str, int] = defaultdict(int)
    revenue: dict[str, float] = defaultdict(float)
    buyers: dict[str, set[int]] = defaultdict(set)
    orders: dict[str, int] = defaultdict(int)
    for r in rows:
        if r.status not in VALID or not _in(r, start, end):
            continue
        rate = _rate(r)
        for _, name, qty, price, disc in r.lines:
            units[name] += qty
            revenue[name] += 0.0 if rate is None else (qty * price - disc) * rate
            buyers[name].add(r.customer)
        for name in {n for _, n, *_ in r.lines}:
            orders[name] += 1
    return {k: (units[k], revenue[k], len(buyers[k]), orders[k]) for k in units}


async def test_category_preference_by_country_and_a_country_alone(shop: Shop) -> None:
    db, workspace_id, seeded = shop
    catalogue = {sku: cat for sku, _, cat, _ in PRODUCTS if sku}
    value: dict[tuple[str, str], float] = defaultdict(float)
    buyers: dict[tuple[str, str], set[int]] = defaultdict(set)
    members: dict[str, set[int]] = defaultdict(set)
    for r in seeded:
        rate = _rate(r)
        if r.status not in VALID or rate is None:
            continue
        for key, name, qty, price, disc in r.lines:
            cat = catalogue.get(key) or name
            value[(r.country, cat)] += (qty * price - disc) * rate
            buyers[(r.country, cat)].add(r.customer)
            members[r.country].add(r.customer)
    result = await _ask(
        db,
        workspace_id,
        ProductQuery(kind="mix", filters=Filters(country="TH"), period=Period(kind="all_time")),
    )
    th_total = sum(v for (c, _), v in value.items() if c == "TH")
    expected = sorted(
        ((cat, v / th_total) for (c, cat), v in value.items() if c == "TH"), key=lambda x: -x[1]
    )
    assert [(r[0], r[1]) for r in result.rows] == [(c, pytest.approx(s, abs=1e-4)) for c, s in expected]
    assert "few orders" in result.text  # fewer than 30 Thai customers
    by_country = await _ask(
        db, workspace_id, ProductQuery(kind="mix", group_by="country", period=Period(kind="all_time")), "zh"
    )
    groups = {r[0] for r in by_country.rows}
    assert groups == {"泰国", "新加坡"}
    # every cell: the category's share and amount of the country's value, its buyers, the country's customers
    total = {c: sum(v for (k, _), v in value.items() if k == c) for c in members}
    want = sorted(
        (
            {"SG": "新加坡", "TH": "泰国"}[c],
            cat,
            pytest.approx(v / total[c], abs=1e-4),
            pytest.approx(v, abs=0.01),
            len(buyers[(c, cat)]),
            len(members[c]),
        )
        for (c, cat), v in value.items()
    )
    assert sorted(tuple(r[:6]) for r in by_country.rows) == want
    assert "订单少" in by_country.text or any("订单少" in str(r[-1]) for r in by_country.rows)


async def test_bought_together_support_confidence_and_lift(shop: Shop) -> None:
    db, workspace_id, seeded = shop
    baskets = [{k for k, *_ in r.lines} for r in seeded if r.status in VALID and r.lines]
    n = len(baskets)
    names = {k: nm for r in seeded for k, nm, *_ in r.lines}
    count: dict[str, int] = defaultdict(int)
    for b in baskets:
        for k in b:
            count[k] += 1
    expected = []
    keys = sorted(count)
    for i, a in enumerate(keys):
        for b in keys[i + 1 :]:
            both = sum(1 for x in baskets if a in x and b in x)
            if both >= 5:
                lift = (both / count[a]) / (count[b] / n)
                expected.append((names[a], names[b], both, both / n, both / count[a], lift))
    expected.sort(key=lambda e: (-round(e[5], 9), -e[3], e[0].lower(), e[1].lower()))
    result = await _ask(db, workspace_id, ProductQuery(kind="together", period=Period(kind="all_time")))
    assert result.value == n
    assert len(result.rows) == len(expected) > 0
    for row, e in zip(result.rows, expected, strict=True):
        assert {row[0], row[1]} == {e[0], e[1]}
        assert row[2] == e[2]
        assert row[3] == pytest.approx(e[3], abs=1e-4)
        assert row[6] == pytest.approx(e[5], abs=0.01)
        # a pair rests on the orders holding both: below the workspace's minimum it is marked, as every table is
        assert row[7] == (f"few orders (n={e[2]})" if e[2] < 30 else "")
    assert any(row[7] for row in result.rows) and "few orders" in result.text
    none = await _ask(db, workspace_id, ProductQuery(kind="together", min_orders=10_000), "zh")
    assert none.rows == [] and "没有两件商品" in none.text


async def test_replenishment_cycle_and_customers_due(shop: Shop) -> None:
    db, workspace_id, seeded = shop
    days: dict[int, list[date]] = defaultdict(list)
    for r in seeded:
        if r.status in VALID and any(k == "SER-1" for k, *_ in r.lines):
            days[r.customer].append(r.created.astimezone(TZ).date())
    gaps = []
    repeaters = 0
    for ds in days.values():
        ds.sort()
        if len(ds) >= 2:
            repeaters += 1
            gaps += [(b - a).days for a, b in pairwise(ds)]
    cycle = statistics.median(gaps)
    today = date(2026, 11, 30)
    due = {
        c
        for c, ds in days.items()
        if (today - ds[-1]).days + 6 >= cycle and (today - ds[-1]).days < 2 * cycle
    }
    result = await _ask(db, workspace_id, ProductQuery(kind="reorder", product="hydrating"))
    assert repeaters >= 5
    assert result.value == pytest.approx(cycle)
    assert {r[1] for r in result.rows} == due
    assert f"{repeaters} customers" in result.text
    if due:
        assert any("replenishment" in s for s in result.suggestions)
        assert any(s.startswith("remind me") for s in result.suggestions)
    zh = await _ask(db, workspace_id, ProductQuery(kind="reorder", product="hydrating"), "zh")
    assert "回购周期" in zh.text
    unknown = await _ask(db, workspace_id, ProductQuery(kind="reorder", product="no such thing"))
    assert "No product matches" in unknown.text


async def test_every_products_cycle_and_customers_due_follow_the_definition(shop: Shop) -> None:
    """Without a product named: each product's cycle, repeat customers and customers due, all at once."""
    db, workspace_id, seeded = shop
    days: dict[tuple[str, int], list[date]] = defaultdict(list)
    names: dict[str, str] = {}
    for r in seeded:
        if r.status in VALID:
            for key in {k for k, *_ in r.lines}:
                days[(key, r.customer)].append(r.created.astimezone(TZ).date())
                names[key] = next(n for k, n, *_ in r.lines if k == key)
    today = date(2026, 11, 30)
    want = []
    for key, name in names.items():
        runs = [sorted(ds) for (k, _), ds in days.items() if k == key]
        gaps = [(b - a).days for ds in runs for a, b in pairwise(ds)]
        repeaters = sum(1 for ds in runs if len(ds) >= 2)
        if repeaters < 5:
            continue
        cycle = statistics.median(gaps)
        due = sum(
            1 for ds in runs if (today - ds[-1]).days + 6 >= cycle and (today - ds[-1]).days < 2 * cycle
        )
        want.append((name, pytest.approx(cycle), repeaters, due))
    assert len(want) >= 3
    result = await _ask(db, workspace_id, ProductQuery(kind="reorder", n=20))
    got = sorted((r[0], r[1], r[2], r[3]) for r in result.rows)
    assert got == sorted(want, key=lambda w: w[0])
    # fewer shown than there are: the heading says how many there are (it said "2 products with ...")
    two = await _ask(db, workspace_id, ProductQuery(kind="reorder", n=2))
    assert len(two.rows) == 2 and f"top 2 of {len(want)} products" in two.text
    # the customers column counts repeat customers only; its header says so
    assert two.headers()[2] == "repeat customers"
    zh = await _ask(db, workspace_id, ProductQuery(kind="reorder", n=2), "zh")
    assert f"{len(want)} 个至少有 5 位回购客户的商品中的前 2 个" in zh.text


@pytest.mark.parametrize("period", BEST_PERIODS, ids=lambda p: f"{p.kind}-{p.start}")
async def test_return_rate_by_product(shop: Shop, period: Period) -> None:
    db, workspace_id, seeded = shop
    start, end = period.bounds(AS_OF, TZ)
    returned: dict[str, int] = defaultdict(int)
    orders: dict[str, int] = defaultdict(int)
    names = {}
    for r in seeded:
        if r.status not in (*VALID, "returned") or not _in(r, start, end):
            continue
        for k, nm, *_ in {(k, nm) for k, nm, *_ in r.lines}:
            names[k] = nm
            orders[k] += 1
            returned[k] += r.status == "returned"
    result = await _ask(db, workspace_id, ProductQuery(kind="returns", period=period))
    got = {r[0]: (r[1], r[2], r[3]) for r in result.rows}
    assert len(got) == len(names)
    for k, nm in names.items():
        assert got[nm] == (returned[k], orders[k], pytest.approx(round(returned[k] / orders[k], 4)))


async def test_what_lapsed_valuable_customers_bought(shop: Shop) -> None:
    db, workspace_id, seeded = shop
    result = await _ask(db, workspace_id, ProductQuery(kind="winback"))
    assert result.columns[:4] == ["product", "units", "revenue", "buyers"]
    buyers = [r[3] for r in result.rows]
    assert buyers == sorted(buyers, reverse=True)
    assert "important winback" in result.text.lower() or "lapsed" in result.text
    # against the definition: every valid order of all time of the customers in those two segments
    async with db.sessions() as s:
        segments = await segments_by_customer(db, s, workspace_id, AS_OF, TZ)
    chosen = {c for c, seg in segments.items() if seg in ("important_winback", "important_keep")}
    assert chosen  # the data has such customers
    want = _sales([r for r in seeded if r.customer in chosen], None, AS_OF)
    top = sorted(want, key=lambda k: (-want[k][2], -round(want[k][1], 2), k.lower()))
    assert [r[0] for r in result.rows] == top[: len(result.rows)]
    for row in result.rows:
        assert (row[1], row[3], row[4]) == (want[row[0]][0], want[row[0]][2], want[row[0]][3])
        assert row[2] == pytest.approx(round(want[row[0]][1], 2), abs=0.01)


async def test_an_empty_period_says_so(shop: Shop) -> None:
    db, workspace_id, _ = shop
    empty = Period(kind="year", year=2020)
    for kind, words in [
        ("best", "No products sold"),
        ("mix", "No priced product lines"),
        ("together", "No two products"),
        ("returns", "No valid or returned orders"),
    ]:
        result = await _ask(db, workspace_id, ProductQuery(kind=kind, period=empty))  # type: ignore[arg-type]
        assert result.rows == [] and words in result.text, kind
        assert result.chart is None
    zh = await _ask(db, workspace_id, ProductQuery(kind="best", period=empty), "zh")
    assert "没有售出商品" in zh.text


async def test_a_tiktok_export_names_its_products_categories(
    db: Database, workspace_id: int, demo_exports: dict[str, Path]
) -> None:
    """TikTok Shop's orders export has a Product Category column: the import fills the catalogue's category,
    which category preference then groups by; platforms whose exports have none leave it empty."""
    from crm.importing.demo import CATALOGUE
    from crm.importing.service import import_file
    from crm.settings import ImportSettings

    settings = ImportSettings(base_currency="SGD", timezone="Asia/Singapore")
    for name in ("orders_export.csv", "tiktok-sg-orders.csv"):  # Shopify (no category), then TikTok Shop
        await import_file(db, workspace_id, demo_exports[name], settings=settings)
    async with db.sessions() as s:
        categories = dict((await s.execute(select(Product.sku, Product.category))).all())
    expected = {sku: category for sku, _, category, _, _ in CATALOGUE}
    named = {sku: c for sku, c in categories.items() if c is not None}
    assert named and all(expected[sku] == c for sku, c in named.items())
    with demo_exports["tiktok-sg-orders.csv"].open(encoding="utf-8-sig") as fh:
        on_tiktok = {row["Seller SKU"].strip() for row in csv.DictReader(fh) if row.get("Seller SKU")}
    assert set(named) == on_tiktok & set(categories)  # every product TikTok sold has one, no other


@pytest.mark.parametrize("language", ["en", "zh"])
async def test_small_sample_mark_follows_the_workspace_min_sample(shop: Shop, language: str) -> None:
    """The product answers mark a figure by the product-wide rule (crm.analytics.samples) with the workspace's
    `min_sample`, not a threshold of their own: at exactly min_sample no mark, one below it the mark."""
    db, workspace_id, seeded = shop
    th_customers = len(
        {
            r.customer
            for r in seeded
            if r.country == "TH" and r.status in VALID and r.lines and _rate(r) is not None
        }
    )
    orders = len([r for r in seeded if r.status in VALID and r.lines])
    mark = "订单少" if language == "zh" else "few orders"
    for min_sample, small in ((th_customers, False), (th_customers + 1, True)):
        settings = Settings(workspace={"min_sample": min_sample})
        mix = await execute(
            ProductQuery(kind="mix", filters=Filters(country="TH"), period=Period(kind="all_time")),
            db=db,
            workspace_id=workspace_id,
            settings=settings,
            as_of=AS_OF,
            language=language,
        )
        assert mix.rows and all(r[4] == th_customers for r in mix.rows)
        assert all((mark in r[5]) is small for r in mix.rows)
        assert (mark in mix.text) is small
        if small:
            assert str(min_sample) in mix.text  # the note says the threshold it applied
    for min_sample, small in ((orders, False), (orders + 1, True)):
        together = await execute(
            ProductQuery(kind="together", period=Period(kind="all_time")),
            db=db,
            workspace_id=workspace_id,
            settings=Settings(workspace={"min_sample": min_sample}),
            as_of=AS_OF,
            language=language,
        )
        assert together.value == orders
        warned = "⚠️" in together.text
        assert warned is small
        if small:
            assert f"{orders:,}" in together.text


async def test_local_days_are_the_calendar_days_of_the_zone_also_across_daylight_saving() -> None:
    """crm.analytics.metrics.local_days looks a zone's offset up at each UTC midnight and bisects the days it
    changes in: the same days as converting each moment, in a zone without daylight saving, ones with it, and
    one with half-hour offsets."""
    import numpy as np

    from crm.analytics.metrics import local_days

    rng = np.random.default_rng(7)
    start = int(datetime(2025, 1, 1, tzinfo=UTC).timestamp())
    moments = rng.integers(start, start + 2 * 365 * 86400, size=5000)
    # and the moments either side of London's and Adelaide's 2026 changes
    edges = [datetime(2026, 3, 29, 1, tzinfo=UTC), datetime(2026, 10, 25, 1, tzinfo=UTC)]
    edges += [datetime(2026, 4, 4, 16, 30, tzinfo=UTC), datetime(2026, 10, 3, 16, 30, tzinfo=UTC)]
    near = [int(e.timestamp()) + k for e in edges for k in (-3601, -1, 0, 1, 3599)]
    at = np.concatenate((moments, np.array(near, dtype=np.int64)))
    for name in ("Asia/Singapore", "Europe/London", "Australia/Adelaide", "America/New_York"):
        tz = ZoneInfo(name)
        epoch = date(1970, 1, 1)
        want = [(datetime.fromtimestamp(int(t), tz).date() - epoch).days for t in at.tolist()]
        assert local_days(at, tz).tolist() == want, name
    # every second around changes: of whole seconds off the quarter hour (Monrovia, -0:44:30 until 1972), to a
    # 0:45 offset, and at local midnight (Santiago: the second of the change is a day earlier than the one before)
    for name, change in (
        ("Africa/Monrovia", datetime(1972, 1, 7, 0, 45)),
        ("Asia/Kathmandu", datetime(1985, 12, 31, 18, 30)),
        ("America/Santiago", datetime(2025, 4, 6, 3)),
        ("America/Santiago", datetime(2025, 9, 7, 4)),
    ):
        tz, t = ZoneInfo(name), int(change.replace(tzinfo=UTC).timestamp())
        at = np.concatenate(
            (
                np.arange(t - 7200, t + 7200, dtype=np.int64),
                rng.integers(t - 86400 * 400, t + 86400 * 400, size=2000),
            )
        )
        want = [(datetime.fromtimestamp(int(x), tz).date() - date(1970, 1, 1)).days for x in at.tolist()]
        assert local_days(at, tz).tolist() == want, name


async def test_a_definition_ending_in_a_full_stop_is_not_ended_twice(shop: Shop) -> None:
    """The "why" of an answer puts its definition in a sentence of its own: a definition written with its own
    full stop read "Ties: revenue, then name.." (found trying the product)."""
    db, workspace_id, _ = shop
    for lang in ("en", "zh"):
        r = await _ask(db, workspace_id, ProductQuery(kind="best", by="units"), lang)
        assert r.explanation and ".." not in r.explanation and "。。" not in r.explanation
        assert r.explanation.splitlines()[0].endswith(("name.", "名称。", "。"))


async def test_two_products_sharing_a_name_are_told_apart_by_their_sku(
    db: Database, workspace_id: int
) -> None:
    """Variants with a SKU each and one name (a watch in two colours) were two rows both reading the name."""
    rows = _data()
    when = datetime(2026, 11, 10, 10, tzinfo=UTC)
    rows.append(Row(9001, 1, "SG", "completed", "SGD", when, [("WAT-6", "Minimalist Watch", 1, 80.0, 0.0)]))
    await _write(db, workspace_id, rows)
    for kind in ("best", "returns"):
        result = await _ask(db, workspace_id, ProductQuery(kind=kind, n=20, period=Period(kind="all_time")))
        labels = [r[0] for r in result.rows]
        assert "Minimalist Watch (WAT-5)" in labels and "Minimalist Watch (WAT-6)" in labels, kind
        assert "Minimalist Watch" not in labels and "Hydrating Serum" in labels, kind


async def test_amount_columns_say_their_currency(shop: Shop) -> None:
    """A revenue or value column said no currency (a trial: "no currency anywhere"), in the table and the CSV."""
    db, workspace_id, _ = shop
    from bot.render import result_table

    best = await _ask(db, workspace_id, ProductQuery(kind="best", by="units"))
    assert "revenue (SGD)" in result_table(best) and best.headers()[2] == "revenue (SGD)"
    mix = await _ask(db, workspace_id, ProductQuery(kind="mix"), "zh")
    assert "金额（SGD）" in mix.headers() and "值" not in mix.headers()
    # a count stays a count
    assert best.headers()[1] == "units" and "SGD" not in best.headers()[3]


async def test_rows_sorted_by_a_packed_key_and_by_lexsort_agree() -> None:
    """crm.analytics.products.sort_rows packs rows into one int64 key where their ranges fit, else uses
    np.lexsort: both give the rows in the order of np.lexsort, negative values and ties included."""
    import numpy as np

    from crm.analytics.products import sort_rows

    rng = np.random.default_rng(5)
    for top in (800, 2**60):  # fits; does not fit (50 x 300 x 2**61)
        a = rng.integers(0, 50, 20_000)
        b = rng.integers(-5, top, 20_000) % 300  # many ties in the first two columns
        c = rng.integers(-top, top, 20_000)
        order = np.lexsort((c, b, a))
        got = sort_rows(a, b, c)
        assert [g.tolist() for g in got] == [a[order].tolist(), b[order].tolist(), c[order].tolist()], top


async def test_category_amounts_keep_their_cents_when_amounts_are_huge(
    db: Database, workspace_id: int
) -> None:
    """Category shares read values with 15 significant digits unless that could cost a hundredth of a cent:
    amounts of 1.2e13 (16 digits) must be read again exactly, and the amount keeps its cents."""
    big = 12345678901234.56
    at = datetime(2026, 8, 1, 10, tzinfo=UTC)
    rows = [
        Row(
            i,
            i,
            "SG",
            "completed",
            "SGD",
            at + timedelta(days=i),
            [("SER-1", "Hydrating Serum", 1, big, 0.0)],
        )
        for i in (1, 2, 3)
    ]
    rows.append(Row(4, 4, "SG", "completed", "SGD", at, [("WAT-5", "Minimalist Watch", 1, 80.0, 0.0)]))
    await _write(db, workspace_id, rows)
    mix = await _ask(db, workspace_id, ProductQuery(kind="mix", period=Period(kind="all_time")))
    amounts = {r[0]: r[2] for r in mix.rows}
    assert amounts == {"Skincare": round(big + big + big, 2), "Accessories": 80.0}


async def test_category_values_are_the_stored_values_exactly(shop: Shop) -> None:
    """The category preference folds the doubles stored, not their 15-digit text: 0.9450000000000002 read as
    0.945 rounds to 0.94 where the stored value rounds to 0.95."""
    db, workspace_id, _ = shop
    from storage.models import OrderProduct
    from storage.repositories.analytics import Scope
    from storage.repositories.products import category_rows

    async with db.sessions() as s:
        stored = sorted(
            v
            for (v,) in await s.execute(
                select(OrderProduct.value).where(
                    OrderProduct.workspace_id == workspace_id,
                    OrderProduct.status.in_(VALID),
                    OrderProduct.value.is_not(None),
                )
            )
        )
        rows, _ = await category_rows(s, Scope(workspace_id), None, AS_OF)
    assert any(float(f"{v:.15g}") != v for v in stored)  # values 15 digits do not carry
    assert sorted(rows.columns[1].tolist()) == stored


async def test_category_preference_by_country_without_any_country_is_empty(
    db: Database, workspace_id: int
) -> None:
    at = datetime(2026, 8, 1, 10, tzinfo=UTC)
    await _write(
        db,
        workspace_id,
        [Row(1, 1, "", "completed", "SGD", at, [("SER-1", "Hydrating Serum", 1, 30.0, 0.0)])],
    )
    async with db.sessions() as s:
        for c in (await s.execute(select(Customer))).scalars():
            c.country = None
        await s.commit()
    for lang in ("en", "zh"):
        r = await _ask(
            db,
            workspace_id,
            ProductQuery(kind="mix", group_by="country", period=Period(kind="all_time")),
            lang,
        )
        assert r.rows == [] and r.text


async def test_a_product_named_in_one_part_of_a_period_keeps_its_name(
    db: Database, workspace_id: int
) -> None:
    """A SKU whose lines have no name in July and a name in late August: best sellers of 1 July to 25 August
    (whole July from the monthly sums, August's days from the rows) name it as over all the rows."""
    rows = [
        Row(
            1,
            1,
            "SG",
            "completed",
            "SGD",
            datetime(2026, 7, 10, 10, tzinfo=UTC),
            [("ZZ-9", None, 1, 5.0, 0.0)],
        ),  # type: ignore[list-item]
        Row(
            2,
            2,
            "SG",
            "completed",
            "SGD",
            datetime(2026, 8, 20, 10, tzinfo=UTC),
            [("ZZ-9", "Blue mug", 1, 5.0, 0.0)],
        ),
    ]
    await _write(db, workspace_id, rows)
    for start in (date(2026, 7, 1), date(2026, 7, 3)):
        period = Period(kind="range", start=start, end=date(2026, 8, 26))
        for kind in ("best", "returns"):
            r = await _ask(db, workspace_id, ProductQuery(kind=kind, period=period))  # type: ignore[arg-type]
            assert [row[0] for row in r.rows] == ["Blue mug"], (kind, start)


async def test_a_sku_sold_under_its_variants_names_is_shown_with_the_name_they_share(
    db: Database, workspace_id: int
) -> None:
    """Found in a Telegram trial: a SKU whose lines say "Cushion Foundation" and, on one platform, "Cushion
    Foundation - #25 Tan" was shown as the Tan variant for all its units. It is shown with the name its
    variants share, on every path (monthly sums and edge days, the month blocks); names that share no word
    keep the largest, as before."""

    def row(n: int, day: datetime, items: list[tuple[str, str, int, float, float]]) -> Row:
        return Row(n, n, "SG", "completed", "SGD", day, items)

    rows = [
        row(1, datetime(2026, 7, 10, 10, tzinfo=UTC), [("MKP-102", "Cushion Foundation", 3, 5.0, 0.0)]),
        row(
            2,
            datetime(2026, 8, 20, 10, tzinfo=UTC),
            [("MKP-102", "Cushion Foundation - #25 Tan", 1, 5.0, 0.0)],
        ),
        row(3, datetime(2026, 8, 21, 10, tzinfo=UTC), [("MUG-1", "Blue mug", 1, 4.0, 0.0)]),
        row(4, datetime(2026, 8, 22, 10, tzinfo=UTC), [("MUG-1", "Red mug", 1, 4.0, 0.0)]),
    ]
    for r in rows[1:3]:
        r.lines.append(("MKP-102", "Cushion Foundation", 1, 5.0, 0.0))  # both in one order: pairs
    await _write(db, workspace_id, rows)
    want = {"Cushion Foundation", "Red mug"}
    for start in (
        date(2026, 7, 1),
        date(2026, 7, 3),
    ):  # whole July from the sums, and July's days from the rows
        period = Period(kind="range", start=start, end=date(2026, 8, 26))
        for q in (
            ProductQuery(kind="best", period=period),
            ProductQuery(kind="best", by="buyers", period=period),  # the month blocks
            ProductQuery(kind="returns", period=period),
        ):
            got = {row[0] for row in (await _ask(db, workspace_id, q)).rows}
            assert got == want, (q.kind, q.by, start, got)
    mix = await _ask(db, workspace_id, ProductQuery(kind="mix", period=Period(kind="all_time")))
    assert {row[0] for row in mix.rows} == want, mix.rows


async def test_a_month_block_built_before_a_change_is_never_stored(shop: Shop) -> None:
    """A reader packs a month from the rows it read; if a writer changes that month meanwhile (its generation
    moves on), the stale block is dropped, not stored, and the next reader packs the new rows."""
    db, workspace_id, seeded = shop
    from storage.models import ProductBlock
    from storage.repositories.product_blocks import _store, build_blocks, invalidate_months, read_blocks

    month = datetime(2026, 6, 1, tzinfo=UTC)
    async with db.sessions() as s:
        generation = await s.scalar(select(ProductBlock.generation).where(ProductBlock.month == month))
        stale = (await build_blocks(s, workspace_id, [month]))[month]
    assert generation is not None and len(stale)
    async with db.sessions() as s:  # a writer changes June
        await invalidate_months(s, [(workspace_id, month)])
        await s.commit()
    async with db.sessions() as s:
        await _store(s, workspace_id, [(stale, generation)])
        assert await s.scalar(select(ProductBlock.data).where(ProductBlock.month == month)) is None
        await _store(s, workspace_id, [(stale, generation + 1)])  # the current generation: stored
        assert await s.scalar(select(ProductBlock.data).where(ProductBlock.month == month)) is not None
    # a reader whose own transaction wrote customer data stores nothing: what it read is not committed
    async with db.sessions() as s:
        await invalidate_months(s, [(workspace_id, month)])
        await s.commit()
    async with db.sessions() as s:
        await s.execute(update(Customer).where(Customer.id == seeded[0].customer).values(note="x"))
        blocks = await read_blocks(s, workspace_id, month, datetime(2026, 7, 1, tzinfo=UTC))
        assert sum(len(b) for b in blocks) == len(stale)
        await s.rollback()
    async with db.sessions() as s:
        assert await s.scalar(select(ProductBlock.data).where(ProductBlock.month == month)) is None


async def test_a_reader_does_not_wait_for_a_writer_to_store_blocks(shop: Shop) -> None:
    """While another transaction holds the month blocks (SQLite: the write lock; PostgreSQL: their rows), a
    product question still answers at once from the rows: the blocks are not stored, the lock not waited for
    (SQLite's busy timeout here is 30 s; PostgreSQL would wait without end)."""
    import time

    db, workspace_id, _ = shop

    from sqlalchemy import text

    from storage.models import ProductBlock

    async with db.sessions() as s:
        await s.execute(update(ProductBlock).values(data=None, header=None))
        await s.commit()
    async with db.engine.connect() as other:
        if db.dialect == "sqlite":
            await other.exec_driver_sql("BEGIN IMMEDIATE")
        else:
            await other.execute(text("SELECT month FROM product_blocks FOR UPDATE"))
        began = time.monotonic()
        result = await asyncio.wait_for(
            _ask(db, workspace_id, ProductQuery(kind="together", min_orders=1)), timeout=60
        )
        waited = time.monotonic() - began
        await other.rollback()
    assert result.rows
    assert waited < 20
    async with db.sessions() as s:
        assert await s.scalar(select(func.count()).where(ProductBlock.data.is_not(None))) == 0
    # and with the lock gone, the next question stores them
    await _ask(db, workspace_id, ProductQuery(kind="together", min_orders=1))
    async with db.sessions() as s:
        assert await s.scalar(select(func.count()).where(ProductBlock.data.is_not(None))) > 0


async def test_packed_columns_keep_ids_beyond_32_bits_and_names_with_separators() -> None:
    import numpy as np

    from storage.repositories.product_blocks import Block, pack, unpack

    month = datetime(2026, 1, 1, tzinfo=UTC)
    cols = {
        "product": np.array([0, 0, 1]),
        "customer": np.array([1, 2**40, 3]),
        "at": np.array([1_767_225_600_000_001, 1_767_225_600_000_002, 1_767_225_600_000_003]),
        "order": np.array([5, 6, 2**33]),
        "status": np.array([0, 3, 1]),
        "platform": np.array([0, 0, 0]),
        "units": np.array([1, 2, 3]),
        "value": np.array([1.5, np.nan, 0.9450000000000002]),
        "name": np.array([0, -1, 1]),
    }
    block = Block(month, ["A", "B"], ["a, b", "名字"], ["shopee"], cols)
    back = unpack(month, *pack(block))
    assert back is not None
    assert back.keys == block.keys and back.names == block.names and back.platforms == block.platforms
    for name, col in cols.items():
        assert np.array_equal(back.columns[name], col, equal_nan=True), name


async def test_month_blocks_read_times_alike_without_unixepoch(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """SQLite before 3.38 has no unixepoch(): the blocks then read the order times with strftime('%s'), to
    the same microseconds."""
    import numpy as np

    from storage.db import open_database
    from storage.repositories import analytics, product_blocks
    from tests.conftest import _new_workspace

    db = await open_database(f"sqlite+aiosqlite:///{tmp_path / 'old.db'}")
    try:
        workspace_id = await _new_workspace(db)
        await _write(db, workspace_id, _data())
        months = [datetime(2026, m, 1, tzinfo=UTC) for m in range(5, 12)]
        async with db.sessions() as s:
            new = await product_blocks.build_blocks(s, workspace_id, months)
        monkeypatch.setattr(analytics.sqlite3, "sqlite_version_info", (3, 37, 2))
        async with db.sessions() as s:
            old = await product_blocks.build_blocks(s, workspace_id, months)
        assert sum(len(b) for b in new.values()) > 100
        for m in months:
            assert np.array_equal(new[m].columns["at"], old[m].columns["at"]), m
    finally:
        await db.dispose()
