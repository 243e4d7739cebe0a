"""Reminders benchmark: 100,000 pending reminders in the job store, then a batch due at the same moment.

    python bench/bench_reminders.py [--reminders 100000] [--batch 1000] [--chats 50] [--lead 20]
                                    [--db sqlite|postgres] [--pg-url URL] [--groups] [--json FILE] [--check]

1. Creates a fresh database (a SQLite file in a temporary folder, or a new PostgreSQL database next to
   `--pg-url`, dropped afterwards) and inserts N pending reminders due over the next 90 days for 1,000 users
   (one set-based multi-row INSERT per 10,000 rows).
2. Starts the fake Telegram Bot API server (tests/fakes/telegram_server.py) on loopback in its own thread and
   event loop (as a remote server would be), the REAL aiogram Bot (bot.app.build_bot) pointed at it, and a
   real `SchedulerService` with its real `Sender` (30 messages/s overall, 20/min per group, 1/s per private
   chat), so the pacing is the production one.
3. Start-up = `start()` + `started()`: the job table is created and the minute sync gives every one of the N
   reminders its APScheduler job (bulk insert of pickled jobs). Memory = resident set size after it
   (current and peak, this process, which also hosts the fake server).
4. Inserts `--batch` reminders all due at the same instant, `--lead` seconds ahead on the wall clock, spread
   over `--chats` chats (private chats; `--groups` makes them groups, 20 messages/min each), lets the sync
   schedule them, and waits. Lateness of each = the fake server receiving its sendMessage minus the due time.

Printed: start-up time, jobs, memory, batch p50/p95/p99/max lateness, how many fired within 60 s of the due
time, and the ratio of the worst lateness to the 60 s target. The floor set by the rate limits is
(batch - 1) / 30 s overall (33 s for 1,000), or more when one chat gets many (1/s per private chat). `--check` exits 1 when the target is missed.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import os
import random
import resource
import statistics
import sys
import tempfile
import threading
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

TARGET_S = 60.0
TOKEN = "123456:BENCH-token"
TZ = "Asia/Singapore"
DEFAULT_PG = os.environ.get("SELLERMATE_TEST_PG_URL", "postgresql+asyncpg://postgres@127.0.0.1:5432/postgres")


# --- memory ------------------------------------------------------------------------------------------------
def rss_mb() -> tuple[float, float]:
    """(current, peak) resident set size of this process in MB."""
    try:
        import psutil  # optional

        current = psutil.Process().memory_info().rss / 2**20
    except ImportError:
        current = math.nan
        try:
            for line in Path("/proc/self/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    current = int(line.split()[1]) / 1024
        except OSError:
            pass
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    peak_mb = peak / 2**20 if sys.platform == "darwin" else peak / 1024  # bytes on macOS, KB on Linux
    return current, peak_mb


# --- the fake Bot API in its own thread ---------------------------------------------------------------------
class ServerThread:
    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, name="fake-telegram", daemon=True)
        self.server: Any = None

    def start(self) -> Any:
        from tests.fakes.telegram_server import FakeTelegramServer

        self.thread.start()
        self.server = asyncio.run_coroutine_threadsafe(FakeTelegramServer().start(), self.loop).result()
        return self.server

    def stop(self) -> None:
        asyncio.run_coroutine_threadsafe(self.server.stop(), self.loop).result()
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(5)


# --- database ------------------------------------------------------------------------------------------------
async def admin_pg(pg_url: str, sql: str) -> None:
    from sqlalchemy import text

    from storage.db import create_engine

    engine = create_engine(pg_url).execution_options(isolation_level="AUTOCOMMIT")
    async with engine.connect() as conn:
        await conn.execute(text(sql))
    await engine.dispose()


async def insert_reminders(db: Any, workspace_id: int, rows: list[dict[str, Any]]) -> None:
    from sqlalchemy import insert

    from storage.models import Reminder

    async with db.sessions() as session:
        for start in range(0, len(rows), 10_000):
            await session.execute(insert(Reminder.__table__), rows[start : start + 10_000])
        await session.commit()


def reminder_rows(
    workspace_id: int, n: int, *, due: Any, chats: list[int], text: str
) -> list[dict[str, Any]]:
    return [
        {
            "workspace_id": workspace_id,
            "chat_id": chats[i % len(chats)],
            "text": f"{text} #{i}",
            "due_at": due(i),
            "timezone": TZ,
            "status": "pending",
            "late": False,
        }
        for i in range(n)
    ]


def floor_seconds(batch: int, chats: int, groups: bool, rules: Any) -> float:
    """The least lateness the rate limits allow for the last message: 30/s overall, and per chat 1/s (private)
    or 20 per minute (group)."""
    overall = (batch - 1) / rules.messages_per_second
    per_chat = math.ceil(batch / chats)
    if groups:
        chat = (math.ceil(per_chat / rules.group_messages_per_minute) - 1) * 60.0
    else:
        chat = per_chat - 1.0
    return max(overall, chat)


def pct(values: list[float], p: float) -> float:
    if not values:
        return math.nan
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, math.ceil(p / 100 * len(ordered)) - 1))]


# --- the run -------------------------------------------------------------------------------------------------
async def run(args: argparse.Namespace) -> dict[str, Any]:
    from sqlalchemy import func, select, text

    from bot.app import build_bot
    from bot.scheduler import SchedulerService
    from bot.settings import Settings
    from storage.db import open_database
    from storage.models import Reminder
    from storage.repositories.workspaces import get_or_create_workspace

    workdir = Path(tempfile.mkdtemp(prefix="sellermate-bench-reminders-"))
    pg_name = None
    if args.db == "postgres":
        from sqlalchemy.engine import make_url

        pg_name = f"sellermate_bench_{uuid.uuid4().hex[:8]}"
        await admin_pg(args.pg_url, f'CREATE DATABASE "{pg_name}"')
        url = make_url(args.pg_url).set(database=pg_name).render_as_string(hide_password=False)
    else:
        url = f"sqlite+aiosqlite:///{workdir / 'reminders.db'}"
    result: dict[str, Any] = {
        "db": args.db,
        "reminders": args.reminders,
        "batch": args.batch,
        "chats": args.chats,
        "chat_kind": "group" if args.groups else "private",
    }
    server_thread = ServerThread()
    db = await open_database(url)
    service = None
    bot = None
    try:
        async with db.sessions() as session:
            ws = await get_or_create_workspace(session, name="Bench shop", base_currency="SGD", timezone=TZ)
            await session.commit()
            workspace_id = ws.id

        rng = random.Random(7)
        now = datetime.now(UTC)
        users = [100_000 + i for i in range(1000)]
        t = time.perf_counter()
        await insert_reminders(
            db,
            workspace_id,
            reminder_rows(
                workspace_id,
                args.reminders,
                chats=users,
                text="follow up",
                due=lambda i: now + timedelta(days=1 + rng.random() * 89),
            ),
        )
        result["insert_s"] = time.perf_counter() - t
        print(f"inserted {args.reminders:,} pending reminders in {result['insert_s']:.1f} s", flush=True)

        tg = server_thread.start()
        settings = Settings(
            database={"url": url},
            telegram={"token": TOKEN, "api_url": tg.base_url},
            workspace={"name": "Bench shop", "timezone": TZ},
            language="en",
        )
        bot = build_bot(settings)
        service = SchedulerService(settings, db, bot, workspace_id=workspace_id)  # the real Sender

        rss0, _ = rss_mb()
        t = time.perf_counter()
        service.start()
        await service.started()
        result["startup_s"] = time.perf_counter() - t
        async with db.sessions() as session:
            result["jobs"] = (
                await session.execute(text("SELECT count(*) FROM apscheduler_jobs"))
            ).scalar_one()
        rss1, peak1 = rss_mb()
        result.update(rss_before_mb=rss0, rss_after_start_mb=rss1, peak_after_start_mb=peak1)
        print(
            f"start-up {result['startup_s']:.1f} s, {result['jobs']:,} jobs, RSS {rss1:.0f} MB "
            f"(peak {peak1:.0f} MB)",
            flush=True,
        )

        # The batch: all due at the same instant, a few seconds ahead on the wall clock.
        batch_chats = [(-1_000_000_000_000 - i) if args.groups else (900_000 + i) for i in range(args.chats)]
        wanted = set(batch_chats)
        arrivals: list[float] = []
        lock = threading.Lock()

        def on_call(call: Any) -> None:  # in the server's thread
            if call.method == "sendMessage" and call.status == 200 and call.chat_id in wanted:
                with lock:
                    arrivals.append(call.at)

        tg.listeners.append(on_call)
        due_at = datetime.fromtimestamp(math.ceil(time.time()) + args.lead, UTC)
        due_mono = due_at.timestamp() - (time.time() - time.monotonic())
        t = time.perf_counter()
        await insert_reminders(
            db,
            workspace_id,
            reminder_rows(workspace_id, args.batch, chats=batch_chats, text="batch", due=lambda i: due_at),
        )
        scheduled = await service.sync_reminders()  # what the minute sync (or a bot replica) does
        result["batch_schedule_s"] = time.perf_counter() - t
        print(
            f"batch of {args.batch:,} inserted and scheduled ({scheduled:,} jobs) in "
            f"{result['batch_schedule_s']:.1f} s; due at {due_at:%H:%M:%S} UTC",
            flush=True,
        )

        deadline = due_mono + TARGET_S + args.extra
        while time.monotonic() < deadline:
            with lock:
                if len(arrivals) >= args.batch:
                    break
            await asyncio.sleep(0.2)
        with lock:
            lateness = [a - due_mono for a in arrivals]
        _, peak2 = rss_mb()
        async with db.sessions() as session:
            fired = (
                await session.execute(
                    select(func.count())
                    .select_from(Reminder)
                    .where(Reminder.chat_id.in_(batch_chats), Reminder.status == "fired")
                )
            ).scalar_one()
            pending_other = (
                await session.execute(
                    select(func.count()).select_from(Reminder).where(Reminder.status == "pending")
                )
            ).scalar_one()
        result.update(
            received=len(lateness),
            fired_in_db=fired,
            still_pending=pending_other,
            peak_mb=peak2,
            p50_s=pct(lateness, 50),
            p95_s=pct(lateness, 95),
            p99_s=pct(lateness, 99),
            max_s=max(lateness) if lateness else math.nan,
            min_s=min(lateness) if lateness else math.nan,
            mean_s=statistics.fmean(lateness) if lateness else math.nan,
            within_target=sum(1 for x in lateness if x <= TARGET_S),
            floor_s=floor_seconds(args.batch, args.chats, args.groups, settings.scheduler),
            sent=service.sender.sent if service.sender else 0,
            retried=service.sender.retried if service.sender else 0,
        )
        result["met"] = result["within_target"] == args.batch
    finally:
        if service is not None:
            await service.stop()
        if bot is not None:
            await bot.session.close()
        await db.dispose()
        if server_thread.server is not None:
            server_thread.stop()
        if pg_name is not None:
            await admin_pg(args.pg_url, f'DROP DATABASE IF EXISTS "{pg_name}" WITH (FORCE)')
    return result


def print_table(r: dict[str, Any]) -> None:
    rows = [
        ("pending reminders (job store)", f"{r['reminders']:,} ({r['jobs']:,} jobs)", ""),
        ("insert N reminders (set-based)", f"{r['insert_s']:.1f} s", ""),
        ("start-up: start() + started()", f"{r['startup_s']:.1f} s", ""),
        ("RSS after start-up", f"{r['rss_after_start_mb']:.0f} MB (before {r['rss_before_mb']:.0f} MB)", ""),
        ("peak RSS (whole run)", f"{r['peak_mb']:.0f} MB", ""),
        (
            f"batch: {r['batch']:,} due at one instant, {r['chats']} {r['chat_kind']} chats",
            f"scheduled in {r['batch_schedule_s']:.1f} s",
            "",
        ),
        ("lateness p50", f"{r['p50_s']:.1f} s", f"{r['p50_s'] / TARGET_S:.2f}×"),
        ("lateness p95", f"{r['p95_s']:.1f} s", f"{r['p95_s'] / TARGET_S:.2f}×"),
        ("lateness p99", f"{r['p99_s']:.1f} s", f"{r['p99_s'] / TARGET_S:.2f}×"),
        ("lateness max", f"{r['max_s']:.1f} s", f"{r['max_s'] / TARGET_S:.2f}×"),
        ("floor set by the rate limits", f"{r['floor_s']:.1f} s", f"{r['floor_s'] / TARGET_S:.2f}×"),
        (
            "received by the fake Telegram",
            f"{r['received']:,} of {r['batch']:,} ({r['fired_in_db']:,} marked fired)",
            "",
        ),
        (
            "fired within 60 s of due",
            f"{r['within_target']:,} of {r['batch']:,}",
            "met" if r["met"] else "MISSED",
        ),
    ]
    width = max(len(a) for a, _, _ in rows)
    vwidth = max(len(b) for _, b, _ in rows)
    print()
    print(f"{'measure':<{width}}  {'value':<{vwidth}}  vs target 60 s")
    print(f"{'-' * width}  {'-' * vwidth}  {'-' * 15}")
    for a, b, c in rows:
        print(f"{a:<{width}}  {b:<{vwidth}}  {c}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--reminders", type=int, default=100_000, help="pending reminders (default 100,000)")
    parser.add_argument(
        "--batch", type=int, default=1000, help="reminders due at the same instant (default 1,000)"
    )
    parser.add_argument("--chats", type=int, default=50, help="chats the batch is spread over (default 50)")
    parser.add_argument(
        "--lead", type=float, default=20.0, help="seconds between scheduling and the due time"
    )
    parser.add_argument("--extra", type=float, default=60.0, help="seconds to keep waiting after the target")
    parser.add_argument("--db", choices=("sqlite", "postgres"), default="sqlite")
    parser.add_argument("--pg-url", default=DEFAULT_PG, help="PostgreSQL server URL for --db postgres")
    parser.add_argument("--groups", action="store_true", help="the batch goes to group chats (20/min each)")
    parser.add_argument("--json", help="write the figures to this file")
    parser.add_argument("--check", action="store_true", help="exit 1 when not all fired within 60 s")
    args = parser.parse_args()
    result = asyncio.run(run(args))
    print_table(result)
    if args.json:
        Path(args.json).write_text(json.dumps(result, indent=2, default=str))
    return 1 if args.check and not result["met"] else 0


if __name__ == "__main__":
    sys.exit(main())
