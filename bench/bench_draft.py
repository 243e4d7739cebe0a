"""Outreach benchmark: time to draft one customer's message with no LLM (facts, segment, template, log row).

    python bench/bench_draft.py [--customers 20000] [--orders 60000] [--runs 50] [--workdir DIR]

Target: median under 100 ms on SQLite; prints median, p95 and the ratio median / target.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

TARGET_MS = 100.0
FIRST_MS = 0.0


async def run(path: Path, runs: int, customers: int) -> list[float]:
    from bot.settings import Settings
    from crm.outreach.service import draft_for_customer
    from storage.db import open_database

    db = await open_database(f"sqlite+aiosqlite:///{path}")
    settings = Settings(outreach={"brand_name": "Bench Shop", "sign_off": "The team"})
    as_of = datetime(2026, 11, 23, 16, 0, tzinfo=UTC)
    times: list[float] = []
    global FIRST_MS
    # Process start-up is not draft time: load the modules a draft uses lazily (analytics, Polars) first.
    import crm.analytics.metrics  # noqa: F401
    import crm.query.service  # noqa: F401

    try:
        for i in range(runs + 3):
            cid = 1 + (i * 7919) % customers
            t0 = time.perf_counter()
            await draft_for_customer(db, 1, cid, intent="winback", settings=settings, as_of=as_of, llm=None)
            if i == 0:  # cold: the day's RFM segments are computed once for all customers
                FIRST_MS = (time.perf_counter() - t0) * 1000
            if i >= 3:  # warm-up
                times.append((time.perf_counter() - t0) * 1000)
    finally:
        await db.dispose()
    return times


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--customers", type=int, default=20000)
    ap.add_argument("--orders", type=int, default=60000)
    ap.add_argument("--runs", type=int, default=50)
    ap.add_argument("--workdir", type=Path, default=None)
    args = ap.parse_args()
    from bench.bench_analytics import generate

    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="sellermate-bench-draft-"))
    path = workdir / f"draft-{args.customers}-{args.orders}.db"
    if not path.exists():
        t0 = time.perf_counter()
        generate(path, args.orders, args.customers)
        print(
            f"generated {args.customers} customers / {args.orders} orders in {time.perf_counter() - t0:.1f}s"
        )
    times = asyncio.run(run(path, args.runs, args.customers))
    median = statistics.median(times)
    p95 = statistics.quantiles(times, n=20)[-1]
    print(
        f"draft_for_customer (no LLM), {args.customers} customers: median {median:.1f} ms, p95 {p95:.1f} ms "
        f"over {len(times)} runs"
    )
    print(
        f"first draft of the day (segments computed for all customers): {FIRST_MS:.1f} ms "
        f"(ratio {FIRST_MS / TARGET_MS:.2f})"
    )
    print(f"ratio median/target: {median / TARGET_MS:.2f} (target {TARGET_MS:.0f} ms; < 1 is within target)")


if __name__ == "__main__":
    main()
