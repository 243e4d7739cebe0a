"""Analytics benchmark: each KPI question, RFM segmentation and the CLV fit on a large shop, against the
`lifetimes` pipeline (summary_data_from_transaction_data + BetaGeoFitter + GammaGammaFitter) on the same data.

    python bench/bench_analytics.py [--orders 1000000] [--customers 200000] [--workdir DIR] [--json FILE]

Targets: every KPI question under 250 ms on SQLite; the CLV pipeline at least 5x faster than lifetimes. The
pipeline reads `customer_order_stats`, which the importer keeps; the time of rebuilding it from every order is
printed too, with the ratio counting it.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sqlite3
import statistics
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

AS_OF_DAY = date(2026, 11, 23)
PLATFORMS = ("shopee", "lazada", "tiktok", "amazon", "ebay", "shopify")
COUNTRIES = ("SG", "MY", "TH", "PH", "ID", "US", "GB")


def generate(path: Path, orders: int, customers: int, seed: int = 7, *, insight: bool = False) -> None:
    """A seeded shop: BG/NBD-like buyers (gamma purchase rates, first purchases over two years).

    With `insight` (bench/bench_insight.py), also what the product and service figures read: 3 % of orders
    returned, order lines of a 240-product catalogue in 12 categories (some products usually bought with a
    companion), and reviews, NPS answers, complaints and returns as interactions."""
    from storage.db import open_database
    from storage.repositories.workspaces import get_or_create_workspace

    async def schema() -> None:
        db = await open_database(f"sqlite+aiosqlite:///{path}")
        async with db.sessions() as s:
            await get_or_create_workspace(s, name="bench", base_currency="SGD", timezone="Asia/Singapore")
            await s.commit()
        await db.dispose()

    asyncio.run(schema())
    rng = np.random.default_rng(seed)
    end = datetime(2026, 11, 23, 16, 0, tzinfo=UTC)
    start = end - timedelta(days=730)
    first = rng.uniform(0, 730, customers)
    drop = rng.beta(0.8, 2.5, customers)  # chance to leave after each purchase

    def simulate(scale: float) -> tuple[np.ndarray, np.ndarray]:
        """BG/NBD story: exponential gaps at a gamma-distributed rate, geometric dropout after purchases."""
        sim = np.random.default_rng(seed + 1)
        rate = sim.gamma(0.6, scale, customers)
        owners, days = [np.arange(1, customers + 1)], [first.copy()]
        t, alive = first.copy(), np.ones(customers, dtype=bool)
        while alive.any():
            alive &= sim.uniform(size=customers) >= drop
            t = t + sim.exponential(1 / np.maximum(rate, 1e-9))
            alive &= t < 730
            owners.append(np.flatnonzero(alive) + 1)
            days.append(t[alive])
        return np.concatenate(owners), np.concatenate(days)

    scale = 1 / 30
    for _ in range(6):  # tune the mean rate so the shop has about the asked number of orders
        owner, offsets = simulate(scale)
        scale *= max(orders - customers, 1) / max(len(owner) - customers, 1)
    keep = np.sort(rng.permutation(len(owner))[:orders]) if len(owner) > orders else np.arange(len(owner))
    owner, offsets = owner[keep], offsets[keep]
    n = len(owner)
    when = [(start + timedelta(days=float(d))).strftime("%Y-%m-%d %H:%M:%S.%f") for d in offsets]
    value = np.round(rng.lognormal(3.6, 0.6, n), 2)
    u = rng.uniform(size=n)
    status = np.where(u < 0.05, "cancelled", "completed")
    if insight:
        status = np.where((u >= 0.05) & (u < 0.08), "returned", status)
    platform = rng.integers(0, len(PLATFORMS), n)
    country = rng.integers(0, len(COUNTRIES), customers)
    con = sqlite3.connect(path)
    con.executemany(
        "INSERT INTO stores (id, workspace_id, platform, name) VALUES (?, 1, ?, ?)",
        [(i + 1, p, p) for i, p in enumerate(PLATFORMS)],
    )
    con.executemany(
        "INSERT INTO customers (id, workspace_id, display_name, country) VALUES (?, 1, ?, ?)",
        [(i, f"Buyer {i}", COUNTRIES[country[i - 1]]) for i in range(1, customers + 1)],
    )
    con.executemany(
        "INSERT INTO orders (workspace_id, store_id, platform, platform_order_id, customer_id, status, currency,"
        " order_value, value_base, country, created_at, updated_at) VALUES (1, ?, ?, ?, ?, ?, 'SGD', ?, ?, ?, ?, ?)",
        (
            (
                int(platform[k]) + 1,
                PLATFORMS[platform[k]],
                f"o{k}",
                int(owner[k]),
                str(status[k]),
                float(value[k]),
                float(value[k]),
                COUNTRIES[country[owner[k] - 1]],
                when[k],
                when[k],
            )
            for k in range(n)
        ),
    )
    if insight:
        _insight_rows(con, rng, owner, offsets, start, platform, status)
    con.commit()
    con.close()

    async def stats() -> None:  # what the importer keeps after an import: the per-customer order statistics
        from storage.repositories.analytics import refresh_order_stats

        db = await open_database(f"sqlite+aiosqlite:///{path}")
        async with db.sessions() as s:
            await refresh_order_stats(s, workspace_id=1)
            await s.commit()
        await db.dispose()

    asyncio.run(stats())
    con = sqlite3.connect(path)
    con.execute("ANALYZE")
    con.close()


PRODUCTS = 240
CATEGORIES = (
    "Skincare",
    "Haircare",
    "Makeup",
    "Fragrance",
    "Supplements",
    "Snacks",
    "Tea & Coffee",
    "Home",
    "Kitchen",
    "Pet",
    "Baby",
    "Accessories",
)
RETURN_REASONS = ("Wrong size", "Damaged", "Not as described", "Changed mind", None)


def _insight_rows(  # type: ignore[no-untyped-def]
    con,
    rng,
    owner: np.ndarray,
    offsets: np.ndarray,
    start: datetime,
    platform: np.ndarray,
    status: np.ndarray,
) -> None:
    """Products, order lines and service interactions for the generated orders (ids 1..n in order)."""
    n = len(owner)
    con.executemany(
        "INSERT INTO products (workspace_id, sku, name, category) VALUES (1, ?, ?, ?)",
        [(f"SKU{p:03d}", f"Product {p:03d}", CATEGORIES[p % len(CATEGORIES)]) for p in range(PRODUCTS)],
    )
    price = np.round(rng.lognormal(3.0, 0.5, PRODUCTS), 2)
    popularity = 1 / np.arange(1, PRODUCTS + 1) ** 0.8  # a few best sellers, a long tail
    popularity /= popularity.sum()
    lines_per = np.minimum(1 + rng.poisson(0.6, n), 4)
    total = int(lines_per.sum())
    order_of = np.repeat(np.arange(1, n + 1), lines_per)
    line_no = np.arange(total) - np.repeat(np.cumsum(lines_per) - lines_per, lines_per) + 1
    product = rng.choice(PRODUCTS, size=total, p=popularity)
    # A line after the first is often its order's first product's companion (the next SKU): pairs with lift.
    first_of = np.repeat(product[np.cumsum(lines_per) - lines_per], lines_per)
    companion = (line_no > 1) & (rng.uniform(size=total) < 0.3)
    product = np.where(companion, (first_of + 1) % PRODUCTS, product)
    qty = 1 + rng.poisson(0.4, total)
    con.executemany(
        "INSERT INTO order_lines (order_id, line_no, sku, product_name, quantity, unit_price, line_total)"
        " VALUES (?, ?, ?, ?, ?, ?, ?)",
        (
            (
                int(order_of[k]),
                int(line_no[k]),
                f"SKU{product[k]:03d}",
                f"Product {product[k]:03d}",
                int(qty[k]),
                float(price[product[k]]),
                round(float(price[product[k]]) * int(qty[k]), 2),
            )
            for k in range(total)
        ),
    )
    horizon = 730.0
    u = rng.uniform(size=n)
    kind = np.full(n, "", dtype=object)
    kind[u < 0.08] = "review"
    kind[(u >= 0.08) & (u < 0.12)] = "nps"
    kind[(u >= 0.12) & (u < 0.135)] = "complaint"
    kind[status == "returned"] = "return"
    later = np.minimum(offsets + rng.uniform(1, 10, n), horizon - 1e-3)
    stars = rng.choice(5, size=n, p=(0.04, 0.04, 0.1, 0.27, 0.55)) + 1
    score = rng.choice(11, size=n, p=(0.02,) * 5 + (0.04, 0.06, 0.1, 0.18, 0.25, 0.27))
    reason = rng.integers(0, len(RETURN_REASONS), n)
    picked = np.flatnonzero(kind != "")
    con.executemany(
        "INSERT INTO interactions (workspace_id, customer_id, kind, channel, rating, reason, order_id,"
        " occurred_at) VALUES (1, ?, ?, ?, ?, ?, ?, ?)",
        (
            (
                int(owner[k]),
                kind[k],
                PLATFORMS[platform[k]],
                int(stars[k]) if kind[k] == "review" else int(score[k]) if kind[k] == "nps" else None,
                RETURN_REASONS[reason[k]] if kind[k] == "return" else None,
                int(k + 1),
                (start + timedelta(days=float(later[k]))).strftime("%Y-%m-%d %H:%M:%S.%f"),
            )
            for k in picked
        ),
    )


def timed(fn, runs: int = 3) -> float:  # type: ignore[no-untyped-def]
    fn()  # warm-up (caches, compiled statements)
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def ours(path: Path) -> dict[str, object]:
    from bot.settings import Settings
    from crm.analytics.metrics import customer_scores
    from crm.query.compiler import execute
    from crm.query.ir import METRICS, Filters, MetricQuery, Period, SegmentsQuery
    from storage.db import open_database

    loop = asyncio.new_event_loop()
    db = loop.run_until_complete(open_database(f"sqlite+aiosqlite:///{path}"))
    settings = Settings()
    tz = __import__("zoneinfo").ZoneInfo("Asia/Singapore")
    as_of = datetime.combine(AS_OF_DAY + timedelta(days=1), datetime.min.time(), tzinfo=tz)

    def run(query):  # type: ignore[no-untyped-def]
        return loop.run_until_complete(execute(query, db=db, workspace_id=1, settings=settings, as_of=as_of))

    questions = [(f"{m} (last 90 days)", MetricQuery(metric=m)) for m in METRICS]
    questions += [
        (f"{m} last quarter", MetricQuery(metric=m, period=Period(kind="last_quarter"))) for m in METRICS
    ]
    questions += [
        (
            "repeat_rate on shopee this year",
            MetricQuery(
                metric="repeat_rate", period=Period(kind="this_year"), filters=Filters(platform="shopee")
            ),
        ),
        (
            "aov in MY this year",
            MetricQuery(metric="aov", period=Period(kind="this_year"), filters=Filters(country="MY")),
        ),
        (
            "revenue by platform last quarter",
            MetricQuery(metric="revenue", period=Period(kind="last_quarter"), group_by="platform"),
        ),
        (
            "revenue by month this year",
            MetricQuery(metric="revenue", period=Period(kind="this_year"), group_by="month"),
        ),
    ]
    kpis = {label: timed(lambda q=q: run(q)) for label, q in questions}
    rfm = timed(lambda: run(SegmentsQuery()), runs=2)

    async def clv():  # type: ignore[no-untyped-def]
        async with db.sessions() as s:
            return await customer_scores(s, 1, as_of, tz, with_clv=True)

    clv_seconds = timed(lambda: loop.run_until_complete(clv()), runs=3)

    async def rebuild(values_only: bool):  # type: ignore[no-untyped-def]
        from storage.repositories.analytics import refresh_order_stats

        async with db.sessions() as s:
            await refresh_order_stats(s, workspace_id=1, values_only=values_only)
            await s.commit()

    # What CLV reads (the per-customer statistics), and that plus every order's previous_order_at.
    rebuild_seconds = timed(lambda: loop.run_until_complete(rebuild(True)), runs=2)
    full_rebuild_seconds = timed(lambda: loop.run_until_complete(rebuild(False)), runs=2)
    loop.run_until_complete(db.dispose())
    loop.close()
    return {
        "kpi_seconds": kpis,
        "rfm_seconds": rfm,
        "clv_seconds": clv_seconds,
        "stats_rebuild_seconds": rebuild_seconds,
        "stats_and_previous_orders_rebuild_seconds": full_rebuild_seconds,
    }


def baseline(path: Path) -> float:
    """The lifetimes pipeline on the same valid orders (read from the same database): median of 3 runs after a
    warm-up, like ours."""
    return timed(lambda: _lifetimes(path), runs=3)


def _lifetimes(path: Path) -> float:
    import pandas as pd
    from lifetimes import BetaGeoFitter, GammaGammaFitter
    from lifetimes.utils import summary_data_from_transaction_data

    t = time.perf_counter()
    con = sqlite3.connect(path)
    df = pd.read_sql(
        "SELECT customer_id, created_at, value_base FROM orders WHERE status IN "
        "('paid','shipped','completed')",
        con,
    )
    con.close()
    df["created_at"] = pd.to_datetime(df["created_at"]).dt.tz_localize("UTC").dt.tz_convert("Asia/Singapore")
    df["created_at"] = df["created_at"].dt.tz_localize(None)
    summary = summary_data_from_transaction_data(
        df,
        "customer_id",
        "created_at",
        monetary_value_col="value_base",
        observation_period_end=pd.Timestamp(AS_OF_DAY),
        freq="D",
    )
    bgf = BetaGeoFitter(penalizer_coef=0.001).fit(summary["frequency"], summary["recency"], summary["T"])
    bgf.conditional_probability_alive(summary["frequency"], summary["recency"], summary["T"])
    purchases = bgf.conditional_expected_number_of_purchases_up_to_time(
        365, summary["frequency"], summary["recency"], summary["T"]
    )
    repeat = summary[(summary["frequency"] > 0) & (summary["monetary_value"] > 0)]
    ggf = GammaGammaFitter(penalizer_coef=0.0).fit(repeat["frequency"], repeat["monetary_value"])
    spend = ggf.conditional_expected_average_profit(summary["frequency"], summary["monetary_value"])
    _ = purchases * spend
    return time.perf_counter() - t


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--orders", type=int, default=1_000_000)
    ap.add_argument("--customers", type=int, default=200_000)
    ap.add_argument("--workdir", default=os.path.join(tempfile.gettempdir(), "sellermate-bench-analytics"))
    ap.add_argument("--json")
    ap.add_argument("--no-baseline", action="store_true")
    a = ap.parse_args()
    work = Path(a.workdir)
    work.mkdir(parents=True, exist_ok=True)
    path = work / f"shop-{a.orders}-{a.customers}.db"
    if not path.exists():
        t = time.perf_counter()
        generate(path, a.orders, a.customers)
        print(f"generated {path.name} in {time.perf_counter() - t:.0f}s")
    print(f"{a.orders:,} orders, {a.customers:,} customers, SQLite; load average {os.getloadavg()[0]:.2f}")
    result = ours(path)
    print(f"\n{'question':42s} {'ms':>8s}  under 250 ms")
    for label, seconds in result["kpi_seconds"].items():  # type: ignore[union-attr]
        print(f"{label:42s} {seconds * 1000:8.1f}  {'yes' if seconds < 0.25 else 'NO'}")
    print(f"{'RFM segmentation (8 segments)':42s} {result['rfm_seconds'] * 1000:8.1f}")  # type: ignore[operator]
    print(f"{'CLV fit + scoring (BG/NBD + Gamma-Gamma)':42s} {result['clv_seconds'] * 1000:8.1f}")  # type: ignore[operator]
    print(
        f"{'order statistics rebuilt from all orders':42s} {result['stats_rebuild_seconds'] * 1000:8.1f}"  # type: ignore[operator]
        "  (paid by the importer, per touched customer)"
    )
    print(
        f"{'  the same with previous_order_at':42s} "
        f"{result['stats_and_previous_orders_rebuild_seconds'] * 1000:8.1f}"
    )  # type: ignore[operator]
    if not a.no_baseline:
        base = baseline(path)
        result["lifetimes_seconds"] = base
        ratio = base / result["clv_seconds"]  # type: ignore[operator]
        result["clv_speedup"] = ratio
        print(f"{'baseline: lifetimes pipeline':42s} {base * 1000:8.1f}")
        print(
            f"CLV speed-up over lifetimes: {ratio:.1f}x (target >= 5x): {'met' if ratio >= 5 else 'MISSED'}"
        )
        cold = base / (result["clv_seconds"] + result["stats_rebuild_seconds"])  # type: ignore[operator]
        result["clv_speedup_with_rebuild"] = cold
        print(f"  counting a full rebuild of the order statistics as well: {cold:.1f}x")
    slow = [k for k, v in result["kpi_seconds"].items() if v >= 0.25]  # type: ignore[union-attr]
    print(f"KPI questions over 250 ms: {len(slow)}" + (f" ({', '.join(slow)})" if slow else ""))
    if a.json:
        Path(a.json).write_text(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
