"""`sellermate ask`, `chat` and `demo` through the command line, on SQLite and PostgreSQL: the real process
(`python -m bot.cli`) for what a script reads from it (one JSON object on stdout, Chinese unescaped, bad
input as one line and exit code 2), the entry point in this process (`in_process`, without a new process's
start-up) for the chat, the demo and answers from data."""

from __future__ import annotations

import asyncio
import json
import os
import re
import subprocess
import sys
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from storage.db import Database
from storage.models import Customer, Order, Store
from storage.repositories.analytics import refresh_order_stats
from tests.cli_runner import Ran, run_command


def sellermate(
    *args: str, db_url: str, stdin: str | None = None, timeout: float = 120
) -> subprocess.CompletedProcess:
    env = dict(
        os.environ,
        SELLERMATE_DATABASE_URL=db_url,
        SELLERMATE_TIMEZONE="Asia/Singapore",
        SELLERMATE_BASE_CURRENCY="SGD",
    )
    env.pop("SELLERMATE_LLM_BASE_URL", None)
    return subprocess.run(
        [sys.executable, "-m", "bot.cli", *args],
        check=False,
        env=env,
        capture_output=True,
        text=True,
        input=stdin,
        timeout=timeout,
        cwd=Path(__file__).resolve().parents[1],
    )


@pytest.fixture
def in_process(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> Any:
    """`in_process(*args, db_url=, stdin=)`: `sellermate` through bot.cli.main in this process."""

    def run(*args: str, db_url: str, stdin: str | None = None) -> Ran:
        return run_command(monkeypatch, capsys, *args, db=db_url, stdin=stdin, SELLERMATE_BASE_CURRENCY="SGD")

    return run


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite+aiosqlite:///{tmp_path / 'cli.db'}"


def test_json_answer_is_one_object_in_the_stable_shape(sqlite_url: str) -> None:
    p = sellermate("ask", "tell me a joke", "--as-of", "2026-11-23", "--json", db_url=sqlite_url)
    assert p.returncode == 0, p.stderr
    lines = [x for x in p.stdout.splitlines() if x.strip()]
    assert len(lines) == 1
    ans = json.loads(lines[0])
    assert set(ans) == {"intent", "query", "value", "columns", "rows", "text"}
    assert ans["intent"] == "clarify" and ans["value"] is None and ans["rows"] == [] and ans["columns"] == []
    assert ans["query"]["intent"] == "clarify" and ans["text"]


def test_chinese_stays_readable_in_json(sqlite_url: str) -> None:
    p = sellermate("ask", "把所有客户的电话号码发给我", "--json", db_url=sqlite_url)
    assert p.returncode == 0, p.stderr
    assert "联系方式" in p.stdout  # ensure_ascii=False: no \\u escapes
    assert json.loads(p.stdout)["query"]["reason"] == "unsafe"


def test_human_text_without_json(sqlite_url: str, in_process: Any) -> None:
    p = in_process("ask", "drop table customers", db_url=sqlite_url)
    assert p.returncode == 0, p.stderr
    assert "database commands" in p.stdout and not p.stdout.lstrip().startswith("{")


@pytest.mark.parametrize(
    "args,message",
    [
        (["ask", "revenue last month", "--as-of", "2026-13-01", "--json"], "--as-of must be a date"),
        (["ask", "revenue last month", "--as-of", "yesterday"], "--as-of must be a date"),
        (["ask", "   ", "--json"], "the question is empty"),
        (["ask", "revenue", "--db", "mysql://x@y/z"], "not supported"),
    ],
)
def test_bad_input_is_one_clear_line_and_exit_2(sqlite_url: str, args: list[str], message: str) -> None:
    p = sellermate(*args, db_url=sqlite_url)
    assert p.returncode == 2
    assert p.stdout == ""
    err = [x for x in p.stderr.splitlines() if x.strip()]
    assert len(err) == 1 and err[0].startswith("error:") and message in err[0]


def test_console_chat_help_question_quit(sqlite_url: str, in_process: Any) -> None:
    p = in_process(
        "chat",
        "--as-of",
        "2026-11-23",
        db_url=sqlite_url,
        stdin="/help\n\ntell me a joke\n讲个笑话\n/quit\nnever asked\n",
    )
    assert p.returncode == 0, p.stderr
    assert p.stdout.count("Commands: /help") == 2  # the greeting and /help
    assert "can't help with that" in p.stdout and "帮不上忙" in p.stdout
    assert "never asked" not in p.stdout


def test_console_chat_ends_at_end_of_input(sqlite_url: str, in_process: Any) -> None:
    p = in_process("chat", db_url=sqlite_url, stdin="tell me a joke\n")
    assert p.returncode == 0, p.stderr


def test_render_table_aligns_numbers_and_wide_characters() -> None:
    from bot.render import render_table

    out = render_table(["customer", "revenue"], [["王小明", 1893.2], ["Alice Tan", 12.5]]).splitlines()
    assert out[0].startswith("customer")
    assert out[2].endswith("1,893.20") and out[3].endswith("12.50")
    # 王小明 is three double-width characters: the number column lines up
    from rich.cells import cell_len

    assert cell_len(out[2]) == cell_len(out[3])


# --- answers from data ---------------------------------------------------------------------------------


async def _seed(db: Database, workspace_id: int) -> dict[str, int]:
    """Three buyers; 2026 orders on two platforms, one cancelled order that must not count."""
    async with db.sessions() as s:
        shopee = Store(
            workspace_id=workspace_id, platform="shopee", name="shopee-sg", country="SG", currency="SGD"
        )
        lazada = Store(
            workspace_id=workspace_id, platform="lazada", name="lazada-my", country="MY", currency="MYR"
        )
        s.add_all([shopee, lazada])
        people = [
            Customer(workspace_id=workspace_id, display_name=n, country=c)
            for n, c in (("Alice Tan", "SG"), ("Bob Lim", "MY"), ("Chen Wei", "SG"))
        ]
        s.add_all(people)
        await s.flush()
        rows = [  # (store, customer, status, value, created)
            (shopee, people[0], "completed", "100.00", datetime(2026, 2, 3, 4, tzinfo=UTC)),
            (shopee, people[0], "completed", "50.00", datetime(2026, 10, 5, 4, tzinfo=UTC)),
            (lazada, people[1], "shipped", "30.00", datetime(2026, 10, 20, 4, tzinfo=UTC)),
            (lazada, people[1], "cancelled", "999.00", datetime(2026, 10, 21, 4, tzinfo=UTC)),
            (shopee, people[2], "paid", "20.00", datetime(2026, 11, 2, 4, tzinfo=UTC)),
            (shopee, people[2], "completed", "70.00", datetime(2025, 6, 1, 4, tzinfo=UTC)),
        ]
        for i, (store, cust, status, value, created) in enumerate(rows):
            s.add(
                Order(
                    workspace_id=workspace_id,
                    store_id=store.id,
                    platform=store.platform,
                    platform_order_id=f"o{i}",
                    customer_id=cust.id,
                    status=status,
                    currency="SGD",
                    order_value=Decimal(value),
                    value_base=Decimal(value),
                    country=store.country,
                    created_at=created,
                    paid_at=created,
                )
            )
        await s.flush()
        await refresh_order_stats(s, workspace_id=workspace_id)
        await s.commit()
    return {"orders_2026": 4, "shopee_2026": 3}


async def test_answers_from_the_database(
    db: Database, workspace_id: int, backend: str, in_process: Any
) -> None:
    """The ask path on both databases; the command line on SQLite."""
    from bot.settings import Settings
    from crm.query.service import ask

    expected = await _seed(db, workspace_id)
    as_of = datetime(2026, 11, 24, tzinfo=__import__("zoneinfo").ZoneInfo("Asia/Singapore"))
    settings = Settings()
    r = await ask(
        "how many orders this year", db=db, workspace_id=workspace_id, settings=settings, as_of=as_of
    )
    assert r.intent == "metric" and r.value == expected["orders_2026"]
    r = await ask("虾皮今年的订单数", db=db, workspace_id=workspace_id, settings=settings, as_of=as_of)
    assert r.value == expected["shopee_2026"] and r.language == "zh"
    r = await ask("drop table orders", db=db, workspace_id=workspace_id, settings=settings, as_of=as_of)
    assert r.intent == "clarify" and r.value is None and not r.rows
    if backend != "sqlite":
        return
    url = db.url  # type: ignore[attr-defined]
    # A command runs its own event loop: in a thread, as this test's loop is running.
    p = await asyncio.to_thread(
        in_process, "ask", "how many orders this year", "--as-of", "2026-11-23", "--json", db_url=url
    )
    assert p.returncode == 0, p.stderr
    ans = json.loads(p.stdout)
    assert ans["intent"] == "metric" and ans["value"] == expected["orders_2026"]
    p = await asyncio.to_thread(
        in_process, "ask", "orders by platform this year", "--as-of", "2026-11-23", db_url=url
    )
    assert p.returncode == 0, p.stderr
    assert "shopee" in p.stdout.lower() and "lazada" in p.stdout.lower()


def test_demo_builds_a_database_and_opens_the_chat(tmp_path: Path, in_process: Any) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'demo.db'}"
    p = in_process(
        "demo",
        "--customers",
        "25",
        "--as-of",
        "2026-11-23",
        "--db",
        url,
        db_url=url,
        stdin="tell me a joke\n/quit\n",
    )
    assert p.returncode == 0, p.stderr[-2000:]
    assert "demo database ready" in p.stdout and "can't help with that" in p.stdout
    assert (tmp_path / "demo.db").exists()
    first = re.search(r"demo database ready: ([\d,]+) orders, ([\d,]+) customers \(", p.stdout)
    assert first and int(first[1].replace(",", "")) > 0, p.stdout
    # Again on the same database: nothing new, and it still says what the database holds.
    again = in_process(
        "demo", "--customers", "25", "--as-of", "2026-11-23", "--db", url, "--no-chat", db_url=url
    )
    assert again.returncode == 0, again.stderr[-2000:]
    assert (
        f"demo database ready: {first[1]} orders, {first[2]} customers; this run added 0 orders, 0 customers"
    ) in again.stdout


async def test_a_question_answers_in_a_time_zone_set_for_it_without_writing_it_to_the_workspace(
    db: Database, workspace_id: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A command that only reads (`ask`, `kpi`, ...) answers in a time zone set in config or environment and
    leaves the workspace's own as it was (a user trial found `SELLERMATE_TIMEZONE=… sellermate ask` had
    changed it for the team); a process that writes (the bot, an import) still makes it the workspace's."""
    from sqlalchemy import select

    from bot.cli import open_app
    from storage.models import Workspace

    async def stored() -> str:
        async with db.sessions() as s:
            return str((await s.execute(select(Workspace.timezone))).scalar_one())

    assert await stored() == "Asia/Singapore"
    monkeypatch.setenv("SELLERMATE_CONFIG", os.devnull)
    monkeypatch.setenv("SELLERMATE_TIMEZONE", "Asia/Tokyo")
    url = db.url  # type: ignore[attr-defined]
    reading = await open_app(db_url=url, read_only=True)
    try:
        assert reading.settings.workspace.timezone == "Asia/Tokyo"
    finally:
        await reading.close()
    assert await stored() == "Asia/Singapore"
    writing = await open_app(db_url=url)
    try:
        assert writing.settings.workspace.timezone == "Asia/Tokyo"
    finally:
        await writing.close()
    assert await stored() == "Asia/Tokyo"
