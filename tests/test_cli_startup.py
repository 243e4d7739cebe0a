"""The command line starts like a tool (issue 22): `sellermate --help` and a KPI answer import only what they use.

The two subprocess tests run the real command with `python -X importtime`, which names every module the process
imported, and fail when a heavy one the command does not need is imported again. Their speed is measured in
bench/bench_startup.py, not here.
"""

from __future__ import annotations

import ast
import os
import subprocess
import sys
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import pytest
import typer
from typer.main import get_group

from bot.cli import COMMANDS
from storage.db import Database, head_revision
from storage.models import Customer, Order, Store
from storage.repositories.analytics import refresh_order_stats

ROOT = Path(__file__).resolve().parents[1]

# Never needed to print the help: the database layer, the settings, the domain and its libraries.
NOT_FOR_HELP = {
    "sqlalchemy",
    "aiosqlite",
    "pydantic",
    "pydantic_settings",
    "yaml",
    "asyncio",
    "alembic",
    "numpy",
    "scipy",
    "pandas",
    "matplotlib",
    "fluent.runtime",
    "aiogram",
    "apscheduler",
    "langchain_core",
    "storage.db",
    "storage.models",
    "crm.query.ir",
    "crm.query.service",
    "crm.importing.service",
    "crm.rights",
    "bot.settings",
    "rich.progress",
}
# Never needed for a KPI answer on an up-to-date database: migrations, the array, data-frame, chart, LLM and
# Telegram libraries, the other database's dialect, Fluent's runtime, the importer and the other commands.
NOT_FOR_A_KPI = {
    "alembic",
    "sqlalchemy.dialects.postgresql",
    "fluent.runtime",  # the answer's texts are formatted from their syntax trees (crm/text/plain.py)
    "babel",
    "storage.models_later",  # the models no answer reads
    "storage.models",  # an answer reads the Core tables (storage.tables): no ORM mapper is declared
    "pydantic_settings",  # settings from the flat environment names alone are merged by bot.settings itself
    "dotenv",
    "numpy",
    "scipy",
    "pandas",
    "matplotlib",
    "langchain_core",
    "langchain_openai",
    "openai",
    "aiogram",
    "apscheduler",
    "rich",
    "crm.importing.service",
    "crm.rights",
    "crm.scheduling.reminder_parser",
    "crm.query.products",
    "crm.query.journeys",
    "bot.cli_import",
    "bot.cli_analytics",
}


def imported_by(*args: str, env: dict[str, str]) -> tuple[subprocess.CompletedProcess[str], set[str]]:
    """Run `python -X importtime -m bot.cli ARGS`: the finished process and every module it imported."""
    p = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "bot.cli", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
        cwd=ROOT,
        check=False,
    )
    modules = {
        line.rsplit("|", 1)[1].strip() for line in p.stderr.splitlines() if line.startswith("import time:")
    }
    assert "bot.cli" in modules, p.stderr[-2000:]  # the listing itself was read
    return p, modules


def clean_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SELLERMATE_", "TYPER_"))}
    env["SELLERMATE_CONFIG"] = os.devnull
    env.update(extra)
    return env


def test_the_command_table_names_every_command_in_help_order() -> None:
    """bot.cli.COMMANDS (what `main` loads lazily) is what the modules declare, in the order `--help` lists."""
    every = typer.Typer()
    owner: dict[str, str] = {}
    for path in sorted((ROOT / "bot").glob("cli_*.py")):
        module = __import__(f"bot.{path.stem}", fromlist=["register"])
        if not hasattr(module, "register"):
            continue
        part = typer.Typer()
        module.register(part)
        owner.update(dict.fromkeys(get_group(part).commands, path.stem))
    for module_name in dict.fromkeys(COMMANDS.values()):  # the order main's modules register in
        __import__(f"bot.{module_name}", fromlist=["register"]).register(every)
    assert owner == COMMANDS
    assert list(get_group(every).commands) == list(COMMANDS)


def test_registering_every_command_twice_registers_each_once() -> None:
    """Tests run hundreds of commands through `app` in one process; a second registration used to append
    every command again, and Typer rebuilds each registered one per invocation (quadratic slow-down)."""
    from bot.cli import _register_all, app

    _register_all()

    def names() -> list[str | None]:
        return [c.name for c in app.registered_commands] + [g.name for g in app.registered_groups]

    once = names()
    _register_all()
    assert names() == once and len(once) == len(set(once)) and "ask" in once


def test_help_imports_only_typer_and_the_command_declarations() -> None:
    p, modules = imported_by("--help", env=clean_env())
    assert p.returncode == 0, p.stderr[-2000:]
    assert "Usage: sellermate" in p.stdout and "kpi" in p.stdout and "rates" in p.stdout
    assert {"typer", "bot.cli_import", "bot.cli_ask", "bot.cli_rules"} <= modules
    assert NOT_FOR_HELP & modules == set()


async def _one_order(db: Database, workspace_id: int) -> None:
    async with db.sessions() as s:
        store = Store(
            workspace_id=workspace_id, platform="shopee", name="shopee-sg", country="SG", currency="SGD"
        )
        buyer = Customer(workspace_id=workspace_id, display_name="Alice Tan", country="SG")
        s.add_all([store, buyer])
        await s.flush()
        created = datetime(2026, 10, 5, 4, tzinfo=UTC)
        s.add(
            Order(
                workspace_id=workspace_id,
                store_id=store.id,
                platform="shopee",
                platform_order_id="o1",
                customer_id=buyer.id,
                status="completed",
                currency="SGD",
                order_value=Decimal("123.45"),
                value_base=Decimal("123.45"),
                country="SG",
                created_at=created,
                paid_at=created,
            )
        )
        await s.flush()
        await refresh_order_stats(s, workspace_id=workspace_id)
        await s.commit()


async def _asked(
    db: Database, workspace_id: int, question: str
) -> tuple[subprocess.CompletedProcess[str], set[str]]:
    """`sellermate ask QUESTION` on the one-order shop, as of 23 Nov 2026: the finished process (which must
    have succeeded) and every module it imported."""
    await _one_order(db, workspace_id)
    url = db.url  # type: ignore[attr-defined]
    p, modules = imported_by(
        "ask",
        question,
        "--as-of",
        "2026-11-23",
        env=clean_env(
            SELLERMATE_DATABASE_URL=url, SELLERMATE_BASE_CURRENCY="SGD", SELLERMATE_TIMEZONE="Asia/Singapore"
        ),
    )
    assert p.returncode == 0, p.stderr[-2000:]
    return p, modules


@pytest.mark.parametrize("backend", ["sqlite"])
async def test_a_kpi_answer_on_a_current_database_skips_migrations_and_heavy_libraries(
    db: Database, workspace_id: int
) -> None:
    async with db.engine.connect() as conn:  # the database is at the newest revision: nothing to migrate
        assert await conn.scalar(
            __import__("sqlalchemy").text("SELECT version_num FROM alembic_version")
        ) == (head_revision())
    p, modules = await _asked(db, workspace_id, "revenue last month")
    assert p.stdout.strip() == "revenue last month: SGD 123.45"
    assert {"sqlalchemy", "storage.db", "crm.query.service", "crm.query.compiler"} <= modules
    assert NOT_FOR_A_KPI & modules == set()


@pytest.mark.parametrize("backend", ["sqlite"])
async def test_a_breakdown_by_segment_declares_no_orm_model(db: Database, workspace_id: int) -> None:
    """Segments are scored once per data version: the version's marks (the newest import and merge) are read
    from the Core tables too, not through the ORM models (declaring them cost the first such answer 85 ms)."""
    p, modules = await _asked(db, workspace_id, "revenue by segment last month")
    assert "123.45" in p.stdout, p.stdout
    assert "numpy" in modules  # the customers were scored
    assert {"storage.models", "storage.models_later", "alembic"} & modules == set()


def test_the_collector_is_paused_only_while_a_one_shot_command_runs() -> None:
    import gc

    from bot.cli import collector_paused

    assert gc.isenabled()
    with collector_paused():
        assert not gc.isenabled()
    assert gc.isenabled()
    with pytest.raises(ValueError), collector_paused():  # resumed after a failed command too
        raise ValueError("the command failed")
    assert gc.isenabled()
    gc.disable()  # a caller that had it off keeps it off
    try:
        with collector_paused():
            pass
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_main_pauses_the_collector_for_a_one_shot_command_from_the_start(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """`ask` answers once and ends: the collector is paused while Typer parses its arguments too (pydantic's
    import and the parameters' validators), and resumed when the command returns; other commands keep it."""
    import gc

    import bot.cli

    seen: list[tuple[str, bool]] = []
    monkeypatch.setattr(bot.cli, "app", lambda args, prog_name: seen.append((args[0], gc.isenabled())))
    bot.cli.main(["ask", "revenue last month"])
    bot.cli.main(["kpi", "revenue"])
    assert seen == [("ask", False), ("kpi", True)] and gc.isenabled()


def test_the_installed_command_leaves_the_collector_paused_after_a_one_shot_command(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Run as the installed command (no arguments given to main: the process ends when it returns), `ask`
    leaves the collector paused instead of starting a collection just before exit; another command keeps it."""
    import gc

    import bot.cli

    seen: list[tuple[str, bool]] = []
    monkeypatch.setattr(bot.cli, "app", lambda args, prog_name: seen.append((sys.argv[1], gc.isenabled())))
    try:
        monkeypatch.setattr(sys, "argv", ["sellermate", "ask", "revenue last month"])
        bot.cli.main()
        assert seen == [("ask", False)] and not gc.isenabled()
        gc.enable()
        monkeypatch.setattr(sys, "argv", ["sellermate", "kpi", "revenue"])
        bot.cli.main()
        assert seen[1:] == [("kpi", True)] and gc.isenabled()
    finally:
        gc.enable()


# Modules that import numpy in the functions that use it (TYPE_CHECKING-only at module level), so that a KPI
# answer does not load it.
NUMPY_INSIDE = ("storage/repositories/analytics.py", "crm/analytics/metrics.py", "crm/query/compiler.py")


def _uses_np_at_run_time(nodes: list[ast.stmt]) -> bool:
    """Whether these statements read the name `np` when run (annotations are strings: not counted)."""
    skip: set[int] = set()
    for node in nodes:
        for sub in ast.walk(node):
            if isinstance(sub, ast.AnnAssign):
                skip.update(id(n) for n in ast.walk(sub.annotation))
            elif isinstance(sub, (ast.FunctionDef, ast.AsyncFunctionDef)):
                skip.update(
                    id(n)
                    for a in sub.args.args + sub.args.kwonlyargs
                    if a.annotation
                    for n in ast.walk(a.annotation)
                )
                if sub.returns is not None:
                    skip.update(id(n) for n in ast.walk(sub.returns))
    return any(
        isinstance(sub, ast.Name) and sub.id == "np" and id(sub) not in skip
        for node in nodes
        for sub in ast.walk(node)
    )


@pytest.mark.parametrize("path", NUMPY_INSIDE)
def test_functions_that_use_numpy_import_it(path: str) -> None:
    tree = ast.parse((ROOT / path).read_text(encoding="utf-8"))
    missing = []
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            imports = any(
                isinstance(s, ast.Import) and any(a.name == "numpy" and a.asname == "np" for a in s.names)
                for s in node.body
            )
            if not imports and _uses_np_at_run_time(node.body):
                missing.append(f"{node.name} (line {node.lineno})")
        elif not isinstance(
            node, (ast.Import, ast.ImportFrom, ast.If, ast.ClassDef)
        ) and _uses_np_at_run_time([node]):
            missing.append(f"module level, line {node.lineno}")
    assert missing == [], f"{path}: numpy used without `import numpy as np` in: {missing}"


def test_the_models_annotations_are_types_not_strings() -> None:
    """storage/models.py is declared without `from __future__ import annotations`: SQLAlchemy would otherwise
    evaluate each of its ~300 `Mapped[...]` strings at import (about 10 ms of every command)."""
    import storage.models

    assert "annotations" not in vars(storage.models)
    assert not isinstance(storage.models.Order.__annotations__["id"], str)
