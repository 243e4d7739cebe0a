"""Insight benchmark (issue 23): every product, service and journey figure through the real question path, against
a pandas computation of the same figure from the same database.

    python bench/bench_insight.py [--orders 1000000] [--customers 200000] [--workdir DIR] [--runs 5]
        [--pandas-runs 3] [--only WORD,WORD] [--skip WORD,WORD]

The shop is bench/bench_analytics.py's, generated once with order lines, a product catalogue, returns and
service interactions (`generate(..., insight=True)`, its own file). For each figure it prints, line by line:

- ours: `crm.query.compiler.execute` of the parsed question (what `ask`, the bot and the CLI run after parsing),
  cold (the first run in this process) and warm (median of `--runs` further runs, default 5);
- pandas: the same figure computed from DataFrames read once from the database beforehand (reading is not
  timed; lines are read already joined to their orders' columns, a head start for pandas), median of
  `--pandas-runs` (default 3);
- the ratio ours/pandas (below 1: ours is faster), whether ours is under 250 ms warm, and whether the two agree
  (the first rows or the number): the baseline is the same figure, or the line says MISMATCH.

Segments (what lapsed valuable customers bought; category preference by segment) are an input to pandas: the
RFM segments are bench_analytics' to time; pandas gets ours.
"""

from __future__ import annotations

import argparse
import asyncio
import math
import os
import sqlite3
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.bench_analytics import AS_OF_DAY, generate  # noqa: E402

TZ = ZoneInfo("Asia/Singapore")
AS_OF = datetime.combine(AS_OF_DAY + timedelta(days=1), datetime.min.time(), tzinfo=TZ)
TARGET = 0.25
VALID = ("paid", "shipped", "completed")
LIFECYCLE = (30, 90, 180)


def shop_path(work: Path, orders: int, customers: int) -> Path:
    path = work / f"shop-{orders}-{customers}-insight.db"
    if not path.exists():
        t = time.perf_counter()
        generate(path, orders, customers, insight=True)
        print(f"generated {path.name} in {time.perf_counter() - t:.0f}s", flush=True)
    return path


# ---- pandas: the tables, read once ---------------------------------------------------------------------------


def load(path: Path) -> dict[str, Any]:
    import pandas as pd

    con = sqlite3.connect(path)

    def utc(s: Any) -> Any:
        return pd.to_datetime(s, format="ISO8601", utc=True)

    orders = pd.read_sql(
        "SELECT id, customer_id, status, created_at, value_base, order_value, currency, platform FROM orders "
        "WHERE workspace_id = 1",
        con,
    )
    orders["created"] = utc(orders.pop("created_at"))
    lines = pd.read_sql(
        "SELECT l.order_id, l.sku, l.product_name, l.quantity, l.unit_price, l.line_discount, l.line_total,"
        " o.customer_id, o.status, o.created_at, o.value_base, o.order_value FROM order_lines l"
        " JOIN orders o ON o.id = l.order_id WHERE o.workspace_id = 1",
        con,
    )
    lines["created"] = utc(lines.pop("created_at"))
    sku = lines.sku.str.strip().replace("", None)
    lines["key"] = sku.fillna("name:" + lines.product_name.str.strip().str.lower())
    customers = pd.read_sql(
        "SELECT id, country, created_at, merged_into_id FROM customers WHERE workspace_id = 1", con
    )
    customers["created"] = utc(customers.pop("created_at"))
    inter = pd.read_sql(
        "SELECT customer_id, kind, rating, channel, order_id, occurred_at FROM interactions"
        " WHERE workspace_id = 1 AND kind IN ('review', 'nps', 'complaint', 'return')",
        con,
    )
    inter["occurred"] = utc(inter.pop("occurred_at"))
    products = pd.read_sql("SELECT sku, category FROM products WHERE workspace_id = 1", con)
    con.close()
    return {"orders": orders, "lines": lines, "customers": customers, "inter": inter, "products": products}


def _ts(x: datetime | None) -> Any:
    import pandas as pd

    return None if x is None else pd.Timestamp(x).tz_convert("UTC")


def _in(df: Any, col: str, start: datetime | None, end: datetime) -> Any:
    m = df[col] < _ts(end)
    if start is not None:
        m &= df[col] >= _ts(start)
    return m


def _valid_lines(
    d: dict[str, Any], start: datetime | None, end: datetime, statuses: tuple[str, ...] = VALID
) -> Any:
    lines = d["lines"]
    return lines[lines.status.isin(statuses) & lines.customer_id.notna() & _in(lines, "created", start, end)]


def _line_value(lines: Any) -> Any:
    amount = lines.unit_price * lines.quantity - lines.line_discount.fillna(0.0)
    amount = amount.fillna(lines.line_total).fillna(0.0)
    return amount * (lines.value_base / lines.order_value)


def pd_best(d: dict[str, Any], start: datetime | None, end: datetime, by: str, customers: Any = None) -> list:
    lines = _valid_lines(d, start, end)
    if customers is not None:
        lines = lines[lines.customer_id.isin(customers)]
    g = (
        lines.assign(v=_line_value(lines).fillna(0.0))
        .groupby("key")
        .agg(
            name=("product_name", "max"),
            units=("quantity", "sum"),
            revenue=("v", "sum"),
            buyers=("customer_id", "nunique"),
            orders=("order_id", "nunique"),
        )
    )
    g["r2"] = g.revenue.round(2)
    g["lower"] = g.name.str.lower()
    g = g.sort_values([by, "r2", "lower"], ascending=[False, False, True]).head(10)
    return [(n, round(float(v), 2)) for n, v in zip(g.name, g[by], strict=True)]


def pd_mix(d: dict[str, Any], start: datetime | None, end: datetime, group: Any) -> list:
    """Each group's largest category and its share: group = {customer id: group} (a Series)."""
    lines = _valid_lines(d, start, end)
    lines = lines[lines.value_base.notna()]
    cats = d["products"].set_index("sku").category
    cat = lines.sku.str.strip().map(cats).str.strip().replace("", None).fillna(lines.key)
    x = lines.assign(v=_line_value(lines), c=cat, g=lines.customer_id.map(group)).dropna(subset=["g"])
    value = x.groupby(["g", "c"]).v.sum()
    share = value / value.groupby(level=0).transform("sum")
    top = share.sort_values(ascending=False).groupby(level=0).head(1).sort_index()
    return [(g, c, round(float(s), 4)) for (g, c), s in top.items()]


def pd_together(d: dict[str, Any], start: datetime | None, end: datetime, min_orders: int = 5) -> list:
    lines = _valid_lines(d, start, end)
    op = lines[["order_id", "key", "product_name"]].drop_duplicates(["order_id", "key"])
    orders = op.order_id.nunique()
    per = op.groupby("key").order_id.size()
    name = op.groupby("key").product_name.max()
    pairs = op[["order_id", "key"]].merge(op[["order_id", "key"]], on="order_id")
    pairs = pairs[pairs.key_x < pairs.key_y]
    both = pairs.groupby(["key_x", "key_y"]).size()
    both = both[both >= min_orders].reset_index(name="both")
    ca = both.both / both.key_x.map(per)
    lift = ca / (both.key_y.map(per) / orders)
    both = both.assign(lift=lift.round(9), support=both.both / orders).sort_values(
        ["lift", "support"], ascending=[False, False]
    )
    top = both.head(10)
    return [
        orders,
        [(name[a], name[b], int(n)) for a, b, n in zip(top.key_x, top.key_y, top.both, strict=True)],
    ]


def pd_reorder(d: dict[str, Any], end: datetime, today: date) -> list:
    import pandas as pd

    lines = _valid_lines(d, None, end)
    x = lines[["key", "product_name", "customer_id", "order_id", "created"]].drop_duplicates(
        ["key", "order_id"]
    )
    day = x.created.dt.tz_convert(str(TZ)).dt.tz_localize(None).dt.normalize()
    x = x.assign(day=day).sort_values(["key", "customer_id", "day"])
    grouped = x.groupby(["key", "customer_id"])
    x["gap"] = grouped.day.diff().dt.days
    per_customer = grouped.agg(n=("day", "size"), last=("day", "max"), name=("product_name", "max"))
    repeaters = (per_customer.n >= 2).groupby(level=0).sum()
    cycle = x.dropna(subset=["gap"]).groupby("key").gap.median()
    cycle = cycle[repeaters.reindex(cycle.index) >= 5]
    since = (pd.Timestamp(today) - per_customer["last"]).dt.days
    c = per_customer.index.get_level_values(0).map(cycle)
    due = ((since + 6 >= c) & (since < 2 * c)).groupby(level=0).sum()
    out = pd.DataFrame(
        {"cycle": cycle, "customers": repeaters.reindex(cycle.index), "due": due.reindex(cycle.index)}
    )
    out["name"] = per_customer.name.groupby(level=0).max().reindex(out.index)
    out["lower"] = out.name.str.lower()
    out = out.sort_values(["due", "cycle", "lower"], ascending=[False, True, True]).head(10)
    return [
        (n, float(cy), int(cu), int(du))
        for n, cy, cu, du in zip(out.name, out.cycle, out.customers, out.due, strict=True)
    ]


def pd_returns(d: dict[str, Any], start: datetime | None, end: datetime) -> list:
    lines = _valid_lines(d, start, end, (*VALID, "returned"))
    x = lines[["key", "product_name", "order_id", "status"]].drop_duplicates(["key", "order_id"])
    g = (
        x.assign(r=x.status == "returned")
        .groupby("key")
        .agg(name=("product_name", "max"), returned=("r", "sum"), n=("order_id", "size"))
    )
    g["rate"] = g.returned / g.n
    g["lower"] = g.name.str.lower()
    g = g.sort_values(["rate", "n", "lower"], ascending=[False, False, True]).head(10)
    return [(n, int(r), int(k)) for n, r, k in zip(g.name, g.returned, g.n, strict=True)]


def _reviews(d: dict[str, Any], kind: str, start: datetime | None, end: datetime) -> Any:
    i = d["inter"]
    return i[(i.kind == kind) & _in(i, "occurred", start, end)]


def pd_avg_rating(d: dict[str, Any], start: datetime | None, end: datetime) -> list:
    r = _reviews(d, "review", start, end).rating.dropna()
    return [round(float(r.mean()), 2), len(r)]


def pd_complaint_rate(d: dict[str, Any], start: datetime | None, end: datetime) -> list:
    o = d["orders"]
    orders = int((o.status.isin(VALID) & o.customer_id.notna() & _in(o, "created", start, end)).sum())
    return [round(len(_reviews(d, "complaint", start, end)) / orders, 6), orders]


def pd_nps_by_month(d: dict[str, Any], start: datetime | None, end: datetime) -> list:
    r = _reviews(d, "nps", start, end)
    month = r.occurred.dt.tz_convert(str(TZ)).dt.strftime("%Y-%m")
    s = r.rating
    nps = ((s >= 9).groupby(month).sum() - (s <= 6).groupby(month).sum()) * 100 / s.groupby(month).size()
    n = s.groupby(month).size()
    return [(m, round(float(v), 1), int(n[m])) for m, v in nps.sort_index().items()]


def pd_rating_by_product(d: dict[str, Any], start: datetime | None, end: datetime) -> list:
    r = _reviews(d, "review", start, end).dropna(subset=["order_id", "rating"])
    lines = d["lines"]
    prod = lines.product_name.fillna(lines.sku)
    op = lines[["order_id"]].assign(p=prod).dropna().drop_duplicates()
    x = r[["order_id", "rating"]].merge(op, on="order_id")
    g = x.groupby("p").rating.agg(["mean", "size"])
    # As the answer lists them: those resting on at least min_sample (30) reviews first.
    g = g.assign(v=g["mean"].round(2), small=g["size"] < 30)
    g = g.sort_values(["small", "mean", "size"], ascending=[True, False, False]).head(10)
    return [(p, float(v), int(n)) for p, v, n in zip(g.index, g.v, g["size"], strict=True)]


def pd_stages(d: dict[str, Any], day: date) -> Any:
    """Stage code per customer with a record at the end of `day` (4 = prospect)."""
    import numpy as np
    import pandas as pd

    end = pd.Timestamp(datetime.combine(day + timedelta(days=1), datetime.min.time(), tzinfo=TZ)).tz_convert(
        "UTC"
    )
    o = d["orders"]
    v = o[o.status.isin(VALID) & o.customer_id.notna() & (o.created < end)]
    g = v.groupby("customer_id").created.agg(["min", "max"])

    def local(s: Any) -> Any:
        return s.dt.tz_convert(str(TZ)).dt.tz_localize(None).dt.normalize()

    today = pd.Timestamp(day)
    age = (today - local(g["min"])).dt.days
    rec = (today - local(g["max"])).dt.days
    new_d, active_d, dormant_d = LIFECYCLE
    code = np.where(age <= new_d, 0, np.where(rec <= active_d, 1, np.where(rec <= dormant_d, 2, 3)))
    stages = pd.Series(code, index=g.index.astype("int64"))
    c = d["customers"]
    prospects = c[(c.created < end) & c.merged_into_id.isna() & ~c.id.isin(stages.index)].id
    return pd.concat([stages, pd.Series(4, index=prospects.values)])


def pd_transitions(d: dict[str, Any], d1: date, d2: date) -> list:
    import pandas as pd

    before, after = pd_stages(d, d1), pd_stages(d, d2)
    frm = before.reindex(after.index).fillna(5).astype(int)
    table = pd.crosstab(frm, after).reindex(index=range(6), columns=range(5), fill_value=0)
    # As the answer gives them: each row's customers and its shares (rounded to 4 places).
    return [
        [int(row.sum()), *(round(int(x) / row.sum(), 4) for x in row)] for row in table.values if row.sum()
    ]


def pd_second_order(d: dict[str, Any], start: datetime | None, end: datetime, window_days: int = 90) -> list:
    o = d["orders"]
    v = o[o.status.isin(VALID) & o.customer_id.notna() & (o.created < _ts(AS_OF))].sort_values(
        ["created", "id"]
    )
    v = v.assign(rank=v.groupby("customer_id").cumcount())
    first = v[v["rank"] == 0].set_index("customer_id").created
    second = v[v["rank"] == 1].set_index("customer_id").created
    new = first[(first >= _ts(start)) & (first < _ts(min(end, AS_OF)))]
    window = timedelta(days=window_days)
    observed = new <= _ts(AS_OF) - window
    gap = second.reindex(new.index) - new
    converted = int((observed & (gap <= window)).sum())
    return [len(new), int((~observed).sum()), int(observed.sum()), converted]


# ---- ours: the same figures from the answers' rows -------------------------------------------------------------


def _num(x: Any) -> Any:
    return round(float(x), 2) if isinstance(x, float) else x


def figures(
    settings: Any, scores: Any
) -> list[tuple[str, Any, Callable[[dict[str, Any]], Any], Callable[[Any], Any]]]:
    """(label, question, pandas computation, what of our answer to compare with it)."""
    import pandas as pd

    from crm.query import texts
    from crm.query.ir import MetricQuery, Period, ProductQuery, SecondOrderQuery, TransitionsQuery

    def bounds(p: Period | None) -> tuple[datetime | None, datetime]:
        from crm.query.ir import DEFAULT_PERIOD

        return (p or DEFAULT_PERIOD).bounds(AS_OF, TZ)

    today = AS_OF_DAY
    year = Period(kind="this_year")
    quarter = Period(kind="this_quarter")
    last_month = Period(kind="last_month")
    column = {"units": 1, "revenue": 2, "buyers": 3}
    segment = pd.Series(scores.segment, index=scores.ids)
    countries = {c: texts.country_name(c, "en") for c in ("SG", "MY", "TH", "PH", "ID", "US", "GB")}
    winback = segment[segment.isin(("important_winback", "important_keep"))].index

    def best(by: str, period: Period | None) -> tuple[str, Any, Any, Any]:
        return (
            f"best sellers by {by}, {period.kind if period else 'last 90 days'}",
            ProductQuery(kind="best", by=by, period=period),  # type: ignore[arg-type]
            lambda d: pd_best(d, *bounds(period), by),
            lambda r: [(row[0], _num(row[column[by]])) for row in r.rows],
        )

    def top_per_group(r: Any) -> list:
        seen: dict[str, Any] = {}
        for row in r.rows:
            seen.setdefault(row[0], (row[0], row[1], row[2]))
        return sorted(seen.values())

    out = [
        best("units", None),
        best("revenue", None),
        best("buyers", None),
        best("units", year),
        (
            "category preference by country, this year",
            ProductQuery(kind="mix", group_by="country", period=year),
            lambda d: sorted((countries[g], c, s) for g, c, s in pd_mix(d, *bounds(year), d["country"])),
            top_per_group,
        ),
        (
            "category preference by segment, this year",
            ProductQuery(kind="mix", group_by="segment", period=year),
            lambda d: sorted(
                (texts.SEGMENT_NAMES["en"][g], c, s) for g, c, s in pd_mix(d, *bounds(year), segment)
            ),
            top_per_group,
        ),
        (
            "bought together (support, confidence, lift), last 90 days",
            ProductQuery(kind="together"),
            lambda d: pd_together(d, *bounds(None)),
            lambda r: [r.value, [(a, b, n) for a, b, n, *_ in r.rows]],
        ),
        (
            "replenishment cycles and customers due",
            ProductQuery(kind="reorder"),
            lambda d: pd_reorder(d, AS_OF, today),
            lambda r: [(row[0], float(row[1]), row[2], row[3]) for row in r.rows],
        ),
        (
            "what lapsed valuable customers bought",
            ProductQuery(kind="winback"),
            lambda d: pd_best(d, None, AS_OF, "buyers", winback),
            lambda r: [(row[0], row[3]) for row in r.rows],
        ),
        (
            "return rate by product, this year",
            ProductQuery(kind="returns", period=year),
            lambda d: pd_returns(d, *bounds(year)),
            lambda r: [(row[0], row[1], row[2]) for row in r.rows],
        ),
        (
            "average rating, this quarter",
            MetricQuery(metric="avg_rating", period=quarter),
            lambda d: pd_avg_rating(d, *bounds(quarter)),
            lambda r: r.rows[0],
        ),
        (
            "complaint rate, last month",
            MetricQuery(metric="complaint_rate", period=last_month),
            lambda d: pd_complaint_rate(d, *bounds(last_month)),
            lambda r: [round(r.rows[0][0], 6), r.rows[0][1]],
        ),
        (
            "NPS by month, this year",
            MetricQuery(metric="nps", period=year, group_by="month"),
            lambda d: pd_nps_by_month(d, *bounds(year)),
            lambda r: [tuple(row) for row in r.rows],
        ),
        (
            "average rating by product, this year",
            MetricQuery(metric="avg_rating", period=year, group_by="product"),
            lambda d: pd_rating_by_product(d, *bounds(year)),
            lambda r: [tuple(row) for row in r.rows[:10]],
        ),
        (
            "transitions, last 30 days (default)",
            TransitionsQuery(),
            lambda d: pd_transitions(d, today - timedelta(days=30), today),
            lambda r: [row[1:] for row in r.rows],
        ),
        (
            "transitions, 2026-01-01 to 2026-06-30",
            TransitionsQuery(start=date(2026, 1, 1), end=date(2026, 6, 30)),
            lambda d: pd_transitions(d, date(2026, 1, 1), date(2026, 6, 30)),
            lambda r: [row[1:] for row in r.rows],
        ),
        (
            "second orders of 2026-06's new customers",
            SecondOrderQuery(period=Period(kind="month", year=2026, month=6)),
            lambda d: pd_second_order(d, *Period(kind="month", year=2026, month=6).bounds(AS_OF, TZ)),
            lambda r: r.rows[0],
        ),
    ]
    return out


def same(a: Any, b: Any) -> bool:
    """Equal, numbers to 4 significant digits (shares are rounded in answers)."""
    if isinstance(a, (list, tuple)) and isinstance(b, (list, tuple)):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, (int, float)) and isinstance(b, (int, float)):
        return math.isclose(float(a), float(b), rel_tol=1e-4, abs_tol=1e-4)
    return bool(a == b)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--orders", type=int, default=1_000_000)
    ap.add_argument("--customers", type=int, default=200_000)
    ap.add_argument("--workdir", default=os.path.join(tempfile.gettempdir(), "sellermate-bench-analytics"))
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--pandas-runs", type=int, default=3)
    ap.add_argument("--only", help="only the figures whose label contains one of these (comma-separated)")
    ap.add_argument(
        "--skip", help="leave out the figures whose label contains one of these (comma-separated)"
    )
    a = ap.parse_args()
    work = Path(a.workdir)
    work.mkdir(parents=True, exist_ok=True)
    path = shop_path(work, a.orders, a.customers)

    from bot.settings import Settings
    from crm.analytics.metrics import customer_scores
    from crm.query.compiler import execute
    from storage.db import open_database

    loop = asyncio.new_event_loop()
    db = loop.run_until_complete(open_database(f"sqlite+aiosqlite:///{path}"))
    settings = Settings(workspace={"timezone": str(TZ), "base_currency": "SGD"})

    async def segments() -> Any:
        async with db.sessions() as s:
            return await customer_scores(s, 1, AS_OF, TZ)

    t = time.perf_counter()
    data = load(path)
    import pandas as pd

    c = data["customers"]
    data["country"] = pd.Series(c.country.values, index=c.id.values).dropna()
    print(f"pandas: tables read in {time.perf_counter() - t:.1f}s (not timed below)", flush=True)
    scores = loop.run_until_complete(segments())
    print(
        f"{a.orders:,} orders, {len(data['lines']):,} lines, {a.customers:,} customers, "
        f"{len(data['inter']):,} service interactions, SQLite; load average {os.getloadavg()[0]:.2f}",
        flush=True,
    )
    print(
        f"\n{'figure':58s} {'cold ms':>8s} {'warm ms':>8s} {'pandas ms':>10s} {'ratio':>6s}  <250ms  same",
        flush=True,
    )
    missed, mismatched = [], []
    for label, q, baseline, extract in figures(settings, scores):
        if a.only and not any(w in label for w in a.only.split(",")):
            continue
        if a.skip and any(w in label for w in a.skip.split(",")):
            continue

        def ours(q: Any = q) -> Any:
            return loop.run_until_complete(execute(q, db=db, workspace_id=1, settings=settings, as_of=AS_OF))

        t = time.perf_counter()
        result = ours()
        cold = time.perf_counter() - t
        warm_times = []
        for _ in range(a.runs):
            t = time.perf_counter()
            ours()
            warm_times.append(time.perf_counter() - t)
        warm = statistics.median(warm_times)
        pandas_times = []
        expected = None
        for _ in range(a.pandas_runs):
            t = time.perf_counter()
            expected = baseline(data)
            pandas_times.append(time.perf_counter() - t)
        base = statistics.median(pandas_times)
        got = extract(result)
        agree = same(got, expected)
        if warm >= TARGET:
            missed.append(label)
        if not agree:
            mismatched.append(label)
        print(
            f"{label:58s} {cold * 1000:8.1f} {warm * 1000:8.1f} {base * 1000:10.1f} {warm / base:6.2f}  "
            f"{'yes' if warm < TARGET else 'NO':6s}  {'yes' if agree else 'MISMATCH'}",
            flush=True,
        )
        if not agree:
            print(f"    ours:   {str(got)[:400]}\n    pandas: {str(expected)[:400]}", flush=True)
    print(f"\nload average {os.getloadavg()[0]:.2f}", flush=True)
    print(f"over 250 ms warm: {len(missed)}" + (f" ({'; '.join(missed)})" if missed else ""))
    print(
        f"ours and pandas disagree: {len(mismatched)}" + (f" ({'; '.join(mismatched)})" if mismatched else "")
    )
    loop.run_until_complete(db.dispose())
    loop.close()


if __name__ == "__main__":
    main()
