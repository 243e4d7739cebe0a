"""`sellermate import` and `sellermate rates import`: platform exports and exchange rates into the database."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Annotated

import typer

from bot.cli import DB_OPTION_HELP, one_line, run_async
from crm.catalog import PLATFORM_IDS as PLATFORM_NAMES  # the catalogue: no importer loaded for --help

rates_app = typer.Typer(help="Exchange rates into the base currency.", no_args_is_help=True)


def format_report(report) -> list[str]:  # type: ignore[no-untyped-def]
    """The lines a seller reads after an import (CLI and chat share them)."""
    if report.kind in ("interactions", "reviews", "events"):
        lines = [
            f"{report.file}: {report.rows} {report.kind}: {report.orders_new} added, "
            f"{report.orders_unchanged} already there; {report.rows_rejected} rows rejected"
        ]
    elif report.kind == "customers":
        lines = [
            f"{report.file}: {report.platform} customers: {report.rows} rows; customers "
            f"{report.customers_new} new, {report.customers_merged} merged; {report.rows_rejected} rows rejected"
        ]
    else:
        lines = [
            f"{report.file}: {report.platform} store {report.store!r}: {report.rows} rows; "
            f"orders {report.orders_new} new, {report.orders_updated} updated, {report.orders_unchanged} unchanged; "
            f"customers {report.customers_new} new, {report.customers_merged} merged; "
            f"{report.rows_rejected} rows rejected"
        ]
    if getattr(report, "erased_rows", 0):
        lines.append(
            f"  skipped {report.erased_rows} rows of customers erased on request (they are not brought back)"
        )
    for note in getattr(report, "notes", []):
        lines.append(f"  note: {note}")
    if report.kind == "reviews":
        from crm.importing.reviews import review_summary

        lines.extend(f"  {m.render('en')}" for m in review_summary(report))
    for r in report.rejected[:50]:
        ref = f" (order {r.order_ref})" if r.order_ref else ""
        lines.append(f"  line {r.line_no}{ref}: {r.reason}")
    if len(report.rejected) > 50:
        lines.append(f"  … and {len(report.rejected) - 50} more (kept in the import log #{report.import_id})")
    for survivor, merged, reason, key in report.merges[:20]:
        lines.append(
            f"  merged customer #{merged} into #{survivor} (same {reason}{': ' + key if key else ''})"
        )
    if report.suggestions:
        shown = "; ".join(f"#{a} and #{b} ({an})" for a, an, b, _ in report.suggestions[:3])
        more = len(report.suggestions) - 3
        lines.append(
            f"  same name, not merged (check by hand): {shown}" + (f" and {more} more" if more > 0 else "")
        )
    if getattr(report, "not_counted", None):
        shown = ", ".join(f"{n} {status}" for status, n in report.not_counted.items())
        lines.append(
            f"  not counted in sales and customer metrics (only paid, shipped and completed orders are): "
            f"{shown}"
        )
    if report.missing_rates:
        lines.append(
            f"  no exchange rate for {', '.join(report.missing_rates)}: amounts in those currencies are left out "
            "of revenue until you run `sellermate rates import FILE.csv`"
        )
    return lines


def waiting_line(path: Path) -> Callable[[], Awaitable[None]]:
    """What an import says when it waits for another import into the workspace (one runs at a time)."""

    async def say() -> None:
        typer.echo(f"{path.name}: another import is running; waiting for it to finish…", err=True)

    return say


async def import_rates_file(app_ctx, path: Path) -> int:  # type: ignore[no-untyped-def]
    """A rates file into the workspace (orders re-priced), with the workspace's own currency and points."""
    from crm.importing.service import import_rates

    return await import_rates(
        app_ctx.db,
        app_ctx.workspace_id,
        path,
        base_currency=app_ctx.base_currency,
        points_per_unit=app_ctx.settings.workspace.loyalty_points_per_unit,
        waiting=waiting_line(path),
    )


def register(app: typer.Typer) -> None:
    @app.command("import")
    def import_cmd(
        files: Annotated[
            list[Path], typer.Argument(help="Export files (CSV, TSV or XLSX).", show_default=False)
        ],
        platform: Annotated[str, typer.Option(help=f"auto or one of: {', '.join(PLATFORM_NAMES)}")] = "auto",
        store: Annotated[str | None, typer.Option(help="Store name (default: platform-country).")] = None,
        db: Annotated[str | None, typer.Option(help=DB_OPTION_HELP)] = None,
        quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress bar.")] = False,
    ) -> None:
        """Import platform exports (orders, customers, chats/reviews, events) and rates files; one
        transaction per file, safe to re-run. Several files go in the order that loses nothing: exchange
        rates, then customers and orders, then chats, reviews and events."""
        from rich.console import Console
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

        from bot.cli import open_app
        from crm.importing.errors import ImportFileError
        from crm.importing.service import import_file, import_order
        from crm.rights import CLI, import_counts, record_act

        console = Console(stderr=True)
        failures = 0
        ordered = import_order(files)
        if [p for p, _ in ordered] != list(files):
            typer.echo(
                "note: importing exchange rates first, then customers and orders, then chats, reviews "
                "and events (they refer to the orders' buyers)",
                err=True,
            )

        async def go() -> None:
            nonlocal failures
            app_ctx = await open_app(db_url=db)
            try:
                for path, kind in ordered:
                    if kind == "rates":
                        try:
                            n = await import_rates_file(app_ctx, path)
                        except ImportFileError as exc:
                            failures += 1
                            typer.echo(f"error: {exc}", err=True)
                        else:
                            typer.echo(f"{path.name}: {n} exchange rates imported")
                        continue
                    with Progress(
                        TextColumn("{task.description}"),
                        BarColumn(),
                        MofNCompleteColumn(),
                        TimeRemainingColumn(),
                        console=console,
                        transient=True,
                        disable=quiet or not console.is_terminal,
                    ) as bar:
                        task = bar.add_task(f"importing {path.name}", total=None)

                        def tick(done: int, total: int | None, bar=bar, task=task) -> None:  # type: ignore[no-untyped-def]
                            bar.update(task, completed=done, total=total)

                        try:
                            report = await import_file(
                                app_ctx.db,
                                app_ctx.workspace_id,
                                path,
                                settings=app_ctx.settings.workspace.for_import(),
                                platform=platform,
                                store=store,
                                progress=tick,
                                waiting=waiting_line(path),
                            )
                        except ImportFileError as exc:  # the message names the file
                            failures += 1
                            msg = str(exc)
                            if not msg.startswith((path.name, str(path))):
                                msg = f"{path.name}: {msg}"
                            typer.echo(f"error: {msg}", err=True)
                            continue
                        except Exception as exc:  # noqa: BLE001 - one broken file never stops the others
                            failures += 1
                            typer.echo(
                                f"error: {path.name}: import failed, nothing changed ({one_line(exc)})",
                                err=True,
                            )
                            continue
                    await record_act(
                        app_ctx.db,
                        app_ctx.workspace_id,
                        "imported",
                        CLI,
                        f"file:{report.platform}",
                        import_counts(report),
                    )
                    for line in format_report(report):
                        typer.echo(line)
                    if report.kind in ("orders", "events"):  # retention rules' event triggers
                        from crm.automation.engine import evaluate_after_import

                        done = await evaluate_after_import(
                            app_ctx.db,
                            app_ctx.workspace_id,
                            cfg=app_ctx.settings.automation,
                            settings=app_ctx.settings,
                        )
                        if done is not None and any(done.fired.values()):
                            fired = ", ".join(f"{k} {v}" for k, v in done.fired.items() if v)
                            typer.echo(
                                f"automation rules fired: {fired}; {done.drafts} drafts wait for approval"
                            )
            finally:
                await app_ctx.close()

        run_async(go)
        if failures:
            if len(files) > 1:
                typer.echo(f"{failures} of {len(files)} files not imported (see the errors above)", err=True)
            raise typer.Exit(1)

    @rates_app.command("import")
    def rates_import(
        file: Annotated[Path, typer.Argument(help="CSV with columns currency,rate[,date].")],
        db: Annotated[str | None, typer.Option(help=DB_OPTION_HELP)] = None,
    ) -> None:
        """Import exchange rates: 1 unit of `currency` = `rate` units of the base currency."""
        from bot.cli import open_app
        from crm.importing.errors import ImportFileError

        async def go() -> int:
            app_ctx = await open_app(db_url=db)
            try:
                return await import_rates_file(app_ctx, file)
            except ImportFileError as exc:
                from bot.cli import CLIError

                raise CLIError(str(exc)) from None
            finally:
                await app_ctx.close()

        n = run_async(go)
        typer.echo(f"{n} exchange rates imported; order amounts re-priced in the base currency")

    app.add_typer(rates_app, name="rates")
