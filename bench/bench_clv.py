"""CLV benchmark: SellerMate's BG/NBD and Gamma-Gamma fits against `lifetimes` on the same shop, time and
parameters side by side (docs/metrics.md, "Predicted value (CLV)").

    python bench/bench_clv.py [--orders 1000000] [--customers 200000] [--workdir DIR] [--json FILE]

Uses the shop of bench_analytics.py (generated once into the same work directory). Prints:
- whether the features SellerMate fits (x, t_x, T per customer, built from the database: a purchase is a local
  calendar day with a valid order) equal lifetimes' summary_data_from_transaction_data(freq="D") on the same
  valid orders;
- on that same summary, unpenalised and with the default penalty (BGNBD_PENALTY, lifetimes' penalizer_coef
  scale): each fit's time (median of 3 after a warm-up), the ratio lifetimes / SellerMate, and both
  parameter sets with their relative difference; the same for Gamma-Gamma on lifetimes' spend inputs;
- the whole pipeline from the database (features + both fits + scoring) against lifetimes' pipeline.
Targets: parameters within 1% of lifetimes'; the pipeline at least 5x faster.
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
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_analytics import AS_OF_DAY, _lifetimes, generate  # noqa: E402

TZ = ZoneInfo("Asia/Singapore")


def timed(fn, runs: int = 3) -> tuple[float, Any]:  # type: ignore[no-untyped-def]
    """Median seconds of `runs` calls after a warm-up, and the last result."""
    out = fn()
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times), out


def our_scores(path: Path) -> tuple[float, Any]:
    """SellerMate's pipeline from the database (customer_scores with the CLV), timed, and its scores."""
    from crm.analytics.metrics import customer_scores
    from storage.db import open_database

    loop = asyncio.new_event_loop()
    db = loop.run_until_complete(open_database(f"sqlite+aiosqlite:///{path}"))
    as_of = datetime.combine(AS_OF_DAY + timedelta(days=1), datetime.min.time(), tzinfo=TZ)

    async def run():  # type: ignore[no-untyped-def]
        async with db.sessions() as s:
            return await customer_scores(s, 1, as_of, TZ, with_clv=True)

    try:
        return timed(lambda: loop.run_until_complete(run()))
    finally:
        loop.run_until_complete(db.dispose())
        loop.close()


def lifetimes_summary(path: Path) -> Any:
    """lifetimes' summary of the same valid orders: daily periods in the shop's time zone, up to the as-of day."""
    import pandas as pd
    from lifetimes.utils import summary_data_from_transaction_data

    con = sqlite3.connect(path)
    df = pd.read_sql(
        "SELECT customer_id, created_at, value_base FROM orders WHERE status IN ('paid','shipped','completed')",
        con,
    )
    con.close()
    df["created_at"] = pd.to_datetime(df["created_at"]).dt.tz_localize("UTC").dt.tz_convert(str(TZ))
    df["created_at"] = df["created_at"].dt.tz_localize(None)
    return summary_data_from_transaction_data(
        df,
        "customer_id",
        "created_at",
        monetary_value_col="value_base",
        observation_period_end=pd.Timestamp(AS_OF_DAY),
        freq="D",
    ).sort_index()


def rel(a: float, b: float) -> float:
    return abs(a - b) / abs(b) if b else float("inf")


def compare(title: str, names: tuple[str, ...], ours: tuple[float, ...], theirs: tuple[float, ...]) -> float:
    print(f"  {title}")
    print(f"    {'':6s} {'SellerMate':>14s} {'lifetimes':>14s} {'rel. diff':>10s}")
    worst = 0.0
    for name, a, b in zip(names, ours, theirs, strict=True):
        d = rel(a, b)
        worst = max(worst, d)
        print(f"    {name:6s} {a:14.6g} {b:14.6g} {d * 100:9.4f}%")
    return worst


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--orders", type=int, default=1_000_000)
    ap.add_argument("--customers", type=int, default=200_000)
    ap.add_argument("--workdir", default=os.path.join(tempfile.gettempdir(), "sellermate-bench-analytics"))
    ap.add_argument("--json")
    a = ap.parse_args()

    import warnings

    from lifetimes import BetaGeoFitter, GammaGammaFitter

    from crm.analytics.clv import fit_bgnbd, fit_gamma_gamma
    from crm.analytics.metrics import BGNBD_PENALTY

    warnings.filterwarnings("ignore", category=DeprecationWarning)
    work = Path(a.workdir)
    work.mkdir(parents=True, exist_ok=True)
    path = work / f"shop-{a.orders}-{a.customers}.db"
    if not path.exists():
        t = time.perf_counter()
        generate(path, a.orders, a.customers)
        print(f"generated {path.name} in {time.perf_counter() - t:.0f}s")
    load = os.getloadavg()
    print(
        f"{a.orders:,} orders, {a.customers:,} customers, SQLite; "
        f"load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f} (1, 5, 15 min) on {os.cpu_count()} cores"
    )
    result: dict[str, Any] = {"orders": a.orders, "customers": a.customers, "load_start": load[0]}

    # 1. The features: SellerMate's from the database against lifetimes' summary of the same orders.
    pipeline_s, scores = our_scores(path)
    summary = lifetimes_summary(path)
    assert scores.purchase_days is not None
    ours_x = scores.purchase_days - 1
    ours_T = scores.first_days_ago
    ours_tx = ours_T - scores.recency_days
    same_ids = np.array_equal(scores.ids, summary.index.to_numpy())
    differ = (
        int(
            (
                (ours_x != summary["frequency"].to_numpy())
                | (ours_tx != summary["recency"].to_numpy())
                | (ours_T != summary["T"].to_numpy())
            ).sum()
        )
        if same_ids
        else -1
    )
    orders_valid = int(scores.frequency.sum())
    days = int(scores.purchase_days.sum())
    print(
        f"\nfeatures: {len(scores.ids):,} customers, {orders_valid:,} valid orders on {days:,} purchase days "
        f"({orders_valid - days:,} orders share a day with the customer's previous one)"
    )
    print(
        "  x, t_x, T equal lifetimes' summary_data_from_transaction_data(freq='D') for every customer: "
        + (
            "yes"
            if differ == 0
            else f"NO ({differ} customers differ)"
            if same_ids
            else "NO (other customers)"
        )
    )
    result["features_differing"] = differ

    # 2. BG/NBD on the same summary (lifetimes' own arrays), unpenalised and with the default penalty.
    x, t_x, T = (summary[c].to_numpy(dtype=float) for c in ("frequency", "recency", "T"))
    print("\nBG/NBD fit on the same summary (median of 3 after a warm-up)")
    worst = 0.0
    for label, penalty in (("unpenalised", 0.0), (f"default penalty {BGNBD_PENALTY}", BGNBD_PENALTY)):
        ours_s, ours = timed(lambda p=penalty: fit_bgnbd(x, t_x, T, penalty=p))
        theirs_s, theirs = timed(lambda p=penalty: BetaGeoFitter(penalizer_coef=p).fit(x, t_x, T).params_)
        print(
            f"  {label}: SellerMate {ours_s * 1000:.0f} ms, lifetimes {theirs_s * 1000:.0f} ms: "
            f"{theirs_s / ours_s:.1f}x"
        )
        names = ("r", "alpha", "a", "b")
        d = compare(
            f"parameters ({label})",
            names,
            tuple(getattr(ours, n) for n in names),
            tuple(float(theirs[n]) for n in names),
        )
        worst = max(worst, d)
        result[f"bgnbd_{penalty}"] = {
            "ours_seconds": ours_s,
            "lifetimes_seconds": theirs_s,
            "ours": {n: getattr(ours, n) for n in names},
            "lifetimes": {n: float(theirs[n]) for n in names},
        }

    # 3. Gamma-Gamma on lifetimes' spend inputs (repeat buyers: repeat purchase days, their mean value).
    repeat = summary[(summary["frequency"] > 0) & (summary["monetary_value"] > 0)]
    n, m = repeat["frequency"].to_numpy(dtype=float), repeat["monetary_value"].to_numpy(dtype=float)
    ours_s, gg = timed(lambda: fit_gamma_gamma(n, m))
    theirs_s, ggf = timed(lambda: GammaGammaFitter(penalizer_coef=0.0).fit(n, m).params_)
    print(
        f"\nGamma-Gamma fit on lifetimes' spend inputs ({len(n):,} repeat buyers): SellerMate "
        f"{ours_s * 1000:.0f} ms, lifetimes {theirs_s * 1000:.0f} ms: {theirs_s / ours_s:.1f}x"
    )
    assert gg is not None
    worst = max(worst, compare("parameters (unpenalised)", ("p", "q", "v"), (gg.p, gg.q, gg.v), tuple(ggf)))
    result["gamma_gamma"] = {"ours_seconds": ours_s, "lifetimes_seconds": theirs_s}

    # 4. The whole pipeline from the database.
    base_s, _ = timed(lambda: _lifetimes(path))
    ratio = base_s / pipeline_s
    print(
        f"\npipeline from the database (features, BG/NBD with the default penalty, Gamma-Gamma, scoring):\n"
        f"  SellerMate {pipeline_s * 1000:.0f} ms, lifetimes {base_s * 1000:.0f} ms: {ratio:.1f}x "
        f"(target >= 5x): {'met' if ratio >= 5 else 'MISSED'}"
    )
    print(
        f"largest parameter difference: {worst * 100:.4f}% (target <= 1%): {'met' if worst <= 0.01 else 'MISSED'}"
    )
    load = os.getloadavg()
    print(f"load average at the end {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")
    result.update(
        pipeline_seconds=pipeline_s,
        lifetimes_pipeline_seconds=base_s,
        pipeline_speedup=ratio,
        worst_parameter_difference=worst,
        load_end=load[0],
    )
    if a.json:
        Path(a.json).write_text(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
