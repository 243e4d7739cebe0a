"""`sellermate ask`, `sellermate chat` and `sellermate demo`: questions from the command line and a console chat."""

from __future__ import annotations

import json
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Annotated, Any

import typer

from bot.cli import AS_OF_HELP, DB_OPTION_HELP, CLIError, collector_paused, parse_as_of, run_async
from crm.text import render

HELP_EN = """Ask about your sales and customers in English or Chinese, for example:
  repeat purchase rate last month          revenue by platform this year
  top 10 customers by revenue              how many important value customers in Singapore
  churn rate last quarter                  上个月的复购率 / 按国家统计上个季度的销售额
Commands: /help this text, /quit leave."""

# The command line's own sentences live in the catalogues: crm/text/locales/<lang>/cli.ftl (cli-*).


def empty_db_note(language: str, missing: Path | None = None) -> str:
    """What to do about an empty database (or a SQLite file that is not there, `missing`): import, load the
    sample data or point at another database; and where the last demo's database is (if there is one)."""
    from bot.demo_state import remembered_demo

    lang = "zh" if language == "zh" else "en"
    demo = remembered_demo()
    note = render(lang, "cli.no_database", path=str(missing)) if missing else render(lang, "cli.empty_db")
    return note + ("\n" + render(lang, "cli.demo_db", url=demo.url) if demo else "")


def _json_default(value: Any) -> Any:
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    return str(value)


def result_json(result: Any) -> str:
    """The docs/architecture.md machine-readable answer as one line of JSON (non-ASCII kept readable)."""
    return json.dumps(result.to_json_dict(), ensure_ascii=False, default=_json_default)


async def ask_once(app_ctx: Any, question: str, day: date | None) -> Any:
    from crm.query.service import ask

    try:
        result = await ask(
            question,
            db=app_ctx.db,
            workspace_id=app_ctx.workspace_id,
            settings=app_ctx.settings,
            as_of=app_ctx.as_of(day),
            llm=None,
        )
    except ModuleNotFoundError as exc:
        if exc.name and exc.name.startswith("crm."):
            raise CLIError(f"this build cannot answer that yet ({exc.name} is missing)") from None
        raise
    shown = result.shown_customer()  # one customer's data was shown: a figure about them, or their whole card
    if shown is not None:
        from crm.rights import Actor, record_act

        await record_act(app_ctx.db, app_ctx.workspace_id, "viewed", Actor("cli"), f"customer:{shown}")
    return result


async def has_orders(app_ctx: Any) -> bool:
    """Whether the workspace has any order at all (an empty database gets an import hint, not just 'no data')."""
    from storage.repositories.workspaces import has_orders as workspace_has_orders

    async with app_ctx.db.sessions() as session:
        return await workspace_has_orders(session, app_ctx.workspace_id)


def _as_of_hint(result: Any, lang: str) -> str:
    """The shared reply to another as-of date speaks for every front end; here the option can be named."""
    from crm.query.parser import OTHER_AS_OF_DATE
    from crm.text import BOT_LANGUAGES

    message = (result.query or {}).get("message") if result.intent == "clarify" else None
    if message is None:  # not a clarification: no other language's texts to load
        return ""
    replies = {render(language, OTHER_AS_OF_DATE) for language in BOT_LANGUAGES}
    return render(lang, "cli.as_of_hint") if message in replies else ""


async def console_answer(app_ctx: Any, result: Any, day: date | None) -> str:
    """The console's reply to a parsed question: drafts are written here (the same outreach service as
    `sellermate draft`); reminders point to the Telegram bot; everything else is the rendered answer."""
    lang = "zh" if result.language == "zh" else "en"
    if result.intent == "reminder":
        text = (result.query or {}).get("text", "")
        return render(lang, "cli.reminder", text=text)
    if result.intent != "draft":
        from bot.render import render_text

        return render_text(result) + _as_of_hint(result, lang)
    from bot.cli_outreach import format_draft, make_draft
    from crm.outreach.service import Offer
    from crm.query.ir import DraftQuery

    q = DraftQuery.model_validate(result.query)
    if not q.customer and not q.segment:
        return render(lang, "cli.draft_needs_customer")
    offer = Offer(coupon=q.coupon, discount=q.discount, expires=q.expires)
    out = await make_draft(
        app_ctx,
        customer=None if q.segment else q.customer,
        segment=q.segment,
        intent=q.outreach,
        language=q.language,
        offer=offer,
        brief=q.brief,
        festival=q.festival,
        country=q.filters.country,
        day=day,
    )
    text = format_draft(out)
    if q.segment:  # the chat has no file to hand over: say how to get the recipients
        command = (
            f"sellermate draft --segment {q.segment} --intent {q.outreach}"
            + (f" --country {q.filters.country}" if q.filters.country else "")
            + " --csv recipients.csv"
        )
        text += "\n" + render(lang, "cli.segment_csv", command=command)
    return text


async def chat_loop(app_ctx: Any, day: date | None, *, read: Any = input, write: Any = typer.echo) -> None:
    """A plain console chat over the same domain call as the bot: one question per line, /quit to leave."""
    from asyncio import to_thread

    write(HELP_EN)
    if not await has_orders(app_ctx):
        write(empty_db_note("en"))
    while True:
        try:
            line = await to_thread(read, "\nyou> ")
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
            write(await console_answer(app_ctx, result, day))
        except CLIError as exc:
            write(f"error: {exc}")


def register(app: typer.Typer) -> None:
    @app.command("ask")
    def ask_cmd(
        question: Annotated[
            str, typer.Argument(help="The question, in English or Chinese.", show_default=False)
        ],
        as_of: Annotated[str | None, typer.Option("--as-of", help=AS_OF_HELP)] = None,
        db: Annotated[str | None, typer.Option(help=DB_OPTION_HELP)] = None,
        as_json: Annotated[
            bool,
            typer.Option(
                "--json",
                help="Print one JSON object: intent, query, value, columns, rows, text (see README).",
            ),
        ] = False,
    ) -> None:
        """Answer one question about your sales and customers."""

        async def go() -> Any:
            day = parse_as_of(as_of)
            if not question.strip():
                raise CLIError("the question is empty")
            from bot.cli import open_app

            # A question only reads: a SQLite file that is not there is not created (the note says so).
            app_ctx = await open_app(db_url=db, read_demo=True, read_only=True)
            try:
                result = await ask_once(app_ctx, question, day)
                missing = app_ctx.missing_database
                empty = missing is not None or (
                    result.intent not in ("clarify", "reminder") and not await has_orders(app_ctx)
                )
                # As in the console chat: a draft request is drafted here, a reminder points to the bot.
                text = result_json(result) if as_json else await console_answer(app_ctx, result, day)
                return result, text, empty, missing
            finally:
                await app_ctx.close()

        with collector_paused():  # one answer, then the process ends
            result, text, empty, missing = run_async(go)
        typer.echo(text)
        if empty:  # on stderr, so --json output stays one object
            typer.echo(empty_db_note(result.language, missing), err=True)

    @app.command("chat")
    def chat_cmd(
        as_of: Annotated[str | None, typer.Option("--as-of", help=AS_OF_HELP)] = None,
        db: Annotated[str | None, typer.Option(help=DB_OPTION_HELP)] = None,
    ) -> None:
        """A console chat: ask questions one after another (/help, /quit)."""

        async def go() -> None:
            day = parse_as_of(as_of)
            from bot.cli import open_app

            app_ctx = await open_app(db_url=db, read_demo=True)
            try:
                await chat_loop(app_ctx, day)
            finally:
                await app_ctx.close()

        run_async(go)

    @app.command("demo")
    def demo_cmd(
        db: Annotated[
            str | None,
            typer.Option(help="Database for the demo (default: sellermate-demo.db in a temporary folder)."),
        ] = None,
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
            typer.echo(
                f"error: the demo data generator is not available in this build ({exc.name})", err=True
            )
            raise typer.Exit(2) from None
        if customers < 1:
            typer.echo("error: --customers must be at least 1", err=True)
            raise typer.Exit(2)
        try:
            day = parse_as_of(as_of)
        except CLIError as exc:
            typer.echo(f"error: {exc}", err=True)
            raise typer.Exit(2) from None
        import tempfile

        folder = Path(tempfile.mkdtemp(prefix="sellermate-demo-"))
        url = db or f"sqlite+aiosqlite:///{folder / 'sellermate-demo.db'}"
        typer.echo("building the demo data …")
        files = generate_demo_exports(folder / "exports", seed=seed, customers=customers, as_of=day)

        async def go() -> None:
            from bot.cli import open_app

            app_ctx = await open_app(db_url=url)
            try:
                from storage.repositories.workspaces import workspace_counts

                totals = await import_demo_files(app_ctx, files)
                async with app_ctx.db.sessions() as session:
                    orders, customers = await workspace_counts(session, app_ctx.workspace_id)
                added = (
                    f"; this run added {totals['orders']} orders, {totals['customers_new']} customers"
                    if (totals["orders"], totals["customers_new"]) != (orders, customers)
                    else ""
                )
                typer.echo(f"demo database ready: {orders:,} orders, {customers:,} customers{added} ({url})")
                typer.echo(f"demo export files (as the platforms write them): {files[0].parent}")
                if not no_chat:
                    await chat_loop(app_ctx, day)
            finally:
                await app_ctx.close()

        run_async(go)
        from bot.demo_state import has_orders_without_opening, remember_demo
        from bot.settings import load_settings

        remembered = remember_demo(url, files[0].parent if files else None)
        default = load_settings().database
        if (
            remembered is not None
            and "url" not in default.model_fields_set
            and not has_orders_without_opening(default.url)
        ):
            typer.echo(
                "until you import your own orders (or set SELLERMATE_DATABASE_URL), sellermate ask, "
                "chat, kpi, segments, customer, cohort and draft without --db read this demo database"
            )
        typer.echo(
            f'to ask more about the demo data later: sellermate ask --db "{url}" "revenue by platform '
            f'this year"  (or: sellermate chat --db "{url}")'
        )
