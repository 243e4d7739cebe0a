"""Metric matrix benchmark: every order metric of the catalogue × every breakdown × SQLite and PostgreSQL, cold and
warm, through the real question path (`crm.query.compiler.execute`), against pandas computing the same figure
from the definitions in docs/metrics.md.

    python bench/bench_metrics.py [--orders 1000000] [--db sqlite,postgres] [--ten-million] [--no-baseline]
                                  [--period default|this_year] [--metrics aov,repeat_rate] [--by none,platform]
                                  [--json FILE]

The shop is `bench_analytics.generate`'s (1,000,000 orders, 200,000 customers by default), written once into a
SQLite file under --workdir and reused; its order statistics and every order's `previous_order_at` are written
by the project's own `refresh_order_stats`, as an import leaves them. PostgreSQL gets a copy of the same rows
(database `bench_breakdowns_<orders>`, reused while it holds them). `--ten-million` also runs PostgreSQL on a
10,000,000-order / 2,000,000-customer shop (built once: about 15 minutes, progress printed).

Each cell: **cold** is the first answer of that question in this process (statements not yet compiled, no
plan cached), **warm** the median of 3 more; each also as this process's CPU time (on SQLite the whole
query, the database running in the process: a figure the machine's other work does not inflate). Period:
the default (last 90 days; all time for avg_ltv), by month its calendar months (four, the first and last
partial); `--period this_year` asks every cell over this year instead. The baseline is pandas over the orders already in memory (their load time printed
once), timed per cell; the ratio is ours warm / pandas, and `=` says both gave the same rows.

Targets: every cell under 250 ms warm at 1M on both databases, under 1 s at 10M on PostgreSQL, cold within
2× warm.
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import io
import json
import math
import os
import sqlite3
import statistics
import sys
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.bench_analytics import AS_OF_DAY, generate  # noqa: E402

BREAKDOWNS = ("none", "platform", "country", "month", "segment")
PG_ADMIN = os.environ.get("SELLERMATE_BENCH_PG", "postgresql://postgres@127.0.0.1:5432/postgres")
TZ = ZoneInfo("Asia/Singapore")
AS_OF = datetime.combine(AS_OF_DAY + timedelta(days=1), datetime.min.time(), tzinfo=TZ)
VALID = ("paid", "shipped", "completed")
# What the copy to PostgreSQL carries: the columns the generator and refresh_order_stats write.
COPIED = {
    "stores": ("id", "workspace_id", "platform", "name"),
    "customers": ("id", "workspace_id", "display_name", "country"),
    "orders": (
        "id",
        "workspace_id",
        "store_id",
        "platform",
        "platform_order_id",
        "customer_id",
        "status",
        "currency",
        "order_value",
        "value_base",
        "country",
        "customer_country",
        "created_at",
        "previous_order_at",
        "updated_at",
    ),
    "customer_order_stats": (
        "customer_id",
        "workspace_id",
        "first_order",
        "last_order",
        "orders",
        "value",
        "country",
    ),
    "customer_platform_stats": (
        "customer_id",
        "platform",
        "workspace_id",
        "first_order",
        "last_order",
        "orders",
        "value",
        "country",
    ),
}
# A copy made with other columns is made again (one made before the statistics' country was copied answered
# every breakdown by country that reads the statistics with no groups).
LAYOUT = ";".join(f"{table}:{','.join(cols)}" for table, cols in COPIED.items())


def load() -> str:
    one, _, _ = os.getloadavg()
    return f"load {one:.2f}"


def sqlite_shop(workdir: Path, orders: int, customers: int) -> Path:
    path = workdir / f"shop-{orders}-{customers}.db"
    if not path.exists():
        t = time.perf_counter()
        print(f"building {path.name} (once; reused afterwards) ...", flush=True)
        tmp = path.with_suffix(".building")
        tmp.unlink(missing_ok=True)
        generate(tmp, orders, customers)
        tmp.rename(path)
        print(f"  built in {time.perf_counter() - t:.0f}s", flush=True)
    return path


def pg_shop(source: Path, orders: int) -> str:
    """A PostgreSQL copy of the SQLite shop, built once and reused while it holds the same rows."""
    import asyncpg

    name = f"bench_breakdowns_{orders}"
    url = PG_ADMIN.rsplit("/", 1)[0] + f"/{name}"

    async def build() -> None:
        admin = await asyncpg.connect(PG_ADMIN)
        exists = await admin.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", name)
        if exists:
            con = await asyncpg.connect(url)
            try:
                built = await con.fetchrow("SELECT n, layout FROM bench_built")
            except Exception:
                built = None
            await con.close()
            if built is not None and tuple(built) == (orders, LAYOUT):
                await admin.close()
                return
            await admin.execute(f'DROP DATABASE "{name}"')
        await admin.execute(f'CREATE DATABASE "{name}"')
        await admin.close()
        from storage.db import open_database
        from storage.repositories.analytics import refresh_second_orders
        from storage.repositories.workspaces import get_or_create_workspace

        db = await open_database(url.replace("postgresql://", "postgresql+asyncpg://"))
        async with db.sessions() as s:
            await get_or_create_workspace(s, name="bench", base_currency="SGD", timezone="Asia/Singapore")
            await s.commit()
        await db.dispose()
        # The source at the current schema first (a shop built by an earlier version gains the newer
        # statistics from its migrations), so every copied table exists and is filled.
        lite_db = await open_database(f"sqlite+aiosqlite:///{source}")
        await lite_db.dispose()
        con = await asyncpg.connect(url)
        await con.execute("SET TIME ZONE 'UTC'")
        lite = sqlite3.connect(source)
        for table, cols in COPIED.items():
            total = lite.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
            t, done = time.perf_counter(), 0
            cur = lite.execute(f"SELECT {', '.join(cols)} FROM {table} ORDER BY rowid")
            while rows := cur.fetchmany(500_000):
                buf = io.StringIO()
                csv.writer(buf).writerows(rows)
                await con.copy_to_table(
                    table, source=io.BytesIO(buf.getvalue().encode()), columns=list(cols), format="csv"
                )
                done += len(rows)
                print(
                    f"  {table}: {done:,}/{total:,} rows copied, {time.perf_counter() - t:.0f}s", flush=True
                )
        lite.close()
        # Columns the copy leaves out, set as refresh_order_stats sets them (a copy made before they existed
        # gains them from their migration when it is opened).
        db = await open_database(url.replace("postgresql://", "postgresql+asyncpg://"))
        async with db.sessions() as s:
            await refresh_second_orders(s, lambda table: table.c.workspace_id == 1)
            await s.commit()
        await db.dispose()
        for table in ("stores", "customers", "orders"):
            await con.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))"
            )
        print("  VACUUM ANALYZE ...", flush=True)
        await con.execute("VACUUM ANALYZE")
        await con.execute("CREATE TABLE bench_built (n bigint, layout text)")
        await con.execute("INSERT INTO bench_built VALUES ($1, $2)", orders, LAYOUT)
        await con.close()

    t = time.perf_counter()
    asyncio.run(build())
    print(f"PostgreSQL {name} ready ({time.perf_counter() - t:.0f}s)", flush=True)
    return url.replace("postgresql://", "postgresql+asyncpg://")


def queries(metrics: list[str], bys: list[str], period: Any) -> list[tuple[str, str, Any]]:
    from crm.query.ir import MetricQuery

    out = []
    for metric in metrics:
        for by in bys:
            q = MetricQuery(metric=metric, period=period, group_by=None if by == "none" else by)
            out.append((metric, by, q))
    return out


def run_ours(
    url: str, cells: list[tuple[str, str, Any]], label: str
) -> dict[tuple[str, str], dict[str, Any]]:
    from bot.settings import Settings
    from crm.query.compiler import execute
    from storage.db import open_database

    loop = asyncio.new_event_loop()
    # Brought to the current schema (a shop built by an earlier version gains the newer statistics from the
    # migrations, before any timing); nothing to do when it is current.
    db = loop.run_until_complete(open_database(url))
    settings = Settings()
    out: dict[tuple[str, str], dict[str, Any]] = {}

    def once(q: Any) -> tuple[float, float, Any]:
        t, c = time.perf_counter(), time.process_time()
        r = loop.run_until_complete(execute(q, db=db, workspace_id=1, settings=settings, as_of=AS_OF))
        return time.perf_counter() - t, time.process_time() - c, r

    # One question first, not timed: the process's own first-use costs (the compiler's and the catalogue's lazy
    # imports, the database connection) are the start-up's, not the first cell's; as the bot warms up at start.
    from crm.query.ir import MetricQuery

    once(MetricQuery(metric="new_customers"))
    for metric, by, q in cells:
        cold, cold_cpu, r = once(q)
        again = [once(q) for _ in range(3)]
        warm = statistics.median(x[0] for x in again)
        warm_cpu = statistics.median(x[1] for x in again)
        rows = [[r.value]] if by == "none" else r.rows
        out[(metric, by)] = {
            "cold": cold,
            "warm": warm,
            "cold_cpu": cold_cpu,
            "warm_cpu": warm_cpu,
            "rows": rows,
            "query": q,
        }
        flag = "" if warm < 0.25 else "  OVER 250 ms"
        print(
            f"  {label:10s} {metric:18s} {by:9s} cold {cold * 1000:8.1f} ms  warm {warm * 1000:8.1f} ms"
            f"  cold/warm {cold / warm:4.1f}  cpu cold {cold_cpu * 1000:7.1f} warm {warm_cpu * 1000:7.1f}"
            f"{flag}  ({load()})",
            flush=True,
        )
    loop.run_until_complete(db.dispose())
    loop.close()
    return out


class Pandas:
    """The baseline: each figure computed from its definition (docs/metrics.md) over the orders in memory."""

    def __init__(self, path: Path, url: str) -> None:
        import numpy as np
        import pandas as pd

        t = time.perf_counter()
        con = sqlite3.connect(path)
        self.df = pd.read_sql(
            "SELECT o.customer_id AS cid, o.created_at AS at, o.status, o.platform, o.value_base AS value,"
            " c.country AS ccountry FROM orders o JOIN customers c ON c.id = o.customer_id",
            con,
        )
        con.close()
        self.df["at"] = pd.to_datetime(self.df["at"], format="ISO8601").dt.tz_localize("UTC")
        self.valid_mask = self.df["status"].isin(VALID).to_numpy()
        self.load_seconds = time.perf_counter() - t
        # The segments are an input here (RFM's own bench is bench_analytics): ours, as of the as-of date.
        from crm.analytics.metrics import customer_scores
        from storage.db import open_database

        async def scores() -> Any:
            db = await open_database(url, run_migrations=False)
            async with db.sessions() as s:
                sc = await customer_scores(s, 1, AS_OF, TZ)
            await db.dispose()
            return sc

        sc = asyncio.run(scores())
        self.segment = pd.Series(sc.segment, index=sc.ids)
        self.np = np
        self.pd = pd

    def value(self, metric: str, d: Any, s: datetime | None, e: datetime) -> float | int | None:
        from crm.analytics.metrics import from_status_counts

        pd = self.pd
        e_ts = pd.Timestamp(e)
        s_ts = pd.Timestamp(s) if s is not None else None
        valid = d[d["status"].isin(VALID)]
        in_w = (valid["at"] < e_ts) & (valid["at"] >= s_ts if s_ts is not None else True)
        w = valid[in_w]
        if metric == "orders":
            return len(w)
        if metric == "revenue":
            return round(float(w["value"].sum()), 6)
        if metric == "aov":
            n = int(w["value"].notna().sum())
            return float(w["value"].sum()) / n if n else None
        if metric == "customers":
            return int(w["cid"].nunique())
        if metric == "new_customers":
            first = valid.groupby("cid")["at"].min()
            return int(((first < e_ts) & (first >= s_ts if s_ts is not None else True)).sum())
        if metric == "repeat_rate":
            active = w["cid"].unique()
            if not len(active):
                return None
            upto = valid[valid["at"] < e_ts].groupby("cid").size()
            return float((upto.loc[active] >= 2).sum()) / len(active)
        if metric == "churn_rate":
            if s_ts is None:
                return None
            ps = pd.Timestamp(s - (e - s))
            base = set(valid[(valid["at"] >= ps) & (valid["at"] < s_ts)]["cid"])
            if not base:
                return None
            return len(base - set(w["cid"])) / len(base)
        if metric == "avg_ltv":
            per = valid[valid["at"] < e_ts].groupby("cid")["value"].sum()
            return float(per.sum()) / len(per) if len(per) else None
        a = d[(d["at"] < e_ts) & (d["at"] >= s_ts if s_ts is not None else True)]
        return from_status_counts(metric, a["status"].value_counts().to_dict())

    def rows(self, metric: str, by: str, q: Any) -> list[list[Any]]:
        from crm.analytics.metrics import month_windows
        from crm.query.compiler import DEFAULT_PERIOD

        period = q.period or DEFAULT_PERIOD
        start, end = period.bounds(AS_OF, TZ)
        df = self.df
        out: list[list[Any]] = []

        def add(key: Any, v: Any) -> None:
            if v is not None:
                out.append([key, v])

        if by == "none":
            return [[self.value(metric, df, start, end)]]
        if by in ("platform", "country"):
            col = by if by == "platform" else "ccountry"
            valid = df[self.valid_mask]
            lo, hi = start, end
            if metric == "churn_rate" and start is not None:  # the groups with customers before
                lo, hi = start - (end - start), start
            w = valid[(valid["at"] < pd_ts(hi)) & (valid["at"] >= pd_ts(lo) if lo else True)]
            keys = set(w[col].dropna().unique())
            for key in sorted(keys):
                add(key, self.value(metric, df[df[col] == key], start, end))
        elif by == "segment":
            from crm.catalog import SEGMENT_IDS

            for seg in SEGMENT_IDS:
                ids = self.segment.index[self.segment.to_numpy() == seg]
                add(seg, self.value(metric, df[df["cid"].isin(ids)], start, end))
        else:
            if start is None:
                start = df[self.valid_mask]["at"].min().to_pydatetime()
            for lab, s, e in month_windows(start, end, TZ, 1):
                add(lab, self.value(metric, df, s, e))
        return out


def pd_ts(x: datetime | None) -> Any:
    import pandas as pd

    return pd.Timestamp(x) if x is not None else None


def _key(k: Any) -> str:  # a segment's row is labelled with its name ("important value")
    return str(k).lower().replace(" ", "_")


def same(a: list[list[Any]], b: list[list[Any]]) -> bool:
    if len(a) != len(b):
        return False
    ka = sorted(a, key=lambda r: _key(r[0])) if a and len(a[0]) > 1 else a
    kb = sorted(b, key=lambda r: _key(r[0])) if b and len(b[0]) > 1 else b
    for ra, rb in zip(ka, kb, strict=True):
        if len(ra) > 1 and _key(ra[0]) != _key(rb[0]):
            return False
        va, vb = ra[-1], rb[-1]
        if va is None or vb is None:
            if va is not vb:
                return False
        elif not math.isclose(float(va), float(vb), rel_tol=1e-9, abs_tol=1e-6):
            return False
    return True


def main() -> None:

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--orders", type=int, default=1_000_000)
    ap.add_argument("--customers", type=int, default=None, help="default: one per five orders")
    ap.add_argument("--db", default="sqlite,postgres")
    ap.add_argument("--ten-million", action="store_true", help="also PostgreSQL at 10,000,000 orders")
    from crm.analytics.metrics import BREAKDOWN_METRICS

    ap.add_argument("--metrics", default=",".join(BREAKDOWN_METRICS))
    ap.add_argument("--by", default=",".join(BREAKDOWNS))
    ap.add_argument("--period", default="default", help="default (last 90 days) or a period kind: this_year")
    ap.add_argument("--workdir", default=os.path.join(tempfile.gettempdir(), "sellermate-bench-breakdowns"))
    ap.add_argument("--no-baseline", action="store_true")
    ap.add_argument("--json")
    a = ap.parse_args()
    work = Path(a.workdir)
    work.mkdir(parents=True, exist_ok=True)
    from crm.query.ir import Period

    period = None if a.period == "default" else Period(kind=a.period)
    cells = queries(a.metrics.split(","), a.by.split(","), period)
    runs: list[tuple[str, int, str, Path]] = []
    customers = a.customers or a.orders // 5
    lite = sqlite_shop(work, a.orders, customers)
    dbs = a.db.split(",")
    if "sqlite" in dbs:
        runs.append(("sqlite", a.orders, f"sqlite+aiosqlite:///{lite}", lite))
    if "postgres" in dbs:
        runs.append(("postgres", a.orders, pg_shop(lite, a.orders), lite))
    if a.ten_million:
        big = sqlite_shop(work, 10_000_000, 2_000_000)
        runs.append(("postgres", 10_000_000, pg_shop(big, 10_000_000), big))
    report: list[dict[str, Any]] = []
    baselines: dict[Path, Pandas] = {}
    for name, n, url, source in runs:
        label = f"{name} {n // 1_000_000}M"
        print(f"\n== {label}: {len(cells)} cells ({load()}) ==", flush=True)
        ours = run_ours(url, cells, label)
        base = None
        if not a.no_baseline:
            if source not in baselines:
                baselines[source] = Pandas(source, url)
                print(
                    f"  pandas baseline: orders loaded in {baselines[source].load_seconds:.1f}s", flush=True
                )
            base = baselines[source]
        limit = 0.25 if n <= 1_000_000 else 1.0
        print(
            f"\n{label:14s} {'metric':18s} {'by':9s} {'cold ms':>9s} {'warm ms':>9s} {'pandas ms':>10s} "
            f"{'ratio':>6s}  same  target"
        )
        for (metric, by), cell in ours.items():
            p_ms, ratio, eq = float("nan"), float("nan"), "-"
            if base is not None:
                t = time.perf_counter()
                expected = base.rows(metric, by, cell["query"])
                p_ms = (time.perf_counter() - t) * 1000
                ratio = cell["warm"] * 1000 / p_ms
                eq = "=" if same(cell["rows"], expected) else "DIFF"
                if eq == "DIFF":
                    print(f"    ours {cell['rows']}\n    pandas {expected}")
            ok = cell["warm"] < limit and cell["cold"] <= max(2 * cell["warm"], limit)
            print(
                f"{label:14s} {metric:18s} {by:9s} {cell['cold'] * 1000:9.1f} {cell['warm'] * 1000:9.1f} "
                f"{p_ms:10.1f} {ratio:6.2f}  {eq:4s}  {'met' if ok else 'MISSED'}",
                flush=True,
            )
            report.append(
                {
                    "db": name,
                    "orders": n,
                    "metric": metric,
                    "by": by,
                    "cold_ms": cell["cold"] * 1000,
                    "warm_ms": cell["warm"] * 1000,
                    "cold_cpu_ms": cell["cold_cpu"] * 1000,
                    "warm_cpu_ms": cell["warm_cpu"] * 1000,
                    "pandas_ms": p_ms,
                    "same": eq,
                    "met": ok,
                }
            )
        missed = [r for r in report if r["db"] == name and r["orders"] == n and not r["met"]]
        print(f"{label}: {len(ours) - len(missed)}/{len(ours)} cells met ({load()})", flush=True)
    if a.json:
        Path(a.json).write_text(json.dumps(report, indent=1))


if __name__ == "__main__":
    main()
