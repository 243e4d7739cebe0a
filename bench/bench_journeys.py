"""Journeys benchmark: the transition table between two dates and second-order conversion, through the real
question path, on the analytics benchmark's seeded shop (bench/bench_analytics.py generates it once).

    python bench/bench_journeys.py [--orders 1000000] [--customers 200000] [--workdir DIR]

Both answers are set-based: the per-customer order statistics, one grouped query per past date for the
customers who ordered after it, one windowed query over the second orders of the period's new customers.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import tempfile
import time
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.bench_analytics import AS_OF_DAY, generate, timed  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--orders", type=int, default=1_000_000)
    ap.add_argument("--customers", type=int, default=200_000)
    ap.add_argument("--workdir", default=os.path.join(tempfile.gettempdir(), "sellermate-bench-analytics"))
    a = ap.parse_args()
    work = Path(a.workdir)
    work.mkdir(parents=True, exist_ok=True)
    path = work / f"shop-{a.orders}-{a.customers}.db"
    if not path.exists():
        t = time.perf_counter()
        generate(path, a.orders, a.customers)
        print(f"generated {path.name} in {time.perf_counter() - t:.0f}s")
    from bot.settings import Settings
    from crm.query.compiler import execute
    from crm.query.ir import Period, SecondOrderQuery, TransitionsQuery
    from storage.db import open_database

    loop = asyncio.new_event_loop()
    db = loop.run_until_complete(open_database(f"sqlite+aiosqlite:///{path}"))
    tz = ZoneInfo("Asia/Singapore")
    as_of = datetime.combine(AS_OF_DAY + timedelta(days=1), datetime.min.time(), tzinfo=tz)
    settings = Settings()

    def run(query):  # type: ignore[no-untyped-def]
        return loop.run_until_complete(execute(query, db=db, workspace_id=1, settings=settings, as_of=as_of))

    print(f"{a.orders:,} orders, {a.customers:,} customers, SQLite; load average {os.getloadavg()[0]:.2f}")
    questions = [
        ("transitions, last 30 days (default)", TransitionsQuery()),
        (
            "transitions, 2026-01-01 to 2026-06-30",
            TransitionsQuery(start=date(2026, 1, 1), end=date(2026, 6, 30)),
        ),
        (
            "second orders of 2026-06's new customers",
            SecondOrderQuery(period=Period(kind="month", year=2026, month=6)),
        ),
    ]
    for label, q in questions:
        print(f"{label:45s} {timed(lambda q=q: run(q)) * 1000:8.1f} ms")


if __name__ == "__main__":
    main()
