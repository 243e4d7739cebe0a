"""Bot benchmark: many concurrent chats asking KPI questions through the real bot, on a 1,000,000-order DB.

    python bench/bench_bot.py [--orders N] [--chats 200] [--questions 5] [--think 2.0] [--db URL]
                              [--workdir DIR] [--check]

Builds (once, cached in the work folder) a SQLite database with N orders (default 1,000,000) over two years,
six stores in five countries and ~N/6 customers with a long-tailed number of orders each. Then starts the
fake Telegram Bot API server (tests/fakes/telegram_server.py) on loopback and the REAL aiogram Bot and
Dispatcher (bot.app.build_bot / build_dispatcher) long-polling it, makes every chat a team member, and lets
each of `--chats` users ask `--questions` KPI questions (English and Chinese, e.g. "revenue last month",
"上个月的复购率"), waiting a random think time (exponential, mean `--think` seconds) before each one.

Reply latency = from the moment the update is queued on the fake server until the server receives the bot's
sendMessage for that chat. Printed: answers/s, p50/p95/p99 latency; then the named baseline,
**direct**: the same questions through `crm.query.service.ask` called in-process with the same concurrency
(no Telegram, no middleware), and the ratio bot/direct at p95 (the cost of the bot layer).
Target: bot p95 < 500 ms on 2 cores; `--check` exits 1 when it is missed.
"""

from __future__ import annotations

import argparse
import asyncio
import math
import os
import random
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

TARGET_P95_MS = 500.0
TZ = ZoneInfo("Asia/Singapore")
NOW = datetime(2026, 11, 23, 18, 0, tzinfo=TZ)
TOKEN = "123456:BENCH-token"
STORES = [
    ("shopee", "shopee-sg", "SG", "SGD"),
    ("shopee", "shopee-my", "MY", "MYR"),
    ("lazada", "lazada-sg", "SG", "SGD"),
    ("lazada", "lazada-th", "TH", "THB"),
    ("tiktok", "tiktok-ph", "PH", "PHP"),
    ("shopify", "shopify", "ID", "USD"),
]
RATES = {"SGD": 1.0, "MYR": 0.30, "THB": 0.038, "PHP": 0.023, "USD": 1.34}
QUESTIONS = [
    "revenue last month",
    "how many orders last 30 days",
    "aov this year",
    "repeat rate last 90 days",
    "new customers last month",
    "revenue by platform last quarter",
    "上个月的销售额",
    "最近30天的订单数",
    "今年的客单价",
    "最近90天的复购率",
]


# ---------------------------------------------------------------- the database
async def build_database(url: str, orders: int, seed: int = 7) -> tuple[Any, int]:
    """Open (and fill once) the bench database; returns (Database, workspace_id)."""
    from sqlalchemy import func, insert, select

    from storage.db import open_database
    from storage.models import Customer, Order
    from storage.repositories.workspaces import get_or_create_store, get_or_create_workspace

    db = await open_database(url)
    async with db.sessions() as session:
        ws = await get_or_create_workspace(session, name="Bench shop", base_currency="SGD", timezone=str(TZ))
        have = (await session.execute(select(func.count()).select_from(Order))).scalar_one()
        if have >= orders:
            await session.commit()
            return db, ws.id
        stores = [
            await get_or_create_store(session, ws.id, p, n, country=c, currency=cur)
            for p, n, c, cur in STORES
        ]
        await session.commit()
        workspace_id, store_rows = ws.id, [(s.id, s.platform, s.country, s.currency) for s in stores]

    rng = random.Random(seed)
    n_customers = max(orders // 6, 10)
    t0 = time.perf_counter()
    countries = ["SG", "MY", "TH", "PH", "ID"]
    async with db.engine.begin() as conn:
        chunk = 50_000
        for start in range(0, n_customers, chunk):
            await conn.execute(
                insert(Customer),
                [
                    {
                        "workspace_id": workspace_id,
                        "display_name": f"Buyer {i:07d}",
                        "country": rng.choice(countries),
                    }
                    for i in range(start, min(n_customers, start + chunk))
                ],
            )
        first_id = (await conn.execute(select(func.min(Customer.id)))).scalar_one()
    span = 2 * 365 * 86400
    end_utc = NOW.astimezone(UTC)
    statuses = (
        ["completed"] * 80
        + ["shipped"] * 6
        + ["paid"] * 3
        + ["cancelled"] * 6
        + ["returned"] * 3
        + ["pending"] * 2
    )
    made = 0
    async with db.engine.begin() as conn:
        while made < orders:
            batch = []
            for _ in range(min(50_000, orders - made)):
                made += 1
                store_id, platform, country, currency = store_rows[rng.randrange(len(store_rows))]
                # Long tail: loyal customers (low numbers) order often, most others once or twice.
                pick = rng.random() ** 3 if rng.random() < 0.4 else rng.random()
                customer = first_id + int(pick * n_customers)
                age = span * (1 - math.sqrt(rng.random()))  # more orders recently (growth)
                created = end_utc - timedelta(seconds=age)
                value = round(rng.lognormvariate(3.4, 0.7) / RATES[currency], 2)
                batch.append(
                    {
                        "workspace_id": workspace_id,
                        "store_id": store_id,
                        "platform": platform,
                        "platform_order_id": f"B{made:09d}",
                        "customer_id": customer,
                        "status": rng.choice(statuses),
                        "currency": currency,
                        "order_value": Decimal(str(value)),
                        "value_base": Decimal(str(round(value * RATES[currency], 4))),
                        "country": country,
                        "created_at": created,
                        "paid_at": created,
                    }
                )
            await conn.execute(insert(Order), batch)
    print(f"generated {n_customers:,} customers and {orders:,} orders in {time.perf_counter() - t0:.0f}s")
    return db, workspace_id


# ---------------------------------------------------------------- load
def percentiles(samples: list[float]) -> tuple[float, float, float]:
    cuts = statistics.quantiles(samples, n=100, method="inclusive")
    return cuts[49], cuts[94], cuts[98]


async def run_bot(
    db: Any, workspace_id: int, chats: int, questions: int, think: float, seed: int
) -> tuple[list[float], float]:
    from bot.app import build_bot, build_dispatcher
    from bot.settings import Settings
    from storage.repositories.team import TeamRepository
    from tests.fakes.telegram_server import Call, FakeTelegramServer

    server = await FakeTelegramServer().start()
    settings = Settings(
        telegram={"token": TOKEN, "api_url": server.base_url, "throttle_per_second": 1000.0},
        workspace={"base_currency": "SGD", "timezone": str(TZ)},
    )
    users = list(range(10_001, 10_001 + chats))
    async with db.sessions() as session:
        team = TeamRepository(session)
        for user_id in users:
            if await team.member(workspace_id, user_id) is None:
                await team.add_member(workspace_id, user_id, role="viewer")
        await session.commit()
    bot = build_bot(settings)
    dp = build_dispatcher(settings, db, workspace_id=workspace_id, clock=lambda: NOW)
    waiting: dict[int, asyncio.Future[Call]] = {}

    def on_call(call: Call) -> None:
        if call.method == "sendMessage" and call.status == 200:
            fut = waiting.pop(call.chat_id or 0, None)
            if fut is not None and not fut.done():
                fut.set_result(call)

    server.listeners.append(on_call)
    polling = asyncio.create_task(dp.start_polling(bot, handle_signals=False, polling_timeout=5))
    await asyncio.sleep(0.5)
    loop = asyncio.get_running_loop()
    latencies: list[float] = []

    async def chat(user_id: int) -> None:
        rng = random.Random(seed * 100_000 + user_id)
        for _ in range(questions):
            await asyncio.sleep(rng.expovariate(1 / think) if think > 0 else 0)
            fut: asyncio.Future[Call] = loop.create_future()
            waiting[user_id] = fut
            sent = time.monotonic()
            server.send_text(user_id, rng.choice(QUESTIONS))
            call = await asyncio.wait_for(fut, 120)
            latencies.append(call.at - sent)

    t0 = time.perf_counter()
    await asyncio.gather(*(chat(u) for u in users))
    wall = time.perf_counter() - t0
    await dp.stop_polling()
    await polling
    await server.stop()
    return latencies, wall


async def run_direct(
    db: Any, workspace_id: int, chats: int, questions: int, think: float, seed: int
) -> tuple[list[float], float]:
    from bot.settings import Settings
    from crm.query.service import ask

    settings = Settings(workspace={"base_currency": "SGD", "timezone": str(TZ)})
    latencies: list[float] = []

    async def chat(user_id: int) -> None:
        rng = random.Random(seed * 100_000 + user_id)
        for _ in range(questions):
            await asyncio.sleep(rng.expovariate(1 / think) if think > 0 else 0)
            t = time.monotonic()
            await ask(rng.choice(QUESTIONS), db=db, workspace_id=workspace_id, settings=settings, as_of=NOW)
            latencies.append(time.monotonic() - t)

    t0 = time.perf_counter()
    await asyncio.gather(*(chat(u) for u in range(10_001, 10_001 + chats)))
    return latencies, time.perf_counter() - t0


def report(name: str, latencies: list[float], wall: float) -> float:
    p50, p95, p99 = (x * 1000 for x in percentiles(latencies))
    print(
        f"{name:<8} answers={len(latencies):>6}  {len(latencies) / wall:7.1f}/s  "
        f"p50={p50:7.1f} ms  p95={p95:7.1f} ms  p99={p99:7.1f} ms  wall={wall:6.1f}s"
    )
    return p95


async def main_async(args: argparse.Namespace) -> int:
    workdir = Path(args.workdir)
    workdir.mkdir(parents=True, exist_ok=True)
    url = args.db or f"sqlite+aiosqlite:///{workdir / f'bot-bench-{args.orders}.db'}"
    db, workspace_id = await build_database(url, args.orders)
    print(
        f"orders={args.orders:,} chats={args.chats} questions/chat={args.questions} think={args.think}s "
        f"cpus={os.cpu_count()} db={db.dialect}"
    )
    try:
        bot_lat, bot_wall = await run_bot(db, workspace_id, args.chats, args.questions, args.think, args.seed)
        direct_lat, direct_wall = await run_direct(
            db, workspace_id, args.chats, args.questions, args.think, args.seed
        )
    finally:
        await db.dispose()
    bot_p95 = report("bot", bot_lat, bot_wall)
    direct_p95 = report("direct", direct_lat, direct_wall)
    print(
        f"ratio bot/direct at p95: {bot_p95 / direct_p95:.2f}x   target bot p95 < {TARGET_P95_MS:.0f} ms: "
        f"{'met' if bot_p95 < TARGET_P95_MS else 'MISSED'}"
    )
    return 1 if args.check and bot_p95 >= TARGET_P95_MS else 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orders", type=int, default=1_000_000)
    parser.add_argument("--chats", type=int, default=200)
    parser.add_argument("--questions", type=int, default=5)
    parser.add_argument("--think", type=float, default=2.0, help="mean think time before each question (s)")
    parser.add_argument("--db", help="database URL (default: a cached SQLite file in the work folder)")
    parser.add_argument("--workdir", default=str(Path(tempfile.gettempdir()) / "sellermate-bench"))
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--check", action="store_true", help="exit 1 when the p95 target is missed")
    return asyncio.run(main_async(parser.parse_args()))


if __name__ == "__main__":
    sys.exit(main())
