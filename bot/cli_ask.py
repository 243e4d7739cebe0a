"""`sellermate ask`, `sellermate chat` and `sellermate demo`: questions from the command line and a console chat."""
from __future__ import annotations

import asyncio
import json
import tempfile
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Annotated, Any

import typer

from bot.cli import AS_OF_HELP, DB_OPTION_HELP, CLIError, parse_as_of, run_async
from bot.render import render_text

HELP_EN = """Ask about your sales and customers in English or Chinese, for example:
  repeat purchase rate last month          revenue by platform this year
  top 10 customers by revenue              how many important value customers in Singapore
  churn rate last quarter                  上个月的复购率 / 按国家统计上个季度的销售额
Commands: /help this text, /quit leave."""


def _json_default(value: Any) -> Any:
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    return str(value)


def result_json(result: Any) -> str:
    """The DESIGN.md machine-readable answer as one line of JSON (non-ASCII kept readable)."""
    return json.dumps(result.to_json_dict(), ensure_ascii=False, default=_json_default)


async def ask_once(app_ctx: Any, question: str, day: date | None) -> Any:
    from crm.query.service import ask

    try:
        return await ask(question, db=app_ctx.db, workspace_id=app_ctx.workspace_id, settings=app_ctx.settings,
                         as_of=app_ctx.as_of(day), llm=None)
    except ModuleNotFoundError as exc:
        if exc.name and exc.name.startswith("crm."):
            raise CLIError(f"this build cannot answer that yet ({exc.name} is missing)") from None
        raise


async def chat_loop(app_ctx: Any, day: date | None, *, read: Any = input, write: Any = typer.echo) -> None:
    """A plain console chat over the same domain call as the bot: one question per line, /quit to leave."""
    write(HELP_EN)
    while True:
        try:
            line = await asyncio.to_thread(read, "\nyou> ")
        except (EOFError, KeyboardInterrupt):
            write("")
            return
        line = (line or "").strip()
        if not line:
            continue
        if line.lower() in ("/quit", "/exit", "/q", "quit", "exit", "/退出"):
            return
        if line.lower() in ("/help", "/h", "?", "/帮助"):
            write(HELP_EN)
            continue
        try:
            result = await ask_once(app_ctx, line, day)
        except CLIError as exc:
            write(f"error: {exc}")
            continue
        write(render_text(result))


def register(app: typer.Typer) -> None:
    @app.command("ask")
    def ask_cmd(
        question: Annotated[str, typer.Argument(help="The question, in English or Chinese.", show_default=False)],
        as_of: Annotated[str | None, typer.Option("--as-of", help=AS_OF_HELP)] = None,
        db: Annotated[str | None, typer.Option(help=DB_OPTION_HELP)] = None,
        as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object (DESIGN.md shape).")] = False,
    ) -> None:
        """Answer one question about your sales and customers."""
        async def go() -> Any:
            day = parse_as_of(as_of)
            if not question.strip():
                raise CLIError("the question is empty")
            from bot.context import open_app

            app_ctx = await open_app(db_url=db)
            try:
                return await ask_once(app_ctx, question, day)
            finally:
                await app_ctx.close()

        result = run_async(go)
        typer.echo(result_json(result) if as_json else render_text(result))

    @app.command("chat")
    def chat_cmd(
        as_of: Annotated[str | None, typer.Option("--as-of", help=AS_OF_HELP)] = None,
        db: Annotated[str | None, typer.Option(help=DB_OPTION_HELP)] = None,
    ) -> None:
        """A console chat: ask questions one after another (/help, /quit)."""
        async def go() -> None:
            day = parse_as_of(as_of)
            from bot.context import open_app

            app_ctx = await open_app(db_url=db)
            try:
                await chat_loop(app_ctx, day)
            finally:
                await app_ctx.close()

        run_async(go)

    @app.command("demo")
    def demo_cmd(
        db: Annotated[str | None, typer.Option(help="Database for the demo (default: sellermate-demo.db in a "
                                                       "temporary folder).")] = None,
        seed: Annotated[int, typer.Option(help="Random seed: the same seed gives the same data.")] = 7,
        customers: Annotated[int, typer.Option(help="Number of buyers to simulate.")] = 1500,
        as_of: Annotated[str | None, typer.Option("--as-of", help=AS_OF_HELP)] = None,
        no_chat: Annotated[bool, typer.Option("--no-chat", help="Only build the demo database.")] = False,
    ) -> None:
        """Build a demo database with realistic multi-platform data, then open the console chat on it."""
        try:
            from bot.cli_demo_data import import_demo_files
            from crm.importing.demo import generate_demo_exports
        except ModuleNotFoundError as exc:
            typer.echo(f"error: the demo data generator is not available in this build ({exc.name})", err=True)
            raise typer.Exit(2) from None
        if customers < 1:
            typer.echo("error: --customers must be at least 1", err=True)
            raise typer.Exit(2)
        try:
            day = parse_as_of(as_of)
        except CLIError as exc:
            typer.echo(f"error: {exc}", err=True)
            raise typer.Exit(2) from None
        folder = Path(tempfile.mkdtemp(prefix="sellermate-demo-"))
        url = db or f"sqlite+aiosqlite:///{folder / 'sellermate-demo.db'}"
        typer.echo("building the demo data …")
        files = generate_demo_exports(folder / "exports", seed=seed, customers=customers, as_of=day)

        async def go() -> None:
            from bot.context import open_app

            app_ctx = await open_app(db_url=url)
            try:
                totals = await import_demo_files(app_ctx, files)
                typer.echo(f"demo database ready: {totals['orders']} orders, {totals['customers_new']} customers "
                           f"({url})")
                if not no_chat:
                    await chat_loop(app_ctx, day)
            finally:
                await app_ctx.close()

        run_async(go)
