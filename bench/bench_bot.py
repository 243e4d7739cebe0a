"""Bot benchmark: 200 chats asking KPI questions through the real bot at once, on a database imports built.

    python bench/bench_bot.py [--lines 1600000] [--chats 200] [--questions 5] [--think 2.0] [--db URL]
                              [--workdir DIR] [--no-direct] [--no-warm] [--profile FILE] [--check]

The database is built the way a seller's is, once, and cached in the work folder: bench/bench_import.py's
writers write a Shopify `orders_export.csv` (60 % of `--lines`) and a TikTok Shop orders CSV (40 %) in the
platforms' real layouts, and `crm.importing.service.import_file` imports them (≈1.6 lines per order: the
default makes ≈1,000,000 orders over 2024-2025). Then the fake Telegram Bot API server
(tests/fakes/telegram_server.py) starts in a process of its own (real Telegram's work is not the bot's) and the
REAL aiogram Bot and Dispatcher (bot.app.build_bot / build_dispatcher) long-poll it. Every chat is a team
member; each of `--chats` users asks `--questions` KPI questions (English and Chinese, e.g. "revenue last
month", "上个月的销售额"), waiting a random think time (exponential, mean `--think` seconds) before each.

Printed as they come (flushed, and a progress line every 10 s, so a run that fails still reports): the first
answer after start; then answers/s, p50/p95/p99 reply latency (update queued on the fake server -> the
server receiving the bot's sendMessage for that chat) and **CPU ms per answer** (this process's CPU time over
the load phase / answers: the bot, aiogram, aiohttp and the database threads, not the fake server's);
then the named baseline, **direct**: the same questions through `crm.query.service.ask` in-process with the
bot's shared-answer cache and the same concurrency (no Telegram, no middleware), and the ratios bot/direct.
Targets (issue 22): bot p95 < 500 ms and < 10 ms CPU per answer on 2 cores; `--check` exits 1 when the p95
target is missed. `--profile FILE` writes a cProfile of the bot's load phase (read it with pstats).
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
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

TARGET_P95_MS = 500.0
TARGET_CPU_MS = 10.0
TZ = ZoneInfo("Asia/Singapore")
NOW = datetime(2025, 12, 20, 18, 0, tzinfo=TZ)  # the exports' orders run from January 2024 to December 2025
TOKEN = "123456:BENCH-token"
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
def say(line: str) -> None:
    """Print a figure as it comes (flushed): a run that fails later has still reported what it measured."""
    print(line, flush=True)


def _writers() -> Any:
    """bench/bench_import.py's export writers (real Shopify and TikTok Shop layouts)."""
    here = str(Path(__file__).resolve().parent)
    if here not in sys.path:
        sys.path.insert(0, here)
    import bench_import

    return bench_import


async def build_database(url: str, lines: int, workdir: Path) -> tuple[Any, int]:
    """Open the bench database, built once by the real import path: a Shopify `orders_export.csv` (60 % of
    the lines) and a TikTok Shop orders CSV (40 %), written in the platforms' layouts by bench_import's
    writers and imported with `crm.importing.service.import_file`, as a seller's own exports are (order
    statistics, `previous_order_at`, identities, lines and products as an import writes them). Returns
    (Database, workspace_id). A SQLite file is cached in the work folder; a file whose build did not finish is
    built again."""
    from sqlalchemy import func, select

    from bot.settings import WorkspaceSettings
    from crm.importing.service import import_file
    from storage.db import open_database
    from storage.models import Order
    from storage.repositories.workspaces import get_or_create_workspace

    sqlite_file = Path(url.split("///", 1)[1]) if url.startswith("sqlite") else None
    done_mark = sqlite_file.with_suffix(".built") if sqlite_file is not None else None
    if sqlite_file is not None and done_mark is not None and not done_mark.exists():
        for leftover in sqlite_file.parent.glob(sqlite_file.name + "*"):
            leftover.unlink()  # an unfinished build (the WAL files too)
    db = await open_database(url)
    async with db.sessions() as session:
        ws = await get_or_create_workspace(session, name="Bench shop", base_currency="SGD", timezone=str(TZ))
        have = (
            await session.execute(select(func.count()).select_from(Order).where(Order.workspace_id == ws.id))
        ).scalar_one()
        await session.commit()
        workspace_id = ws.id
    if have:
        say(f"database: {have:,} orders (built before, cached)")
        return db, workspace_id

    writers = _writers()
    settings = WorkspaceSettings(base_currency="SGD", timezone=str(TZ), fx_rates=writers.RATES)
    shopify_lines = lines * 6 // 10
    exports = [
        (workdir / f"bot-shopify-{shopify_lines}.csv", writers.write_shopify, shopify_lines, 1),
        (workdir / f"bot-tiktok-{lines - shopify_lines}.csv", writers.write_tiktok, lines - shopify_lines, 2),
    ]
    for path, write, n, seed in exports:
        if not path.exists():
            t0 = time.perf_counter()
            partial = path.with_suffix(".part")
            write(partial, n, seed=seed)
            partial.rename(path)
            say(f"wrote {path.name} ({n:,} lines) in {time.perf_counter() - t0:.0f}s")
    for path, *_ in exports:
        t0 = time.perf_counter()
        report = await import_file(db, workspace_id, path, settings=settings.for_import())
        say(
            f"imported {path.name}: {report.orders_new:,} orders, {report.customers_new:,} customers, "
            f"{report.rows_rejected} rows rejected in {time.perf_counter() - t0:.0f}s"
        )
    if done_mark is not None:
        done_mark.touch()
    return db, workspace_id


# ---------------------------------------------------------------- the fake Bot API, in a process of its own
def _serve_fake_telegram(conn: Any) -> None:
    """Child process: the fake Bot API server; reads (user_id, text) updates to queue from `conn` and sends
    back (chat_id, monotonic time) for every sendMessage it receives, then, when told to stop, its CPU time.
    Real Telegram's work is not the bot's: in a process of its own, the server's CPU is not counted as the
    bot's (CLOCK_MONOTONIC is one clock for both processes)."""
    import threading

    from tests.fakes.telegram_server import Call, FakeTelegramServer

    async def go() -> None:
        loop = asyncio.get_running_loop()
        server = await FakeTelegramServer().start()
        stopped = loop.create_future()

        def on_call(call: Call) -> None:
            if call.method == "sendMessage" and call.status == 200:
                conn.send(("sent", call.chat_id, call.at))
            server.calls.clear()  # a long run would otherwise keep every call
            server.messages.clear()

        server.listeners.append(on_call)
        conn.send(("url", server.base_url))

        def reader() -> None:
            while True:
                msg = conn.recv()
                if msg[0] == "stop":
                    loop.call_soon_threadsafe(stopped.set_result, None)
                    return
                loop.call_soon_threadsafe(server.send_text, msg[1], msg[2])

        threading.Thread(target=reader, daemon=True).start()
        await stopped
        await server.stop()
        conn.send(("cpu", time.process_time()))

    asyncio.run(go())


class FakeTelegram:
    """The parent's handle on the child's fake server: `ask(user, text)` -> the reply latency in seconds."""

    def __init__(self) -> None:
        import multiprocessing

        ctx = multiprocessing.get_context("spawn")
        self.conn, child = ctx.Pipe()
        self.process = ctx.Process(target=_serve_fake_telegram, args=(child,), daemon=True)
        self.waiting: dict[int, asyncio.Future[float]] = {}
        self.asked = self.answered = 0  # updates queued, sendMessage calls received
        self.base_url = ""
        self.server_cpu = 0.0

    async def start(self) -> FakeTelegram:
        self.process.start()
        loop = asyncio.get_running_loop()
        kind, self.base_url = await asyncio.to_thread(self.conn.recv)
        assert kind == "url"
        loop.add_reader(self.conn.fileno(), self._receive)
        return self

    def _receive(self) -> None:
        while self.conn.poll():
            try:
                msg = self.conn.recv()
            except EOFError:  # the server process has ended
                asyncio.get_running_loop().remove_reader(self.conn.fileno())
                return
            if msg[0] == "sent":
                self.answered += 1
                fut = self.waiting.pop(msg[1] or 0, None)
                if fut is not None and not fut.done():
                    fut.set_result(msg[2])
            elif msg[0] == "cpu":
                self.server_cpu = msg[1]

    async def ask(self, user_id: int, text: str, timeout: float = 120.0) -> float:
        fut: asyncio.Future[float] = asyncio.get_running_loop().create_future()
        self.waiting[user_id] = fut
        sent = time.monotonic()
        self.asked += 1
        self.conn.send(("update", user_id, text))
        return await asyncio.wait_for(fut, timeout) - sent

    async def drain(self) -> None:
        """Wait (up to 5 s) for the bot's last messages in flight; say so when some never came."""
        for _ in range(50):
            if self.answered >= self.asked:
                break
            await asyncio.sleep(0.1)
        if self.answered != self.asked:
            say(f"  note: {self.asked} questions sent, {self.answered} sendMessage calls received")

    async def stop(self) -> None:
        self.conn.send(("stop",))
        for _ in range(100):
            if self.server_cpu:
                break
            await asyncio.sleep(0.05)
        if not self.conn.closed:
            asyncio.get_running_loop().remove_reader(self.conn.fileno())
        self.process.join(5)


# ---------------------------------------------------------------- where an answer's CPU goes
# Areas of the code, by the path of the function that spent the time (cProfile's own time, not cumulative):
# the first pattern a path contains names its area.
AREAS: list[tuple[str, tuple[str, ...]]] = [
    ("parsing (crm/query/parser, parsing)", ("crm/query/pars", "crm/query/reading", "crm/query/names")),
    ("answer + cache (crm/query service, cache, compiler)", ("crm/query/", "crm/analytics/")),
    ("rendering (bot/render, answer_view, limits)", ("bot/render", "bot/answer_view", "bot/limits")),
    ("Fluent texts (crm/text, fluent, babel)", ("crm/text", "bot/i18n", "fluent/", "babel/")),
    ("HTML escaping (html)", ("/html/",)),
    ("middlewares + FSM storage (bot/middlewares, fsm_storage)", ("bot/middlewares", "bot/fsm_storage")),
    ("handlers", ("/handlers/",)),
    ("repositories (storage/)", ("/storage/",)),
    ("SQLAlchemy", ("sqlalchemy/",)),
    ("aiosqlite / asyncpg (calling side)", ("aiosqlite/", "asyncpg/", "sqlite3")),
    ("aiogram (dispatch, filters, types)", ("aiogram/",)),
    ("pydantic (aiogram's types, the IR)", ("pydantic",)),
    ("HTTP client (aiohttp, multidict, yarl, json)", ("aiohttp/", "multidict", "yarl/", "json/", "_json")),
    ("asyncio event loop + sockets", ("asyncio/", "selectors", "socket", "select.epoll", "_contextvars")),
]


def area_of(filename: str, name: str) -> str:
    where = filename if filename != "~" else name
    for area, patterns in AREAS:
        if any(p in where for p in patterns):
            return area
    return "other"


async def breakdown(server: Any, user_id: int, rounds: int, verbose: int = 0) -> None:
    """Ask the common questions one at a time (nothing else running in this process), each computed once first,
    then under cProfile, and print where the CPU of one answer goes, by area, in ms per answer. The database threads' CPU (aiosqlite runs each
    statement in a thread of its own) is the process's CPU time less the event loop thread's."""
    import cProfile
    import pstats

    n = rounds * len(QUESTIONS)
    for question in QUESTIONS:  # each computed once: what follows is the common case, a shared answer
        await server.ask(user_id, question)
    # Unprofiled first: the CPU per answer without the profiler's overhead.
    cpu0, thread0 = time.process_time(), time.thread_time()
    for i in range(n):
        await server.ask(user_id, QUESTIONS[i % len(QUESTIONS)])
    cpu, loop_cpu = time.process_time() - cpu0, time.thread_time() - thread0
    say(
        f"one at a time, {n} answers: {cpu * 1000 / n:.2f} ms CPU per answer "
        f"(event loop thread {loop_cpu * 1000 / n:.2f} ms, database threads {(cpu - loop_cpu) * 1000 / n:.2f} ms)"
    )
    profiler = cProfile.Profile(time.thread_time)  # CPU time: waiting on a socket is not spent
    profiler.enable()
    for i in range(n):
        await server.ask(user_id, QUESTIONS[i % len(QUESTIONS)])
    profiler.disable()
    if os.environ.get("BENCH_BOT_PROFILE"):
        profiler.dump_stats(os.environ["BENCH_BOT_PROFILE"])
    stats = pstats.Stats(profiler).stats  # type: ignore[attr-defined]
    areas: dict[str, float] = {}
    tops: dict[str, list[tuple[float, str]]] = {}
    total = 0.0
    for (filename, line, name), (_cc, _nc, tottime, _ct, _callers) in stats.items():
        area = area_of(filename, name)
        areas[area] = areas.get(area, 0.0) + tottime
        tops.setdefault(area, []).append((tottime, f"{Path(filename).name}:{line}({name})"))
        total += tottime
    say(
        f"event loop thread under cProfile (its overhead inflates every figure): {total * 1000 / n:.2f} ms/answer"
    )
    for area, spent in sorted(areas.items(), key=lambda kv: -kv[1]):
        say(f"  {spent * 1000 / n:6.2f} ms  {100 * spent / total:4.1f} %  {area}")
        if verbose:
            for t, where in sorted(tops[area], reverse=True)[:verbose]:
                say(f"             {t * 1000 / n:6.3f} ms  {where}")


# ---------------------------------------------------------------- load
def percentiles(samples: list[float]) -> tuple[float, float, float]:
    if len(samples) < 2:
        return (samples[0],) * 3 if samples else (math.nan,) * 3
    cuts = statistics.quantiles(samples, n=100, method="inclusive")
    return cuts[49], cuts[94], cuts[98]


def figures(name: str, latencies: list[float], wall: float, cpu: float) -> str:
    p50, p95, p99 = (x * 1000 for x in percentiles(latencies))
    n = max(len(latencies), 1)
    return (
        f"{name:<8} answers={len(latencies):>6}  {len(latencies) / wall:7.1f}/s  "
        f"p50={p50:7.1f} ms  p95={p95:7.1f} ms  p99={p99:7.1f} ms  "
        f"cpu/answer={cpu * 1000 / n:6.2f} ms  wall={wall:6.1f}s  load={os.getloadavg()[0]:.1f}"
    )


async def _progress(name: str, latencies: list[float], t0: float, cpu0: float) -> None:
    """A line every 10 s while the load runs: a run that is killed or hangs has still reported."""
    while True:
        await asyncio.sleep(10)
        say(
            "  so far: "
            + figures(name, latencies, time.perf_counter() - t0, time.process_time() - cpu0).strip()
        )


async def run_bot(db: Any, workspace_id: int, args: argparse.Namespace) -> tuple[list[float], float, float]:
    """The real bot long-polling the fake server; returns (latencies, wall seconds, bot CPU seconds)."""
    from bot.app import build_bot, build_dispatcher
    from bot.settings import Settings
    from storage.repositories.team import TeamRepository

    server = await FakeTelegram().start()
    settings = Settings(
        telegram={"token": TOKEN, "api_url": server.base_url, "throttle_per_second": 1000.0},
        workspace={"base_currency": "SGD", "timezone": str(TZ)},
    )
    users = list(range(10_001, 10_001 + args.chats))
    async with db.sessions() as session:
        team = TeamRepository(session)
        for user_id in users:
            if await team.member(workspace_id, user_id) is None:
                await team.add_member(workspace_id, user_id, role="viewer")
        await session.commit()
    bot = build_bot(settings)
    dp = build_dispatcher(settings, db, workspace_id=workspace_id, clock=lambda: NOW, warm=args.warm)
    started_up = asyncio.Event()

    async def up() -> None:  # registered after the bot's own start-up hook
        started_up.set()

    dp.startup.register(up)
    started = time.perf_counter()
    polling = asyncio.create_task(dp.start_polling(bot, handle_signals=False, polling_timeout=5))
    await started_up.wait()
    startup = time.perf_counter() - started
    cold = await server.ask(users[0], QUESTIONS[0])
    again = await server.ask(users[0], QUESTIONS[6])
    say(
        f"start-up hook {startup * 1000:.0f} ms ({'warm-up included' if args.warm else 'not warmed: --no-warm'}); "
        f"first answer after start {cold * 1000:.0f} ms (its SQL too: nothing is cached yet), a second question "
        f"{again * 1000:.0f} ms"
    )
    if args.breakdown:
        await breakdown(server, users[0], args.breakdown, int(os.environ.get("BENCH_BOT_TOP", "0")))
    latencies: list[float] = []
    profiler = None
    if args.profile:
        import cProfile

        profiler = cProfile.Profile()
        profiler.enable()

    async def chat(user_id: int) -> None:
        rng = random.Random(args.seed * 100_000 + user_id)
        for _ in range(args.questions):
            await asyncio.sleep(rng.expovariate(1 / args.think) if args.think > 0 else 0)
            latencies.append(await server.ask(user_id, rng.choice(QUESTIONS)))

    t0, cpu0 = time.perf_counter(), time.process_time()
    progress = asyncio.create_task(_progress("bot", latencies, t0, cpu0))
    try:
        await asyncio.gather(*(chat(u) for u in users))
    finally:
        progress.cancel()
    wall, cpu = time.perf_counter() - t0, time.process_time() - cpu0
    if profiler is not None:
        profiler.disable()
        profiler.dump_stats(args.profile)
        say(f"profile of the bot's load phase written to {args.profile}")
    await server.drain()
    await dp.stop_polling()
    await polling
    await server.stop()
    await bot.session.close()
    say(f"  (the fake Bot API server, in its own process, used {server.server_cpu:.1f}s of CPU: not counted)")
    return latencies, wall, cpu


async def run_direct(
    db: Any, workspace_id: int, args: argparse.Namespace
) -> tuple[list[float], float, float]:
    """The named baseline: the same questions through `ask` in-process with the bot's shared-answer cache."""
    from bot.settings import Settings
    from crm.query.cache import ResultCache
    from crm.query.service import ask

    settings = Settings(workspace={"base_currency": "SGD", "timezone": str(TZ)})
    cache = ResultCache(ttl=settings.telegram.answer_cache_seconds)
    latencies: list[float] = []

    async def chat(user_id: int) -> None:
        rng = random.Random(args.seed * 100_000 + user_id)
        for _ in range(args.questions):
            await asyncio.sleep(rng.expovariate(1 / args.think) if args.think > 0 else 0)
            t = time.monotonic()
            await ask(
                rng.choice(QUESTIONS),
                db=db,
                workspace_id=workspace_id,
                settings=settings,
                as_of=NOW,
                cache=cache,
            )
            latencies.append(time.monotonic() - t)

    t0, cpu0 = time.perf_counter(), time.process_time()
    progress = asyncio.create_task(_progress("direct", latencies, t0, cpu0))
    try:
        await asyncio.gather(*(chat(u) for u in range(10_001, 10_001 + args.chats)))
    finally:
        progress.cancel()
    return latencies, time.perf_counter() - t0, time.process_time() - cpu0


async def main_async(args: argparse.Namespace) -> int:
    workdir = Path(args.workdir)
    workdir.mkdir(parents=True, exist_ok=True)
    url = args.db or f"sqlite+aiosqlite:///{workdir / f'bot-bench-{args.lines}.db'}"
    say(f"load average at start: {' '.join(f'{x:.1f}' for x in os.getloadavg())}  cpus={os.cpu_count()}")
    db, workspace_id = await build_database(url, args.lines, workdir)
    say(
        f"lines={args.lines:,} chats={args.chats} questions/chat={args.questions} think={args.think}s "
        f"db={db.dialect} as of {NOW:%Y-%m-%d %H:%M %Z}"
    )
    try:
        bot_lat, bot_wall, bot_cpu = await run_bot(db, workspace_id, args)
        say(figures("bot", bot_lat, bot_wall, bot_cpu))
        bot_p95 = percentiles(bot_lat)[1] * 1000
        say(
            f"target bot p95 < {TARGET_P95_MS:.0f} ms: {'met' if bot_p95 < TARGET_P95_MS else 'MISSED'}   "
            f"target cpu/answer < {TARGET_CPU_MS:.0f} ms: "
            f"{'met' if bot_cpu * 1000 / max(len(bot_lat), 1) < TARGET_CPU_MS else 'MISSED'}"
        )
        if args.direct:
            direct_lat, direct_wall, direct_cpu = await run_direct(db, workspace_id, args)
            say(figures("direct", direct_lat, direct_wall, direct_cpu))
            direct_p95 = percentiles(direct_lat)[1] * 1000
            say(
                f"ratio bot/direct: p95 {bot_p95 / direct_p95:.2f}x   cpu/answer "
                f"{(bot_cpu / max(len(bot_lat), 1)) / max(direct_cpu / max(len(direct_lat), 1), 1e-9):.2f}x"
            )
    finally:
        await db.dispose()
    say(f"load average at end: {' '.join(f'{x:.1f}' for x in os.getloadavg())}")
    return 1 if args.check and bot_p95 >= TARGET_P95_MS else 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lines", type=int, default=1_600_000, help="export lines imported (≈1.6 per order)")
    parser.add_argument("--chats", type=int, default=200)
    parser.add_argument("--questions", type=int, default=5)
    parser.add_argument("--think", type=float, default=2.0, help="mean think time before each question (s)")
    parser.add_argument("--db", help="database URL (default: a cached SQLite file in the work folder)")
    parser.add_argument("--workdir", default=str(Path(tempfile.gettempdir()) / "sellermate-bench"))
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--no-direct", dest="direct", action="store_false", help="skip the direct baseline")
    parser.add_argument("--no-warm", dest="warm", action="store_false", help="do not warm up before polling")
    parser.add_argument(
        "--breakdown",
        type=int,
        default=0,
        metavar="ROUNDS",
        help="first, where one answer's CPU goes (cProfile)",
    )
    parser.add_argument("--profile", help="write a cProfile of the bot's load phase to this file")
    parser.add_argument("--check", action="store_true", help="exit 1 when the p95 target is missed")
    return asyncio.run(main_async(parser.parse_args()))


if __name__ == "__main__":
    sys.exit(main())
